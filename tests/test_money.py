"""Money helpers: exact Decimal conversion and half-up rounding to cents."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rvubench.money import (
    decimal_or_none,
    round_half_up,
    round_half_up_cents,
    to_cents,
    to_decimal,
)


def test_to_decimal_uses_the_shortest_float_text():
    # Decimal(77.37) would be 77.3699999999999903366...; repr gives "77.37"
    assert to_decimal(77.37) == Decimal("77.37")
    assert to_decimal(5) == Decimal(5)
    assert to_decimal("0.1") == Decimal("0.1")
    with pytest.raises(TypeError):
        to_decimal(True)


def test_half_up_ties_go_away_from_zero():
    # 2.675 is stored as 2.67499999999999982236431605997495353221893310546875;
    # read through repr it is 2.675, and half-up makes 2.68 (round() gives 2.67)
    assert round_half_up(2.675) == Decimal("2.68")
    assert round_half_up(-2.675) == Decimal("-2.68")
    assert round_half_up(0.125, 2) == Decimal("0.13")
    assert round_half_up(1234.5, 0) == Decimal("1235")
    assert round_half_up_cents(Decimal("10.005")) == Decimal("10.01")
    assert round_half_up_cents(Decimal("10.0049")) == Decimal("10.00")


def test_missing_values_round_to_none():
    for missing in (None, float("nan"), float("inf"), "abc", True, Decimal("NaN")):
        assert decimal_or_none(missing) is None
        assert round_half_up(missing) is None


def test_to_cents():
    # $275,000.005 -> 27,500,000.5 cents -> 27,500,001 (half up)
    assert to_cents(Decimal("275000.005")) == 27_500_001
    assert to_cents(Decimal("77.37")) == 7737
    assert to_cents(Decimal("-0.005")) == -1


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_whole_cents_are_unchanged(cents):
    dollars = Decimal(cents) / 100
    assert to_cents(dollars) == cents
    assert round_half_up_cents(dollars) == dollars


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=6))
def test_rounding_moves_less_than_half_a_cent(amount):
    cents = to_cents(amount)
    assert abs(Decimal(cents) / 100 - amount) <= Decimal("0.005")
    assert round_half_up_cents(amount) == Decimal(cents) / 100
