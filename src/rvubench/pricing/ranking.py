"""Multiple-procedure ranking: MPPR, endoscopy families and imaging MPPR.

Per multiple-procedure group (patient key, else encounter key, else provider, and date of
service; no ids: as billed, only 51 lines reduced) lines are ranked by payment
(:func:`_rank_lines`, :func:`_rank`, with :func:`_lex_order` as the stable sort) and the
MULT PROC indicator's reduction applied: indicators 1, 2 and 3 in :func:`_mppr`, indicator
3 codes of one endoscopy family first priced as one base plus increments
(:func:`_endoscopy`); imaging indicators 4, 6 and 7 reduce the TC and PC of the 2nd and
later images per :data:`IMAGING_RULES` (:func:`_imaging_mppr`). The per-unit base payments
ranked come from :func:`_base_units` / :func:`_component_units`. Bilateral items enter the
ranking as one item.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rvubench.pricing.arith import _ONE, C, _pct
from rvubench.pricing.bilateral import _line_bil_f
from rvubench.pricing.keys import _dense, _sorted_ids
from rvubench.pricing.rows import _row_lookup
from rvubench.pricing.settings import PricingSettings
from rvubench.pricing.state import KeyState, LineState, MpprState, RankedCodes


def _rankable(s: LineState, bit: int) -> np.ndarray:
    """Lines found, estimable, paid, of a positive amount and with MULT PROC 1-3 (``bit``
    1) or 4, 6, 7 (``bit`` 2): per key, then without the injections bundled by the T rule.
    """
    out = (s.rank_bits & bit).astype(bool)
    if s.t_bundled.any():
        out &= ~s.t_bundled
    return out


IMAGING_RULES = {  # MULT PROC indicator -> (TC reduction for 2nd+, PC reduction for 2nd+, name)
    "4": (5000, 500, "diagnostic imaging"),
    "6": (2500, 0, "diagnostic cardiovascular"),
    "7": (2000, 0, "diagnostic ophthalmology"),
}


def _rank_lines(
    g: np.ndarray, val: np.ndarray, tie: np.ndarray, units: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rank lines within groups by value (desc), ``tie`` ascending; a line with n units takes
    n ranks. Returns (first rank of each line, ranks in its group)."""
    gd = _dense(g - g.min(initial=0))[0]
    order = np.lexsort((tie, -val, gd))
    og, ou = gd[order], units[order]
    cum = np.cumsum(ou)
    gstart = np.r_[True, og[1:] != og[:-1]] if len(og) else np.zeros(0, dtype=bool)
    before = np.maximum.accumulate(np.where(gstart, cum - ou, 0)) if len(og) else cum
    start = np.empty(len(g), dtype="int64")
    start[order] = cum - before - ou + 1
    tot = np.bincount(gd, weights=units).astype("int64")[gd] if len(gd) else start
    return start, tot


def _imaging_mppr(s: LineState, k: KeyState, settings: PricingSettings) -> None:
    """Multiple-procedure reductions of diagnostic tests per provider and date of service
    (CMS MULT PROC indicators 4, 6, 7): the technical component of the 2nd and later
    procedures is reduced (50% imaging, 25% cardiovascular, 20% ophthalmology) and, for
    imaging, the professional component of the 2nd and later by 5%. A global line is split
    into its PC (the 26 row's amount) and TC (the rest)."""
    s.imaging_info = (np.zeros(s.n, dtype="int64"), [""])
    elig = _rankable(s, 2) & (s.endo_role == 0)
    idx = np.flatnonzero(elig)
    if len(idx) == 0:
        return
    g = s.rank_grp[idx].astype("int64") * 256 + s.mult[idx]
    gd = _dense(g)[0]
    keep = np.bincount(gd, weights=s.units[idx])[gd] > 1
    idx, g = idx[keep], g[keep]
    if len(idx) == 0:
        return
    kk = s.key_idx[idx]
    unit_b = s.unit_b[idx]
    pc = np.minimum(_pct(k.pc_unit[kk], _line_bil_f(s, k, idx)), unit_b)  # 0 for TC rows
    tc = unit_b - pc
    units = s.units[idx]
    tie = k.code_rank[kk]
    tc_red = np.select([s.mult[idx] == C(i) for i in "467"], [5000, 2500, 2000], 0)
    pc_red = np.where(s.mult[idx] == C("4"), 500, 0)
    has_tc, has_pc = tc > 0, pc > 0
    tc_start, tc_tot = _rank_lines(np.where(has_tc, g, -1), tc, tie, units)
    pc_start, pc_tot = _rank_lines(np.where(has_pc, g, -1), pc, tie, units)
    tc_keep = _ONE - tc_red
    pc_keep = _ONE - pc_red
    tc_first = np.where(has_tc & (tc_start > 1), _pct(tc, tc_keep), tc)
    pc_first = np.where(has_pc & (pc_start > 1), _pct(pc, pc_keep), pc)
    tc_other = np.where(has_tc, _pct(tc, tc_keep), tc)
    pc_other = np.where(has_pc, _pct(pc, pc_keep), pc)
    s.first_c[idx] = tc_first + pc_first
    s.other_c[idx] = tc_other + pc_other
    if settings.imaging_pc_reduction and s.medicare:
        w = s.work_b[idx]
        wf = np.where(has_pc & (pc_start > 1), w * pc_keep / _ONE, w)
        wo = np.where(has_pc, w * pc_keep / _ONE, w)
        n1 = s.n_first[idx]
        s.work_adj[idx] = wf * n1 + wo * (units - n1)
    # text: "multiple diagnostic imaging (ind 4): TC rank 2 of 3, 50% off; PC rank 2 of 2, 5% off"
    reduced_tc = has_tc & ((tc_start > 1) | (units > 1)) & (tc_tot > 1)
    reduced_pc = has_pc & (pc_red > 0) & ((pc_start > 1) | (units > 1)) & (pc_tot > 1)
    key = np.where(
        reduced_tc | reduced_pc,
        ((s.mult[idx] * 100 + np.minimum(tc_start, 99) * reduced_tc) * 100 + np.minimum(tc_tot, 99))
        * 100
        + np.minimum(pc_start, 99) * reduced_pc,
        0,
    )
    kc, ku = pd.factorize(key)
    labels = [""]
    for kv in ku:
        labels.append(_imaging_label(int(kv)))
    codes = np.zeros(s.n, dtype="int64")
    codes[idx] = kc + 1
    s.imaging_info = (codes, labels)


