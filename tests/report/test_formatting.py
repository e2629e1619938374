"""Display formatting: half-up rounding, money, RVUs, percentiles; Excel formats defined once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rvubench.report.formatting import (
    JINJA_FILTERS,
    XLSX_FORMATS,
    fmt_cents,
    fmt_pct,
    fmt_percentile,
    fmt_percentile_phrase,
    fmt_rvu,
    fmt_signed,
    fmt_usd,
    fmt_usd0,
    round_half_up,
)


def test__fmt_usd__rounds_half_up_and_groups():
    # 2.675 is 2.67499999... as a binary float; the display rounds the decimal text 2.675 up
    assert fmt_usd(2.675) == "$2.68"
    assert fmt_usd(1234567.891) == "$1,234,567.89"
    assert fmt_usd(-3) == "-$3.00"
    assert fmt_usd(None) == "n/a"
    assert fmt_usd(float("nan")) == "n/a"
    assert fmt_usd0(452000.5) == "$452,001"


def test__fmt_cents__exact_from_integer_cents():
    # 12.07 x 33.4009 = 403.148863 -> 40315 cents
    assert fmt_cents(40315) == "$403.15"
    assert fmt_cents(5_180_873) == "$51,808.73"
    assert fmt_cents(None) == "n/a"


def test__fmt_rvu__two_decimals():
    assert fmt_rvu(1110.86) == "1,110.86"
    assert fmt_rvu(7.995) == "8.00"  # half-up on the decimal value (Python's round gives 7.99)
    assert fmt_rvu(0) == "0.00"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (50, "50th"),
        (62.5, "63rd"),
        (38.2, "38th"),
        (10.1, "10th"),
        (21.5, "22nd"),
        (0.6, "1st"),
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (11, "11th"),
        (11.4, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (90, "90th"),
        (101, "101st"),
        (111, "111th"),
        ("below p10", "below p10"),
        ("above p90", "above p90"),
        (None, "n/a"),
    ],
)
def test__fmt_percentile__ordinals_and_labels(value, text):
    assert fmt_percentile(value) == text


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test__fmt_percentile__always_a_whole_ordinal_with_the_right_suffix(value):
    text = fmt_percentile(value)
    number, suffix = text[:-2], text[-2:]
    assert number.isdigit()  # never "38.2th"
    n = int(number)
    assert abs(n - value) <= 0.5
    expected = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    assert suffix == expected


def test__fmt_percentile_phrase():
    assert fmt_percentile_phrase(38.2) == "38th percentile"
    assert fmt_percentile_phrase("below p10") == "below p10"
    assert fmt_percentile_phrase(None) == "n/a"


def test__fmt_pct_and_signed():
    assert fmt_pct(0.1234) == "12.3%"
    assert fmt_pct(1) == "100.0%"
    assert fmt_signed(56.1) == "+56.1"
    assert fmt_signed(-3) == "-3.0"
    assert fmt_signed(0) == "0.0"


def test__formats_are_registered_once():
    assert {"usd", "rvu", "pct", "percentile", "cents"} <= set(JINJA_FILTERS)
    assert XLSX_FORMATS["wrvu"] == "#,##0.00"
    assert XLSX_FORMATS["usd"] == '"$"#,##0.00'


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test__fmt_cents__round_trips_every_integer_amount(cents):
    text = fmt_cents(cents)
    sign = -1 if text.startswith("-") else 1
    back = Decimal(text.lstrip("-").lstrip("$").replace(",", "")) * 100 * sign
    assert back == cents


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False))
def test__round_half_up__matches_decimal_rule(value):
    expected = value.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert round_half_up(value) == expected
