"""`rvubench report` end to end on the bundled interventional-radiology sample."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pypdf
import pytest
from click.testing import CliRunner

from rvubench.cli import cli
from rvubench.feeschedule.cms import load_fee_schedules
from rvubench.ingest.log import read_log
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings
from rvubench.report.formatting import round_half_up
from rvubench.report.model import EXTRA_SUMMARY_KEYS, SUMMARY_KEYS

ROOT = Path(__file__).resolve().parents[2]
IR = ROOT / "sample_data" / "ir_quarter.csv"
DEPT = ROOT / "sample_data" / "department.csv"


def _run(*args):
    return CliRunner().invoke(cli, ["report", *map(str, args)], catch_exceptions=False)


def _pdf_text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages)


@pytest.fixture(scope="module")
def expected():
    """Totals the priced lines of 2026Q3 sum to (integer ten-thousandths and cents)."""
    priced = price_lines(read_log(IR).lines, load_fee_schedules(), PricingSettings())
    q3 = priced[
        (priced["date_of_service"] >= "2026-07-01") & (priced["date_of_service"] <= "2026-09-30")
    ]
    usable = q3[q3["outcome"] != "rejected"]
    w4 = int((usable["wrvu_credit"] * 10_000).round().astype("int64").sum())
    cents = int(usable["payment_cents"].fillna(0).astype("int64").sum())
    return {"wrvu": w4 / 10_000, "cents": cents, "rows": len(priced)}


@pytest.fixture(scope="module")
def ir_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ir")
    result = _run(
        IR,
        "--out",
        out,
        "--specialty",
        "Interventional Radiology",
        "--compensation",
        "520000",
        "--json",
    )
    return out, result


@pytest.mark.slow
def test__ir_sample__writes_both_files_and_json(ir_run, expected):
    out, result = ir_run
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    # the documented keys in their order; the like-for-like figures may be added
    assert tuple(k for k in summary if k in SUMMARY_KEYS) == SUMMARY_KEYS
    assert set(summary) - set(SUMMARY_KEYS) <= {
        "wrvu_like_for_like",
        "like_for_like_rvu_year",
        "multiple_procedure_rule",
        *EXTRA_SUMMARY_KEYS,
        "sheets",
    }
    assert summary["provider_id"] == "IR-1001"
    assert summary["period_start"] == "2026-07-01" and summary["period_end"] == "2026-09-30"
    assert summary["outputs"] == [str(out / "IR-1001.pdf"), str(out / "IR-1001.xlsx")]
    assert summary["wrvu_total"] == float(round_half_up(expected["wrvu"], 2))
    assert summary["payment_total"] == expected["cents"] / 100
    assert (
        summary["rows_read"]
        == summary["rows_priced"] + summary["rows_zero"] + summary["rows_rejected"]
    )
    # 2026Q3 = 92 days: annualized = total x 365 / 92
    assert summary["wrvu_annualized"] == float(round_half_up(expected["wrvu"] * 365 / 92, 2))


@pytest.mark.slow
def test__ir_sample__pdf_shows_the_totals(ir_run, expected):
    out, _ = ir_run
    text = _pdf_text(out / "IR-1001.pdf")
    whole, frac = divmod(int(round(expected["wrvu"] * 10_000)), 10_000)
    frac = (frac + 50) // 100  # half-up to hundredths: 1110.8550 -> 1,110.86
    whole, frac = (whole + 1, 0) if frac == 100 else (whole, frac)
    assert f"{whole:,}.{frac:02d}" in text
    dollars, cents = divmod(expected["cents"], 100)
    assert f"${dollars:,}.{cents:02d}" in text  # e.g. $51,808.73
    assert "Benchmark figures are ILLUSTRATIVE, not survey data" in text


@pytest.mark.slow
def test__ir_sample__workbook_summary_and_by_code_agree(ir_run, expected):
    out, _ = ir_run
    wb = openpyxl.load_workbook(out / "IR-1001.xlsx")
    summary = {r[2]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["wrvu_total"] == pytest.approx(expected["wrvu"], abs=1e-9)
    assert summary["payment_total"] == expected["cents"] / 100
    rows = list(wb["By Code"].iter_rows(min_row=2, values_only=True))
    assert sum(r[5] for r in rows) == pytest.approx(expected["wrvu"], abs=1e-6)
    assert round(sum(round(r[6] * 100) for r in rows if r[6] is not None)) == expected["cents"]
    assert wb["Lines"].max_row - 1 == summary["rows_read"]
    header = [c.value for c in wb["Lines"][1]]
    assert not {"patient_name", "mrn", "dob"} & set(header)


@pytest.mark.slow
def test__same_input_same_outputs(ir_run, tmp_path):
    out, _ = ir_run
    again = _run(
        IR, "--out", tmp_path, "--specialty", "Interventional Radiology", "--compensation", "520000"
    )
    assert again.exit_code == 0
    assert _pdf_text(tmp_path / "IR-1001.pdf") == _pdf_text(out / "IR-1001.pdf")
    a = openpyxl.load_workbook(out / "IR-1001.xlsx")
    b = openpyxl.load_workbook(tmp_path / "IR-1001.xlsx")
    for name in a.sheetnames:
        assert list(a[name].values) == list(b[name].values), name


def test__several_providers_and_no_provider_option(tmp_path):
    result = _run(DEPT, "--out", tmp_path)
    assert result.exit_code == 2
    assert (
        "providers" in result.stderr
        and "CA-3501" in result.stderr
        and "--provider" in result.stderr
    )
    assert list(tmp_path.iterdir()) == []


def test__unknown_provider_lists_those_found(tmp_path):
    result = _run(IR, "--out", tmp_path, "--provider", "NOPE")
    assert result.exit_code == 2
    assert "'NOPE' not found" in result.stderr and "IR-1001" in result.stderr


def test__rejected_rows_exit_1_files_still_written(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text(
        "provider_id,date_of_service,hcpcs,units\n"
        "DR1,2026-04-02,99213,1\n"
        "DR1,2026-13-45,99213,1\n"
        "DR1,2026-06-30,99214,1\n"
    )
    result = _run(
        log, "--out", tmp_path / "out", "--period", "2026Q2", "--format", "xlsx", "--json"
    )
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["rows_rejected"] == 1 and summary["rows_priced"] == 2
    # 99213 1.30 + 99214 1.92 = 3.22 wRVUs; office (POS 11 default), national, CF 33.4009:
    # 99213 2.85 x 33.4009 = 95.19; 99214 4.06 x 33.4009 = 135.61; total 230.80
    assert summary["wrvu_total"] == 3.22
    assert summary["payment_total"] == 230.80
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["DR1.xlsx"]
    wb = openpyxl.load_workbook(tmp_path / "out" / "DR1.xlsx")
    exc = list(wb["Exceptions"].iter_rows(min_row=2, values_only=True))
    assert len(exc) == 1 and exc[0][1] == 3  # spreadsheet row 3 (header is row 1)


def test__missing_template_in_user_folder_is_a_usage_error(tmp_path):
    (tmp_path / "tpl").mkdir()
    result = _run(IR, "--out", tmp_path / "out", "--templates", tmp_path / "tpl")
    assert result.exit_code == 2
    assert "template 'report.html.j2' not found" in result.stderr


def test__bad_format_is_a_usage_error(tmp_path):
    result = _run(IR, "--out", tmp_path, "--format", "docx")
    assert result.exit_code == 2 and "--format" in result.stderr
