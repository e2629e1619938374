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

This module holds the orchestration: :func:`price_lines` and the top-level steps that call
the rule modules in order (``keys`` -> ``rows`` -> ``bilateral`` / ``modifiers`` ->
``ranking`` -> ``texts`` -> ``output``), the payment-and-credit step that combines their
factors, the other-reading pass for department runs, and the ``price`` command's
:func:`price_log` with its priced-CSV writer. Each rule lives in the module named for it;
the names callers and tests import from here are listed in ``__all__``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rvubench.atomic import atomic_path
from rvubench.feeschedule.cms import load_fee_schedules
from rvubench.gcpause import cyclic_gc_paused
from rvubench.ingest.log import read_log, require_data_rows
from rvubench.pricing.arith import _ONE, _isin, _pct
from rvubench.pricing.bilateral import (
    _bilateral_pairs,
    _bilateral_units,
    _full_bilateral,
    _line_bil_f,
    _pair_keys,
    _units2_keys,
)
from rvubench.pricing.csv_writer import write_frame_csv
from rvubench.pricing.keys import (
    _arrow_text,
    _dense,
    _dense_values,
    _encode_columns,
    _pricing_keys,
    _sorted_ids,
    _text,
)
from rvubench.pricing.modifiers import _modifier_rules, _not_payable_credit
from rvubench.pricing.output import (
    CSV_TEXT_COLUMNS,
    PriceOutcome,
    _assemble,
    category_of,
    priced_csv_columns,
    priced_csv_frame,
)
from rvubench.pricing.ranking import (
    _base_units,
    _component_units,
    _imaging_mppr,
    _lex_order,
    _mppr,
    _rank_lines,
    _rankable,
)
from rvubench.pricing.rows import (
    _general_note,
    _key_status,
    _line_status,
    _row_data,
    _select_localities,
    _select_rows,
    _select_setting,
    _unit_cents,
)
from rvubench.pricing.settings import WITHOUT_IDS, PricingSettings
from rvubench.pricing.state import KeyState, LineState
from rvubench.pricing.summary import accounting
from rvubench.pricing.texts import _adjustment_texts, _reasons, _Texts
from rvubench.textsafe import neutralize_formula_array

# What callers and tests import from here; the rules live in the modules named for them.
__all__ = [
    "CSV_TEXT_COLUMNS",
    "OTHER_READING_COLUMN",
    "PriceOutcome",
    "_Texts",
    "_bilateral_pairs",
    "_dense",
    "_dense_values",
    "_encode_columns",
    "_lex_order",
    "_modifier_rules",
    "_price_all",
    "_rank_lines",
    "_row_data",
    "_sorted_ids",
    "category_of",
    "id_column_used",
    "other_reading",
    "price_lines",
    "price_log",
    "priced_csv_frame",
    "write_frame_csv",
    "write_priced_csv",
]


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
    # the fee schedules (pyarrow's CSV reader, ~0.1 s) load on a thread while the log is read
    with cyclic_gc_paused(), ThreadPoolExecutor(max_workers=1) as pool:
        loading = pool.submit(load_fee_schedules, settings.fee_schedule_files)
        result = read_log(paths, mapping=mapping, sheet=sheet, net_reversals=net_reversals)
        require_data_rows(result, _source_names(paths))
        fees = loading.result()
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
