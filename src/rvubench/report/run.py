"""One clinician's report, end to end: the library call behind ``rvubench report``.

:func:`run_report` reads the log, picks the clinician, prices the lines, chooses the
period, benchmarks, builds the report model once and renders the PDF and the workbook.
:func:`build_clinician_report` is the reusable second half (priced lines in, files out),
called per clinician by the batch run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from rvubench.atomic import safe_filename
from rvubench.batch.roster import FTE_MAX, FTE_MIN, MONEY_MAX
from rvubench.benchmarks.compensation import parse_comp_model
from rvubench.benchmarks.like_for_like import (
    DATA_YEAR_COLUMN,
    like_for_like,
    like_for_like_from_priced,
)
from rvubench.benchmarks.periods import latest_full_quarter, parse_period
from rvubench.benchmarks.tables import benchmark_clinician, load_benchmarks
from rvubench.errors import TemplateProblem, UsageProblem
from rvubench.feeschedule.cms import load_fee_schedules
from rvubench.ingest.log import read_log, require_data_rows
from rvubench.pricing.engine import OTHER_READING_COLUMN, id_column_used, other_reading, price_lines
from rvubench.pricing.settings import PricingSettings
from rvubench.report.formatting import fmt_percentile_phrase, fmt_rvu, fmt_signed, fmt_usd, fmt_usd0
from rvubench.report.model import (
    KINDS,
    ReportModel,
    benchmark_section,
    build_report_model,
    period_wrvu_total,
    require_lines_in_period,
)

FORMATS = ("pdf", "xlsx")


@dataclass(frozen=True)
class ReportOptions:
    """Everything ``rvubench report`` accepts (README, ``rvubench report``)."""

    logs: tuple[Path, ...]
    out_dir: Path
    provider: str | None = None
    specialty: str | None = None
    period: str | None = None
    benchmark: Path | None = None
    clinical_fte: float = 1.0
    total_fte: float | None = None
    compensation: float | None = None
    kind: str = "productivity"
    formats: tuple[str, ...] = FORMATS
    templates: Path | None = None
    settings: PricingSettings = field(default_factory=PricingSettings)
    mapping: Path | None = None
    sheet: str | None = None
    comp_models: tuple[str, ...] = ()
    region: str | None = None
    like_for_like: bool = True
    net_reversals: bool = False
    benchmark_sheet: str | None = None
    survey_year: int | None = None
    benchmark_metric: str | None = None
    name: str | None = None  # display name (--name); default: the log's provider name, if any


@dataclass
class ClinicianReport:
    """What :func:`build_clinician_report` wrote."""

    paths: list[Path]
    summary: dict[str, Any]
    model: ReportModel
    refused_urls: list[str] = field(default_factory=list)


@dataclass
class ReportOutcome:
    """Result of :func:`run_report`: files written, the ``--json`` summary and exit status."""

    paths: list[Path]
    summary: dict[str, Any]
    exit_code: int
    warnings: list[str] = field(default_factory=list)
    refused_urls: list[str] = field(default_factory=list)


def headline_lines(summary: Mapping[str, Any]) -> list[str]:
    """The report's key figures as short lines for the terminal (the ``--json`` summary, read).

    Every percentile is printed beside the figure it was computed from (the benchmarked
    basis); when that is not the figure as credited (like-for-like benchmarking), both are
    shown, labelled, with the difference. Example::

        IR-1001, Interventional Radiology, 2026-07-01 to 2026-09-30
          wRVUs 2,064.97 as credited (annualized 8,192.52; FTE-adjusted 8,192.52)
          benchmarked on 2025 RVUs (like-for-like): 8,392.64 FTE-adjusted wRVUs: 38th percentile
            (+200.12 vs as credited; as credited: 35th percentile)
          payment $95,074.10; compensation $540,000: 57th percentile
          compensation per wRVU $64.34 (on 8,392.64 wRVUs): 73rd percentile; alignment gap +18.5
    """

    def at(key: str) -> str:  # ": 38th percentile", a label as given, "" when missing
        value = summary.get(key)
        return "" if value is None else f": {fmt_percentile_phrase(value)}"

    who = ", ".join(str(v) for v in (summary.get("provider_id"), summary.get("specialty")) if v)
    lfl = summary.get("wrvu_basis") == "like-for-like"
    credited = (
        f"wRVUs {fmt_rvu(summary.get('wrvu_total'))}{' as credited' if lfl else ''} "
        f"(annualized {fmt_rvu(summary.get('wrvu_annualized'))}; FTE-adjusted "
        f"{fmt_rvu(summary.get('wrvu_fte_adjusted'))})"
    )
    out = [f"{who}, {summary.get('period_start')} to {summary.get('period_end')}"]
    if lfl:
        bench = summary.get("wrvu_benchmarked_fte_adjusted")
        diff = (bench or 0) - (summary.get("wrvu_fte_adjusted") or 0)
        out += [
            f"  {credited}",
            f"  benchmarked on {summary.get('wrvu_basis_rvu_year')} RVUs (like-for-like): "
            f"{fmt_rvu(bench)} FTE-adjusted wRVUs{at('wrvu_percentile')}",
            f"    ({fmt_signed(diff, 2)} vs as credited; as credited: "
            f"{fmt_percentile_phrase(summary.get('wrvu_credited_percentile'))})",
        ]
    else:
        out.append(f"  {credited}{at('wrvu_percentile')}")
    money = f"  payment {fmt_usd(summary.get('payment_total'))}"
    if summary.get("total_compensation") is not None:
        money += f"; compensation {fmt_usd0(summary['total_compensation'])}"
        money += at("compensation_percentile")
    out.append(money)
    if summary.get("compensation_per_wrvu") is not None:
        gap = summary.get("alignment_gap")
        on = f" (on {fmt_rvu(summary.get('wrvu_benchmarked_fte_adjusted'))} wRVUs)" if lfl else ""
        out.append(
            f"  compensation per wRVU {fmt_usd(summary['compensation_per_wrvu'])}{on}"
            + at("compensation_per_wrvu_percentile")
            + ("" if gap is None else f"; alignment gap {fmt_signed(gap)}")
        )
    if summary.get("multiple_procedure_rule"):
        out.append(f"  {summary['multiple_procedure_rule']}")
    return out


def parse_formats(text: str | Sequence[str]) -> tuple[str, ...]:
    """``"pdf,xlsx"`` -> ``("pdf", "xlsx")``; unknown names raise UsageProblem."""
    items = text.split(",") if isinstance(text, str) else list(text)
    out = tuple(dict.fromkeys(i.strip().lower() for i in items if i.strip()))
    bad = [f for f in out if f not in FORMATS]
    if bad or not out:
        raise UsageProblem(f"--format {','.join(items)!r}: use pdf, xlsx or pdf,xlsx")
    return out


def check_templates(templates: Path | None, kind: str) -> None:
    """Fail early (before any work) when the templates folder lacks what ``kind`` needs."""
    if kind not in KINDS:
        raise UsageProblem(f"--kind {kind!r}: use productivity or contract")
    if templates is None:
        return
    # lazy on purpose, like the renderers in build_clinician_report: jinja2 loads only
    # when PDFs are asked for
    from rvubench.report.pdf import STYLESHEET, TEMPLATES

    folder = Path(templates)
    if not folder.is_dir():
        raise TemplateProblem(f"--templates {folder}: not a folder")
    for name in (TEMPLATES[kind], STYLESHEET):
        if not (folder / name).is_file():
            raise TemplateProblem(f"template {name!r} not found in {folder}")


def check_contract_options(kind: str, specialty: str | None, compensation: float | None) -> None:
    """A contract review ranks productivity and pay against a survey: it needs both.

    Raises:
        UsageProblem: ``kind`` is contract and the specialty or the compensation is missing
            (the report would otherwise be a page of "n/a").
    """
    if kind != "contract":
        return
    missing = [
        name
        for name, value in (("--specialty", specialty), ("--compensation", compensation))
        if not value
    ]
    if missing:
        raise UsageProblem(
            f"--kind contract needs {' and '.join(missing)}: the review places the clinician's "
            "wRVUs and pay among the survey's percentiles (use --kind productivity without them)"
        )


def report_stem(provider_id: str, provider_name: str = "") -> str:
    """File stem of a clinician's report: the provider id (else name) made safe."""
    return safe_filename(provider_id or provider_name, default="report")


