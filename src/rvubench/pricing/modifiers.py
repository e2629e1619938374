"""Pricing-modifier rules: assistant, co-surgeon, team, split care, 52 and 53.

Each percentage is applied to rounded cents and rounded again (:func:`_modifier_rules`):
assistant at surgery 80/81/82 16% and AS 13.6% (:data:`ASSISTANT_MODS`), co-surgeons 62
62.5%, team 66, split care 54/55/56/78 by the code's pre/intra/post-operative shares
(:data:`SPLIT_MODS`), reduced (52) and discontinued (53) services; plus the parsing of the
modifier column into per-modifier flags (:func:`_modifier_flags`) and the ``medicare``
credit of a modifier its surgical-team indicator does not pay (:func:`_not_payable_credit`).

Surgical-team indicators (RVU25D.pdf ASST SURG, CO SURG, TEAM SURG): a modifier the
indicator says may not be paid (80/81/82/AS on ASST SURG 1 "Assistant at surgery may not be
paid" or 9 "Concept does not apply"; 62 on CO SURG 0 "Co-surgeons not permitted" or 9; 66 on
TEAM SURG 0 "Team surgeons not permitted" or 9) is paid 0.00 and, under ``medicare``,
credited 0 wRVU (outcome "zero", the reason names the field and indicator); ``full-credit``
keeps the modifier's share. ASST SURG 0 and CO SURG 1 ("documentation ... medical
necessity") are priced and flagged. TEAM SURG 1 and 2 say "pay by report": the MAC prices
the line, so the payment is not estimable and the code's full wRVU is credited (as for any
66 line before, and as status C lines are left to the MAC), ind 1 flagged for documentation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rvubench.pricing.arith import _ONE, C, _isin, _pct
from rvubench.pricing.bilateral import _BILATERAL_RULES, _PAIR_MODS
from rvubench.pricing.keys import _text
from rvubench.pricing.settings import PricingSettings
from rvubench.pricing.state import KeyState, ModifierRules

ASSISTANT_MODS = ("80", "81", "82", "AS")
SPLIT_MODS = ("54", "55", "56", "78")


def _modifier_flags(mods) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per line: a flag array for every modifier that changes pricing (``mods`` is a Series
    or a (codes, labels) pair)."""
    codes, uniq = pd.factorize(_text(mods)) if isinstance(mods, pd.Series) else mods
    sets = [frozenset(m.strip().upper() for m in str(u).split(",") if m.strip()) for u in uniq]
    # the modifiers two lines of a bilateral pair share, and the two its rules and the
    # multiple-procedure ranking read themselves
    names = (*_PAIR_MODS, "50", "51")
    flags = {}
    for name in names:
        per_unique = np.array([name in s for s in sets] + [False], dtype=bool)
        flags[name] = per_unique[codes]  # code -1 (missing) picks the trailing False
    rules = set(names) - {"26", "TC", "51"}  # modifiers handled after row selection (51:
    # only by the ranking of a log without patient ids, see _line_status)
    per_unique = np.array([bool(s & rules) for s in sets] + [False], dtype=bool)
    flags["any"] = per_unique[codes]
    for side in ("RT", "LT"):  # sides of a bilateral pair (no pricing effect by themselves)
        per_unique = np.array([side in s for s in sets] + [False], dtype=bool)
        flags[side] = per_unique[codes]
    # two units that are distinct procedures, not the two sides of one (see _units2_keys)
    per_unique = np.array([bool(s & _DISTINCT_MODS) for s in sets] + [False], dtype=bool)
    flags["distinct"] = per_unique[codes]
    return codes, flags


# Modifiers saying that the units of a line are separate procedures (distinct procedural
# service, repeat procedure, repeat test): such a 2-unit line is not one bilateral item.
_DISTINCT_MODS = frozenset({"59", "XE", "XP", "XS", "XU", "76", "77", "91"})


