"""`rvubench report`: one clinician's PDF and workbook."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from rvubench.cli.options import (
    benchmark_read_options,
    ingest_options,
    json_option,
    pricing_options,
)
from rvubench.textsafe import escape_terminal


def _progress():
    """Stage lines ("reading ...", "pricing ...") on stderr when it is a terminal, else None."""
    if not sys.stderr.isatty():
        return None
    return lambda text: click.echo(f"{text} ...", err=True)


def _positive(ctx, param, value):
    if value is not None and not 0 < value < float("inf"):  # also refuses nan
        raise click.BadParameter(f"must be a number above 0, got {value:g}")
    return value


def _finite(ctx, param, value):
    if value is not None and not 0 <= value < float("inf"):  # also refuses nan
        raise click.BadParameter(f"must be an amount of 0 or more, got {value:g}")
    return value


@click.command(name="report")
@click.argument(
    "logs", nargs=-1, required=True, metavar="LOG...", type=click.Path(exists=True, path_type=Path)
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for <provider>.pdf and <provider>.xlsx (created if missing).",
)
@click.option(
    "--provider", default=None, help="Provider id (or name) to report when the log holds several."
)
@click.option(
    "--name",
    "display_name",
    default=None,
    help="The clinician's name as the report shows it (default: the log's provider "
    "name, else the provider id).",
)
@click.option(
    "--specialty",
    default=None,
    help="Benchmark specialty, e.g. 'Interventional Radiology'. Without it the "
    "report has no benchmark section.",
)
@click.option(
    "--period",
    default=None,
    help="2026Q2, 2026, 2026-03 or 2026-01-01:2026-06-30 (default: the latest full "
    "quarter in the log).",
)
@click.option(
    "--benchmark",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Your benchmark table (CSV/XLSX, benchmark/FORMAT.md); "
    "default: the bundled ILLUSTRATIVE sample.",
)
@click.option("--region", default=None, help="Benchmark region (default: National).")
@benchmark_read_options
@click.option(
    "--clinical-fte",
    type=float,
    default=1.0,
    show_default=True,
    callback=_positive,
    help="Clinical FTE; divides annualized wRVUs.",
)
@click.option(
    "--total-fte",
    type=float,
    default=None,
    callback=_positive,
    help="Total FTE; divides compensation (default: the clinical FTE).",
)
@click.option(
    "--compensation",
    type=float,
    default=None,
    callback=_finite,
    help="Annual total compensation in USD (for compensation percentiles and comp per wRVU).",
)
@click.option(
    "--comp-model",
    "comp_models",
    multiple=True,
    help="Compensation model scenario, repeatable: flat:55, tiered:0=45,5000=50 or "
    "base:250000,5000,50 (base, threshold wRVUs, rate).",
)
@click.option(
    "--kind",
    type=click.Choice(["productivity", "contract"]),
    default="productivity",
    show_default=True,
    help="'contract' leads with percentile, comp per wRVU, alignment "
    "gap and compensation scenarios, for a negotiation.",
)
@click.option(
    "--format",
    "formats",
    default="pdf,xlsx",
    show_default=True,
    help="Outputs to write: pdf, xlsx or pdf,xlsx.",
)
@click.option(
    "--templates",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of report templates replacing the bundled ones (copy report_templates/ and edit).",
)
@click.option(
    "--like-for-like/--no-like-for-like",
    "like_for_like",
    default=True,
    show_default=True,
    help="Also credit the lines on the benchmark's data-year RVUs and compute the wRVU "
    "percentile on that figure (surveys hold work credited on older RVUs).",
)
@pricing_options
@ingest_options
@json_option
def command(
    logs,
    out_dir,
    provider,
    display_name,
    specialty,
    period,
    benchmark,
    region,
    benchmark_sheet,
    survey_year,
    benchmark_metric,
    clinical_fte,
    total_fte,
    compensation,
    comp_models,
    kind,
    formats,
    templates,
    like_for_like,
    locality,
    zip_code,
    policy,
    fee_schedules,
    qp,
    default_pos,
    mapping,
    sheet,
    net_reversals,
    as_json,
) -> None:
    """Write one clinician's PDF report and Excel workbook.

    Prices every line of LOG (CSV, TSV, XLSX, or a folder of them) on the CMS fee schedule, credits work RVUs, annualizes and
    benchmarks them, and writes OUT/<provider>.pdf and OUT/<provider>.xlsx. Exit code 1 when
    rows were rejected (the files are still written), 2 for usage errors.

    \b
    Example (writes /tmp/rvubench-out/IR-1001.pdf and .xlsx):
        rvubench report sample_data/ir_quarter.csv --out /tmp/rvubench-out \\
            --specialty "Interventional Radiology" --compensation 540000 \\
            --name "Dr. Ana Ruiz" --kind contract --comp-model flat:55
    """
    from rvubench.pricing.settings import PricingSettings
    from rvubench.report.run import ReportOptions, headline_lines, parse_formats, run_report

    settings = PricingSettings(
        locality=locality,
        zip_code=zip_code,
        policy=policy,
        qp=qp,
        default_pos=default_pos,
        fee_schedule_files=tuple(fee_schedules),
    )
    outcome = run_report(
        ReportOptions(
            logs=tuple(logs),
            out_dir=out_dir,
            provider=provider,
            specialty=specialty,
            period=period,
            benchmark=benchmark,
            clinical_fte=clinical_fte,
            total_fte=total_fte,
            compensation=compensation,
            kind=kind,
            formats=parse_formats(formats),
            templates=templates,
            settings=settings,
            mapping=mapping,
            sheet=sheet,
            comp_models=tuple(comp_models),
            region=region,
            like_for_like=like_for_like,
            net_reversals=net_reversals,
            benchmark_sheet=benchmark_sheet,
            survey_year=survey_year,
            benchmark_metric=benchmark_metric,
            name=display_name,
        ),
        progress=_progress() if not as_json else None,
    )
    for url in outcome.refused_urls:
        click.echo(
            f"Warning: template asked for {url}; not fetched (only files inside the "
            "templates folder are used)",
            err=True,
        )
    s = outcome.summary
    for warning in outcome.warnings:
        if not warning.startswith("ILLUSTRATIVE"):  # the summary says it below, once
            click.echo(f"Warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps(s, indent=2))
    else:
        for line in headline_lines(s):
            click.echo(line)
        for path in outcome.paths:
            click.echo(f"wrote {path}", err=True)
    for file, sheet_read in s.get("sheets", {}).items():
        click.echo(f"sheet read: {Path(file).name} [{escape_terminal(sheet_read)}]", err=True)
    click.echo(
        f"rows read {s['rows_read']} = priced {s['rows_priced']} + credited zero "
        f"{s['rows_zero']} + rejected {s['rows_rejected']}; exact duplicate lines "
        f"{s.get('rows_duplicate', 0)} (flagged, counted in the totals)",
        err=True,
    )
    if outcome.exit_code:
        click.get_current_context().exit(outcome.exit_code)