def build_clinician_report(
    priced: pd.DataFrame,
    *,
    period: Any,
    out_dir: Path,
    settings: PricingSettings,
    provider_id: str = "",
    provider_name: str = "",
    specialty: str | None = None,
    benchmark_table: Any = None,
    clinical_fte: float = 1.0,
    total_fte: float | None = None,
    total_compensation: float | None = None,
    region: str | None = None,
    comp_models: Sequence[Any] = (),
    kind: str = "productivity",
    formats: Sequence[str] = FORMATS,
    templates: Path | None = None,
    stem: str | None = None,
    columns_dropped: Sequence[str] = (),
    rows_skipped: int = 0,
    warnings: Sequence[str] = (),
    section_context: Mapping[str, Any] | None = None,
    like_for_like: bool = True,
) -> ClinicianReport:
    """Benchmark, model and render one clinician whose lines are already priced.

    Args:
        priced: the clinician's priced lines (any period; the model keeps the period's).
        period: the reporting period (``rvubench.benchmarks.periods.Period``).
        out_dir: folder for ``<stem>.pdf`` / ``<stem>.xlsx``.
        settings: pricing settings of the run (stated on the report).
        provider_id: provider id (also the default file stem).
        provider_name: display name.
        specialty: benchmark specialty; None or "" = no benchmark section.
        benchmark_table: a loaded ``BenchmarkTable`` (None = bundled sample, loaded here).
        clinical_fte: clinical FTE.
        total_fte: total FTE (defaults to clinical FTE).
        total_compensation: annual total compensation in dollars.
        region: benchmark region.
        comp_models: compensation models (``compensation.parse_comp_model`` results or text).
        kind: ``"productivity"`` or ``"contract"``.
        formats: any of ``"pdf"``, ``"xlsx"``.
        templates: templates folder replacing the bundled one.
        stem: file stem (default from provider id/name via ``safe_filename``).
        columns_dropped: patient columns dropped by the reader (shown in the appendix).
        rows_skipped: non-data rows skipped by the reader.
        warnings: run warnings to show.
        section_context: passed to the model's section builders; with ``clean_lines`` (the
            clinician's clean lines) and ``like_for_like`` on, wRVUs are also credited on the
            benchmark's data-year RVUs and the wRVU percentile uses that figure.
        like_for_like: benchmark wRVUs credited on the benchmark's data-year RVUs.

    Raises:
        SpecialtyNotFound, BenchmarkError, TemplateProblem, UsageProblem.
    """
    section = None
    lfl = None
    result = credited = None
    if specialty:
        table = benchmark_table if benchmark_table is not None else load_benchmarks(None)
        models = [parse_comp_model(m) if isinstance(m, str) else m for m in comp_models]
        named: str = specialty

        def bench(wrvu_total: float):
            return benchmark_clinician(
                wrvu_total=wrvu_total,
                period=period,
                specialty=named,
                table=table,
                clinical_fte=clinical_fte,
                total_fte=total_fte,
                total_compensation=total_compensation,
                region=region,
                comp_model=models or None,
            )

        result = bench(period_wrvu_total(priced, period))
        clean = (section_context or {}).get("clean_lines")
        lfl = (
            _like_for_like(clean, priced, period, settings, result.data_year)
            if like_for_like
            else None
        )
        if lfl is not None and not lfl.fallback and lfl.difference != 0:
            credited = result
            result = bench(lfl.wrvu_data_year)
            # a pay plan pays on wRVUs as credited (RVUs in effect), not on the survey's
            # RVU year: the model scenarios keep the credited figure
            result.scenarios = credited.scenarios
            result.wrvu_basis = f"{lfl.data_year} RVUs, like-for-like"
            result.notes.append(
                f"wRVUs compared like-for-like: the survey's {lfl.data_year} work was credited on "
                f"{lfl.data_year} RVUs, so these lines are too ({lfl.wrvu_data_year:,.2f} wRVUs "
                f"vs {lfl.wrvu_in_effect:,.2f} as credited)."
            )
        section = benchmark_section(
            result,
            credited=credited,
            basis_rvu_year=int(lfl.data_year) if lfl is not None and credited is not None else None,
        )
        specialty = result.specialty
    context = dict(section_context or {})
    if specialty and like_for_like and lfl is not None:
        context["like_for_like"] = lfl
    context.setdefault("benchmark_result", result)
    model = build_report_model(
        priced,
        period=period,
        settings=settings,
        benchmark=section,
        provider_id=provider_id,
        provider_name=provider_name,
        specialty=specialty or "",
        clinical_fte=clinical_fte,
        total_fte=total_fte,
        total_compensation=total_compensation,
        kind=kind,
        columns_dropped=columns_dropped,
        rows_skipped=rows_skipped,
        warnings=warnings,
        section_context=context,
    )
    model.multiple_procedure_rule = _multiple_procedure_rule(
        priced, period, settings, (section_context or {}).get("clean_lines")
    )
    model.summary["multiple_procedure_rule"] = model.multiple_procedure_rule
    stem = stem or report_stem(provider_id, provider_name)
    out_dir = Path(out_dir)
    paths: list[Path] = []
    refused: list[str] = []
    # the renderers are imported lazily on purpose: a run loads only the one it was asked
    # for (openpyxl adds about 0.1 s to a report's start, jinja2 about 0.05 s)
    if "xlsx" in formats:
        from rvubench.report.xlsx import render_xlsx

        paths.append(render_xlsx(model, out_dir / f"{stem}.xlsx"))
    if "pdf" in formats:
        from rvubench.report.pdf import render_pdf

        target = out_dir / f"{stem}.pdf"
        refused = render_pdf(model, target, templates)
        paths.append(target)
    paths.sort(key=lambda p: p.suffix != ".pdf")  # pdf first, as README lists them
    summary = dict(model.summary)
    if result is not None and result.wrvu_basis and lfl is not None:
        summary["wrvu_like_for_like"] = round(lfl.wrvu_data_year, 2)
        summary["like_for_like_rvu_year"] = lfl.data_year
    summary["outputs"] = [str(p) for p in paths]
    model.summary["outputs"] = summary["outputs"]
    return ClinicianReport(paths=paths, summary=summary, model=model, refused_urls=refused)


