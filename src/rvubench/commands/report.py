"""`rvubench report` (stub: being built)."""

from __future__ import annotations

import click


@click.command(name="report")
def command() -> None:
    """Not built yet."""
    raise click.UsageError("'report' is not built yet")
