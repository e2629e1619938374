"""Render a report model to an Excel workbook with openpyxl.

Sheets (interface.md): ``Summary``, ``By Code``, ``By Month``, ``Lines``, ``Benchmarks``,
``Exceptions``, plus ``By Category`` and any sheets the model's optional sections add.
Every figure is a number with a number format (formatting.XLSX_FORMATS), never text and
never a formula; header rows are frozen, tables have an autofilter, ``By Month`` carries a
native bar chart. A text cell starting with ``= + - @`` (or a tab/CR) is stored as a string
with Excel's quote prefix, so Excel shows it as text instead of evaluating it.

Every sheet is written with ``ws.append`` only, so the same code serves openpyxl's normal
and write-only modes; workbooks with more than :data:`WRITE_ONLY_LINES` lines use
write-only mode (rows streamed to disk, flat memory).
"""

from __future__ import annotations

import datetime as dt
import gc
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from rvubench.atomic import atomic_path
from rvubench.formatting import XLSX_FORMATS
from rvubench.report_model import ReportModel, SheetTable, resolve_callable

WRITE_ONLY_LINES = 20_000
SHEETS = ("Summary", "By Code", "By Month", "Lines", "Benchmarks", "Exceptions")
_RISKY = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_TITLE_FONT = Font(bold=True, size=13)

#: Number format key per column name, shared by all sheets.
COLUMN_FORMATS: dict[str, str] = {
    "source_row": "int", "units": "int", "lines": "int", "rvu_year": "int",
    "work_rvu": "rvu_unit", "wrvu_credit": "wrvu", "payment": "usd",
    "conversion_factor": "factor", "gpci_work": "gpci", "gpci_pe": "gpci", "gpci_mp": "gpci",
    "date_of_service": "date", "month": "date", "wrvu_share": "share", "rows": "int",
}
COLUMN_WIDTHS: dict[str, float] = {
    "source_file": 18, "source_row": 10, "provider_id": 14, "date_of_service": 12, "hcpcs": 8,
    "modifiers": 10, "modifier": 9, "description": 30, "adjustments": 60, "reason": 60,
    "fee_schedule_release": 12, "category": 16, "locality": 11, "setting": 12, "outcome": 9,
    "item": 34, "value": 44, "key": 34, "label": 30, "month": 11,
}