def multiple_procedure_sentence(
    id_used: str, without_ids: str, wrvu: float, wrvu_other: float | None
) -> str:
    """One sentence saying how multiple procedures were ranked and, for a log without ids,
    what the other reading would credit (``wrvu``: as credited; ``wrvu_other``: the same
    lines under the other ``without_ids`` rule).

    Example: "Multiple procedures: the log has no patient or encounter id, so lines are
    priced as billed (only lines carrying 51 reduced): 1,976.60 wRVUs. If each day were one
    patient: 1,531.58 wRVUs (-445.02 wRVUs, -22.5%)."
    """
    if id_used:
        return (
            f"Multiple procedures are ranked per {id_used} and day (the log's {id_used} "
            "column, used only as a random key)."
        )
    if without_ids == "as-billed":
        rule = "priced as billed (only lines carrying 51 reduced)"
        other = "If each day were one patient"
    else:
        rule = "ranked as if each day were one patient"
        other = "Priced as billed (only lines carrying 51 reduced)"
    text = (
        f"Multiple procedures: the log has no patient or encounter id, so lines are {rule}: "
        f"{fmt_rvu(wrvu)} wRVUs."
    )
    if wrvu_other is not None and round(wrvu_other - wrvu, 2) == 0:
        text = text[:-1] + "; ranking each day as one patient would credit the same."
    elif wrvu_other is not None:
        diff = round(wrvu_other - wrvu, 2)
        pct = f", {diff / wrvu:+.1%}" if wrvu else ""
        text += (
            f" {other}: {fmt_rvu(wrvu_other)} wRVUs "
            f"({'+' if diff > 0 else '-' if diff < 0 else ''}{fmt_rvu(abs(diff))} wRVUs"
            f"{pct})."
        )
    return text


