"""`batch` takes report's per-clinician options from the command line or roster columns, titles
the department PDF, names providers missing from the roster and shows the quarter's change.

Hand-computed (RVU26C, national, POS 11): 99213 wRVU 1.30, 99214 wRVU 1.92.
A1 in 2026Q2: 99213 + 99213 + 99214 = 1.30 + 1.30 + 1.92 = 4.52 wRVUs; no lines in 2026Q1.
C3: one 99213 in 2026Q1 and one in 2026Q2: 1.30 -> 1.30, a 0.0% change on the quarter.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from rvubench.batch.roster import read_roster
from rvubench.cli import cli
from rvubench.errors import InputFileError
from rvubench.report.xlsx import header_label

LOG = """provider_id,date_of_service,hcpcs,modifiers,units,pos
C3,2026-01-05,99213,,1,11
A1,2026-04-06,99213,,1,11
A1,2026-05-11,99213,,1,11
A1,2026-06-15,99214,,1,11
B2,2026-04-07,99214,,1,11
C3,2026-04-08,99213,,1,11
Z9,2026-04-09,99214,,1,11
"""
ROSTER = """provider_id,name,specialty,clinical_fte,total_compensation,comp_model,kind,like_for_like
A1,"Avery Holt, MD",Family Medicine,1.0,262000,"flat:50; base:200000,5000,40",contract,no
B2,Blake Moreno DO,Family Medicine,0.8,205000,,,
C3,Casey Cardio,Cardiology,1.0,600000,,,
"""


@pytest.fixture
def run(tmp_path):
    (tmp_path / "log.csv").write_text(LOG)
    (tmp_path / "roster.csv").write_text(ROSTER)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "batch",
            str(tmp_path / "log.csv"),
            "--roster",
            str(tmp_path / "roster.csv"),
            "--out",
            str(out),
            "--period",
            "2026Q2",
            "--jobs",
            "1",
            "--format",
            "xlsx",
            "--comp-model",
            "flat:40",
            "--title",
            "North Clinic",
        ],
        catch_exceptions=False,
    )
    return result, out


def _scenarios(path: Path) -> list[str]:
    rows = load_workbook(path)["Compensation"].iter_rows(min_row=2, values_only=True)
    return [r[1] for r in rows if r[0] == "scenario"]


def test__roster_columns_win_over_the_command_line(run):
    result, out = run
    assert result.exit_code == 0, result.output
    # A1: its roster models (two, ';'-separated); B2: the command line's flat:40
    assert [s.split(":")[0] for s in _scenarios(out / "A1_Avery_Holt_MD.xlsx")] == [
        "flat",
        "base_plus_incentive",
    ]
    assert "$50" in _scenarios(out / "A1_Avery_Holt_MD.xlsx")[0]
    assert ["$40" in s for s in _scenarios(out / "B2_Blake_Moreno_DO.xlsx")] == [True]
    summary = {
        r[2]: r[1]
        for r in load_workbook(out / "A1_Avery_Holt_MD.xlsx")["Summary"].iter_rows(
            min_row=2, values_only=True
        )
    }
    assert summary["kind"] == "Compensation and productivity review"  # roster kind: contract
    assert summary["wrvu_total"] == pytest.approx(4.52)  # 1.30 + 1.30 + 1.92


def test__department_change_on_the_previous_quarter_and_title(run):
    from rvubench.batch.department import DEPARTMENT_COLUMNS, DEPARTMENT_SHEET

    _, out = run
    ws = load_workbook(out / "department.xlsx")[DEPARTMENT_SHEET]
    tidy = {header_label(c[0]): c[0] for c in DEPARTMENT_COLUMNS}
    header = [tidy[c.value] for c in ws[1]]
    rows = {
        r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)
    }
    assert rows["C3"]["wrvu_change_qoq_pct"] == 0.0  # 1.30 in Q1, 1.30 in Q2
    assert rows["A1"]["wrvu_change_qoq_pct"] is None  # nothing in Q1 to compare with
    assert rows["A1"]["wrvu_change_ytd_pct"] is None  # the log has no 2025


def test__warning_names_the_providers_not_in_the_roster(run):
    result, _ = run
    assert "not in the roster: Z9 (1 lines in 2026Q2)" in result.output


def test__department_pdf_title(tmp_path):
    from datetime import date

    from rvubench.batch.department import build_department_model, department_html

    model = build_department_model(
        rows=[],
        not_in_roster=[],
        period_label="2026Q2",
        period_start=date(2026, 4, 1),
        period_end=date(2026, 6, 30),
        annualization_factor=365 / 91,
        sources=["log.csv"],
        roster="north_roster.csv",
        settings={},
        name="North Clinic",
    )
    assert "Department productivity report: North Clinic</h1>" in department_html(model)
    model.name = ""
    unnamed = build_department_model(
        rows=[],
        not_in_roster=[],
        period_label="2026Q2",
        period_start=date(2026, 4, 1),
        period_end=date(2026, 6, 30),
        annualization_factor=365 / 91,
        sources=["log.csv"],
        roster="north_roster.csv",
        settings={},
    )
    assert unnamed.display_name == "north roster"  # from the roster file's name


def test__roster_bad_option_values_name_row_and_column(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("provider_id,specialty,comp_model\nA1,Family Medicine,flat:abc\n")
    with pytest.raises(InputFileError, match=r"row 2, column comp_model"):
        read_roster(path)
    path.write_text("provider_id,specialty,kind\nA1,Family Medicine,negotiation\n")
    with pytest.raises(InputFileError, match=r"row 2, column kind"):
        read_roster(path)


def test__department_pdf_groups_by_specialty_plots_them_apart_and_defines_its_terms():
    from datetime import date

    from rvubench.batch.department import (
        STATUS_REPORTED,
        ClinicianRow,
        build_department_model,
        department_html,
    )

    def row(pid, specialty, wp, cp):
        return ClinicianRow(
            provider_id=pid,
            name="",
            specialty=specialty,
            status=STATUS_REPORTED,
            clinical_fte=1.0,
            lines=10,
            wrvu_total=100.0,
            wrvu_annualized=400.0,
            wrvu_fte_adjusted=400.0,
            wrvu_percentile=wp,
            payment_cents=100,
            total_compensation=300000.0,
            compensation_per_wrvu=50.0,
            compensation_percentile=cp,
            alignment_gap=None,
            wrvu_change_qoq_pct=-2.5,
        )

    model = build_department_model(
        rows=[
            row("A1", "Family Medicine", 40.0, 60.0),
            row("B2", "Cardiology", "below p10", 20.0),
            row("C3", "Family Medicine", 70.0, "above p90"),
        ],
        not_in_roster=[],
        period_label="2026Q2",
        period_start=date(2026, 4, 1),
        period_end=date(2026, 6, 30),
        annualization_factor=365 / 91,
        sources=["log.csv"],
        roster="roster.csv",
        settings={},
    )
    html = department_html(model)
    # two specialty groups, Cardiology first; the quarter's change column with its value
    assert html.count('class="specialty-group"') == 2
    assert html.index("Cardiology (1)") < html.index("Family Medicine (2)")
    assert "Change on the previous quarter" in html and "-2.5%" in html
    # the scatter: one marker shape per specialty with a legend; outside-range values at the edge
    svg = model.scatter_svg
    assert "Cardiology" in svg and "Family Medicine" in svg
    # Cardiology (first) is a circle: B2 and its legend swatch; Family Medicine a square:
    # A1, C3 and the swatch, besides the plot's frame
    assert svg.count("<circle") == 2 and svg.count("<rect") == 1 + 3
    # every term used in the headers is defined
    for term in ("<dt>wRVU</dt>", "<dt>FTE</dt>", "<dt>Alignment gap</dt>", "<dt>Percentile</dt>"):
        assert term in html
