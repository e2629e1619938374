"""`rvubench price` (stub: being built)."""

from __future__ import annotations

import click


@click.command(name="price")
def command() -> None:
    """Not built yet."""
    raise click.UsageError("'price' is not built yet")
