"""`rvubench validate` through click's CliRunner: text, --json, exit codes, --exceptions."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rvubench.cli import cli

DATA = Path(__file__).parents[1] / "data" / "ingest"
SAMPLE = Path(__file__).parents[2] / "sample_data"


def run(*args):
    return CliRunner().invoke(cli, ["validate", *map(str, args)])


def test__validate__clean_log_exits_0_and_prints_the_accounting():
    res = run(DATA / "basic.csv")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "basic.csv: 4 rows read"
    # 0001F (status I) and 00100 (anesthesia) are in RVU26C, so all 4 codes are known; priced
    # as `report` prices them, both are credited zero (RVU26C status I and J): 4 = 2 + 2 + 0
    assert lines[1] == (
        "  rows read 4 = priced 2 + credited zero 2 + rejected 0 (as report counts them; "
        "unknown codes 0 are among the zero-credit rows)"
    )
    assert "         1  status I (not valid for Medicare): not paid, 0 wRVU credited" in lines
    assert "         1  anesthesia (status J): not priced, 0 wRVU" in lines
    assert "  dates of service: 2026-07-01 .. 2026-07-06" in lines
    assert "  providers: IR-1001 (4)" in lines
    assert "Rejected rows" not in res.output


def test__validate__rejections_exit_1_with_reasons_and_unknown_codes():
    res = run(DATA / "rejections.csv")
    assert res.exit_code == 1
    out = res.output
    # 2 usable rows: one known code priced, 99999 (not in RVU26C) credited zero
    assert (
        "  rows read 17 = priced 1 + credited zero 1 + rejected 15 (as report counts them; "
        "unknown codes 1 are among the zero-credit rows)"
    ) in out
    assert "  codes not in the fee schedule (RVU25D/RVU26C; kept, credited zero): 99999 (1)" in out
    assert "         1  date_of_service: not a date\n" in out
    assert "Rejected rows (15):" in out
    assert (
        "  rejections.csv row 5, column date_of_service ('date_of_service'): '13/45/2026' is not "
        "a date" in out
    )


def test__validate__json_has_the_interface_keys():
    res = run(DATA / "modcols_patient.csv", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    for key in ("rows_read", "rows_usable", "rows_rejected", "rejected_by_reason", "providers",
                "date_min", "date_max", "columns_used", "columns_dropped"):  # fmt: skip
        assert key in data
    assert data["rows_read"] == 4 and data["rows_usable"] == 4 and data["rows_rejected"] == 0
    assert data["providers"] == {"IR-1001": 4}
    assert (data["date_min"], data["date_max"]) == ("2026-07-01", "2026-07-02")
    assert data["columns_dropped"] == ["Patient Name", "MRN", "DOB", "Account #", "Member ID",
                                       "SSN", "Phone"]  # fmt: skip
    assert "TEST PATIENT" not in res.output and "FAKE1000" not in res.output


def test__validate__json_rejections_and_skipped_rows():
    res = run(DATA / "banner_total_footer.csv", "--json")
    data = json.loads(res.output)
    assert data["rows_read"] == 4
    assert [s["row"] for s in data["rows_skipped"]] == [1, 2, 3, 7, 9, 11, 12, 13]
    res = run(DATA / "rejections.csv", "--json")
    data = json.loads(res.output)
    assert res.exit_code == 1
    assert data["rejected_by_reason"]["units: negative units (a reversal)"] == 1
    assert data["unknown_codes"] == {"99999": 1}
    assert data["rejections"][0] == {
        "file": str(DATA / "rejections.csv"), "row": 3, "column": "hcpcs",
        "reason": "rejections.csv row 3, column hcpcs ('hcpcs'): no code (the cell is empty)",
    }  # fmt: skip


def test__validate__net_reversals_flag():
    plain = json.loads(run(DATA / "reversals.csv", "--json").output)
    netted = json.loads(run(DATA / "reversals.csv", "--json", "--net-reversals").output)
    assert (plain["rows_rejected"], netted["rows_rejected"]) == (4, 2)
    assert netted["net_reversals"] is True


def test__validate__exceptions_file(tmp_path):
    out = tmp_path / "exceptions.csv"
    res = run(DATA / "banner_total_footer.csv", "--exceptions", out)
    assert res.exit_code == 0
    with out.open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["file", "row", "column", "kind", "reason"]
    assert rows[1] == [
        "banner_total_footer.csv",
        "1",
        "",
        "skipped",
        "title/banner row above the header",
    ]
    assert len(rows) == 1 + 8


def test__validate__mapping_option():
    res = run(DATA / "custom_headers.csv", "--mapping", DATA / "custom_mapping.toml")
    assert res.exit_code == 0, res.output
    assert "  dates of service: 2025-12-25 .. 2026-01-03" in res.output.splitlines()


def test__validate__sheet_option():
    res = run(DATA / "title_dates.xlsx", "--sheet", "Other", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["rows_read"] == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "Error: empty.csv is empty: no header and no rows\n"),
        (
            "binary.csv",
            "Error: binary.csv is not a text file (binary content); export the log as CSV or XLSX\n",
        ),
        ("truncated.xlsx", "Error: truncated.xlsx cannot be read as an Excel workbook"),
        (
            "no_code_column.csv",
            "Error: no_code_column.csv: no header row with a procedure-code column",
        ),
    ],
)
def test__validate__unreadable_files_exit_2_with_one_line(name, message):
    res = run(DATA / name)
    assert res.exit_code == 2
    assert res.output.startswith(message)
    assert res.output.count("\n") == 1
    assert "Traceback" not in res.output


def test__validate__missing_file_is_a_usage_error(tmp_path):
    res = run(tmp_path / "missing.csv")
    assert res.exit_code == 2
    assert "does not exist" in res.output


def test__validate__sample_department_log():
    res = run(SAMPLE / "department.csv", "--json")
    data = json.loads(res.output)
    assert res.exit_code == 0
    assert data["rows_rejected"] == 0
    assert len(data["providers"]) == 16  # 15 roster clinicians with lines + the locum
    assert "LOC-9001" in data["providers"] and "IM-3103" not in data["providers"]
    assert (data["date_min"] >= "2026-01-01", data["date_max"] <= "2026-09-30") == (True, True)
