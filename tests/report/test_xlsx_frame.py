"""The column writer (``append_frame``, ``report.xlsx_frame``) writes the package openpyxl
writes for the same frame appended cell by cell.

The reference is stock openpyxl: a normal-mode ``Workbook``, ``ws.append`` of the values
``frame_cells`` makes (``cell()`` per value: formats, rounding, quoted risky text), and
``Workbook.save``. Every part of the package (sheet XML, styles, number formats) must be
byte for byte the same, the modification time aside.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from rvubench.report import xlsx as render_xlsx
from rvubench.report import xlsx_frame

_MODIFIED = re.compile(rb"<dcterms:modified[^<]*</dcterms:modified>")
CREATED = dt.datetime(2026, 1, 1)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: _MODIFIED.sub(b"", z.read(n)) for n in z.namelist()}


def _stock(path: Path, blocks: list[tuple[pd.DataFrame, list]]) -> dict[str, bytes]:
    """The reference: stock openpyxl, every value a cell, appended row by row."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.created = CREATED
    ws = wb.create_sheet("Lines")
    for frame, columns in blocks:
        ws.append([render_xlsx.header_label(c) for c, _ in columns])
        for row in render_xlsx.frame_cells(ws, frame, columns):
            ws.append(list(row))
    ws.append(["after", 1])
    wb.save(path)
    return _parts(path)


def _columnwise(path: Path, blocks: list[tuple[pd.DataFrame, list]]) -> dict[str, bytes]:
    wb = render_xlsx._Workbook()
    wb.remove(wb.active)
    wb.properties.created = CREATED
    ws = wb.create_sheet("Lines")
    for frame, columns in blocks:
        ws.append([render_xlsx.header_label(c) for c, _ in columns])
        assert render_xlsx.append_frame(ws, frame, columns) == len(frame)
    ws.append(["after", 1])
    assert ws.__dict__.get("_rvubench_bodies"), "the column writer was not used"
    render_xlsx.save_workbook(wb, path)
    return _parts(path)


def _sheet(parts: dict[str, bytes]) -> str:
    return parts["xl/worksheets/sheet1.xml"].decode()


def test__a_small_frame_cell_by_cell(tmp_path):
    frame = pd.DataFrame({
        "hcpcs": ["71046", "=cmd", " pad ", "a & b <c>", None],
        "units": [1, 2, 3, 4, 5],
        "payment": [35.07, -0.0, float("nan"), 0.1 + 0.2, 2.0000004],
        "date_of_service": pd.to_datetime(["2026-07-01", None, "2026-01-01", None, None]),
        "priced": [True, False, True, True, False],
    })  # fmt: skip
    columns = [(c, render_xlsx.COLUMN_FORMATS.get(c)) for c in frame.columns]
    ours = _columnwise(tmp_path / "ours.xlsx", [(frame, columns)])
    assert ours == _stock(tmp_path / "stock.xlsx", [(frame, columns)])
    sheet = _sheet(ours)
    # style ids in the order cells are written (the header is plain text here): B2 the
    # int format (s=1), C2 usd (s=2), D2 the date (s=3), A3 the quoted "=cmd" (s=4)
    assert '<c r="A2" t="inlineStr"><is><t>71046</t></is></c>' in sheet
    assert '<c r="B2" s="1" t="n"><v>1</v></c>' in sheet
    assert '<c r="C2" s="2" t="n"><v>35.07</v></c>' in sheet
    # 2026-07-01 is 46,204 days after Excel's 1899-12-30 epoch: 2026-01-01 is
    # 126 * 365 + 31 leap days + 2 = 46,023 and January to June hold 181 days
    assert '<c r="D2" s="3" t="n"><v>46204</v></c>' in sheet
    assert '<c r="D4" s="3" t="n"><v>46023</v></c>' in sheet
    assert '<c r="E2" t="b"><v>1</v></c></row>' in sheet
    assert '<c r="A3" s="4" t="inlineStr"><is><t>=cmd</t></is></c>' in sheet  # text, quoted
    assert '<c r="C3" s="2" t="n"><v>-0</v></c>' in sheet  # -0.0 stays -0
    assert '<t xml:space="preserve"> pad </t>' in sheet
    assert "<t>a &amp; b &lt;c&gt;</t>" in sheet
    # NaN, None and NaT are no cell: row 4 has no C, rows 3, 5 and 6 no D, row 6 no A
    assert '<c r="C4"' not in sheet and '<c r="D3"' not in sheet and '<c r="A6"' not in sheet
    # 0.1 + 0.2 = 0.30000000000000004 is stored rounded to 6 places: 0.3; 2.0000004 -> 2
    assert '<c r="C5" s="2" t="n"><v>0.3</v></c>' in sheet
    assert '<c r="C6" s="2" t="n"><v>2</v></c>' in sheet
    assert '<dimension ref="A1:E7" />' in sheet  # header, 5 rows, the "after" row

    ws = load_workbook(tmp_path / "ours.xlsx")["Lines"]
    assert [c.value for c in ws[3]] == ["=cmd", 2, -0.0, None, False]
    assert ws["A3"].data_type == "s" and ws["A3"].quotePrefix
    assert ws["C2"].number_format == '"$"#,##0.00' and ws["D2"].number_format == "yyyy-mm-dd"
    assert ws["D2"].value == dt.datetime(2026, 7, 1)
    assert [c.value for c in ws[7]][:2] == ["after", 1]


