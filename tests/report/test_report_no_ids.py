"""A log without patient or encounter ids: priced as billed, and page 1 of the PDF and the
``report`` terminal summary say so with the wRVUs of the other reading (each day as one
patient); with a patient column the same log ranks per patient and day.

RVU26C (PPRRVU2026_Jul_nonQPP.csv) work RVUs: 27130 19.11, 69436 1.96, 11042 0.98; all
three MULT PROC 2. Facility amounts (national, CF 33.4009): 27130 34.79 -> 1162.02,
69436 4.33 -> 144.63, 11042 1.67 -> 55.78.
"""

from __future__ import annotations

from pathlib import Path

import pypdf
from click.testing import CliRunner

from rvubench.cli import cli

# one clinician, one day, no patient column; 11042 carries 51
NO_IDS = """provider_id,date_of_service,hcpcs,modifiers,units,pos
DR-1,2026-08-03,27130,,1,22
DR-1,2026-08-03,69436,,1,22
DR-1,2026-08-03,11042,51,1,22
"""
# as billed: 19.11 + 1.96 + 0.98 x 0.5 = 19.11 + 1.96 + 0.49 = 21.56
# each day one patient: 19.11 + 1.96 x 0.5 + 0.98 x 0.5 = 19.11 + 0.98 + 0.49 = 20.58
# difference 20.58 - 21.56 = -0.98; -0.98 / 21.56 = -4.55% -> -4.5%
SENTENCE = (
    "Multiple procedures: the log has no patient or encounter id, so lines are priced "
    "as billed (only lines carrying 51 reduced): 21.56 wRVUs. If each day were one "
    "patient: 20.58 wRVUs (-0.98 wRVUs, -4.5%)."
)


def _report(tmp_path: Path, text: str, *extra: str):
    log = tmp_path / "log.csv"
    log.write_text(text)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["report", str(log), "--out", str(out), "--period", "2026Q3", *extra],
        catch_exceptions=False,
    )
    return result, out


def _page1(path: Path) -> str:
    return " ".join(pypdf.PdfReader(path).pages[0].extract_text().split())


def test__no_ids__cli_and_page_1_carry_both_totals(tmp_path):
    result, out = _report(tmp_path, NO_IDS, "--format", "pdf")
    assert result.exit_code == 0, result.output
    assert "  wRVUs 21.56 " in result.stdout  # the headline is the as-billed figure
    assert f"  {SENTENCE}" in result.stdout.splitlines()
    assert SENTENCE in _page1(out / "DR-1.pdf")


def test__no_ids__json_and_workbook_have_the_sentence(tmp_path):
    import json

    import openpyxl

    result, out = _report(tmp_path, NO_IDS, "--format", "xlsx", "--json")
    summary = json.loads(result.stdout)
    assert summary["wrvu_total"] == 21.56
    assert summary["multiple_procedure_rule"] == SENTENCE
    # the workbook's Summary sheet carries the same sentence (key column)
    ws = openpyxl.load_workbook(out / "DR-1.xlsx")["Summary"]
    rows = {r[2]: r[1] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["multiple_procedure_rule"] == SENTENCE


def test__patient_column__ranked_per_patient_and_day(tmp_path):
    lines = NO_IDS.splitlines()
    # the same day as one patient's: ranked together (51 plays no part): 20.58
    text = "\n".join([lines[0] + ",patient_mrn", *(ln + ",MRN-1" for ln in lines[1:])]) + "\n"
    result, _ = _report(tmp_path, text, "--format", "xlsx")
    assert result.exit_code == 0, result.output
    assert "  wRVUs 20.58 " in result.stdout
    assert (
        "  Multiple procedures are ranked per patient and day (the log's patient column, "
        "used only as a random key)."
    ) in result.stdout.splitlines()


def test__no_ids__other_reading_prices_the_period_lines_only(tmp_path, monkeypatch):
    # the same Q3 day plus two Q2 lines (another day, outside --period 2026Q3): the sentence
    # is the Q3 one (21.56 as billed, 20.58 each day one patient) and the other reading
    # prices the 3 lines of the period, not the 5 of the log
    import rvubench.report.run as run

    priced_lines: list[int] = []
    real = run.other_reading

    def spy(lines, fees, settings):
        priced_lines.append(len(lines))
        return real(lines, fees, settings)

    monkeypatch.setattr(run, "other_reading", spy)
    q2 = "DR-1,2026-05-04,27130,,1,22\nDR-1,2026-05-04,69436,,1,22\n"
    result, out = _report(tmp_path, NO_IDS + q2, "--format", "pdf")
    assert result.exit_code == 0, result.output
    assert f"  {SENTENCE}" in result.stdout.splitlines()
    assert priced_lines == [3]
