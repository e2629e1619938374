"""Hand-made priced frames for the report tests (ARCHITECTURE.md section 3 columns).

Values are from the CMS 2026 July file (RVU26C), national locality (all GPCIs 1.000),
non-QP conversion factor 33.4009; per line payment = total RVU x 33.4009 rounded to cents.
"""

from __future__ import annotations

import pandas as pd

CF = 33.4009

# hcpcs, mod_row, category, work_rvu, total RVU used (setting), description
CODES = {
    # 47383 facility total 12.07: 12.07 x 33.4009 = 403.148863 -> 403.15
    "47383": ("", "Surgery", 8.66, 40315, "facility", "010"),
    # 99213 non-facility total 2.85: 2.85 x 33.4009 = 95.192565 -> 95.19
    "99213": ("", "Evaluation and Management", 1.30, 9519, "non-facility", "XXX"),
    # 99214 non-facility total 4.06: 4.06 x 33.4009 = 135.607654 -> 135.61
    "99214": ("", "Evaluation and Management", 1.92, 13561, "non-facility", "XXX"),
    # 74177-26 total 2.51: 2.51 x 33.4009 = 83.836259 -> 83.84
    "74177": ("26", "Radiology", 1.77, 8384, "facility", "XXX"),
}


def priced_line(
    row: int,
    day: str,
    hcpcs: str,
    *,
    units: int = 1,
    outcome: str = "priced",
    reason: str = "",
    provider: str = "IR-1001",
    modifiers: str | None = None,
) -> dict:
    """One priced line; zero and rejected lines carry no credit and no payment."""
    mod, category, work, cents, setting, glob = CODES.get(hcpcs, ("", "", 0.0, 0, "", ""))
    credited = outcome == "priced"
    return {
        "source_file": "log.csv",
        "source_row": row,
        "provider_id": provider,
        "provider_name": "",
        "date_of_service": pd.Timestamp(day) if day else pd.NaT,
        "hcpcs": hcpcs,
        "modifiers": mod if modifiers is None else modifiers,
        "units": units,
        "pos": "22" if setting == "facility" else "11",
        "locality": "national",
        "zip": "",
        "reject_reason": reason if outcome == "rejected" else "",
        "reject_column": "hcpcs" if outcome == "rejected" else "",
        "is_duplicate": False,
        "setting": setting if outcome != "rejected" else "",
        "fee_schedule_release": "RVU26C" if outcome != "rejected" else "",
        "rvu_year": 2026,
        "status": "A",
        "mod_row": mod,
        "description": "",
        "category": category,
        "global_days": glob,
        "work_rvu": work,
        "wrvu_credit": round(work * units, 4) if credited else 0.0,
        "payment_cents": cents * units if credited else (pd.NA if outcome == "rejected" else 0),
        "payment": cents * units / 100
        if credited
        else (float("nan") if outcome == "rejected" else 0.0),
        "conversion_factor": CF,
        "gpci_work": 1.0,
        "gpci_pe": 1.0,
        "gpci_mp": 1.0,
        "adjustments": "facility rate (POS 22)" if setting == "facility" else "",
        "outcome": outcome,
        "priced": credited,
        "reason": reason,
    }


def priced_frame(rows: list[dict]) -> pd.DataFrame:
    """A priced frame with the contract's dtypes."""
    frame = pd.DataFrame(rows)
    frame["payment_cents"] = frame["payment_cents"].astype("Int64")
    frame["units"] = frame["units"].astype("int64")
    frame["source_row"] = frame["source_row"].astype("int64")
    return frame


def sample_priced() -> pd.DataFrame:
    """A 2026Q3 clinician: 8 lines in the quarter, one outside, one zero, one rejected.

    wRVUs: 47383 x2 = 17.32; 99213 x1 = 1.30; 99214 (2 units) = 3.84; 74177-26 x2 = 3.54
    total = 17.32 + 1.30 + 3.84 + 3.54 = 26.00
    cents: 2 x 40315 + 9519 + 2 x 13561 + 2 x 8384 = 80630 + 9519 + 27122 + 16768 = 134039
    """
    return priced_frame(
        [
            priced_line(2, "2026-07-02", "47383"),
            priced_line(3, "2026-07-02", "74177"),
            priced_line(4, "2026-07-20", "99213"),
            priced_line(5, "2026-09-03", "47383"),
            priced_line(6, "2026-09-03", "74177"),
            priced_line(7, "2026-09-10", "99214", units=2),
            priced_line(
                8, "2026-09-11", "99024", outcome="zero", reason="status B (bundled): credited zero"
            ),
            priced_line(
                9,
                "",
                "4738X",
                outcome="rejected",
                reason="log.csv row 9, column date_of_service: '13/45/2026' is not a date",
            ),
            priced_line(10, "2026-06-30", "99213"),  # outside 2026Q3
        ]
    )