def _multiple_procedure_rule(
    priced: pd.DataFrame, period: Any, settings: PricingSettings, clean: pd.DataFrame | None
) -> str:
    """The page-1 sentence on how multiple procedures were ranked; for a log without patient
    or encounter ids, with the period's wRVUs under the other reading (re-priced from the
    clean lines, or from the batch run's ``OTHER_READING_COLUMN``)."""
    id_used = id_column_used(clean if clean is not None else priced)
    wrvu = period_wrvu_total(priced, period)
    other = None
    alt: pd.DataFrame | None
    if not id_used:
        if OTHER_READING_COLUMN in priced.columns:
            alt = priced.assign(wrvu_credit=priced[OTHER_READING_COLUMN])
        elif clean is not None:
            # only the period's lines: ranking is per day, so a line's credit depends on its
            # own day's lines only (as like-for-like re-prices the period's lines); a year's
            # log reported by quarter is not priced a third time in full
            in_period = clean[period.contains(clean["date_of_service"])]
            fees = load_fee_schedules(settings.fee_schedule_files)
            alt = other_reading(in_period, fees, settings)
        else:
            alt = None
        other = period_wrvu_total(alt, period) if alt is not None else None
    return multiple_procedure_sentence(id_used, settings.without_ids, wrvu, other)


