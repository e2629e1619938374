"""Bilateral rules (CMS BILAT SURG): modifier 50, RT+LT pairs and 2-unit lines.

Modifier 50 by indicator (:data:`_BILATERAL_RULES`: ind 1 150%, 0 and 2 100%, 3 200%).

RT+LT bilateral pairs (CMS BILAT SURG: a code billed RT and LT on one day is one bilateral
procedure): two usable lines in the same
multiple-procedure group (patient key, else encounter key, else provider, and date of
service) with the same HCPCS, the same fee-schedule row (release; 26/TC/53 row) and the same
pricing modifiers (26, TC, 53, 62, 66, 80-82, AS, 54-56, 78, 52, 22; others such as 59 or XS
are ignored), one carrying RT and the other LT, neither 50 (nor both RT and LT), one unit
each, status A, R, T or N and BILAT SURG indicator 0, 1, 2 or 3, are one bilateral item.
Several RT and LT lines of one code in a group pair up in input order (1st RT with 1st LT,
...). The earlier line of a pair is priced exactly as if it carried 50 with one unit (ind 1:
150%, 0 and 2: 100%, 3: 200%) and enters the endoscopy and MPPR ranking as one item; its
``adjustments`` name the partner's row. The later line is credited zero (payment 0.00,
wRVU 0, ``outcome`` "zero", ``reason`` naming the paid row) and is not ranked. Lines with
more than one unit, indicator 9, and leftovers are priced as before. wRVU credit mirrors
modifier 50 under each policy (``full-credit``: the paid line both sides in full,
the partner 0).

Two units of a bilateral code on one line (CMS BILAT SURG): a usable line with exactly 2
units, neither 50 nor RT nor LT, no distinct-procedure modifier (59, XE, XP, XS, XU, 76, 77,
91), status A, R, T or N and BILAT SURG indicator 1, 2 or 3 is priced exactly as the same
line with 50 and one unit would be (ind 1: 150%, 2: 100%, 3: 200% of one unit), enters the
endoscopy and MPPR ranking as one item and is credited wRVU as that 50 line under each
policy; ``units`` in the output stays 2. Why both sides: CMS's bilateral indicator text
(RVU25D.pdf, BILAT SURG field) counts a code "reported twice on the same day by any other
means (e.g. with RT and LT modifiers, or with a 2 in the units field)" as bilateral for
indicators 1, 2 and 3; 59/X{EPSU}/76/77/91 say instead that the two units are separate
procedures. Indicator 0 is left out: its CMS text names only 50 and RT+LT, and it holds the
codes whose units count time, add-on increments or specimens (97110, 11045, 88305, ...).
Units 3 or more, indicators 0 and 9 and lines with those modifiers are priced unit by unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rvubench.pricing.arith import _ONE, C, _isin, _pct
from rvubench.pricing.keys import _dense
from rvubench.pricing.state import BilateralPairs, BilateralUnits, KeyState, LineState

# The modifiers that change pricing: two lines of a bilateral pair carry the same ones.
_PAIR_MODS = (
    "26",
    "TC",
    "53",
    "62",
    "66",
    "80",
    "81",
    "82",
    "AS",
    "54",
    "55",
    "56",
    "78",
    "52",
    "22",
)


# BILAT SURG indicator -> (factor per 10,000, text): modifier 50, an RT+LT pair and a 2-unit
# line of a bilateral code are all priced by this table (CMS BILAT SURG)
_BILATERAL_RULES = {
    "1": (15000, "150%"),
    "0": (_ONE, "150% does not apply, 100%"),
    "2": (_ONE, "RVUs already bilateral, 100%"),
    "3": (20000, "200%"),
}


def _price_bilateral(s: LineState, k: KeyState, idx: np.ndarray, fac: np.ndarray) -> None:
    """Lines ``idx`` priced as one bilateral item: amount and work x ``fac`` before MPPR."""
    kk = s.key_idx[idx]
    s.unit_b[idx] = _pct(k.unit[kk], fac)
    s.work_b[idx] = k.work100[kk] * fac / _ONE


def _pair_keys(k: KeyState) -> None:
    """Per pricing key: may its lines pair as the RT and LT sides of one bilateral item?

    RT or LT (not both), no 50, a payable or credited status (A, R, T, N) and BILAT SURG
    indicator 0-3. ``k.pair_class`` is the same for keys whose lines may pair: the same
    fee-schedule row (release, code, 26/TC/53 row) and the same pricing modifiers.
    """
    mf = k.mf
    rt, lt = mf["RT"], mf["LT"]
    k.pair_side = np.where(rt & ~lt, 1, np.where(lt & ~rt, 2, 0))
    k.pair_cand = (
        k.credit_ok & (k.pair_side > 0) & ~mf["50"] & _isin(k.bilat, "".join(_BILATERAL_RULES))
    )
    ci = np.flatnonzero(k.pair_cand)
    if len(ci):  # (only the candidate keys, a small subset)
        cls = k.rowi[ci] << len(_PAIR_MODS)
        for i, name in enumerate(_PAIR_MODS):
            cls |= mf[name][ci].astype("int64") << i
        k.pair_class = np.zeros(k.n, dtype="int64")
        k.pair_class[ci] = _dense(cls)[0]


def _bilateral_pairs(s: LineState, k: KeyState, lines: pd.DataFrame) -> None:
    """RT and LT lines of one code the same day (and patient) priced as one bilateral item
    (rule in the module docstring).

    Only the candidate lines (per-key bit 3 of ``rank_bits``, a small subset) are looked at.
    The earlier line of a pair is priced as if it carried 50 with one unit (bilateral amount
    and work before endoscopy/MPPR); the later one is credited zero and leaves the ranking.
    Sets ``s.pair`` (None without pairs): the paid and partner lines, sorted by paid line.
    """
    s.pair = None
    if not k.pair_cand.any():
        return
    idx = np.flatnonzero(s.rank_bits >= 8)  # bit 3 is the highest bit: >= 8 is a bool pass
    idx = idx[(s.units[idx] == 1) & s.found[idx]]  # 1-unit usable lines only
    if len(idx) < 2:
        return
    kk = s.key_idx[idx]
    side = k.pair_side[kk]
    gk = pd.factorize(
        s.grp[idx].astype("int64") * (int(k.pair_class.max()) + 1) + k.pair_class[kk]
    )[0].astype("int64")
    # occurrence number of each line among the lines of its group, class and side
    gs = gk * 2 + side - 1
    order = np.argsort(gs, kind="stable")  # input order within a group and side
    sg = gs[order]
    pos = np.arange(len(sg))
    first = np.maximum.accumulate(np.where(np.r_[True, sg[1:] != sg[:-1]], pos, 0))
    seq = np.empty(len(idx), dtype="int64")
    seq[order] = pos - first
    nth = gk * len(idx) + seq  # 1st RT pairs with 1st LT of the same group and class, ...
    rt, lt = side == 1, side == 2
    _, ir, il = np.intersect1d(nth[rt], nth[lt], assume_unique=True, return_indices=True)
    if len(ir) == 0:
        return
    a, b = idx[rt][ir], idx[lt][il]
    paid, partner = np.minimum(a, b), np.maximum(a, b)
    o = np.argsort(paid)
    paid, partner = paid[o], partner[o]
    ind = k.bilat[s.key_idx[paid]]
    fac = np.select(
        [ind == C(i) for i in _BILATERAL_RULES], [f for f, _ in _BILATERAL_RULES.values()]
    )
    _price_bilateral(s, k, paid, fac)
    s.rank_bits[partner] &= np.uint8(0xFC)  # the partner is not ranked
    s.pay_zero[partner] = True
    s.credit_ok[partner] = False
    # texts: the paid line names its partner's row and the partner names the paid row
    both = np.concatenate([paid, partner])  # (only these lines' rows and files are read)
    rows = dict(zip(both.tolist(), lines["source_row"].iloc[both].tolist(), strict=True))
    files = (
        dict(zip(both.tolist(), lines["source_file"].iloc[both].astype(str).tolist(), strict=True))
        if "source_file" in lines
        else dict.fromkeys(both.tolist(), "")
    )

    def where(i: int, other: int) -> str:
        r = f"row {rows[i]}"
        return r if files[i] == files[other] else f"{r} of {files[i]}"

    paid_t = [
        f"bilateral RT+LT with {where(q, p)} (ind {chr(c)}): {_BILATERAL_RULES[chr(c)][1]}"
        for p, q, c in zip(paid.tolist(), partner.tolist(), ind.tolist(), strict=True)
    ]
    partner_t = [
        f"RT+LT bilateral pair: paid as one bilateral item on {where(p, q)}"
        for p, q in zip(paid.tolist(), partner.tolist(), strict=True)
    ]
    codes, labels = pd.factorize(np.asarray(paid_t + partner_t, dtype=object))
    o = np.argsort(both)
    s.pair = BilateralPairs(
        paid=paid,
        partner=partner,
        fac=fac,
        lines=both[o],
        adj=(codes + 1)[o],
        labels=["", *labels],
        reason=np.asarray(partner_t, dtype=object),
    )


# bilateral indicators under which one line with 2 units is one bilateral item: CMS names
# "a 2 in the units field" for 1, 2 and 3 only; indicator 0 names modifier 50 and RT+LT.
_UNITS2_INDICATORS = "123"


def _units2_keys(k: KeyState) -> None:
    """Per pricing key: is a 2-unit line of it one bilateral item (``k.u2_cand``)?

    Neither 50 nor RT nor LT, no distinct-procedure modifier (59, XE, XP, XS, XU, 76, 77,
    91), a payable or credited status (A, R, T, N) and BILAT SURG indicator 1, 2 or 3.
    """
    mf = k.mf
    k.u2_cand = (
        k.credit_ok
        & ~mf["50"]
        & ~mf["RT"]
        & ~mf["LT"]
        & ~mf["distinct"]
        & _isin(k.bilat, _UNITS2_INDICATORS)
    )


def _bilateral_units(s: LineState, k: KeyState) -> None:
    """One line with 2 units of a bilateral code priced as one bilateral item (CMS BILAT SURG;
    rule in the module docstring).

    Only the lines with exactly 2 units are looked at. Each such line of a candidate key
    (``k.u2_cand``) is priced as if it carried 50 with one unit: the bilateral amount and
    work before endoscopy/MPPR, and ``s.units`` 1 while pricing (``_price_all`` puts the 2
    back for the output). Sets ``s.u2`` (None without such lines): the lines (ascending),
    their bilateral factors and their ``adjustments`` text codes.
    """
    s.u2 = None
    if not k.u2_cand.any():
        return
    idx = np.flatnonzero(s.units == 2)
    idx = idx[k.u2_cand[s.key_idx[idx]] & s.found[idx]]
    if len(idx) == 0:
        return
    kk = s.key_idx[idx]
    ind = k.bilat[kk]
    inds = list(_UNITS2_INDICATORS)
    code = np.select([ind == C(i) for i in inds], list(range(1, len(inds) + 1)), 0)
    fac = np.array([_ONE] + [_BILATERAL_RULES[i][0] for i in inds], dtype="int64")[code]
    _price_bilateral(s, k, idx, fac)
    s.units[idx] = 1
    labels = [
        "",
        *[
            f"2 units of a bilateral code priced as one bilateral item (ind {i}): "
            f"{_BILATERAL_RULES[i][1]}"
            for i in inds
        ],
    ]
    s.u2 = BilateralUnits(lines=idx, fac=fac, adj=code, labels=labels)


def _line_bil_f(s: LineState, k: KeyState, idx: np.ndarray) -> np.ndarray:
    """The bilateral factor (per 10,000) of the lines ``idx``: the key's (modifier 50), the
    pair's for the paid line of an RT+LT pair, or the 2-unit line's bilateral factor."""
    bf = k.bil_f[s.key_idx[idx]]
    sides: list[tuple[np.ndarray, np.ndarray]] = []
    if s.pair is not None:
        sides.append((s.pair.paid, s.pair.fac))
    if s.u2 is not None:
        sides.append((s.u2.lines, s.u2.fac))
    for lines, fac in sides:
        j = np.minimum(np.searchsorted(lines, idx), len(lines) - 1)
        bf = np.where(lines[j] == idx, fac[j], bf)
    return bf


def _full_bilateral(bil_f: np.ndarray) -> np.ndarray:
    """The ``full-credit`` work factor of a bilateral item (from its payment factor per
    10,000): both sides in full, so indicator 1 (150% paid) is credited 200%; indicators 0,
    2 and 3 are credited as paid (100%, 100%, 200%), a line without 50 x 1."""
    return np.where(bil_f == 15000, 20000, bil_f) / _ONE
