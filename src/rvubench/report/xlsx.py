"""Render a report model to an Excel workbook with openpyxl.

Sheets: ``Summary``, ``By Code``, ``By Month``, ``Lines``, ``Benchmarks``,
``Exceptions``, plus ``By Category`` and any sheets the model's optional sections add.
Every figure is a number with a number format (formatting.XLSX_FORMATS), never text and
never a formula; header rows are frozen, tables have an autofilter, ``By Month`` carries a
native bar chart. A text cell starting with ``= + - @`` (or a tab/CR) is stored as a string
with Excel's quote prefix, so Excel shows it as text instead of evaluating it.

Small sheets are appended cell by cell (``ws.append``); the frames (``Lines``,
``Exceptions``, the Global Periods tables) go through :func:`append_frame`, which makes no
cell: the sheet holds the frame and, when the workbook is saved, its rows are built column
by column as XML text (:class:`_FrameBody`, :mod:`rvubench.report.xlsx_frame`): each column
is factorized, each distinct value becomes its cell XML once, with openpyxl's own rules
(:func:`cell`, then the cell ``append`` would make), and Arrow spreads that text to the rows,
adds each cell's reference and joins the rows, 50,000 at a time. So one path serves every
size: a 30,000-line workbook costs about 0.5 s, and a 300,000-line one never holds its
Lines sheet as cells or as one text.

Speed of the cells that are made: openpyxl serializes every cell through a pure-Python
ElementTree when lxml is absent (about 7 us a cell). :class:`FastWorksheetWriter` writes the
plain cells (text, numbers, booleans, dates) as the same XML text directly and hands anything
else (formulas, rich text, comments, hyperlinks, ISO dates) to openpyxl's own cell writer;
the sheet XML is byte for byte what openpyxl writes (tests/report/test_render_xlsx_fast.py and
tests/report/test_xlsx_frame.py compare them, frames included). :func:`append_rows` builds
plain cells without openpyxl's per-value type dispatch, and number-formatted cells copy one
style array per format instead of going through openpyxl's style descriptors each time.
These shortcuts rely on openpyxl 3.1's internals (the version pyproject.toml allows); with
any other version :data:`FAST_WRITER` is False and openpyxl's own public paths are used
(same workbook, slower; above :data:`WRITE_ONLY_LINES` lines in write-only mode).
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import itertools
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import LXML, Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell._writer import write_cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.functions import xmlfile

from rvubench.atomic import atomic_path
from rvubench.gcpause import cyclic_gc_paused
from rvubench.report import xlsx_frame
from rvubench.report.formatting import XLSX_FORMATS
from rvubench.report.model import ReportModel
from rvubench.report.sections import SheetTable

WRITE_ONLY_LINES = 20_000
"""Above this many lines a workbook is written in openpyxl's write-only mode when the
column writer is off (:data:`COLUMN_WRITER`), so its memory stays flat."""
ZIP_LEVEL = 1
"""Deflate level of the package's parts. Level 1 compresses a 45 MB Lines sheet in a third
of level 6's time (0.18 s vs 0.51 s CPU) to a file 40% larger (4.8 MB vs 3.4 MB); the
workbook's content is the same."""
FRAME_CHUNK = 50_000  # rows of a frame turned into cell values at a time
FLOAT_PLACES = 6
"""Stored floats are rounded to this many decimals: no binary noise (5.600000000000001)."""
MAX_WIDTH = 60
"""Widest fitted column (characters); longer text stays in the cell, readable in the bar."""
CHART_ROWS = 16
"""Rows a By Month chart covers (7.5 cm at the default row height), for its print area."""
WIDE_SHEET = 110
"""Sheets whose columns add up to more characters than this print in landscape."""
FAST_WRITER = openpyxl.__version__.startswith("3.1.")
"""True when the shortcuts on openpyxl internals are used (openpyxl 3.1.x, tested)."""
COLUMN_WRITER = FAST_WRITER and not LXML
"""True when :func:`write_frame` builds a frame's rows column by column (:class:`_FrameBody`):
it writes into the ElementTree-based stream openpyxl uses without lxml."""
SHEETS = ("Summary", "By Code", "By Month", "Lines", "Benchmarks", "Exceptions")
_RISKY = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_TITLE_FONT = Font(bold=True, size=13)
_AMOUNT = re.compile(r"^\$(\d+(?:\.\d+)?)$")

#: Number format key per column name, shared by all sheets.
COLUMN_FORMATS: dict[str, str] = {
    "source_row": "int",
    "units": "int",
    "lines": "int",
    "rvu_year": "int",
    "work_rvu": "rvu_unit",
    "wrvu_credit": "wrvu",
    "payment": "usd",
    "conversion_factor": "factor",
    "gpci_work": "gpci",
    "gpci_pe": "gpci",
    "gpci_mp": "gpci",
    "date_of_service": "date",
    "month": "date",
    "wrvu_share": "share",
    "rows": "int",
}
COLUMN_WIDTHS: dict[str, float] = {
    "source_file": 18,
    "source_row": 10,
    "provider_id": 14,
    "date_of_service": 12,
    "hcpcs": 8,
    "modifiers": 10,
    "modifier": 9,
    "description": 30,
    "adjustments": 60,
    "reason": 60,
    "fee_schedule_release": 12,
    "category": 16,
    "locality": 11,
    "setting": 12,
    "outcome": 9,
    "item": 34,
    "value": 44,
    "key": 34,
    "label": 30,
    "month": 11,
}


