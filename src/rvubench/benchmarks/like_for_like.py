"""Like-for-like wRVUs: re-credit the same lines on the benchmark's data-year RVUs.

Surveys lag: a survey published in 2026 holds work done in 2025, credited on 2025 RVUs.
CMS cut 2026 work RVUs of non-time-based services by 2.5% (the CY 2026 efficiency adjustment), so a
proceduralist's 2026 wRVUs look lower against that survey than the same work did. This
module prices the same clean lines twice: once on the RVUs in effect on each date of
service (what is credited), once on the fee schedule of the benchmark's ``data_year``
(``PricingSettings.rvu_year``), with the same crediting policy and modifiers.

If no fee schedule of ``data_year`` is loaded, the result says so and falls back to the
in-effect figures (difference 0); it never prices on a different year silently.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from rvubench.benchmarks.tables import BenchmarkRow, percentile_of
from rvubench.feeschedule.cms import load_fee_schedules
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings
from rvubench.report.formatting import reader_text
from rvubench.report.sections import Section, SheetTable


@dataclass
class CodeDifference:
    """One code's wRVUs on both RVU sets."""

    hcpcs: str
    lines: int
    units: int
    wrvu_in_effect: float
    wrvu_data_year: float
    difference: float


@dataclass
class LikeForLike:
    """wRVUs as credited and on the benchmark's data-year RVUs.

    Attributes:
        data_year: the benchmark's data year asked for.
        rvu_year_used: the fee-schedule year the like-for-like figure is on (``data_year``,
            or None when that year is not loaded and the figures fell back to in-effect).
        data_year_release: release id used for the data year ("" on fallback).
        in_effect_releases: release ids the credited figures used (by date of service).
        fallback: True when ``data_year`` is not loaded.
        wrvu_in_effect: credited wRVUs on the RVUs in effect (sum of ``wrvu_credit``).
        wrvu_data_year: the same lines on ``data_year`` RVUs.
        difference: ``wrvu_data_year - wrvu_in_effect``.
        difference_pct: difference as a percentage of ``wrvu_in_effect`` (None if that is 0).
        by_code: per-code differences, largest absolute difference first.
        methodology: two sentences for the report.
        note: why the figures fell back, or "".
    """

    data_year: int
    rvu_year_used: int | None
    data_year_release: str
    in_effect_releases: list[str]
    fallback: bool
    wrvu_in_effect: float
    wrvu_data_year: float
    difference: float
    difference_pct: float | None
    by_code: list[CodeDifference] = field(default_factory=list)
    methodology: str = ""
    note: str = ""

    def by_code_frame(self) -> pd.DataFrame:
        """The per-code table as a DataFrame (columns as :class:`CodeDifference`)."""
        columns = [f.name for f in dataclasses.fields(CodeDifference)]
        return pd.DataFrame([dataclasses.asdict(c) for c in self.by_code], columns=columns)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe plain dict."""
        return dataclasses.asdict(self)


def _sum4_decimal(values: Any) -> float:
    """Sum of wRVU credits done in Decimal, so 8.88 + 19.60 is exactly 28.48 (the reference
    of :func:`_sum4`, and its path for values with more than 4 decimals)."""
    total = sum((Decimal(repr(float(v))) for v in values if pd.notna(v)), Decimal(0))
    return float(total.quantize(Decimal("0.0001")))


def _ten_thousandths(values: Any) -> np.ndarray | None:
    """Credits as exact integer ten-thousandths (NaN as 0), or None when a value is not a
    4-decimal number (then only Decimal sums are exact)."""
    try:
        v = np.asarray(values, dtype="float64")
    except (TypeError, ValueError):  # pd.NA, text: the Decimal path decides
        return None
    v = np.where(np.isnan(v), 0.0, v)
    if not np.isfinite(v).all() or (np.abs(v) > 1e8).any():
        return None  # (1e8: sums of a million lines stay far inside int64)
    k = np.rint(v * 10_000)
    # k / 10_000 is the double nearest k ten-thousandths; it equals v exactly when v is a
    # number of at most 4 decimals, and then Decimal(repr(v)) is exactly k / 10**4 (below
    # 1e8 two such numbers never share a double)
    return k.astype("int64") if np.array_equal(k / 10_000, v) else None


def _sum4(values: pd.Series) -> float:
    """Sum of wRVU credits (4-dp floats), exact: 8.88 + 19.60 is 28.48.

    Summed as integer ten-thousandths (the credits the pricing engine computes are whole
    ten-thousandths); the same float as the Decimal sum, :func:`_sum4_decimal`, which is
    used when a value has more decimals.
    """
    k = _ten_thousandths(values)
    if k is None:
        return _sum4_decimal(values)
    return int(k.sum()) / 10_000


def like_for_like(
    lines: pd.DataFrame,
    fees: Any,
    settings: PricingSettings | None,
    data_year: int,
    *,
    priced_in_effect: pd.DataFrame | None = None,
) -> LikeForLike:
    """Credit the same clean lines on the RVUs in effect and on ``data_year`` RVUs.

    Args:
        lines: clean lines (ARCHITECTURE.md section 2), already limited to the clinician and
            period being reported.
        fees: the ``FeeScheduleSet`` (``rvubench.feeschedule.cms.load_fee_schedules()``).
        settings: the run's pricing settings (policy, locality, ...); ``rvu_year`` is
            overridden for each of the two passes.
        data_year: the benchmark's data year (``BenchmarkRow.data_year``).
        priced_in_effect: the run's priced frame for the same lines, to skip re-pricing the
            in-effect pass (must come from the same lines and settings with ``rvu_year=None``).

    Returns:
        The :class:`LikeForLike` comparison.
    """
    settings = settings or PricingSettings()
    now = (
        priced_in_effect
        if priced_in_effect is not None
        else price_lines(lines, fees, dataclasses.replace(settings, rvu_year=None))
    )
    usable_now = now[now["outcome"] != "rejected"]
    in_effect_releases = sorted(
        {str(r) for r in usable_now["fee_schedule_release"].dropna() if str(r)}
    )
    in_effect_years = sorted({int(y) for y in usable_now["rvu_year"].dropna()})
    loaded = list(fees.years)
    fallback = data_year not in loaded
    if fallback:
        then = now
        release = ""
        note = (
            f"The benchmark's data year {data_year} has no fee schedule loaded (loaded: "
            f"{', '.join(str(y) for y in loaded)}); like-for-like wRVUs fall back to the RVUs "
            f"in effect. Add CMS's {data_year} PPRRVU file with --fee-schedule to compare."
        )
    else:
        then = price_lines(lines, fees, dataclasses.replace(settings, rvu_year=data_year))
        used = sorted({str(r) for r in then["fee_schedule_release"].dropna() if str(r)})
        release = ", ".join(used)
        note = ""
    return _compare(
        now, then, data_year, release, in_effect_releases, in_effect_years, fallback, note
    )


DATA_YEAR_COLUMN = "wrvu_credit_rvu{year}"
"""Priced-frame column with each line's credit on ``year`` RVUs (added by batch runs)."""


