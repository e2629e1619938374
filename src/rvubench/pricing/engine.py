"""Price clean log lines on the CMS Physician Fee Schedule and credit work RVUs.

One vectorized pass over the clean-line frame (docs/ARCHITECTURE.md section 3):

1. select the fee-schedule release per date of service and the row per line (global,
   ``26``, ``TC`` or ``53``: PCTC indicator, modifiers 52/53);
2. status handling (CMS status codes), setting from POS (facility list), locality GPCIs;
3. per-unit payment in exact integer arithmetic: RVUs x100, GPCIs x1000, CF x10000, then
   one ROUND_HALF_UP to cents, OPPS cap for imaging TC/global rows;
4. bilateral (BILAT SURG), endoscopy families and the multiple-procedure ranking per
   patient and date of service (MULT PROC; no ids: as billed, only 51 lines reduced), then
   assistant / co-surgeon / team / split-care / 52 / 53, each percentage applied to rounded
   cents and rounded again; units last;
5. wRVU credit per the ``medicare`` or ``full-credit`` policy, never geographically
   adjusted. ``full-credit`` = work x units without the payment-policy reductions (MPPR,
   endoscopy family, imaging; a bilateral item both sides in full: indicator 1 200%,
   0/2 100%, 3 200%) while the modifiers meaning part of the work keep their share
   (80-82 16%, AS 13.6%, 62 62.5%, 54/55/56/78, 52, 53): never less than ``medicare``.

Surgical-team indicators (RVU25D.pdf ASST SURG, CO SURG, TEAM SURG): a modifier the
indicator says may not be paid (80/81/82/AS on ASST SURG 1 "Assistant at surgery may not be
paid" or 9 "Concept does not apply"; 62 on CO SURG 0 "Co-surgeons not permitted" or 9; 66 on
TEAM SURG 0 "Team surgeons not permitted" or 9) is paid 0.00 and, under ``medicare``,
credited 0 wRVU (outcome "zero", the reason names the field and indicator); ``full-credit``
keeps the modifier's share. ASST SURG 0 and CO SURG 1 ("documentation ... medical
necessity") are priced and flagged. TEAM SURG 1 and 2 say "pay by report": the MAC prices
the line, so the payment is not estimable and the code's full wRVU is credited (as for any
66 line before, and as status C lines are left to the MAC), ind 1 flagged for documentation.

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

Readable ``adjustments`` and ``reason`` texts are built once per distinct combination of
what was applied, not once per line, so a million lines price in well under a second.
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rvubench.atomic import atomic_path
from rvubench.errors import UnknownLocalityError
from rvubench.feeschedule.cms import load_fee_schedules, resolve_zip
from rvubench.ingest.log import read_log, require_data_rows
from rvubench.pricing.csv_writer import write_frame_csv
from rvubench.pricing.settings import WITHOUT_IDS, PricingSettings
from rvubench.pricing.state import (
    BilateralPairs,
    BilateralUnits,
    KeyState,
    KeyValues,
    LineState,
    ModifierRules,
    MpprState,
    RankedCodes,
    RowData,
)
from rvubench.pricing.summary import accounting, accounting_line
from rvubench.textsafe import neutralize_formula_array

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
ASSISTANT_MODS = ("80", "81", "82", "AS")
SPLIT_MODS = ("54", "55", "56", "78")

# Columns of the priced frame, in CSV order: the documented columns (README, ``price``) first, then the extras.
PRICED_COLUMNS = (
    "source_file",
    "source_row",
    "provider_id",
    "date_of_service",
    "hcpcs",
    "modifiers",
    "units",
    "pos",
    "setting",
    "locality",
    "fee_schedule_release",
    "status",
    "work_rvu",
    "wrvu_credit",
    "payment",
    "adjustments",
    "priced",
    "reason",
    "provider_name",
    "zip",
    "is_duplicate",
    "rvu_year",
    "mod_row",
    "description",
    "category",
    "global_days",
    "payment_cents",
    "conversion_factor",
    "gpci_work",
    "gpci_pe",
    "gpci_mp",
    "outcome",
    "reject_kind",
)

# Keyed hashes of patient / encounter ids (ingest): carried through the priced frame for
# grouping, never written by any output (priced_csv_frame drops them; reports list columns).
GROUPING_COLUMNS = ("patient_key", "encounter_key")

_ONE = 10_000  # percentage factors are integers per 10,000 (100% = 10,000)

CATEGORIES = (
    "Evaluation and Management",
    "Anesthesia",
    "Surgery",
    "Radiology",
    "Pathology and Laboratory",
    "Medicine",
    "Category II",
    "Category III",
    "HCPCS Level II",
    "Other",
)


def category_of(hcpcs: str) -> str:
    """The code's category as ``rvubench lookup`` names it."""
    c = str(hcpcs).strip().upper()
    if len(c) != 5:
        return "Other"
    if c[:4].isdigit():
        if c.isdigit():
            n = int(c)
            if 99202 <= n <= 99499:
                return "Evaluation and Management"
            if 100 <= n <= 1999:
                return "Anesthesia"
            if 10004 <= n <= 69990:
                return "Surgery"
            if 70010 <= n <= 79999:
                return "Radiology"
            if 80047 <= n <= 89398:
                return "Pathology and Laboratory"
            if 90281 <= n <= 99199 or 99500 <= n <= 99607:
                return "Medicine"
            return "Other"
        return {"U": "Pathology and Laboratory", "F": "Category II", "T": "Category III"}.get(
            c[4], "Other"
        )
    if "A" <= c[0] <= "V" and c[1:].isdigit():
        return "HCPCS Level II"
    return "Other"


