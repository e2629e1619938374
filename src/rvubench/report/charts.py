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


def _text(x: float, y: float, text: str, *, size: float = 10, anchor: str = "middle",
          weight: str = "normal", fill: str = INK) -> str:
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


def monthly_bars(months: Sequence[tuple[str, float]], *, title: str = "wRVUs by month",
                 value_fmt: Callable[[float], str] = fmt_rvu) -> str:
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
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                    f'stroke="{GRID}" stroke-width="0.8"/>')
        body.append(_text(left - 6, y + 3.5, fmt_number(v, 0), size=9, anchor="end"))
    n = max(len(months), 1)
    slot = plot_w / n
    bar_w = min(slot * 0.64, 60)
    label_size = 9 if n <= 14 else 7
    for i, (label, value) in enumerate(months):
        x = left + slot * i + (slot - bar_w) / 2
        h = plot_h * max(value, 0.0) / top_value
        y = top + plot_h - h
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{BAR}"/>')
        if n <= 18:
            body.append(_text(x + bar_w / 2, y - 4, value_fmt(value), size=label_size))
        body.append(_text(x + bar_w / 2, top + plot_h + 14, label, size=label_size))
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
                f'stroke="{INK}" stroke-width="1"/>')
    body.append(_text(left - 6, top - 8, "wRVUs", size=9, anchor="end"))
    return _svg(width, height, body, title)


def top_code_bars(codes: Sequence[tuple[str, float]], *, title: str = "Top codes by wRVU",
                  value_fmt: Callable[[float], str] = fmt_rvu) -> str:
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
        body.append(f'<rect x="{left}" y="{y + 3:.1f}" width="{w:.1f}" height="{row_h - 6}" fill="{BAR}"/>')
        body.append(_text(left + w + 6, y + 14, value_fmt(value), size=10, anchor="start"))
    body.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - 8}" stroke="{INK}" stroke-width="1"/>')
    return _svg(width, height, body, title)


def percentile_bar(anchors: Sequence[tuple[float, float]], percentile: float | None,
                   position: str, *, marker_label: str, value_label: str = "",
                   title: str = "Percentile among surveyed clinicians",
                   value_fmt: Callable[[float], str] = lambda v: fmt_number(v, 0)) -> str:
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
        body.append(f'<rect x="{x_of(lo[0]):.1f}" y="{bar_y}" width="{x_of(hi[0]) - x_of(lo[0]):.1f}" '
                    f'height="{bar_h}" fill="{BAND[i % 2]}"/>')
    for p, v in ordered:
        x = x_of(p)
        body.append(f'<line x1="{x:.1f}" y1="{bar_y}" x2="{x:.1f}" y2="{bar_y + bar_h + 4}" '
                    f'stroke="{INK}" stroke-width="0.8"/>')
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
        body.append(f'<line x1="{mx:.1f}" y1="{bar_y - 6}" x2="{mx:.1f}" y2="{bar_y + bar_h}" '
                    f'stroke="{INK}" stroke-width="3"/>')
        body.append(f'<path d="M{mx - 6:.1f},{bar_y - 14} h12 l-6,8 z" fill="{INK}"/>')
        body.append(arrow)
        anchor = "start" if mx < left + 60 else "end" if mx > width - right - 60 else "middle"
        text = marker_label + (f"  ({value_label})" if value_label else "")
        body.append(_text(mx, bar_y - 20, text, size=11, anchor=anchor, weight="bold"))
    return _svg(width, height, body, title)
