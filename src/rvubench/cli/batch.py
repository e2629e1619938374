"""`rvubench batch`: every roster clinician's report plus department.pdf / department.xlsx."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from rvubench.cli.options import (
    benchmark_read_options,
    ingest_options,
    json_option,
    pricing_options,
)
from rvubench.textsafe import escape_terminal


class _Progress:
    """A progress bar on a terminal, plain ``[3/14] FM-2001 done`` lines otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.bar: Any = None

    def __call__(self, done: int, total: int, provider_id: str, status: str) -> None:
        provider_id = escape_terminal(provider_id)  # an id is data: never a terminal command
        if not self.tty:
            click.echo(f"[{done}/{total}] {provider_id} {status}", err=True)
            return
        if self.bar is None:
            self.bar = click.progressbar(
                length=total, label="Clinician reports", file=sys.stderr, show_pos=True
            )
            self.bar.__enter__()
        self.bar.update(1, current_item=provider_id)

    def stage(self, text: str) -> None:
        """A step of the run (reading, pricing, writing), one line on stderr."""
        if self.bar is not None:  # the bar is done once the department files are written
            self.close()
        click.echo(f"{text} ...", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@click.command(name="batch")
@click.argument(
    "logs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path), metavar="LOG..."
)
@click.option(
    "--roster",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Roster CSV/XLSX: provider_id, specialty (required), name, clinical_fte, total_fte, "
    "total_compensation, locality; optional per-clinician comp_model, region, kind, "
    "like_for_like.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (created).",
)
@click.option(
    "--period",
    default=None,
    help="2026Q2, 2026, 2026-03 or 2026-01-01:2026-06-30 [default: the latest full quarter "
    "in the log].",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes [default: the machine's cores].",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Run the clinicians on a dask.distributed cluster (e.g. tcp://10.0.0.5:8786) "
    "instead of local processes; needs rvubench[dask], and --out on a file system every "
    "worker shares.",
)
@click.option(
    "--format",
    "formats",
    default="pdf,xlsx",
    show_default=True,
    help="Files to write per clinician and for the department: pdf, xlsx or pdf,xlsx.",
)
@click.option(
    "--benchmark",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Benchmark table (CSV/XLSX, benchmark/FORMAT.md) [default: bundled ILLUSTRATIVE sample].",
)
@benchmark_read_options
@click.option(
    "--templates",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of report templates to use instead of the bundled ones.",
)
@click.option(
    "--kind",
    type=click.Choice(["productivity", "contract"]),
    default="productivity",
    show_default=True,
    help="Clinician report kind ('contract' leads with pay against productivity and the "
    "scenarios); a roster column 'kind' wins for its clinician.",
)
@click.option(
    "--comp-model",
    "comp_models",
    multiple=True,
    help="Compensation model scenario for every clinician, repeatable: flat:55, "
    "tiered:0=45,5000=50 or base:250000,5000,50; a roster column 'comp_model' "
    "(several separated by ';') wins for its clinician.",
)
@click.option(
    "--region",
    default=None,
    help="Benchmark region (default: National); a roster column 'region' wins.",
)
@click.option(
    "--like-for-like/--no-like-for-like",
    "like_for_like",
    default=True,
    show_default=True,
    help="Credit the lines on the benchmark's data-year RVUs for the wRVU percentile; a "
    "roster column 'like_for_like' (yes/no) wins for its clinician.",
)
@click.option(
    "--title",
    default="",
    help="The department's name in department.pdf's title (default: the roster file's name).",
)
@pricing_options
@ingest_options
@json_option
def command(
    logs: tuple[Path, ...],
    roster: Path,
    out_dir: Path,
    period: str | None,
    jobs: int | None,
    scheduler: str | None,
    formats: str,
    benchmark: Path | None,
    benchmark_sheet: str | None,
    survey_year: int | None,
    benchmark_metric: str | None,
    templates: Path | None,
    kind: str,
    comp_models: tuple[str, ...],
    region: str | None,
    like_for_like: bool,
    title: str,
    locality: str,
    zip_code: str | None,
    policy: str,
    fee_schedules: tuple[Path, ...],
    qp: bool,
    default_pos: str,
    mapping: Path | None,
    sheet: str | None,
    net_reversals: bool,
    as_json: bool,
) -> None:
    """One report per roster clinician, plus DIR/department.pdf and DIR/department.xlsx.

    LOG is one combined log (every clinician's lines, with a provider_id column) or a
    folder of logs. Clinicians run in parallel; one that fails is listed with the reason
    (in the department files and here) and the others complete; the exit code is then 1.
    Providers in the log but not in the roster, and roster clinicians without lines, are
    listed too.

    \b
    Example (16 roster clinicians; writes into /tmp/rvubench-dept):
        rvubench batch sample_data/department.csv \\
            --roster sample_data/department_roster.csv --out /tmp/rvubench-dept \\
            --period 2026Q3 --title "Example Health System" --kind contract
    """
    from rvubench.batch.run import BatchOptions, run_batch
    from rvubench.pricing.settings import PricingSettings

    settings = PricingSettings(
        locality=locality,
        zip_code=zip_code,
        policy=policy,
        qp=qp,
        default_pos=default_pos,
        fee_schedule_files=tuple(fee_schedules),
    )
    options = BatchOptions(
        logs=tuple(logs),
        roster=roster,
        out_dir=out_dir,
        period=period,
        jobs=jobs if jobs is not None else (os.cpu_count() or 1),
        formats=tuple(formats.split(",")),
        settings=settings,
        benchmark=benchmark,
        benchmark_sheet=benchmark_sheet,
        survey_year=survey_year,
        benchmark_metric=benchmark_metric,
        templates=templates,
        mapping=mapping,
        sheet=sheet,
        net_reversals=net_reversals,
        kind=kind,
        scheduler=scheduler,
        comp_models=tuple(comp_models),
        region=region,
        like_for_like=like_for_like,
        title=title,
    )
    if comp_models:
        from rvubench.benchmarks.compensation import parse_comp_model

        for text in comp_models:  # a bad model is a usage error before any work starts
            parse_comp_model(text)
    progress = _Progress()
    try:
        outcome = run_batch(options, progress=progress, stage=progress.stage)
    finally:
        progress.close()

    for provider_id, reason in outcome.failures:
        click.echo(f"FAILED {escape_terminal(provider_id)}: {escape_terminal(reason)}", err=True)
    for warning in outcome.warnings:
        click.echo(f"Warning: {escape_terminal(warning)}", err=True)
    for file, sheet_read in outcome.sheets.items():
        click.echo(f"sheet read: {Path(file).name} [{escape_terminal(sheet_read)}]", err=True)
    counts = outcome.department.counts()
    click.echo(
        f"{outcome.period_label}: {counts['reported']} of {counts['roster']} roster clinicians "
        f"reported, {counts['failed']} failed, {counts['no_lines']} without lines, "
        f"{counts['not_in_roster']} provider(s) not in the roster; files in {outcome.out_dir}",
        err=True,
    )
    if outcome.timings:
        click.echo(timing_line(outcome.timings), err=True)
    if as_json:
        click.echo(json.dumps(outcome.summary(), indent=2))
    if outcome.exit_code:
        click.get_current_context().exit(outcome.exit_code)


def timing_line(timings: dict[str, float]) -> str:
    """Where a batch's time went, for the terminal (and perf/batch.py), e.g.
    "time: 311.2 s: reading and pricing 10.8 s, reports 296.0 s, department files 4.4 s".
    """
    parts = (
        ("reading and pricing", timings.get("read_price_s", 0.0)),
        ("reports", timings.get("reports_s", 0.0)),
        ("department files", timings.get("department_s", 0.0)),
    )
    total = sum(seconds for _, seconds in parts)
    return f"time: {total:.1f} s: " + ", ".join(f"{name} {sec:.1f} s" for name, sec in parts)
