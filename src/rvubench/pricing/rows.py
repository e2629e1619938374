"""Fee-schedule release and row selection, status, setting and localities.

Per pricing key: the release in force on the date of service and the row (global, ``26``,
``TC`` or ``53``: PCTC indicator, modifiers 52/53) (:func:`_select_rows`); the CMS status
codes (A, R, T paid; N credited, paid 0; C left to the MAC, payment not estimable) per key
(:func:`_key_status`) and per line: the multiple-procedure groups and the T rule (paid only
when the provider has no other payable service that day) (:func:`_line_status`); facility
or non-facility setting from the place of service (CMS's facility list,
:data:`FACILITY_POS`); the locality GPCIs from the line's locality or ZIP, else the run's
(:func:`_select_localities`); and the per-unit payment in exact integer cents with the OPPS
cap for imaging TC/global rows (:func:`_unit_cents`).
"""

from __future__ import annotations

import re
import weakref
from typing import Any

import numpy as np
import pandas as pd

from rvubench.errors import UnknownLocalityError
from rvubench.feeschedule.cms import resolve_zip
from rvubench.pricing.arith import C, _i100, _i1000, _isin
from rvubench.pricing.keys import _dense, _factorized, _patient_or_encounter
from rvubench.pricing.modifiers import _modifier_flags
from rvubench.pricing.settings import PricingSettings
from rvubench.pricing.state import KeyState, LineState, RowData

# Place-of-service codes paid at the facility rate (CMS's facility list); others non-facility.
FACILITY_POS = frozenset(
    {"02", "19", "21", "22", "23", "24", "26", "31", "34", "41", "42", "51", "52", "53", "56", "61"}
)
PAYABLE_STATUSES = frozenset({"A", "R", "T"})
STATUS_TEXT = {
    "A": "active",
    "B": "bundled",
    "C": "contractor priced",
    "D": "deleted code",
    "E": "excluded from the fee schedule",
    "F": "deleted code",
    "G": "not valid for Medicare",
    "H": "deleted modifier",
    "I": "not valid for Medicare",
    "J": "anesthesia",
    "M": "measurement code",
    "N": "non-covered by Medicare",
    "P": "bundled/excluded",
    "R": "restricted coverage",
    "T": "injection",
    "X": "statutory exclusion",
}


_ROW_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _row_data(fees, release_ids: list[str]) -> RowData:
    """The rows of the releases used, concatenated, with their per-row arrays (integer
    RVUs x100, indicator codes, texts) and hcpcs -> row maps; cached per fee-schedule set."""
    per_fees = _ROW_CACHE.setdefault(fees, {})
    key = tuple(release_ids)
    if key in per_fees:
        return per_fees[key]
    frames = [fees.release(rid).rows for rid in release_ids]
    rows = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["hcpcs", "mod"])
    )
    d = RowData(rows=rows, maps=[])
    offset = 0
    for fr in frames:
        pos = np.arange(offset, offset + len(fr), dtype="int64")
        mods = fr["mod"].to_numpy(dtype=object)
        hcpcs = fr["hcpcs"].to_numpy(dtype=object)
        maps = {}
        for m in ("", "26", "TC", "53"):
            sel = mods == m
            ser = pd.Series(pos[sel], index=pd.Index(hcpcs[sel], dtype=object))
            maps[m] = ser[~ser.index.duplicated()]
        d.maps.append(maps)
        offset += len(fr)
    n = len(rows)
    d.num = {}
    for name in (
        "work_rvu",
        "pe_nf",
        "pe_f",
        "mp_rvu",
        "opps_pe_nf",
        "opps_pe_f",
        "opps_mp",
        "pre_op",
        "intra_op",
        "post_op",
    ):
        d.num[name] = (
            _i100(rows[name].to_numpy(dtype="float64", na_value=0.0))
            if name in rows
            else np.zeros(n, dtype="int64")
        )
    d.flag = {
        name: (
            rows[name].to_numpy(dtype=bool, na_value=False)
            if name in rows
            else np.zeros(n, dtype=bool)
        )
        for name in ("nf_na", "f_na")
    }
    d.char = {
        name: _char_col(rows, name)[:n] if n else np.zeros(0, dtype="int64")
        for name in ("status", "mult_proc", "bilat", "asst", "co_surg", "team_surg")
    }
    d.text = {
        name: (
            rows[name].fillna("").astype(str).to_numpy(dtype=object)
            if name in rows
            else np.full(n, "", dtype=object)
        )
        for name in ("status", "description", "global_days", "endo_base")
    }
    d.work_rvu = rows["work_rvu"].to_numpy(dtype="float64") if n else np.zeros(0)
    per_fees[key] = d
    return d


