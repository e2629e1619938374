"""Charts as hand-built SVG strings (no plotting library): cheap to draw, crisp in print.

Every chart is greyscale with solid dark bars and black text, so it reads the same on a
black-and-white printer. Labels are XML-escaped: codes and names come from user files.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

from rvubench.report.formatting import fmt_number, fmt_rvu

FONT = "DejaVu Sans, sans-serif"
INK = "#000000"
BAR = "#3a3a3a"
BAR_ALT = "#8c8c8c"
GRID = "#c8c8c8"
BAND = ("#e6e6e6", "#cfcfcf")


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float = 10,
    anchor: str = "middle",
    weight: str = "normal",
    fill: str = INK,
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'text-anchor="{anchor}" font-weight="{weight}" fill="{fill}">{escape(text)}</text>'
    )


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _nice_max(value: float) -> float:
    """Smallest 1/2/2.5/5 x 10^k at or above ``value`` (axis top), 1 for an empty chart."""
    if value <= 0:
        return 1.0
    k = 1.0
    while k * 10 <= value:
        k *= 10
    while k > value:
        k /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * k >= value:
            return step * k
    return 10 * k  # pragma: no cover


def monthly_bars(
    months: Sequence[tuple[str, float]],
    *,
    title: str = "wRVUs by month",
    value_fmt: Callable[[float], str] = fmt_rvu,
) -> str:
    """Vertical bars, one per month (zero months drawn as an empty slot with "0.00").

    Args:
        months: ``(label, value)`` in calendar order, e.g. ``("Jul 2026", 412.3)``.
        title: accessible title of the chart.
        value_fmt: formatter of the value printed above each bar.
    """
    width, height = 680, 190
    left, right, top, bottom = 56, 10, 22, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((v for _, v in months), default=0.0))
    body: list[str] = []
    for i in range(5):  # gridlines at 0, 25, 50, 75, 100 % of the axis
        v = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="0.8"/>'
        )
        body.append(_text(left - 6, y + 3.5, fmt_number(v, 0), size=9, anchor="end"))
    n = max(len(months), 1)
    slot = plot_w / n
    bar_w = min(slot * 0.64, 60)
    label_size = 9 if n <= 14 else 7
    for i, (label, value) in enumerate(months):
        x = left + slot * i + (slot - bar_w) / 2
        h = plot_h * max(value, 0.0) / top_value
        y = top + plot_h - h
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{BAR}"/>'
        )
        if n <= 18:
            body.append(_text(x + bar_w / 2, y - 4, value_fmt(value), size=label_size))
        body.append(_text(x + bar_w / 2, top + plot_h + 14, label, size=label_size))
    body.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    body.append(_text(left - 6, top - 8, "wRVUs", size=9, anchor="end"))
    return _svg(width, height, body, title)


def top_code_bars(
    codes: Sequence[tuple[str, float]],
    *,
    title: str = "Top codes by wRVU",
    value_fmt: Callable[[float], str] = fmt_rvu,
) -> str:
    """Horizontal bars, largest first, one row per code (``(label, value)`` pairs)."""
    row_h = 20
    width = 680
    left, right, top = 110, 70, 8
    height = top + row_h * max(len(codes), 1) + 8
    plot_w = width - left - right
    top_value = max((v for _, v in codes), default=0.0) or 1.0
    body: list[str] = []
    for i, (label, value) in enumerate(codes):
        y = top + i * row_h
        w = plot_w * max(value, 0.0) / top_value
        body.append(_text(left - 8, y + 14, label, size=10, anchor="end"))
        body.append(
            f'<rect x="{left}" y="{y + 3:.1f}" width="{w:.1f}" height="{row_h - 6}" fill="{BAR}"/>'
        )
        body.append(_text(left + w + 6, y + 14, value_fmt(value), size=10, anchor="start"))
    body.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - 8}" stroke="{INK}" stroke-width="1"/>'
    )
    return _svg(width, height, body, title)


def percentile_bar(
    anchors: Sequence[tuple[float, float]],
    percentile: float | None,
    position: str,
    *,
    marker_label: str,
    value_label: str = "",
    title: str = "Percentile among surveyed clinicians",
    value_fmt: Callable[[float], str] = lambda v: fmt_number(v, 0),
) -> str:
    """Where the clinician sits among the published percentiles (e.g. p10..p90).

    The axis is the percentile scale (0..100); shaded bands lie between adjacent published
    anchors, each tick shows the anchor's percentile and value. The marker sits at the
    clinician's interpolated percentile; below the lowest or above the highest anchor it
    sits in the open margin with an arrow (no invented tail percentile).

    Args:
        anchors: ``(percentile, value)`` pairs, ascending.
        percentile: interpolated percentile, or None when outside the anchors.
        position: ``"below"``, ``"within"`` or ``"above"``.
        marker_label: text by the marker, e.g. ``"62.5th"`` or ``"below p10"``.
        value_label: the clinician's value, printed under the marker label.
        title: accessible title.
        value_fmt: formatter of anchor values.
    """
    width, height = 680, 118
    left, right = 20, 20
    bar_y, bar_h = 52, 22
    plot_w = width - left - right

    def x_of(p: float) -> float:
        return left + plot_w * p / 100

    body: list[str] = [
        f'<rect x="{left}" y="{bar_y}" width="{plot_w}" height="{bar_h}" fill="#ffffff" '
        f'stroke="{INK}" stroke-width="0.8"/>'
    ]
    ordered = sorted(anchors)
    for i, (lo, hi) in enumerate(zip(ordered, ordered[1:], strict=False)):
        body.append(
            f'<rect x="{x_of(lo[0]):.1f}" y="{bar_y}" width="{x_of(hi[0]) - x_of(lo[0]):.1f}" '
            f'height="{bar_h}" fill="{BAND[i % 2]}"/>'
        )
    for p, v in ordered:
        x = x_of(p)
        body.append(
            f'<line x1="{x:.1f}" y1="{bar_y}" x2="{x:.1f}" y2="{bar_y + bar_h + 4}" '
            f'stroke="{INK}" stroke-width="0.8"/>'
        )
        body.append(_text(x, bar_y + bar_h + 16, f"p{p:g}", size=9, weight="bold"))
        body.append(_text(x, bar_y + bar_h + 28, value_fmt(v), size=9))
    if ordered:
        if position == "below" or (percentile is None and position != "above"):
            mx = x_of(ordered[0][0] / 2)
            arrow = f'<path d="M{mx - 9:.1f},{bar_y + bar_h / 2:.1f} l9,-6 v12 z" fill="{INK}"/>'
        elif position == "above":
            mx = x_of((ordered[-1][0] + 100) / 2)
            arrow = f'<path d="M{mx + 9:.1f},{bar_y + bar_h / 2:.1f} l-9,-6 v12 z" fill="{INK}"/>'
        else:
            mx = x_of(percentile or 0.0)
            arrow = ""
        body.append(
            f'<line x1="{mx:.1f}" y1="{bar_y - 6}" x2="{mx:.1f}" y2="{bar_y + bar_h}" '
            f'stroke="{INK}" stroke-width="3"/>'
        )
        body.append(f'<path d="M{mx - 6:.1f},{bar_y - 14} h12 l-6,8 z" fill="{INK}"/>')
        body.append(arrow)
        anchor = "start" if mx < left + 60 else "end" if mx > width - right - 60 else "middle"
        text = marker_label + (f"  ({value_label})" if value_label else "")
        body.append(_text(mx, bar_y - 20, text, size=11, anchor=anchor, weight="bold"))
    return _svg(width, height, body, title)


#: Marker shapes told apart in black and white (one per group of a scatter).
MARKERS = (
    "circle",
    "square",
    "triangle",
    "diamond",
    "cross",
    "circle-open",
    "square-open",
    "triangle-open",
)


def _marker(shape: str, x: float, y: float, r: float = 5.0) -> str:
    open_ = shape.endswith("-open")
    base = shape.removesuffix("-open")
    style = (
        f'fill="#ffffff" stroke="{INK}" stroke-width="1.4"'
        if open_
        else f'fill="{BAR}" stroke="{INK}" stroke-width="0.8"'
    )
    if base == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" {style}/>'
    if base == "triangle":
        pts = f"{x:.1f},{y - r * 1.2:.1f} {x - r * 1.1:.1f},{y + r * 0.9:.1f} {x + r * 1.1:.1f},{y + r * 0.9:.1f}"
        return f'<polygon points="{pts}" {style}/>'
    if base == "diamond":
        pts = f"{x:.1f},{y - r * 1.3:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r * 1.3:.1f} {x - r:.1f},{y:.1f}"
        return f'<polygon points="{pts}" {style}/>'
    if base == "cross":
        return (
            f'<path d="M{x - r:.1f},{y - r:.1f} L{x + r:.1f},{y + r:.1f} M{x - r:.1f},{y + r:.1f} '
            f'L{x + r:.1f},{y - r:.1f}" stroke="{INK}" stroke-width="2" fill="none"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {style}/>'


def percentile_quadrant(
    points: Sequence[tuple[str, float, float, str]],
    *,
    legend: Sequence[tuple[str, str]] = (),
    label_points: bool = True,
    title: str = "Compensation percentile against wRVU percentile",
    width: int = 520,
    height: int = 360,
) -> str:
    """A scatter of compensation percentile (y) against wRVU percentile (x), 0-100 each.

    The p50 lines split the plot into four quadrants, named in their corners (paid above or
    below the productivity rank). A value below the lowest or above the highest published
    percentile is drawn at its edge (callers pass e.g. 5 for "below p10", 95 for "above p90").

    Args:
        points: ``(label, wRVU percentile, compensation percentile, marker shape)``; shapes
            are :data:`MARKERS`.
        legend: ``(shape, text)`` pairs printed under the plot (e.g. one per specialty).
        label_points: print each point's label beside it.
    """
    left, right, top = 48, 14, 14
    bottom = 40 + 16 * ((len(legend) + 2) // 3)
    pw, ph = width - left - right, height - top - bottom

    def px(p: float) -> float:
        return left + pw * max(0.0, min(100.0, p)) / 100

    def py(p: float) -> float:
        return top + ph * (1 - max(0.0, min(100.0, p)) / 100)

    body = [
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#ffffff" stroke="{INK}" stroke-width="1"/>'
    ]
    for p in (10, 25, 75, 90):
        body.append(
            f'<line x1="{px(p):.1f}" y1="{top}" x2="{px(p):.1f}" y2="{top + ph}" stroke="{GRID}" stroke-width="0.6"/>'
        )
        body.append(
            f'<line x1="{left}" y1="{py(p):.1f}" x2="{left + pw}" y2="{py(p):.1f}" stroke="{GRID}" stroke-width="0.6"/>'
        )
    body.append(
        f'<line x1="{px(50):.1f}" y1="{top}" x2="{px(50):.1f}" y2="{top + ph}" stroke="{INK}" stroke-width="1.4" stroke-dasharray="5,3"/>'
    )
    body.append(
        f'<line x1="{left}" y1="{py(50):.1f}" x2="{left + pw}" y2="{py(50):.1f}" stroke="{INK}" stroke-width="1.4" stroke-dasharray="5,3"/>'
    )
    for p in (0, 10, 25, 50, 75, 90, 100):
        body.append(_text(px(p), top + ph + 12, f"p{p}" if p not in (0, 100) else str(p), size=8))
        body.append(
            _text(
                left - 4, py(p) + 3, f"p{p}" if p not in (0, 100) else str(p), size=8, anchor="end"
            )
        )
    body.append(
        _text(left + pw / 2, top + ph + 26, "wRVU percentile (productivity)", size=9, weight="bold")
    )
    body.append(
        f'<text x="12" y="{top + ph / 2:.1f}" font-family="{FONT}" font-size="9" font-weight="bold" '
        f'text-anchor="middle" transform="rotate(-90 12 {top + ph / 2:.1f})">Compensation percentile</text>'
    )
    corner = [
        ("paid above productivity", px(1), py(99) + 8, "start"),
        ("productive and paid for it", px(99), py(99) + 8, "end"),
        ("below p50 on both", px(1), py(1) - 4, "start"),
        ("paid below productivity", px(99), py(1) - 4, "end"),
    ]
    for text, x, y, anchor in corner:
        body.append(
            _text(
                x + (3 if anchor == "start" else -3),
                y,
                text,
                size=7.5,
                anchor=anchor,
                fill="#555555",
            )
        )
    for label, xp, yp, shape in points:
        x, y = px(xp), py(yp)
        body.append(_marker(shape, x, y))
        if label_points and label:
            anchor = "end" if xp > 80 else "start"
            body.append(
                _text(x + (-8 if anchor == "end" else 8), y - 6, label, size=8, anchor=anchor)
            )
    for i, (shape, text) in enumerate(legend):
        col, row = i % 3, i // 3
        lx, ly = left + col * (pw / 3), top + ph + 44 + row * 16
        body.append(_marker(shape, lx + 5, ly - 3, 4))
        body.append(_text(lx + 14, ly, text, size=8, anchor="start"))
    return _svg(width, height, body, title)
