"""The built wheel carries everything `rvubench report` needs.

The wheel is built from this checkout (hatchling, no network: `--no-build-isolation`), unpacked
into a temporary folder and run from there with that folder first on the path, so the package,
its bundled CMS data, `report_templates/` and `benchmark/` (copied in by pyproject's
force-include) all come from the wheel and none from the source tree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory, repo_dir_module) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(repo_dir_module),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = dist.glob("rvubench-*.whl")
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    return site


@pytest.fixture(scope="module")
def repo_dir_module() -> Path:
    return Path(__file__).resolve().parents[2]


def test__wheel_holds_templates_benchmarks_and_cms_data(unpacked_wheel):
    pkg = unpacked_wheel / "rvubench"
    assert (pkg / "report_templates" / "report.html.j2").is_file()
    assert (pkg / "report_templates" / "department.html.j2").is_file()
    assert (pkg / "benchmark" / "sample_benchmarks.csv").is_file()
    assert (pkg / "benchmark" / "FORMAT.md").is_file()
    assert any((pkg / "data" / "cms").iterdir())


def test__report_runs_from_the_wheel(unpacked_wheel, repo_dir_module, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(unpacked_wheel)}
    probe = subprocess.run(
        [sys.executable, "-c", "import rvubench.resources as r; print(r.templates_dir())"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(probe.stdout.strip()).is_relative_to(unpacked_wheel)

    out = tmp_path / "out"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "rvubench",
            "report",
            str(repo_dir_module / "sample_data" / "family_medicine.csv"),
            "--out",
            str(out),
            "--specialty",
            "Family Medicine",
            "--compensation",
            "300000",
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    written = [Path(p) for p in summary["outputs"]]
    assert {p.suffix for p in written} == {".pdf", ".xlsx"}
    assert all(p.is_file() and p.stat().st_size > 0 for p in written)