def _imaging_label(kv: int) -> str:
    if kv == 0:
        return ""
    rest, pc_start = divmod(kv, 100)
    rest, tc_tot = divmod(rest, 100)
    ind_code, tc_start = divmod(rest, 100)
    ind = chr(ind_code)
    tc_red, pc_red, name = IMAGING_RULES[ind]
    parts = []
    if tc_start:
        parts.append(
            f"TC rank {tc_start} of {tc_tot}"
            + (f", {tc_red // 100}% off" if tc_start > 1 else ", 100% then reduced")
        )
    if pc_start and pc_red:
        parts.append(
            f"PC rank {pc_start}"
            + (f", {pc_red // 100}% off" if pc_start > 1 else ", 100% then reduced")
        )
    return f"multiple {name} procedures (ind {ind}): " + "; ".join(parts)


def _component_units(k: KeyState) -> None:
    """Per key, the professional-component part of the per-unit amount: the whole amount of
    a 26 row, the 26 row's amount for a global row (capped at the global amount), 0 for TC."""
    d = k.rows
    if len(d.rows) == 0:
        k.pc_unit = np.zeros(k.n, dtype="int64")
        return
    p = np.where(k.p26 >= 0, k.p26, 0)
    pe = np.where(k.facility, d.num["pe_f"][p], d.num["pe_nf"][p])
    raw = (d.num["work_rvu"][p] * k.gw + pe * k.gpe + d.num["mp_rvu"][p] * k.gmp) * k.cf
    pc_row = (raw + 5_000_000) // 10_000_000
    k.pc_unit = np.select(
        [k.mod_row_code == 1, (k.mod_row_code == 0) & (k.p26 >= 0)],
        [k.unit, np.minimum(pc_row, k.unit)],
        0,
    )


def _base_units(fees, release_ids, rel_idx, codes, facility, gw, gpe, gmp, cf):
    """Per-unit cents and work x100 of each line's endoscopic base code (0 if absent)."""
    cidx, uniq = pd.factorize(pd.Series(codes, dtype=object).fillna(""))
    pos_by_mod, d = _row_lookup(fees, release_ids, rel_idx, cidx, uniq)
    p = pos_by_mod[""]
    ok = p >= 0
    pi = np.where(ok, p, 0)
    w = d.num["work_rvu"][pi]
    pe = np.where(facility, d.num["pe_f"][pi], d.num["pe_nf"][pi])
    mp = d.num["mp_rvu"][pi]
    cents = ((w * gw + pe * gpe + mp * gmp) * cf + 5_000_000) // 10_000_000
    return np.where(ok, cents, 0), np.where(ok, w, 0)


