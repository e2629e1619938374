"""Exact integer arithmetic and character codes shared by every pricing rule.

Percentage factors are integers per 10,000 (``_ONE`` = 100%); :func:`_pct` applies one to
integer cents with one round half up; :func:`_i100` / :func:`_i1000` turn RVUs (two
decimals) and GPCIs (three decimals) into exact integers x100 and x1000, so the payment
arithmetic is done on integers.
One-character CMS indicators (status, PCTC, MULT PROC, BILAT SURG, ...) are held as their
character codes: :func:`C` gives a character's code and :func:`_isin` tests codes against a
set of characters.
"""

from __future__ import annotations

import numpy as np

_ONE = 10_000  # percentage factors are integers per 10,000 (100% = 10,000)


def _pct(cents: np.ndarray, factor: np.ndarray | int) -> np.ndarray:
    """``cents x factor / 10000`` rounded half up (cents and factors are non-negative)."""
    return (cents * factor + _ONE // 2) // _ONE


def _i100(x: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(x, dtype="float64") * 100).astype("int64")


def _i1000(x: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(x, dtype="float64") * 1000).astype("int64")


def C(ch: str) -> int:  # noqa: N802 - reads like a character literal
    """The integer code of an indicator character (see :func:`_char_col`)."""
    return ord(ch)


def _isin(codes: np.ndarray, chars: str) -> np.ndarray:
    """``codes`` (from :func:`_char_col`) is one of ``chars``."""
    out = np.zeros(codes.shape, dtype=bool)
    for ch in chars:
        out |= codes == ord(ch)
    return out
