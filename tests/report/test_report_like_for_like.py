"""Like-for-like benchmarking end to end: the wRVU percentile uses the lines
credited on the benchmark's data-year RVUs.

The bundled sample table is a (nominal) 2026 survey of 2025 work: data_year 2025.
RVU25D vs RVU26C work RVUs: 27447 19.60 -> 19.11, 27130 19.60 -> 19.11, 99213 1.30 -> 1.30.
Orthopedic Surgery wRVU anchors of the sample: p10 5200, p25 6600, p50 8300, p75 10300, p90 12800.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from rvubench.cli import cli

LOG = """provider_id,date_of_service,hcpcs,modifiers,units,pos
OR-1,2026-07-06,27447,,1,21
OR-1,2026-07-07,27130,,1,21
OR-1,2026-07-08,99213,,1,11
"""


def _run(tmp_path, *extra):
    log = tmp_path / "or.csv"
    log.write_text(LOG, encoding="utf-8")
    args = ["report", str(log), "--out", str(tmp_path / "out"), "--specialty",
            "Orthopedic Surgery", "--period", "2026Q3", "--clinical-fte", "0.02",
            "--format", "xlsx", "--json", *extra]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test__percentile_on_like_for_like_wrvus(tmp_path):
    s = _run(tmp_path)
    # credited on 2026 RVUs: 19.11 + 19.11 + 1.30 = 39.52; on 2025 RVUs: 19.60 + 19.60 + 1.30
    assert s["wrvu_total"] == 39.52
    assert s["wrvu_like_for_like"] == 40.50 and s["like_for_like_rvu_year"] == 2025
    # 2026Q3 = 92 days: 40.50 x 365/92 = 160.679348 per year; / clinical FTE 0.02 = 8033.967
    # between p25 6600 and p50 8300: 25 + 25 x (8033.967 - 6600) / 1700 = 46.088
    assert s["wrvu_percentile"] == pytest.approx(46.088, abs=0.001)


def test__no_like_for_like_uses_the_credited_figure(tmp_path):
    s = _run(tmp_path, "--no-like-for-like")
    assert "wrvu_like_for_like" not in s
    # 39.52 x 365/92 / 0.02 = 7839.565; 25 + 25 x (7839.565 - 6600) / 1700 = 43.229
    assert s["wrvu_percentile"] == pytest.approx(43.229, abs=0.001)


def test__pay_models_use_credited_wrvus_implied_pay_uses_like_for_like(tmp_path):
    import openpyxl

    _run(tmp_path, "--comp-model", "flat:100")
    wb = openpyxl.load_workbook(tmp_path / "out" / "OR-1.xlsx", read_only=True)
    rows = {(r[0], r[1]): r[2] for r in wb["Compensation"].iter_rows(values_only=True)}
    # a pay plan pays on credited wRVUs: 39.52 x 365/92 = 156.791304 x $100 = $15,679.13
    assert rows[("scenario", "flat: Flat $100 per wRVU")] == 15679.13
    # survey rates apply to survey-year (2025) wRVUs: 40.50 x 365/92 = 160.679348 x p50 rate
    p50 = rows[("implied_compensation", "p50 compensation-per-wRVU rate")]
    assert round(p50 / 160.679348, 2) == 76.0  # Orthopedic Surgery sample comp/wRVU p50 $76.00