#: Headers a person reads, per tidy column name (the workbook may show labels,
#: in the same columns and order; the priced CSV and --json keep the tidy names). Names not
#: listed get :func:`header_label`'s generic wording ("wrvu_in_effect" -> "wRVU in effect").
HEADER_LABELS: dict[str, str] = {
    "source_file": "Source file",
    "source_row": "Source row",
    "provider_id": "Provider ID",
    "provider_name": "Provider name",
    "date_of_service": "Date of service",
    "hcpcs": "Code",
    "modifiers": "Modifiers",
    "modifier": "Modifier",
    "units": "Units",
    "pos": "Place of service",
    "setting": "Setting",
    "locality": "Locality",
    "fee_schedule_release": "Fee schedule release",
    "rvu_year": "RVU year",
    "status": "Status",
    "mod_row": "Fee schedule row",
    "description": "Description",
    "category": "Category",
    "global_days": "Global days",
    "work_rvu": "Work RVU (per unit)",
    "wrvu_credit": "wRVU credit",
    "payment": "Payment ($)",
    "conversion_factor": "Conversion factor ($)",
    "gpci_work": "Work GPCI",
    "gpci_pe": "PE GPCI",
    "gpci_mp": "MP GPCI",
    "adjustments": "Adjustments",
    "outcome": "Outcome",
    "priced": "Priced",
    "reason": "Reason",
    "is_duplicate": "Duplicate",
    "reject_column": "Rejected column",
    "lines": "Lines",
    "wrvu_share": "wRVU share",
    "month": "Month",
    "label": "Label",
    "item": "Item",
    "value": "Value",
    "key": "Key",
    "detail": "Detail",
    "metric": "Metric",
    "percentile": "Percentile",
    "percentile_label": "Percentile (as placed)",
    "mean": "Mean",
    "n_providers": "Clinicians in the survey (n)",
    "specialty": "Specialty",
    "source": "Source",
    "survey_year": "Survey year",
    "data_year": "Data year",
    "region": "Region",
    "illustrative": "Illustrative",
    "name": "Name",
    "clinical_fte": "Clinical FTE",
    "total_fte": "Total FTE",
    "wrvu_total": "wRVUs",
    "wrvu_annualized": "Annualized wRVUs",
    "wrvu_fte_adjusted": "FTE-adjusted annual wRVUs",
    "wrvu_percentile": "wRVU percentile",
    "payment_total": "Payment ($)",
    "total_compensation": "Total compensation ($)",
    "compensation_per_wrvu": "Compensation per wRVU ($)",
    "compensation_percentile": "Compensation percentile",
    "alignment_gap": "Alignment gap (points)",
    "outputs": "Files",
    "kind": "Kind",
    "clinicians": "Clinicians",
    "reported": "Reported",
}
_WORDS = {
    "wrvu": "wRVU",
    "wrvus": "wRVUs",
    "fte": "FTE",
    "id": "ID",
    "pct": "%",
    "em": "E/M",
    "hcpcs": "code",
    "cents": "(cents)",
    "yoy": "year over year",
    "qoq": "quarter over quarter",
}


def header_label(name: str) -> str:
    """The header shown for a tidy column name (``wrvu_credit`` -> ``wRVU credit``)."""
    if name in HEADER_LABELS:
        return HEADER_LABELS[name]
    if not name or " " in name or not name.replace("_", "").isalnum() or name[:1].isupper():
        return name  # already a label
    words = [_WORDS.get(w, w) for w in name.split("_") if w]
    text = " ".join(words)
    if (
        text
        and text[0].islower()
        and not text.startswith("wRVU")
        and not (text[0] == "p" and text[1:2].isdigit())
    ):
        text = text[0].upper() + text[1:]
    return text


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


_TIME_TYPES = (dt.date, dt.time, dt.timedelta)
_new_cell = Cell.__new__
_RISKY_FIRST = frozenset("=+-@\t\r#")


def text_is_risky(value: str) -> bool:
    """True if Excel would read the text as a formula (or an error literal)."""
    return value.startswith(_RISKY) or value.startswith("#")


def _quoted(ws: Any, value: str) -> Any:
    """A text cell that Excel shows as typed, never as a formula. The value bypasses
    openpyxl's own check, so characters XML cannot hold (``\x01``) are dropped here: the
    cell would otherwise make the sheet unreadable."""
    c = WriteOnlyCell(ws, value=None)
    c._value = ILLEGAL_CHARACTERS_RE.sub("", value)  # stored as text, never a formula
    c.data_type = "s"
    c.quotePrefix = True
    return c


def _format_style(ws: Any, fmt: str) -> Any:
    """The style array of a cell carrying number format ``fmt`` (one per workbook and format)."""
    wb = ws.parent
    cache = wb.__dict__.setdefault("_rvubench_format_styles", {})
    style = cache.get(fmt)
    if style is None:
        template = WriteOnlyCell(ws, value=None)
        template.number_format = XLSX_FORMATS.get(fmt, fmt)
        style = cache[fmt] = template._style
    return style


def cell(ws: Any, value: Any, fmt: str | None = None) -> Any:
    """The value to append for one cell: plain, number-formatted, or forced text.

    Other modules' sheet writers may use it with ``ws.append([...])``.
    """
    kind = type(value)
    if kind is str:
        if value and value[0] in _RISKY_FIRST:
            return _quoted(ws, value)
        return value
    if kind is float:
        if value != value:  # NaN
            return None
        value = round(value, FLOAT_PLACES)  # 5.600000000000001 -> 5.6
    elif kind is not int:
        value = _plain(value)
        if isinstance(value, str):
            return _quoted(ws, value) if value and text_is_risky(value) else value
    if type(value) is float:
        value = round(value, FLOAT_PLACES)
    if value is None or fmt is None or isinstance(value, bool):
        return value
    if isinstance(value, _TIME_TYPES):
        # binding a date first registers openpyxl's default date format (styles.xml order)
        c = WriteOnlyCell(ws, value=value)
        c.number_format = XLSX_FORMATS.get(fmt, fmt)
        return c
    style = _format_style(ws, fmt)
    if FAST_WRITER and (type(value) is int or type(value) is float):
        # what Cell(ws, row=1, column=1, value=value, style_array=style) makes, minus dispatch
        c = _new_cell(Cell)
        c.parent = ws
        c._style = StyleArray(style)
        c.row = 1
        c.column = 1
        c._value = value
        c._hyperlink = None
        c.data_type = "n"
        c._comment = None
        return c
    return Cell(ws, row=1, column=1, value=value, style_array=style)


def _header_cells(ws: Any, names: Sequence[str]) -> list[Any]:
    """Bold, shaded header cells. The style is set up once per workbook and copied: each
    font, fill and alignment set on a cell is looked up in the workbook's style lists."""
    cache = ws.parent.__dict__.setdefault("_rvubench_format_styles", {})
    style = cache.get("header")
    if style is None:
        template = WriteOnlyCell(ws, value=None)
        template.font = _HEADER_FONT
        template.fill = _HEADER_FILL
        template.alignment = Alignment(vertical="bottom", wrap_text=False)
        style = cache["header"] = template._style
    out = []
    for name in names:
        c = WriteOnlyCell(ws, value=header_label(name))
        c._style = StyleArray(style)
        out.append(c)
    return out


