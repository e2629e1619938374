"""Open spreadsheets safely: one gate for every workbook rvubench reads (logs, rosters,
CMS fee-schedule files).

Before any cell is parsed:

- **Sizes are capped.** An XLSX is a zip: each part's uncompressed size, the sum of them and
  the compression ratio of large parts are checked from the zip directory
  (:data:`MAX_PART_BYTES`, :data:`MAX_TOTAL_BYTES`, :data:`MAX_RATIO`). A 1 MB file whose
  string table inflates to 1 GB is refused with a message, not read.
- **Document type declarations are refused** in the parts rvubench parses (no entities,
  no external references).
- **The grid is bounded by the cells that exist.** A cell beyond XFD1048576 (the last cell
  a worksheet can have) is refused. The spreadsheet reader allocates the
  rectangle from A1 to the farthest cell, so one value at XFD1048576 would ask for 17
  billion cells. Each sheet is scanned first (cell count, farthest row and column); when the
  rectangle is more than :data:`DENSE_FACTOR` times the cells present (and larger than
  :data:`DENSE_MIN`), the sheet is read row by row instead: rows up to the last one, columns
  up to the widest of the first :data:`HEAD_ROWS` rows (at most :data:`SPARSE_MAX_COLS`);
  cells beyond are counted and reported in :attr:`Workbook.notes`.
- **Hidden sheets are skipped.** :attr:`Workbook.visible` lists the sheets Excel shows
  (hidden and "very hidden" sheets left out); readers pick from those unless a sheet is
  named explicitly.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from rvubench.errors import InputFileError, RvubenchError

MAX_PART_BYTES = 768 << 20  # one part (a sheet, the shared strings) uncompressed
MAX_TOTAL_BYTES = 1536 << 20  # all parts together
MAX_RATIO = 100  # uncompressed / compressed, for parts over RATIO_FROM bytes
RATIO_FROM = 8 << 20
DENSE_MIN = 2_000_000  # cells a sheet's rectangle may always have
DENSE_FACTOR = 16  # rectangle / cells present above which the sheet is read sparsely
HEAD_ROWS = 50
MAX_ROWS, MAX_COLS = 1_048_576, 16_384  # a worksheet's limits (Excel, OOXML)
SPARSE_MAX_COLS = 256

_CELL_RE = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]+)([0-9]+)"')
_ROW_RE = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="([0-9]+)"')
_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_SHEET_RE = re.compile(r"<(?:\w+:)?sheet\s([^>]*)/?>")
_REL_RE = re.compile(r"<(?:\w+:)?Relationship\s([^>]*)/?>")
_ATTR_RE = re.compile(r'([\w:]+)="([^"]*)"')


def col_number(letters: bytes | str) -> int:
    """Column letters to a 1-based number: A -> 1, Z -> 26, XFD -> 16384."""
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + ord(ch) - 64
    return n


@dataclass
class _Extent:
    cells: int = 0
    max_row: int = 0
    max_col: int = 0
    head_cols: int = 0  # widest column in the first HEAD_ROWS rows (<= SPARSE_MAX_COLS)

    @property
    def dense(self) -> bool:
        area = self.max_row * self.max_col
        return area <= max(DENSE_MIN, DENSE_FACTOR * self.cells)


@dataclass
class Workbook:
    """An opened workbook: ``sheets`` in file order, ``visible`` the ones Excel shows."""

    path: Path
    book: Any  # a python_calamine CalamineWorkbook
    sheets: list[str]
    visible: list[str]
    parts: dict[str, str] = field(default_factory=dict)  # sheet name -> zip part
    notes: list[str] = field(default_factory=list)
    error: Callable[[str], RvubenchError] = InputFileError

    def grid(self, sheet: str, skip_empty_area: bool = False) -> list[list[object]]:
        """The sheet's cells from A1 (from the first filled cell with ``skip_empty_area``),
        one list per row, as the spreadsheet reader gives them.

        Raises the workbook's error type (never a crash) when the sheet cannot be read.
        """
        part = self.parts.get(sheet)
        if part is not None:
            with zipfile.ZipFile(self.path) as z:
                ext = _scan(z, part, self._fail)
            if ext.max_row > MAX_ROWS or ext.max_col > MAX_COLS:
                raise self._fail(
                    f"sheet {sheet!r} has a cell at {_ref(ext.max_col, ext.max_row)}, beyond the "
                    f"last cell a worksheet can have ({_ref(MAX_COLS, MAX_ROWS)})"
                )
            if not ext.dense:
                return self._sparse(sheet, ext)
        try:
            return self.book.get_sheet_by_name(sheet).to_python(skip_empty_area=skip_empty_area)
        except Exception as exc:  # the reader raises its own error types
            raise self.error(f"{self.path.name}, sheet {sheet!r}, cannot be read: {exc}") from None

    def _fail(self, why: str) -> RvubenchError:
        return self.error(f"{self.path.name} cannot be read safely: {why}")

    def _sparse(self, sheet: str, ext: _Extent) -> list[list[object]]:
        import openpyxl

        width = max(1, ext.head_cols)
        try:
            wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
            ws = wb[sheet]
            grid = [list(r) for r in ws.iter_rows(min_row=1, max_row=ext.max_row, min_col=1,
                                                  max_col=width, values_only=True)]  # fmt: skip
            wb.close()
        except RvubenchError:
            raise
        except Exception as exc:
            raise self.error(f"{self.path.name}, sheet {sheet!r}, cannot be read: {exc}") from None
        while grid and not any(v not in (None, "") for v in grid[-1]):
            grid.pop()
        self.notes.append(
            f"{self.path.name}, sheet {sheet!r}: its cells reach {_ref(ext.max_col, ext.max_row)} "
            f"but only {ext.cells:,} cell(s) are filled; read up to column {_ref(width, 0)}, "
            "cells to the right of that were ignored"
        )
        return grid


def _ref(col: int, row: int) -> str:
    s = ""
    while col:
        col, r = divmod(col - 1, 26)
        s = chr(65 + r) + s
    return f"{s}{row}" if row else s


def open_workbook(path: Path, error: Callable[[str], RvubenchError] = InputFileError) -> Workbook:
    """Open ``path`` after the size checks; raise ``error`` (an RvubenchError type) with a
    message naming the file when it cannot be read or is unsafe to read."""
    from python_calamine import CalamineWorkbook

    path = Path(path)
    parts: dict[str, str] = {}
    if zipfile.is_zipfile(path):
        parts = _check_zip(path, lambda why: error(f"{path.name} cannot be read safely: {why}"))
    try:
        book = CalamineWorkbook.from_path(str(path))
        meta = list(book.sheets_metadata)
    except Exception as exc:  # the reader raises its own error types
        raise error(
            f"{path.name} cannot be read as an Excel workbook ({type(exc).__name__}: {exc}); "
            "is it damaged, password-protected or another format?"
        ) from None
    sheets = [m.name for m in meta]
    visible = [m.name for m in meta if str(m.visible).rsplit(".", 1)[-1] == "Visible"]
    return Workbook(path, book, sheets, visible, parts, error=error)


def _check_zip(path: Path, fail: Callable[[str], RvubenchError]) -> dict[str, str]:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            total = 0
            for info in infos:
                size, packed = info.file_size, max(info.compress_size, 1)
                total += size
                if size > MAX_PART_BYTES:
                    raise fail(
                        f"part {info.filename} would unpack to {size >> 20:,} MB "
                        f"(limit {MAX_PART_BYTES >> 20} MB)"
                    )
                if size > RATIO_FROM and size / packed > MAX_RATIO:
                    raise fail(
                        f"part {info.filename} would unpack {size / packed:,.0f} times its "
                        f"stored size ({packed:,} -> {size:,} bytes; limit {MAX_RATIO}x): "
                        "a decompression bomb?"
                    )
            if total > MAX_TOTAL_BYTES:
                raise fail(
                    f"its parts would unpack to {total >> 20:,} MB "
                    f"(limit {MAX_TOTAL_BYTES >> 20} MB)"
                )
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names:
                return {}
            return _sheet_parts(z, names, fail)
    except RvubenchError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return {}  # left to the spreadsheet reader, which names the problem


def _small_text(z: zipfile.ZipFile, name: str, fail) -> str:
    data = z.read(name)
    if _DTD_RE.search(data):
        raise fail(f"part {name} declares a document type (entities are not accepted)")
    return data.decode("utf-8", errors="replace")


def _sheet_parts(z: zipfile.ZipFile, names: set[str], fail) -> dict[str, str]:
    book = _small_text(z, "xl/workbook.xml", fail)
    rels_name = "xl/_rels/workbook.xml.rels"
    rels = _small_text(z, rels_name, fail) if rels_name in names else ""
    targets = {}
    for m in _REL_RE.finditer(rels):
        a = dict(_ATTR_RE.findall(m.group(1)))
        target = a.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[a.get("Id", "")] = part
    out = {}
    for m in _SHEET_RE.finditer(book):
        a = dict(_ATTR_RE.findall(m.group(1)))
        rid = next((v for k, v in a.items() if k.endswith(":id")), "")
        part = targets.get(rid)
        if part in names:
            out[html.unescape(a.get("name", ""))] = part
    for part in (*out.values(), *(n for n in names if n == "xl/sharedStrings.xml")):
        with z.open(part) as fh:
            if _DTD_RE.search(fh.read(4096)):
                raise fail(f"part {part} declares a document type (entities are not accepted)")
    return out


def _scan(z: zipfile.ZipFile, part: str, fail) -> _Extent:
    """Count a sheet's cells and find its farthest row and column, reading the XML once in
    chunks (nothing is kept but the numbers).

    Fast path, for cells written ``<c r="B7" ...>`` as spreadsheet programs do: the set of
    column letters, the row elements' numbers, and a search for any cell whose row number
    has more digits than the rows seen so far (the only way a cell can lie far below them).
    Chunks with cells written otherwise (a prefix, ``r`` not first) are read cell by cell.
    """
    ext = _Extent()
    tail = b""
    with z.open(part) as fh:
        while True:
            chunk = fh.read(1 << 22)
            data = tail + chunk
            cut = len(data) if not chunk else data.rfind(b"<")
            if cut <= 0:
                cut = len(data)
            block, tail = data[:cut], data[cut:]
            if block:
                _scan_block(block, ext)
            if not chunk:
                break
    ext.max_col = max(ext.max_col, 1)
    return ext


_PLAIN_COL_RE = re.compile(rb'<c r="([A-Z]+)')
_ROW_NUM_RE = re.compile(rb'<row r="([0-9]+)"')
_HEAD_REF_RE = re.compile(rb'<c r="([A-Z]+)([0-9]{1,2})"')
_FAR_ROW_RE = {d: re.compile(rb'<c r="[A-Z]+([0-9]{%d,})"' % (d + 1)) for d in range(1, 12)}


def _scan_block(block: bytes, ext: _Extent) -> None:
    plain_cols = _PLAIN_COL_RE.findall(block)
    n_cells = block.count(b"<c ") + block.count(b"<c>")
    if len(plain_cols) != n_cells or b":c " in block or b":row " in block:
        _scan_block_slow(block, ext, max(n_cells, len(plain_cols)))
        return
    ext.cells += n_cells
    rows = _ROW_NUM_RE.findall(block)
    if rows:
        ext.max_row = max(ext.max_row, max(map(int, rows)))
    if plain_cols:
        cols = [col_number(c) for c in set(plain_cols)]
        ext.max_col = max(ext.max_col, *cols)
        if not rows or int(rows[0]) <= HEAD_ROWS:  # the first rows: the header's width
            head_end = block.find(b'<row r="%d"' % (HEAD_ROWS + 1))
            refs = _HEAD_REF_RE.findall(block[: head_end if head_end > 0 else len(block)])
            head = {c for c, r in refs if int(r) <= HEAD_ROWS}
            widths = [w for w in map(col_number, head) if w <= SPARSE_MAX_COLS]
            ext.head_cols = max(ext.head_cols, *widths, 0)
    digits = min(len(str(max(ext.max_row, 1))), 11)
    far = _FAR_ROW_RE[digits].findall(block)
    if far:
        ext.max_row = max(ext.max_row, max(map(int, far)))


def _scan_block_slow(block: bytes, ext: _Extent, n_cells: int) -> None:
    cells = _CELL_RE.findall(block)
    ext.cells += max(len(cells), n_cells)
    rows = _ROW_RE.findall(block)
    ext.max_row = max(ext.max_row, len(rows), *map(int, rows), 0)
    if cells:
        ext.max_row = max(ext.max_row, max(map(int, (r for _c, r in cells))))
        ext.max_col = max(ext.max_col, max(map(col_number, {c for c, _r in cells})))
        head = {c for c, r in cells if len(r) <= 2 and int(r) <= HEAD_ROWS}
        widths = [w for w in map(col_number, head) if w <= SPARSE_MAX_COLS]
        ext.head_cols = max(ext.head_cols, *widths, 0)