@pytest.mark.parametrize("exemplars_agree", [True, False])
def test__integer_column_cast_by_arrow(tmp_path, monkeypatch, exemplars_agree):
    """A long int column (source_row) is cast by Arrow around one cell's text: same XML.
    Were its exemplar cells to disagree, it is factorized after all: same XML again."""
    if not exemplars_agree:
        monkeypatch.setattr(render_xlsx, "_counted_parts", lambda cells, tails: None)
    rows = 300
    frame = pd.DataFrame({
        "source_row": np.arange(2, rows + 2, dtype=np.int64) * 997 - 10_000,
        "rvu_year": pd.array([2026] * (rows - 1) + [None], dtype="Int64"),
        "lines": np.arange(rows, dtype=np.int64) * 10**14,  # up to 2.99e16: not cast
    })  # fmt: skip
    columns = [("source_row", "int"), ("rvu_year", "int"), ("lines", None)]
    assert render_xlsx._countable(frame["source_row"])
    assert render_xlsx._countable(frame["rvu_year"])
    assert not render_xlsx._countable(frame["lines"])
    ours = _columnwise(tmp_path / "ours.xlsx", [(frame, columns)])
    assert ours == _stock(tmp_path / "stock.xlsx", [(frame, columns)])
    sheet = _sheet(ours)
    # row 2 holds source_row 2 * 997 - 10,000 = -8,006; row 301 (the 300th line)
    # 301 * 997 - 10,000 = 290,097; its rvu_year is missing: no cell
    assert '<c r="A2" s="1" t="n"><v>-8006</v></c>' in sheet
    assert '<c r="A301" s="1" t="n"><v>290097</v></c><c r="C301"' in sheet
    # 299 * 10**14 = 2.99e16 has 17 digits: %.16g writes it in exponent form
    assert '<c r="C301" t="n"><v>2.99e+16</v></c>' in sheet


def test__illegal_characters_refused_as_openpyxl_does(tmp_path):
    frame = pd.DataFrame({"reason": ["fine", "bad\x01char"]})
    with pytest.raises(IllegalCharacterError):
        _stock(tmp_path / "stock.xlsx", [(frame, [("reason", None)])])
    with pytest.raises(IllegalCharacterError):
        _columnwise(tmp_path / "ours.xlsx", [(frame, [("reason", None)])])


_COMMON = [*"ab9 =+-@#&<>\"'\t\r\n\u00a0\u2003é中", "=cmd", "#N/A"]
_ALPHABET = st.sampled_from(_COMMON * 8 + ["\x01", "\x1f"])  # control characters: rare
_TEXT = st.lists(_ALPHABET, max_size=6).map("".join)
_FORMATS = st.sampled_from([None, "int", "usd", "date", "wrvu", "share", "gpci"])
_FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([-0.0, 0.0, 5e-7, -4e-7, 1e300, 1e-300, 2.675, 0.1 + 0.2, 1e16 + 2]),
)
_DATES = st.one_of(
    st.none(),
    st.datetimes(min_value=dt.datetime(1901, 1, 1), max_value=dt.datetime(2100, 12, 31)),
)


@st.composite
def _column(draw, rows: int) -> tuple[pd.Series, str | None]:
    kind = draw(
        st.sampled_from(
            ["text", "category", "object", "int", "Int64", "float", "float32", "bool", "date"]
        )
    )
    if kind in ("text", "category"):
        values = draw(st.lists(st.one_of(st.none(), _TEXT), min_size=rows, max_size=rows))
        series = pd.Series(values, dtype="str" if kind == "text" else "category")
    elif kind == "object":  # mixed Python values: 1, 1.0 and True are different cells
        items = st.one_of(st.none(), _TEXT, st.integers(-5, 5), _FLOATS, st.booleans())
        series = pd.Series(draw(st.lists(items, min_size=rows, max_size=rows)), dtype=object)
    elif kind in ("int", "Int64"):
        ints = st.one_of(st.integers(-(2**63), 2**63 - 1), st.integers(-1000, 1000))
        values = draw(st.lists(ints, min_size=rows, max_size=rows))
        if kind == "Int64":
            mask = draw(st.lists(st.booleans(), min_size=rows, max_size=rows))
            kept = [None if m else v for v, m in zip(values, mask, strict=True)]
            series = pd.Series(pd.array(kept, "Int64"))
        else:
            series = pd.Series(values, dtype=np.int64)
    elif kind in ("float", "float32"):
        series = pd.Series(draw(st.lists(_FLOATS, min_size=rows, max_size=rows)), dtype=float)
        if kind == "float32":
            with np.errstate(over="ignore"):
                series = series.astype(np.float32)
    elif kind == "bool":
        series = pd.Series(draw(st.lists(st.booleans(), min_size=rows, max_size=rows)))
    else:
        series = pd.Series(pd.to_datetime(draw(st.lists(_DATES, min_size=rows, max_size=rows))))
    return series, draw(_FORMATS)


