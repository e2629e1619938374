"""`rvubench validate` (stub: being built)."""

from __future__ import annotations

import click


@click.command(name="validate")
def command() -> None:
    """Not built yet."""
    raise click.UsageError("'validate' is not built yet")
