"""The ``rvubench`` command line: a thin layer over the library.

Each command lives in ``rvubench.cli.<name>``; it parses options, calls one library
function and prints. Errors derived from :class:`rvubench.errors.RvubenchError` become a
one-line ``Error: ...`` on stderr with the exit code the error carries (1 data, 2 usage).
"""

from __future__ import annotations

import gc
import os
import sys

# Workbooks are written fastest by render_xlsx's own text serializer, which openpyxl only
# lets run on its ElementTree path: with lxml installed openpyxl would switch to lxml and a
# 60,000-line Lines sheet takes about twice as long (perf/xlsx_writers.py). Set before
# anything imports openpyxl; a user's explicit OPENPYXL_LXML wins.
os.environ.setdefault("OPENPYXL_LXML", "False")

import click  # noqa: E402

from rvubench import __version__  # noqa: E402
from rvubench.errors import RvubenchError  # noqa: E402

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except RvubenchError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # e.g. `rvubench validate --json | head`
            sys.stderr.close()
            ctx.exit(0)


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="rvubench")
def cli() -> None:
    """Price procedure logs on the CMS Physician Fee Schedule, credit work RVUs,
    benchmark clinicians and write PDF/Excel reports. Everything runs locally.

    \b
    Example:
        rvubench report sample_data/ir_quarter.csv --out out/ --specialty "Interventional Radiology"
    """


def _register() -> None:
    from rvubench.cli import batch, lookup, price, report, validate

    for module in (lookup, price, validate, report, batch):
        cli.add_command(module.command)


_register()


def main() -> None:
    """Console-script entry point.

    When the command is done the process ends, and Python's shutdown runs one last full
    garbage collection over every object still alive: pandas, WeasyPrint, openpyxl and the
    run's data, ~0.05-0.1 s for a report that frees nothing (the objects die with the
    process). ``gc.freeze()`` first moves them out of the collector's reach; refcounting
    still frees what it frees and ``atexit`` handlers (temporary files) still run. The
    renderers collect their own cyclic garbage (WeasyPrint's temporary font folders) when
    they finish (``report.pdf.html_to_pdf``).
    """
    try:
        cli(prog_name="rvubench")
    finally:
        gc.freeze()
