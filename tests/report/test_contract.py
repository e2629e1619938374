"""Contract page 1 and the fair-market-value signals, hand-computed from the bundled sample
benchmark table (benchmark/sample_benchmarks.csv), Interventional Radiology, National:

    wrvu                   p10 6,200  p25 7,600  p50 9,100   p75 10,900  p90 13,000
    total_compensation     p10 380,000 p25 445,000 p50 518,164 p75 600,000 p90 690,000
    compensation_per_wrvu  p10 44.00  p25 50.00  p50 57.00   p75 65.00   p90 75.00

The period is the calendar year 2026 (365 days: annualization factor 1), FTE 1.0, so the
annual wRVUs are the wRVUs given.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rvubench.benchmarks.compensation import parse_comp_model
from rvubench.benchmarks.periods import parse_period
from rvubench.benchmarks.tables import benchmark_clinician, load_benchmarks
from rvubench.report.contract import MODEL_NAMES, contract_page, fmv_signals
from rvubench.report.model import benchmark_section

YEAR = parse_period("2026")
TABLE = load_benchmarks(None)


def _section(wrvus: float, compensation: float | None, models=()):
    result = benchmark_clinician(
        wrvu_total=wrvus,
        period=YEAR,
        specialty="Interventional Radiology",
        table=TABLE,
        total_compensation=compensation,
        comp_model=[parse_comp_model(m) for m in models] or None,
    )
    return benchmark_section(result)


def _keys(section) -> list[str]:
    return [s.key for s in fmv_signals(section)]


def test__page1__figures_hand_computed():
    page = contract_page(_section(8000, 600000, ("flat:55", "base:250000,5000,50")), 600000)
    # current pay 600,000 = the p75 anchor -> 75th
    assert page.current_compensation == 600000
    assert page.compensation_percentile == 75.0
    # wRVUs 8,000 between p25 7,600 and p50 9,100: 25 + 25 x (8,000 - 7,600) / 1,500 = 31.6667
    assert page.wrvu_percentile == pytest.approx(31.666667, abs=1e-5)
    # compensation per wRVU 600,000 / 8,000 = 75.00 = the p90 anchor -> 90th
    assert page.compensation_per_wrvu == pytest.approx(75.0)
    assert page.compensation_per_wrvu_percentile == 90.0
    # supported pay: 8,000 x the survey rate; against current pay 600,000
    assert [(s.percentile, s.rate, s.compensation, s.difference) for s in page.supported] == [
        (25.0, 50.0, 400000.0, -200000.0),  # 8,000 x 50 = 400,000
        (50.0, 57.0, 456000.0, -144000.0),  # 8,000 x 57 = 456,000
        (75.0, 65.0, 520000.0, -80000.0),  # 8,000 x 65 = 520,000
        (90.0, 75.0, 600000.0, 0.0),  # 8,000 x 75 = 600,000
    ]
    flat, base = page.scenarios
    # flat $55: 8,000 x 55 = 440,000; -160,000 against current; $55.00 per wRVU;
    # 440,000 between p10 380,000 and p25 445,000: 10 + 15 x 60,000 / 65,000 = 23.846
    assert flat.name == MODEL_NAMES["flat"] == "Flat rate per wRVU"
    assert (flat.compensation, flat.difference, flat.per_wrvu) == (440000.0, -160000.0, 55.0)
    assert flat.percentile == pytest.approx(23.846154, abs=1e-5)
    # base 250,000 + 50 x (8,000 - 5,000) = 400,000; -200,000; 400,000 / 8,000 = $50.00;
    # 400,000 between p10 and p25: 10 + 15 x 20,000 / 65,000 = 14.615
    assert base.name == "Base salary plus productivity incentive"
    assert (base.compensation, base.difference, base.per_wrvu) == (400000.0, -200000.0, 50.0)
    assert base.percentile == pytest.approx(14.615385, abs=1e-5)
    # alignment gap 75 - 31.667 = 43.3 points; quadrant chart drawn
    assert page.alignment_gap == pytest.approx(43.333333, abs=1e-4)
    assert "<svg" in page.quadrant_svg and "this clinician" in page.quadrant_svg


def test__page1__without_compensation_states_no_difference():
    page = contract_page(_section(8000, None), None)
    assert page.current_compensation is None and page.compensation_percentile is None
    assert all(s.difference is None for s in page.supported)
    assert page.supported[1].compensation == 456000.0  # 8,000 x 57


def test__page1__none_without_benchmark():
    assert contract_page(None, 500000) is None


def test__signal__compensation_above_p90_and_its_absence():
    # 700,000 > p90 690,000 -> signal, with both figures stated
    signals = fmv_signals(_section(12000, 700000))
    hit = [s for s in signals if s.key == "comp_above_p90"]
    assert hit and "$700,000" in hit[0].text and "$690,000" in hit[0].text
    # exactly p90 is not above it
    assert "comp_above_p90" not in _keys(_section(12000, 690000))


def test__signal__rate_high_while_wrvus_low_and_its_absence():
    # 7,000 wRVUs < p25 7,600; 462,000 / 7,000 = $66.00 > p75 $65.00 -> above the 75th
    signals = {s.key: s.text for s in fmv_signals(_section(7000, 462000))}
    assert "rate_high_wrvu_low" in signals
    assert (
        "$66.00" in signals["rate_high_wrvu_low"]
        and "75th percentile ($65.00)" in signals["rate_high_wrvu_low"]
    )
    assert "7,000" in signals["rate_high_wrvu_low"] and "(7,600)" in signals["rate_high_wrvu_low"]
    # 532,000 / 7,000 = $76.00 > p90 $75.00 -> stated as above the 90th
    text = {s.key: s.text for s in fmv_signals(_section(7000, 532000))}["rate_high_wrvu_low"]
    assert "90th percentile ($75.00)" in text
    # 455,000 / 7,000 = $65.00: not above p75 -> absent
    assert "rate_high_wrvu_low" not in _keys(_section(7000, 455000))
    # $66.00 per wRVU but 7,600 wRVUs (= p25, not below) -> absent: 7,600 x 66 = 501,600
    assert "rate_high_wrvu_low" not in _keys(_section(7600, 501600))


def test__signal__pay_far_ahead_of_productivity_and_its_absence():
    # 8,000 wRVUs -> 31.67th; 600,000 -> 75th: 43.3 points ahead, pay above p50 -> signal
    assert "comp_far_above_productivity" in _keys(_section(8000, 600000))
    # 9,100 wRVUs -> 50th; 560,000 -> 50 + 25 x 41,836 / 81,836 = 62.78th: 12.8 points -> absent
    assert "comp_far_above_productivity" not in _keys(_section(9100, 560000))


def test__no_signal_for_pay_in_line_with_productivity():
    # 9,100 wRVUs (p50) paid 518,164 (p50): $56.94 per wRVU (below p75)
    assert fmv_signals(_section(9100, 518164)) == ()


@settings(max_examples=60, deadline=None)
@given(wrvus=st.floats(3000, 16000), comp=st.floats(200000, 900000))
def test__property__supported_pay_rises_with_the_rate_and_differences_add_up(wrvus, comp):
    page = contract_page(_section(wrvus, comp), comp)
    amounts = [s.compensation for s in page.supported]
    assert amounts == sorted(amounts)
    for s in page.supported:
        assert s.difference == pytest.approx(s.compensation - comp)
    # the p90 signal appears exactly when pay is above the p90 anchor
    assert ("comp_above_p90" in [s.key for s in page.signals]) == (comp > 690000)
