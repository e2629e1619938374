"""Locate data shipped with rvubench, in an installed wheel and in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent
_REPO = _PKG.parent.parent


def data_dir() -> Path:
    """Package data: bundled CMS files, header aliases."""
    return _PKG / "data"


def _top_level(name: str) -> Path:
    # In a wheel the folder is copied into the package (pyproject force-include);
    # in a source checkout or editable install it sits at the repository root.
    inside = _PKG / name
    return inside if inside.is_dir() else _REPO / name


def templates_dir() -> Path:
    """The bundled jinja2/CSS report templates."""
    return _top_level("report_templates")


def benchmark_dir() -> Path:
    """The bundled benchmark tables and FORMAT.md."""
    return _top_level("benchmark")