def _pct(cents: np.ndarray, factor: np.ndarray | int) -> np.ndarray:
    """``cents x factor / 10000`` rounded half up (cents and factors are non-negative)."""
    return (cents * factor + _ONE // 2) // _ONE


def _i100(x: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(x, dtype="float64") * 100).astype("int64")


def _i1000(x: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(x, dtype="float64") * 1000).astype("int64")


@dataclass
class _Texts:
    """Builds a per-line text from small integer component codes, once per combination.

    A component is either full (one code per line) or sparse (codes for the lines ``idx``,
    0 elsewhere), so rare adjustments cost nothing on the other lines.
    """

    n: int
    parts: list[tuple[np.ndarray | None, np.ndarray, list[str]]] = field(default_factory=list)

    def add(self, codes: np.ndarray, labels: Sequence[str], idx: np.ndarray | None = None) -> None:
        """Add a component: ``labels[code]`` is its text ("" for nothing)."""
        self.parts.append((idx, np.asarray(codes, dtype="int64"), list(labels)))

    def add_flag(self, mask: np.ndarray, text: str, idx: np.ndarray | None = None) -> None:
        self.add(np.asarray(mask, dtype="int64"), ["", text], idx)

    def build(self) -> np.ndarray:
        """An object array of "; "-joined texts, one per line."""
        ids, texts = self.build_ids()
        return texts[ids]

    def build_ids(self) -> tuple[np.ndarray, np.ndarray]:
        """(text id per line, the distinct texts as an object array)."""
        key = np.zeros(self.n, dtype="int64")
        used = 0
        for idx, codes, labels in self.parts:
            bits = max(1, (len(labels) - 1).bit_length())
            if used + bits > 62:
                key = pd.factorize(key)[0].astype("int64")
                used = max(1, int(key.max(initial=0)).bit_length())
            if idx is None:
                key = (key << bits) | codes
            else:
                key <<= bits
                key[idx] |= codes
            used += bits
        ids, uniq = pd.factorize(key)
        first = np.zeros(len(uniq), dtype="int64")
        first[ids[::-1]] = np.arange(self.n - 1, -1, -1)
        cols = []
        for idx, codes, _ in self.parts:
            if idx is None:
                cols.append(codes[first])
            elif len(idx) == 0:
                cols.append(np.zeros(len(first), dtype="int64"))
            else:
                pos = np.minimum(np.searchsorted(idx, first), len(idx) - 1)
                cols.append(np.where(idx[pos] == first, codes[pos], 0))
        matrix = np.stack(cols, axis=1).tolist()
        labs = [lab for _, _, lab in self.parts]
        texts = [
            "; ".join([lab[c] for lab, c in zip(labs, row, strict=True) if c and lab[c]])
            for row in matrix
        ]
        return ids, np.asarray(texts, dtype=object)


# --------------------------------------------------------------------------- helpers


def _factorized(lines: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray]:
    """(codes, stripped labels) of a text column; reuses the key step's factorization when
    ``lines`` is the frame of pricing keys (``attrs["codes"]``)."""
    pre = lines.attrs.get("codes", {})
    if col in pre:
        codes, labels = pre[col]
    elif col in lines:
        codes, labels = pd.factorize(_text(lines[col]))
    else:
        codes, labels = np.zeros(len(lines), dtype="int64"), np.array([""], dtype=object)
    return codes, np.asarray([str(v).strip() for v in labels], dtype=object)


def _modifier_flags(mods) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per line: a flag array for every modifier that changes pricing (``mods`` is a Series
    or a (codes, labels) pair)."""
    codes, uniq = pd.factorize(_text(mods)) if isinstance(mods, pd.Series) else mods
    sets = [frozenset(m.strip().upper() for m in str(u).split(",") if m.strip()) for u in uniq]
    names = (
        "26",
        "TC",
        "53",
        "50",
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
        "51",
    )
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


# --------------------------------------------------------------------------- the engine


def price_lines(lines: pd.DataFrame, fees, settings: PricingSettings | None = None) -> pd.DataFrame:
    """Price clean lines (ingest's ``IngestResult.lines``) on the CMS fee schedule.

    Everything that depends only on a line's pricing key (release, code, modifiers, POS,
    locality/ZIP) is computed once per distinct key; only units, the T-status rule and the
    multiple-procedure ranking (per patient, else encounter, and date of service; without
    ids as billed, see ``PricingSettings.without_ids``) work line by line.

    Args:
        lines: clean lines, ARCHITECTURE.md section 2 columns, in input order.
        fees: a ``FeeScheduleSet`` (``rvubench.feeschedule.cms.load_fee_schedules()``).
        settings: locality, policy, QP, default POS, ``rvu_year`` and modifier factors.

    Returns:
        One row per input line, same order: ARCHITECTURE.md section 3 columns.

    Raises:
        UnknownLocalityError: the run-wide ``--locality``/``--zip`` is not a CMS locality.
    """
    settings = settings or PricingSettings()
    lines = lines.reset_index(drop=True)
    if "zero_reason" in lines.columns:
        netted = _text(lines["zero_reason"]).to_numpy() != ""
        if netted.any():
            return _with_line_notes(lines, _price_with_netted(lines, netted, fees, settings))
    return _with_line_notes(lines, _price_all(lines, fees, settings))


def _with_line_notes(lines: pd.DataFrame, priced: pd.DataFrame) -> pd.DataFrame:
    """Append ingest's per-line notes (e.g. units reduced by a netted reversal)."""
    if "line_note" not in lines.columns:
        return priced
    note = _text(lines["line_note"]).to_numpy()
    has = note != ""
    if has.any():
        adj = priced["adjustments"].astype(object).to_numpy(copy=True)
        adj[has] = [f"{a}; {n}" if a else n for a, n in zip(adj[has], note[has], strict=True)]
        priced["adjustments"] = adj
    return priced


def _price_with_netted(
    lines: pd.DataFrame, netted: np.ndarray, fees, settings: PricingSettings
) -> pd.DataFrame:
    """Lines netted by ``--net-reversals`` (a reversal and the charges it cancels) are
    credited zero with their reason; they take no part in ranking the other lines."""
    rest = _price_all(lines.loc[~netted], fees, settings)
    side_lines = lines.loc[netted].copy()
    side_lines["units"] = 1  # priced for the record (release, status), then zeroed
    side = _price_all(side_lines, fees, settings)
    side["units"] = lines.loc[netted, "units"].to_numpy()
    side["wrvu_credit"] = 0.0
    side["payment_cents"] = pd.array([0] * len(side), dtype="Int64")
    side["payment"] = 0.0
    side["outcome"] = "zero"
    side["priced"] = False
    side["reason"] = _text(lines.loc[netted, "zero_reason"]).to_numpy()
    side["adjustments"] = ("netted reversal: " + side["reason"].astype(str)).to_numpy()
    out = pd.concat([rest.set_axis(np.flatnonzero(~netted)), side.set_axis(np.flatnonzero(netted))])
    return out.sort_index().reset_index(drop=True)


def _price_all(lines: pd.DataFrame, fees, settings: PricingSettings) -> pd.DataFrame:
    lines = lines.reset_index(drop=True)
    encoded = _encode_columns(lines)  # hashing runs while the dates are resolved
    s = _start(lines, fees, settings)
    s.encoded = encoded
    key_idx, kv, keys = _pricing_keys(lines, s)
    k = KeyState(
        n=len(kv.usable),
        usable=kv.usable,
        rel_idx=kv.rel_idx,
        release_ids=s.release_ids,
        rel_year=s.rel_year,
        rel_cf=s.rel_cf,
        note_idx=kv.note_idx,
        note_uniq=s.note_uniq,
    )
    _select_rows(k, keys, fees)
    _select_setting(k, keys, settings)
    _select_localities(k, keys, fees, settings)
    _unit_cents(k)
    _component_units(k)
    _key_status(k)
    _modifier_rules(k, settings)
    _pair_keys(k)
    _units2_keys(k)
    _not_payable_credit(k, settings)
    _expand(s, k, key_idx, lines)
    _line_status(s, lines, settings, k)
    _bilateral_pairs(s, k, lines)
    _bilateral_units(s, k)
    s.medicare = settings.policy == "medicare"
    res = _mppr(
        n=s.n,
        grp=s.rank_grp,
        secondary=s.billed51,
        eligible=_rankable(s, 1),
        mult=s.mult,
        key_idx=key_idx,
        eb_idx=k.eb_idx,
        code_idx=k.code_idx,
        code_rank=k.code_rank,
        all_codes=k.all_codes,
        unit_b=s.unit_b,
        units=s.units,
        work_b=s.work_b,
        base_lookup=lambda li, codes: _base_units(
            fees,
            s.release_ids,
            s.rel_idx[li],
            codes,
            *(getattr(k, a)[key_idx[li]] for a in ("facility", "gw", "gpe", "gmp", "cf")),
        ),
    )
    (s.first_c, s.other_c, s.n_first, s.endo_role, s.endo_base_idx, s.mppr_info, s.work_adj) = res
    _imaging_mppr(s, k, settings)
    _payment_and_credit(s, k, settings)
    reason = _reasons(s, k)
    if s.pair is not None:
        reason[s.pair.partner] = s.pair.reason
    adjustments = _adjustment_texts(s, k, settings)
    if s.u2 is not None:
        s.units[s.u2.lines] = 2  # priced as one unit; the output keeps the input's 2
    return _assemble(s, k, lines, adjustments, reason)


def _text(col: pd.Series) -> pd.Series:
    """A text column without missing values (no copy when there are none)."""
    if col.dtype == object or col.hasnans:
        return col.fillna("").astype(str)
    return col


def _dense(key: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense ids 0..k-1 for non-negative integer keys (ordered by key): a lookup table when
    the key range is small (much faster than hashing), else ``pd.factorize``."""
    ids, uniq = _dense_values(key)
    return ids, len(uniq)


def _dense_values(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_dense` ids and the key value of each id (``uniq[ids] == key``)."""
    if len(key) == 0:
        return key.astype("int64"), key.astype("int64")
    top = int(key.max())
    if int(key.min()) >= 0 and top < 16_000_000:
        present = np.zeros(top + 1, dtype=bool)
        present[key] = True
        uniq = np.flatnonzero(present)  # the keys present, ascending
        # only the entries of the keys present are written (no pass over the whole range)
        table = np.empty(top + 1, dtype="int32")
        table[uniq] = np.arange(len(uniq), dtype="int32")
        return table[key].astype("int64"), uniq.astype("int64")
    codes, uniq = pd.factorize(key)
    return codes.astype("int64"), np.asarray(uniq, dtype="int64")


# Above this range of combined key values, the key is made dense before the next column
# is combined into it (a lookup table of this size stays in the CPU cache).
_KEY_RANGE = 2_000_000


def _arrow_text(col: pd.Series):
    """The column as one pyarrow string array without nulls, or None (not arrow-backed)."""
    try:
        import pyarrow as pa

        if not hasattr(col.array, "__arrow_array__"):
            return None
        arr = pa.array(col.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if arr.null_count or not (
            pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
        ):
            return None
        return arr
    except Exception:  # noqa: BLE001 - anything unusual: the generic path
        return None


def _all_blank(col: pd.Series) -> bool:
    """Every value of a text column is missing or "" (read from the string lengths)."""
    import pyarrow.compute as pc

    arr = _arrow_text(col)
    if arr is None:
        return not (_text(col) != "").any()
    return len(arr) == 0 or pc.max(pc.binary_length(arr)).as_py() == 0


def _two_digit_codes(col: pd.Series) -> np.ndarray | None:
    """POS codes 0-99 of a column of two-digit codes and "" (100), read straight from the
    string bytes; None when any value is something else."""
    arr = _arrow_text(col)
    if arr is None or len(arr) == 0:
        return None
    off_type = "int64" if arr.type.equals(__import__("pyarrow").large_string()) else "int32"
    bufs = arr.buffers()
    offs = np.frombuffer(bufs[1], dtype=off_type)[arr.offset : arr.offset + len(arr) + 1]
    data = (
        np.frombuffer(bufs[2], dtype=np.uint8)
        if bufs[2] is not None
        else np.zeros(0, dtype=np.uint8)
    )
    start = offs[:-1].astype("int64")
    length = np.diff(offs)
    two = length == 2
    if not (two | (length == 0)).all():
        return None
    if len(data) == 0:
        return np.full(len(arr), 100, dtype="int64")
    last = len(data) - 1
    b0 = data[np.minimum(start, last)].astype("int64") - 48
    b1 = data[np.minimum(start + 1, last)].astype("int64") - 48
    ok = (b0 >= 0) & (b0 <= 9) & (b1 >= 0) & (b1 <= 9)
    if not (ok | ~two).all():
        return None
    return np.where(two, b0 * 10 + b1, 100)


def _small_codes(col: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes of a text column; two-digit POS codes are parsed, not hashed."""
    nums = _two_digit_codes(col)
    if nums is not None:
        return nums, 101
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(col.array)
        arr = pc.if_else(pc.equal(arr, ""), "100", arr)
        nums = pc.cast(arr, pa.int16()).to_numpy(zero_copy_only=False)
        if (nums >= 0).all() and (nums <= 100).all():
            return nums.astype("int64"), 101
    except Exception:  # noqa: BLE001 - anything unusual: hash it instead
        pass
    codes, uniq = pd.factorize(col, use_na_sentinel=False)
    return codes.astype("int64"), len(uniq)


def _pricing_keys(lines: pd.DataFrame, s: LineState) -> tuple[np.ndarray, KeyValues, pd.DataFrame]:
    """A key id per line for (release, coverage note, code, modifiers, POS, locality, ZIP,
    usable), the release, note and usable flag of each key, and the key columns as a small
    frame (their per-key codes in ``attrs["codes"]``).

    The key is a mixed-radix integer, made dense whenever its range grows large; the
    per-key values are decoded from the dense key values (no gather from the lines).
    """
    n_note = len(s.note_uniq)
    key = s.rel_idx.astype("int64")
    if n_note > 1:  # the coverage note (per date of service) is part of the key
        key = key * n_note + s.note_idx
    parts: dict[str, tuple[np.ndarray | None, np.ndarray]] = {}
    steps: list[tuple[str, int] | np.ndarray] = []  # (column, radix) or the dense key values
    for col in ("hcpcs", "modifiers", "pos", "locality", "zip"):
        if col not in s.encoded:
            continue  # not in the log, or (locality, ZIP) blank on every line
        codes, labels = s.encoded[col].result()
        size = len(labels)
        parts[col] = (None, labels)
        if size > 1:
            if (int(key.max(initial=0)) + 1) * (size + 1) * 2 > _KEY_RANGE:
                key, values = _dense_values(key)  # keep the range small: lookup tables in cache
                steps.append(values)
            key = key * (size + 1) + codes
            steps.append((col, size + 1))
    key_idx, vals = _dense_values(key * 2 + s.usable)
    nkeys = len(vals)
    kv = KeyValues(usable=(vals & 1).astype(bool))
    vals = vals >> 1
    per_key: dict[str, np.ndarray] = {}
    for step in reversed(steps):
        if isinstance(step, tuple):
            vals, per_key[step[0]] = np.divmod(vals, step[1])
        else:
            vals = step[vals]
    kv.rel_idx, kv.note_idx = (
        np.divmod(vals, n_note) if n_note > 1 else (vals, np.zeros(nkeys, dtype="int64"))
    )
    keys = pd.DataFrame(index=pd.RangeIndex(nkeys))
    keys.attrs["codes"] = {
        col: (per_key.get(col, np.zeros(nkeys, dtype="int64")), labels)
        for col, (_, labels) in parts.items()
    }
    return key_idx, kv, keys


def _encode_columns(lines: pd.DataFrame) -> dict[str, Future]:
    """(codes, labels) of the text columns that key the pricing, and of ``provider_id``,
    as futures (``.result()``).

    Each column is hashed once. Hashing a text column is the costliest step of pricing and
    pyarrow does it without holding the GIL, so large logs hash two columns at a time, in
    the background while the engine goes on.
    """

    def pos_codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        codes, size = _small_codes(col)
        if size == 101:
            return codes, np.array([f"{i:02d}" for i in range(100)] + [""], dtype=object)
        codes, labels = pd.factorize(col, use_na_sentinel=False)  # POS not two digits
        return codes, np.asarray(labels, dtype=object)

    def text_codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        codes, labels = pd.factorize(col)
        return codes, np.asarray(labels, dtype=object)

    jobs = {}
    for col in ("hcpcs", "modifiers", "pos", "provider_id", "locality", "zip"):
        if col not in lines:
            continue
        if col in ("locality", "zip") and _all_blank(lines[col]):
            continue  # the usual case: no per-line locality or ZIP column
        jobs[col] = (pos_codes if col == "pos" else text_codes, _text(lines[col]))
    if len(lines) < _THREADED_LINES or (os.cpu_count() or 1) < 2:
        done: dict[str, Future] = {}
        for col, (fn, arg) in jobs.items():
            done[col] = Future()
            done[col].set_result(fn(arg))
        return done
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="rvubench-hash")
    try:
        return {col: pool.submit(fn, arg) for col, (fn, arg) in jobs.items()}
    finally:
        pool.shutdown(wait=False)  # the workers finish the jobs, then exit


# Logs of at least this many lines hash their text columns on two threads.
_THREADED_LINES = 200_000


def _key_status(k: KeyState) -> None:
    """Status codes (CMS status codes), per pricing key."""
    found, st = k.found, k.st
    k.est = found & (st != C("C"))  # payment estimable (False -> NA)
    k.est &= ~(found & (st == C("R")) & (k.work100 + k.pe100 + k.mp100 == 0))
    k.pay_zero = found & ~_isin(st, "ART") & (st != C("C"))
    k.credit_ok = found & _isin(st, "ARTN")


def _expand(s: LineState, k: KeyState, key_idx: np.ndarray, lines: pd.DataFrame) -> None:
    """Line-level arrays from the per-key results; bad per-line localities reject lines."""
    s.key_idx = key_idx
    bad_k = k.usable_before_loc & ~k.usable
    if bad_k.any():
        bad = np.flatnonzero(bad_k[key_idx])
        sf = lines["source_file"].astype(str).to_numpy(dtype=object)[bad]
        sr = lines["source_row"].astype(str).to_numpy(dtype=object)[bad]
        kk = key_idx[bad]
        for i, f, r, kk_i in zip(bad, sf, sr, kk, strict=True):
            s.reject_extra[int(i)] = f"{f}, row {r}, column {k.loc_errcol[kk_i]}: {k.loc_err[kk_i]}"
        s.usable = s.usable & ~bad_k[key_idx]
    # one gather for the small per-key values: status and MULT PROC codes and five flags,
    # as the 8 bytes of one uint64 per key; the flags are (strided) views of those bytes
    # (the last byte: may the key's lines be ranked as surgery (bit 0) or as diagnostic
    # tests (bit 1), the T rule coming later per line; bit 2: pricing modifier)
    rankable = k.found & k.est & ~k.pay_zero & (k.unit_b > 0)
    rank_bits = (rankable & _isin(k.mult, "123")).astype(np.uint8) | (
        (rankable & _isin(k.mult, "467")).astype(np.uint8) << 1
    )
    rank_bits[k.sub] |= 4  # (bit 2: the key carries a pricing modifier, see _modifier_rules)
    rank_bits[k.pair_cand] |= 8  # (bit 3: an RT or LT line that may pair, see _pair_keys)
    small = np.zeros((k.n, 8), dtype=np.uint8)
    for j, v in enumerate(
        (k.st & 0xFF, k.mult & 0xFF, k.found, k.est, k.pay_zero, k.credit_ok, k.unit > 0, rank_bits)
    ):
        small[:, j] = v
    line = small.view(np.uint64).reshape(-1)[key_idx].view(np.uint8).reshape(-1, 8)
    s.st = line[:, 0].astype("int64")
    s.mult = line[:, 1].astype("int64")
    s.found = line[:, 2].view(bool) & s.usable
    s.est = line[:, 3].view(bool)
    s.pay_zero = line[:, 4].view(bool)
    s.credit_ok = line[:, 5].view(bool)
    s.unit_pos = line[:, 6].view(bool)
    s.rank_bits = line[:, 7]
    s.unit_b = k.unit_b[key_idx]
    s.work100 = k.work100[key_idx]
    s.work_b = (k.work100 * k.bil_f / _ONE)[key_idx]  # bilateral-adjusted work x100
    s.wfac = k.wfac[key_idx]
    s.uniq_codes = k.uniq_codes


def _rankable(s: LineState, bit: int) -> np.ndarray:
    """Lines found, estimable, paid, of a positive amount and with MULT PROC 1-3 (``bit``
    1) or 4, 6, 7 (``bit`` 2): per key, then without the injections bundled by the T rule.
    """
    out = (s.rank_bits & bit).astype(bool)
    if s.t_bundled.any():
        out &= ~s.t_bundled
    return out


def _patient_or_encounter(lines: pd.DataFrame) -> np.ndarray | None:
    """Per line, the hashed patient key, else the hashed encounter key (ingest), else None.

    Without either, ``PricingSettings.without_ids`` decides (see :func:`_line_status`)."""
    keys = None
    for col in ("encounter_key", "patient_key"):  # patient wins where both are present
        if col in lines.columns:
            v = _text(lines[col]).to_numpy()
            if (v != "").any():
                keys = v if keys is None else np.where(v != "", v, keys)
    return keys


# A priced-frame column (in memory only, batch runs): each line's wRVU credit under the other
# ``without_ids`` rule, for a log without patient or encounter ids (see other_reading).
OTHER_READING_COLUMN = "wrvu_credit_other_reading"


def other_reading(lines: pd.DataFrame, fees, settings: PricingSettings) -> pd.DataFrame | None:
    """The lines priced under the other ``without_ids`` rule (as billed <-> each day one
    patient), or None when the log has a patient or encounter id (the rule does not apply).
    """
    import dataclasses

    if id_column_used(lines):
        return None
    rule = next(r for r in WITHOUT_IDS if r != settings.without_ids)
    return price_lines(lines, fees, dataclasses.replace(settings, without_ids=rule))


def id_column_used(lines: pd.DataFrame) -> str:
    """Which id groups multiple procedures: "patient", "encounter", or "" (none: the log is
    priced by ``PricingSettings.without_ids``)."""
    for col, name in (("patient_key", "patient"), ("encounter_key", "encounter")):
        if col in lines.columns and (_text(lines[col]) != "").any():
            return name
    return ""


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
        g, _ = pd.factorize(grp)
        w, w_u = pd.factorize(who)
        grp, _ = pd.factorize(g.astype("int64") * max(len(w_u), 1) + w)
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


def _start(lines: pd.DataFrame, fees, settings: PricingSettings) -> LineState:
    """Usable rows, units, codes and the release of every line."""
    s = LineState(n=len(lines))
    s.reject_ser = _text(lines["reject_reason"])
    s.reject_extra = {}  # line -> rejection found here (bad per-line locality/ZIP)
    arr = _arrow_text(s.reject_ser)
    if arr is not None:  # "" = not rejected, read from the string lengths
        import pyarrow.compute as pc

        s.usable = pc.binary_length(arr).to_numpy(zero_copy_only=False) == 0
    else:
        s.usable = (s.reject_ser == "").to_numpy(dtype=bool)
    units_col = lines["units"]
    units = (units_col.fillna(0) if units_col.hasnans else units_col).to_numpy(dtype="int64")
    s.units = np.where(s.usable, np.maximum(units, 1), units)
    s.dates = lines["date_of_service"]
    # one release per distinct date (a log has a few hundred dates, not a million)
    dates = s.dates if s.dates.dtype == "datetime64[ns]" else pd.to_datetime(s.dates)
    d_idx, d_uniq = pd.factorize(dates)
    rel_ser, note_ser = fees.release_for_dates(pd.Series(d_uniq), rvu_year=settings.rvu_year)
    latest = fees.releases[-1].release_id
    rel_u = np.asarray([*rel_ser.astype(str), latest], dtype=object)
    note_u = np.asarray([_general_note(t) for t in note_ser.astype(str)] + [""], dtype=object)
    rel_idx, release_ids = pd.factorize(rel_u)
    s.rel_idx = rel_idx[d_idx]
    s.release_ids = list(release_ids)
    n_idx, s.note_uniq = pd.factorize(note_u)
    s.note_idx = n_idx[d_idx]
    s.d_idx, s.n_dates = d_idx, len(d_uniq)
    s.rel_year = np.array([fees.release(r).year for r in s.release_ids] + [0], dtype="int64")
    s.rel_cf = np.array(
        [int(fees.conversion_factor(r, settings.qp) * 10000) for r in s.release_ids] + [0],
        dtype="int64",
    )
    return s


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


def C(ch: str) -> int:  # noqa: N802 - reads like a character literal
    """The integer code of an indicator character (see :func:`_char_col`)."""
    return ord(ch)


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
    for code, (ind, (fac, _text)) in enumerate(_BILATERAL_RULES.items(), start=1):
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


def _payment_and_credit(s: LineState, k: KeyState, settings: PricingSettings) -> None:
    """Line payment (post-MPPR factors on rounded cents, units last) and wRVU credit."""
    lsub = np.flatnonzero(s.rank_bits & 4)  # lines of the keys with a pricing modifier
    pos_in_sub = np.full(k.n, -1, dtype="int64")
    pos_in_sub[k.sub] = np.arange(len(k.sub))
    ksub = pos_in_sub[s.key_idx[lsub]]  # each such line's position in the key subset
    steps = [(mask[ksub], np.broadcast_to(fac, mask.shape)[ksub]) for mask, fac in k.post_f]

    def apply_post(c: np.ndarray) -> np.ndarray:  # in place: c is not used afterwards
        cs = c[lsub]
        for mask, fac in steps:
            cs = np.where(mask, _pct(cs, fac), cs)
        c[lsub] = cs
        return c

    pay = apply_post(s.first_c) * s.n_first + apply_post(s.other_c) * (s.units - s.n_first)
    s.pay_cents = np.where(s.pay_zero | ~s.found, 0, pay)
    s.pay_na = (s.found & ~s.est) | ~s.found  # unknown code, rejected, or not estimable
    if s.pair is not None:
        s.pay_na[s.pair.partner] = False  # paid on the pair's other line: 0.00
    if s.medicare:
        w = s.work_adj * s.wfac / 100.0
    else:  # full-credit: no payment-policy reduction, the share of the work done kept
        s.work_full = s.work100 * s.units * _full_bilateral(_line_bil_f(s, k, np.arange(s.n)))
        w = s.work_full * s.wfac / 100.0
    w = np.where(s.credit_ok, np.round(w, 4), 0.0)
    s.wcredit = np.where(w == 0, 0.0, w)  # no negative zero
    s.priced = s.usable & ((s.wcredit > 0) | (~s.pay_na & (s.pay_cents > 0)))
    s.rejected = ~s.usable
    s.zero = s.usable & ~s.priced


def _static_texts(
    k: KeyState, settings: PricingSettings
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Per pricing key, the adjustment texts that do not depend on the provider/day: the
    part before the multiple-procedure texts and the part after them."""
    usable, found, st = k.usable, k.found, k.st
    a = _Texts(k.n)
    a.add(
        np.where(usable, k.mod_row_code, 0),
        [
            "",
            "26 row (professional component)",
            "TC row (technical component)",
            "53 row (discontinued procedure)",
        ],
    )
    a.add_flag(usable & k.bad_pctc, "invalid PC/TC modifier: no 26/TC row, global row used")
    a.add_flag(usable & k.both_pctc, "both 26 and TC billed: 26 row used")
    set_labels = [""]
    for p, empty in zip(k.pos_uniq, k.pos_was_empty, strict=True):
        kind = "facility" if p in FACILITY_POS else "non-facility"
        set_labels.append(
            f"{kind} rate (no POS: default {p})" if empty else f"{kind} rate (POS {p})"
        )
    a.add(np.where(usable, k.pos_idx + 1, 0), set_labels)
    a.add(
        np.where(k.na_setting, np.where(k.facility, 1, 2), 0),
        [
            "",
            "facility rate flagged NA for this code (rarely performed there)",
            "non-facility rate flagged NA for this code (rarely performed there)",
        ],
    )
    a.add(np.where(usable, k.loc_note_code + 1, 0), ["", *k.loc_note_labels])
    a.add_flag(k.opps_capped & usable, "OPPS cap (imaging technical component): OPPS amount used")
    a.add(
        np.select([found & (st == C("R")), found & (st == C("N")) & k.credit_ok], [1, 2], 0),
        [
            "",
            "restricted coverage (status R): covered only under special instructions",
            "non-covered by Medicare (status N): payment 0, wRVU credited",
        ],
    )
    sub, m = k.sub, k.mod
    a.add(
        m.bil_code,
        [
            "",
            *(f"bilateral (ind {i}): {text}" for i, (_f, text) in _BILATERAL_RULES.items()),
            "modifier 50 not applicable to this code (bilateral ind 9): 100%",
        ],
        idx=sub,
    )
    b = _Texts(k.n)
    b.add(
        m.asst_code,
        [
            "",
            "assistant at surgery (80): 16%",
            "assistant at surgery (81): 16%",
            "assistant at surgery (82): 16%",
            "non-physician assistant at surgery (AS): 13.6%",
        ],
        idx=sub,
    )
    b.add(
        m.asst_ind,
        [
            "",
            "assistant: documentation of medical necessity required (ASST SURG ind 0)",
            "assistant at surgery may not be paid for this code (ASST SURG ind 1): payment 0",
            "assistant at surgery concept does not apply to this code (ASST SURG ind 9): payment 0",
        ],
        idx=sub,
    )
    b.add_flag(m.is62, "co-surgeon (62): 62.5%", idx=sub)
    b.add(
        m.co_ind,
        [
            "",
            "co-surgeons not permitted for this code (CO SURG ind 0): payment 0",
            "co-surgeons: documentation of medical necessity required (CO SURG ind 1)",
            "co-surgery concept does not apply to this code (CO SURG ind 9): payment 0",
        ],
        idx=sub,
    )
    b.add(
        m.team_ind,
        [
            "",
            "team surgery (66) not permitted for this code (TEAM SURG ind 0): payment 0",
            "team surgery (66): documentation of medical necessity required, priced "
            "by report (TEAM SURG ind 1): payment not estimable, full wRVU",
            "team surgery (66): priced by report (TEAM SURG ind 2): payment not "
            "estimable, full wRVU",
            "team surgery concept does not apply to this code (TEAM SURG ind 9): payment 0",
        ],
        idx=sub,
    )
    _split_texts(b, k)
    b.add_flag(
        m.is52, f"reduced service (52): x{settings.mod52_factor:.2f}; the MAC may reduce", idx=sub
    )
    b.add_flag(
        m.no53row,
        "discontinued (53): no CMS 53 row, MAC priced; payment not "
        f"estimable, wRVU x{settings.mod53_factor:.2f}",
        idx=sub,
    )
    b.add_flag(m.is22, "increased service (22): 100%, subject to MAC review", idx=sub)
    b.add(np.where(usable, k.note_idx + 1, 0), ["", *k.note_uniq])
    return a.build_ids(), b.build_ids()


def _endoscopy_labels(bases) -> list[str]:
    """Labels of the endoscopy roles (code ``base index * 3 + role``, 0: none)."""
    labels = [""]
    for base in bases:
        labels += [
            f"endoscopy family {base}: highest valued, 100%",
            f"endoscopy family {base}: paid minus base {base}",
            f"endoscopy base {base} not paid separately with a family member",
        ]
    return labels


def _full_credit_texts(s: LineState, k: KeyState) -> list[tuple[np.ndarray, list[str]]]:
    """Under a full-credit policy (not Medicare crediting), the lines whose wRVU credit
    differs from what Medicare's payment rules would give: (codes per line, labels)."""
    if s.medicare:
        return []
    not_payable = (k.asst_pay0 | k.co0 | k.team0)[s.key_idx] & s.credit_ok
    return [
        (
            np.select(
                [s.found & (np.abs(s.work_adj - s.work_full) > 1e-9), not_payable], [1, 2], 0
            ),
            [
                "",
                "full-credit policy: wRVU without multiple-procedure, endoscopy or "
                "bilateral payment reductions",
                "full-credit policy: the modifier's share of the work credited though "
                "Medicare does not pay it",
            ],
        )
    ]


def _has_line_texts(s: LineState, components, none: np.ndarray) -> np.ndarray:
    """Lines with any line-specific text: a component code > 0, or an RT+LT pair or a
    2-unit bilateral line (those two are sparse: only their lines are listed)."""
    any_dyn = np.zeros(s.n, dtype=bool)
    for codes, _ in components:
        if codes is not none:
            any_dyn |= np.asarray(codes) > 0
    if s.pair is not None:  # the RT+LT pair texts (sparse: only the pairs' lines)
        any_dyn[s.pair.lines] = True
    if s.u2 is not None:  # the 2-unit bilateral texts (sparse: only those lines)
        any_dyn[s.u2.lines] = True
    return any_dyn


def _adjustment_texts(s: LineState, k: KeyState, settings: PricingSettings) -> np.ndarray:
    """The readable ``adjustments`` text per line (built once per distinct combination).

    The per-key texts are taken as they are for lines with nothing line-specific (T rule,
    endoscopy, ranking, coverage note); only the other lines combine texts.
    """
    (a_ids, a_texts), (b_ids, b_texts) = _static_texts(k, settings)
    eb_codes, eb_uniq = s.endo_base_idx
    endo_labels = _endoscopy_labels(eb_uniq)
    none = np.zeros(s.n, dtype="int64")  # (a component that no line has: not scanned)
    has_t, has_endo = bool(s.is_t.any()), bool(len(eb_uniq))
    dynamic = [
        (
            s.is_t & ~s.t_bundled if has_t else none,
            ["", "injection (status T): paid as the only service that day"],
        ),
        (
            np.where(s.endo_role > 0, eb_codes * 3 + s.endo_role, 0) if has_endo else none,
            endo_labels,
        ),
        s.mppr_info,
        s.imaging_info,
    ]
    tail = _full_credit_texts(s, k)
    any_dyn = _has_line_texts(s, [*dynamic, *tail], none)
    # per key: the joined static text, built once per distinct (a, b) pair
    pair, _ = _dense(a_ids.astype("int64") * (len(b_texts) + 1) + b_ids)
    first = np.zeros(int(pair.max(initial=-1)) + 1, dtype="int64")
    first[pair[::-1]] = np.arange(len(pair) - 1, -1, -1)
    whole = np.asarray(
        ["; ".join(t for t in (a_texts[a_ids[i]], b_texts[b_ids[i]]) if t) for i in first] + [""],
        dtype=object,
    )
    # a categorical: one code per line into the distinct texts (no 1M string objects)
    texts = whole
    dyn_codes = None
    d = np.flatnonzero(any_dyn)
    if len(d):
        kd = s.key_idx[d]
        tx = _Texts(len(d))
        tx.add(a_ids[kd] + 1, ["", *a_texts])
        if s.pair is not None:
            tx.add(s.pair.adj, s.pair.labels, idx=np.searchsorted(d, s.pair.lines))
        if s.u2 is not None:
            tx.add(s.u2.adj, s.u2.labels, idx=np.searchsorted(d, s.u2.lines))
        for c, labels in dynamic:
            tx.add(np.asarray(c, dtype="int64")[d], labels)
        tx.add(b_ids[kd] + 1, ["", *b_texts])
        for c, labels in tail:
            tx.add(np.asarray(c, dtype="int64")[d], labels)
        dyn_ids, dyn_texts = tx.build_ids()
        dyn_codes = np.where(s.usable[d], dyn_ids + len(texts), len(whole) - 1)
        texts = np.concatenate([texts, np.asarray(dyn_texts, dtype=object)])
    remap, uniq = pd.factorize(texts)
    size = len(uniq)
    kind = "int8" if size < 127 else "int16" if size < 32767 else "int32"
    # per key: the final categorical code ("" for rejected keys), then one take per line
    key_codes = (
        remap[np.where(k.usable, pair, len(whole) - 1)].astype(kind)
        if len(pair)
        else (np.zeros(0, dtype=kind))
    )
    codes = key_codes[s.key_idx] if len(pair) else np.full(s.n, remap[len(whole) - 1], kind)
    if dyn_codes is not None:
        codes[d] = remap[dyn_codes]
    # pandas-stubs want an Index of categories; pandas takes any array-like
    return pd.Categorical.from_codes(codes, uniq, validate=False)  # type: ignore[call-overload]


def _split_texts(tx: _Texts, s: KeyState) -> None:
    m = s.mod
    key = np.where(m.split_ok, m.split_code * 101 + np.clip(m.split_pct, 0, 100), 0)
    k_idx, k_uniq = pd.factorize(key)
    # code 0 means "no text" to _Texts: the factorized codes are shifted by one, so that
    # the first line's split (label 0 of the factorization) is not taken for "none"
    labels = [""]
    for k in k_uniq:
        c, p = divmod(int(k), 101)
        what = {
            1: "surgical care only (54): pre-op + intra-op",
            2: "post-op care only (55)",
            3: "pre-op care only (56)",
            4: "return to OR (78): intra-op",
        }.get(c)
        labels.append(f"{what} {p}%" if what else "")
    tx.add(k_idx + 1, labels, idx=s.sub)
    tx.add(
        np.where(m.split_missing, m.split_code, 0),
        [
            "",
            *[
                f"modifier {mod}: the fee schedule has no pre/intra/post-op split for this "
                "code; payment not estimable, full wRVU credited"
                for mod in SPLIT_MODS
            ],
        ],
        idx=s.sub,
    )


def _key_codes(codes: np.ndarray, labels) -> tuple[np.ndarray, np.ndarray]:
    """(categorical code of each ``labels[codes]`` in its final small integer type, the
    distinct labels): labels may repeat (e.g. "" twice), they are made distinct first."""
    remap, uniq = pd.factorize(np.asarray(labels, dtype=object))
    size = len(uniq)
    kind = "int8" if size < 127 else "int16" if size < 32767 else "int32"
    return remap[np.asarray(codes)].astype(kind), uniq


def _categorical(codes: np.ndarray, labels, take: np.ndarray) -> pd.Series:
    """A categorical Series of ``labels[codes[take]]`` (``codes`` are small per-key codes,
    so each line costs one take)."""
    final, uniq = _key_codes(codes, labels)
    return pd.Series(
        pd.Categorical.from_codes(  # type: ignore[call-overload]  # as above
            final[take], uniq, validate=False
        )
    )


def _key_text_columns(s: LineState, k: KeyState) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each text column as (final small-integer categorical code per key, distinct labels);
    "" where the key is rejected (or, for the fee schedule row's texts, has no row)."""
    usable, found = k.usable, k.found
    d = k.rows

    # each text column as a small label list plus a per-key code; each line then takes the
    # final categorical code (int8/int16) of its key: one small take per column
    cols: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def coded(name: str, mask: np.ndarray, codes: np.ndarray, labels) -> None:
        lab = np.asarray([*labels, ""], dtype=object)
        cols[name] = (np.where(mask, codes, len(lab) - 1).astype("int64"), lab)

    def dedup(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        c, u = pd.factorize(np.asarray(values, dtype=object))
        return c, np.asarray(u, dtype=object)

    coded("setting", usable, np.where(k.facility, 0, 1), ["facility", "non-facility"])
    lc, lu = dedup(np.asarray([*k.loc_names, ""], dtype=object))
    coded("locality", usable, lc[k.lk_idx], lu)
    coded("fee_schedule_release", usable, k.rel_idx, s.release_ids)
    for name in ("status", "description", "global_days"):
        labels = d.text[name]
        if len(labels):
            c, u = dedup(labels)
            coded(name, found, c[k.rowi], u)
        else:
            coded(name, found, np.zeros(k.n, dtype="int64"), [""])
    coded("mod_row", found, k.mod_row_code, ["", "26", "TC", "53"])
    cc, cu = dedup(np.asarray([category_of(c) for c in k.uniq_codes] + [""], dtype=object))
    coded("category", usable, cc[k.code_idx], cu)
    return {name: _key_codes(codes, lab) for name, (codes, lab) in cols.items()}


def _put_text_columns(
    out: dict[str, Any],
    finals: dict[str, tuple[np.ndarray, np.ndarray]],
    n_keys: int,
    ki: np.ndarray,
) -> None:
    """Each line's categorical of its key's code, for every text column."""
    # categorical: codes + labels, no per-line string objects (the labels include "");
    # columns of fewer than 127 labels share one 8-byte gather per line (a byte each)
    small = [name for name, (fc, _) in finals.items() if fc.dtype == np.int8]
    for start in range(0, len(small), 8):
        names = small[start : start + 8]
        packed = np.zeros((n_keys, 8), dtype=np.int8)
        for j, name in enumerate(names):
            packed[:, j] = finals[name][0]
        line = packed.view(np.uint64).reshape(-1)[ki].view(np.int8).reshape(-1, 8)
        for j, name in enumerate(names):
            # pandas-stubs want an Index of categories; pandas takes any array-like
            out[name] = pd.Series(
                pd.Categorical.from_codes(  # type: ignore[call-overload]
                    np.ascontiguousarray(line[:, j]), finals[name][1], validate=False
                )
            )
    for name, (fc, uniq) in finals.items():
        if name not in small:
            out[name] = pd.Series(
                pd.Categorical.from_codes(  # type: ignore[call-overload]
                    fc[ki], uniq, validate=False
                )
            )


def _put_locality_values(out: dict[str, Any], k: KeyState, ki: np.ndarray) -> None:
    """CF and GPCIs per line (NaN for rejected lines)."""
    # CF and GPCIs depend on the locality key only (it includes the release): a small table
    # per locality key (NaN row last, for rejected keys), one take per line
    nlk = int(k.lk_idx.max(initial=-1)) + 1
    lk_line = np.where(k.usable, k.lk_idx, nlk)[ki]
    for name, src, scale in (
        ("conversion_factor", "cf", 10000.0),
        ("gpci_work", "gw", 1000.0),
        ("gpci_pe", "gpe", 1000.0),
        ("gpci_mp", "gmp", 1000.0),
    ):
        table = np.full(nlk + 1, np.nan)
        table[k.lk_idx] = getattr(k, src) / scale
        out[name] = table[lk_line]


def _assemble(
    s: LineState, k: KeyState, lines: pd.DataFrame, adjustments: np.ndarray, reason: np.ndarray
) -> pd.DataFrame:
    ki = s.key_idx
    out: dict[str, Any] = {
        c: lines[c]
        for c in (
            "source_file",
            "source_row",
            "provider_id",
            "date_of_service",
            "hcpcs",
            "modifiers",
            "pos",
            "provider_name",
            "zip",
            "is_duplicate",
            "reject_kind",
        )
        if c in lines
    }
    out["units"] = pd.Series(s.units)
    # per-key values ("" / NaN where the key is rejected or has no row), one take per column
    _put_text_columns(out, _key_text_columns(s, k), k.n, ki)
    year = s.rel_year[s.rel_idx]
    out["rvu_year"] = pd.arrays.IntegerArray(year, ~s.usable)
    out["work_rvu"] = np.where(k.found, k.work100 / 100.0, np.nan)[ki]
    out["wrvu_credit"] = np.where(s.usable, s.wcredit, 0.0)
    out["payment_cents"] = pd.arrays.IntegerArray(
        np.where(s.pay_na, 0, s.pay_cents), s.pay_na.copy()
    )
    out["payment"] = np.where(s.pay_na, np.nan, s.pay_cents / 100.0)
    _put_locality_values(out, k, ki)
    out["adjustments"] = pd.Series(adjustments, copy=False)
    outcome = np.where(s.rejected, np.int8(0), np.where(s.priced, np.int8(1), np.int8(2)))
    out["outcome"] = _categorical(np.arange(3), ["rejected", "priced", "zero", ""], outcome)
    out["priced"] = s.priced
    out["reason"] = pd.Series(reason, dtype=object, copy=False)
    present = [c for c in PRICED_COLUMNS if c in out]
    frame = pd.DataFrame({c: out[c] for c in present}, copy=False)
    for g in GROUPING_COLUMNS:  # in memory only, for the global-period review
        if g in lines.columns:
            frame[g] = lines[g].to_numpy()
    return frame


def _isin(codes: np.ndarray, chars: str) -> np.ndarray:
    """``codes`` (from :func:`_char_col`) is one of ``chars``."""
    out = np.zeros(codes.shape, dtype=bool)
    for ch in chars:
        out |= codes == ord(ch)
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


def _sorted_ids(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(x, return_inverse=True)``; a lookup table for small non-negative ints."""
    x = np.asarray(x, dtype="int64")
    if len(x) and int(x.min()) >= 0 and int(x.max()) < 16_000_000:
        ids, uniq = _dense_values(x)
        return uniq, ids
    return np.unique(x, return_inverse=True)


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


def _reasons(s: LineState, k: KeyState) -> np.ndarray:
    """Why a line was credited zero / not priced / rejected ("" when priced).

    The text is built once per distinct (code, release, situation), not once per line.
    """
    reason = np.empty(s.n, dtype=object)
    reason.fill("")  # (much faster than np.full for an object array)
    rej = np.flatnonzero(s.rejected)
    if len(rej):
        reason[rej] = s.reject_ser.iloc[rej].to_numpy(dtype=object)
    for i, text in s.reject_extra.items():
        reason[i] = text
    idx = np.flatnonzero(s.zero)
    if len(idx) == 0:
        return reason
    kk = s.key_idx[idx]
    st = s.st[idx]
    kind = np.select(
        [
            k.unknown[kk],
            k.only26[kk],
            st == C("C"),
            st == C("J"),
            s.t_bundled[idx],
            ~_isin(st, "ARTN"),
            s.endo_role[idx] == 3,
            k.asst_pay0[kk],
            k.co0[kk],
            k.team0[kk],
        ],
        list(range(1, 11)),
        0,
    )
    key = kk.astype("int64") * 16 + kind
    k_idx, k_uniq = pd.factorize(key)
    first = np.zeros(len(k_uniq), dtype="int64")
    first[k_idx[::-1]] = np.arange(len(idx) - 1, -1, -1)
    texts = np.array([_reason_text(s, k, int(idx[j]), int(kind[j])) for j in first], dtype=object)
    reason[idx] = texts[k_idx]
    return reason


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


def _reason_text(s: LineState, k: KeyState, i: int, kind: int) -> str:
    kk = s.key_idx[i]
    code = k.uniq_codes[k.code_idx[kk]]
    rel = s.release_ids[s.rel_idx[i]]
    st = chr(s.st[i]) if s.st[i] else ""
    if kind == 3:
        r = f"contractor priced (status C): {code} payment not estimable, 0 wRVU credited"
        p26 = k.p26[kk]
        w26 = float(k.rows.work_rvu[p26]) if p26 >= 0 else 0.0
        if w26 > 0:
            r += (
                f"; its 26 row carries {w26:.2f} work RVUs, the obvious override value "
                "(or bill with 26)"
            )
        return r
    texts = {
        1: f"unknown code: {code} is not in the fee schedule ({rel})",
        2: f"{code} has only a 26 row in {rel} (lab interpretation): bill it with modifier 26",
        4: "anesthesia (status J): not priced, 0 wRVU",
        5: "injection (status T): bundled, another payable service by the same provider that day",
        6: f"status {st} ({STATUS_TEXT.get(st, 'unknown status')}): not paid, 0 wRVU credited",
        7: f"endoscopy base {code} not paid separately with a member of its family",
    }
    if kind in (8, 9, 10):  # the surgical-team indicator that makes the modifier not payable
        field_name, ind, mod = _TEAM_FIELDS[kind]
        ind = chr(getattr(k, ind)[kk]) if getattr(k, ind)[kk] else "?"
        if kind == 8:  # which assistant modifier (k.sub: the keys with a pricing modifier)
            mod = ASSISTANT_MODS[int(k.mod.asst_code[np.searchsorted(k.sub, kk)]) - 1]
        return (
            f"{field_name} indicator {ind} ({_TEAM_RULES[field_name][ind]}): modifier "
            f"{mod} not payable, payment 0, 0 wRVU credited"
        )
    if kind in texts:
        return texts[kind]
    if s.work100[i] == 0:
        return (
            "no work RVUs and payment not estimable"
            if s.pay_na[i]
            else "no work RVUs and no payment for this row"
        )
    return "credited zero after adjustments"


# --------------------------------------------------------------------------- the price command


@dataclass
class PriceOutcome:
    """What ``rvubench price`` reports: where the CSV went and the row accounting."""

    output: Path
    accounting: dict
    warnings: list[str]
    sheets: dict[str, str] = field(default_factory=dict)  # workbook file -> worksheet read

    @property
    def exit_code(self) -> int:
        """1 when any row was rejected (exit code 1: the data had problems), else 0."""
        return 1 if self.accounting["rows_rejected"] else 0

    @property
    def accounting_line(self) -> str:
        return accounting_line(self.accounting)


CSV_TEXT_COLUMNS = (
    "source_file",
    "provider_id",
    "provider_name",
    "hcpcs",
    "modifiers",
    "pos",
    "locality",
    "zip",
    "reject_reason",
    "reject_column",
    "reject_kind",
    "description",
    "adjustments",
    "reason",
    "zero_reason",
    "line_note",
)
"""Priced-CSV columns that carry text from the input (formula-like values neutralized)."""


def priced_csv_frame(priced: pd.DataFrame) -> pd.DataFrame:
    """The priced frame as the CSV shows it: dates ISO, money to the cent, true/false."""
    out = priced.drop(columns=[c for c in GROUPING_COLUMNS if c in priced.columns])
    out["date_of_service"] = pd.to_datetime(out["date_of_service"]).dt.strftime("%Y-%m-%d")
    # pandas-stubs: pd.array has no overload for a Series with a nullable dtype name
    cents = pd.array(out["payment_cents"], dtype="Int64")  # type: ignore[call-overload]
    na = cents.isna()
    c = cents.fillna(0).to_numpy(dtype="int64")
    dollars = pd.Series(c // 100).astype(str) + "." + pd.Series(c % 100).astype(str).str.zfill(2)
    out["payment"] = dollars.where(~na, "").to_numpy(dtype=object)
    out["payment_cents"] = cents
    for b in ("priced", "is_duplicate"):
        if b in out:
            out[b] = np.where(out[b].to_numpy(dtype=bool), "true", "false")
    for f in ("work_rvu",):
        out[f] = out[f].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
    out["wrvu_credit"] = out["wrvu_credit"].map(lambda v: f"{v:.4f}".rstrip("0").rstrip("."))
    return out


def _payment_text(cents: Any) -> str:
    return "" if cents is None else f"{int(cents) // 100}.{str(int(cents) % 100).zfill(2)}"


def _bool_text(v: Any) -> str:
    return "true" if v else "false"


def _rvu_text(v: Any) -> str:
    return "" if v is None or pd.isna(v) else f"{v:.2f}"


def _credit_text(v: Any) -> str:
    return "nan" if v is None else f"{v:.4f}".rstrip("0").rstrip(".")


def _date_text(v: Any) -> str:
    return "" if v is None else v.strftime("%Y-%m-%d")


def priced_csv_columns(priced: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The priced frame's CSV columns and how each non-default one is written: the same
    text as ``priced_csv_frame(priced).to_csv(index=False)`` (dates ISO, payment from the
    integer cents, true/false, work RVUs to 2 places, credits to at most 4), formatted once
    per distinct value by :func:`rvubench.pricing.csv_writer.write_frame_csv`."""
    out = priced.drop(columns=[c for c in GROUPING_COLUMNS if c in priced.columns])
    out["date_of_service"] = pd.to_datetime(out["date_of_service"])
    out["payment"] = pd.array(out["payment_cents"], dtype="Int64")  # type: ignore[call-overload]  # stubs reject a Series
    formatters: dict[str, Any] = {
        "date_of_service": _date_text,
        "payment": _payment_text,
        "work_rvu": _rvu_text,
        "wrvu_credit": _credit_text,
    }
    formatters.update({b: _bool_text for b in ("priced", "is_duplicate") if b in out})
    return out, formatters


def write_priced_csv(priced: pd.DataFrame, output: Path) -> Path:
    """Write the priced CSV with the one atomic writer (``rvubench.atomic.atomic_path``:
    temp file in the same folder, then ``os.replace``, mode 0644, non-regular targets
    refused). Formula-like text is neutralized (``rvubench.textsafe.neutralize_formulas``).

    The bytes are those of ``neutralize_formulas(priced_csv_frame(priced),
    CSV_TEXT_COLUMNS).to_csv(index=False, lineterminator="\n")``;
    :mod:`rvubench.pricing.csv_writer` writes them about ten times faster (the formula rule
    applied by ``neutralize_formula_array`` to the same text columns).
    """
    output = Path(output)
    frame, formatters = priced_csv_columns(priced)
    filters: dict[str, Any] = {}
    for c in CSV_TEXT_COLUMNS:  # as neutralize_formulas: object and str columns only
        if c in frame.columns and (
            frame[c].dtype == object or str(frame[c].dtype) in ("string", "str")
        ):
            filters[c] = neutralize_formula_array
    with atomic_path(output) as tmp:
        write_frame_csv(frame, Path(tmp), formatters, array_filters=filters)
    return output


def price_log(
    paths: Sequence[Path] | Path,
    output: Path,
    settings: PricingSettings | None = None,
    *,
    mapping: Path | None = None,
    sheet: str | None = None,
    net_reversals: bool = False,
) -> PriceOutcome:
    """Read a log, price every line and write the priced CSV (the library call behind
    ``rvubench price``).

    Returns:
        The output path, the row accounting (rows read = priced + zero + rejected) and the
        ingest warnings.
    """
    settings = settings or PricingSettings()
    result = read_log(paths, mapping=mapping, sheet=sheet, net_reversals=net_reversals)
    require_data_rows(result, _source_names(paths))
    fees = load_fee_schedules(settings.fee_schedule_files)
    priced = price_lines(result.lines, fees, settings)
    write_priced_csv(priced, output)
    return PriceOutcome(
        Path(output),
        accounting(priced),
        list(getattr(result, "warnings", [])),
        dict(getattr(result, "sheets", {})),
    )


def _source_names(paths: str | Path | Iterable[str | Path]) -> str:
    """File names of a run's logs for messages (never the folders above them)."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    return ", ".join(Path(p).name for p in items)