def _row_lookup(
    fees, release_ids: list[str], rel_idx: np.ndarray, code_idx: np.ndarray, uniq_codes
) -> tuple[dict[str, np.ndarray], RowData]:
    """Global row positions per line for the ``""``, ``26``, ``TC`` and ``53`` rows (-1 = none)
    and the row data of the releases used."""
    d = _row_data(fees, release_ids)
    table = np.full((len(release_ids), 4, len(uniq_codes)), -1, dtype="int64")
    uidx = pd.Index(uniq_codes, dtype=object)
    for ri, maps in enumerate(d.maps):
        for mi, m in enumerate(("", "26", "TC", "53")):
            table[ri, mi] = maps[m].reindex(uidx).fillna(-1).to_numpy(dtype="int64")
    flat = table.ravel()
    u = len(uniq_codes)
    base = rel_idx.astype("int64") * (4 * u) + code_idx
    out = {m: flat[base + mi * u] for mi, m in enumerate(("", "26", "TC", "53"))}
    return out, d


def _resolve_run_locality(settings: PricingSettings) -> tuple[str, str]:
    """The run-wide locality (``--zip`` wins over ``--locality``) and a ZIP note."""
    if settings.zip_code:
        res = resolve_zip(settings.zip_code)
        return res.locality, res.note
    loc = (settings.locality or "national").strip()
    return ("national" if loc.lower() == "national" else loc), ""


def _key_status(k: KeyState) -> None:
    """Status codes (CMS status codes), per pricing key."""
    found, st = k.found, k.st
    k.est = found & (st != C("C"))  # payment estimable (False -> NA)
    k.est &= ~(found & (st == C("R")) & (k.work100 + k.pe100 + k.mp100 == 0))
    k.pay_zero = found & ~_isin(st, "ART") & (st != C("C"))
    k.credit_ok = found & _isin(st, "ARTN")


def _line_status(s: LineState, lines: pd.DataFrame, settings: PricingSettings, k: KeyState) -> None:
    """Provider/day(/patient) groups, and the T rule: paid only when the provider has no
    other payable (A/R) service that day (for that patient, when the log identifies one).

    ``s.rank_grp`` groups the lines ranked together for multiple procedures: per patient
    (else encounter) and day when the log has ids. Without ids (``settings.without_ids``
    "as-billed") no two lines are ranked together, as they may be different patients: each
    line is its own group (its own units still rank) and a line carrying 51 is reduced as a
    secondary procedure (``s.billed51``); "day-as-patient" ranks a clinician's day together.
    """
    prov_idx, prov_u = s.encoded["provider_id"].result()
    day = np.where(s.d_idx >= 0, s.d_idx, s.n_dates)  # missing dates share one id
    grp = prov_idx.astype("int64") * (s.n_dates + 1) + day
    who = _patient_or_encounter(lines)
    if who is not None:  # Medicare ranks per patient and day: split provider/days by patient
        # one int64 key per (group, patient) pair, numbered in order of first appearance as
        # factorizing the pairs themselves would (a MultiIndex of them took 2-5 s per 1M lines)
        g, _ = _dense(grp)  # any one-to-one numbering: only the pairs' equality counts
        w, n_who = who
        grp, _ = pd.factorize(g.astype("int64") * max(n_who, 1) + w)
    elif len(prov_u) * (s.n_dates + 1) > 20_000_000:  # keep bincount arrays small
        grp, _ = pd.factorize(grp)
    s.grp = grp
    s.as_billed = who is None and settings.without_ids == "as-billed"
    s.rank_grp = np.arange(s.n, dtype="int64") if s.as_billed else grp
    s.billed51 = k.mf["51"][s.key_idx] if s.as_billed else None
    s.is_t = is_t = s.found & (s.st == C("T"))
    if not is_t.any():  # no injection line: nothing to bundle
        s.t_bundled = np.zeros(s.n, dtype=bool)
        return
    ngrp = int(grp.max(initial=-1)) + 1
    other_pay = s.found & _isin(s.st, "AR") & s.unit_pos & s.est
    has_other = np.bincount(grp[other_pay], minlength=ngrp) > 0
    s.t_bundled = is_t & has_other[grp]
    s.pay_zero = s.pay_zero | s.t_bundled
    s.credit_ok = s.credit_ok & ~s.t_bundled


