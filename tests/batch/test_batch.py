"""`rvubench batch` / rvubench.batch.run.run_batch: department runs, failure isolation, executors.

Hand-computed lines use CMS RVU26C (CF 33.4009), non-facility (POS 11), one unit:
- national: 99213 wRVU 1.30, 2.85 x 33.4009 = 95.192565 -> $95.19 (9519 cents);
  99214 wRVU 1.92, 4.06 x 33.4009 = 135.607654 -> $135.61 (13561 cents).
- Los Angeles 01182-18 (GPCI 2026 work 1.041, PE 1.183, MP 0.664), 99214:
  1.92 x 1.041 + 2.00 x 1.183 + 0.14 x 0.664 = 4.45768; x 33.4009 = 148.890524 -> 14889 cents.
2026Q2 has 91 days: annualization factor 365 / 91.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from rvubench.batch.department import (
    DEPARTMENT_COLUMNS,
    DEPARTMENT_SHEET,
    KIND_NOT_IN_ROSTER,
    NOT_REPORTED_COLUMNS,
    NOT_REPORTED_SHEET,
    STATUS_FAILED,
    STATUS_NO_LINES,
    STATUS_REPORTED,
)
from rvubench.batch.run import (
    BatchOptions,
    ClinicianTask,
    RosterEntry,
    report_clinician,
    run_batch,
    unique_stems,
)
from rvubench.cli import cli
from rvubench.report.xlsx import header_label

REPO = Path(__file__).resolve().parents[2]
SAMPLE_LOG = REPO / "sample_data" / "department.csv"
SAMPLE_ROSTER = REPO / "sample_data" / "department_roster.csv"

LOG = """provider_id,date_of_service,hcpcs,modifiers,units,pos
C3,2026-01-05,99213,,1,11
A1,2026-04-06,99213,,1,11
A1,2026-05-11,99213,,1,11
A1,2026-06-15,99214,,1,11
B2,2026-04-07,99214,,1,11
C3,2026-04-08,99213,,1,11
Z9,2026-04-09,99214,,1,11
"""
ROSTER = """provider_id,name,specialty,clinical_fte,total_fte,total_compensation,locality
A1,"Avery Holt, MD",Family Medicine,1.0,1.0,262000,
B2,Blake Moreno/DO,Family Medicine,0.8,0.8,205000,01182-18
C3,Casey Unknown,Unknownology,1.0,1.0,250000,
N4,Noel Nolines,Internal Medicine,1.0,1.0,270000,
"""


@pytest.fixture
def small(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text(LOG)
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    return log, roster, tmp_path / "out"


def department_rows(path: Path, sheet: str = DEPARTMENT_SHEET) -> dict[str, dict]:
    ws = load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    names = [
        c[0] for c in (DEPARTMENT_COLUMNS if sheet == DEPARTMENT_SHEET else NOT_REPORTED_COLUMNS)
    ]
    tidy = {header_label(n): n for n in names}  # readable headers back to the tidy names
    header = tuple(tidy.get(h, h) for h in rows[0])
    key = "provider_id"
    return {r[header.index(key)]: dict(zip(header, r, strict=True)) for r in rows[1:]}


def test__batch_cli__failure_is_isolated_and_exit_code_is_1(small):
    log, roster, out = small
    result = CliRunner().invoke(
        cli,
        ["batch", str(log), "--roster", str(roster), "--out", str(out), "--period", "2026Q2",
         "--format", "xlsx", "--jobs", "2", "--json"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert summary["clinicians_failed"] == 1 and summary["clinicians_reported"] == 2
    assert summary["failures"][0]["provider_id"] == "C3"
    # department payment: A1 32599 + B2 14889 + C3 9519 = 57007 cents
    assert summary["payment_total"] == pytest.approx(570.07)
    # the failed clinician is named with its reason on stderr; progress lines are plain
    assert "FAILED C3:" in result.stderr and "Unknownology" in result.stderr
    assert "[3/3]" in result.stderr
    # where the time went, one line, its parts adding up to the total it states
    (line,) = [t for t in result.stderr.splitlines() if t.startswith("time: ")]
    numbers = [float(x) for x in re.findall(r"(\d+\.\d) s", line)]
    assert "reading and pricing" in line and "department files" in line and len(numbers) == 4
    assert numbers[0] == pytest.approx(sum(numbers[1:]), abs=0.15)  # each part rounded to 0.1
    # the others completed
    assert (out / "A1_Avery_Holt_MD.xlsx").is_file()
    assert (out / "B2_Blake_Moreno_DO.xlsx").is_file()  # "/" made safe
    assert not list(out.glob("C3*"))
    rows = department_rows(out / "department.xlsx")
    a, b, c, n = rows["A1"], rows["B2"], rows["C3"], rows["N4"]
    assert a["status"] == STATUS_REPORTED and b["status"] == STATUS_REPORTED
    # A1: 2 x 1.30 + 1.92 = 4.52 wRVU; 2 x 9519 + 13561 = 32599 cents; x 365/91 = 18.1297
    assert a["wrvu_total"] == pytest.approx(4.52) and a["payment_total"] == pytest.approx(325.99)
    assert a["wrvu_annualized"] == pytest.approx(18.1297, abs=1e-4)
    assert isinstance(a["wrvu_percentile"], float | str)  # benchmarked
    # B2 in Los Angeles from its roster locality: 1 x 99214 = 14889 cents; FTE 0.8:
    # 1.92 x 365/91 = 7.7011 annualized, / 0.8 = 9.6264 FTE-adjusted
    assert b["payment_total"] == pytest.approx(148.89)
    assert b["wrvu_fte_adjusted"] == pytest.approx(9.6264, abs=1e-4)
    # C3 failed but its lines still count: 1 x 99213 in 2026Q2 = 1.30 wRVU
    assert c["status"] == STATUS_FAILED and "Unknownology" in c["reason"]
    assert c["wrvu_total"] == pytest.approx(1.30) and c["wrvu_percentile"] is None
    assert n["status"] == STATUS_NO_LINES and n["lines"] == 0
    listed = {(r[0], r[1]) for r in load_workbook(out / "department.xlsx")[NOT_REPORTED_SHEET]
              .iter_rows(min_row=2, values_only=True)}  # fmt: skip
    assert listed == {(STATUS_FAILED, "C3"), (STATUS_NO_LINES, "N4"), (KIND_NOT_IN_ROSTER, "Z9")}


def test__run_batch__trend_uses_the_department_log_coverage(small):
    log, roster, out = small
    outcome = run_batch(
        BatchOptions(logs=(log,), roster=roster, out_dir=out, period="2026Q2", jobs=1,
                     formats=("xlsx",))
    )  # fmt: skip
    assert outcome.exit_code == 1 and outcome.failures[0][0] == "C3"
    ws = load_workbook(out / "A1_Avery_Holt_MD.xlsx")["Quarterly Trend"]
    rows = {
        r[1]: r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "previous quarter"
    }
    # the department log starts 2026-01-05 (C3): 2026Q1 is covered, and A1 had no lines then
    assert rows["2026Q1"][4] == "yes" and rows["2026Q1"][5] == 0
    assert rows["2025Q4"][4] == "no"


def test__run_batch__any_executor(small):
    log, roster, out = small
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcome = run_batch(
            BatchOptions(logs=(log,), roster=roster, out_dir=out, period="2026Q2",
                         formats=("xlsx",)),
            executor=pool,
        )  # fmt: skip
    statuses = {r.provider_id: r.status for r in outcome.department.rows}
    assert statuses == {"A1": STATUS_REPORTED, "B2": STATUS_REPORTED, "C3": STATUS_FAILED,
                        "N4": STATUS_NO_LINES}  # fmt: skip


class _DyingExecutor(Executor):
    """Every task's worker 'dies' (as a killed process would)."""

    def submit(self, fn, /, *args, **kwargs):
        fut: Future = Future()
        fut.set_exception(RuntimeError("worker process terminated abruptly"))
        return fut