def _mppr(
    *,
    n,
    grp,
    eligible,
    mult,
    key_idx,
    eb_idx,
    code_idx,
    code_rank,
    all_codes,
    unit_b,
    units,
    work_b,
    base_lookup,
    secondary=None,
):
    """Endoscopy families and the surgical multiple-procedure ranking (CMS MULT PROC).

    Each line has a first-unit and an other-unit amount (cents) and work (x100, float), so
    that extra units of a ranked code rank as further procedures.

    Returns per line: first-unit cents, other-unit cents, number of first units (0/1),
    endoscopy role (0 none, 1 highest, 2 minus base, 3 base not paid), the endoscopy base
    text component (codes, base codes), the MPPR text component (codes, labels), and the
    credited work x100 for all units before the post-MPPR factors (medicare policy).
    ``secondary`` (None or a per-line mask): lines billed as a secondary procedure (51 on a
    log without patient ids), reduced even when ranked first in their group.
    """
    m = MpprState(
        first_c=unit_b.copy(),
        other_c=unit_b.copy(),
        n_first=np.minimum(units, 1),
        endo_role=np.zeros(n, dtype="int64"),
        eb_codes=np.zeros(n, dtype="int64"),
        eb_uniq=[],
        mppr_code=np.zeros(n, dtype="int64"),
        labels=[""],
    )
    m.w_first = work_b.copy()
    m.w_other = work_b.copy()
    idx = np.flatnonzero(eligible)
    if len(idx):
        # only provider/days with more than one ranked unit matter
        cnt = np.bincount(grp[idx], weights=units[idx])
        more = cnt[grp[idx]] > 1
        idx = idx[more | secondary[idx]] if secondary is not None else idx[more]
    if len(idx):
        kk = key_idx[idx]  # per-key code facts, for the ranked lines only
        sub = RankedCodes(eb=eb_idx[kk], code=code_idx[kk], rank=code_rank[kk])
        fam = _endoscopy(m, idx, grp, mult, sub, all_codes, unit_b, units, work_b, base_lookup)
        sec = secondary[idx] if secondary is not None else None
        _rank(m, idx, grp, fam, sub.rank, unit_b, work_b, units, sec)
    work_adj = m.w_first * m.n_first + m.w_other * (units - m.n_first)
    return (
        m.first_c,
        m.other_c,
        m.n_first,
        m.endo_role,
        (m.eb_codes, m.eb_uniq),
        (m.mppr_code, m.labels),
        work_adj,
    )


def _endoscopy(m, idx, grp, mult, sub, all_codes, unit_b, units, work_b, base_lookup):
    """Families = indicator-3 lines sharing an ENDO BASE plus that base code, per provider/day:
    the highest-valued member in full, others minus the base, the base itself not paid.

    Returns (in_family mask over ``idx``, family key over ``idx``, item value, item work).
    """
    g = grp[idx]
    m3 = mult[idx] == C("3")
    fam_code = np.where(m3, sub.eb, sub.code)
    fam_key = _dense(g.astype("int64") * (len(all_codes) + 1) + fam_code + 1)[0]
    has3 = np.bincount(fam_key, weights=m3.astype(float)) > 0
    in_fam = has3[fam_key]
    item_val = unit_b[idx].astype("int64")
    item_w = work_b[idx].copy()
    if not in_fam.any():
        return in_fam, fam_key, item_val, item_w
    fi = idx[in_fam]
    base = fam_code[in_fam]
    b_cents, b_work = base_lookup(fi, all_codes[base])
    is_base = sub.code[in_fam] == base
    fk = fam_key[in_fam]
    order = np.lexsort((sub.rank[in_fam], -work_b[fi], -unit_b[fi], fk))
    top = np.zeros(len(fi), dtype=bool)
    sk = fk[order]
    top[order[np.r_[True, sk[1:] != sk[:-1]]]] = True
    minus_c = np.maximum(unit_b[fi] - b_cents, 0)
    minus_w = np.maximum(work_b[fi] - b_work, 0)
    m.first_c[fi] = np.where(top, unit_b[fi], np.where(is_base, 0, minus_c))
    m.other_c[fi] = np.where(is_base & ~top, 0, minus_c)
    m.w_first[fi] = np.where(top, work_b[fi], np.where(is_base, 0, minus_w))
    m.w_other[fi] = np.where(is_base & ~top, 0, minus_w)
    m.endo_role[fi] = np.where(top, 1, np.where(is_base, 3, 2))
    ebc, eb_uniq = pd.factorize(base)
    m.eb_codes[fi] = ebc
    m.eb_uniq = [all_codes[b] for b in eb_uniq]
    more = units[fi] - 1
    fam_sum = np.bincount(fk, weights=m.first_c[fi] + m.other_c[fi] * more)
    fam_wsum = np.bincount(fk, weights=m.w_first[fi] + m.w_other[fi] * more)
    item_val[in_fam] = fam_sum[fk].astype("int64")
    item_w[in_fam] = fam_wsum[fk]
    return in_fam, fam_key, item_val, item_w


