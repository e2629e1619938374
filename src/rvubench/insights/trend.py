"""Quarterly trend of a clinician's priced lines (pure: no I/O).

For a reporting period that is a calendar quarter, :func:`quarterly_trend` gives the
quarter itself, the year to date, the same quarter a year earlier and the four quarters
before it, each with credited wRVUs, payment in integer cents and line counts, plus a
monthly series in which months without lines are zeros, not gaps.

A window is ``available`` only when the log covers it: every month of the window lies
between the month of the log's first date of service and the month of its last one. A
window outside that span is shown as "not in the log" rather than as a misleading zero.
In a department batch the coverage is the department log's, passed explicitly, so a
clinician with no lines in a covered quarter shows zero for it.

:func:`write_trend_sheet` adds the ``Quarterly Trend`` sheet to an openpyxl workbook and
:func:`trend_chart_svg` draws the monthly chart as hand-built SVG.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from rvubench.feeschedule.cms import load_fee_schedules
from rvubench.pricing.engine import price_lines
from rvubench.report.sections import Section, SheetTable

TREND_SHEET = "Quarterly Trend"
# wRVU credits are floats rounded to 4 dp (ARCHITECTURE.md 3): they are summed as integer
# ten-thousandths so that totals do not drift with the order of summation.
_WRVU_SCALE = 10_000
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter (``year``, ``q`` in 1-4)."""

    year: int
    q: int

    @property
    def start(self) -> date:
        """First day of the quarter."""
        return date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> date:
        """Last day of the quarter (inclusive)."""
        nxt = self.shift(1).start
        return nxt - timedelta(days=1)

    @property
    def label(self) -> str:
        """``2026Q2``: the same spelling as ``--period``."""
        return f"{self.year}Q{self.q}"

    def shift(self, n: int) -> Quarter:
        """The quarter ``n`` quarters later (negative: earlier)."""
        idx = self.year * 4 + (self.q - 1) + n
        return Quarter(idx // 4, idx % 4 + 1)

    @classmethod
    def of(cls, day: date) -> Quarter:
        """The quarter containing ``day``."""
        return cls(day.year, (day.month - 1) // 3 + 1)


def _as_date(value: Any) -> date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def period_quarter(period: Any) -> Quarter | None:
    """The calendar quarter a Period (anything with ``start``/``end``) spans exactly, else None."""
    start, end = _as_date(period.start), _as_date(period.end)
    quarter = Quarter.of(start)
    if start == quarter.start and end == quarter.end:
        return quarter
    return None


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _monthly_aggregates(
    priced: pd.DataFrame, first: int, last: int
) -> dict[int, tuple[int, int, int]]:
    """{month index: (wrvu in 1e-4 units, payment cents, lines)} for months first..last."""
    if priced.empty:
        return {}
    dates = pd.to_datetime(priced["date_of_service"])
    usable = dates.notna()
    if "outcome" in priced.columns:
        usable &= priced["outcome"].astype(str) != "rejected"
    # month index year * 12 + month - 1 (NaT rows are already masked out by ``usable``)
    month = dates.to_numpy(dtype="datetime64[M]").astype("int64") + 1970 * 12
    keep = usable.to_numpy() & (month >= first) & (month <= last)
    if not keep.any():
        return {}
    sub = priced.loc[keep, ["wrvu_credit", "payment_cents"]]
    wrvu = pd.to_numeric(sub["wrvu_credit"], errors="coerce").fillna(0.0)
    cents = pd.to_numeric(sub["payment_cents"], errors="coerce").fillna(0)
    # integer sums per month: exact, and without a pandas groupby for a few thousand lines
    months, slot = np.unique(month[keep], return_inverse=True)
    w_sum = np.zeros(len(months), dtype="int64")
    c_sum = np.zeros(len(months), dtype="int64")
    np.add.at(w_sum, slot, (wrvu * _WRVU_SCALE).round().astype("int64").to_numpy())
    np.add.at(c_sum, slot, cents.astype("int64").to_numpy())
    lines = np.bincount(slot, minlength=len(months))
    return {
        int(m): (int(w), int(c), int(n))
        for m, w, c, n in zip(months, w_sum, c_sum, lines, strict=True)
    }


def _coverage(priced: pd.DataFrame) -> tuple[date, date] | None:
    if priced.empty:
        return None
    dates = pd.to_datetime(priced["date_of_service"]).dropna()
    if dates.empty:
        return None
    return dates.min().date(), dates.max().date()


def _window(
    key: str,
    label: str,
    start: date,
    end: date,
    months: dict[int, tuple[int, int, int]],
    covered: tuple[int, int] | None,
) -> dict[str, Any]:
    first, last = _month_index(start), _month_index(end)
    wrvu = cents = lines = 0
    for m in range(first, last + 1):
        w, c, n = months.get(m, (0, 0, 0))
        wrvu, cents, lines = wrvu + w, cents + c, lines + n
    available = covered is not None and covered[0] <= first and last <= covered[1]
    return {
        "key": key,
        "label": label,
        "start": start,
        "end": end,
        "available": available,
        "wrvu": wrvu / _WRVU_SCALE,
        "payment_cents": cents,
        "payment": cents / 100,
        "lines": lines,
    }


def _change(current: dict[str, Any], earlier: dict[str, Any]) -> dict[str, Any]:
    """Change from ``earlier`` to ``current``; None where it cannot be stated."""
    if not (current["available"] and earlier["available"]):
        return {
            "against": earlier["label"],
            "available": False,
            "wrvu_change": None,
            "wrvu_change_pct": None,
            "payment_change_cents": None,
            "payment_change_pct": None,
            "lines_change": None,
        }
    w_now = round(current["wrvu"] * _WRVU_SCALE)
    w_then = round(earlier["wrvu"] * _WRVU_SCALE)
    c_now, c_then = current["payment_cents"], earlier["payment_cents"]
    return {
        "against": earlier["label"],
        "available": True,
        "wrvu_change": (w_now - w_then) / _WRVU_SCALE,
        "wrvu_change_pct": round(100 * (w_now - w_then) / w_then, 1) if w_then else None,
        "payment_change_cents": c_now - c_then,
        "payment_change_pct": round(100 * (c_now - c_then) / c_then, 1) if c_then else None,
        "lines_change": current["lines"] - earlier["lines"],
    }


def quarterly_trend(
    priced: pd.DataFrame,
    period: Any,
    *,
    coverage: tuple[date, date] | None = None,
) -> dict[str, Any] | None:
    """Trend figures for a quarterly report.

    Args:
        priced: priced frame (ARCHITECTURE.md 3) of one clinician; uses
            ``date_of_service``, ``wrvu_credit``, ``payment_cents`` and ``outcome``.
            Rejected lines and lines without a date are not counted.
        period: the reporting Period (``start``/``end``); must be a calendar quarter.
        coverage: first and last date of service of the log the lines came from; by
            default the span of ``priced`` itself. Batch runs pass the department log's.

    Returns:
        None when the period is not a calendar quarter. Otherwise a plain dict:
        ``quarter``, ``ytd``, ``same_quarter_last_year`` (windows), ``previous_quarters``
        (four windows, oldest first), ``quarters`` (the previous four and the quarter,
        oldest first), ``quarter_over_quarter`` and ``year_over_year`` (changes),
        ``months`` (every month from the oldest previous quarter to the quarter's end,
        zeros included), ``coverage_start``/``coverage_end``. A window has ``key``,
        ``label``, ``start``, ``end``, ``available``, ``wrvu``, ``payment_cents``,
        ``payment`` and ``lines``.
    """
    quarter = period_quarter(period)
    if quarter is None:
        return None
    if coverage is None:
        coverage = _coverage(priced)
    covered = None if coverage is None else (_month_index(coverage[0]), _month_index(coverage[1]))

    oldest = quarter.shift(-4)
    first_month = min(_month_index(oldest.start), _month_index(date(quarter.year, 1, 1)))
    last_month = _month_index(quarter.end)
    months = _monthly_aggregates(priced, first_month, last_month)

    def qwin(key: str, q: Quarter) -> dict[str, Any]:
        return _window(key, q.label, q.start, q.end, months, covered)

    this = qwin("quarter", quarter)
    previous = [qwin(f"q-{n}", quarter.shift(-n)) for n in (4, 3, 2, 1)]
    last_year = qwin("same_quarter_last_year", quarter.shift(-4))
    ytd_start = date(quarter.year, 1, 1)
    ytd = _window(
        "ytd", f"{quarter.year} YTD (to {quarter.label})", ytd_start, quarter.end, months, covered
    )
    series = []
    for m in range(_month_index(oldest.start), last_month + 1):
        w, c, n = months.get(m, (0, 0, 0))
        available = covered is not None and covered[0] <= m <= covered[1]
        series.append(
            {
                "month": _month_label(m),
                "label": f"{_MONTH_ABBR[m % 12]} {m // 12}",
                "available": available,
                "wrvu": w / _WRVU_SCALE,
                "payment_cents": c,
                "payment": c / 100,
                "lines": n,
            }
        )
    return {
        "period_label": quarter.label,
        "quarter": this,
        "ytd": ytd,
        "same_quarter_last_year": last_year,
        "previous_quarters": previous,
        "quarters": [*previous, this],
        "quarter_over_quarter": _change(this, previous[-1]),
        "year_over_year": _change(this, last_year),
        "months": series,
        "coverage_start": None if coverage is None else coverage[0],
        "coverage_end": None if coverage is None else coverage[1],
    }


def trend_chart_svg(trend: dict[str, Any], *, width: int = 640, height: int = 200) -> str:
    """Monthly wRVU bars for the trend window as a standalone SVG string.

    Months with no lines are drawn as a zero baseline tick; months the log does not cover
    are marked "n/a". The reporting quarter's bars are dark grey, earlier ones light grey (prints in black and
    white).
    """
    months: Sequence[dict[str, Any]] = trend["months"]
    quarter_start = trend["quarter"]["start"]
    q_first = f"{quarter_start.year:04d}-{quarter_start.month:02d}"
    left, right, top, bottom = 44, 8, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((m["wrvu"] for m in months), default=0.0)
    scale_max = _nice_ceiling(peak)
    slot = plot_w / max(len(months), 1)
    bar_w = slot * 0.7
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Monthly work RVUs" '
        'font-family="sans-serif" font-size="9">'
    ]
    for i in range(5):
        value = scale_max * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            'stroke="#ddd" stroke-width="0.5"/>'
        )
        parts.append(
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" fill="#555">'
            f"{value:,.0f}</text>"
        )
    for i, m in enumerate(months):
        x = left + i * slot + (slot - bar_w) / 2
        cx = x + bar_w / 2
        if not m["available"]:
            parts.append(
                f'<text x="{cx:.1f}" y="{top + plot_h - 3:.1f}" text-anchor="middle" '
                'fill="#999" font-size="7">n/a</text>'
            )
        else:
            h = 0.0 if scale_max == 0 else plot_h * m["wrvu"] / scale_max
            colour = "#3a3a3a" if m["month"] >= q_first else "#8c8c8c"
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{max(h, 0.6):.1f}" fill="{colour}"/>'
            )
        parts.append(
            f'<text x="{cx:.1f}" y="{top + plot_h + 11:.1f}" text-anchor="middle" '
            f'fill="#333">{escape(m["label"][:3])}</text>'
        )
        if m["month"].endswith(("-01", "-04", "-07", "-10")) or i == 0:
            parts.append(
                f'<text x="{cx:.1f}" y="{top + plot_h + 22:.1f}" text-anchor="middle" '
                f'fill="#777" font-size="7">{m["month"][:4]}</text>'
            )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        'stroke="#333" stroke-width="0.8"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _nice_ceiling(value: float) -> float:
    """Smallest 1/2/2.5/5 x 10^k at or above ``value`` (1 for zero)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(10 * magnitude)


#: Columns of the ``Quarterly Trend`` sheet and their ``formatting.XLSX_FORMATS`` keys.
TREND_COLUMNS: tuple[str, ...] = (
    "row",
    "label",
    "start",
    "end",
    "in_log",
    "wrvu",
    "payment",
    "lines",
    "wrvu_change_pct",
    "payment_change_pct",
)
TREND_FORMATS: dict[str, str] = {
    "start": "date",
    "end": "date",
    "wrvu": "wrvu",
    "payment": "usd",
    "lines": "int",
    "wrvu_change_pct": "percentile",
    "payment_change_pct": "percentile",
}
_XLSX_FORMATS = {
    "date": "yyyy-mm-dd",
    "wrvu": "#,##0.00",
    "usd": '"$"#,##0.00',
    "int": "#,##0",
    "percentile": "0.0",
}


def trend_rows(trend: dict[str, Any]) -> list[list[Any]]:
    """The ``Quarterly Trend`` sheet as rows of :data:`TREND_COLUMNS`.

    First the windows (``quarter``, ``ytd``, ``same quarter last year``, then the previous
    quarters newest first), then the two changes (``wrvu``/``payment``/``lines`` hold the
    differences), then every month. Figures the log does not cover are empty and
    ``in_log`` is ``"no"``; payments are dollars exact to the cent (integer cents / 100).
    """
    rows: list[list[Any]] = []

    def window(kind: str, win: dict[str, Any]) -> None:
        ok = win["available"]
        rows.append(
            [
                kind,
                win["label"],
                win["start"],
                win["end"],
                "yes" if ok else "no",
                win["wrvu"] if ok else None,
                win["payment_cents"] / 100 if ok else None,
                win["lines"] if ok else None,
                None,
                None,
            ]
        )

    window("quarter", trend["quarter"])
    window("year to date", trend["ytd"])
    window("same quarter last year", trend["same_quarter_last_year"])
    for win in reversed(trend["previous_quarters"]):
        window("previous quarter", win)
    for kind, key in (
        ("quarter over quarter", "quarter_over_quarter"),
        ("year over year", "year_over_year"),
    ):
        ch = trend[key]
        cents = ch["payment_change_cents"]
        rows.append(
            [
                kind,
                f"{trend['quarter']['label']} vs {ch['against']}",
                None,
                None,
                "yes" if ch["available"] else "no",
                ch["wrvu_change"],
                None if cents is None else cents / 100,
                ch["lines_change"],
                ch["wrvu_change_pct"],
                ch["payment_change_pct"],
            ]
        )
    for m in trend["months"]:
        ok = m["available"]
        start = date(int(m["month"][:4]), int(m["month"][5:]), 1)
        end = _month_end(start)
        rows.append(
            [
                "month",
                m["label"],
                start,
                end,
                "yes" if ok else "no",
                m["wrvu"] if ok else None,
                m["payment_cents"] / 100 if ok else None,
                m["lines"] if ok else None,
                None,
                None,
            ]
        )
    return rows


def _month_end(first: date) -> date:
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def write_trend_sheet(workbook: Any, trend: dict[str, Any], *, title: str = TREND_SHEET) -> Any:
    """Add the ``Quarterly Trend`` sheet to an openpyxl workbook and return it.

    Works in normal and write-only workbooks (rows go in with ``ws.append`` only). Numbers
    are stored as values with number formats (see :func:`trend_rows` for the layout).
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    ws = workbook.create_sheet(title)
    formats = [_XLSX_FORMATS.get(TREND_FORMATS.get(c, "")) for c in TREND_COLUMNS]

    def cell(value: Any, fmt: str | None, bold: bool = False) -> Any:
        c = WriteOnlyCell(ws, value=value)
        if fmt and value is not None:
            c.number_format = fmt
        if bold:
            c.font = Font(bold=True)
        return c

    ws.append([cell(name, None, bold=True) for name in TREND_COLUMNS])
    for row in trend_rows(trend):
        ws.append([cell(v, f) for v, f in zip(row, formats, strict=True)])
    return ws