def test__run_batch__worker_death_fails_only_that_clinician(small):
    log, roster, out = small
    outcome = run_batch(
        BatchOptions(logs=(log,), roster=roster, out_dir=out, period="2026Q2", formats=("xlsx",)),
        executor=_DyingExecutor(),
    )
    assert outcome.exit_code == 1
    assert {p for p, _ in outcome.failures} == {"A1", "B2", "C3"}
    assert all("worker failed" in reason for _, reason in outcome.failures)
    assert (out / "department.xlsx").is_file()  # the department files are still written


def test__report_clinician__an_unexpected_error_becomes_a_reason(tmp_path):
    from rvubench.benchmarks.periods import parse_period
    from rvubench.pricing.settings import PricingSettings

    task = ClinicianTask(
        clinician=RosterEntry("Q1", "", "Family Medicine", 1.0, 1.0, None, ""),
        priced=pd.DataFrame({"hcpcs": ["99213"]}),  # no dates: broken
        period=parse_period("2026Q2"), settings=PricingSettings(), out_dir=tmp_path, stem="Q1",
        formats=("xlsx",), benchmark_table=None, templates=None, kind="productivity",
        coverage=None,
    )  # fmt: skip
    result = report_clinician(task)
    assert not result.ok and result.provider_id == "Q1"
    assert result.reason.startswith("KeyError: 'date_of_service'")


