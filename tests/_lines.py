"""Build clean-line frames (ARCHITECTURE.md section 2) for pricing and summary tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

DEFAULTS = {
    "source_file": "log.csv",
    "provider_id": "P1",
    "provider_name": "",
    "date_of_service": "2026-08-03",
    "hcpcs": "99213",
    "modifiers": "",
    "units": 1,
    "pos": "11",
    "locality": "",
    "zip": "",
    "encounter_key": "",
    "patient_key": "",
    "reject_reason": "",
    "reject_column": "",
    "is_duplicate": False,
}


def make_lines(rows: Iterable[Mapping] | None = None, **common) -> pd.DataFrame:
    """Clean lines with the ingest dtypes; each dict overrides ``DEFAULTS`` (and ``common``).

    ``source_row`` defaults to 2, 3, ... (row 1 is the header), as a spreadsheet shows it.
    """
    recs = []
    for i, r in enumerate(rows if rows is not None else [{}]):
        rec = {**DEFAULTS, **common, **dict(r)}
        rec.setdefault("source_row", i + 2)
        recs.append(rec)
    df = pd.DataFrame(recs, columns=["source_row", *DEFAULTS])
    df["date_of_service"] = pd.to_datetime(df["date_of_service"]).astype("datetime64[ns]")
    df["units"] = df["units"].astype("int64")
    df["source_row"] = df["source_row"].astype("int64")
    df["is_duplicate"] = df["is_duplicate"].astype(bool)
    for c in (
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
    ):
        df[c] = df[c].astype("str")
    cols = ["source_file", "source_row", *[c for c in DEFAULTS if c != "source_file"]]
    return df[cols]


def line(**kw) -> dict:
    """One line's overrides (reads better in test tables)."""
    return kw