def like_for_like_from_priced(priced: pd.DataFrame, fees: Any, data_year: int) -> LikeForLike:
    """:func:`like_for_like` for a priced frame that already carries the credits on
    ``data_year`` RVUs in column ``DATA_YEAR_COLUMN`` (batch runs price the whole
    department on that year once, instead of once per clinician)."""
    now = priced
    usable_now = now[now["outcome"] != "rejected"]
    in_effect_releases = sorted(
        {str(r) for r in usable_now["fee_schedule_release"].dropna() if str(r)}
    )
    in_effect_years = sorted({int(y) for y in usable_now["rvu_year"].dropna()})
    col = DATA_YEAR_COLUMN.format(year=data_year)
    release = [r.release_id for r in fees.releases if r.year == data_year][-1]  # as rvu_year
    then = now.assign(wrvu_credit=now[col], fee_schedule_release=release)
    return _compare(now, then, data_year, release, in_effect_releases, in_effect_years, False, "")


def _compare(
    now: pd.DataFrame,
    then: pd.DataFrame,
    data_year: int,
    release: str,
    in_effect_releases: list[str],
    in_effect_years: list[int],
    fallback: bool,
    note: str,
) -> LikeForLike:
    wrvu_now = _sum4(now["wrvu_credit"])
    wrvu_then = _sum4(then["wrvu_credit"])
    diff = float((Decimal(repr(wrvu_then)) - Decimal(repr(wrvu_now))).quantize(Decimal("0.0001")))
    pct = None if wrvu_now == 0 else round(diff / wrvu_now * 100, 4)
    return LikeForLike(
        data_year=int(data_year),
        rvu_year_used=None if fallback else int(data_year),
        data_year_release=release,
        in_effect_releases=in_effect_releases,
        fallback=fallback,
        wrvu_in_effect=wrvu_now,
        wrvu_data_year=wrvu_then,
        difference=diff,
        difference_pct=pct,
        by_code=_by_code(now, then),
        methodology=_methodology(data_year, release, in_effect_releases, in_effect_years, fallback),
        note=note,
    )