def _shown_length(value: Any, fmt: str | None) -> int:
    """About how many characters Excel shows for a value in a format."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, dt.datetime | dt.date):
        return 10
    if isinstance(value, int | float):
        places = (
            2
            if fmt in ("wrvu", "usd", "rvu_unit") or fmt is None
            else (
                4
                if fmt == "factor"
                else 3
                if fmt == "gpci"
                else 1
                if fmt in ("percentile", "share")
                else 0
            )
        )
        text = f"{value:,.{places}f}"
        return len(text) + (1 if fmt in ("usd", "usd0", "share") else 0)
    return max((len(part) for part in str(value).split("\n")), default=0)


def fitted_widths(
    names: Sequence[str], rows: Sequence[Sequence[Any]], formats: Sequence[str | None] | None = None
) -> list[float]:
    """Column widths fitted to the header label and the longest shown value, capped at
    :data:`MAX_WIDTH` (a label is never cut: its length is the floor)."""
    formats = list(formats or [None] * len(names))
    out = []
    for i, name in enumerate(names):
        label = len(header_label(name)) + 3  # + room for the autofilter button
        longest = max(
            (_shown_length(r[i] if i < len(r) else None, formats[i]) for r in rows), default=0
        )
        out.append(float(max(label, min(longest + 2, MAX_WIDTH), 6)))
    return out


def _frame_widths(
    frame: pd.DataFrame, names: Sequence[str], formats: Sequence[str | None], sample: int = 2000
) -> list[float]:
    """:func:`fitted_widths` of a frame, measured vectorized on its first ``sample`` rows."""
    head = frame.head(sample)
    out = []
    for name, fmt in zip(names, formats, strict=True):
        col = head[name]
        label = len(header_label(name)) + 3
        if col.empty:
            longest = 0
        elif pd.api.types.is_datetime64_any_dtype(col) or fmt == "date":
            longest = 10
        elif pd.api.types.is_bool_dtype(col):
            longest = 5
        elif pd.api.types.is_numeric_dtype(col):
            top = pd.to_numeric(col, errors="coerce").abs().max()
            longest = 0 if pd.isna(top) else _shown_length(float(top), fmt)
        else:
            longest = int(col.fillna("").astype(str).str.len().max() or 0)
        out.append(float(max(label, min(longest + 2, MAX_WIDTH), 6)))
    return out


def _set_widths(
    ws: Any,
    names: Sequence[str],
    widths: Mapping[str, float] | None = None,
    fitted: Sequence[float] | None = None,
) -> list[float]:
    """Set column widths: the given width, else the fitted one, else the defaults."""
    used = []
    for i, name in enumerate(names, start=1):
        width = (
            (widths or {}).get(name)
            or (fitted[i - 1] if fitted else None)
            or COLUMN_WIDTHS.get(name)
            or max(10, min(len(name) + 3, 24))
        )
        width = max(width, len(header_label(name)) + 3)  # a label is never cut
        ws.column_dimensions[get_column_letter(i)].width = width
        used.append(width)
    return used


def prepare_print(ws: Any, widths: Sequence[float], header_row: int = 1) -> None:
    """Before the first row (write-only sheets write their properties first): header row
    frozen; fit to one page wide, as many pages tall as needed; landscape when wide."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.freeze_panes = f"A{header_row + 1}"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.orientation = "landscape" if sum(widths) > WIDE_SHEET else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_LETTER


def finish_table(
    ws: Any,
    columns: int,
    rows: int,
    header_row: int = 1,
    last_row: int | None = None,
    last_col: int | None = None,
) -> None:
    """After the rows: autofilter, header repeated on every printed page and a print area
    (the table, or ``last_row`` / ``last_col`` when more is printed)."""
    col = get_column_letter(max(columns, 1))
    ws.auto_filter.ref = f"A{header_row}:{col}{header_row + rows}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    end_col = get_column_letter(max(last_col or columns, 1))
    ws.print_area = f"A1:{end_col}{max(last_row or 0, header_row + rows)}"


def append_rows(ws: Any, rows: Iterable[Sequence[Any]]) -> int:
    """``ws.append(row)`` for every row; return how many rows were appended.

    On a normal-mode sheet, plain text, numbers, booleans and empty values become cells
    without openpyxl's per-value type dispatch: the same ``Cell`` objects ``append`` makes
    (same data type, value and position; text checked for illegal characters the same
    way). Anything else, and write-only sheets, go through ``ws.append``.
    """
    if type(ws) is not Worksheet or not FAST_WRITER:
        count = 0
        for row in rows:
            ws.append([round(v, FLOAT_PLACES) if type(v) is float else v for v in row])
            count += 1
        return count
    cells = ws._cells
    count = 0
    for row in rows:
        r = ws._current_row + 1
        for col, v in enumerate(row, 1):
            cells[(r, col)] = _row_cell(ws, v, r, col)
        ws._current_row = r
        count += 1
    return count


_illegal = ILLEGAL_CHARACTERS_RE.search


def _row_cell(ws: Any, v: Any, r: int, col: int) -> Any:
    """The cell ``ws.append`` stores for value ``v`` at row ``r``, column ``col``.

    Plain text, numbers, booleans and None are built without openpyxl's type dispatch;
    anything else goes through ``Cell`` (which checks text for illegal characters, cuts it
    to 32,767 characters, and reads ``=...`` as a formula, ``#...`` maybe as an error).
    """
    t = type(v)
    if t is str:
        if len(v) > 32767 or (v and v[0] in "=#") or _illegal(v):
            return Cell(ws, row=r, column=col, value=v)
        kind = "s"
    elif t is float:
        v = round(v, FLOAT_PLACES)
        kind = "n"
    elif t is int or v is None:
        kind = "n"
    elif t is bool:
        kind = "b"
    elif isinstance(v, Cell):
        if v.parent and v.parent != ws:
            raise ValueError("Cells cannot be copied from other worksheets")
        v.parent = ws
        v.column = col
        v.row = r
        return v
    else:
        return Cell(ws, row=r, column=col, value=v)
    c = _new_cell(Cell)
    c.parent = ws
    c._style = None
    c.row = r
    c.column = col
    c._value = v
    c._hyperlink = None
    c.data_type = kind
    c._comment = None
    return c


def write_table(
    wb: Workbook,
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    formats: Mapping[str, str] | None = None,
    widths: Mapping[str, float] | None = None,
) -> Any:
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
    fmts = [(formats or {}).get(c) or COLUMN_FORMATS.get(c) for c in columns]
    rows = [[_plain(v) for v in row] for row in rows]
    used = _set_widths(ws, columns, widths, fitted_widths(columns, rows, fmts))
    prepare_print(ws, used)
    ws.append(_header_cells(ws, columns))
    count = append_rows(
        ws, ([cell(ws, v, f) for v, f in zip(row, fmts, strict=False)] for row in rows)
    )
    finish_table(ws, len(columns), count)
    return ws


