"""The fast worksheet writer writes the same package as openpyxl's own writer.

``render_xlsx.FastWorksheetWriter`` serializes plain cells as text instead of through
openpyxl's ElementTree writer. Every part of the package must be byte for byte
what ``Workbook.save`` writes (the modification time aside), in normal and write-only mode
(write-only sheets are openpyxl's own; the column writer of frames is tested in
test_xlsx_frame.py).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import LXML, Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.styles import Font

from rvubench.report import xlsx as render_xlsx

_MODIFIED = re.compile(rb"<dcterms:modified[^<]*</dcterms:modified>")


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: _MODIFIED.sub(b"", z.read(n)) for n in z.namelist()}


def _fill(wb: Workbook, rows: list[list[object]]) -> None:
    wb.properties.created = dt.datetime(2026, 1, 1)
    ws = wb.create_sheet("Data")
    ws.freeze_panes = "A2"
    for row in rows:
        ws.append([render_xlsx.cell(ws, v, f) if f != "raw" else v for v, f in row])


def _both(tmp_path: Path, rows: list[list[object]], write_only: bool) -> tuple[dict, dict]:
    stock = Workbook(write_only=write_only)
    fast = render_xlsx._Workbook(write_only=write_only)
    for wb in (stock, fast):
        if not write_only:
            wb.remove(wb.active)
        _fill(wb, [list(r) for r in rows])
    stock.save(tmp_path / "stock.xlsx")
    render_xlsx.save_workbook(fast, tmp_path / "fast.xlsx")
    return _parts(tmp_path / "stock.xlsx"), _parts(tmp_path / "fast.xlsx")


def _every_kind(ws_for_cells: object) -> list[list[tuple[object, str | None]]]:
    return [
        [
            ("text", None),
            ("", None),
            (None, None),
            ("  padded ", None),
            (" ", None),
            ("a & b < c > d \"q\" 'a'", None),
            ("line\nbreak\ttab", None),
            ("=SUM(A1)", None),
            ("+1", None),
            ("#N/A", None),
            ("é ü 中", None),
        ],
        [
            (0, None),
            (7, "int"),
            (-3, "int"),
            (2.5, "usd"),
            (0.1 + 0.2, "wrvu"),
            (1e20, None),
            (1.23456789012345678, "factor"),
            (float("nan"), "usd"),
            (True, None),
            (False, "int"),
            (np.int64(12), "int"),
            (np.float64(3.25), "usd"),
        ],
        [
            (dt.date(2026, 3, 4), "date"),
            (dt.datetime(2026, 12, 31, 13, 5), "date"),
            (dt.datetime(2026, 1, 2), None),
            (dt.date(2026, 7, 1), "yyyy-mm"),
            (Decimal("1.50"), "usd"),
            (2**60, "int"),
        ],
        # raw values openpyxl binds itself: formulas, errors, infinities, times, rich text
        [
            ("=1+2", "raw"),
            ("#DIV/0!", "raw"),
            (float("inf"), "raw"),
            (float("nan"), "raw"),
            (dt.time(8, 30), "raw"),
            (dt.timedelta(hours=5), "raw"),
            (np.int64(5), "raw"),
            (CellRichText([TextBlock(InlineFont(b=True), "bold"), " plain"]), "raw"),
        ],
    ]


@pytest.mark.parametrize("write_only", [False, True])
def test__fast_writer_same_package_as_openpyxl(tmp_path, monkeypatch, write_only):
    handed_over = []
    stock_write_cell = render_xlsx.write_cell

    def spy(xf, ws, cell, styled=None):
        handed_over.append(cell.coordinate)
        return stock_write_cell(xf, ws, cell, styled)

    monkeypatch.setattr(render_xlsx, "write_cell", spy)
    stock, fast = _both(tmp_path, _every_kind(None), write_only)
    assert stock.keys() == fast.keys()
    for name in stock:
        assert fast[name] == stock[name], name
    # only what the text path does not cover went to openpyxl's cell writer: the Decimal
    # (E3) and the 8 raw values of row 4 (formula, error, inf, nan, time, timedelta,
    # numpy int, rich text); every other cell was written as text
    # (write-only sheets are openpyxl's own: used only when the column writer is off)
    if not LXML and not write_only:  # with lxml openpyxl's own (C) writer is used as is
        assert handed_over == ["E3", "A4", "B4", "C4", "D4", "E4", "F4", "G4", "H4"]
    sheet = fast["xl/worksheets/sheet1.xml"].decode()
    assert '<c r="A1" t="inlineStr"><is><t>text</t></is></c>' in sheet
    assert '<t xml:space="preserve">  padded </t>' in sheet
    assert "a &amp; b &lt; c &gt; d" in sheet


def test__styled_comment_and_hyperlink_cells_go_to_openpyxl(tmp_path):
    def build(wb: Workbook) -> None:
        wb.remove(wb.active)
        wb.properties.created = dt.datetime(2026, 1, 1)
        ws = wb.create_sheet("S")
        bold = WriteOnlyCell(ws, value="head")
        bold.font = Font(bold=True)
        ws.append([bold, "x", 1])
        ws["D1"].comment = Comment("a note", "rvubench")
        ws["D1"].value = "with comment"
        ws["E1"].hyperlink = "https://example.org/"
        ws["E1"].value = "link"
        ws["F3"].font = Font(italic=True)  # styled empty cell

    stock, fast = Workbook(), render_xlsx._Workbook()
    build(stock)
    build(fast)
    stock.save(tmp_path / "a.xlsx")
    render_xlsx.save_workbook(fast, tmp_path / "b.xlsx")
    a, b = _parts(tmp_path / "a.xlsx"), _parts(tmp_path / "b.xlsx")
    assert a.keys() == b.keys()
    assert any("comments" in n for n in a)
    for name in a:
        assert b[name] == a[name], name


_XML_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",), blacklist_characters="\x00\x0b\x0c"
    ).filter(lambda c: c in "\t\n\r" or ord(c) >= 0x20),
    max_size=30,
)


@settings(max_examples=40, deadline=None)
@given(
    texts=st.lists(_XML_TEXT, min_size=1, max_size=6),
    numbers=st.lists(
        st.one_of(st.integers(-(10**18), 10**18), st.floats(allow_nan=False, allow_infinity=False)),
        min_size=1,
        max_size=6,
    ),
    write_only=st.booleans(),
)
def test__any_text_and_number_same_bytes(tmp_path_factory, texts, numbers, write_only):
    tmp = tmp_path_factory.mktemp("h")
    rows = [
        [(t, None) for t in texts],
        [(n, "usd") for n in numbers],
        [(n, "raw") for n in numbers],
    ]
    stock, fast = _both(tmp, rows, write_only)
    assert fast == stock


def test__cell_values_unchanged_by_the_fast_cell(tmp_path):
    """``cell`` still gives formatted numbers, quoted risky text and None for missing."""
    wb = Workbook()
    ws = wb.active
    c = render_xlsx.cell(ws, 2.5, "usd")
    assert c.value == 2.5 and c.number_format == '"$"#,##0.00'
    assert render_xlsx.cell(ws, float("nan"), "usd") is None
    assert render_xlsx.cell(ws, np.float64(math.nan), "usd") is None
    assert render_xlsx.cell(ws, "plain") == "plain"
    q = render_xlsx.cell(ws, "-5")
    assert q.data_type == "s" and q.value == "-5" and q.quotePrefix
    d = render_xlsx.cell(ws, dt.date(2026, 1, 31), "date")
    assert d.value == dt.date(2026, 1, 31) and d.number_format == "yyyy-mm-dd"


@pytest.mark.parametrize("write_only", [False, True])
def test__append_rows_makes_the_cells_append_makes(tmp_path, write_only):
    """``append_rows`` (cells built without openpyxl's dispatch) = ``ws.append``, byte for byte."""

    def rows(ws):
        fmt = render_xlsx.cell(ws, 3.5, "usd")
        return [
            ["text", "", None, 1, 2.5, True, False, "=1+2", "=", "#N/A", "#hash", "-x", fmt],
            [
                dt.datetime(2026, 5, 1),
                dt.date(2026, 5, 2),
                Decimal("2.10"),
                np.int64(4),
                render_xlsx.cell(ws, "=quoted"),
                " lead",
                "x" * 40_000,
                float("inf"),
            ],
        ]

    stock = Workbook(write_only=write_only)
    fast = render_xlsx._Workbook(write_only=write_only)
    for wb in (stock, fast):
        if not write_only:
            wb.remove(wb.active)
        wb.properties.created = dt.datetime(2026, 1, 1)
        wb.create_sheet("T")
    for row in rows(stock["T"] if not write_only else stock.worksheets[0]):
        (stock["T"] if not write_only else stock.worksheets[0]).append(row)
    ws = fast["T"] if not write_only else fast.worksheets[0]
    assert render_xlsx.append_rows(ws, rows(ws)) == 2
    stock.save(tmp_path / "a.xlsx")
    render_xlsx.save_workbook(fast, tmp_path / "b.xlsx")
    a, b = _parts(tmp_path / "a.xlsx"), _parts(tmp_path / "b.xlsx")
    for name in a:
        assert b[name] == a[name], name
    if not write_only:
        # the 40,000-character text was cut to Excel's 32,767 like openpyxl does
        assert len(ws.cell(2, 7).value) == 32_767
        assert ws.cell(1, 8).data_type == "f" and ws.cell(1, 10).data_type == "e"
        assert ws.cell(1, 1).data_type == "s" and ws.cell(1, 6).data_type == "b"


def test__append_rows_refuses_illegal_characters_like_append():
    from openpyxl.utils.exceptions import IllegalCharacterError

    ws = Workbook().active
    with pytest.raises(IllegalCharacterError):
        render_xlsx.append_rows(ws, [["ok", "bad\x01char"]])


@pytest.mark.parametrize("write_only", [False, True])
def test__without_the_fast_writer_the_stock_paths_give_the_same_package(
    tmp_path, monkeypatch, write_only
):
    # another openpyxl version: FAST_WRITER is False and only public openpyxl paths run
    monkeypatch.setattr(render_xlsx, "FAST_WRITER", False)
    monkeypatch.setattr(render_xlsx, "FastWorksheetWriter", None)  # must not be used
    stock, fast = _both(tmp_path, _every_kind(None), write_only)
    assert stock.keys() == fast.keys()
    for name in stock:
        assert fast[name] == stock[name], name


@pytest.mark.parametrize("write_only", [False, True])
def test__frame_written_in_chunks_is_the_same_sheet(tmp_path, monkeypatch, write_only):
    """write_frame turns FRAME_CHUNK rows at a time into cells: chunk boundaries change
    nothing (7 rows in chunks of 3 against one chunk)."""
    import pandas as pd

    frame = pd.DataFrame({
        "hcpcs": ["99213", "=bad", None, "71046", "a & b", "x", "y"],
        "wrvu_credit": [1.3, 0.21, float("nan"), 2.5, 0.0, 1e-4, 3.0],
        "date_of_service": pd.to_datetime(["2026-07-01"] * 6 + [None]),
        "units": [1, 2, 1, 1, 3, 1, 1],
    })  # fmt: skip
    parts = []
    for chunk in (3, 50_000):
        monkeypatch.setattr(render_xlsx, "FRAME_CHUNK", chunk)
        wb = render_xlsx._Workbook(write_only=write_only)
        if not write_only:
            wb.remove(wb.active)
        wb.properties.created = dt.datetime(2026, 1, 1)
        render_xlsx.write_frame(wb, "Lines", frame)
        render_xlsx.save_workbook(wb, tmp_path / f"{chunk}.xlsx")
        parts.append(_parts(tmp_path / f"{chunk}.xlsx"))
    assert parts[0] == parts[1]
    assert b"99213" in parts[0]["xl/worksheets/sheet1.xml"]


def test__formula_like_text_with_control_characters_still_makes_a_readable_sheet(tmp_path):
    """ "=\\x01cmd" is quoted (never a formula) and loses the \\x01 XML cannot hold; before,
    the quoted path skipped openpyxl's check and wrote a sheet Excel refuses to open."""
    from openpyxl import Workbook, load_workbook

    from rvubench.report.xlsx import cell, save_workbook

    wb = Workbook()
    ws = wb.active
    ws.append([cell(ws, "=\x01cmd"), cell(ws, "+1\x0b")])
    save_workbook(wb, tmp_path / "t.xlsx")
    back = load_workbook(tmp_path / "t.xlsx").active
    assert [c.value for c in back[1]] == ["=cmd", "+1"]
    assert back["A1"].data_type == "s" and back["A1"].quotePrefix
