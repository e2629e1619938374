"""One HCPCS/CPT code as a card: RVUs, payments and where its work RVU sits in its category.

The payments come from :func:`rvubench.pricing.engine.price_lines` (one office and one facility
line), so a card always agrees with what ``price`` and ``report`` compute.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from rvubench.errors import UsageProblem
from rvubench.feeschedule.cms import load_fee_schedules
from rvubench.pricing.engine import category_of, price_lines
from rvubench.pricing.settings import PricingSettings

LOOKUP_KEYS = (
    "hcpcs",
    "modifier",
    "description",
    "status",
    "global_days",
    "work_rvu",
    "total_rvu_facility",
    "total_rvu_nonfacility",
    "payment_facility",
    "payment_nonfacility",
    "conversion_factor",
    "locality",
    "fee_schedule_release",
    "category",
    "category_percentile",
    "category_median",
    "category_max",
    "ratio_to_median",
)


def _half_up(value: float, places: int) -> float:
    q = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP))


def category_stats(rows: pd.DataFrame, category: str, work_rvu: float) -> dict[str, Any]:
    """Percentile of ``work_rvu`` among a category's codes, with the category median and max.

    The set is the release's global rows (no modifier) of that category with work RVU > 0,
    whatever their status. The percentile is the share of that set with a strictly smaller
    work RVU, x100.

    Returns:
        ``percentile`` (exact float), ``median``, ``max``, ``count``; None values when the
        category has no valued codes.
    """
    glob = rows[(rows["mod"] == "") & (rows["work_rvu"] > 0)]
    cats = glob["hcpcs"].map(category_of)
    works = glob.loc[cats == category, "work_rvu"].to_numpy(dtype="float64")
    if len(works) == 0:
        return {"percentile": None, "median": None, "max": None, "count": 0}
    w100 = np.rint(works * 100).astype("int64")
    x100 = int(round(work_rvu * 100))
    return {
        "percentile": float((w100 < x100).sum() * 100 / len(w100)),
        "median": float(np.median(w100)) / 100,
        "max": float(w100.max()) / 100,
        "count": int(len(w100)),
    }


def lookup_code(
    code: str,
    *,
    modifier: str = "",
    locality: str = "national",
    zip_code: str | None = None,
    year: int | None = None,
    qp: bool = False,
    fees=None,
) -> dict[str, Any]:
    """The lookup card of one code (the ``lookup --json`` keys README lists, plus ``notes``).

    Args:
        code: HCPCS/CPT code (case and surrounding spaces ignored).
        modifier: ``""``, ``26``, ``TC`` or ``53`` (selects that fee-schedule row); other
            modifiers are applied as in ``price`` (e.g. ``50``).
        locality: ``MAC-LL`` or ``national``; ``zip_code`` wins when given.
        year: fee-schedule year (latest release of that year); default the latest release.
        qp: use the Qualifying APM Participant conversion factor.
        fees: a FeeScheduleSet; default the bundled one.

    Raises:
        UsageProblem: unknown code or year; UnknownLocalityError for a bad locality/ZIP.
    """
    fees = fees or load_fee_schedules()
    hcpcs = str(code).strip().upper()
    mod = str(modifier or "").strip().upper()
    if year is not None and year not in fees.years:
        raise UsageProblem(
            f"no {year} fee schedule loaded (have {', '.join(map(str, fees.years))}); "
            "add CMS's file with --fee-schedule"
        )
    rvu_year = year if year is not None else fees.releases[-1].year
    release = [r for r in fees.releases if r.year == rvu_year][-1]
    rows = release.rows
    mine = rows[rows["hcpcs"] == hcpcs]
    if mine.empty:
        raise UsageProblem(f"code {hcpcs} is not in the fee schedule ({release.release_id})")
    notes = []
    row_mods = set(mine["mod"])
    if mod in ("", "26", "TC", "53") and mod not in row_mods:
        prefer = ["", "26", "TC", "53"] if mod else ["26", "TC", "53"]
        shown = next((m for m in prefer if m in row_mods), sorted(row_mods)[0])
        notes.append(
            f"{hcpcs} has no {mod or 'global'} row in "
            f"{release.release_id}; showing its {shown or 'global'} row"
        )
        mod = shown
    settings = PricingSettings(
        locality=locality or "national", zip_code=zip_code, qp=qp, rvu_year=rvu_year
    )
    day = release.effective_from
    lines = pd.DataFrame(
        {
            "source_file": ["lookup", "lookup"],
            "source_row": [1, 2],
            "provider_id": ["office", "facility"],  # two providers: no MPPR between them
            "provider_name": ["", ""],
            "date_of_service": pd.to_datetime([day, day]).astype("datetime64[ns]"),
            "hcpcs": [hcpcs, hcpcs],
            "modifiers": [mod, mod],
            "units": [1, 1],
            "pos": ["11", "22"],
            "locality": ["", ""],
            "zip": ["", ""],
            "reject_reason": ["", ""],
            "reject_column": ["", ""],
            "is_duplicate": [False, False],
        }
    )
    priced = price_lines(lines, fees, settings)
    nf, fac = priced.iloc[0], priced.iloc[1]
    row = mine[mine["mod"] == nf["mod_row"]].iloc[0]
    category = category_of(hcpcs)
    work = float(row["work_rvu"])
    stats = category_stats(rows, category, work)
    payable = nf["status"] in ("A", "R", "T")

    def money(v) -> float | None:
        return None if (not payable or pd.isna(v)) else float(v)

    median = stats["median"]
    card = {
        "hcpcs": hcpcs,
        "modifier": mod,
        "description": str(row.get("description", "") or ""),
        "status": str(row["status"]),
        "global_days": str(row["global_days"]),
        "work_rvu": work,
        "total_rvu_facility": float(row["total_f"]),
        "total_rvu_nonfacility": float(row["total_nf"]),
        "payment_facility": money(fac["payment"]),
        "payment_nonfacility": money(nf["payment"]),
        "conversion_factor": float(nf["conversion_factor"]),
        "locality": str(nf["locality"]),
        "fee_schedule_release": release.release_id,
        "category": category,
        "category_percentile": (
            None
            if stats["percentile"] is None or work <= 0
            else int(_half_up(stats["percentile"], 0))
        ),
        "category_median": None if median is None else _half_up(median, 2),
        "category_max": stats["max"],
        "ratio_to_median": (None if not median or work <= 0 else _half_up(work / median, 1)),
    }
    if not payable:
        notes.append(nf["reason"] or f"status {card['status']}: not paid under the PFS")
    adj = [a for a in str(nf["adjustments"]).split("; ") if a and "rate (POS" not in a]
    notes.extend(adj)
    card["notes"] = notes
    card["category_codes"] = stats["count"]
    return card


_BILATERAL_NOTE = re.compile(r"bilateral(?: RT\+LT with [^(]*)? \(ind (\d)\): .*")
_BILATERAL_WORDS = {
    "0": "bilateral surgery rules do not apply to this code (CMS indicator 0): a second side "
    "is paid as its own line, each at 100%",
    "1": "done on both sides it is paid at 150% of one side (CMS indicator 1)",
    "2": "its RVUs already cover both sides: paid at 100% with modifier 50 (CMS indicator 2)",
    "3": "each side is paid in full, 200% for both (CMS indicator 3)",
}


def plain_note(note: str) -> str:
    """A pricing note in words: ``bilateral (ind 0): 150% does not apply, 100%`` -> what it
    means for the reader; other notes as they are."""
    match = _BILATERAL_NOTE.fullmatch(note.strip())
    return _BILATERAL_WORDS.get(match.group(1), note) if match else note


def format_card(card: dict[str, Any]) -> str:
    """The card as aligned text lines for the terminal."""

    def usd(v) -> str:
        return "n/a" if v is None else f"${v:,.2f}"

    def num(v, places=2) -> str:
        return "n/a" if v is None else f"{v:,.{places}f}"

    code = card["hcpcs"] + (f"-{card['modifier']}" if card["modifier"] else "")
    desc = card["description"] or "(descriptor not shipped: CPT text is AMA copyright)"
    pct = card["category_percentile"]
    out = [
        f"{code}  {desc}",
        f"  Fee schedule       {card['fee_schedule_release']}, locality {card['locality']}, "
        f"CF {card['conversion_factor']:.4f}",
        f"  Status             {card['status']}",
        f"  Global days        {card['global_days']}",
        f"  Work RVU           {num(card['work_rvu'])}",
        f"  Total RVUs         facility {num(card['total_rvu_facility'])}   "
        f"non-facility {num(card['total_rvu_nonfacility'])}",
        f"  Payment            facility {usd(card['payment_facility'])}   "
        f"non-facility {usd(card['payment_nonfacility'])}",
        f"  Category           {card['category']}",
        "  Work RVU rank      "
        + (
            f"no rank (no work RVU); the {card.get('category_codes', 0):,} "
            f"{card['category']} codes with one have median {num(card['category_median'])}"
            if pct is None
            else f"higher than {pct}% of the {card.get('category_codes', 0):,} {card['category']} "
            f"codes with a work RVU\n                     (their median "
            f"{num(card['category_median'])}, highest {num(card['category_max'])}; this code "
            f"{num(card['ratio_to_median'], 1)} times the median)"
        ),
    ]
    for note in card.get("notes", []):
        out.append(f"  Note: {plain_note(note)}")
    return "\n".join(out)