def _like_for_like(
    clean: pd.DataFrame | None,
    priced: pd.DataFrame,
    period: Any,
    settings: PricingSettings,
    data_year: int,
) -> Any:
    """The period's lines credited on ``data_year`` RVUs (None without lines).

    From the clean lines when given (re-priced on that year), else from a priced frame that
    already carries the data-year credits (batch runs add that column once for everyone).
    """
    fees = load_fee_schedules(settings.fee_schedule_files)
    in_period = priced[period.contains(priced["date_of_service"])]
    if clean is None:
        if DATA_YEAR_COLUMN.format(year=data_year) not in priced.columns or in_period.empty:
            return None
        return like_for_like_from_priced(in_period, fees, int(data_year))
    lines = clean[period.contains(clean["date_of_service"])]
    if lines.empty:
        return None
    return like_for_like(lines, fees, settings, int(data_year), priced_in_effect=in_period)


def _choose_provider(
    lines: pd.DataFrame, wanted: str | None, source: str
) -> tuple[pd.DataFrame, str, str]:
    """The lines of one clinician, its id and name; error when the choice is ambiguous."""
    ids = lines["provider_id"].fillna("").astype(str)
    found = sorted(v for v in ids.unique() if v)
    if wanted is not None:
        mask = ids.eq(wanted)
        if not mask.any():
            names = (
                lines.get("provider_name", pd.Series("", index=lines.index)).fillna("").astype(str)
            )
            mask = names.eq(wanted)
        if not mask.any():
            listing = ", ".join(found) or "none (the log has no provider column)"
            raise UsageProblem(
                f"--provider {wanted!r} not found in {source}; providers found: {listing}"
            )
        chosen = lines.loc[mask]
    elif len(found) > 1:
        listing = ", ".join(found[:20]) + (
            f" and {len(found) - 20} more" if len(found) > 20 else ""
        )
        raise UsageProblem(
            f"{source} holds {len(found)} providers: {listing}; choose one with --provider "
            "(or use 'rvubench batch' for all of them)"
        )
    else:
        chosen = lines
    pid = (
        wanted if wanted is not None and wanted in found else (found[0] if len(found) == 1 else "")
    )
    if wanted is not None and not pid:
        pid = str(chosen["provider_id"].iloc[0]) or wanted
    names = chosen.get("provider_name", pd.Series(dtype=str)).fillna("").astype(str)
    name = next((n for n in names if n), "")
    return chosen, pid, name


