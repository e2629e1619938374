"""The workbook: interface sheets, numbers as numbers with formats, safe text, big logs."""

from __future__ import annotations

import openpyxl
import pytest

from _report_data import sample_priced
from rvubench.benchmarks.periods import parse_period
from rvubench.benchmarks.tables import benchmark_clinician, load_benchmarks
from rvubench.pricing.settings import PricingSettings
from rvubench.report import xlsx as render_xlsx
from rvubench.report.model import benchmark_section, build_report_model

Q3 = parse_period("2026Q3")


#: readable header -> tidy name, for reading the workbook back by the tidy column names
TIDY: dict[str, str] = {}
for _name in (*render_xlsx.HEADER_LABELS, "p10", "p25", "p50", "p75", "p90"):
    TIDY.setdefault(render_xlsx.header_label(_name), _name)  # "Payment ($)" -> payment


def _model(name="", benchmark=True):
    section = None
    if benchmark:
        result = benchmark_clinician(
            wrvu_total=26.0,
            period=Q3,
            specialty="Interventional Radiology",
            table=load_benchmarks(None),
            total_compensation=500000.0,
        )
        section = benchmark_section(result)
    return build_report_model(
        sample_priced(),
        period=Q3,
        settings=PricingSettings(),
        benchmark=section,
        provider_id="IR-1001",
        provider_name=name,
        specialty="Interventional Radiology",
        total_compensation=500000.0,
    )


def _summary(wb) -> dict:
    ws = wb["Summary"]
    return {r[2].value: r[1] for r in ws.iter_rows(min_row=2) if r[2].value}


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("x") / "r.xlsx"
    render_xlsx.render_xlsx(_model(), path)
    return openpyxl.load_workbook(path)


def test__sheets__interface_names_in_order(workbook):
    assert tuple(workbook.sheetnames[:6]) == render_xlsx.SHEETS
    assert render_xlsx.SHEETS == (
        "Summary",
        "By Code",
        "By Month",
        "Lines",
        "Benchmarks",
        "Exceptions",
    )
    assert workbook.sheetnames[6:8] == ["Compensation", "By Category"]  # then section sheets


def test__summary__totals_as_formatted_numbers(workbook):
    s = _summary(workbook)
    # 26.00 wRVUs; 134039 cents (see _report_data.sample_priced)
    assert s["wrvu_total"].value == pytest.approx(26.0)
    assert s["wrvu_total"].number_format == "#,##0.00"
    assert s["payment_total"].value == 1340.39
    assert s["payment_total"].number_format == '"$"#,##0.00'
    assert s["rows_read"].value == 8 and s["rows_rejected"].value == 1
    assert s["period_start"].value.date().isoformat() == "2026-07-01"


def test__by_code__interface_columns_and_totals(workbook):
    ws = workbook["By Code"]
    header = [c.value for c in ws[1]]
    tidy = ["hcpcs", "modifier", "description", "lines", "units", "wrvu_credit", "payment"]
    assert header == [render_xlsx.header_label(n) for n in tidy]  # readable, same order
    assert header[5:] == ["wRVU credit", "Payment ($)"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert sum(r[5] for r in rows) == pytest.approx(26.0)
    assert round(sum(r[6] for r in rows), 2) == 1340.39
    first = ws[2]
    assert first[0].value == "47383" and first[0].data_type == "s"  # codes stay text
    assert first[5].number_format == "#,##0.00" and first[6].number_format == '"$"#,##0.00'
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:G{len(rows) + 1}"


def test__by_month__values_and_native_chart(tmp_path):
    path = tmp_path / "m.xlsx"
    render_xlsx.render_xlsx(_model(), path)
    ws = openpyxl.load_workbook(path)["By Month"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[3] for r in rows] == [11.73, 0, 14.27]
    import zipfile

    names = zipfile.ZipFile(path).namelist()
    assert any(n.startswith("xl/charts/chart") for n in names)


def test__lines__full_audit_trail(workbook):
    ws = workbook["Lines"]
    header = [TIDY.get(c.value, c.value) for c in ws[1]]
    for col in (
        "source_file",
        "source_row",
        "hcpcs",
        "modifiers",
        "units",
        "pos",
        "setting",
        "locality",
        "fee_schedule_release",
        "status",
        "work_rvu",
        "wrvu_credit",
        "payment",
        "adjustments",
        "priced",
        "reason",
    ):
        assert col in header
    assert ws.max_row == 9  # header + 8 lines in scope
    row = {h: c for h, c in zip(header, ws[2], strict=True)}
    assert row["date_of_service"].is_date and row["wrvu_credit"].value == 8.66


def test__benchmarks__model_values(workbook):
    ws = workbook["Benchmarks"]
    header = [TIDY.get(c.value, c.value) for c in ws[1]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    wrvu = next(r for r in rows if r["metric"] == "wrvu")
    # 26.00 x 365/92 = 103.1522 annualized at 1.0 FTE
    assert wrvu["value"] == pytest.approx(103.1522, abs=1e-4)
    assert wrvu["illustrative"] == "yes"


def test__text_that_looks_like_a_formula_stays_text(tmp_path):
    path = tmp_path / "f.xlsx"
    render_xlsx.render_xlsx(_model(name='=HYPERLINK("http://x")'), path)
    wb = openpyxl.load_workbook(path)
    cell = _summary(wb)["provider_name"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'
    assert cell.quotePrefix is True
    for text in ("+1", "-2", "@SUM(A1)"):
        c = render_xlsx.cell(wb["Summary"], text)
        assert c.data_type == "s" and c.value == text and c.quotePrefix


def test__large_logs_use_write_only_mode(tmp_path, monkeypatch):
    """Without the column writer (another openpyxl version, or lxml installed) a log above
    WRITE_ONLY_LINES is written in openpyxl's write-only mode: the same sheets and values."""
    monkeypatch.setattr(render_xlsx, "COLUMN_WRITER", False)
    monkeypatch.setattr(render_xlsx, "WRITE_ONLY_LINES", 2)
    seen = []

    class Recording(render_xlsx._Workbook):
        def __init__(self, write_only: bool = False) -> None:
            seen.append(write_only)
            super().__init__(write_only=write_only)

    monkeypatch.setattr(render_xlsx, "_Workbook", Recording)
    path = tmp_path / "big.xlsx"
    render_xlsx.render_xlsx(_model(), path)
    wb = openpyxl.load_workbook(path)
    assert wb["Lines"].max_row == 9
    assert wb["By Code"].freeze_panes == "A2"
    assert _summary(wb)["wrvu_total"].value == pytest.approx(26.0)
    assert seen == [True]


def test__same_model_same_values(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    render_xlsx.render_xlsx(_model(), a)
    render_xlsx.render_xlsx(_model(), b)
    wa, wb = openpyxl.load_workbook(a), openpyxl.load_workbook(b)
    for name in wa.sheetnames:
        assert list(wa[name].values) == list(wb[name].values)