def build_trend_section(ctx: Any) -> Any:
    """Report-model section builder (``report.model.SECTION_BUILDERS``).

    Returns a ``Section`` keyed ``trend`` (partial ``_trend.html.j2`` and the
    ``Quarterly Trend`` sheet) when the period is a calendar quarter, else None. A batch run
    passes the department log's ``(first, last)`` dates of service as ``extras["coverage"]``.
    """
    coverage = ctx.extras.get("coverage") if ctx.extras else None
    trend = trend_section(ctx.priced, ctx.period, coverage=coverage)
    if trend is None:
        return None
    trend.update(rvu_basis(ctx.priced, trend, ctx.clean_lines, ctx.settings))
    sheet = SheetTable(TREND_SHEET, TREND_COLUMNS, trend_rows(trend), dict(TREND_FORMATS))
    return Section(
        key="trend",
        title="Quarterly trend",
        partial="_trend.html.j2",
        data=trend,
        order=20,
        sheets=(sheet,),
    )


def trend_section(
    priced: pd.DataFrame, period: Any, *, coverage: tuple[date, date] | None = None
) -> dict[str, Any] | None:
    """:func:`quarterly_trend` plus ``chart_svg``: what the report model stores as ``trend``.

    None when the period is not a calendar quarter (the report then has no trend section).
    """
    trend = quarterly_trend(priced, period, coverage=coverage)
    if trend is not None:
        trend["chart_svg"] = trend_chart_svg(trend)
    return trend