def test__unique_stems__safe_and_unique():
    entries = [
        RosterEntry("A/1", "Ana Núñez", "x", 1.0, 1.0, None, ""),
        RosterEntry("A 1", "Ana Nunez", "x", 1.0, 1.0, None, ""),
        RosterEntry("../..", "", "x", 1.0, 1.0, None, ""),
        RosterEntry("department", "", "x", 1.0, 1.0, None, ""),
    ]
    stems = unique_stems(entries)
    assert stems["A/1"] == "A_1_Ana_Nunez" and stems["A 1"] == "A_1_Ana_Nunez-2"
    assert stems["../.."] == "clinician" and stems["department"] == "department-2"


def test__batch_cli__bad_options_are_usage_errors(small):
    log, roster, out = small
    args = ["batch", str(log), "--roster", str(roster), "--out", str(out)]
    bad_format = CliRunner().invoke(cli, [*args, "--format", "docx"])
    assert bad_format.exit_code == 2 and "pdf, xlsx" in bad_format.output
    bad_period = CliRunner().invoke(cli, [*args, "--period", "2026Q5"])
    assert bad_period.exit_code == 2 and "2026Q2 (quarter)" in bad_period.output
    assert CliRunner().invoke(cli, [*args, "--jobs", "0"]).exit_code == 2


def _sample_priced_wrvus(period_start: str, period_end: str) -> pd.Series:
    """Independent of the batch: read, price, keep the period, sum by provider."""
    from rvubench.feeschedule.cms import load_fee_schedules
    from rvubench.ingest.log import read_log
    from rvubench.pricing.engine import price_lines
    from rvubench.pricing.settings import PricingSettings

    lines = read_log(SAMPLE_LOG).lines
    roster = pd.read_csv(SAMPLE_ROSTER, dtype=str).fillna("")
    localities = dict(zip(roster["provider_id"], roster["locality"], strict=True))
    lines["locality"] = lines["provider_id"].map(localities).fillna("")
    priced = price_lines(lines, load_fee_schedules(), PricingSettings())
    inside = priced["date_of_service"].between(period_start, period_end)
    usable = priced[inside & priced["outcome"].ne("rejected")]
    return usable.groupby("provider_id")["wrvu_credit"].sum()


