"""`rvubench lookup`: one code as a card (RVUs, payments, place in its category)."""

from __future__ import annotations

import json

import click

from rvubench.cli.options import json_option, locality_option, qp_option, zip_option


@click.command(name="lookup")
@click.argument("code")
@click.option("--modifier", default="", help="Fee-schedule row to show: 26, TC or 53.")
@click.option(
    "--year",
    type=int,
    default=None,
    help="Fee-schedule year (latest loaded release of that year); default: latest.",
)
@click.option(
    "--fee-schedule",
    "fee_schedules",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Your own CMS PPRRVU download (CSV or XLSX); repeatable.",
)
@locality_option
@zip_option
@qp_option
@json_option
def command(code, modifier, year, fee_schedules, locality, zip_code, qp, as_json) -> None:
    """Show CODE: status, global days, work RVU, total RVUs and Medicare payment (facility
    and non-facility), and the work RVU's percentile among the codes of its category.

    \b
    Example:
        rvubench lookup 47383
        rvubench lookup 70553 --modifier 26 --locality 01182-18 --json
        rvubench lookup 47383 --year 2025
    """
    from rvubench.feeschedule.cms import load_fee_schedules
    from rvubench.feeschedule.lookup import LOOKUP_KEYS, format_card, lookup_code

    fees = load_fee_schedules(tuple(fee_schedules))
    card = lookup_code(
        code, modifier=modifier, locality=locality, zip_code=zip_code, year=year, qp=qp, fees=fees
    )
    if as_json:
        click.echo(json.dumps({k: card[k] for k in (*LOOKUP_KEYS, "notes")}, indent=2))
    else:
        click.echo(format_card(card))
