"""Assemble the priced frame and its CSV shape.

:func:`_assemble` builds the priced frame (``PRICED_COLUMNS``) from the per-key and
per-line results; :data:`CATEGORIES` and :func:`category_of` name a code's service
category; :func:`priced_csv_frame` / :func:`priced_csv_columns` turn the priced frame into
the priced CSV's text columns (payments as cents to dollars, input text neutralized against
formula injection, :data:`CSV_TEXT_COLUMNS`); :class:`PriceOutcome` is what the ``price``
command reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rvubench.pricing.keys import _categorical, _key_codes
from rvubench.pricing.state import KeyState, LineState
from rvubench.pricing.summary import accounting_line

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
        if g in lines.columns:  # the lines' own array (to_numpy and back: 0.4 s per 1M lines)
            frame[g] = lines[g].array
    return frame


# --------------------------------------------------------------------------- the price command's outcome and CSV


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
