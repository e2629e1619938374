"""Reports that warn (or stop) before they mislead: message, exit code, what is written."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from rvubench.benchmarks.periods import parse_period
from rvubench.cli import cli
from rvubench.feeschedule.cms import load_fee_schedules
from rvubench.ingest.log import read_log
from rvubench.insights.trend import build_trend_section
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings
from rvubench.report.model import SectionContext

ROOT = Path(__file__).resolve().parents[2]
IR = ROOT / "sample_data" / "ir_quarter.csv"  # dates of service 2026-07-01 .. 2026-09-30
ROSTER = ROOT / "sample_data" / "department_roster.csv"
HEADER = "provider_id,date_of_service,hcpcs,modifiers,units,pos\n"


def _run(*args):
    return CliRunner().invoke(cli, [*map(str, args)], catch_exceptions=False)


def _page1(pdf: Path) -> str:
    return re.sub(r"\s+", " ", pypdf.PdfReader(pdf).pages[0].extract_text())


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# ------------------------------------------------------------------ period guardrails


def test__empty_period__error_names_the_logs_dates_exit_1_nothing_written(tmp_path):
    out = tmp_path / "out"
    res = _run("report", IR, "--out", out, "--period", "2026Q1")
    assert res.exit_code == 1
    assert "Error: no usable lines for IR-1001 in the period 2026Q1" in res.stderr
    assert "the log's dates of service run from 2026-07-01 to 2026-09-30" in res.stderr
    assert "Traceback" not in res.output
    assert _files(out) == []


def test__period_past_the_log__warning_names_the_days_covered_cli_and_page_1(tmp_path):
    out = tmp_path / "out"
    res = _run("report", IR, "--out", out, "--period", "2026-07-01:2026-12-31", "--format", "pdf")
    assert res.exit_code == 0, res.output
    # Jul 31 + Aug 31 + Sep 30 + Oct 31 + Nov 30 + Dec 31 = 184 days; the log covers Jul-Sep:
    # 31 + 31 + 30 = 92 of them
    expected = "the log covers 92 of its 184 days"
    assert "Warning: The period 2026-07-01:2026-12-31" in res.stderr and expected in res.stderr
    assert "(2026-07-01 to 2026-09-30)" in res.stderr
    assert expected in _page1(out / "IR-1001.pdf")


def test__period_inside_the_log__no_coverage_warning(tmp_path):
    res = _run("report", IR, "--out", tmp_path / "o", "--period", "2026Q3", "--format", "pdf")
    assert res.exit_code == 0 and "runs past the log" not in res.stderr


# ------------------------------------------------------------------ contract needs both


@pytest.mark.parametrize(
    ("extra", "missing"),
    [
        (["--compensation", "540000"], "--specialty"),
        (["--specialty", "Interventional Radiology"], "--compensation"),
        ([], "--specialty and --compensation"),
    ],
)
def test__contract_without_specialty_or_compensation__usage_error(tmp_path, extra, missing):
    out = tmp_path / "out"
    res = _run("report", IR, "--out", out, "--kind", "contract", *extra)
    assert res.exit_code == 2
    assert f"Error: --kind contract needs {missing}:" in res.stderr
    assert _files(out) == []


# ------------------------------------------------------------------ header-only logs


@pytest.fixture
def header_only(tmp_path):
    path = tmp_path / "empty_export.csv"
    path.write_text(HEADER, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["validate", "price", "report", "batch"])
def test__header_only_log__no_data_rows_exit_1_nothing_written(tmp_path, header_only, command):
    out = tmp_path / "out"
    args = {
        "validate": ["validate", header_only],
        "price": ["price", header_only, "-o", out / "priced.csv"],
        "report": ["report", header_only, "--out", out],
        "batch": ["batch", header_only, "--roster", ROSTER, "--out", out],
    }[command]
    res = _run(*args)
    assert res.exit_code == 1, res.output
    assert "Error: empty_export.csv: no data rows" in res.stderr
    assert _files(out) == [] and not out.exists()


# ------------------------------------------------------------------ duplicates


def test__duplicates_counted_in_the_cli_and_on_page_1(tmp_path):
    log = tmp_path / "dups.csv"
    # the 99213 line is exported twice (an exact duplicate: flagged, counted in the totals)
    log.write_text(
        HEADER + "IR-1,2026-07-01,99213,,1,11\nIR-1,2026-07-01,99213,,1,11\n"
        "IR-1,2026-09-30,99214,,1,11\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    res = _run("report", log, "--out", out, "--period", "2026Q3", "--format", "pdf", "--json")
    assert res.exit_code == 0, res.output
    assert "exact duplicate lines 1 (flagged, counted in the totals)" in res.stderr
    assert '"rows_duplicate": 1' in res.stdout
    page1 = _page1(out / "IR-1.pdf")
    assert (
        "Rows read 3 = priced 3 + credited zero 0 + rejected 0; exact duplicate lines 1 "
        "(flagged, counted in the totals)"
    ) in page1
    # counted: 1.30 + 1.30 (99213 twice) + 1.92 (99214) = 4.52 wRVUs (RVU26C work RVUs)
    assert '"wrvu_total": 4.52' in res.stdout


# ------------------------------------------------------------------ validate = report


def test__validate_and_report_give_one_accounting(tmp_path):
    v = _run("validate", IR)
    r = _run("report", IR, "--out", tmp_path / "o", "--format", "pdf")
    line = re.search(
        r"rows read (\d+) = priced (\d+) \+ credited zero (\d+) \+ rejected (\d+)", v.stdout
    )
    assert line, v.stdout
    assert (
        f"rows read {line[1]} = priced {line[2]} + credited zero {line[3]} + rejected {line[4]}"
    ) in r.stderr
    assert line.groups() == ("698", "695", "3", "0")


# ------------------------------------------------------------------ trend across RVU years


def test__trend_across_an_rvu_update_states_its_basis_and_compares_like_with_like(tmp_path):
    log = tmp_path / "two_years.csv"
    # 47383: work RVU 8.88 on RVU25D, 8.66 on RVU26C; 99213: 1.30 on both. Lines on separate
    # days (no multiple-procedure reduction); 2025-07 and 2026-09 lines make both quarters
    # covered by the log.
    log.write_text(
        HEADER
        + "\n".join(
            [
                "IR-1,2025-07-01,99213,,1,11",
                "IR-1,2025-08-05,47383,,1,22",
                "IR-1,2026-08-04,47383,,1,22",
                "IR-1,2026-08-05,47383,,1,22",
                "IR-1,2026-09-30,99213,,1,11",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    fees, settings = load_fee_schedules(), PricingSettings()
    clean = read_log(log).lines
    priced = price_lines(clean, fees, settings)
    ctx = SectionContext(
        priced=priced,
        in_period=priced,
        period=parse_period("2026Q3"),
        settings=settings,
        clean_lines=clean,
    )
    trend = build_trend_section(ctx).data
    # as credited: 2025Q3 1.30 + 8.88 = 10.18 (RVU25D); 2026Q3 2 x 8.66 + 1.30 = 18.62 (RVU26C)
    assert trend["year_over_year"]["wrvu_change"] == pytest.approx(8.44)
    assert (
        "2025Q3: RVU25D" in trend["rvu_basis_note"] and "2026Q3: RVU26C" in trend["rvu_basis_note"]
    )
    yl = trend["year_over_year_like_for_like"]
    # both on 2025 RVUs: 2026Q3 = 2 x 8.88 + 1.30 = 19.06; change 19.06 - 10.18 = +8.88,
    # 8.88 / 10.18 = 87.2%
    assert (yl["rvu_year"], yl["release"]) == (2025, "RVU25D")
    assert yl["wrvu_then"] == pytest.approx(10.18) and yl["wrvu_now"] == pytest.approx(19.06)
    assert yl["wrvu_change"] == pytest.approx(8.88) and yl["wrvu_change_pct"] == 87.2


def test__trend_within_one_release_says_nothing_extra(tmp_path):
    fees, settings = load_fee_schedules(), PricingSettings()
    clean = read_log(IR).lines
    priced = price_lines(clean, fees, settings)
    ctx = SectionContext(
        priced=priced,
        in_period=priced,
        period=parse_period("2026Q3"),
        settings=settings,
        clean_lines=clean,
    )
    trend = build_trend_section(ctx).data
    assert trend["rvu_basis_note"] == "" and trend["year_over_year_like_for_like"] is None