def check_amounts(
    clinical_fte: float | None, total_fte: float | None, compensation: float | None
) -> None:
    """FTEs between FTE_MIN and FTE_MAX (as a roster), compensation finite, 0..MONEY_MAX:
    nan, inf, 1e300 or 1e-320 would otherwise overflow the percentile arithmetic."""
    for opt, v in (("--clinical-fte", clinical_fte), ("--total-fte", total_fte)):
        if (v is not None or opt == "--clinical-fte") and not (
            v is not None and FTE_MIN <= v <= FTE_MAX
        ):
            raise UsageProblem(f"{opt} must be between {FTE_MIN} and {FTE_MAX}, got {v}")
    if compensation is not None and not 0 <= compensation <= MONEY_MAX:
        raise UsageProblem(
            f"--compensation must be an amount between 0 and {MONEY_MAX:,.0f}, got {compensation}"
        )


def run_report(
    options: ReportOptions, progress: Callable[[str], None] | None = None
) -> ReportOutcome:
    """Read, price, benchmark and render one clinician's report (``rvubench report``).

    Returns:
        The files written, the summary (the ``--json`` keys README documents) and the exit code:
        1 when rows were rejected (the files are still written), else 0.

    Raises:
        RvubenchError subclasses: unreadable log (2), several providers and no
        ``--provider`` (2), unknown specialty (2), broken template (2).

    ``progress``, when given, is called with a short line before each stage (reading,
    pricing, benchmarking and rendering), for a terminal.
    """
    say = progress or (lambda _text: None)

    formats = parse_formats(options.formats)
    check_templates(options.templates if "pdf" in formats else None, options.kind)
    check_contract_options(options.kind, options.specialty, options.compensation)
    check_amounts(options.clinical_fte, options.total_fte, options.compensation)
    period = parse_period(options.period) if options.period else None
    table = None
    if options.specialty:
        table = load_benchmarks(
            options.benchmark,
            sheet=options.benchmark_sheet,
            survey_year=options.survey_year,
            metric=options.benchmark_metric,
        )

    logs = tuple(Path(p) for p in options.logs)
    say(f"reading {', '.join(p.name for p in logs)}")
    ingest = read_log(
        logs if len(logs) != 1 else logs[0],
        mapping=options.mapping,
        sheet=options.sheet,
        net_reversals=options.net_reversals,
    )
    source = ", ".join(p.name for p in logs)
    require_data_rows(ingest, source)
    lines, pid, name = _choose_provider(ingest.lines, options.provider, source)
    if options.name:
        name = options.name
    say(f"pricing {len(lines):,} lines of {name or pid or 'the clinician'} on the CMS fee schedule")
    fees = load_fee_schedules(options.settings.fee_schedule_files)
    priced = price_lines(lines, fees, options.settings)
    if period is None:
        dates = pd.to_datetime(priced.loc[priced["outcome"] != "rejected", "date_of_service"])
        period = latest_full_quarter(dates.dropna())
    require_lines_in_period(priced, period, pid or name)
    warnings = [str(w) for w in getattr(ingest, "warnings", []) or []]
    say(
        f"benchmarking and rendering {period.label}: "
        + " and ".join({"pdf": "the PDF", "xlsx": "the workbook"}[f] for f in formats)
    )
    done = build_clinician_report(
        priced,
        period=period,
        out_dir=options.out_dir,
        settings=options.settings,
        provider_id=pid,
        provider_name=name,
        specialty=options.specialty,
        benchmark_table=table,
        clinical_fte=options.clinical_fte,
        total_fte=options.total_fte,
        total_compensation=options.compensation,
        region=options.region,
        comp_models=options.comp_models,
        kind=options.kind,
        formats=formats,
        templates=options.templates,
        columns_dropped=tuple(getattr(ingest, "columns_dropped", ()) or ()),
        rows_skipped=len(getattr(ingest, "skipped_rows", ()) or ()),
        warnings=warnings,
        section_context={"clean_lines": lines},
        like_for_like=options.like_for_like,
    )
    rejected = done.summary["rows_rejected"]
    if getattr(ingest, "sheets", None):  # workbook input: name the worksheet read
        done.summary["sheets"] = dict(ingest.sheets)
    return ReportOutcome(
        paths=done.paths,
        summary=done.summary,
        exit_code=1 if rejected else 0,
        warnings=list(done.model.warnings),
        refused_urls=done.refused_urls,
    )