def _rank(m, idx, grp, fam, code_rank, unit_b, work_b, units, sec=None):  # over idx
    """Rank items per provider/day by amount (tie: work, then code): 100% then 50%; the
    ``sec`` lines (billed with 51, no patient ids) are 50% from their first unit."""
    in_fam, fam_key, item_val, item_w = fam
    g = grp[idx].astype("int64")
    k = len(idx)
    # one representative line per item: every solo line, the first line of each family
    rep_mask = ~in_fam
    if in_fam.any():
        fpos = np.flatnonzero(in_fam)
        _, first = np.unique(fam_key[fpos], return_index=True)
        rep_mask[fpos[first]] = True
    rep = np.flatnonzero(rep_mask)
    item_ranks = np.where(in_fam, 1, units[idx])
    # sort by group, amount desc, work desc, code: packed into two int64 keys
    val = np.minimum(item_val[rep], 2**40 - 1)
    wk = np.minimum(np.rint(item_w[rep] * 100).astype("int64"), 2**38 - 1)
    tie = (2**38 - 1 - wk) * 2**24 + np.minimum(code_rank[rep], 2**24 - 1)
    order = _lex_order(g[rep], val, tie)
    og = g[rep][order]
    orr = item_ranks[rep][order]
    ocum = np.cumsum(orr)
    gstart = np.r_[True, og[1:] != og[:-1]] if len(og) else np.zeros(0, dtype=bool)
    before = np.maximum.accumulate(np.where(gstart, ocum - orr, 0))
    start_rep = np.empty(len(rep), dtype="int64")
    start_rep[order] = ocum - before - orr + 1
    gtot = np.bincount(og, weights=orr)
    # map back to every line: solo lines are their own item; family lines share theirs
    line_start = np.zeros(k, dtype="int64")
    line_start[rep] = start_rep
    if in_fam.any():
        fam_start = np.zeros(int(fam_key.max()) + 1, dtype="int64")
        rep_fam = rep[in_fam[rep]]
        fam_start[fam_key[rep_fam]] = line_start[rep_fam]
        line_start = np.where(in_fam, fam_start[fam_key], line_start)
    line_tot = gtot[g].astype("int64")
    top = line_start == 1
    if sec is not None:
        top &= ~sec
    keep_other = in_fam & top  # a top family keeps its (already reduced) other units
    fc, oc = m.first_c[idx], m.other_c[idx]
    m.first_c[idx] = np.where(top, fc, _pct(fc, 5000))
    m.other_c[idx] = np.where(keep_other, oc, _pct(oc, 5000))
    wf, wo = m.w_first[idx], m.w_other[idx]
    m.w_first[idx] = np.where(top, wf, wf * 0.5)
    m.w_other[idx] = np.where(keep_other, wo, wo * 0.5)
    key = (
        np.minimum(line_start, 99) * 10_000
        + np.minimum(item_ranks, 99) * 100
        + np.minimum(line_tot, 99)
    )
    kc, ku = pd.factorize(key)
    for k in ku:
        s, rest = divmod(int(k), 10_000)
        nr, t = divmod(rest, 100)
        end = s + nr - 1
        ranks = f"rank {s}" if nr == 1 else f"ranks {s}-{end}"
        pct = "100%" if s == 1 and nr == 1 else ("50%" if s > 1 else "100% then 50%")
        by_report = "; 6th and later procedures priced by report (50% used)" if end >= 6 else ""
        m.labels.append(f"MPPR {ranks} of {t}: {pct}{by_report}")
    m.mppr_code[idx] = np.where(line_tot > 1, kc + 1, 0)
    if sec is not None and sec.any():
        m.labels.append(
            "billed as a multiple procedure (51), no patient or encounter id in "
            "the log: 50% (lines not ranked together)"
        )
        m.mppr_code[idx[sec]] = len(m.labels) - 1


def _lex_order(g: np.ndarray, val: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """``np.lexsort((tie, -val, g))``: by group, value descending, tie, then position.

    The ranks of the three keys and the position are packed into one unique integer when
    they fit, and sorted with a (much faster) unstable sort: unique keys need no stability.
    """
    n = len(g)
    if n == 0:
        return np.zeros(0, dtype="int64")
    gu, gi = _sorted_ids(g)
    vu, vi = _sorted_ids(val)
    tu, ti = _sorted_ids(tie)
    if len(gu) * len(vu) * len(tu) * n >= 2**62:
        return np.lexsort((tie, -val, g))
    key = ((gi.astype("int64") * len(vu) + (len(vu) - 1 - vi)) * len(tu) + ti) * n
    return np.argsort(key + np.arange(n, dtype="int64"))