def _by_code(now: pd.DataFrame, then: pd.DataFrame) -> list[CodeDifference]:
    frame = pd.DataFrame(
        {
            "hcpcs": now["hcpcs"].astype(str).to_numpy(),
            "units": now["units"].fillna(0).astype("int64").to_numpy(),
            "now": now["wrvu_credit"].to_numpy(),
            "then": then["wrvu_credit"].to_numpy(),
            "usable": (now["outcome"] != "rejected").to_numpy(),
        }
    )
    frame = frame[frame["usable"]]
    k_now, k_then = _ten_thousandths(frame["now"]), _ten_thousandths(frame["then"])
    if k_now is None or k_then is None:
        return _by_code_decimal(frame)
    # one groupby of integer sums instead of a Decimal sum per code: same values
    sums = (
        frame[["hcpcs", "units"]]
        .assign(now=k_now, then=k_then, lines=1)
        .groupby("hcpcs", sort=True)[["lines", "units", "now", "then"]]
        .sum()
    )
    out = [
        CodeDifference(
            str(code), int(n), int(u), int(a) / 10_000, int(b) / 10_000, int(b - a) / 10_000
        )  # fmt: skip
        for code, n, u, a, b in zip(
            sums.index, sums["lines"], sums["units"], sums["now"], sums["then"], strict=True
        )
    ]
    out.sort(key=lambda c: (-abs(c.difference), c.hcpcs))
    return out


def _by_code_decimal(frame: pd.DataFrame) -> list[CodeDifference]:
    """:func:`_by_code` in Decimal, per code (the reference, and the path for credits with
    more than 4 decimals)."""
    out = []
    for code, group in frame.groupby("hcpcs", sort=True):
        a, b = _sum4_decimal(group["now"]), _sum4_decimal(group["then"])
        d = float((Decimal(repr(b)) - Decimal(repr(a))).quantize(Decimal("0.0001")))
        out.append(CodeDifference(str(code), len(group), int(group["units"].sum()), a, b, d))
    out.sort(key=lambda c: (-abs(c.difference), c.hcpcs))
    return out


def _methodology(
    data_year: int,
    release: str,
    in_effect: list[str],
    in_effect_years: list[int],
    fallback: bool,
) -> str:
    credited = ", ".join(in_effect) or "the fee schedule in effect"
    if fallback:
        return (
            f"The benchmark describes work done in {data_year}, but no {data_year} fee schedule "
            f"is loaded, so the like-for-like figure equals the wRVUs credited on {credited}. "
            "Compare with care: work RVUs change from year to year (CMS cut 2026 work RVUs of "
            "non-time-based services by 2.5%)."
        )
    why = (
        "CMS cut 2026 work RVUs of non-time-based services by 2.5% (time-based services such "
        "as E/M are exempt), so the same procedures earn fewer wRVUs on 2026 RVUs."
        if data_year < 2026 and any(y >= 2026 for y in in_effect_years)
        else "Work RVUs change from year to year, so the same services can earn different "
        "wRVUs on different fee schedules."
    )
    return (
        f"The benchmark describes work done in {data_year}, credited on {data_year} RVUs; to "
        f"compare like with like, the same lines were re-credited on {release} with the same "
        f"crediting policy, alongside the wRVUs credited on {credited}. {why}"
    )


LIKE_FOR_LIKE_SHEET = "Like for Like"
LIKE_FOR_LIKE_COLUMNS = (
    "hcpcs",
    "lines",
    "units",
    "wrvu_in_effect",
    "wrvu_data_year",
    "difference",
)
LIKE_FOR_LIKE_FORMATS = {"wrvu_in_effect": "wrvu", "wrvu_data_year": "wrvu", "difference": "wrvu"}


