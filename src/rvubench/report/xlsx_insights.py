"""The ``Global Periods`` sheet of the report workbook.

:func:`write_global_periods_sheet` is the ``sheet_writer`` of the ``global_periods`` report
section (``insights.build_global_period_section``). It writes three blocks, one under the
other, with ``ws.append`` and ``append_frame`` only (so it works in openpyxl's write-only
mode; the two frames are written column by column at save):

1. totals (item, value);
2. every window that holds at least one line, with its counts;
3. every line inside a window, classified, with ``needs_review`` and the reason.

Figures are numbers with number formats, dates are dates; no formulas.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from rvubench.insights.global_periods import GLOBAL_PERIODS_SHEET
from rvubench.report.xlsx import (
    append_frame,
    cell,
    finish_table,
    header_label,
    prepare_print,
)

#: Columns of the windows block and their ``formatting.XLSX_FORMATS`` keys (None = text).
WINDOW_SHEET_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("provider_id", None),
    ("procedure_source_file", None),
    ("procedure_source_row", "int"),
    ("procedure_hcpcs", None),
    ("procedure_modifiers", None),
    ("procedure_date", "date"),
    ("global_days", None),
    ("window_start", "date"),
    ("window_end", "date"),
    ("procedure_wrvu_credit", "wrvu"),
    ("post_op_visits", "int"),
    ("separate_with_modifier", "int"),
    ("likely_in_global", "int"),
    ("procedures_in_global", "int"),
    ("lines_to_review", "int"),
    ("wrvu_at_risk", "wrvu"),
)

#: Columns of the lines block (``insights.REVIEW_COLUMNS`` with payment in dollars).
REVIEW_SHEET_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("source_file", None),
    ("source_row", "int"),
    ("provider_id", None),
    ("date_of_service", "date"),
    ("hcpcs", None),
    ("modifiers", None),
    ("classification", None),
    ("needs_review", None),
    ("global_modifier", None),
    ("procedure_source_row", "int"),
    ("procedure_hcpcs", None),
    ("procedure_date", "date"),
    ("procedure_global_days", None),
    ("window_start", "date"),
    ("window_end", "date"),
    ("day_offset", "int"),
    ("wrvu_credit", "wrvu"),
    ("payment", "usd"),
    ("note", None),
)

_TOTALS: tuple[tuple[str, str, str], ...] = (
    ("windows", "Windows opened or holding a line in the period", "int"),
    ("post_op_visits", "Post-op visits (99024)", "int"),
    ("separate_with_modifier", "E/M separate with modifier (24/25/57)", "int"),
    ("likely_in_global", "E/M likely inside a global (no or wrong modifier)", "int"),
    ("wrvu_at_risk", "wRVUs at risk (credit of those E/M lines)", "wrvu"),
    ("payment_at_risk", "Estimated payment at risk", "usd"),
    ("procedures_in_global", "Procedures inside a global", "int"),
    ("procedures_in_global_without_modifier", "  of which without 58/78/79", "int"),
    ("lines_to_review", "Lines to review", "int"),
)

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_FILL = PatternFill("solid", fgColor="D9D9D9")


def _styled(ws: Any, value: Any, font: Font, fill: PatternFill | None = None) -> WriteOnlyCell:
    c = WriteOnlyCell(ws, value=value)
    c.font = font
    if fill is not None:
        c.fill = fill
    return c


def _header(ws: Any, names: list[str]) -> list[WriteOnlyCell]:
    return [_styled(ws, header_label(n), _BOLD, _FILL) for n in names]


def write_global_periods_sheet(workbook: Any, data: dict[str, Any]) -> Any:
    """Add the ``Global Periods`` sheet (totals, windows, lines) and return it.

    Args:
        workbook: an openpyxl ``Workbook`` (normal or write-only).
        data: ``insights.global_period_data(...)``.
    """
    ws = workbook.create_sheet(GLOBAL_PERIODS_SHEET)
    widths = {1: 46, 2: 16, 3: 14, 4: 12, 5: 10, 6: 10, 7: 22, 8: 12, 9: 12}
    widths[len(REVIEW_SHEET_COLUMNS)] = 90
    for col in range(1, len(REVIEW_SHEET_COLUMNS) + 1):
        labels = [
            header_label(cols[col - 1][0])
            for cols in (REVIEW_SHEET_COLUMNS, WINDOW_SHEET_COLUMNS)
            if col <= len(cols)
        ]
        # a header label is never cut (+3 for the autofilter button)
        ws.column_dimensions[get_column_letter(col)].width = max(
            widths.get(col, 13), *(len(label) + 3 for label in labels)
        )
    # the title and its note stay in view; printed landscape, one page wide
    prepare_print(ws, [200], header_row=2)

    totals = dict(data["totals"])
    totals["payment_at_risk"] = totals.get("payment_at_risk_cents", 0) / 100
    ws.append([_styled(ws, "Global surgical periods", _TITLE)])
    ws.append(
        [
            "Same provider and patient (the log's patient column, used only as a random key). "
            "Lines to review, not denials. Rules: the rvubench.insights docstring."
            if totals.get("by_patient")
            else "Same provider only; the log has no patient column, so whether a line inside "
            "a window is the same patient's cannot be known: lines are classified, none is to "
            "review and no wRVUs are at risk. Rules: the rvubench.insights.global_periods "
            "docstring."
        ]
    )
    ws.append([])
    ws.append(_header(ws, ["item", "value"]))
    for key, label, fmt in _TOTALS:
        ws.append([label, cell(ws, totals.get(key, 0), fmt)])
    byg = totals.get("windows_by_global_days", {})
    for g in ("090", "010", "000"):
        ws.append([f"  windows with global {g}", cell(ws, int(byg.get(g, 0)), "int")])

    ws.append([])
    ws.append([_styled(ws, "Windows holding a line", _BOLD)])
    ws.append(_header(ws, [c for c, _ in WINDOW_SHEET_COLUMNS]))
    windows: pd.DataFrame = data["windows_frame"]
    counts = ["post_op_visits", "separate_with_modifier", "likely_in_global"]
    held = windows.loc[windows[[*counts, "procedures_in_global"]].sum(axis=1) > 0]
    append_frame(ws, held, WINDOW_SHEET_COLUMNS)

    ws.append([])
    ws.append([_styled(ws, "Lines inside a global window", _BOLD)])
    ws.append(_header(ws, [c for c, _ in REVIEW_SHEET_COLUMNS]))
    review: pd.DataFrame = data["review_frame"]
    cents = pd.to_numeric(review["payment_cents"], errors="coerce")
    review = review.assign(payment=(cents / 100).astype(object).where(cents.notna(), None))
    count = append_frame(ws, review, REVIEW_SHEET_COLUMNS)
    # rows above the lines header: title, note, blank, totals header and rows, the three
    # windows-by-global rows, blank, windows title, header and rows, blank, lines title
    header_row = 3 + 1 + len(_TOTALS) + 3 + 3 + len(held) + 2 + 1
    # the lines block is the table a reader filters; its header repeats on printed pages
    finish_table(ws, len(REVIEW_SHEET_COLUMNS), count, header_row=header_row)
    return ws
