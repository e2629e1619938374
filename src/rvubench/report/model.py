"""The report model: everything one clinician's report shows, built once, read by both renderers.

:func:`build_report_model` turns the priced lines of one clinician, the reporting period,
the benchmark result and the run's settings into a :class:`ReportModel` of plain data
(dataclasses, numbers, strings, two small frames for the audit-trail sheets). The PDF
renderer (``render_pdf``) and the workbook renderer (``render_xlsx``) only read it, so the
two outputs cannot disagree.

Scope: the report covers the clinician's lines whose date of service falls in the period,
plus rejected lines (whose date may be unreadable). Lines outside the period are counted
in the data-quality appendix as ``rows_outside_period`` and left out of every total.

Extra sections (global periods, quarterly trend, like-for-like wRVUs) plug in as
:class:`Section` objects in ``ReportModel.sections``; see :data:`SECTION_BUILDERS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from rvubench.benchmarks.like_for_like import build_like_for_like_section
from rvubench.errors import DataProblem
from rvubench.insights.global_periods import build_em_mix_section, build_global_period_section
from rvubench.insights.trend import build_trend_section
from rvubench.pricing import summary as summarize
from rvubench.pricing.settings import PricingSettings
from rvubench.report import charts
from rvubench.report.contract import contract_page
from rvubench.report.formatting import fmt_number, fmt_percentile, reader_text, round_half_up
from rvubench.report.sections import Section, SheetTable  # noqa: F401 (re-exported)

CPT_NOTICE = (
    "CPT codes and descriptions only are copyright 2026 American Medical Association. "
    "All rights reserved. The bundled fee schedule omits CPT descriptions; runs on your own "
    "CMS fee-schedule download show them."
)
ILLUSTRATIVE_NOTICE = "Benchmark figures are ILLUSTRATIVE, not survey data"
ESTIMATE_NOTICE = (
    "Payments are estimates of the Medicare Physician Fee Schedule allowed amount for each "
    "line, not amounts billed or collected, and not coding or billing advice."
)

#: The audit-trail columns of the Lines sheet, in order (the priced CSV's columns, the
#: fee-schedule row used and the adjustments). A whitelist: patient columns can never pass.
LINE_COLUMNS: tuple[str, ...] = (
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
    "rvu_year",
    "status",
    "mod_row",
    "description",
    "category",
    "global_days",
    "work_rvu",
    "wrvu_credit",
    "payment",
    "conversion_factor",
    "gpci_work",
    "gpci_pe",
    "gpci_mp",
    "adjustments",
    "outcome",
    "priced",
    "reason",
    "is_duplicate",
)
EXCEPTION_COLUMNS: tuple[str, ...] = (
    "source_file",
    "source_row",
    "date_of_service",
    "hcpcs",
    "modifiers",
    "units",
    "outcome",
    "reason",
    "reject_column",
)

#: Keys of the ``--json`` summary, exactly as README documents them (`report --json`).
SUMMARY_KEYS: tuple[str, ...] = (
    "provider_id",
    "specialty",
    "period_start",
    "period_end",
    "annualization_factor",
    "clinical_fte",
    "total_fte",
    "wrvu_total",
    "wrvu_annualized",
    "wrvu_fte_adjusted",
    "wrvu_percentile",
    "payment_total",
    "total_compensation",
    "compensation_percentile",
    "compensation_per_wrvu",
    "compensation_per_wrvu_percentile",
    "alignment_gap",
    "rows_read",
    "rows_priced",
    "rows_zero",
    "rows_rejected",
    "outputs",
)

#: Days of the period a log may leave uncovered (before its first or after its last date of
#: service) before the report warns that annualization counts days without data: a week
#: without cases happens (holidays, leave); more usually means the export stops short.
COVERAGE_SLACK_DAYS = 7

#: Keys the summary adds after those (README documents them): the basis every
#: percentile was computed on and the figure it was computed from, the percentile the
#: as-credited figure would have, duplicates counted, and the run's warnings.
EXTRA_SUMMARY_KEYS: tuple[str, ...] = (
    "wrvu_basis",
    "wrvu_basis_rvu_year",
    "wrvu_benchmarked_total",
    "wrvu_benchmarked_fte_adjusted",
    "wrvu_credited_percentile",
    "rows_duplicate",
    "warnings",
)

TOP_CODES = 12
KINDS = ("productivity", "contract")


# ---------------------------------------------------------------------------- model types


@dataclass(frozen=True)
class Fact:
    """A labelled value shown in a header or methodology list."""

    label: str
    value: str


@dataclass(frozen=True)
class CodeRow:
    """One code + modifier of the per-code table (``By Code`` sheet)."""

    hcpcs: str
    modifier: str
    description: str
    lines: int
    units: int
    wrvu_credit: float
    payment_cents: int | None
    wrvu_share: float

    @property
    def payment(self) -> float | None:
        """Payment in dollars (exact to the cent), None when not estimable."""
        return None if self.payment_cents is None else self.payment_cents / 100


@dataclass(frozen=True)
class MonthRow:
    """One calendar month of the period (zero months included)."""

    month: date
    label: str
    lines: int
    wrvu_credit: float
    payment_cents: int

    @property
    def payment(self) -> float:
        """Payment in dollars."""
        return self.payment_cents / 100


@dataclass(frozen=True)
class CategoryRow:
    """wRVUs by code category (E/M, Surgery, Radiology, ...)."""

    category: str
    lines: int
    units: int
    wrvu_credit: float
    payment_cents: int
    wrvu_share: float

    @property
    def payment(self) -> float:
        """Payment in dollars."""
        return self.payment_cents / 100


@dataclass(frozen=True)
class ReasonCount:
    """How many rows share one zero-credit or rejection reason."""

    reason: str
    rows: int


@dataclass(frozen=True)
class DataQuality:
    """The data-quality appendix: rows read = priced + credited zero + rejected."""

    rows_read: int
    rows_priced: int
    rows_zero: int
    rows_rejected: int
    zero_by_reason: tuple[ReasonCount, ...] = ()
    rejected_by_reason: tuple[ReasonCount, ...] = ()
    rows_duplicate: int = 0
    rows_outside_period: int = 0
    columns_dropped: tuple[str, ...] = ()
    rows_skipped: int = 0
    source_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class MetricBenchmark:
    """One metric placed among its published percentiles."""

    metric: str  # "wrvu", "total_compensation", "compensation_per_wrvu"
    label: str
    unit: str  # "wrvu" or "usd"
    value: float | None
    percentile: float | None
    percentile_label: str
    position: str  # "below", "within", "above", "" (no value)
    anchors: tuple[tuple[float, float], ...] = ()
    n_providers: int | None = None
    mean: float | None = None


@dataclass(frozen=True)
class Scenario:
    """A compensation scenario (model applied to the clinician's wRVUs)."""

    name: str
    description: str
    compensation: float | None
    compensation_per_wrvu: float | None = None  # per total FTE over FTE-adjusted wRVUs
    compensation_percentile: float | str | None = None  # where that pay would place


@dataclass(frozen=True)
class Target:
    """wRVUs needed to reach a benchmark percentile."""

    percentile: float
    wrvu_annual_fte: float | None
    wrvu_in_period: float | None


@dataclass(frozen=True)
class BenchmarkSection:
    """Benchmark source and the clinician's position on each metric."""

    specialty: str
    source: str
    survey_year: int | None
    data_year: int | None
    region: str
    illustrative: bool
    note: str = ""
    metrics: tuple[MetricBenchmark, ...] = ()
    alignment_gap: float | None = None
    implied_compensation: tuple[tuple[float, float], ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    targets: tuple[Target, ...] = ()
    warnings: tuple[str, ...] = ()
    wrvu_period: float | None = None  # the period's wRVUs that were benchmarked (raw)
    basis_rvu_year: int | None = None  # set when benchmarked like-for-like on that RVU year
    credited_wrvu: MetricBenchmark | None = None  # as credited, when that differs

    def metric(self, name: str) -> MetricBenchmark | None:
        """The metric called ``name`` or None."""
        return next((m for m in self.metrics if m.metric == name), None)


@dataclass(frozen=True)
class WrvuBasis:
    """The wRVU figure the benchmark compared, chosen once for the whole report.

    Every percentile, compensation per wRVU, implied compensation and target is computed from
    this figure and printed beside it. With like-for-like benchmarking on, it is the period's
    lines credited on the survey's data-year RVUs (a survey holds work credited on the RVUs of
    its data year); otherwise the wRVUs as credited on the RVUs in effect. The as-credited
    figure stays on the report, labelled, with the difference (``credited_*``).
    """

    like_for_like: bool
    label: str  # "on 2025 RVUs, like-for-like" or "as credited on RVU26C"
    rvu_year: int | None
    wrvu_total: float
    wrvu_annualized: float
    wrvu_fte_adjusted: float
    credited_label: str  # "as credited on RVU26C"
    credited_total: float
    credited_fte_adjusted: float
    credited_percentile: float | str | None = None  # number, "below p10" label, or None

    @property
    def difference_total(self) -> float:
        """Benchmarked minus as-credited wRVUs of the period."""
        return self.wrvu_total - self.credited_total

    @property
    def difference_fte_adjusted(self) -> float:
        """Benchmarked minus as-credited FTE-adjusted annual wRVUs."""
        return self.wrvu_fte_adjusted - self.credited_fte_adjusted


@dataclass
class ReportModel:
    """Everything one report shows (plain data; the renderers only read it)."""

    kind: str
    title: str
    provider_id: str
    provider_name: str
    specialty: str
    period_label: str
    period_start: date
    period_end: date
    period_days: int
    period_kind: str
    document_date: date
    run_facts: tuple[Fact, ...]
    summary: dict[str, Any]
    wrvu_total: float
    payment_total_cents: int
    lines_count: int
    units_total: int
    annualization_factor: float
    clinical_fte: float
    total_fte: float
    wrvu_annualized: float
    wrvu_fte_adjusted: float
    total_compensation: float | None
    compensation_per_wrvu: float | None
    by_code: tuple[CodeRow, ...]
    by_month: tuple[MonthRow, ...]
    by_category: tuple[CategoryRow, ...]
    data_quality: DataQuality
    benchmark: BenchmarkSection | None
    methodology: tuple[Fact, ...]
    notices: tuple[str, ...]
    warnings: tuple[str, ...]
    charts: dict[str, str]
    lines: pd.DataFrame
    exceptions: pd.DataFrame
    sections: dict[str, Section] = field(default_factory=dict)
    contract: Any = None  # rvubench.report.contract.ContractPage (kind "contract" with a benchmark)

    basis: WrvuBasis | None = None
    data_quality_line: str = ""
    # how multiple procedures were ranked (per patient, or the no-id rule with the other
    # reading's wRVUs); set by report.run.build_clinician_report, shown on page 1
    multiple_procedure_rule: str = ""

    @property
    def display_name(self) -> str:
        """Name for headings: the provider name, else the id, else "Clinician"."""
        return self.provider_name or self.provider_id or "Clinician"

    @property
    def ordered_sections(self) -> list[Section]:
        """Sections in display order."""
        return sorted(self.sections.values(), key=lambda s: (s.order, s.key))


@dataclass(frozen=True)
class SectionContext:
    """What a section builder receives (see :data:`SECTION_BUILDERS`)."""

    priced: pd.DataFrame  # all priced lines of the clinician (every period)
    in_period: pd.DataFrame  # the lines the report covers
    period: Any  # rvubench.benchmarks.periods.Period
    settings: PricingSettings
    clean_lines: pd.DataFrame | None = None  # the clinician's clean lines (for re-pricing)
    benchmark: Any = None  # rvubench.benchmarks.tables.BenchmarkResult or None
    extras: Mapping[str, Any] = field(default_factory=dict)  # e.g. batch coverage dates


#: Builders called with a :class:`SectionContext`; each returns a :class:`Section` or None
#: (nothing to show). Add one line here to plug a section in.
SECTION_BUILDERS: list[Callable[[SectionContext], Section | None]] = [
    build_trend_section,
    build_like_for_like_section,
    build_global_period_section,
    build_em_mix_section,
]


# ---------------------------------------------------------------------------- helpers


def _cents_sum(values: pd.Series) -> int:
    """Sum nullable integer cents exactly (NA = not estimable, skipped)."""
    return int(pd.to_numeric(values, errors="coerce").dropna().astype("int64").sum())


def _wrvu_sum(values: pd.Series) -> float:
    """Sum 4-dp wRVU credits as integer ten-thousandths, so order cannot change the total."""
    scaled = (pd.to_numeric(values, errors="coerce").fillna(0.0) * 10_000).round().astype("int64")
    return int(scaled.sum()) / 10_000


def _in_scope(priced: pd.DataFrame, period: Any) -> tuple[pd.DataFrame, int]:
    """Lines in the period plus rejected lines; and how many lines fall outside."""
    dates = pd.to_datetime(priced["date_of_service"])
    in_period = pd.Series(period.contains(dates), index=priced.index).fillna(False).astype(bool)
    rejected = priced["outcome"].eq("rejected")
    keep = in_period | (rejected & dates.isna())
    return priced.loc[keep], int((~keep).sum())


def period_wrvu_total(priced: pd.DataFrame, period: Any) -> float:
    """Credited wRVUs of the lines the report covers (what the benchmark compares)."""
    scope, _ = _in_scope(priced, period)
    return _wrvu_sum(scope.loc[scope["outcome"] != "rejected", "wrvu_credit"])


def _reason_counts(counts: Mapping[str, int]) -> tuple[ReasonCount, ...]:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(ReasonCount(reader_text(str(r)) or "(no reason given)", int(n)) for r, n in items)


def log_dates(priced: pd.DataFrame) -> tuple[date | None, date | None]:
    """First and last date of service of the usable (not rejected) lines, any period."""
    usable = priced["outcome"] != "rejected" if "outcome" in priced else slice(None)
    dates = pd.to_datetime(priced.loc[usable, "date_of_service"], errors="coerce").dropna()
    if dates.empty:
        return None, None
    return dates.min().date(), dates.max().date()


def require_lines_in_period(priced: pd.DataFrame, period: Any, who: str = "") -> None:
    """Refuse a report of zeros: the period must hold at least one usable line.

    Raises:
        DataProblem: no usable line in the period; the message names the log's dates.
    """
    dates = pd.to_datetime(priced["date_of_service"], errors="coerce")
    inside = pd.Series(period.contains(dates), index=priced.index).fillna(False).astype(bool)
    if (inside & (priced["outcome"] != "rejected")).any():
        return
    first, last = log_dates(priced)
    span = (
        f"the log's dates of service run from {first} to {last}"
        if first
        else "the log has no readable dates of service"
    )
    raise DataProblem(
        f"no usable lines{f' for {who}' if who else ''} in the period {period.label} "
        f"({period.start} to {period.end}): {span}; choose a period inside those dates. "
        "Nothing was written."
    )


def coverage_warning(priced: pd.DataFrame, period: Any) -> str | None:
    """A warning when the period runs past the log's dates (annualization would count days
    the log does not cover), naming the days covered; None when the log covers the period."""
    first, last = log_dates(priced)
    if first is None:
        return None
    start, end = max(first, period.start), min(last, period.end)
    covered = max(0, (end - start).days + 1)
    if period.days - covered <= COVERAGE_SLACK_DAYS:
        return None
    return (
        f"The period {period.label} ({period.start} to {period.end}, {period.days} days) "
        f"runs past the log's dates of service ({first} to {last}): the log covers "
        f"{covered} of its {period.days} days, but wRVUs are annualized over all "
        f"{period.days}, so annual figures and percentiles may be understated."
    )


def _basis(
    benchmark: BenchmarkSection | None,
    wrvu_total: float,
    factor: float,
    clinical_fte: float,
    releases: str,
) -> WrvuBasis | None:
    """The figure the benchmark compared (see :class:`WrvuBasis`), None without a benchmark."""
    if benchmark is None:
        return None
    wm = benchmark.metric("wrvu")
    credited_fte = wrvu_total * factor / clinical_fte if clinical_fte else 0.0
    credited_label = f"as credited on {releases}"
    if benchmark.basis_rvu_year is not None and benchmark.wrvu_period is not None:
        total = benchmark.wrvu_period
        fte = wm.value if wm is not None and wm.value is not None else total * factor / clinical_fte
        return WrvuBasis(
            like_for_like=True,
            label=f"on {benchmark.basis_rvu_year} RVUs, like-for-like",
            rvu_year=benchmark.basis_rvu_year,
            wrvu_total=total,
            wrvu_annualized=total * factor,
            wrvu_fte_adjusted=fte,
            credited_label=credited_label,
            credited_total=wrvu_total,
            credited_fte_adjusted=credited_fte,
            credited_percentile=_percentile_json(benchmark.credited_wrvu),
        )
    return WrvuBasis(
        like_for_like=False,
        label=credited_label,
        rvu_year=None,
        wrvu_total=wrvu_total,
        wrvu_annualized=wrvu_total * factor,
        wrvu_fte_adjusted=wm.value if wm is not None and wm.value is not None else credited_fte,
        credited_label=credited_label,
        credited_total=wrvu_total,
        credited_fte_adjusted=credited_fte,
        credited_percentile=_percentile_json(wm),
    )


def _quality_line(q: DataQuality) -> str:
    """Page 1's data-quality line: the row accounting, duplicates, lines left out."""
    text = (
        f"Rows read {q.rows_read:,} = priced {q.rows_priced:,} + credited zero "
        f"{q.rows_zero:,} + rejected {q.rows_rejected:,}; exact duplicate lines "
        f"{q.rows_duplicate:,} (flagged, counted in the totals)"
    )
    if q.rows_outside_period:
        text += f"; lines outside the period {q.rows_outside_period:,} (not counted)"
    return text + "."


def _w_units(usable: pd.DataFrame) -> pd.Series:
    """wRVU credits as integer ten-thousandths (exact sums)."""
    w = pd.to_numeric(usable["wrvu_credit"], errors="coerce").fillna(0)
    return (w * 10_000).round().astype("int64")


def _by_code(usable: pd.DataFrame, wrvu_total: float) -> tuple[CodeRow, ...]:
    """Rows per (code, fee-schedule modifier row) of the usable lines, largest wRVUs first.

    One groupby with plain sum/size/first/count reductions (named aggregation costs several
    times more on a clinician's few thousand lines); same groups, order and values.
    """
    if usable.empty:
        return ()
    frame = pd.DataFrame(
        {
            "hcpcs": usable["hcpcs"],
            "modifier": usable["mod_row"].fillna("") if "mod_row" in usable else "",
            "description": usable["description"],
            "units": usable["units"],
            "w_": _w_units(usable),
            "c_": pd.to_numeric(usable["payment_cents"], errors="coerce"),
        }
    )
    grouped = frame.groupby(["hcpcs", "modifier"], sort=False, dropna=False)
    sums = grouped[["units", "w_", "c_"]].sum()
    agg = pd.DataFrame(
        {
            "description": grouped["description"].first(),
            "lines": grouped.size(),
            "units": sums["units"],
            "w_": sums["w_"],
            "c_": sums["c_"],
            "c_known": grouped["c_"].count(),
        }
    ).reset_index()
    agg = agg.sort_values(["w_", "hcpcs", "modifier"], ascending=[False, True, True])
    rows = []
    r: Any  # an itertuples row (pandas-stubs types its fields as any scalar)
    for r in agg.itertuples(index=False):
        wrvu = int(r.w_) / 10_000
        cents = int(r.c_) if r.c_known else None
        rows.append(
            CodeRow(
                str(r.hcpcs),
                str(r.modifier),
                str(r.description or ""),
                int(r.lines),
                int(r.units),
                wrvu,
                cents,
                wrvu / wrvu_total if wrvu_total else 0.0,
            )
        )
    return tuple(rows)


def _by_month(usable: pd.DataFrame, period: Any) -> tuple[MonthRow, ...]:
    """Every month of the period (zeros included): lines, wRVUs, payment cents."""
    months = pd.period_range(pd.Timestamp(period.start), pd.Timestamp(period.end), freq="M")
    dates = pd.to_datetime(usable["date_of_service"])
    dated = dates.notna().to_numpy()
    # months since 1970-01 (NaT rows masked out by ``dated``)
    month = dates.to_numpy(dtype="datetime64[M]").astype("int64")
    w = _w_units(usable).to_numpy()
    c = pd.to_numeric(usable["payment_cents"], errors="coerce").fillna(0).astype("int64").to_numpy()
    rows = []
    for m in months:
        hit = dated & (month == (m.year - 1970) * 12 + m.month - 1)
        rows.append(
            MonthRow(
                month=m.start_time.date(),
                label=m.strftime("%b %Y"),
                lines=int(hit.sum()),
                wrvu_credit=int(w[hit].sum()) / 10_000,
                payment_cents=int(c[hit].sum()),
            )
        )
    return tuple(rows)


def _by_category(usable: pd.DataFrame, wrvu_total: float) -> tuple[CategoryRow, ...]:
    if usable.empty:
        return ()
    frame = pd.DataFrame(
        {
            "category": usable["category"].fillna("").replace("", "Other"),
            "units": usable["units"],
            "w": _w_units(usable),
            "c": pd.to_numeric(usable["payment_cents"], errors="coerce").fillna(0).astype("int64"),
        }
    )
    grouped = frame.groupby("category")
    sums = grouped[["units", "w", "c"]].sum()
    agg = pd.DataFrame(
        {"lines": grouped.size(), "units": sums["units"], "w": sums["w"], "c": sums["c"]}
    ).reset_index()
    agg = agg.sort_values(["w", "category"], ascending=[False, True])
    records: list[Any] = list(agg.itertuples(index=False))
    return tuple(
        CategoryRow(
            str(r.category),
            int(r.lines),
            int(r.units),
            int(r.w) / 10_000,
            int(r.c),
            (int(r.w) / 10_000) / wrvu_total if wrvu_total else 0.0,
        )
        for r in records
    )


def _unique(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame:
        return []
    values = frame[column].dropna().astype(str)
    return sorted(v for v in values.unique() if v)


def _run_facts(
    scope: pd.DataFrame,
    settings: PricingSettings,
    benchmark: BenchmarkSection | None,
    period: Any,
    usable: pd.DataFrame | None = None,
) -> tuple[Fact, ...]:
    if usable is None:
        usable = scope[scope["outcome"] != "rejected"]
    releases = _unique(usable, "fee_schedule_release") or ["none (no usable lines)"]
    cfs = sorted(
        {
            f"{float(v):.4f}"
            for v in usable.get("conversion_factor", pd.Series(dtype=float)).dropna()
        }
    )
    localities = _unique(usable, "locality") or [settings.zip_code or settings.locality]
    facts = [
        Fact(
            "Period",
            f"{period.label} ({period.start.isoformat()} to {period.end.isoformat()}, "
            f"{period.days} days)",
        ),
        Fact("Fee schedule release", ", ".join(releases)),
        Fact(
            "Conversion factor",
            ", ".join(f"${cf}" for cf in cfs) + (" (QP)" if settings.qp else "") if cfs else "n/a",
        ),
        Fact("Locality", ", ".join(localities)),
        Fact("Crediting policy", settings.policy),
    ]
    if benchmark is not None:
        edition = f"survey {benchmark.survey_year}" if benchmark.survey_year else ""
        if benchmark.data_year:
            edition += f" (data year {benchmark.data_year})"
        source = (
            "the bundled ILLUSTRATIVE sample (not survey data)"
            if benchmark.illustrative
            else benchmark.source
        )
        facts.append(
            Fact(
                "Benchmark",
                ", ".join(
                    x
                    for x in (
                        benchmark.specialty,
                        benchmark.region or "all regions",
                        edition,
                        source,
                    )
                    if x
                ),
            )
        )
    return tuple(facts)


def _methodology(
    model_bits: dict[str, Any], settings: PricingSettings, benchmark: BenchmarkSection | None
) -> tuple[Fact, ...]:
    policy_text = (
        "'medicare': the work RVU is adjusted for modifiers as Medicare adjusts payment "
        "(26 and TC rows, bilateral 150%, multiple procedures 50% after the first, co-surgeon "
        "62.5%, assistant at surgery 16%, AS 13.6%, split-care percentages); status B, P and "
        "other non-payable codes credit zero, and so do assistant, co-surgeon and team "
        "modifiers that the code's ASST/CO/TEAM SURG indicator says may not be paid. "
        "Multiple procedures are ranked per patient and day when the log has a patient or "
        "encounter column (used only as a random key, never shown). Without one, lines that "
        "may be different patients' are never ranked together: each is priced as billed, "
        "only a line carrying 51 is reduced (50%) as a secondary procedure, and page 1 states "
        "what ranking each day as one patient would credit instead."
        if settings.policy == "medicare"
        else "'full-credit': the work RVU x units without Medicare's payment-policy "
        "reductions (no multiple-procedure, endoscopy-family or imaging reduction; a "
        "bilateral item both sides in full, 200% where Medicare pays 150%), while the "
        "modifiers that mean part of the work keep their share (assistant 16%, AS 13.6%, "
        "co-surgeon 62.5%, split-care 54/55/56/78 percentages, 52/53 factors), also where "
        "Medicare does not pay the modifier; the 26/TC row choice and the status rules "
        "apply. No line is credited less than under 'medicare'."
    )
    items = [
        Fact(
            "Work RVUs credited",
            "Each line takes the work RVU of the CMS Physician Fee Schedule release in effect "
            f"on its date of service ({model_bits['releases']}), times units, under the "
            f"crediting policy {policy_text} Work RVUs are never adjusted by geography (GPCI).",
        ),
        Fact(
            "Estimated Medicare payment",
            "Per line: (work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x conversion "
            "factor, with the facility or non-facility PE RVU chosen by place of service, rounded "
            "to the cent, then the same modifier percentages; totals add whole cents.",
        ),
        Fact(
            "Annualization",
            f"Annualized wRVUs = period wRVUs x 365 / {model_bits['days']} days of the period "
            f"{model_bits['period']} (factor {model_bits['factor']:.4f}); the days of the "
            "period, not the span of dates in the log. Seasonality is not modeled.",
        ),
        Fact(
            "FTE",
            f"FTE-adjusted wRVUs = annualized wRVUs / clinical FTE ({model_bits['clinical_fte']:g}); "
            f"compensation is divided by total FTE ({model_bits['total_fte']:g}). Survey tables "
            "describe full-time (1.0 FTE) clinicians.",
        ),
    ]
    if benchmark is not None:
        n = benchmark.metric("wrvu")
        items.extend(
            [
                Fact(
                    "Percentiles",
                    "Linear interpolation between the adjacent published percentiles of the "
                    "benchmark row; a value below the lowest or above the highest published "
                    "percentile is reported as such, with no invented tail.",
                ),
                Fact(
                    "Compensation per wRVU",
                    "(Total compensation / total FTE) / FTE-adjusted wRVUs, placed on the survey's own "
                    "compensation-per-wRVU table (never a median divided by a median). The alignment "
                    "gap is the compensation percentile minus the wRVU percentile.",
                ),
                Fact(
                    "Benchmark source",
                    f"{benchmark.source}; specialty {benchmark.specialty}; survey year "
                    f"{benchmark.survey_year or 'n/a'}; data year {benchmark.data_year or 'n/a'}; "
                    f"region {benchmark.region or 'all'}"
                    + (f"; n = {n.n_providers:,} clinicians" if n and n.n_providers else "")
                    + ("." if not benchmark.note else f". {benchmark.note}"),
                ),
            ]
        )
    items.append(
        Fact(
            "Lines counted",
            "Rows read = rows priced + rows credited zero + rows rejected. Zero-credited "
            "and rejected rows, with their reasons, are listed in the workbook's "
            "Exceptions sheet; every line is in the Lines sheet with the fee-schedule "
            "row and adjustments used.",
        )
    )
    return tuple(items)


def _value_or_none(value: Any) -> float | None:
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(f) else f


def _r2(value: float) -> float:
    """Half-up to 2 decimals, as the PDF shows it (1110.855 -> 1110.86)."""
    rounded = round_half_up(value, 2)
    assert rounded is not None, "a number, not a missing value"
    return float(rounded)


def _percentile_json(metric: MetricBenchmark | None) -> Any:
    """A number inside the published range, else the label (``below p10``), as README documents."""
    if metric is None or metric.position == "":
        return None
    if metric.position == "within" and metric.percentile is not None:
        return metric.percentile
    return metric.percentile_label


def _charts(
    model_months: Sequence[MonthRow], codes: Sequence[CodeRow], benchmark: BenchmarkSection | None
) -> dict[str, str]:
    out = {
        "by_month": charts.monthly_bars(
            [
                (m.label[:3] if len(model_months) <= 12 else m.label, m.wrvu_credit)
                for m in model_months
            ]
        ),
        "top_codes": charts.top_code_bars(
            [
                ((c.hcpcs + (f"-{c.modifier}" if c.modifier else "")), c.wrvu_credit)
                for c in codes[:TOP_CODES]
                if c.wrvu_credit > 0
            ]
        ),
    }
    if benchmark is not None:
        for name in ("wrvu", "total_compensation", "compensation_per_wrvu"):
            m = benchmark.metric(name)
            if m is None or not m.anchors or m.value is None:
                continue
            fmt = (
                (lambda v: fmt_number(v, 0))
                if name == "wrvu"
                else (lambda v: "$" + fmt_number(v, 0) if v >= 1000 else "$" + fmt_number(v, 2))
            )
            out[f"percentile_{name}"] = charts.percentile_bar(
                m.anchors,
                m.percentile,
                m.position,
                marker_label=fmt_percentile(
                    m.percentile if m.position == "within" else m.percentile_label
                ),
                value_label=fmt(m.value),
                value_fmt=fmt,
                title=f"{m.label}: percentile",
            )
    return out


# ---------------------------------------------------------------------------- builder


def build_report_model(
    priced: pd.DataFrame,
    *,
    period: Any,
    settings: PricingSettings,
    benchmark: BenchmarkSection | None = None,
    provider_id: str = "",
    provider_name: str = "",
    specialty: str = "",
    clinical_fte: float = 1.0,
    total_fte: float | None = None,
    total_compensation: float | None = None,
    kind: str = "productivity",
    columns_dropped: Sequence[str] = (),
    rows_skipped: int = 0,
    warnings: Sequence[str] = (),
    section_context: Mapping[str, Any] | None = None,
    section_builders: Sequence[Callable[[SectionContext], Section | None]] | None = None,
) -> ReportModel:
    """Build the report model of one clinician.

    Args:
        priced: the clinician's priced lines (ARCHITECTURE.md section 3), any period.
        period: the reporting period (``rvubench.benchmarks.periods.Period``).
        settings: the pricing settings of the run (stated on the report).
        benchmark: the benchmark section (see :func:`benchmark_section`), or None.
        provider_id: provider id as exported.
        provider_name: display name, if known.
        specialty: benchmark specialty ("" when none was given).
        clinical_fte: clinical FTE (divides wRVUs).
        total_fte: total FTE (divides compensation); defaults to ``clinical_fte``.
        total_compensation: annual total compensation in dollars, if given.
        kind: ``"productivity"`` or ``"contract"``.
        columns_dropped: header names of patient columns dropped at read time.
        rows_skipped: non-data rows skipped by the reader (banners, totals).
        warnings: run warnings to print on the report.
        section_context: extra values passed to section builders (``SectionContext.extras``);
            ``clean_lines`` and ``benchmark_result`` keys fill the matching fields.
        section_builders: builders to call instead of :data:`SECTION_BUILDERS`.

    Returns:
        The :class:`ReportModel`.
    """
    total_fte = clinical_fte if total_fte is None else total_fte
    scope, outside = _in_scope(priced, period)
    usable = scope[scope["outcome"] != "rejected"]
    outcome = scope["outcome"]
    wrvu_total = _wrvu_sum(usable["wrvu_credit"])
    payment_cents = _cents_sum(usable["payment_cents"])
    factor = float(period.annualization_factor)
    wrvu_annualized = wrvu_total * factor
    wrvu_fte = wrvu_annualized / clinical_fte if clinical_fte else 0.0

    acc = summarize.accounting(scope)
    quality = DataQuality(
        rows_read=acc["rows_read"],
        rows_priced=acc["rows_priced"],
        rows_zero=acc["rows_zero"],
        rows_rejected=acc["rows_rejected"],
        zero_by_reason=_reason_counts(acc["zero_by_reason"]),
        rejected_by_reason=_reason_counts(acc["rejected_by_reason"]),
        rows_duplicate=int(scope["is_duplicate"].fillna(False).astype(bool).sum())
        if "is_duplicate" in scope
        else 0,
        rows_outside_period=outside,
        columns_dropped=tuple(columns_dropped),
        rows_skipped=rows_skipped,
        # file names only: a folder path can carry a person's name
        source_files=tuple(dict.fromkeys(Path(f).name for f in _unique(scope, "source_file"))),
    )
    by_code = _by_code(usable, wrvu_total)
    by_month = _by_month(usable, period)
    by_category = _by_category(usable, wrvu_total)

    comp_per_wrvu = None
    cpw_metric = benchmark.metric("compensation_per_wrvu") if benchmark is not None else None
    if cpw_metric is not None:
        comp_per_wrvu = cpw_metric.value
    elif total_compensation is not None and wrvu_fte > 0:
        comp_per_wrvu = (total_compensation / total_fte) / wrvu_fte

    releases = ", ".join(_unique(usable, "fee_schedule_release")) or "none"
    all_warnings = [reader_text(w) for w in warnings]
    coverage = coverage_warning(priced, period)
    if coverage and coverage not in all_warnings:
        all_warnings.insert(0, coverage)
    if benchmark is not None:
        all_warnings.extend(
            reader_text(w) for w in benchmark.warnings if reader_text(w) not in all_warnings
        )
    if quality.rows_rejected:
        all_warnings.append(
            f"{quality.rows_rejected:,} row(s) rejected: see the data-quality "
            "appendix and the Exceptions sheet."
        )
    notices = [CPT_NOTICE, ESTIMATE_NOTICE]
    if benchmark is not None and benchmark.illustrative:
        notices.insert(
            0,
            ILLUSTRATIVE_NOTICE + ": the bundled sample table is for trying "
            "rvubench out; use your own licensed survey export for real decisions.",
        )

    metric = benchmark.metric if benchmark is not None else (lambda _n: None)
    basis = _basis(benchmark, wrvu_total, factor, clinical_fte, releases)
    summary = {
        "provider_id": provider_id,
        "specialty": specialty or None,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "annualization_factor": round(factor, 6),
        "clinical_fte": clinical_fte,
        "total_fte": total_fte,
        "wrvu_total": _r2(wrvu_total),
        "wrvu_annualized": _r2(wrvu_annualized),
        "wrvu_fte_adjusted": _r2(wrvu_fte),
        "wrvu_percentile": _percentile_json(metric("wrvu")),
        "payment_total": payment_cents / 100,
        "total_compensation": total_compensation,
        "compensation_percentile": _percentile_json(metric("total_compensation")),
        "compensation_per_wrvu": None if comp_per_wrvu is None else _r2(comp_per_wrvu),
        "compensation_per_wrvu_percentile": _percentile_json(metric("compensation_per_wrvu")),
        "alignment_gap": None
        if benchmark is None or benchmark.alignment_gap is None
        else round(benchmark.alignment_gap, 1),
        "rows_read": quality.rows_read,
        "rows_priced": quality.rows_priced,
        "rows_zero": quality.rows_zero,
        "rows_rejected": quality.rows_rejected,
        "outputs": [],
        # the figure every percentile was computed from (the benchmarked basis)
        "wrvu_basis": None
        if basis is None
        else ("like-for-like" if basis.like_for_like else "as credited"),
        "wrvu_basis_rvu_year": None if basis is None else basis.rvu_year,
        "wrvu_benchmarked_total": None if basis is None else _r2(basis.wrvu_total),
        "wrvu_benchmarked_fte_adjusted": None if basis is None else _r2(basis.wrvu_fte_adjusted),
        "wrvu_credited_percentile": None if basis is None else basis.credited_percentile,
        "rows_duplicate": quality.rows_duplicate,
        "warnings": list(all_warnings),
    }
    lines = scope[[c for c in LINE_COLUMNS if c in scope.columns]].reset_index(drop=True)
    exceptions = scope.loc[
        outcome.isin(["zero", "rejected"]), [c for c in EXCEPTION_COLUMNS if c in scope.columns]
    ].reset_index(drop=True)
    title = (
        "Compensation and productivity review"
        if kind == "contract"
        else "Physician productivity report"
    )
    model = ReportModel(
        kind=kind,
        title=title,
        provider_id=provider_id,
        provider_name=provider_name,
        specialty=specialty,
        period_label=period.label,
        period_start=period.start,
        period_end=period.end,
        period_days=period.days,
        period_kind=getattr(period, "kind", "range"),
        document_date=period.end,
        run_facts=_run_facts(scope, settings, benchmark, period, usable),
        summary=summary,
        wrvu_total=wrvu_total,
        payment_total_cents=payment_cents,
        lines_count=len(usable),
        units_total=int(pd.to_numeric(usable["units"]).sum()),
        annualization_factor=factor,
        clinical_fte=clinical_fte,
        total_fte=total_fte,
        wrvu_annualized=wrvu_annualized,
        wrvu_fte_adjusted=wrvu_fte,
        total_compensation=total_compensation,
        compensation_per_wrvu=comp_per_wrvu,
        by_code=by_code,
        by_month=by_month,
        by_category=by_category,
        data_quality=quality,
        benchmark=benchmark,
        methodology=_methodology(
            {
                "releases": releases,
                "days": period.days,
                "period": period.label,
                "factor": factor,
                "clinical_fte": clinical_fte,
                "total_fte": total_fte,
            },
            settings,
            benchmark,
        ),
        notices=tuple(notices),
        warnings=tuple(all_warnings),
        charts=_charts(by_month, by_code, benchmark),
        lines=lines,
        exceptions=exceptions,
        basis=basis,
        data_quality_line=_quality_line(quality),
    )
    if kind == "contract":
        model.contract = contract_page(benchmark, total_compensation)
    extras = dict(section_context or {})
    ctx = SectionContext(
        priced=priced,
        in_period=scope,
        period=period,
        settings=settings,
        clean_lines=extras.pop("clean_lines", None),
        benchmark=extras.pop("benchmark_result", None),
        extras=extras,
    )
    for builder in SECTION_BUILDERS if section_builders is None else section_builders:
        section = builder(ctx)
        if section is not None:
            model.sections[section.key] = section
    return model


# ---------------------------------------------------------------------------- benchmark adapter


def _anchors(result: Any, metric: str) -> tuple[tuple[float, float], ...]:
    row = (getattr(result, "rows", None) or {}).get(metric)
    if row is None:
        return ()
    pairs = []
    for key, value in row.percentiles.items():
        pairs.append((float(str(key).lstrip("pP")), float(value)))
    return tuple(sorted(pairs))


def _as_credited_metric(credited: Any) -> MetricBenchmark | None:
    """The wRVU row as credited (not benchmarked), shown beside the benchmarked one."""
    if credited is None:
        return None
    row = _metric_from(
        credited,
        "wrvu",
        "Work RVUs (annualized, per clinical FTE, as credited; not used)",
        "wrvu",
        credited.wrvu_fte_adjusted,
        credited.wrvu_percentile,
    )
    return None if row is None else replace(row, metric="wrvu_as_credited")


def _metric_from(
    result: Any, metric: str, label: str, unit: str, value: Any, pct: Any
) -> MetricBenchmark | None:
    row = (getattr(result, "rows", None) or {}).get(metric)
    value = _value_or_none(value)
    if row is None and value is None:
        return None
    if pct is None:
        p_value, p_label, position = None, "n/a", ""
    else:
        p_value, position = pct.value, pct.position
        # "38th" (the one way percentiles are written); "below p10" outside the range
        p_label = fmt_percentile(pct.value) if position == "within" else pct.label
    return MetricBenchmark(
        metric=metric,
        label=label,
        unit=unit,
        value=value,
        percentile=p_value,
        percentile_label=p_label,
        position=position,
        anchors=_anchors(result, metric),
        n_providers=getattr(row, "n_providers", None),
        mean=getattr(row, "mean", None),
    )


def benchmark_section(
    result: Any, *, credited: Any = None, basis_rvu_year: int | None = None
) -> BenchmarkSection:
    """Turn a ``rvubench.benchmarks.tables.BenchmarkResult`` into the report's benchmark section.

    Args:
        result: the benchmark of the figure the report compares (its basis).
        credited: with like-for-like benchmarking, the benchmark of the wRVUs as credited on
            the RVUs in effect (shown beside the basis, labelled, never used for a ranking).
        basis_rvu_year: the RVU year ``result`` was credited on, when like-for-like.
    """
    metrics = [
        _metric_from(
            result,
            "wrvu",
            "Work RVUs (annualized, per clinical FTE"
            + (f", on {result.wrvu_basis})" if getattr(result, "wrvu_basis", "") else ")"),
            "wrvu",
            result.wrvu_fte_adjusted,
            result.wrvu_percentile,
        ),
        _metric_from(
            result,
            "total_compensation",
            "Total compensation (per total FTE)",
            "usd",
            result.compensation_fte_adjusted,
            result.compensation_percentile,
        ),
        _metric_from(
            result,
            "compensation_per_wrvu",
            "Compensation per wRVU",
            "usd",
            result.compensation_per_wrvu,
            result.compensation_per_wrvu_percentile,
        ),
    ]
    return BenchmarkSection(
        specialty=result.specialty,
        source=result.source,
        survey_year=result.survey_year,
        data_year=result.data_year,
        region=result.region,
        illustrative=bool(result.illustrative),
        note="",
        metrics=tuple(m for m in metrics if m is not None),
        alignment_gap=result.alignment_gap,
        implied_compensation=tuple(
            (float(i.percentile), i.compensation) for i in result.implied_compensation
        ),
        scenarios=tuple(
            Scenario(
                str(o.model),
                str(o.description),
                o.compensation,
                getattr(o, "compensation_per_wrvu", None),
                getattr(o, "compensation_percentile", None),
            )
            for o in result.scenarios
        ),
        targets=tuple(
            Target(float(t.percentile), t.annual_fte_wrvus, t.period_wrvus_needed)
            for t in result.targets
        ),
        warnings=tuple(result.warnings) + tuple(result.notes),
        wrvu_period=_value_or_none(getattr(result, "wrvu_total", None)),
        basis_rvu_year=basis_rvu_year,
        credited_wrvu=_as_credited_metric(credited),
    )