def _plain(value: Any) -> Any:
    """A Python value openpyxl stores as-is: NaN/NA/NaT -> None, numpy -> Python."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            return _plain(value.item())
        except (ValueError, AttributeError):
            return value
    return value


def text_is_risky(value: str) -> bool:
    """True if Excel would read the text as a formula (or an error literal)."""
    return value.startswith(_RISKY) or value.startswith("#")


def cell(ws: Any, value: Any, fmt: str | None = None) -> Any:
    """The value to append for one cell: plain, number-formatted, or forced text.

    Other modules' sheet writers may use it with ``ws.append([...])``.
    """
    value = _plain(value)
    if isinstance(value, str):
        if value and text_is_risky(value):
            c = WriteOnlyCell(ws, value=None)
            c._value = value  # stored as a string, never parsed as a formula
            c.data_type = "s"
            c.quotePrefix = True
            return c
        return value
    if value is None or fmt is None or isinstance(value, bool):
        return value
    c = WriteOnlyCell(ws, value=value)
    c.number_format = XLSX_FORMATS.get(fmt, fmt)
    return c


def _header_cells(ws: Any, names: Sequence[str]) -> list[Any]:
    out = []
    for name in names:
        c = WriteOnlyCell(ws, value=name)
        c.font = _HEADER_FONT
        c.fill = _HEADER_FILL
        c.alignment = Alignment(vertical="bottom", wrap_text=False)
        out.append(c)
    return out


def _set_widths(ws: Any, names: Sequence[str], widths: Mapping[str, float] | None = None) -> None:
    for i, name in enumerate(names, start=1):
        width = (widths or {}).get(name) or COLUMN_WIDTHS.get(name) or max(10, min(len(name) + 3, 24))
        ws.column_dimensions[get_column_letter(i)].width = width


def write_table(wb: Workbook, title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                formats: Mapping[str, str] | None = None,
                widths: Mapping[str, float] | None = None) -> Any:
    """Add a sheet holding one table: bold frozen header, autofilter, formats, widths.

    Args:
        wb: the workbook (normal or write-only).
        title: sheet name.
        columns: header names.
        rows: row values in column order.
        formats: column -> key of ``XLSX_FORMATS`` (defaults from :data:`COLUMN_FORMATS`).
        widths: column -> width in characters.

    Returns:
        The worksheet.
    """
    ws = wb.create_sheet(title)
    _set_widths(ws, columns, widths)
    ws.freeze_panes = "A2"
    fmts = [(formats or {}).get(c) or COLUMN_FORMATS.get(c) for c in columns]
    ws.append(_header_cells(ws, columns))
    count = 0
    for row in rows:
        ws.append([cell(ws, v, f) for v, f in zip(row, fmts, strict=False)])
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{count + 1}"
    return ws


def _frame_rows(frame: pd.DataFrame) -> Iterable[tuple[Any, ...]]:
    columns = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in frame.columns]
    return zip(*columns, strict=True) if columns else iter(())


# ---------------------------------------------------------------------------- sheets


def _summary_rows(model: ReportModel) -> list[tuple[str, Any, str, str | None]]:
    s = model.summary
    b = model.benchmark
    rows: list[tuple[str, Any, str, str | None]] = [
        ("Report", model.title, "kind", None),
        ("Provider id", model.provider_id, "provider_id", None),
        ("Provider name", model.provider_name, "provider_name", None),
        ("Specialty", model.specialty, "specialty", None),
        ("Period", model.period_label, "period", None),
        ("Period start", model.period_start, "period_start", "date"),
        ("Period end", model.period_end, "period_end", "date"),
        ("Days in period", model.period_days, "period_days", "int"),
        ("Annualization factor (365 / days)", model.annualization_factor, "annualization_factor", "factor"),
        ("Clinical FTE", model.clinical_fte, "clinical_fte", "0.00"),
        ("Total FTE", model.total_fte, "total_fte", "0.00"),
        ("Work RVUs credited", model.wrvu_total, "wrvu_total", "wrvu"),
        ("Annualized wRVUs", model.wrvu_annualized, "wrvu_annualized", "wrvu"),
        ("FTE-adjusted wRVUs (annualized / clinical FTE)", model.wrvu_fte_adjusted, "wrvu_fte_adjusted", "wrvu"),
        ("wRVU percentile", s["wrvu_percentile"], "wrvu_percentile", "percentile"),
        ("Estimated Medicare payment", model.payment_total_cents / 100, "payment_total", "usd"),
        ("Total compensation (annual)", s["total_compensation"], "total_compensation", "usd0"),
        ("Compensation percentile", s["compensation_percentile"], "compensation_percentile", "percentile"),
        ("Compensation per wRVU", s["compensation_per_wrvu"], "compensation_per_wrvu", "usd"),
        ("Compensation per wRVU percentile", s["compensation_per_wrvu_percentile"],
         "compensation_per_wrvu_percentile", "percentile"),
        ("Alignment gap (comp. percentile - wRVU percentile)", s["alignment_gap"], "alignment_gap", "0.0"),
        ("Lines counted", model.lines_count, "lines", "int"),
        ("Units", model.units_total, "units", "int"),
        ("Rows read", s["rows_read"], "rows_read", "int"),
        ("Rows priced", s["rows_priced"], "rows_priced", "int"),
        ("Rows credited zero", s["rows_zero"], "rows_zero", "int"),
        ("Rows rejected", s["rows_rejected"], "rows_rejected", "int"),
        ("Rows outside the period (not counted)", model.data_quality.rows_outside_period,
         "rows_outside_period", "int"),
    ]
    rows += [(f.label, f.value, f.label.lower().replace(" ", "_"), None) for f in model.run_facts
             if f.label != "Period"]
    if b is not None:
        rows.append(("Benchmark illustrative", "yes" if b.illustrative else "no", "benchmark_illustrative", None))
    rows += [(f"Notice {i}", n, f"notice_{i}", None) for i, n in enumerate(model.notices, start=1)]
    rows += [(f"Warning {i}", w, f"warning_{i}", None) for i, w in enumerate(model.warnings, start=1)]
    return rows


def _write_summary(wb: Workbook, model: ReportModel) -> None:
    ws = wb.create_sheet("Summary")
    _set_widths(ws, ("item", "value", "key"))
    ws.freeze_panes = "A2"
    ws.append(_header_cells(ws, ("item", "value", "key")))
    rows = _summary_rows(model)
    for label, value, key, fmt in rows:
        ws.append([cell(ws, label), cell(ws, value, fmt), cell(ws, key)])
    ws.auto_filter.ref = f"A1:C{len(rows) + 1}"


def _write_by_code(wb: Workbook, model: ReportModel) -> None:
    cols = ("hcpcs", "modifier", "description", "lines", "units", "wrvu_credit", "payment")
    write_table(wb, "By Code", cols,
                ((c.hcpcs, c.modifier, c.description, c.lines, c.units, c.wrvu_credit, c.payment)
                 for c in model.by_code))


def _write_by_month(wb: Workbook, model: ReportModel) -> None:
    cols = ("month", "label", "lines", "wrvu_credit", "payment")
    ws = write_table(wb, "By Month", cols,
                     ((m.month, m.label, m.lines, m.wrvu_credit, m.payment) for m in model.by_month),
                     formats={"month": "yyyy-mm"})
    n = len(model.by_month)
    if n:
        chart = BarChart()
        chart.type = "col"
        chart.title = "Work RVUs by month"
        chart.y_axis.title = "wRVUs"
        chart.y_axis.numFmt = "#,##0"
        chart.legend = None
        chart.width, chart.height = 18, 8
        data = Reference(ws, min_col=4, min_row=1, max_row=n + 1)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, min_row=2, max_row=n + 1))
        ws.add_chart(chart, "G2")


def _write_by_category(wb: Workbook, model: ReportModel) -> None:
    cols = ("category", "lines", "units", "wrvu_credit", "wrvu_share", "payment")
    write_table(wb, "By Category", cols,
                ((c.category, c.lines, c.units, c.wrvu_credit, c.wrvu_share, c.payment)
                 for c in model.by_category))


def _write_benchmarks(wb: Workbook, model: ReportModel) -> None:
    b = model.benchmark
    pcts = sorted({p for m in b.metrics for p, _ in m.anchors}) if b else [10, 25, 50, 75, 90]
    anchor_cols = [f"p{p:g}" for p in pcts]
    cols = ("metric", "label", "value", "percentile", "percentile_label", *anchor_cols, "mean",
            "n_providers", "specialty", "source", "survey_year", "data_year", "region", "illustrative")
    rows: list[tuple[Any, ...]] = []
    if b is not None:
        for m in b.metrics:
            fmt_value = m.value
            anchors = dict(m.anchors)
            rows.append((m.metric, m.label, fmt_value, m.percentile if m.position == "within" else None,
                         m.percentile_label, *(anchors.get(p) for p in pcts), m.mean, m.n_providers,
                         b.specialty, b.source, b.survey_year, b.data_year, b.region,
                         "yes" if b.illustrative else "no"))
    formats = {"value": "#,##0.00", "percentile": "percentile", "mean": "#,##0.00",
               "n_providers": "int", "survey_year": "0", "data_year": "0",
               **{c: "#,##0.00" for c in anchor_cols}}
    write_table(wb, "Benchmarks", cols, rows, formats=formats, widths={"label": 40, "source": 40})


def _write_compensation(wb: Workbook, model: ReportModel) -> None:
    b = model.benchmark
    if b is None:
        return
    extra: list[tuple[Any, ...]] = []
    extra += [("implied_compensation", f"p{p:g} compensation-per-wRVU rate", a) for p, a in b.implied_compensation]
    extra += [("scenario", f"{s.name}: {s.description}", s.compensation) for s in b.scenarios]
    extra += [("target_wrvu_annual_fte", f"p{t.percentile:g}", t.wrvu_annual_fte) for t in b.targets]
    extra += [("target_wrvu_in_period", f"p{t.percentile:g}", t.wrvu_in_period) for t in b.targets]
    extra += [("alignment_gap", "compensation percentile - wRVU percentile", b.alignment_gap)]
    write_table(wb, "Compensation", ("item", "detail", "value"), extra,
                formats={"value": "#,##0.00"}, widths={"detail": 70})


def render_xlsx(model: ReportModel, target: Path) -> Path:
    """Write the workbook of ``model`` to ``target`` (atomically) and return the path.

    The cyclic garbage collector is paused while cells are built: openpyxl allocates many
    small objects and, after a PDF render has grown the heap, full collections would cost
    more than writing the workbook.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _render_xlsx(model, target)
    finally:
        if paused:
            gc.enable()


def _render_xlsx(model: ReportModel, target: Path) -> Path:
    write_only = len(model.lines) > WRITE_ONLY_LINES
    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    doc_time = dt.datetime.combine(model.document_date, dt.time())
    wb.properties.created = doc_time
    wb.properties.creator = "rvubench"
    wb.properties.title = f"{model.title}: {model.display_name}, {model.period_label}"

    _write_summary(wb, model)
    _write_by_code(wb, model)
    _write_by_month(wb, model)
    lines = model.lines
    write_table(wb, "Lines", list(lines.columns), _frame_rows(lines))
    _write_benchmarks(wb, model)
    exc = model.exceptions
    write_table(wb, "Exceptions", list(exc.columns), _frame_rows(exc))
    _write_compensation(wb, model)
    _write_by_category(wb, model)
    for section in model.ordered_sections:
        for table in section.sheets:
            _write_sheet_table(wb, table)
        if section.sheet_writer:
            resolve_callable(section.sheet_writer)(wb, section.data)
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target


def _write_sheet_table(wb: Workbook, table: SheetTable) -> None:
    write_table(wb, table.name, table.columns, table.rows, formats=table.formats)
