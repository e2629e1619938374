"""`rvubench batch` (stub: being built)."""

from __future__ import annotations

import click


@click.command(name="batch")
def command() -> None:
    """Not built yet."""
    raise click.UsageError("'batch' is not built yet")
