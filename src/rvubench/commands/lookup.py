"""`rvubench lookup` (stub: being built)."""

from __future__ import annotations

import click


@click.command(name="lookup")
def command() -> None:
    """Not built yet."""
    raise click.UsageError("'lookup' is not built yet")
