"""benchmark_clinician: annualization, FTE, compensation, alignment gap, targets, warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rvubench.benchmarks.compensation import BasePlusIncentive, Tiered
from rvubench.benchmarks.periods import parse_period
from rvubench.benchmarks.tables import benchmark_clinician, load_benchmarks
from rvubench.errors import SpecialtyNotFound, UsageProblem

TIDY = Path(__file__).parents[1] / "data" / "benchmarks" / "tidy_small.csv"
WIDE = Path(__file__).parents[1] / "data" / "benchmarks" / "wide_small.csv"

# Fixture "Test Specialty" National 2025:
#   wrvu     p10 3000  p25 3800  p50 4800  p75 6000  p90 7500
#   comp     p10 200k  p25 250k  p50 300k  p75 360k  p90 450k
#   comp/wRVU p10 45   p25 52    p50 60    p75 70    p90 82


@pytest.fixture(scope="module")
def quarter_result():
    return benchmark_clinician(
        wrvu_total=1000,
        period=parse_period("2026Q2"),
        specialty="test specialty",
        table=load_benchmarks(TIDY),
        clinical_fte=0.8,
        total_compensation=240000,
        comp_model=[Tiered([(0, 45), (4000, 55)]), BasePlusIncentive(150000, 3000, 50)],
    )


def test__quarter_is_annualized_by_365_over_91_and_fte_08(quarter_result):
    r = quarter_result
    assert (r.period_days, r.period_label) == (91, "2026Q2")
    assert r.annualization_factor == pytest.approx(365 / 91)
    # 1,000 x 365/91 = 4,010.98901...; / 0.8 = 5,013.73626...
    assert r.wrvu_annualized == 4010.989
    assert r.wrvu_fte_adjusted == 5013.7363
    # p50-p75 band: 50 + 25 x (5,013.736 - 4,800) / 1,200 = 54.4528...
    assert r.wrvu_percentile.value == pytest.approx(54.452839, abs=1e-6)
    assert r.wrvu_percentile.label == "54.5"
    assert r.total_fte == 0.8  # defaults to the clinical FTE


def test__compensation_is_annual_divided_by_total_fte(quarter_result):
    r = quarter_result
    # 240,000 annual / 0.8 = 300,000 = p50 exactly (not annualized again for the quarter)
    assert r.compensation_fte_adjusted == 300000.0
    assert r.compensation_percentile.value == 50.0
    # gap = 50 - 54.452839 = -4.452839
    assert r.alignment_gap == pytest.approx(-4.452839, abs=1e-6)


def test__comp_per_wrvu_percentile_comes_from_its_own_row(quarter_result):
    r = quarter_result
    # (240,000 / 0.8) / (4,010.989 / 0.8) = 240,000 / 4,010.989 = 59.8356 -> $59.84
    assert r.compensation_per_wrvu == 59.84
    # ratio row, p25-p50 band: 25 + 25 x (59.83562 - 52) / 8 = 49.4863
    assert r.compensation_per_wrvu_percentile.value == pytest.approx(49.486301, abs=1e-6)
    # (dividing medians would say 300,000 / 4,800 = $62.50, i.e. 56.25: not what we report)
    assert r.compensation_per_wrvu_percentile.value != pytest.approx(56.25, abs=0.5)


def test__implied_compensation_scenarios_and_targets(quarter_result):
    r = quarter_result
    # annualized wRVUs as worked (4,010.989) x the ratio row's p25/p50/p75/p90
    assert [(i.percentile, i.compensation_cents) for i in r.implied_compensation] == [
        (25, 20857143),
        (50, 24065934),
        (75, 28076923),
        (90, 32890110),
    ]
    tiered, base = r.scenarios
    # 4,000 x 45 + 10.989011 x 55 = 180,000 + 604.3956 = 180,604.40 (crosses the 4,000 threshold)
    assert tiered.compensation_cents == 18060440
    # 150,000 + (4,010.989 - 3,000) x 50 = 150,000 + 50,549.45 = 200,549.45
    assert base.compensation_cents == 20054945
    # scenario per total FTE: 180,604.40 / 0.8 = 225,755.50 -> p10-p25 band of comp:
    # 10 + 15 x 25,755.50 / 50,000 = 17.72665
    assert tiered.compensation_fte_adjusted == 225755.5
    assert tiered.compensation_percentile == pytest.approx(17.72665, abs=1e-6)
    # targets: p50 4,800 x 0.8 x 91/365 = 957.37 (already reached: 0 more);
    # p75 6,000 -> 1,196.7123 (196.7123 more); p90 7,500 -> 1,495.8904
    t = {x.percentile: x for x in r.targets}
    assert t[50].period_wrvus_needed == 957.3699 and t[50].additional_wrvus == 0.0
    assert t[75].period_wrvus_needed == 1196.7123 and t[75].additional_wrvus == 196.7123
    assert t[90].annual_fte_wrvus == 7500 and t[90].period_wrvus_needed == 1495.8904


def test__to_dict_is_json_safe_with_interface_keys(quarter_result):
    d = json.loads(json.dumps(quarter_result.to_dict()))
    for key in (
        "specialty",
        "period_start",
        "period_end",
        "annualization_factor",
        "clinical_fte",
        "total_fte",
        "wrvu_total",
        "wrvu_annualized",
        "wrvu_fte_adjusted",
        "wrvu_percentile",
        "total_compensation",
        "compensation_percentile",
        "compensation_per_wrvu",
        "compensation_per_wrvu_percentile",
        "alignment_gap",
    ):
        assert key in d
    assert d["period_start"] == "2026-04-01" and d["data_year"] == 2024
    assert d["rows"]["wrvu"]["percentiles"]["p50"] == 4800
    assert d["implied_compensation"][0]["compensation"] == 208571.43
    assert d["scenarios"][0]["compensation"] == 180604.4


def test__outside_range_gives_labels_and_no_gap():
    r = benchmark_clinician(
        wrvu_total=2500,
        period=parse_period("2026"),
        specialty="Test Specialty",
        table=load_benchmarks(TIDY),
        total_compensation=500000,
    )
    assert r.wrvu_percentile.label == "below p10"
    assert r.compensation_percentile.label == "above p90"
    assert r.alignment_gap is None
    # 500,000 / 2,500 = $200 per wRVU, above p90 82
    assert (
        r.compensation_per_wrvu == 200.0 and r.compensation_per_wrvu_percentile.label == "above p90"
    )
    d = r.to_dict()
    assert (d["wrvu_percentile"], d["compensation_percentile"]) == ("below p10", "above p90")


def test__warnings_short_period_low_fte_illustrative():
    r = benchmark_clinician(
        wrvu_total=300,
        period=parse_period("2026-06-01:2026-06-14"),
        specialty="family medicine",
        table=load_benchmarks(),
        clinical_fte=0.4,
        total_fte=0.45,
    )
    w = " | ".join(r.warnings)
    assert "only 14 days (under 28)" in w
    assert "clinical FTE 0.4 is below 0.5" in w and "total FTE 0.45 is below 0.5" in w
    assert "ILLUSTRATIVE benchmark" in w
    assert r.illustrative is True
    # a full quarter at FTE 1.0 from a non-illustrative table: no warnings
    clean = benchmark_clinician(
        wrvu_total=1000,
        period=parse_period("2026Q2"),
        specialty="Test Specialty",
        table=load_benchmarks(TIDY),
    )
    assert clean.warnings == [] and clean.total_compensation is None
    assert clean.compensation_percentile is None and clean.compensation_per_wrvu is None


def test__missing_metric_is_a_note_not_an_error():
    r = benchmark_clinician(
        wrvu_total=1250,
        period=parse_period("2026Q1"),
        specialty="OB-GYN general",
        table=load_benchmarks(TIDY),
        total_compensation=300000,
    )
    # 1,250 x 365/90 = 5,069.444; p50-p75 band (5,000-6,000): 50 + 25 x 69.444/1,000 = 51.736
    assert r.wrvu_percentile.value == pytest.approx(51.736111, abs=1e-6)
    assert r.compensation_percentile is None
    assert any("No total-compensation benchmark" in n for n in r.notes)
    # no p90 published: the p90 target is None rather than invented
    assert {t.percentile: t.period_wrvus_needed for t in r.targets}[90.0] is None


def test__wide_and_tidy_give_the_same_benchmark_result():
    kwargs = dict(
        wrvu_total=1000,
        period=parse_period("2026Q2"),
        specialty="Test Specialty",
        clinical_fte=0.8,
        total_compensation=240000,
    )
    a = benchmark_clinician(table=load_benchmarks(TIDY), **kwargs).to_dict()
    b = benchmark_clinician(table=load_benchmarks(WIDE), **kwargs).to_dict()
    for d in (a, b):
        d.pop("benchmark_file")
        for row in d["rows"].values():
            row.pop("n_providers")
            row.pop("mean")  # the wide fixture publishes no mean
    assert a == b


def test__bad_inputs():
    t = load_benchmarks(TIDY)
    q = parse_period("2026Q2")
    with pytest.raises(UsageProblem, match="clinical FTE must be above 0"):
        benchmark_clinician(
            wrvu_total=1, period=q, specialty="Test Specialty", table=t, clinical_fte=0
        )
    with pytest.raises(SpecialtyNotFound, match="close matches: Test Specialty"):
        benchmark_clinician(wrvu_total=1, period=q, specialty="Test Spec", table=t)


def test__region_and_year_are_carried_through():
    r = benchmark_clinician(
        wrvu_total=4900,
        period=parse_period("2025"),
        specialty="Test Specialty",
        table=load_benchmarks(TIDY),
        region="WEST",
    )
    assert (r.region, r.survey_year, r.data_year, r.wrvu_percentile.value) == (
        "West",
        2025,
        2024,
        50.0,
    )
    old = benchmark_clinician(
        wrvu_total=4700,
        period=parse_period("2025"),
        specialty="Test Specialty",
        table=load_benchmarks(TIDY),
        survey_year=2024,
    )
    assert (old.survey_year, old.data_year, old.wrvu_percentile.value) == (2024, 2023, 50.0)


def test__source_lists_each_distinct_row_source_once():
    q = parse_period("2026Q2")
    gi = benchmark_clinician(
        wrvu_total=2000, period=q, specialty="Gastroenterology", table=load_benchmarks()
    )
    # the bundled sample is one fictional edition: one source on every row, listed once
    edition = "rvubench illustrative sample, fictional 2026 edition (2025 data)"
    assert gi.source == edition
    ir = benchmark_clinician(
        wrvu_total=2000, period=q, specialty="Interventional Radiology", table=load_benchmarks()
    )
    assert ir.source == edition
    assert (ir.survey_year, ir.data_year) == (2026, 2025)
