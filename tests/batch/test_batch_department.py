"""Department model, department.xlsx and department.pdf (rvubench.batch.department), no batch run.

Figures are built from CMS RVU26C national non-facility amounts (CF 33.4009):
99213 wRVU 1.30, 2.85 x 33.4009 = 95.192565 -> 9519 cents;
99214 wRVU 1.92, 4.06 x 33.4009 = 135.607654 -> 13561 cents.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from rvubench.batch.department import (
    ALL_SPECIALTIES,
    DEPARTMENT_COLUMNS,
    DEPARTMENT_SHEET,
    KIND_NOT_IN_ROSTER,
    NOT_REPORTED_SHEET,
    PER_CLINICIAN_LIMIT,
    RUN_SHEET,
    SPECIALTY_SHEET,
    STATUS_FAILED,
    STATUS_NO_LINES,
    STATUS_REPORTED,
    ClinicianRow,
    NotReported,
    build_department_model,
    department_html,
    median_percentile,
    percentile_band,
    percentile_chart_svg,
    render_department_pdf,
    write_department_xlsx,
)
from rvubench.report.xlsx import header_label


def row(pid, specialty, status=STATUS_REPORTED, **kw) -> ClinicianRow:
    return ClinicianRow(provider_id=pid, name=kw.pop("name", f"Dr {pid}"), specialty=specialty,
                        status=status, **kw)  # fmt: skip


# FM-1: 10 x 99213 + 5 x 99214 = 13.00 + 9.60 = 22.60 wRVU; 10 x 9519 + 5 x 13561 = 162995 cents
# FM-2: 4 x 99214 = 7.68 wRVU; 4 x 13561 = 54244 cents
# XX-9 failed with 1 x 99213 = 1.30 wRVU, 9519 cents
ROWS = [
    row("FM-1", "Family Medicine", lines=15, wrvu_total=22.6, payment_cents=162995,
        wrvu_fte_adjusted=4000.0, wrvu_percentile=40.0, compensation_per_wrvu=60.0,
        alignment_gap=10.0, total_compensation=250000.0, outputs=["FM-1.pdf", "FM-1.xlsx"]),
    row("FM-2", "Family Medicine", lines=4, wrvu_total=7.68, payment_cents=54244,
        wrvu_fte_adjusted=5000.0, wrvu_percentile=70.0, compensation_per_wrvu=50.0,
        alignment_gap=-6.0, total_compensation=240000.0),
    row("XX-9", "Unknownology", STATUS_FAILED, lines=1, wrvu_total=1.3, payment_cents=9519,
        reason="no benchmark row for specialty 'Unknownology'", name="=cmd|' /C calc'!A0"),
    row("IM-7", "Internal Medicine", STATUS_NO_LINES, reason="provider IM-7 has no lines in the log"),
]  # fmt: skip
STRAY = NotReported(KIND_NOT_IN_ROSTER, "LOC-1", "", "", 3, 3.9, "not in the roster")


def model(rows=ROWS, stray=(STRAY,)):
    return build_department_model(
        rows=rows, not_in_roster=list(stray), period_label="2026Q2",
        period_start=date(2026, 4, 1), period_end=date(2026, 6, 30),
        annualization_factor=365 / 91, sources=["department.csv"], roster="roster.csv",
        settings={"Crediting policy": "medicare"}, notices=["ILLUSTRATIVE benchmark"],
        generated_on=date(2026, 7, 15),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([10.0, 30.0, 20.0], 20.0),
        ([10.0, 20.0], 15.0),  # (10 + 20) / 2
        (["below p10", 20.0, 30.0], 20.0),
        (["below p10", 20.0], "below p10"),  # a label cannot be averaged: lower middle
        (["above p90", "below p10", 50.0, None], 50.0),
        ([None, None], None),
        ([], None),
    ],
)
def test__median_percentile(values, expected):
    assert median_percentile(values) == expected


def test__percentile_band():
    assert percentile_band("below p10") == "below p10"
    assert percentile_band(10.0) == "p10-p25"
    assert percentile_band(62.5) == "p50-p75"
    assert percentile_band("above p90") == "above p90"
    assert percentile_band(None) is None


def test__build_department_model__totals_medians_and_lists():
    m = model()
    fm = next(s for s in m.by_specialty if s.specialty == "Family Medicine")
    # 22.60 + 7.68 = 30.28 wRVU; 162995 + 54244 = 217239 cents; 15 + 4 lines
    assert fm.wrvu_total == pytest.approx(30.28) and fm.payment_cents == 217239 and fm.lines == 19
    assert (fm.clinicians, fm.reported) == (2, 2)
    assert fm.median_wrvu_fte_adjusted == 4500.0  # (4000 + 5000) / 2
    assert fm.median_wrvu_percentile == 55.0  # (40 + 70) / 2
    assert fm.median_compensation_per_wrvu == 55.0 and fm.median_alignment_gap == 2.0
    assert fm.total_compensation == 490000.0
    t = m.totals
    assert t.specialty == ALL_SPECIALTIES and t.clinicians == 4 and t.reported == 2
    # all roster rows: 217239 + 9519 = 226758 cents; 30.28 + 1.30 = 31.58 wRVU
    assert t.payment_cents == 226758 and t.wrvu_total == pytest.approx(31.58)
    kinds = [(n.kind, n.provider_id) for n in m.not_reported]
    assert kinds == [
        (STATUS_FAILED, "XX-9"),
        (STATUS_NO_LINES, "IM-7"),
        (KIND_NOT_IN_ROSTER, "LOC-1"),
    ]
    assert m.counts() == {
        "roster": 4,
        "reported": 2,
        "failed": 1,
        "no_lines": 1,
        "not_in_roster": 1,
    }


def test__department_xlsx__sheets_values_formats(tmp_path):
    path = write_department_xlsx(model(), tmp_path / "department.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == [DEPARTMENT_SHEET, SPECIALTY_SHEET, NOT_REPORTED_SHEET, RUN_SHEET]
    ws = wb[DEPARTMENT_SHEET]
    header = [c.value for c in ws[1]]
    tidy = {header_label(n): n for n in (c[0] for c in DEPARTMENT_COLUMNS)}
    header = [tidy[name] for name in header]  # readable headers back to the tidy names
    col = {name: i + 1 for i, name in enumerate(header)}
    # 21 columns (A:U): the basis and the benchmarked FTE-adjusted wRVUs sit before the
    # percentile; the changes on the previous quarter and the year to date after the gap
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:U{len(ROWS) + 1}"
    assert header.index("wrvu_benchmarked_fte_adjusted") + 1 == header.index("wrvu_percentile")
    assert ws.cell(2, col["provider_id"]).value == "FM-1"
    assert ws.cell(2, col["wrvu_total"]).value == pytest.approx(22.6)
    pay = ws.cell(2, col["payment_total"])
    assert pay.value == pytest.approx(1629.95) and pay.number_format == '"$"#,##0.00'
    assert ws.cell(2, col["outputs"]).value == "FM-1.pdf, FM-1.xlsx"
    failed = ws.cell(4, col["name"])
    assert failed.value == "=cmd|' /C calc'!A0" and failed.data_type == "s"  # text, not a formula
    assert ws.cell(4, col["status"]).value == STATUS_FAILED
    assert "Unknownology" in ws.cell(4, col["reason"]).value
    spec = wb[SPECIALTY_SHEET]
    last = [c.value for c in spec[spec.max_row]]
    assert last[0] == ALL_SPECIALTIES and last[5] == pytest.approx(2267.58)  # 226758 cents
    nr = [r for r in wb[NOT_REPORTED_SHEET].iter_rows(min_row=2, values_only=True)]
    assert [(r[0], r[1]) for r in nr] == [
        (STATUS_FAILED, "XX-9"), (STATUS_NO_LINES, "IM-7"), (KIND_NOT_IN_ROSTER, "LOC-1")]  # fmt: skip
    run = {r[0]: r[1] for r in wb[RUN_SHEET].iter_rows(min_row=2, values_only=True)}
    assert run["period"] == "2026Q2" and run["clinicians_failed"] == 1


def test__percentile_chart__per_clinician_then_bands():
    svg = percentile_chart_svg(ROWS)
    assert svg.count("<rect") == 2  # FM-1 and FM-2 have a percentile
    assert "2 clinician(s) without a percentile" in svg
    many = [
        row(f"P{i}", "Family Medicine", wrvu_percentile=float(i % 100))
        for i in range(PER_CLINICIAN_LIMIT + 1)
    ]
    banded = percentile_chart_svg(many)
    assert banded.count("<rect") == 6 and "p25-p50" in banded  # one bar per band


def test__department_html__escapes_names_and_lists_everyone():
    html = department_html(model([*ROWS, row("Z-1", "Family Medicine", name="<b>Zed</b>")]))
    assert "&lt;b&gt;Zed&lt;/b&gt;" in html and "<b>Zed</b>" not in html
    for pid in ("FM-1", "FM-2", "XX-9", "IM-7", "LOC-1"):
        assert pid in html
    assert "no benchmark row for specialty" in html


@pytest.mark.slow
def test__department_pdf__renders(tmp_path):
    from pypdf import PdfReader

    path = render_department_pdf(model(), tmp_path / "department.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(path).pages)
    assert "Department productivity report" in text
    assert "$2,267.58" in text  # department payment, 226758 cents
    assert "Not reported" in text and "LOC-1" in text


_ROWS = st.lists(
    st.builds(
        lambda pid, spec, status, cents, w, pct: row(
            pid, spec, status, payment_cents=cents, wrvu_total=w / 100, wrvu_percentile=pct
        ),
        st.text("ABC123", min_size=1, max_size=4),
        st.sampled_from(["Family Medicine", "Cardiology", "Gastroenterology"]),
        st.sampled_from([STATUS_REPORTED, STATUS_FAILED, STATUS_NO_LINES]),
        st.integers(0, 10_000_000),
        st.integers(0, 500_000),
        st.one_of(st.none(), st.floats(10, 90), st.sampled_from(["below p10", "above p90"])),
    ),
    max_size=30,
)


@settings(max_examples=80, deadline=None)
@given(_ROWS)
def test__department_totals_are_the_sum_of_specialties(rows):
    m = model(rows, stray=())
    assert m.totals.payment_cents == sum(s.payment_cents for s in m.by_specialty)
    assert m.totals.payment_cents == sum(r.payment_cents for r in rows)
    assert round(m.totals.wrvu_total * 100) == sum(round(r.wrvu_total * 100) for r in rows)
    assert m.totals.clinicians == len(rows) == sum(s.clinicians for s in m.by_specialty)
    assert len(m.not_reported) == sum(r.status != STATUS_REPORTED for r in rows)
