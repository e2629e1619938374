"""`batch --scheduler`: clinicians run on a dask.distributed cluster (a LocalCluster here,
one in-process worker with one thread, to spare the CPU) and the department comes out as
with ``--jobs 1``: the same rows, totals, statuses and files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

pytest.importorskip("distributed")

from distributed import LocalCluster  # noqa: E402

from rvubench.batch.department import STATUS_NO_LINES, STATUS_REPORTED  # noqa: E402
from rvubench.batch.run import BatchOptions, run_batch  # noqa: E402
from rvubench.cli import cli  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
# three roster clinicians of the bundled department (one in Los Angeles, 01182-18) and one
# roster clinician without lines
KEEP = ("FM-3001", "DR-3402", "GS-3201")


@pytest.fixture(scope="module")
def department(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dept")
    log = pd.read_csv(REPO / "sample_data" / "department.csv", dtype=str, keep_default_na=False)
    log = log[
        log["provider_id"].isin(KEEP) & log["date_of_service"].between("2026-04-01", "2026-06-30")
    ]
    log.to_csv(folder / "log.csv", index=False)
    roster = pd.read_csv(
        REPO / "sample_data" / "department_roster.csv", dtype=str, keep_default_na=False
    )
    roster = roster[roster["provider_id"].isin([*KEEP, "IM-3103"])]
    roster.to_csv(folder / "roster.csv", index=False)
    return folder, len(log)


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as c:
        yield c


def _run(folder: Path, out: str, **kw):
    return run_batch(BatchOptions(logs=(folder / "log.csv",), roster=folder / "roster.csv",
                                  out_dir=folder / out, period="2026Q2", formats=("xlsx",),
                                  **kw))  # fmt: skip


def test__batch_on_a_local_cluster_equals_jobs_1(department, cluster):
    folder, n_lines = department
    local = _run(folder, "local", jobs=1)
    dask = _run(folder, "dask", scheduler=cluster.scheduler_address)
    assert dask.department.totals == local.department.totals
    assert [dataclasses.asdict(r) for r in dask.department.rows] == [
        dataclasses.asdict(r) for r in local.department.rows
    ]
    assert dask.department.not_reported == local.department.not_reported
    statuses = {r.provider_id: r.status for r in dask.department.rows}
    assert statuses == {
        "FM-3001": STATUS_REPORTED,
        "DR-3402": STATUS_REPORTED,
        "GS-3201": STATUS_REPORTED,
        "IM-3103": STATUS_NO_LINES,
    }
    assert local.department.totals.lines == n_lines  # every line of the quarter counted
    assert local.department.totals.wrvu_total > 0
    assert sorted(p.name for p in (folder / "dask").iterdir()) == sorted(
        p.name for p in (folder / "local").iterdir()
    )
    assert dask.exit_code == local.exit_code == 0


def test__batch_cli_scheduler_option(department, cluster):
    folder, _ = department
    result = CliRunner().invoke(cli, [
        "batch", str(folder / "log.csv"), "--roster", str(folder / "roster.csv"),
        "--out", str(folder / "cli"), "--period", "2026Q2", "--format", "xlsx",
        "--scheduler", cluster.scheduler_address])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (folder / "cli" / "department.xlsx").is_file()


def test__unreachable_scheduler_is_a_usage_error(department):
    folder, _ = department
    result = CliRunner().invoke(cli, [
        "batch", str(folder / "log.csv"), "--roster", str(folder / "roster.csv"),
        "--out", str(folder / "bad"), "--period", "2026Q2", "--format", "xlsx",
        "--scheduler", "tcp://127.0.0.1:9"])  # fmt: skip
    assert result.exit_code == 2
    assert "Error: --scheduler tcp://127.0.0.1:9: cannot reach the dask scheduler" in (
        result.output
    )
