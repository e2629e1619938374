"""`rvubench validate`: read a log as `price` and `report` do and say what was found."""

from __future__ import annotations

import json
from pathlib import Path

import click

from rvubench.cli.options import ingest_options, json_option
from rvubench.textsafe import escape_terminal


@click.command(name="validate")
@click.argument("log", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))  # fmt: skip
@ingest_options
@click.option("--exceptions", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write every rejected and skipped row (file, row, column, reason) to this CSV.")  # fmt: skip
@click.option("--insights", is_flag=True, default=False,
              help="Also list E/M lines and procedures inside global surgical periods "
              "(090/010/000) and the office E/M level mix.")  # fmt: skip
@json_option
def command(log, mapping, sheet, net_reversals, exceptions, insights, as_json) -> None:
    """Check LOG (files or folders) and print rows read, usable and rejected by reason,
    codes not in the fee schedule, dates, providers, columns used and patient columns
    dropped. Exit status 1 when any row was rejected, 2 when a file cannot be read.

    \b
    Example:
        rvubench validate sample_data/messy/ir_quarter_banner.csv
        rvubench validate exports/ --mapping my_export.toml --json
        rvubench validate sample_data/ir_quarter.csv --insights
    """
    from rvubench.ingest.validate import validate_log

    report = validate_log(list(log), mapping=mapping, sheet=sheet, net_reversals=net_reversals,
                          insights=insights)  # fmt: skip
    if exceptions is not None:
        report.write_exceptions(exceptions)
    if as_json:  # JSON escapes control characters itself
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:  # ids and cell text are data: printed with control sequences escaped
        click.echo("\n".join(escape_terminal(line) for line in report.to_text().split("\n")))
    if report.exit_code:
        raise SystemExit(report.exit_code)
