"""A batch clinician is benchmarked like-for-like exactly as `rvubench report` does it."""

from __future__ import annotations

import json

import openpyxl
from click.testing import CliRunner

from rvubench.batch.department import DEPARTMENT_COLUMNS
from rvubench.cli import cli
from rvubench.report.xlsx import header_label

# An orthopaedic surgeon's 2026Q3 (RVU26C work 19.11 for 27447/27130, RVU25D 19.60) and a
# family physician (99213: 1.30 both years, so like-for-like changes nothing for them).
LOG = """provider_id,date_of_service,hcpcs,modifiers,units,pos
OR-1,2026-07-06,27447,,1,21
OR-1,2026-07-07,27130,,1,21
OR-1,2026-07-08,99213,,1,11
FM-1,2026-07-08,99213,,1,11
"""
ROSTER = """provider_id,name,specialty,clinical_fte
OR-1,Ortho One,Orthopedic Surgery,0.02
FM-1,Family One,Family Medicine,0.02
"""


def test__batch_percentile_matches_report(tmp_path):
    (tmp_path / "log.csv").write_text(LOG, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "dept"
    r = runner.invoke(cli, ["batch", str(tmp_path / "log.csv"), "--roster",
                            str(tmp_path / "roster.csv"), "--out", str(out), "--period",
                            "2026Q3", "--format", "xlsx", "--jobs", "1"])  # fmt: skip
    assert r.exit_code == 0, r.output
    rep = runner.invoke(cli, ["report", str(tmp_path / "log.csv"), "--provider", "OR-1",
                              "--specialty", "Orthopedic Surgery", "--clinical-fte", "0.02",
                              "--period", "2026Q3", "--out", str(tmp_path / "one"),
                              "--format", "xlsx", "--json"])  # fmt: skip
    assert rep.exit_code == 0, rep.output
    single = json.loads(rep.stdout)
    wb = openpyxl.load_workbook(out / "department.xlsx", read_only=True)
    rows = list(wb["Department"].iter_rows(values_only=True))
    tidy = {header_label(c[0]): c[0] for c in DEPARTMENT_COLUMNS}  # readable headers
    col = {tidy[name]: i for i, name in enumerate(rows[0])}
    ortho = next(row for row in rows[1:] if row[0] == "OR-1")
    # 40.50 wRVUs on 2025 RVUs (19.60 + 19.60 + 1.30) x 365/92 / 0.02 = 8033.967 ->
    # 25 + 25 x (8033.967 - 6600) / (8300 - 6600) = 46.088 (see test_report_like_for_like)
    assert single["wrvu_percentile"] == ortho[col["wrvu_percentile"]]
    assert round(ortho[col["wrvu_percentile"]], 3) == 46.088
    assert ortho[col["wrvu_total"]] == 39.52  # the credited total stays 19.11 + 19.11 + 1.30
