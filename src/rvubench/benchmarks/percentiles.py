"""Percentile math on one benchmark row: where a value stands, and the value at a percentile.

A survey publishes a few percentiles of a metric (p10, p25, p50, p75, p90, say). Between two
published percentiles rvubench interpolates linearly; outside the published range it says
"below pNN" / "above pNN" and never invents a tail. This module is a leaf: it knows only a
row's ``anchors`` (``[(percentile, value), ...]`` sorted by percentile), so the benchmark
tables and the compensation arithmetic can both use it without importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol


class Anchored(Protocol):
    """Anything with published percentiles, e.g. :class:`~rvubench.benchmarks.tables.BenchmarkRow`."""

    @property
    def anchors(self) -> Sequence[tuple[int, float]]: ...


@dataclass(frozen=True)
class PercentileResult:
    """Where a value stands in a benchmark row.

    Attributes:
        value: the interpolated percentile (e.g. 62.5); None outside the published range.
        label: ``"62.5"``, or ``"below p10"`` / ``"above p90"`` (the row's own lowest and
            highest published percentiles).
        position: ``"below"``, ``"within"`` or ``"above"``.
    """

    value: float | None
    label: str
    position: Literal["below", "within", "above"]

    def __str__(self) -> str:
        return self.label

    @property
    def json_value(self) -> float | str:
        """The number inside the published range, else the label (what ``--json`` prints)."""
        return self.value if self.value is not None else self.label

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return {"value": self.value, "label": self.label, "position": self.position}


def format_percentile(p: float) -> str:
    """``62.5`` -> "62.5", ``85.0`` -> "85", ``33.3333`` -> "33.3"."""
    return f"{p:.1f}".rstrip("0").rstrip(".")


def percentile_of(value: float, row: Anchored) -> PercentileResult:
    """The percentile of ``value`` in ``row``, piecewise-linear between published anchors.

    An exact anchor returns its percentile (on equal adjacent anchors, the
    lower percentile); between anchors ``p_lo + (p_hi - p_lo) * (v - x_lo) / (x_hi - x_lo)``;
    below the lowest anchor "below pNN", above the highest "above pNN" (no invented tail).
    Test vectors (p10..p90 = 3000, 3800, 4800, 6000, 7500): 3400 -> 17.5, 5400 -> 62.5,
    7000 -> 85, 2500 -> below p10, 8000 -> above p90.
    """
    v = float(value)
    if v != v:
        raise ValueError("percentile_of: value is NaN")
    anchors = row.anchors
    lo_p, lo_x = anchors[0]
    hi_p, hi_x = anchors[-1]
    if v < lo_x:
        return PercentileResult(None, f"below p{lo_p}", "below")
    if v > hi_x:
        return PercentileResult(None, f"above p{hi_p}", "above")
    for p, x in anchors:
        if v == x:
            return PercentileResult(float(p), format_percentile(p), "within")
    for (p0, x0), (p1, x1) in zip(anchors, anchors[1:], strict=False):
        if x0 < v < x1:
            pct = p0 + (p1 - p0) * (v - x0) / (x1 - x0)
            pct = round(pct, 6)
            return PercentileResult(pct, format_percentile(pct), "within")
    raise AssertionError("unreachable: value inside the anchors but no band found")


def value_at(percentile: float, row: Anchored) -> float | None:
    """The value at ``percentile`` (inverse of :func:`percentile_of`, for targets).

    Linear between the two published percentiles around it; an exact anchor returns its
    published value. Returns None when ``percentile`` is below the lowest or above the
    highest published percentile (no invented tail).
    """
    p = float(percentile)
    anchors = row.anchors
    if p < anchors[0][0] or p > anchors[-1][0]:
        return None
    for q, x in anchors:
        if p == q:
            return x
    for (p0, x0), (p1, x1) in zip(anchors, anchors[1:], strict=False):
        if p0 < p < p1:
            return x0 + (x1 - x0) * (p - p0) / (p1 - p0)
    raise AssertionError("unreachable")
