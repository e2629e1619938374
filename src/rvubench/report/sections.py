"""Report sections: the optional parts other stages add to a report.

A leaf module (it imports nothing from rvubench), so the stages that build sections
(insights, benchmarks) and the report model that collects them can all import it without
an import cycle. ``report.model`` calls the section builders; ``render_pdf`` renders each
section's partial and ``render_xlsx`` writes its sheets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SheetTable:
    """A plain table a section adds to the workbook (written by ``render_xlsx``).

    ``formats`` maps a column name to a key of ``formatting.XLSX_FORMATS``.
    """

    name: str
    columns: tuple[str, ...]
    rows: Sequence[Sequence[Any]]
    formats: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """An optional report section contributed by another module.

    Attributes:
        key: identifier (``"global_periods"``, ``"trend"``, ``"like_for_like"``); the
            partial is rendered with the section's data under this name as well as
            ``section.data``.
        title: heading, also used in the table of contents.
        partial: template file name in the templates folder (``_trend.html.j2``).
        data: whatever the partial and the sheet writer need (plain data).
        order: position among sections (lower first); sections follow the summary.
        sheets: plain tables for the workbook (``render_xlsx`` writes them).
        sheet_writer: optional ``"module:function"`` called as ``fn(workbook, data)`` for
            sheets that need more than a table (it must only use ``ws.append`` and
            ``report.xlsx.append_frame``: without the column writer large workbooks are
            written in openpyxl's write-only mode). A name, not the function:
            the writer uses the workbook renderer's helpers, which import the report model,
            which imports the section builders; ``render_xlsx`` imports it when it writes.
    """

    key: str
    title: str
    partial: str
    data: Any
    order: int = 50
    sheets: tuple[SheetTable, ...] = ()
    sheet_writer: str | None = None