def _releases(priced: pd.DataFrame, start: date, end: date) -> list[str]:
    """Fee-schedule releases that credited the usable lines dated ``start``..``end``."""
    if "fee_schedule_release" not in priced:
        return []
    dates = pd.to_datetime(priced["date_of_service"], errors="coerce")
    inside = (dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))
    inside &= priced["outcome"] != "rejected"
    return sorted({str(r) for r in priced.loc[inside, "fee_schedule_release"].dropna() if str(r)})


def rvu_basis(
    priced: pd.DataFrame, trend: dict[str, Any], clean_lines: pd.DataFrame | None, settings: Any
) -> dict[str, Any]:
    """Say which RVUs the trend's wRVUs are credited on, and compare years like with like.

    Each window's wRVUs are credited on the RVUs in effect on its dates, so a year-over-year
    change across a CMS RVU update mixes the work done with the change of RVUs (CMS cut 2026
    work RVUs of non-time-based services by 2.5%). When the quarter and the same quarter a
    year earlier were credited on different releases and the clean lines are at hand, both
    quarters are credited again on the earlier year's RVUs, and that like-for-like change is
    given beside the as-credited one.

    Returns:
        ``rvu_basis_note`` (a sentence, "" when every window used one release) and
        ``year_over_year_like_for_like`` (None, or ``rvu_year``, ``release``, ``wrvu_then``,
        ``wrvu_now``, ``wrvu_change``, ``wrvu_change_pct``).
    """
    out: dict[str, Any] = {"rvu_basis_note": "", "year_over_year_like_for_like": None}
    this, then = trend["quarter"], trend["same_quarter_last_year"]
    windows = [w for w in (*trend["previous_quarters"], this) if w["available"]]
    used = {w["label"]: _releases(priced, w["start"], w["end"]) for w in windows}
    if len({tuple(r) for r in used.values() if r}) <= 1:
        return out
    listing = "; ".join(f"{k}: {', '.join(v)}" for k, v in used.items() if v)
    out["rvu_basis_note"] = (
        "wRVUs in each quarter are as credited on the RVUs in effect on its dates ("
        + listing
        + "), so a change between quarters on different releases mixes the work "
        "done with CMS's update of the RVUs."
    )
    if clean_lines is None or not (this["available"] and then["available"]):
        return out
    year = then["start"].year
    fees = _fees(settings)
    if year not in list(fees.years):
        return out
    dates = pd.to_datetime(clean_lines["date_of_service"], errors="coerce")

    def on_year(win: dict[str, Any]) -> tuple[int, list[str]]:
        lines = clean_lines[
            (dates >= pd.Timestamp(win["start"])) & (dates <= pd.Timestamp(win["end"]))
        ]
        if lines.empty:
            return 0, []
        again = price_lines(lines, fees, _replace(settings, rvu_year=year))
        usable = again[again["outcome"] != "rejected"]
        units = pd.to_numeric(usable["wrvu_credit"], errors="coerce").fillna(0) * _WRVU_SCALE
        return int(units.round().sum()), _releases(again, win["start"], win["end"])

    w_then, r_then = on_year(then)
    w_now, r_now = on_year(this)
    out["year_over_year_like_for_like"] = {
        "rvu_year": year,
        "release": ", ".join(sorted(set(r_then) | set(r_now))),
        "then_label": then["label"],
        "wrvu_then": w_then / _WRVU_SCALE,
        "wrvu_now": w_now / _WRVU_SCALE,
        "wrvu_change": (w_now - w_then) / _WRVU_SCALE,
        "wrvu_change_pct": round(100 * (w_now - w_then) / w_then, 1) if w_then else None,
    }
    return out


def _fees(settings: Any) -> Any:
    return load_fee_schedules(tuple(getattr(settings, "fee_schedule_files", ()) or ()))


def _replace(settings: Any, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(settings, **changes)