def _frame_rows(frame: pd.DataFrame) -> Iterable[tuple[Any, ...]]:
    columns = [
        frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in frame.columns
    ]
    return zip(*columns, strict=True) if columns else iter(())


def column_cells(ws: Any, values: Sequence[Any], fmt: str | None = None) -> list[Any]:
    """``[cell(ws, v, fmt) for v in values]``, with the common text case inlined."""
    if fmt is None:
        return [
            v if type(v) is str and not (v and v[0] in _RISKY_FIRST) else cell(ws, v)
            for v in values
        ]
    return [cell(ws, v, fmt) for v in values]


def frame_cells(
    ws: Any, frame: pd.DataFrame, columns: Sequence[tuple[str, str | None]]
) -> Iterable[tuple[Any, ...]]:
    """Rows of :func:`cell` values of ``frame``'s ``(column, format)`` pairs, built column-wise.

    Missing values (NaN, NA, NaT) become empty cells and timestamps Python datetimes, as
    :func:`cell` does for any value. Built :data:`FRAME_CHUNK` rows at a time, so a
    write-only sheet of 300,000 lines never holds every value as a Python object at once.
    """
    if not columns:
        return iter(())

    def chunk(start: int) -> Iterable[tuple[Any, ...]]:
        part = frame.iloc[start : start + FRAME_CHUNK]
        return zip(*(column_cells(ws, part[c].tolist(), f) for c, f in columns), strict=True)

    return itertools.chain.from_iterable(chunk(i) for i in range(0, len(frame), FRAME_CHUNK))


def write_frame(
    wb: Workbook,
    title: str,
    frame: pd.DataFrame,
    formats: Mapping[str, str] | None = None,
    widths: Mapping[str, float] | None = None,
) -> Any:
    """:func:`write_table` of a whole DataFrame (its columns, in order)."""
    columns = list(frame.columns)
    fmts = [(formats or {}).get(c) or COLUMN_FORMATS.get(c) for c in columns]
    ws = wb.create_sheet(title)
    used = _set_widths(ws, columns, widths, _frame_widths(frame, columns, fmts))
    prepare_print(ws, used)
    ws.append(_header_cells(ws, columns))
    count = append_frame(ws, frame, list(zip(columns, fmts, strict=True)))
    finish_table(ws, len(columns), count)
    return ws


def append_frame(ws: Any, frame: pd.DataFrame, columns: Sequence[tuple[str, str | None]]) -> int:
    """Append the rows of ``frame``'s ``(column, format)`` pairs to ``ws``; return how many.

    The same cells as ``append_rows(ws, frame_cells(ws, frame, columns))``. With the column
    writer (:data:`COLUMN_WRITER`, a normal-mode sheet of a :class:`_Workbook`) no cell is
    made: the sheet holds the frame (:class:`_FrameBody`) and :class:`FastWorksheetWriter`
    writes its rows when the workbook is saved; rows appended afterwards go below them. On
    any other workbook the cells are made (its own ``save`` would not know the frame).
    """
    names = [name for name, _ in columns]
    ours = isinstance(ws.parent, _Workbook) and type(ws) is Worksheet  # saved by our writer
    if not (COLUMN_WRITER and ours and names and len(set(names)) == len(names)):
        return append_rows(ws, frame_cells(ws, frame, columns))
    body = _FrameBody(ws, frame[names], columns)
    ws.__dict__.setdefault("_rvubench_bodies", []).append(body)
    ws._current_row += body.rows
    return body.rows


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
        (
            "Annualization factor (365 / days)",
            model.annualization_factor,
            "annualization_factor",
            "factor",
        ),
        ("Clinical FTE", model.clinical_fte, "clinical_fte", "0.00"),
        ("Total FTE", model.total_fte, "total_fte", "0.00"),
        ("Work RVUs credited", model.wrvu_total, "wrvu_total", "wrvu"),
        ("Annualized wRVUs", model.wrvu_annualized, "wrvu_annualized", "wrvu"),
        (
            "FTE-adjusted wRVUs (annualized / clinical FTE)",
            model.wrvu_fte_adjusted,
            "wrvu_fte_adjusted",
            "wrvu",
        ),
        *_basis_rows(model),
        ("wRVU percentile", s["wrvu_percentile"], "wrvu_percentile", "percentile"),
        ("Estimated Medicare payment", model.payment_total_cents / 100, "payment_total", "usd"),
        ("Total compensation (annual)", s["total_compensation"], "total_compensation", "usd0"),
        (
            "Compensation percentile",
            s["compensation_percentile"],
            "compensation_percentile",
            "percentile",
        ),
        ("Compensation per wRVU", s["compensation_per_wrvu"], "compensation_per_wrvu", "usd"),
        (
            "Compensation per wRVU percentile",
            s["compensation_per_wrvu_percentile"],
            "compensation_per_wrvu_percentile",
            "percentile",
        ),
        (
            "Alignment gap (comp. percentile - wRVU percentile)",
            s["alignment_gap"],
            "alignment_gap",
            "0.0",
        ),
        ("Lines counted", model.lines_count, "lines", "int"),
        ("Units", model.units_total, "units", "int"),
        ("Rows read", s["rows_read"], "rows_read", "int"),
        ("Rows priced", s["rows_priced"], "rows_priced", "int"),
        ("Rows credited zero", s["rows_zero"], "rows_zero", "int"),
        ("Rows rejected", s["rows_rejected"], "rows_rejected", "int"),
        (
            "Exact duplicate lines (flagged, counted in the totals)",
            model.data_quality.rows_duplicate,
            "rows_duplicate",
            "int",
        ),
        (
            "Rows outside the period (not counted)",
            model.data_quality.rows_outside_period,
            "rows_outside_period",
            "int",
        ),
    ]
    for f in model.run_facts:
        if f.label != "Period":
            value, fmt = _fact_value(f.value)
            rows.append((f.label, value, f.label.lower().replace(" ", "_"), fmt))
    if model.multiple_procedure_rule:  # the page-1 sentence: ranking rule (no ids: both totals)
        rows.append(
            ("Multiple procedures", model.multiple_procedure_rule, "multiple_procedure_rule", None)
        )
    if b is not None:
        rows.append(
            (
                "Benchmark illustrative",
                "yes" if b.illustrative else "no",
                "benchmark_illustrative",
                None,
            )
        )
    rows += [(f"Notice {i}", n, f"notice_{i}", None) for i, n in enumerate(model.notices, start=1)]
    rows += [
        (f"Warning {i}", w, f"warning_{i}", None) for i, w in enumerate(model.warnings, start=1)
    ]
    return rows