def _select_rows(s: KeyState, lines: pd.DataFrame, fees) -> None:
    """The fee-schedule row per line (PCTC indicator; modifiers 52/53) and its attributes."""
    s.code_idx, uniq = _factorized(lines, "hcpcs")
    s.uniq_codes = np.asarray(uniq, dtype=object)
    _, mf = _modifier_flags(_factorized(lines, "modifiers"))
    s.mf_any = mf.pop("any")
    s.mf = mf
    pos_by_mod, d = _row_lookup(fees, s.release_ids, s.rel_idx, s.code_idx, s.uniq_codes)
    s.rows = d
    p_blank, s.p26, ptc, p53 = (pos_by_mod[m] for m in ("", "26", "TC", "53"))
    s.want26 = mf["26"]
    s.wanttc = mf["TC"] & ~s.want26
    use26 = s.want26 & (s.p26 >= 0)
    usetc = s.wanttc & (ptc >= 0)
    use53 = mf["53"] & ~s.want26 & ~s.wanttc & (p53 >= 0)
    row = np.where(use26, s.p26, np.where(usetc, ptc, np.where(use53, p53, p_blank)))
    s.mod_row_code = np.select([use26, usetc, use53], [1, 2, 3], 0)  # "", 26, TC, 53
    s.bad_pctc = (s.want26 & (s.p26 < 0)) | (s.wanttc & (ptc < 0))
    s.both_pctc = mf["26"] & mf["TC"]
    s.found = s.usable & (row >= 0)
    s.only26 = s.usable & (row < 0) & (s.p26 >= 0)  # e.g. 86153 billed without 26
    s.unknown = s.usable & (row < 0) & ~s.only26
    rowi = np.where(s.found, row, 0)
    s.rowi = rowi

    s.st = np.where(s.found, d.char["status"][rowi], 0) if len(d.rows) else np.zeros(s.n, "int64")
    s.work100 = np.where(s.found, d.num["work_rvu"][rowi], 0) if len(d.rows) else s.st * 0
    for name, src in (
        ("pe_nf100", "pe_nf"),
        ("pe_f100", "pe_f"),
        ("mp100", "mp_rvu"),
        ("o_nf100", "opps_pe_nf"),
        ("o_f100", "opps_pe_f"),
        ("o_mp100", "opps_mp"),
        ("pre", "pre_op"),
        ("intra", "intra_op"),
        ("post", "post_op"),
    ):
        setattr(s, name, d.num[src][rowi] if len(d.rows) else s.st * 0)
    s.nf_na = d.flag["nf_na"][rowi] if len(d.rows) else s.st > 0
    s.f_na = d.flag["f_na"][rowi] if len(d.rows) else s.st > 0
    for name in ("mult_proc", "bilat", "asst", "co_surg", "team_surg"):
        setattr(s, name, d.char[name][rowi] if len(d.rows) else s.st * 0)
    s.mult = s.mult_proc
    # endoscopic base codes as indexes into all_codes (the line codes, then other bases)
    # only the few rows with an ENDO BASE are looked at
    eb_pos = np.flatnonzero(d.text["endo_base"] != "")
    eb = pd.Series(d.text["endo_base"][eb_pos], dtype=object)
    extra = pd.Index(eb.unique(), dtype=object).difference(pd.Index(s.uniq_codes, dtype=object))
    all_codes = pd.Index(s.uniq_codes, dtype=object).append(pd.Index(extra, dtype=object))
    row_eb = np.full(len(d.rows), -1, dtype="int64")
    row_eb[eb_pos] = all_codes.get_indexer(eb)
    s.eb_idx = np.where(s.found, row_eb[rowi], -1) if len(d.rows) else np.full(s.n, -1)
    s.all_codes = np.asarray(all_codes, dtype=object)
    rank = np.empty(len(s.all_codes), dtype="int64")
    rank[np.argsort(s.all_codes.astype(str), kind="stable")] = np.arange(len(s.all_codes))
    s.code_rank = rank[s.code_idx] if len(rank) else np.zeros(s.n, dtype="int64")