def like_for_like_section_data(lfl: LikeForLike, benchmark: Any, period: Any) -> dict[str, Any]:
    """``lfl.to_dict()`` plus where the data-year figure stands in the wRVU benchmark.

    Adds ``wrvu_fte_adjusted_data_year`` (data-year wRVUs x annualization factor / clinical
    FTE), ``wrvu_percentile_data_year`` and ``wrvu_percentile_in_effect`` (number, or
    "below p10"/"above p90" text; None without a wRVU benchmark row).
    """
    data = lfl.to_dict()
    factor = period.annualization_factor
    fte = Decimal(repr(float(benchmark.clinical_fte)))
    adjusted = Decimal(repr(lfl.wrvu_data_year)) * factor / fte
    adjusted_in_effect = Decimal(repr(lfl.wrvu_in_effect)) * factor / fte
    data["wrvu_fte_adjusted_data_year"] = float(adjusted.quantize(Decimal("0.0001")))
    data["wrvu_fte_adjusted_in_effect"] = float(adjusted_in_effect.quantize(Decimal("0.0001")))
    # which column the report's percentiles use: the data-year figure when it differs
    # (the report benchmarks like-for-like), else the figure as credited (they are equal)
    data["benchmarked_on_data_year"] = bool(not lfl.fallback and lfl.difference != 0)
    data["wrvu_percentile_in_effect"] = None
    data["wrvu_percentile_data_year"] = None
    summary = (getattr(benchmark, "rows", None) or {}).get("wrvu")
    if summary is not None:
        anchors = sorted(
            (int(str(k).lstrip("pP")), float(v)) for k, v in summary.percentiles.items()
        )
        row = BenchmarkRow(
            specialty=summary.specialty,
            metric="wrvu",
            region=summary.region,
            survey_year=summary.survey_year,
            data_year=summary.data_year,
            source=summary.source,
            anchors=anchors,
        )
        data["wrvu_percentile_data_year"] = percentile_of(float(adjusted), row).json_value
        data["wrvu_percentile_in_effect"] = percentile_of(float(adjusted_in_effect), row).json_value

    for key in ("note", "methodology"):  # shown in the PDF: no option names
        if data.get(key):
            data[key] = reader_text(data[key])
    data["period_label"] = period.label
    data["annualization_factor"] = float(factor)
    data["clinical_fte"] = float(benchmark.clinical_fte)
    return data


def like_for_like_rows(lfl: LikeForLike) -> list[list[Any]]:
    """Rows of the ``Like for Like`` sheet: one per code, then a ``Total`` row."""
    rows: list[list[Any]] = [
        [c.hcpcs, c.lines, c.units, c.wrvu_in_effect, c.wrvu_data_year, c.difference]
        for c in lfl.by_code
    ]
    rows.append(
        [
            "Total",
            sum(c.lines for c in lfl.by_code),
            sum(c.units for c in lfl.by_code),
            lfl.wrvu_in_effect,
            lfl.wrvu_data_year,
            lfl.difference,
        ]
    )
    return rows


def build_like_for_like_section(ctx: Any) -> Any:
    """Report-model section builder (``report.model.SECTION_BUILDERS``).

    Needs ``ctx.benchmark`` (its ``data_year`` picks the RVU year) and ``ctx.clean_lines``
    (re-priced for the report period); returns None without them or without lines in the
    period. Section key ``like_for_like``, partial ``_like_for_like.html.j2``, sheet
    ``Like for Like``.
    """
    bench, clean = ctx.benchmark, ctx.clean_lines
    if bench is None or clean is None or clean.empty:
        return None
    lines = clean[ctx.period.contains(clean["date_of_service"])]
    if lines.empty:
        return None
    lfl = ctx.extras.get("like_for_like")  # computed once by the report when it benchmarks
    if lfl is None:
        fees = load_fee_schedules(ctx.settings.fee_schedule_files)
        lfl = like_for_like(lines, fees, ctx.settings, int(bench.data_year))
    sheet = SheetTable(
        LIKE_FOR_LIKE_SHEET,
        LIKE_FOR_LIKE_COLUMNS,
        like_for_like_rows(lfl),
        dict(LIKE_FOR_LIKE_FORMATS),
    )
    return Section(
        key="like_for_like",
        title=f"Like-for-like wRVUs ({lfl.data_year} RVUs)",
        partial="_like_for_like.html.j2",
        data=like_for_like_section_data(lfl, bench, ctx.period),
        order=30,
        sheets=(sheet,),
    )