@pytest.mark.slow
def test__batch_cli__bundled_department_sample(tmp_path):
    out = tmp_path / "dept"
    result = CliRunner().invoke(
        cli,
        ["batch", str(SAMPLE_LOG), "--roster", str(SAMPLE_ROSTER), "--out", str(out), "--json"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    # default period: the log runs 2026-01-02..2026-09-30, so the latest full quarter is 2026Q3
    assert summary["period"] == "2026Q3"
    assert (out / "department.pdf").is_file() and (out / "department.xlsx").is_file()
    rows = department_rows(out / "department.xlsx")
    roster = pd.read_csv(SAMPLE_ROSTER, dtype=str)
    assert set(rows) == set(roster["provider_id"])
    expected = _sample_priced_wrvus("2026-07-01", "2026-09-30")
    for pid, r in rows.items():
        if r["status"] == STATUS_NO_LINES:
            assert pid not in expected.index
            continue
        assert r["status"] == STATUS_REPORTED, (pid, r["reason"])
        assert r["wrvu_total"] == pytest.approx(expected[pid], abs=5e-4), pid
        for name in r["outputs"].split(", "):
            assert (out / name).is_file() and (out / name).stat().st_size > 0
        assert {Path(n).suffix for n in r["outputs"].split(", ")} == {".pdf", ".xlsx"}
    # the provider in the log but not in the roster is listed
    strays = [r for r in load_workbook(out / "department.xlsx")[NOT_REPORTED_SHEET]
              .iter_rows(min_row=2, values_only=True) if r[0] == KIND_NOT_IN_ROSTER]  # fmt: skip
    assert len(strays) == 1 and strays[0][1] in expected.index
    assert strays[0][5] == pytest.approx(expected[strays[0][1]], abs=5e-4)


def test__progress__bar_on_a_terminal_plain_lines_otherwise(capsys):
    from rvubench.cli.batch import _Progress

    plain = _Progress()
    plain.tty = False
    plain(1, 2, "A1", "done")
    plain(2, 2, "C3", "FAILED")
    assert capsys.readouterr().err == "[1/2] A1 done\n[2/2] C3 FAILED\n"
    bar = _Progress()
    bar.tty = True
    bar(1, 2, "A1", "done")
    bar(2, 2, "B2", "done")
    bar.close()
    assert "Clinician reports" in capsys.readouterr().err


def test__batch_cli__templates_folder_without_department_template(small, tmp_path):
    import shutil

    from rvubench.resources import templates_dir

    log, roster, out = small
    mine = tmp_path / "templates"
    shutil.copytree(templates_dir(), mine)
    (mine / "department.html.j2").unlink()
    result = CliRunner().invoke(
        cli,
        ["batch", str(log), "--roster", str(roster), "--out", str(out), "--templates", str(mine)],
    )
    assert result.exit_code == 2
    assert "'department.html.j2' not found" in result.stderr
    assert not out.exists()  # failed before any work


def test__run_batch__folder_of_logs(small, tmp_path):
    _, roster, out = small
    folder = tmp_path / "logs"
    folder.mkdir()
    header, *body = LOG.strip().splitlines()
    (folder / "a.csv").write_text("\n".join([header, *body[:3]]) + "\n")
    (folder / "b.csv").write_text("\n".join([header, *body[3:]]) + "\n")
    outcome = run_batch(
        BatchOptions(logs=(folder,), roster=roster, out_dir=out, period="2026Q2", jobs=1,
                     formats=("xlsx",))
    )  # fmt: skip
    assert outcome.department.sources == ["a.csv", "b.csv"]
    a1 = next(r for r in outcome.department.rows if r.provider_id == "A1")
    # A1's three lines are split over both files: 4.52 wRVU, 32599 cents as in one log
    assert a1.wrvu_total == pytest.approx(4.52) and a1.payment_cents == 32599