@st.composite
def _frame(draw) -> tuple[pd.DataFrame, list[tuple[str, str | None]]]:
    rows = draw(st.integers(0, 9))
    width = draw(st.integers(1, 5))
    drawn = [draw(_column(rows)) for _ in range(width)]
    names = [f"col_{i}" for i in range(width)]
    frame = pd.DataFrame({n: s for n, (s, _) in zip(names, drawn, strict=True)})
    return frame, [(n, f) for n, (_, f) in zip(names, drawn, strict=True)]


@settings(max_examples=60, deadline=None)
@given(
    blocks=st.lists(_frame(), min_size=1, max_size=2),
    frame_chunk=st.integers(1, 4),
    xml_chunk=st.integers(1, 4),
    count_from=st.sampled_from([1, 10**6]),
)
def test__any_frame_same_package_as_openpyxl(
    tmp_path_factory, blocks, frame_chunk, xml_chunk, count_from
):
    """Arbitrary frames (text with & < > spaces, control characters and formula-like
    values; NaN; ints incl. past 2**53; floats incl. -0.0, inf, tiny and huge; bools;
    dates; mixed objects), one or two in a sheet with rows around them, chunked anyhow."""
    tmp = tmp_path_factory.mktemp("frame")
    with (
        mock.patch.object(render_xlsx, "FRAME_CHUNK", frame_chunk),
        mock.patch.object(xlsx_frame, "CHUNK_ROWS", xml_chunk),
        mock.patch.object(render_xlsx, "_COUNT_MIN_ROWS", count_from),
    ):
        try:
            stock = _stock(tmp / "stock.xlsx", blocks)
        except IllegalCharacterError:
            with pytest.raises(IllegalCharacterError):
                _columnwise(tmp / "ours.xlsx", blocks)
            return
        ours = _columnwise(tmp / "ours.xlsx", blocks)
    assert ours.keys() == stock.keys()
    for name in stock:
        assert ours[name] == stock[name], name


def test__factorize_tells_negative_zero_and_missing_apart():
    codes, first = xlsx_frame.factorize(pd.Series([0.0, -0.0, float("nan"), 0.0, None]))
    # 0.0 and -0.0 are equal but two cells ("0" and "-0"); NaN and None one missing code
    assert codes.tolist() == [0, 1, 2, 0, 2] and first.tolist() == [0, 1, 2]
    codes, first = xlsx_frame.factorize(pd.Series([0.5, -0.0, 0.5], dtype=np.float32))
    assert codes.tolist() == [0, 1, 0] and first.tolist() == [0, 1]  # 4-byte bit patterns
    mixed = pd.Series([1, 1.0, True, "1"], dtype=object)
    assert xlsx_frame.factorize(mixed)[0].tolist() == [0, 1, 2, 3]  # every row its own
    codes, first = xlsx_frame.factorize(pd.Series(["b", "a", "b"], dtype="category"))
    assert codes.tolist() == [0, 1, 0] and first.tolist() == [0, 1]


def test__frames_reach_the_file_whichever_save_is_called(tmp_path):
    """A _Workbook's own ``save`` writes held frames; a stock workbook gets cells instead."""
    frame = pd.DataFrame({"hcpcs": ["99213", "71046"], "units": [1, 2]})
    columns = [("hcpcs", None), ("units", "int")]
    for wb in (render_xlsx._Workbook(), Workbook()):
        ws = wb.active
        assert render_xlsx.append_frame(ws, frame, columns) == 2
        held = bool(ws.__dict__.get("_rvubench_bodies"))
        assert held == isinstance(wb, render_xlsx._Workbook)
        wb.save(tmp_path / "b.xlsx")
        back = load_workbook(tmp_path / "b.xlsx").active
        assert [[c.value for c in row] for row in back.iter_rows()] == [["99213", 1], ["71046", 2]]
