"""Exact money arithmetic: numbers to ``Decimal``, half-up rounding, integer cents.

Every dollar figure rvubench computes is done in ``Decimal`` and rounded once, ties away
from zero (ROUND_HALF_UP, the way a person rounds on paper: 2.675 -> 2.68), to integer
cents; floats are for display only. Floats enter through their shortest round-trip text
(``repr``), so ``77.37`` becomes ``Decimal('77.37')`` and not the binary neighbour
``77.3699999...``. This module is a leaf: it imports nothing from rvubench.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")


def to_decimal(value: Any) -> Decimal:
    """Exact Decimal of a number (floats via their shortest repr: 77.37 -> Decimal('77.37')).

    Raises:
        TypeError: for a bool (a flag is not an amount).
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a number is needed, not a bool")
    if isinstance(value, int | str):
        return Decimal(value)
    return Decimal(repr(float(value)))  # float, numpy float/int


def decimal_or_none(value: Any) -> Decimal | None:
    """``value`` as a Decimal, or None for None/NaN/NA/infinite/unparseable values."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return None if value.is_nan() else value
    if isinstance(value, int):
        return Decimal(value)
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(f) or math.isinf(f):
        return None
    try:
        # repr() of a float is its shortest round-trip text: 2.675 -> "2.675", not 2.67499...
        return Decimal(repr(f))
    except InvalidOperation:  # pragma: no cover - repr of a finite float always parses
        return None


def round_half_up(value: Any, places: int = 2) -> Decimal | None:
    """Round ``value`` half-up to ``places`` decimals (None for a missing value)."""
    d = decimal_or_none(value)
    if d is None:
        return None
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round_half_up_cents(value: Decimal) -> Decimal:
    """Round a Decimal dollar amount to cents, ties away from zero (2.675 -> 2.68)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> int:
    """Dollars (Decimal) to integer cents, ROUND_HALF_UP."""
    return int((amount / CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))