def _fact_value(text: str) -> tuple[Any, str | None]:
    """A run fact as a number when it is one amount (``$33.4009`` -> 33.4009, dollar format)."""
    match = _AMOUNT.match(text or "")
    if match:
        places = len(match.group(1).partition(".")[2])
        return float(match.group(1)), '"$"0.' + "0" * places if places else '"$"0'
    return text, None


def _basis_rows(model: ReportModel) -> list[tuple[str, Any, str, str | None]]:
    """The benchmarked figure (every percentile's basis) and, like-for-like, the gap to it."""
    b = model.basis
    if b is None:
        return []
    rows: list[tuple[str, Any, str, str | None]] = [
        ("Basis of every percentile", f"wRVUs {b.label}", "wrvu_basis", None),
        (
            f"Benchmarked wRVUs in the period, {b.label}",
            b.wrvu_total,
            "wrvu_benchmarked_total",
            "wrvu",
        ),
        (
            f"Benchmarked FTE-adjusted wRVUs, {b.label}",
            b.wrvu_fte_adjusted,
            "wrvu_benchmarked_fte_adjusted",
            "wrvu",
        ),
    ]
    if b.like_for_like:
        rows += [
            (
                "Benchmarked minus as-credited FTE-adjusted wRVUs",
                b.difference_fte_adjusted,
                "wrvu_basis_difference",
                "wrvu",
            ),
            (
                f"Percentile of the FTE-adjusted wRVUs {b.credited_label} (not used)",
                b.credited_percentile,
                "wrvu_credited_percentile",
                "percentile",
            ),
        ]
    return rows


def _write_summary(wb: Workbook, model: ReportModel) -> None:
    ws = wb.create_sheet("Summary")
    rows = _summary_rows(model)
    names = ("item", "value", "key")
    used = _set_widths(
        ws,
        names,
        None,
        fitted_widths(
            names, [(label, value, key) for label, value, key, _ in rows], [None, "wrvu", None]
        ),
    )
    prepare_print(ws, used)
    ws.append(_header_cells(ws, names))
    for label, value, key, fmt in rows:
        ws.append([cell(ws, label), cell(ws, value, fmt), cell(ws, key)])
    finish_table(ws, 3, len(rows))


def _write_by_code(wb: Workbook, model: ReportModel) -> None:
    cols = ("hcpcs", "modifier", "description", "lines", "units", "wrvu_credit", "payment")
    write_table(
        wb,
        "By Code",
        cols,
        (
            (c.hcpcs, c.modifier, c.description, c.lines, c.units, c.wrvu_credit, c.payment)
            for c in model.by_code
        ),
    )


def _write_by_month(wb: Workbook, model: ReportModel) -> None:
    cols = ("month", "label", "lines", "wrvu_credit", "payment")
    ws = write_table(
        wb,
        "By Month",
        cols,
        ((m.month, m.label, m.lines, m.wrvu_credit, m.payment) for m in model.by_month),
        formats={"month": "yyyy-mm"},
    )
    n = len(model.by_month)
    if n:
        chart = BarChart()
        chart.type = "col"
        chart.title = "Work RVUs by month"
        chart.y_axis.title = "wRVUs"
        chart.y_axis.numFmt = "#,##0"
        chart.y_axis.scaling.min = 0  # bars are read against zero, never a truncated axis
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.legend = None
        chart.width, chart.height = 16, 7.5
        data = Reference(ws, min_col=4, min_row=1, max_row=n + 1)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, min_row=2, max_row=n + 1))
        # under the table, inside the print area, so the printed page holds both
        ws.add_chart(chart, f"A{n + 3}")
        finish_table(ws, len(cols), n, last_row=n + 3 + CHART_ROWS)


def _write_by_category(wb: Workbook, model: ReportModel) -> None:
    cols = ("category", "lines", "units", "wrvu_credit", "wrvu_share", "payment")
    write_table(
        wb,
        "By Category",
        cols,
        (
            (c.category, c.lines, c.units, c.wrvu_credit, c.wrvu_share, c.payment)
            for c in model.by_category
        ),
    )


def _write_benchmarks(wb: Workbook, model: ReportModel) -> None:
    b = model.benchmark
    pcts = sorted({p for m in b.metrics for p, _ in m.anchors}) if b else [10, 25, 50, 75, 90]
    anchor_cols = [f"p{p:g}" for p in pcts]
    cols = (
        "metric",
        "label",
        "value",
        "percentile",
        "percentile_label",
        *anchor_cols,
        "mean",
        "n_providers",
        "specialty",
        "source",
        "survey_year",
        "data_year",
        "region",
        "illustrative",
    )
    rows: list[tuple[Any, ...]] = []
    if b is not None:
        for m in (*b.metrics, *((b.credited_wrvu,) if b.credited_wrvu is not None else ())):
            fmt_value = m.value
            anchors = dict(m.anchors)
            rows.append(
                (
                    m.metric,
                    m.label,
                    fmt_value,
                    m.percentile if m.position == "within" else None,
                    m.percentile_label,
                    *(anchors.get(p) for p in pcts),
                    m.mean,
                    m.n_providers,
                    b.specialty,
                    b.source,
                    b.survey_year,
                    b.data_year,
                    b.region,
                    "yes" if b.illustrative else "no",
                )
            )
    formats = {
        "value": "#,##0.00",
        "percentile": "percentile",
        "mean": "#,##0.00",
        "n_providers": "int",
        "survey_year": "0",
        "data_year": "0",
        **{c: "#,##0.00" for c in anchor_cols},
    }
    write_table(wb, "Benchmarks", cols, rows, formats=formats, widths={"label": 40, "source": 40})


