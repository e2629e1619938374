"""Department roll-up of a batch run: the model (pure) and its two renderers.

:func:`build_department_model` turns the per-clinician results of a batch into one plain
:class:`DepartmentModel`: a row per roster clinician (wRVUs, annualized and FTE-adjusted
wRVUs, percentile, payment, compensation per wRVU, alignment gap, status), totals and
medians by specialty, and the clinicians that were not reported (failed, in the roster but
absent from the log, in the log but not in the roster). :func:`write_department_xlsx` and
:func:`render_department_pdf` read that model and nothing else.

Money is carried in integer cents (``payment_cents``); dollars appear only at the edges.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from rvubench import __version__
from rvubench.atomic import atomic_path
from rvubench.report import charts
from rvubench.report.formatting import XLSX_FORMATS, fmt_percentile
from rvubench.report.pdf import _render, environment, html_to_pdf
from rvubench.report.xlsx import write_table
from rvubench.resources import templates_dir

STATUS_REPORTED = "reported"
STATUS_FAILED = "failed"
STATUS_NO_LINES = "no lines in the log"
KIND_NOT_IN_ROSTER = "in the log, not in the roster"

DEPARTMENT_SHEET = "Department"
SPECIALTY_SHEET = "By Specialty"
NOT_REPORTED_SHEET = "Not Reported"
RUN_SHEET = "Run"
ALL_SPECIALTIES = "All specialties"

_OUTSIDE_RE = re.compile(r"^\s*(below|above)\s+p(\d+(?:\.\d+)?)\s*$", re.IGNORECASE)


@dataclass
class ClinicianRow:
    """One roster clinician in the department files.

    Figures the run could not state are None (a failed clinician still shows the wRVUs and
    payment of its lines; benchmark figures come only from a successful report).
    """

    provider_id: str
    name: str
    specialty: str
    status: str
    reason: str = ""
    clinical_fte: float | None = None
    lines: int = 0
    wrvu_total: float = 0.0
    wrvu_annualized: float = 0.0
    wrvu_fte_adjusted: float | None = None
    wrvu_percentile: float | str | None = None
    payment_cents: int = 0
    #: the FTE-adjusted figure the percentile was computed from (its report's basis) and
    #: that basis ("like-for-like" on the survey's RVU year, or "as credited")
    wrvu_benchmarked_fte_adjusted: float | None = None
    wrvu_basis: str = ""
    total_compensation: float | None = None
    compensation_per_wrvu: float | None = None
    compensation_percentile: float | str | None = None
    alignment_gap: float | None = None
    outputs: list[str] = field(default_factory=list)
    wrvu_change_qoq_pct: float | None = None  # % change on the previous quarter (log covers it)
    wrvu_change_ytd_pct: float | None = None  # year to date against the same days a year earlier

    @property
    def payment_total(self) -> float:
        """Payment in dollars (display and workbook only)."""
        return self.payment_cents / 100


@dataclass
class SpecialtyRow:
    """Totals and medians of one specialty (or of the whole department)."""

    specialty: str
    clinicians: int
    reported: int
    lines: int
    wrvu_total: float
    payment_cents: int
    total_compensation: float | None
    median_wrvu_fte_adjusted: float | None
    median_wrvu_benchmarked_fte_adjusted: float | None
    median_wrvu_percentile: float | str | None
    median_compensation_per_wrvu: float | None
    median_alignment_gap: float | None

    @property
    def payment_total(self) -> float:
        """Payment in dollars (display and workbook only)."""
        return self.payment_cents / 100


@dataclass
class NotReported:
    """A clinician without a report, and why."""

    kind: str  # STATUS_FAILED, STATUS_NO_LINES or KIND_NOT_IN_ROSTER
    provider_id: str
    name: str
    specialty: str
    lines: int
    wrvu_total: float
    reason: str


@dataclass
class DepartmentModel:
    """Everything department.pdf and department.xlsx show."""

    period_label: str
    period_start: date
    period_end: date
    annualization_factor: float
    generated_on: date
    sources: list[str]
    roster: str
    settings: dict[str, str]
    rows: list[ClinicianRow]
    by_specialty: list[SpecialtyRow]
    totals: SpecialtyRow
    not_reported: list[NotReported]
    notices: list[str] = field(default_factory=list)
    percentile_chart_svg: str = ""
    name: str = ""  # department or roster name (batch --title, else from the roster file)
    scatter_svg: str = ""

    title = "Department productivity report"

    @property
    def display_name(self) -> str:
        """The department's name for headings (``Department`` when none is known)."""
        return self.name or "Department"

    @property
    def by_specialty_rows(self) -> list[tuple[str, list[ClinicianRow]]]:
        """Roster clinicians grouped by specialty (specialties sorted, roster order within)."""
        groups: dict[str, list[ClinicianRow]] = {}
        for row in self.rows:
            groups.setdefault(row.specialty or "(none)", []).append(row)
        return sorted(groups.items())

    @property
    def has_qoq(self) -> bool:
        """True when some clinician has a quarter-over-quarter change (the log covers it)."""
        return any(r.wrvu_change_qoq_pct is not None for r in self.rows)

    @property
    def has_ytd(self) -> bool:
        """True when some clinician has a year-to-date change (the log covers last year's)."""
        return any(r.wrvu_change_ytd_pct is not None for r in self.rows)

    @property
    def document_date(self) -> date:
        """Date stamped in the PDF metadata: the period end, so reruns give the same file."""
        return self.period_end

    @property
    def failed(self) -> list[ClinicianRow]:
        """Roster clinicians whose report failed."""
        return [r for r in self.rows if r.status == STATUS_FAILED]

    def counts(self) -> dict[str, int]:
        """Clinicians by outcome."""
        return {
            "roster": len(self.rows),
            "reported": sum(r.status == STATUS_REPORTED for r in self.rows),
            "failed": len(self.failed),
            "no_lines": sum(r.status == STATUS_NO_LINES for r in self.rows),
            "not_in_roster": sum(n.kind == KIND_NOT_IN_ROSTER for n in self.not_reported),
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready once dates are turned into text)."""
        out = asdict(self)
        out["counts"] = self.counts()
        return out


# --- percentiles: numbers and "below p10" / "above p90" labels ---------------------------


def percentile_position(value: float | str | None) -> float | None:
    """Where a percentile sits on 0-100 for ordering and charts.

    ``"below p10"`` sorts just under 10 and ``"above p90"`` just over 90; None stays None.
    """
    if value is None:
        return None
    if isinstance(value, str):
        m = _OUTSIDE_RE.match(value)
        if not m:
            return None
        edge = float(m.group(2))
        return edge - 0.5 if m.group(1).lower() == "below" else edge + 0.5
    return float(value)


def median_percentile(values: Sequence[float | str | None]) -> float | str | None:
    """Median of percentiles that may include ``below pX`` / ``above pY`` labels.

    The median is an order statistic: labels sort outside the published range. With an
    even count the two middle values are averaged when both are numbers; otherwise the
    lower middle value is returned as it is (a label cannot be averaged).
    """
    known = [v for v in values if percentile_position(v) is not None]
    if not known:
        return None
    known.sort(key=lambda v: percentile_position(v) or 0.0)  # None was filtered out above
    n = len(known)
    if n % 2:
        return known[n // 2]
    lo, hi = known[n // 2 - 1], known[n // 2]
    if lo is not None and hi is not None and not isinstance(lo, str) and not isinstance(hi, str):
        return (float(lo) + float(hi)) / 2
    return lo


def _median(values: Sequence[float | None]) -> float | None:
    known = [float(v) for v in values if v is not None]
    return statistics.median(known) if known else None


# --- model ------------------------------------------------------------------------------


def summarize_specialty(specialty: str, rows: Sequence[ClinicianRow]) -> SpecialtyRow:
    """Totals over every clinician of ``rows``; medians over the reported ones."""
    reported = [r for r in rows if r.status == STATUS_REPORTED]
    comps = [r.total_compensation for r in rows if r.total_compensation is not None]
    wrvu_units = sum(round(r.wrvu_total * 10_000) for r in rows)
    return SpecialtyRow(
        specialty=specialty,
        clinicians=len(rows),
        reported=len(reported),
        lines=sum(r.lines for r in rows),
        wrvu_total=wrvu_units / 10_000,
        payment_cents=sum(r.payment_cents for r in rows),
        total_compensation=sum(comps) if comps else None,
        median_wrvu_fte_adjusted=_median([r.wrvu_fte_adjusted for r in reported]),
        median_wrvu_benchmarked_fte_adjusted=_median(
            [r.wrvu_benchmarked_fte_adjusted for r in reported]
        ),
        median_wrvu_percentile=median_percentile([r.wrvu_percentile for r in reported]),
        median_compensation_per_wrvu=_median([r.compensation_per_wrvu for r in reported]),
        median_alignment_gap=_median([r.alignment_gap for r in reported]),
    )


def build_department_model(
    *,
    rows: Sequence[ClinicianRow],
    not_in_roster: Sequence[NotReported],
    period_label: str,
    period_start: date,
    period_end: date,
    annualization_factor: float,
    sources: Sequence[str],
    roster: str,
    settings: dict[str, str],
    notices: Sequence[str] = (),
    generated_on: date | None = None,
    name: str = "",
) -> DepartmentModel:
    """Assemble the department model from per-clinician rows (roster order kept).

    Args:
        rows: one row per roster clinician, with its status.
        not_in_roster: providers found in the log but not in the roster.
        period_label, period_start, period_end, annualization_factor: the reporting period.
        sources: the log files read; roster: the roster file.
        settings: pricing/benchmark settings to print (name -> text).
        notices: notices printed at the top (e.g. illustrative benchmark figures).
        name: the department's name for the title; default: the roster file's name
            (``department_roster.csv`` -> "department roster").
        generated_on: kept for callers; the files carry the document date (period end)
            instead, so the same input gives the same files (default: the period end).
    """
    specialties: dict[str, list[ClinicianRow]] = {}
    for row in rows:
        specialties.setdefault(row.specialty or "(none)", []).append(row)
    by_specialty = [summarize_specialty(name, group) for name, group in sorted(specialties.items())]
    not_reported = [
        NotReported(r.status, r.provider_id, r.name, r.specialty, r.lines, r.wrvu_total, r.reason)
        for r in rows
        if r.status != STATUS_REPORTED
    ]
    not_reported.extend(not_in_roster)
    model = DepartmentModel(
        period_label=period_label,
        period_start=period_start,
        period_end=period_end,
        annualization_factor=annualization_factor,
        generated_on=generated_on or period_end,
        sources=list(sources),
        roster=roster,
        settings=dict(settings),
        rows=list(rows),
        by_specialty=by_specialty,
        totals=summarize_specialty(ALL_SPECIALTIES, rows),
        not_reported=not_reported,
        notices=list(notices),
        name=name or Path(roster).stem.replace("_", " ").replace("-", " ").strip(),
    )
    model.percentile_chart_svg = percentile_chart_svg(model.rows)
    model.scatter_svg = scatter_svg(model.rows)
    return model


# --- chart ------------------------------------------------------------------------------

_FONT = "DejaVu Sans, sans-serif"
_BAR, _GRID, _INK, _MUTED = "#3a3a3a", "#c8c8c8", "#000000", "#6e6e6e"
_BANDS = (
    ("below p10", None, 10.0),
    ("p10-p25", 10.0, 25.0),
    ("p25-p50", 25.0, 50.0),
    ("p50-p75", 50.0, 75.0),
    ("p75-p90", 75.0, 90.0),
    ("above p90", 90.0, None),
)
PER_CLINICIAN_LIMIT = 40


def _t(
    x: float, y: float, text: str, *, size: float = 8, anchor: str = "start", fill: str = _INK
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{_FONT}" font-size="{size}" '
        f'text-anchor="{anchor}" fill="{fill}">{escape(text)}</text>'
    )


def _percentile_text(value: float | str | None) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    return fmt_percentile(value)


def percentile_band(value: float | str | None) -> str | None:
    """The band label (``p25-p50`` ...) of a percentile, None when there is none."""
    pos = percentile_position(value)
    if pos is None:
        return None
    for label, lo, hi in _BANDS:
        if (lo is None or pos >= lo) and (hi is None or pos < hi):
            return label
    return _BANDS[-1][0]


def percentile_chart_svg(rows: Sequence[ClinicianRow], *, width: int = 640) -> str:
    """Clinicians' wRVU percentiles as SVG.

    Up to :data:`PER_CLINICIAN_LIMIT` reported clinicians: one horizontal bar each, sorted,
    with grid lines at p10/p25/p50/p75/p90. More: how many clinicians fall in each band.
    Clinicians without a percentile (failed, no lines, no benchmark) are counted in a note.
    """
    placed = [(r, percentile_position(r.wrvu_percentile)) for r in rows]
    known = [(r, p) for r, p in placed if p is not None]
    missing = len(placed) - len(known)
    if len(known) <= PER_CLINICIAN_LIMIT:
        return _per_clinician_chart(known, missing, width)
    return _band_chart(known, missing, width)


def _per_clinician_chart(known: list[tuple[ClinicianRow, float]], missing: int, width: int) -> str:
    known = sorted(known, key=lambda rp: (rp[0].specialty, -rp[1]))
    left, right, top, row_h = 250, 50, 18, 14
    plot_w = width - left - right
    height = top + row_h * max(len(known), 1) + 34
    body = []
    for p in (10, 25, 50, 75, 90):
        x = left + plot_w * p / 100
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 28}" '
            f'stroke="{_GRID}" stroke-width="{1.2 if p == 50 else 0.6}"/>'
        )
        body.append(_t(x, top - 6, f"p{p}", size=7, anchor="middle", fill=_MUTED))
    for i, (row, pos) in enumerate(known):
        y = top + i * row_h
        label = row.name or row.provider_id
        if len(label) > 24:
            label = label[:23] + "\u2026"
        label += f" \u00b7 {row.specialty}" if row.specialty else ""
        if len(label) > 46:
            label = label[:45] + "\u2026"
        body.append(_t(left - 6, y + 10, label, anchor="end"))
        w = plot_w * min(max(pos, 0.0), 100.0) / 100
        body.append(
            f'<rect x="{left}" y="{y + 2}" width="{max(w, 0.8):.1f}" height="{row_h - 4}" fill="{_BAR}"/>'
        )
        body.append(_t(left + w + 4, y + 10, _percentile_text(row.wrvu_percentile), size=7))
    if not known:
        body.append(_t(left, top + 10, "No clinician has a wRVU percentile.", fill=_MUTED))
    note = "wRVU percentile (FTE-adjusted, annualized)"
    if missing:
        note += f"; {missing} clinician(s) without a percentile not shown"
    body.append(_t(left, height - 8, note, size=7, fill=_MUTED))
    return _svg(width, height, body, "Clinicians' wRVU percentiles")


#: Department scatter: the wRVU percentile drawn for "below p10" / "above p90" positions.
def scatter_svg(rows: Sequence[ClinicianRow]) -> str:
    """Compensation percentile against wRVU percentile, one marker per clinician, one
    marker shape per specialty (legend), the p50 lines drawn; "" when no clinician has both."""
    specialties = sorted({r.specialty for r in rows if r.specialty})
    shape = {s: charts.MARKERS[i % len(charts.MARKERS)] for i, s in enumerate(specialties)}
    points = []
    for r in rows:
        x = _edge_position(r.wrvu_percentile)
        y = _edge_position(r.compensation_percentile)
        if x is not None and y is not None and r.status == STATUS_REPORTED:
            points.append((r.provider_id, x, y, shape.get(r.specialty, "circle")))
    if not points:
        return ""
    legend = [(shape[s], s) for s in specialties if any(p[3] == shape[s] for p in points)]
    return charts.percentile_quadrant(
        points,
        legend=legend,
        label_points=len(points) <= 24,
        title="Clinicians: compensation percentile against wRVU percentile",
        width=640,
        height=430,
    )


def _edge_position(value: float | str | None) -> float | None:
    """A percentile on 0-100 for the scatter: "below pNN" at 5, "above pNN" at 95."""
    if value is None:
        return None
    if isinstance(value, str):
        m = _OUTSIDE_RE.match(value)
        if not m:
            return None
        return 5.0 if m.group(1).lower() == "below" else 95.0
    return float(value)


def _band_chart(known: list[tuple[ClinicianRow, float]], missing: int, width: int) -> str:
    counts = {label: 0 for label, _, _ in _BANDS}
    for row, _ in known:
        counts[percentile_band(row.wrvu_percentile) or _BANDS[-1][0]] += 1
    height, left, top, bottom = 220, 40, 16, 40
    plot_h = height - top - bottom
    slot = (width - left - 10) / len(_BANDS)
    peak = max(counts.values()) or 1
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
        f'stroke="{_INK}" stroke-width="0.8"/>'
    ]
    for i, (label, _, _) in enumerate(_BANDS):
        n = counts[label]
        h = plot_h * n / peak
        x = left + i * slot + slot * 0.15
        body.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{max(h, 0.8):.1f}" fill="{_BAR}"/>'
        )
        cx = x + slot * 0.35
        body.append(_t(cx, top + plot_h - h - 3, f"{n:,}", anchor="middle"))
        body.append(_t(cx, top + plot_h + 12, label, anchor="middle"))
    note = f"{len(known):,} clinicians by wRVU percentile band (FTE-adjusted, annualized)"
    if missing:
        note += f"; {missing:,} without a percentile"
    body.append(_t(left, height - 8, note, size=7, fill=_MUTED))
    return _svg(width, height, body, "Clinicians by wRVU percentile band")


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


# --- department.xlsx --------------------------------------------------------------------

# (column header = attribute name, formatting.XLSX_FORMATS key, width)
DEPARTMENT_COLUMNS: tuple[tuple[str, str | None, int], ...] = (
    ("provider_id", None, 14),
    ("name", None, 24),
    ("specialty", None, 24),
    ("status", None, 18),
    ("clinical_fte", "0.00", 11),
    ("lines", "int", 9),
    ("wrvu_total", "wrvu", 12),
    ("wrvu_annualized", "wrvu", 15),
    ("wrvu_fte_adjusted", "wrvu", 16),
    ("wrvu_basis", None, 16),
    ("wrvu_benchmarked_fte_adjusted", "wrvu", 18),
    ("wrvu_percentile", "percentile", 14),
    ("payment_total", "usd", 15),
    ("total_compensation", "usd", 17),
    ("compensation_per_wrvu", "usd", 18),
    ("compensation_percentile", "percentile", 14),
    ("alignment_gap", "percentile", 13),
    ("wrvu_change_qoq_pct", "0.0", 12),
    ("wrvu_change_ytd_pct", "0.0", 12),
    ("outputs", None, 40),
    ("reason", None, 60),
)

SPECIALTY_COLUMNS: tuple[tuple[str, str | None, int], ...] = (
    ("specialty", None, 28),
    ("clinicians", "int", 11),
    ("reported", "int", 10),
    ("lines", "int", 10),
    ("wrvu_total", "wrvu", 13),
    ("payment_total", "usd", 16),
    ("total_compensation", "usd", 18),
    ("median_wrvu_fte_adjusted", "wrvu", 16),
    ("median_wrvu_benchmarked_fte_adjusted", "wrvu", 18),
    ("median_wrvu_percentile", "percentile", 14),
    ("median_compensation_per_wrvu", "usd", 18),
    ("median_alignment_gap", "percentile", 14),
)

NOT_REPORTED_COLUMNS: tuple[tuple[str, str | None, int], ...] = (
    ("kind", None, 26),
    ("provider_id", None, 14),
    ("name", None, 24),
    ("specialty", None, 24),
    ("lines", "int", 9),
    ("wrvu_total", "wrvu", 12),
    ("reason", None, 80),
)


def _cell_value(obj: Any, attr: str) -> Any:
    value = getattr(obj, attr)
    if isinstance(value, list):
        return ", ".join(value)
    return value


def _table(
    wb: Any, title: str, columns: Sequence[tuple[str, str | None, int]], items: Sequence[Any]
) -> Any:
    names = [c[0] for c in columns]
    return write_table(
        wb,
        title,
        names,
        ([_cell_value(item, name) for name in names] for item in items),
        formats={name: fmt for name, fmt, _ in columns if fmt},
    )  # widths fitted to the labels and values (the third item is a floor no longer needed)


def build_department_workbook(model: DepartmentModel) -> Any:
    """The department workbook (openpyxl) with the sheets ``Department``,
    ``By Specialty``, ``Not Reported`` and ``Run``.

    Every figure is a value with a number format (text that Excel would read as a formula
    is stored as text); percentiles outside the published range are the label the
    benchmark gives (``below p10``). ``By Specialty`` ends with an ``All specialties`` row.
    Header rows are frozen and every table has an autofilter.
    """
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "rvubench"
    wb.properties.title = f"{model.title}, {model.period_label}"
    _table(wb, DEPARTMENT_SHEET, DEPARTMENT_COLUMNS, model.rows)
    _table(wb, SPECIALTY_SHEET, SPECIALTY_COLUMNS, [*model.by_specialty, model.totals])
    _table(wb, NOT_REPORTED_SHEET, NOT_REPORTED_COLUMNS, model.not_reported)
    counts = model.counts()
    facts: list[tuple[str, Any, str | None]] = [
        ("period", model.period_label, None),
        ("period_start", model.period_start, "date"),
        ("period_end", model.period_end, "date"),
        ("annualization_factor", model.annualization_factor, "factor"),
        # the document date (period end), as on the PDF: the same input gives the same workbook
        ("document_date", model.document_date, "date"),
        ("roster", model.roster, None),
        ("logs", ", ".join(model.sources), None),
        *((k, v, None) for k, v in model.settings.items()),
        ("clinicians_in_roster", counts["roster"], "int"),
        ("clinicians_reported", counts["reported"], "int"),
        ("clinicians_failed", counts["failed"], "int"),
        ("clinicians_without_lines", counts["no_lines"], "int"),
        ("providers_not_in_roster", counts["not_in_roster"], "int"),
        *(("notice", n, None) for n in model.notices),
    ]
    ws = write_table(
        wb,
        RUN_SHEET,
        ["item", "value"],
        ([k, v] for k, v, _ in facts),
    )
    for i, (_, value, fmt) in enumerate(facts, start=2):
        if fmt and value is not None:
            ws.cell(i, 2).number_format = XLSX_FORMATS.get(fmt, fmt)
    return wb


def write_department_xlsx(model: DepartmentModel, path: Path) -> Path:
    """Write ``department.xlsx`` atomically and return its path."""
    wb = build_department_workbook(model)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)


# --- department.pdf ---------------------------------------------------------------------

DEPARTMENT_TEMPLATE = "department.html.j2"
DEPARTMENT_CSS = "department.css"


def department_html(model: DepartmentModel, templates: Path | None = None) -> str:
    """Render ``department.html.j2`` from the bundled templates or a ``--templates`` folder.

    Uses the report renderer's environment (autoescaping, strict undefined, the shared
    filters), so a provider name prints as text.

    Raises:
        TemplateProblem: the template is missing or broken (names template and line).
    """
    footer = (
        f"rvubench {__version__} \u00b7 department report {model.period_label} \u00b7 "
        f"document date {model.document_date.isoformat()}"
    )
    context = {
        "model": model,
        "version": __version__,
        "stylesheet": "report.css",
        "extra_stylesheets": [DEPARTMENT_CSS],
        "footer_text": footer,
    }
    return _render(environment(templates), DEPARTMENT_TEMPLATE, context)


def render_department_pdf(
    model: DepartmentModel, path: Path, templates: Path | None = None
) -> Path:
    """Write ``department.pdf`` atomically and return its path.

    Printed with the report renderer's weasyprint settings: relative URLs resolve only
    inside the templates folder and nothing is fetched from elsewhere.
    """
    folder = Path(templates) if templates is not None else templates_dir()
    html = department_html(model, folder)
    data, _refused = html_to_pdf(html, folder, identifier="rvubench-department")
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)