def _general_note(note: str) -> str:
    """A coverage note without its date, so that it is one text per release and case (the
    line's own date of service is beside it)."""
    return re.sub(r"\bDOS \d{4}-\d{2}-\d{2}", "this date of service", note)


def _char_col(rows: pd.DataFrame, name: str) -> np.ndarray:
    """A one-character indicator column as integer codes per fee-schedule row (ord; 0 = "")."""
    if name not in rows.columns:
        return np.zeros(max(len(rows), 1), dtype="int64")
    codes, uniq = pd.factorize(rows[name].fillna("").astype(str))
    table = np.array([ord(u[0]) if u else 0 for u in uniq] + [0], dtype="int64")
    return table[codes]


def _text_col(rows: pd.DataFrame, name: str, rowi: np.ndarray) -> np.ndarray:
    if name not in rows.columns:
        return np.full(len(rowi), "", dtype=object)
    return rows[name].fillna("").astype(str).to_numpy(dtype=object)[rowi]


def _select_setting(s: KeyState, lines: pd.DataFrame, settings: PricingSettings) -> None:
    """Facility or non-facility from the POS (CMS place-of-service facility list); missing POS -> default."""
    s.pos_idx, raw = _factorized(lines, "pos")
    s.pos_uniq = [p or settings.default_pos for p in raw]  # "" -> --default-pos
    s.pos_was_empty = [not p for p in raw]
    fac_u = np.array([p in FACILITY_POS for p in s.pos_uniq] + [False], dtype=bool)
    s.facility = fac_u[s.pos_idx]
    s.na_setting = s.found & np.where(s.facility, s.f_na, s.nf_na) & _isin(s.st, "ARTN")


