"""Option groups shared by several commands (one definition, one help text)."""

from __future__ import annotations

import re
from pathlib import Path

import click

LOCALITY_RE = re.compile(r"^(national|\d{5}-\d{2})$")


def _check_locality(ctx, param, value):
    if value is None:
        return value
    v = value.strip().lower() if value.strip().lower() == "national" else value.strip()
    if not LOCALITY_RE.match(v):
        raise click.BadParameter(
            f"{value!r} is not a locality; write MAC-LL, e.g. 10112-00 (Alabama) or "
            "01182-18 (Los Angeles), or 'national'."
        )
    return v


locality_option = click.option(
    "--locality",
    default="national",
    show_default=True,
    callback=_check_locality,
    help="CMS payment locality MAC-LL (e.g. 01182-18) or 'national' (all GPCIs 1.000). "
    "A 'locality' column in the log wins for its line.",
)
zip_option = click.option(
    "--zip",
    "zip_code",
    default=None,
    help="ZIP code where services were rendered; resolves the CMS locality (overrides --locality).",
)
policy_option = click.option(
    "--policy",
    type=click.Choice(["medicare", "full-credit"]),
    default="medicare",
    show_default=True,
    help="wRVU crediting: 'medicare' adjusts for modifiers as Medicare pays; 'full-credit' "
    "drops the payment-policy reductions (multiple procedure, endoscopy, imaging; bilateral "
    "both sides in full) and keeps the share of 80-82/AS, 62, 54-56/78, 52, 53.",
)
fee_schedule_option = click.option(
    "--fee-schedule",
    "fee_schedules",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Your own CMS PPRRVU download (CSV or XLSX, as CMS publishes it); repeatable. "
    "Each line is priced on the release in effect on its date of service.",
)
qp_option = click.option(
    "--qp",
    is_flag=True,
    default=False,
    help="Use the 2026 Qualifying APM Participant conversion factor (33.5675) instead of "
    "non-QP (33.4009).",
)
default_pos_option = click.option(
    "--default-pos",
    default="11",
    show_default=True,
    help="Place of service for lines without one (decides facility vs non-facility).",
)
mapping_option = click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="TOML file mapping your export's headers to rvubench columns.",
)
sheet_option = click.option(
    "--sheet", default=None, help="XLSX sheet name (default: the first sheet with a log header)."
)
json_option = click.option(
    "--json", "as_json", is_flag=True, default=False, help="Print machine-readable JSON on stdout."
)


def pricing_options(f):
    """--locality, --zip, --policy, --fee-schedule, --qp, --default-pos."""
    for opt in reversed(
        [
            locality_option,
            zip_option,
            policy_option,
            fee_schedule_option,
            qp_option,
            default_pos_option,
        ]
    ):
        f = opt(f)
    return f


net_reversals_option = click.option(
    "--net-reversals",
    is_flag=True,
    default=False,
    help="Net a negative-unit row (a reversal) against its charge (same provider, date, code "
    "and modifiers) instead of rejecting it.",
)


def ingest_options(f):
    """--mapping, --sheet, --net-reversals."""
    for opt in reversed([mapping_option, sheet_option, net_reversals_option]):
        f = opt(f)
    return f


def benchmark_read_options(f):
    """How a survey export is read: its sheet, survey year and (single-metric) metric."""
    f = click.option(
        "--benchmark-metric", default=None,
        help="Metric of a single-metric benchmark table without a metric column: wrvu, "
             "total_compensation or compensation_per_wrvu (default: a title row naming it, "
             "e.g. 'Work RVUs').",
    )(f)  # fmt: skip
    f = click.option(
        "--survey-year", type=int, default=None,
        help="Survey year: keeps that year in a benchmark file with a year column, or names "
             "it for a file without one (default: a year in a title row above the header).",
    )(f)  # fmt: skip
    return click.option(
        "--benchmark-sheet", default=None,
        help="Sheet of an XLSX benchmark table (default: the first sheet).",
    )(f)  # fmt: skip
