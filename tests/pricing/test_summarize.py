"""Summaries of priced lines: totals equal the sum of their parts, months with no lines
appear, and money is summed in integer cents."""

from __future__ import annotations

from datetime import date

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _lines import make_lines
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings
from rvubench.pricing.summary import (
    accounting,
    accounting_line,
    by_category,
    by_code,
    by_month,
    by_provider,
    totals,
)

CODES = [
    "99213",
    "99214",
    "27130",
    "11042",
    "69436",
    "29807",
    "29805",
    "70553",
    "36000",
    "99396",
    "70555",
    "9999Z",
    "36598",
]
MODS = ["", "", "26", "TC", "50", "62", "80", "AS", "59", "51"]


def _priced(fees, rows, **kw):
    return price_lines(make_lines(rows), fees, PricingSettings(**kw))


def test_accounting_and_totals(fees):
    rows = [
        dict(hcpcs="99213"),
        dict(hcpcs="99213", units=2),
        dict(hcpcs="36000"),
        dict(
            hcpcs="",
            units=0,
            reject_reason="log.csv, row 5, column hcpcs: empty",
            reject_column="hcpcs",
        ),
    ]
    p = _priced(fees, rows)
    acc = accounting(p)
    assert (acc["rows_read"], acc["rows_priced"], acc["rows_zero"], acc["rows_rejected"]) == (
        4,
        2,
        1,
        1,
    )
    assert acc["rejected_by_reason"] == {"column hcpcs: empty": 1}
    assert list(acc["zero_by_reason"].values()) == [1]
    assert accounting_line(acc) == "rows read 4 = priced 2 + credited zero 1 + rejected 1"
    t = totals(p)
    # 95.19 + 2 x 95.19 + 0 = 285.57; wRVU 1.30 + 2.60 + 0 = 3.90
    assert t["payment_total_cents"] == 28557
    assert t["wrvu_total"] == 3.9
    assert (t["lines"], t["units"]) == (3, 4)


def test_by_code_columns_and_values(fees):
    p = _priced(
        fees, [dict(hcpcs="99213"), dict(hcpcs="99213"), dict(hcpcs="70553", modifiers="26")]
    )
    bc = by_code(p)
    assert list(bc.columns[:7]) == [
        "hcpcs",
        "modifier",
        "description",
        "lines",
        "units",
        "wrvu_credit",
        "payment",
    ]
    row = bc[bc["hcpcs"] == "99213"].iloc[0]
    assert (row["lines"], row["units"], row["wrvu_credit"], row["payment"]) == (2, 2, 2.6, 190.38)
    pc = bc[bc["hcpcs"] == "70553"].iloc[0]
    assert (pc["modifier"], pc["payment"]) == ("26", 105.21)


def test_by_month_includes_empty_months(fees):
    p = _priced(
        fees,
        [
            dict(hcpcs="99213", date_of_service="2026-07-10"),
            dict(hcpcs="99213", date_of_service="2026-09-01"),
            dict(hcpcs="99213", date_of_service="2026-12-31"),
        ],
    )
    m = by_month(p, date(2026, 7, 1), date(2026, 9, 30))
    assert m["month"].tolist() == ["2026-07", "2026-08", "2026-09"]
    assert m["lines"].tolist() == [1, 0, 1]
    assert m["payment"].tolist() == [95.19, 0.0, 95.19]
    assert m["wrvu_credit"].tolist() == [1.3, 0.0, 1.3]


def test_by_provider_and_category(fees):
    p = _priced(
        fees, [dict(hcpcs="99213", provider_id="A"), dict(hcpcs="27130", pos="22", provider_id="B")]
    )
    bp = by_provider(p).set_index("provider_id")
    assert bp.loc["A", "payment_cents"] == 9519 and bp.loc["B", "payment_cents"] == 116202
    bcat = by_category(p).set_index("category")
    assert bcat.loc["Surgery", "wrvu_credit"] == 19.11
    assert bcat.loc["Evaluation and Management", "wrvu_credit"] == 1.3


line_st = st.fixed_dictionaries(
    {
        "hcpcs": st.sampled_from(CODES),
        "modifiers": st.sampled_from(MODS),
        "units": st.integers(1, 3),
        "pos": st.sampled_from(["11", "22", "24", ""]),
        "provider_id": st.sampled_from(["A", "B", "C"]),
        "date_of_service": st.sampled_from(["2026-07-01", "2026-07-02", "2026-08-15"]),
    }
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(line_st, min_size=1, max_size=25), st.sampled_from(["medicare", "full-credit"]))
def test_line_credits_sum_to_code_and_provider_totals(fees, rows, policy):
    p = _priced(fees, rows, policy=policy)
    # rows read = priced + zero + rejected
    acc = accounting(p)
    assert (
        acc["rows_read"]
        == len(rows)
        == (acc["rows_priced"] + acc["rows_zero"] + acc["rows_rejected"])
    )
    t = totals(p)
    w4 = (p["wrvu_credit"] * 10_000).round().astype("int64")
    cents = p["payment_cents"].fillna(0).astype("int64")
    assert t["payment_total_cents"] == int(cents.sum())
    assert round(t["wrvu_total"] * 10_000) == int(w4.sum())
    for table in (by_code(p), by_provider(p), by_category(p)):
        assert int(table["payment_cents"].sum()) == t["payment_total_cents"]
        assert round(table["wrvu_credit"].sum() * 10_000) == int(w4.sum())
        assert int(table["lines"].sum()) == t["lines"]
        assert int(table["units"].sum()) == t["units"]
    months = by_month(p, date(2026, 7, 1), date(2026, 8, 31))
    assert int(months["payment_cents"].sum()) == t["payment_total_cents"]
    # never negative, never more than the unadjusted work x units x 2 (bilateral ind 3)
    assert (p["wrvu_credit"] >= 0).all()
    assert (p["wrvu_credit"] <= p["work_rvu"].fillna(0) * p["units"] * 2 + 1e-9).all()
    assert (cents >= 0).all()
    assert isinstance(p, pd.DataFrame) and p["source_row"].tolist() == sorted(
        p["source_row"].tolist()
    )


_REASONS = [
    "RT+LT bilateral pair: paid as one bilateral item on row 12",
    "RT+LT bilateral pair: paid as one bilateral item on row 7",
    "status B (bundled): credited zero",
    "on row 12",
    "",
]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(_REASONS), max_size=15), st.sampled_from(["str", object]))
def test__without_pair_rows__is_str_replace_on_every_row(reasons, dtype):
    from rvubench.pricing.summary import _PAIR_ROW, _without_pair_rows

    s = pd.Series(reasons, dtype=dtype, index=range(10, 10 + len(reasons)))
    want = s.astype(str).str.replace(_PAIR_ROW, "", regex=True)
    got = _without_pair_rows(s.astype(str))
    pd.testing.assert_series_equal(got, want)
    # both pair texts count as one reason, in value_counts' order
    assert got.value_counts().to_dict() == want.value_counts().to_dict()
