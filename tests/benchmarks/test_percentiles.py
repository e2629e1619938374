"""Percentile math as a leaf: any object with ``anchors`` works, not only BenchmarkRow."""

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from rvubench.benchmarks.percentiles import format_percentile, percentile_of, value_at


@dataclass
class Row:
    anchors: list[tuple[int, float]]


ROW = Row([(10, 3000.0), (25, 3800.0), (50, 4800.0), (75, 6000.0), (90, 7500.0)])


def test_percentile_of_interpolates_between_anchors():
    # 5400 between p50 4800 and p75 6000: 50 + 25 x (5400 - 4800) / (6000 - 4800) = 62.5
    assert percentile_of(5400, ROW).value == 62.5
    # 7000 between p75 6000 and p90 7500: 75 + 15 x 1000 / 1500 = 85
    assert percentile_of(7000, ROW).label == "85"
    assert percentile_of(2500, ROW).label == "below p10"
    assert percentile_of(8000, ROW).label == "above p90"


def test_value_at_is_the_inverse():
    # p62.5: 4800 + (6000 - 4800) x (62.5 - 50) / 25 = 5400
    assert value_at(62.5, ROW) == 5400.0
    assert value_at(50, ROW) == 4800.0
    assert value_at(5, ROW) is None
    assert value_at(95, ROW) is None
    assert format_percentile(33.3333) == "33.3"


@given(st.floats(min_value=10, max_value=90))
def test_round_trip_inside_the_published_range(p):
    x = value_at(p, ROW)
    assert x is not None
    back = percentile_of(x, ROW).value
    assert back is not None and abs(back - p) < 1e-4