def _select_localities(s: KeyState, lines: pd.DataFrame, fees, settings: PricingSettings) -> None:
    """GPCIs per line: line ``locality``, else line ``zip``, else the run option (5.3)."""
    run_loc, run_zip_note = _resolve_run_locality(settings)
    for y in sorted(set(s.rel_year[: len(s.release_ids)].tolist())):
        if run_loc != "national" and run_loc not in fees.gpci(y).index:
            raise UnknownLocalityError(
                f"locality {run_loc!r} is not a CMS payment locality in {y}; write MAC-LL "
                "(e.g. 10112-00 Alabama, 01182-18 Los Angeles) or 'national'"
            )
    n = s.n
    lk_idx: np.ndarray
    lk_uniq: Any  # the distinct locality keys (list or array)
    l_idx, l_u = _factorized(lines, "locality")
    z_idx, z_u = _factorized(lines, "zip")
    if n == 0:
        lk_idx, lk_uniq = np.zeros(0, dtype="int64"), []
    elif len(l_u) == 1 and len(z_u) == 1:  # one locality/ZIP value: key = release
        lk_idx, lk_uniq = (
            pd.factorize(s.rel_idx) if len(s.release_ids) > 1 else (np.zeros(n, dtype="int64"), [0])
        )
    else:
        lkey = (l_idx * (len(z_u) + 1) + z_idx) * (len(s.release_ids) + 1) + s.rel_idx
        lk_idx, lk_uniq = pd.factorize(lkey)
    rep = np.zeros(len(lk_uniq), dtype="int64")
    rep[lk_idx[::-1]] = np.arange(n - 1, -1, -1)
    info = [
        _one_locality(
            l_u[l_idx[r0]],
            z_u[z_idx[r0]],
            int(s.rel_year[s.rel_idx[r0]]),
            fees,
            run_loc,
            run_zip_note,
        )
        for r0 in rep
    ]
    g = np.array([i[:3] for i in info], dtype="int64").reshape(-1, 3)
    s.gw, s.gpe, s.gmp = (g[:, k][lk_idx] for k in range(3))
    s.lk_idx = lk_idx
    s.loc_names = [i[3] for i in info]
    note_code, note_labels = pd.factorize(np.array([i[4] for i in info] + [""], dtype=object))
    s.loc_note_code = note_code[lk_idx]
    s.loc_note_labels = list(note_labels)
    s.loc_err = np.array([i[5] for i in info] + [""], dtype=object)[lk_idx]
    s.loc_errcol = np.array([i[6] for i in info] + [""], dtype=object)[lk_idx]
    s.usable_before_loc = s.usable.copy()
    bad = s.usable & (s.loc_err != "")
    if bad.any():  # the line is rejected; the message names its file, row and column
        s.usable = s.usable & ~bad
        s.found &= s.usable
        s.unknown &= s.usable
        s.only26 &= s.usable
    s.cf = s.rel_cf[s.rel_idx]


def _one_locality(lv: str, zv: str, year: int, fees, run_loc: str, run_note: str) -> tuple:
    """(gpci_w, gpci_pe, gpci_mp x1000, locality, note, error, error column) for one key."""
    note, colname = "", "locality"
    if lv:
        loc = "national" if lv.lower() == "national" else lv
    elif zv:
        colname = "zip"
        try:
            res = resolve_zip(zv)
        except UnknownLocalityError as exc:
            return 1000, 1000, 1000, "", "", str(exc), "zip"
        loc, note = res.locality, res.note
    else:
        loc, note = run_loc, run_note
    if loc == "national":
        return 1000, 1000, 1000, loc, note, "", ""
    g = fees.gpci(year)
    if loc not in g.index:
        return (
            1000,
            1000,
            1000,
            "",
            "",
            f"{loc!r} is not a CMS payment locality in {year}; write MAC-LL, e.g. 01182-18",
            colname,
        )
    rec = g.loc[loc]
    return (
        _i1000(rec["gpci_work"]).item(),
        _i1000(rec["gpci_pe"]).item(),
        _i1000(rec["gpci_mp"]).item(),
        loc,
        note,
        "",
        "",
    )


def _unit_cents(s: KeyState) -> None:
    """Per-unit amount in exact integers (1e-9 dollars), rounded once to cents; OPPS cap."""
    s.pe100 = np.where(s.facility, s.pe_f100, s.pe_nf100)
    raw = (s.work100 * s.gw + s.pe100 * s.gpe + s.mp100 * s.gmp) * s.cf
    unit = (raw + 5_000_000) // 10_000_000
    ope100 = np.where(s.facility, s.o_f100, s.o_nf100)
    has_opps = s.found & ((ope100 > 0) | (s.o_mp100 > 0)) & (s.mod_row_code != 1)
    oraw = (s.work100 * s.gw + ope100 * s.gpe + s.o_mp100 * s.gmp) * s.cf
    ounit = (oraw + 5_000_000) // 10_000_000
    s.opps_capped = has_opps & (ounit < unit)
    s.unit = np.where(s.found, np.where(s.opps_capped, ounit, unit), 0)
