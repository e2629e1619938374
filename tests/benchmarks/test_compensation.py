"""Compensation models, implied compensation and wRVU targets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rvubench.benchmarks.compensation import (
    BasePlusIncentive,
    FlatRate,
    Tiered,
    implied_compensation,
    parse_comp_model,
    wrvus_for_percentile,
)
from rvubench.benchmarks.periods import parse_period
from rvubench.benchmarks.tables import BenchmarkRow
from rvubench.errors import UsageProblem


def _row(anchors, metric="compensation_per_wrvu"):
    return BenchmarkRow(
        specialty="X",
        metric=metric,
        region="National",
        survey_year=2025,
        data_year=2024,
        source="t",
        anchors=list(anchors),
    )


RATIO = _row([(10, 45.0), (25, 52.0), (50, 60.0), (75, 70.0), (90, 82.0)])
WRVU = _row([(10, 3000.0), (25, 3800.0), (50, 4800.0), (75, 6000.0), (90, 7500.0)], "wrvu")


def test__flat_rate():
    # 1234.5678 x 55.50 = 68,518.5129 -> $68,518.51
    assert FlatRate(55.5).apply(1234.5678).compensation_cents == 6851851
    assert FlatRate(50).apply(0).compensation_cents == 0


@pytest.mark.parametrize(
    ("wrvus", "cents"),
    [
        (4000, 16000000),  # 4,000 x 40 = 160,000 (first tier only)
        (5000, 20000000),  # exactly on the threshold: 5,000 x 40
        (6000, 25000000),  # 5,000 x 40 + 1,000 x 50 = 200,000 + 50,000
        (8000, 36000000),  # 200,000 + 2,000 x 50 + 1,000 x 60 = 200,000 + 100,000 + 60,000
        (5000.5, 20002500),  # 200,000 + 0.5 x 50 = 200,025
    ],
)
def test__tiered_is_marginal_across_thresholds(wrvus, cents):
    model = Tiered([(0, 40), (5000, 50), (7000, 60)])
    assert model.apply(wrvus).compensation_cents == cents


def test__tiered_breakdown_and_first_threshold_above_zero():
    out = Tiered([(0, 40), (5000, 50)]).apply(6000)
    assert [(t.from_wrvu, t.to_wrvu, t.wrvus, t.amount_cents) for t in out.breakdown] == [
        (0.0, 5000.0, 5000.0, 20000000),
        (5000.0, None, 1000.0, 5000000),
    ]
    # wRVUs below the first threshold earn nothing: (4,000 - 3,000) x 50 = 50,000
    assert Tiered([(3000, 50)]).apply(4000).compensation_cents == 5000000
    assert "for 0-5,000" in Tiered([(0, 40), (5000, 50)]).describe()


def test__base_plus_incentive():
    model = BasePlusIncentive(250000, 5000, 50)
    assert model.apply(6200).compensation_cents == 31000000  # 250,000 + 1,200 x 50
    assert model.apply(4000).compensation_cents == 25000000  # below threshold: base only


def test__bad_models_are_usage_problems():
    with pytest.raises(UsageProblem, match="must increase"):
        Tiered([(5000, 50), (4000, 60)])
    with pytest.raises(UsageProblem, match=">= 0"):
        FlatRate(-1)
    with pytest.raises(UsageProblem, match="at least one"):
        Tiered([])


def test__parse_comp_model():
    assert parse_comp_model("flat:55") == FlatRate(55.0)
    assert parse_comp_model("tiered:0=45, 5000=50,7000=$55") == Tiered(
        [(0.0, 45.0), (5000.0, 50.0), (7000.0, 55.0)]
    )
    assert parse_comp_model("base:250000,5000,50") == BasePlusIncentive(250000.0, 5000.0, 50.0)
    with pytest.raises(UsageProblem, match="not understood; write flat:RATE"):
        parse_comp_model("salary:1")


@given(st.floats(0, 50000), st.floats(0, 50000))
def test__models_never_decrease_with_more_wrvus(a, b):
    lo, hi = sorted((a, b))
    for model in (
        FlatRate(51.25),
        Tiered([(0, 40), (5000, 50), (7000, 60)]),
        BasePlusIncentive(1e5, 4000, 45),
    ):
        assert model.apply(lo).compensation_cents <= model.apply(hi).compensation_cents


@given(st.floats(0, 50000))
def test__tiered_with_one_rate_equals_flat(w):
    assert (
        Tiered([(0, 47.5)]).apply(w).compensation_cents
        == FlatRate(47.5).apply(w).compensation_cents
    )


def test__implied_compensation_at_survey_ratios():
    annual = Decimal(1000) * 365 / 91  # 4,010.989010989...
    got = implied_compensation(annual, RATIO)
    assert [(i.percentile, i.rate, i.compensation_cents) for i in got] == [
        (25, 52.0, 20857143),  # 4,010.98901 x 52 = 208,571.4286 -> 208,571.43
        (50, 60.0, 24065934),  # x 60 = 240,659.3407 -> 240,659.34
        (75, 70.0, 28076923),  # x 70 = 280,769.2308 -> 280,769.23
        (90, 82.0, 32890110),  # x 82 = 328,901.0989 -> 328,901.10
    ]
    # p25 not published: interpolated between p10 45 and p50 60: 45 + 15 x 15/40 = 50.625
    partial = implied_compensation(1000, _row([(10, 45.0), (50, 60.0), (75, 70.0)]))
    assert [(i.percentile, i.rate, i.interpolated) for i in partial] == [
        (25, 50.625, True),
        (50, 60.0, False),
        (75, 70.0, False),
    ]  # p90 is above the published range: skipped


def test__wrvus_for_percentile_quarter_fte_08():
    q2 = parse_period("2026Q2")
    # p75 6,000 x 0.8 / (365/91) = 4,800 x 91 / 365 = 1,196.7123...
    assert wrvus_for_percentile(75, WRVU, 0.8, q2) == pytest.approx(1196.712328767, abs=1e-6)
    assert wrvus_for_percentile(75, WRVU, 0.8, q2.annualization_factor) == pytest.approx(
        1196.712328767, abs=1e-6
    )
    # p62.5 = 5,400 -> 5,400 x 1.0 / 1 for a year
    assert wrvus_for_percentile(62.5, WRVU, 1.0, parse_period("2026")) == pytest.approx(5400)
    assert wrvus_for_percentile(95, WRVU, 1.0, 1) is None
