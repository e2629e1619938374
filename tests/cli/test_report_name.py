"""`report --name`: the clinician's display name on the workbook (and the PDF heading)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from rvubench.cli import cli

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "ir_quarter.csv"


def test__report_name_sets_the_display_name(tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "report",
            str(SAMPLE),
            "--out",
            str(tmp_path),
            "--format",
            "xlsx",
            "--name",
            "Dr. Ana Ruiz",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    wb = load_workbook(tmp_path / "IR-1001.xlsx")  # the file stem stays the provider id
    summary = {r[2].value: r[1].value for r in wb["Summary"].iter_rows(min_row=2)}
    assert summary["provider_name"] == "Dr. Ana Ruiz" and summary["provider_id"] == "IR-1001"


def test__report_progress_is_quiet_when_stderr_is_not_a_terminal(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["report", str(SAMPLE), "--out", str(tmp_path), "--format", "xlsx"],
        catch_exceptions=False,
    )
    assert "pricing" not in result.output and "wrote" in result.output