def _write_compensation(wb: Workbook, model: ReportModel) -> None:
    b = model.benchmark
    if b is None:
        return
    extra: list[tuple[Any, ...]] = []
    extra += [
        ("implied_compensation", f"p{p:g} compensation-per-wRVU rate", a)
        for p, a in b.implied_compensation
    ]
    extra += [("scenario", f"{s.name}: {s.description}", s.compensation) for s in b.scenarios]
    extra += [
        ("target_wrvu_annual_fte", f"p{t.percentile:g}", t.wrvu_annual_fte) for t in b.targets
    ]
    extra += [("target_wrvu_in_period", f"p{t.percentile:g}", t.wrvu_in_period) for t in b.targets]
    extra += [("alignment_gap", "compensation percentile - wRVU percentile", b.alignment_gap)]
    write_table(
        wb,
        "Compensation",
        ("item", "detail", "value"),
        extra,
        formats={"value": "#,##0.00"},
        widths={"detail": 70},
    )


# ---------------------------------------------------------------------------- writing


def _escape_text(text: str) -> str:
    """Character data escaped as ElementTree does (``& < >``)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _cell_xml(kind: str, value: Any, head: str, epoch: Any) -> str | None:
    """The ``<c>`` element openpyxl's ElementTree writer makes for a plain cell.

    ``head`` is ``<c r="A1"`` (plus `` s="n"`` when styled). None for anything else
    (formulas, rich text, errors, times, ISO dates, numpy scalars): openpyxl writes those.
    """
    if kind == "s":
        if value is None or value == "":
            return head + ' t="inlineStr" />'
        if type(value) is not str:
            return None
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and stripped != value else ""
        return f'{head} t="inlineStr"><is><t{space}>{_escape_text(value)}</t></is></c>'
    if kind == "n" or kind == "b":
        if value is None or value == "":
            return f'{head} t="{kind}" />'
        if (
            type(value) is int
            or type(value) is bool
            or (type(value) is float and math.isfinite(value))
        ):
            return f'{head} t="{kind}"><v>{value:.16g}</v></c>'
        return None
    if kind == "d" and isinstance(value, dt.date) and epoch is not None:
        if getattr(value, "tzinfo", None) is not None:
            return None
        text = safe_string(to_excel(value, epoch))
        return f'{head} t="n"><v>{text}</v></c>' if text else None
    return None


class _FrameBody:
    """A frame's rows held by a sheet until it is saved, then written column by column.

    Same cells as :func:`frame_cells` + :func:`append_rows` + :class:`FastWorksheetWriter`
    (tests/report/test_xlsx_frame.py compares the packages byte for byte), without a
    cell object per value: each column is factorized (:func:`xlsx_frame.factorize`) and each
    distinct value goes through :func:`cell` and :func:`_row_cell` once, in the order the
    row path meets it, so number formats and styles are registered in the same order and get
    the same ids. At save the cell text of each distinct value is spread to the rows by
    Arrow. An integer column with many distinct values (``source_row``) is cast to text by
    Arrow instead, around the text of one of its cells.
    """

    def __init__(self, ws: Any, frame: pd.DataFrame, columns: Sequence[tuple[str, str | None]]):
        self.ws = ws
        self.frame = frame
        self.columns = list(columns)
        self.rows = len(frame)
        self.first_row = ws._current_row + 1
        self.codes: list[np.ndarray | None] = []
        self.first: list[np.ndarray] = []
        self.cells: list[list[Any]] = []
        values: list[list[Any]] = []
        for j in range(len(self.columns)):
            column = frame.iloc[:, j]
            if _countable(column):
                codes, first = None, _count_exemplars(column)
            else:
                codes, first = xlsx_frame.factorize(column)
            self.codes.append(codes)
            self.first.append(first)
            if len(column) < 8 * len(first):  # mostly distinct: no pandas take
                every = column.tolist()
                values.append([every[p] for p in first.tolist()])
            else:
                values.append(column.iloc[first].tolist())
        self._make_cells(values)

    def _make_cells(self, values: list[list[Any]]) -> None:
        """:func:`cell` then :func:`_row_cell` per distinct value, in the row path's order.

        The row path calls :func:`cell` column after column on each chunk of
        :data:`FRAME_CHUNK` rows, then makes the chunk's cells row after row; either may
        register a number format (a date registers openpyxl's default date format first).
        """
        made: list[list[Any]] = [[None] * len(v) for v in values]
        self.cells = [[None] * len(v) for v in values]
        order = sorted(
            (p // FRAME_CHUNK, step, *((j, p) if step == 0 else (p, j)), j, u)
            for j, first in enumerate(self.first)
            for u, p in enumerate(first.tolist())
            for step in (0, 1)
        )
        for _, step, _, _, j, u in order:
            if step == 0:
                made[j][u] = cell(self.ws, values[j][u], self.columns[j][1])
            else:
                self.cells[j][u] = _row_cell(self.ws, made[j][u], 1, 1)

    def write(self, out: Callable[[str], Any], style_ids: dict[bytes, str]) -> None:
        """Write the rows to the sheet's XML stream ``out``, :data:`xlsx_frame.CHUNK_ROWS`
        rows at a time."""
        wb = self.ws.parent
        epoch = None if wb.iso_dates else wb.epoch
        styled = sorted(
            (p, j, u)
            for j, first in enumerate(self.first)
            for u, p in enumerate(first.tolist())
            if self.cells[j][u]._style is not None and any(self.cells[j][u]._style)
        )
        for _, j, u in styled:  # style ids in the order the row path writes them
            _cell_text(self.cells[j][u], "1", epoch, style_ids)
        tails = [[_cell_tail(self.ws, c, epoch, style_ids) for c in cells] for cells in self.cells]
        counted: dict[int, tuple[str, str]] = {}
        for j, codes in enumerate(self.codes):
            parts = _counted_parts(self.cells[j], tails[j]) if codes is None else None
            if parts is not None:
                counted[j] = parts
            elif codes is None:  # not seen: the exemplars disagree, so every distinct value
                tails[j] = self._distinct_tails(j, epoch, style_ids)
        letters = [get_column_letter(j + 1) for j in range(len(self.columns))]
        for start in range(0, self.rows, xlsx_frame.CHUNK_ROWS):
            stop = min(start + xlsx_frame.CHUNK_ROWS, self.rows)
            numbers = xlsx_frame.row_numbers(self.first_row + start, self.first_row + stop)
            columns = []
            for j, codes in enumerate(self.codes):
                if codes is None:
                    head, tail = counted[j]
                    texts = pa.array(self.frame.iloc[start:stop, j], type=pa.int64())
                    per_row = xlsx_frame.wrapped(head, pc.cast(texts, pa.string()), tail)
                else:
                    per_row = xlsx_frame.spread(tails[j], codes[start:stop])
                columns.append((letters[j], per_row))
            _write_bytes(out, xlsx_frame.rows_xml(numbers, columns))

    def _distinct_tails(self, j: int, epoch: Any, style_ids: dict[bytes, str]) -> list[str | None]:
        """Factorize column ``j`` after all and return its distinct values' tails."""
        self.codes[j], self.first[j] = xlsx_frame.factorize(self.frame.iloc[:, j])
        fmt = self.columns[j][1]
        values = self.frame.iloc[self.first[j], j].tolist()
        self.cells[j] = [_row_cell(self.ws, cell(self.ws, v, fmt), 1, 1) for v in values]
        return [_cell_tail(self.ws, c, epoch, style_ids) for c in self.cells[j]]


def _write_bytes(out: Callable[[str], Any], data: pa.Buffer) -> None:
    """Write UTF-8 ``data`` to the sheet's text stream ``out`` (a text file's ``write``):
    straight to the file's bytes when it is one (no decoding and encoding again)."""
    stream = getattr(out, "__self__", None)
    if isinstance(stream, io.TextIOWrapper) and stream.encoding.lower().replace("-", "") == "utf8":
        stream.flush()
        stream.buffer.write(memoryview(data))
    else:
        out(data.to_pybytes().decode())


def _frame_bodies(ws: Any) -> list[_FrameBody]:
    """The frames :func:`append_frame` left on ``ws``, top to bottom."""
    return [b for b in ws.__dict__.get("_rvubench_bodies", ()) if b.rows]


_COUNT_LIMIT = 10**15
"""Integers below this print the same with ``%.16g`` as ``str`` (Arrow's cast)."""
_COUNT_MIN_ROWS = 64
"""Integer columns from this many rows are cast by Arrow rather than factorized."""


def _countable(column: pd.Series) -> bool:
    """An int64 column with many distinct values, all printed alike by ``%.16g`` and str."""
    if str(column.dtype) not in ("int64", "Int64") or len(column) < _COUNT_MIN_ROWS:
        return False
    low, high = column.min(), column.max()  # (abs() of the least int64 overflows)
    return not pd.isna(low) and int(low) > -_COUNT_LIMIT and int(high) < _COUNT_LIMIT


def _count_exemplars(column: pd.Series) -> np.ndarray:
    """Rows whose cells stand for a countable column: its first value, its largest
    absolute value and its first missing value (if any)."""
    present = np.flatnonzero(column.notna().to_numpy())
    rows = {int(present[0]), int(column.abs().to_numpy(na_value=0).argmax())}
    missing = np.flatnonzero(column.isna().to_numpy())
    if missing.size:
        rows.add(int(missing[0]))
    return np.array(sorted(rows), dtype=np.intp)


def _counted_parts(cells: list[Any], tails: list[str | None]) -> tuple[str, str] | None:
    """The text before and after the number in an integer column's cells, when every
    exemplar cell is ``head + %.16g + tail`` (and a missing value is no cell)."""
    parts = set()
    for c, text in zip(cells, tails, strict=True):
        if c._value is None:
            if text is not None:
                return None
            continue
        number = f"{c._value:.16g}" if type(c._value) is int else None
        if text is None or number is None or f"<v>{number}</v>" not in text:
            return None
        head, _, tail = text.partition(f"<v>{number}</v>")
        parts.add((head + "<v>", "</v>" + tail))
    return parts.pop() if len(parts) == 1 else None


def _cell_tail(ws: Any, c: Any, epoch: Any, style_ids: dict[bytes, str]) -> str | None:
    """The XML of cell ``c`` (placed at A1) after ``<c r="A1"``; None for no cell.

    What :class:`FastWorksheetWriter` writes, openpyxl's own cell writer included; text
    the sheet's file cannot encode (lone surrogates) is replaced by character references,
    as that file does.
    """
    c.row, c.column = 1, 1
    plain = c._comment is None and c._hyperlink is None
    text = _cell_text(c, "1", epoch, style_ids) if plain else None
    if text is None:
        if c._value is None and not c.has_style and not c._comment:
            return None
        buf = io.BytesIO()
        with xmlfile(buf) as xf, xf.element("row"):
            write_cell(xf, ws, c, c.has_style)
        text = buf.getvalue().decode()[len("<row>") : -len("</row>")]
    if text == "":
        return None
    head = '<c r="A1"'  # the reference is written per row
    if not text.startswith(head):
        raise AssertionError(f"unexpected cell XML {text[:40]!r}")
    tail = text[len(head) :]
    try:
        tail.encode()
    except UnicodeEncodeError:
        tail = tail.encode("utf-8", "xmlcharrefreplace").decode()
    return tail


def _cell_text(c: Any, r: str, epoch: Any, style_ids: dict[bytes, str]) -> str | None:
    """The ``<c>`` text of a cell without comment or hyperlink, in row ``r``: "" for no
    cell (unstyled and empty), None for a cell only openpyxl's writer writes.

    ``style_ids`` maps a style array's bytes to its id text ("" = no style); a style seen
    for the first time is registered in the workbook now, as openpyxl does when it writes
    the cell, so ids follow the order in which cells are written.
    """
    value = c._value
    style = c._style
    sid = ""
    if style is not None:
        key = style.tobytes()
        known = style_ids.get(key)
        if known is None:
            known = style_ids[key] = f"{c.style_id}" if any(style) else ""
        sid = known
    if not sid:
        if value is None:
            return ""
        head = f'<c r="{get_column_letter(c.column)}{r}"'
    else:
        head = f'<c r="{get_column_letter(c.column)}{r}" s="{sid}"'
    return _cell_xml(c.data_type, value, head, epoch)


class FastWorksheetWriter(WorksheetWriter):
    """openpyxl's worksheet writer with plain cells serialized as text (same bytes).

    A sheet holding frames (:func:`append_frame`) gets their rows in their place among its
    own cells, as XML text built column by column (:class:`_FrameBody`).
    """

    def write_dimensions(self) -> None:
        """As openpyxl's, counting the rows of frame bodies (cells the sheet never holds)."""
        ws = self.ws
        bodies = _frame_bodies(ws)
        if not bodies:
            super().write_dimensions()
            return
        from openpyxl.worksheet.dimensions import SheetDimension

        rows = [b.first_row for b in bodies] + [b.first_row + b.rows - 1 for b in bodies]
        cols = [1, *(len(b.columns) for b in bodies)]
        if ws._cells:
            rows += [ws.min_row, ws.max_row]
            cols += [ws.min_column, ws.max_column]
        ref = f"{get_column_letter(min(cols))}{min(rows)}:{get_column_letter(max(cols))}{max(rows)}"
        self.xf.send(SheetDimension(ref).to_tree())

    def write_rows(self) -> None:
        """As openpyxl's, with the rows of frame bodies in their place."""
        bodies = _frame_bodies(self.ws)
        if not bodies:
            super().write_rows()
            return
        style_ids: dict[bytes, str] = self.__dict__.setdefault("_style_ids", {})
        xf = self.xf.send(True)
        with xf.element("sheetData"):
            for row_idx, row in self.rows():
                while bodies and bodies[0].first_row < row_idx:
                    bodies.pop(0).write(xf._file, style_ids)
                if bodies and row_idx >= bodies[0].first_row:  # pragma: no cover
                    raise ValueError(f"row {row_idx} of {self.ws.title!r} is a frame's row")
                self.write_row(xf, row, row_idx)
            for body in bodies:
                body.write(xf._file, style_ids)
        self.xf.send(None)

    def write_row(self, xf: Any, row: Iterable[Any], row_idx: int) -> None:
        """Write one ``<row>``; cells :func:`_cell_xml` cannot write go to openpyxl."""
        out = getattr(xf, "_file", None)
        if LXML or not callable(out):
            super().write_row(xf, row, row_idx)
            return
        self._write_items(xf, out, row, row_idx)

    def _write_items(self, xf: Any, out: Any, row: Iterable[Any], row_idx: int) -> None:
        ws = self.ws
        wb = ws.parent
        epoch = None if wb.iso_dates else wb.epoch
        # style array bytes -> style id text ("" = no style), in first-seen order like openpyxl
        style_ids: dict[bytes, str] = self.__dict__.setdefault("_style_ids", {})
        r = f"{row_idx}"
        attrs = {"r": r}
        attrs.update(ws.row_dimensions.get(row_idx, {}))
        with xf.element("row", attrs):
            parts: list[str] = []
            for c in row:
                text = None
                if c._comment is None and c._hyperlink is None:
                    text = _cell_text(c, r, epoch, style_ids)
                    if text == "":
                        continue
                if text is not None:
                    parts.append(text)
                    continue
                if parts:
                    out("".join(parts))
                    parts = []
                self._write_one(xf, c)
            if parts:
                out("".join(parts))

    def _write_one(self, xf: Any, c: Any) -> None:
        """openpyxl's handling of one cell (as in ``WorksheetWriter.write_row``)."""
        from openpyxl.comments.comment_sheet import CommentRecord

        if c._comment is not None:
            self.ws._comments.append(CommentRecord.from_cell(c))
        if c._value is None and not c.has_style and not c._comment:
            return
        write_cell(xf, self.ws, c, c.has_style)


class _Workbook(Workbook):
    """A workbook whose sheets are written by :class:`FastWorksheetWriter`, frames
    appended with :func:`append_frame` included (only :func:`save_workbook` writes those:
    ``save`` goes through it)."""

    def save(self, filename: Any) -> None:
        """:func:`save_workbook`."""
        save_workbook(self, Path(filename))


class _FastExcelWriter(ExcelWriter):
    """openpyxl's package writer; normal-mode sheets go through :class:`FastWorksheetWriter`."""

    def write_worksheet(self, ws: Any) -> None:
        """As ``ExcelWriter.write_worksheet``."""
        if self.workbook.write_only or not isinstance(ws, Worksheet):
            super().write_worksheet(ws)
            return
        from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing

        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        if _frame_bodies(ws):  # large: streamed into the package, no temporary file
            with self._archive.open(ws.path[1:], "w", force_zip64=True) as member:
                writer = FastWorksheetWriter(ws, out=member)
                writer.write()
        else:
            writer = FastWorksheetWriter(ws)
            writer.write()
            self._archive.write(writer.out, ws.path[1:])
            writer.cleanup()
        ws._rels = writer._rels
        self.manifest.append(ws)


def save_workbook(wb: Workbook, path: Path) -> None:
    """``wb.save(path)`` with :class:`FastWorksheetWriter` (same package, same bytes)."""
    if not FAST_WRITER:
        Workbook.save(wb, path)  # (not _Workbook.save, which comes here)
        return
    if wb.write_only and not wb.worksheets:
        wb.create_sheet()
    archive = zipfile.ZipFile(
        path, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=ZIP_LEVEL
    )
    wb.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
    _FastExcelWriter(wb, archive).save()


def render_xlsx(model: ReportModel, target: Path) -> Path:
    """Write the workbook of ``model`` to ``target`` (atomically) and return the path.

    The cyclic garbage collector is paused while cells are built: openpyxl allocates many
    small objects and, after a PDF render has grown the heap, full collections would cost
    more than writing the workbook.
    """
    with cyclic_gc_paused():
        return _render_xlsx(model, target)


def _render_xlsx(model: ReportModel, target: Path) -> Path:
    # the column writer keeps no cell of the large sheets: one mode for every size
    write_only = not COLUMN_WRITER and len(model.lines) > WRITE_ONLY_LINES
    wb = _Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    doc_time = dt.datetime.combine(model.document_date, dt.time())
    wb.properties.created = doc_time
    wb.properties.creator = "rvubench"
    wb.properties.title = f"{model.title}: {model.display_name}, {model.period_label}"

    _write_summary(wb, model)
    _write_by_code(wb, model)
    _write_by_month(wb, model)
    write_frame(wb, "Lines", model.lines)
    _write_benchmarks(wb, model)
    write_frame(wb, "Exceptions", model.exceptions)
    _write_compensation(wb, model)
    _write_by_category(wb, model)
    for section in model.ordered_sections:
        for table in section.sheets:
            _write_sheet_table(wb, table)
        if section.sheet_writer:
            _sheet_writer(section.sheet_writer)(wb, section.data)
    with atomic_path(target) as tmp:
        save_workbook(wb, tmp)
    return target


def _sheet_writer(path: str) -> Callable[..., Any]:
    """Import a section's ``"package.module:function"`` sheet writer.

    A section names its writer instead of holding it because the writer sits above the
    section in the import graph: ``report.xlsx_insights`` (the Global Periods writer) uses
    this module's helpers, and this module imports the report model, which imports the
    section builders. Holding the function would close that loop.
    """
    module, _, name = path.partition(":")
    fn: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return fn


def _write_sheet_table(wb: Workbook, table: SheetTable) -> None:
    write_table(wb, table.name, table.columns, table.rows, formats=table.formats)
