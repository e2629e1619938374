"""`rvubench price`: price every line of a log and write the priced CSV."""

from __future__ import annotations

from pathlib import Path

import click

from rvubench.cli.options import ingest_options, pricing_options
from rvubench.textsafe import escape_terminal


@click.command(name="price")
@click.argument(
    "log", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Priced CSV to write (one row per input line, in input order).",
)
@pricing_options
@ingest_options
def command(
    log,
    output,
    locality,
    zip_code,
    policy,
    fee_schedules,
    qp,
    default_pos,
    mapping,
    sheet,
    net_reversals,
) -> None:
    """Price every line of LOG on the CMS Physician Fee Schedule and write PRICED.csv.

    Each line gets the fee-schedule row, setting, locality, credited wRVUs, estimated
    Medicare payment, the adjustments applied and, when credited zero or rejected, the
    reason. Exit status 1 when any row was rejected.

    \b
    Example:
        rvubench price sample_data/ir_quarter.csv -o /tmp/priced.csv --locality 01182-18
    """
    from rvubench.pricing.engine import price_log
    from rvubench.pricing.settings import PricingSettings

    settings = PricingSettings(
        locality=locality,
        zip_code=zip_code,
        policy=policy,
        qp=qp,
        default_pos=default_pos,
        fee_schedule_files=tuple(fee_schedules),
    )
    outcome = price_log(
        list(log), output, settings, mapping=mapping, sheet=sheet, net_reversals=net_reversals
    )
    for w in outcome.warnings:
        click.echo(f"Warning: {w}", err=True)
    for file, sheet_read in outcome.sheets.items():
        click.echo(f"sheet read: {Path(file).name} [{escape_terminal(sheet_read)}]", err=True)
    click.echo(outcome.accounting_line, err=True)
    click.echo(f"Wrote {outcome.output}", err=True)
    if outcome.exit_code:
        raise SystemExit(outcome.exit_code)
