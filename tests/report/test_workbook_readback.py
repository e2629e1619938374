"""Read the clinician and department workbooks back: readable headers in the interface order,
number formats, frozen and filtered tables, print set-up, no binary float noise, the By Month
chart's axis at zero and a Run sheet that does not depend on the day it was written."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from rvubench.batch.department import DEPARTMENT_SHEET, RUN_SHEET, write_department_xlsx
from rvubench.report.xlsx import MAX_WIDTH, fitted_widths, header_label, render_xlsx

pytest.importorskip("weasyprint")  # the layout module builds the bundled sample models


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    from test_pdf_layout import _department_model, ir_models

    folder = tmp_path_factory.mktemp("books")
    models = ir_models()
    clinician = render_xlsx(models["contract"], folder / "IR-1001.xlsx")
    department = write_department_xlsx(_department_model(), folder / "department.xlsx")
    return {"clinician": Path(clinician), "department": Path(department)}


def _numbers(ws):
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, float | int) and not isinstance(c.value, bool):
                yield c


@pytest.mark.parametrize("which", ["clinician", "department"])
def test__every_sheet_frozen_filtered_and_set_up_for_print(books, which):
    wb = load_workbook(books[which])
    for ws in wb:
        assert ws.freeze_panes, ws.title
        assert ws.auto_filter.ref, ws.title
        setup = ws.page_setup
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), ws.title  # one page wide
        header_row = int(re.match(r"[A-Z]+(\d+)", ws.auto_filter.ref).group(1))
        assert ws.print_title_rows == f"${header_row}:${header_row}", ws.title
        assert ws.print_area, ws.title
        widths = sum(
            ws.column_dimensions[get_column_letter(i)].width or 13
            for i in range(1, ws.max_column + 1)
        )
        assert (
            setup.orientation == ("landscape" if widths > 110 else "portrait")
            or ws.title == "Global Periods"
        ), ws.title


@pytest.mark.parametrize("which", ["clinician", "department"])
def test__headers_are_readable_and_never_cut(books, which):
    wb = load_workbook(books[which])
    for ws in wb:
        header_row = int(re.match(r"[A-Z]+(\d+)", ws.auto_filter.ref).group(1))
        for c in ws[header_row]:
            if c.value is None:
                continue
            assert "_" not in c.value, (ws.title, c.value)  # a label, not a tidy name
            width = ws.column_dimensions[c.column_letter].width
            assert width >= len(c.value), (ws.title, c.value, width)


def test__clinician_headers_keep_the_interface_columns_in_order(books):
    wb = load_workbook(books["clinician"])
    by_code = [c.value for c in wb["By Code"][1]]
    assert by_code == [
        "Code",
        "Modifier",
        "Description",
        "Lines",
        "Units",
        "wRVU credit",
        "Payment ($)",
    ]
    lines = [c.value for c in wb["Lines"][1]]
    assert lines[:6] == [
        header_label(n)
        for n in (
            "source_file",
            "source_row",
            "provider_id",
            "date_of_service",
            "hcpcs",
            "modifiers",
        )
    ]


@pytest.mark.parametrize("which", ["clinician", "department"])
def test__no_stored_value_has_binary_float_noise(books, which):
    wb = load_workbook(books[which])
    for ws in wb:
        for c in _numbers(ws):
            if isinstance(c.value, float):
                # 6 decimals hold every figure (wRVUs 4 dp, money 2, factor and GPCI less);
                # 5.600000000000001 or 3.9673913043478262 would fail
                assert float(f"{c.value:.6f}") == c.value, (ws.title, c.coordinate, c.value)


def test__clinician_number_formats(books):
    wb = load_workbook(books["clinician"])
    ws = wb["By Code"]
    assert ws["F2"].number_format == "#,##0.00" and ws["G2"].number_format == '"$"#,##0.00'
    summary = {r[2].value: r[1] for r in wb["Summary"].iter_rows(min_row=2)}
    cf = summary["conversion_factor"]  # a number with a dollar format, not the text "$33.4009"
    assert cf.value == 33.4009 and cf.number_format == '"$"0.0000'
    assert summary["wrvu_total"].number_format == "#,##0.00"
    for c in _numbers(ws):
        assert c.number_format != "General", (c.coordinate, c.value)


def test__by_month_chart_axis_starts_at_zero_below_the_table(books):
    with zipfile.ZipFile(books["clinician"]) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        xml = z.read(charts[0]).decode()
        drawing = next(
            z.read(n).decode() for n in z.namelist() if n.startswith("xl/drawings/drawing")
        )
    assert re.search(r'<(c:)?valAx>.*?<(c:)?min val="0(\.0)?"\s*/>', xml) or re.search(
        r'<(c:)?scaling><(c:)?orientation val="minMax"\s*/><(c:)?min val="0"', xml
    )
    # anchored in column A under the 3 month rows (row index 5 = spreadsheet row 6)
    assert re.search(
        r"<(xdr:)?from><(xdr:)?col>0</(xdr:)?col>.*?<(xdr:)?row>5</(xdr:)?row>", drawing
    )
    ws = load_workbook(books["clinician"])["By Month"]
    assert ws.print_area == "'By Month'!$A$1:$E$22"  # the table and the chart print together


def test__department_run_sheet_dates_are_the_document_date(books):
    wb = load_workbook(books["department"])
    run = {r[0].value: r[1] for r in wb[RUN_SHEET].iter_rows(min_row=2)}
    assert "generated_on" not in run
    assert run["document_date"].value.date().isoformat() == "2026-09-30"  # the period end
    assert run["document_date"].number_format == "yyyy-mm-dd"
    ws = wb[DEPARTMENT_SHEET]
    assert ws.page_setup.orientation == "landscape"


@settings(max_examples=200, deadline=None)
@given(
    name=st.from_regex(r"[a-z][a-z0-9]{0,8}(_[a-z0-9]{1,8}){0,4}", fullmatch=True),
    values=st.lists(
        st.one_of(st.floats(-1e9, 1e9, allow_nan=False), st.text(max_size=90), st.none()),
        max_size=20,
    ),
)
def test__property__labels_have_no_tidy_underscores_and_widths_never_cut_them(name, values):
    label = header_label(name)
    assert label and "_" not in label
    (width,) = fitted_widths([name], [[v] for v in values])
    assert len(label) < width <= max(MAX_WIDTH, len(label) + 3)