def _modifier_rules(s: KeyState, settings: PricingSettings) -> None:
    """Bilateral (before MPPR), and the factors and flags applied after it (2.6-2.10).

    Computed only on the lines that carry a pricing modifier (``s.sub``); per-line results
    are kept as subset arrays in ``s.mod`` and scattered where the engine needs them.
    """
    n, sub = s.n, np.flatnonzero(s.found & s.mf_any)
    s.sub = sub
    f = {k: v[sub] for k, v in s.mf.items()}
    k = len(sub)
    m = ModifierRules()
    bilat, asst, cosurg, team = s.bilat[sub], s.asst[sub], s.co_surg[sub], s.team_surg[sub]
    pre, intra, post = s.pre[sub], s.intra[sub], s.post[sub]

    bil_f = np.full(k, _ONE, dtype="int64")
    m.bil_code = np.zeros(k, dtype="int64")  # 1 ind1 150%, 2 ind0, 3 ind2, 4 ind3 200%, 5 other
    for code, (ind, (fac, _label)) in enumerate(_BILATERAL_RULES.items(), start=1):
        sel = f["50"] & (bilat == C(ind))
        bil_f[sel] = fac
        m.bil_code[sel] = code
    m.bil_code[f["50"] & (m.bil_code == 0)] = 5
    s.bil_f = np.full(n, _ONE, dtype="int64")
    s.bil_f[sub] = bil_f
    s.unit_b = s.unit.copy()
    s.unit_b[sub] = _pct(s.unit[sub], bil_f)

    post_f: list[
        tuple[np.ndarray, np.ndarray | int]
    ] = []  # (mask, factor per 10,000) over the subset, applied in order after MPPR
    wfac = np.ones(k, dtype="float64")
    m.asst_code = np.zeros(k, dtype="int64")
    for i, mod in enumerate(ASSISTANT_MODS, start=1):
        m.asst_code[f[mod] & (m.asst_code == 0)] = i
    is_asst = m.asst_code > 0
    asst_fac = np.where(m.asst_code == 4, 1360, 1600)
    post_f.append((is_asst, asst_fac))
    wfac = np.where(is_asst, asst_fac / _ONE, wfac)
    # ASST SURG, CO SURG and TEAM SURG indicators as RVU25D.pdf words them (_TEAM_RULES):
    # where the modifier may not be paid, payment 0 and (medicare policy) 0 wRVU
    m.asst_pay0 = is_asst & _isin(asst, "19")
    m.asst_ind = np.select([is_asst & (asst == C(v)) for v in "019"], [1, 2, 3], 0)

    m.is62 = f["62"]
    post_f.append((m.is62, 6250))
    wfac = np.where(m.is62, wfac * 0.625, wfac)
    m.co0 = m.is62 & _isin(cosurg, "09")
    m.co_ind = np.select([m.is62 & (cosurg == C(v)) for v in "019"], [1, 2, 3], 0)
    m.is66 = f["66"]
    m.team0 = m.is66 & _isin(team, "09")
    m.team_ind = np.select([m.is66 & (team == C(v)) for v in "0129"], [1, 2, 3, 4], 0)

    m.split_code = np.zeros(k, dtype="int64")
    m.split_pct = np.zeros(k, dtype="int64")  # percent of the fee
    for i, mod in enumerate(SPLIT_MODS, start=1):
        sel = f[mod] & (m.split_code == 0)
        m.split_code[sel] = i
        pct = {"54": pre + intra, "55": post, "56": pre, "78": intra}[mod]
        m.split_pct = np.where(sel, pct, m.split_pct)
    is_split = m.split_code > 0
    m.split_missing = is_split & (pre + intra + post == 0)
    m.split_ok = is_split & ~m.split_missing
    post_f.append((m.split_ok, m.split_pct * 100))
    wfac = np.where(m.split_ok, wfac * m.split_pct / 100, wfac)
    m.no53row = f["53"] & (s.mod_row_code[sub] != 3) & ~s.want26[sub] & ~s.wanttc[sub]
    wfac = np.where(m.no53row, wfac * settings.mod53_factor, wfac)
    m.is52 = f["52"]
    post_f.append((m.is52, int(round(settings.mod52_factor * _ONE))))
    wfac = np.where(m.is52, wfac * settings.mod52_factor, wfac)
    m.is22 = f["22"]

    s.post_f = post_f
    s.wfac = np.ones(n, dtype="float64")
    s.wfac[sub] = wfac
    s.asst_pay0 = np.zeros(n, dtype=bool)
    s.asst_pay0[sub] = m.asst_pay0
    s.co0 = np.zeros(n, dtype=bool)
    s.co0[sub] = m.co0
    s.team0 = np.zeros(n, dtype=bool)
    s.team0[sub] = m.team0
    s.pay_zero[sub] |= m.asst_pay0 | m.co0 | m.team0
    # (medicare policy: credited 0 too, after the bilateral pair/2-unit candidates are chosen,
    # see _not_payable_credit; full-credit keeps the share of the work done)
    # team surgery "pay by report" (indicators 1 and 2): the MAC prices it, not estimable
    s.est[sub] &= ~((m.is66 & ~m.team0) | m.split_missing | m.no53row)
    s.mod = m


def _not_payable_credit(k: KeyState, settings: PricingSettings) -> None:
    """Under the ``medicare`` policy a key whose assistant (80-82, AS), co-surgeon (62) or
    team (66) modifier may not be paid under its ASST/CO/TEAM SURG indicator credits 0 wRVU,
    as Medicare pays it nothing; ``full-credit`` keeps the modifier's share of the work."""
    if settings.policy == "medicare":
        k.credit_ok = k.credit_ok & ~(k.asst_pay0 | k.co0 | k.team0)


# RVU25D.pdf field text of the indicators under which the modifier is not payable
_TEAM_RULES = {
    "ASST SURG": {
        "1": "statutory payment restriction, assistant at surgery may not be paid",
        "9": "concept does not apply",
    },
    "CO SURG": {"0": "co-surgeons not permitted for this procedure", "9": "concept does not apply"},
    "TEAM SURG": {
        "0": "team surgeons not permitted for this procedure",
        "9": "concept does not apply",
    },
}
# reason kind -> (fee-schedule field, per-key indicator attribute, modifier)
_TEAM_FIELDS = {
    8: ("ASST SURG", "asst", "80"),
    9: ("CO SURG", "co_surg", "62"),
    10: ("TEAM SURG", "team_surg", "66"),
}
