"""Reporting periods: parsing, days, annualization factor, quarter helpers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rvubench.benchmarks.periods import (
    latest_full_quarter,
    parse_period,
    previous_quarters,
    quarter_of,
    quarters_between,
    same_quarter_last_year,
    year_to_date,
)
from rvubench.errors import UsageProblem


def test__parse_period__quarter_2026q2_has_91_days_and_factor_365_over_91():
    p = parse_period("2026Q2")
    assert (p.start, p.end, p.kind, p.label) == (
        date(2026, 4, 1),
        date(2026, 6, 30),
        "quarter",
        "2026Q2",
    )
    # April 30 + May 31 + June 30 = 91 days
    assert p.days == 91
    assert p.annualization_factor == Decimal(365) / Decimal(91)
    # 365 / 91 = 4.010989010989...
    assert p.annualization_factor_float == pytest.approx(4.010989011, abs=1e-9)


@pytest.mark.parametrize(
    ("text", "start", "end", "days", "kind", "label"),
    [
        ("2026Q1", date(2026, 1, 1), date(2026, 3, 31), 90, "quarter", "2026Q1"),  # 31+28+31
        ("2024q1", date(2024, 1, 1), date(2024, 3, 31), 91, "quarter", "2024Q1"),  # leap: 31+29+31
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), 92, "quarter", "2026Q4"),  # 31+30+31
        ("2026", date(2026, 1, 1), date(2026, 12, 31), 365, "year", "2026"),
        ("2024", date(2024, 1, 1), date(2024, 12, 31), 366, "year", "2024"),
        ("2026-03", date(2026, 3, 1), date(2026, 3, 31), 31, "month", "2026-03"),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28), 28, "month", "2026-02"),
        (" 2026-3 ", date(2026, 3, 1), date(2026, 3, 31), 31, "month", "2026-03"),
        # Jan 31 + Feb 28 + Mar 31 + Apr 30 + May 31 + Jun 30 = 181
        (
            "2026-01-01:2026-06-30",
            date(2026, 1, 1),
            date(2026, 6, 30),
            181,
            "range",
            "2026-01-01:2026-06-30",
        ),
        (
            "2026-05-05:2026-05-05",
            date(2026, 5, 5),
            date(2026, 5, 5),
            1,
            "range",
            "2026-05-05:2026-05-05",
        ),
    ],
)
def test__parse_period__accepted_forms(text, start, end, days, kind, label):
    p = parse_period(text)
    assert (p.start, p.end, p.days, p.kind, p.label) == (start, end, days, kind, label)
    assert parse_period(p.label) == p


def test__parse_period__year_factor_is_exactly_one():
    assert parse_period("2026").annualization_factor == Decimal(1)
    # a month of 31 days: 365/31 = 11.774193...
    assert parse_period("2026-03").annualization_factor_float == pytest.approx(11.7741935, abs=1e-6)


@pytest.mark.parametrize(
    "text",
    [
        "2026Q5",
        "Q2",
        "26Q2",
        "2026-13",
        "2026-02-30:2026-03-01",
        "2026-06-30:2026-01-01",
        "",
        "next year",
        "1850",
    ],
)
def test__parse_period__bad_text_names_accepted_forms(text):
    with pytest.raises(UsageProblem) as err:
        parse_period(text)
    msg = str(err.value)
    assert repr(text) in msg or "ends" in msg
    if "ends" not in msg:
        assert "2026Q2" in msg and "2026-01-01:2026-06-30" in msg


def test__parse_period__reversed_range_message():
    with pytest.raises(UsageProblem, match=r"ends \(2026-01-01\) before it starts \(2026-06-30\)"):
        parse_period("2026-06-30:2026-01-01")


def test__whole_months():
    assert parse_period("2026Q2").whole_months == 3
    assert parse_period("2026").whole_months == 12
    assert parse_period("2026-01-01:2026-06-30").whole_months == 6
    assert parse_period("2026-01-02:2026-06-30").whole_months is None


def test__contains__scalars_series_and_nat():
    p = parse_period("2026Q2")
    assert p.contains(date(2026, 4, 1)) and p.contains(date(2026, 6, 30))
    assert not p.contains(date(2026, 3, 31)) and not p.contains(date(2026, 7, 1))
    assert p.contains(pd.Timestamp("2026-06-30 23:59"))
    assert not p.contains(pd.NaT)
    s = pd.Series(pd.to_datetime(["2026-03-31", "2026-04-01", None, "2026-06-30", "2026-07-01"]))
    assert p.contains(s).tolist() == [False, True, False, True, False]
    assert p.contains([date(2026, 5, 1), date(2025, 5, 1)]) == [True, False]


def test__latest_full_quarter__log_reaching_quarter_end():
    dates = pd.Series(pd.to_datetime(["2026-01-05", "2026-04-02", "2026-06-30"]))
    assert latest_full_quarter(dates).label == "2026Q2"


def test__latest_full_quarter__log_stopping_short_takes_previous_quarter():
    # max DOS 2026-06-29 < 2026-06-30, so Q2 is not complete; Q1 ends 03-31, inside the log
    dates = [date(2026, 1, 5), date(2026, 6, 29)]
    assert latest_full_quarter(dates).label == "2026Q1"
    # with a 3-day grace, 06-29 + 3 = 07-02 >= 06-30: Q2 counts as complete
    assert latest_full_quarter(dates, grace_days=3).label == "2026Q2"


def test__latest_full_quarter__no_complete_quarter_gives_quarter_of_max_date():
    # 2026-04-03..2026-06-28: no quarter ends inside the dates -> quarter of 06-28
    assert latest_full_quarter([date(2026, 4, 3), date(2026, 6, 28)]).label == "2026Q2"


def test__latest_full_quarter__no_dates_is_a_usage_problem():
    with pytest.raises(UsageProblem, match="use --period"):
        latest_full_quarter(pd.Series(pd.to_datetime([None, None])))


def test__quarter_helpers():
    q2 = parse_period("2026Q2")
    assert [q.label for q in previous_quarters(q2, 3)] == ["2025Q3", "2025Q4", "2026Q1"]
    assert [q.label for q in previous_quarters(q2, 2, include_self=True)] == [
        "2025Q4",
        "2026Q1",
        "2026Q2",
    ]
    assert same_quarter_last_year(q2).label == "2025Q2"
    assert same_quarter_last_year(parse_period("2026-03")).label == "2025-03"
    assert same_quarter_last_year(parse_period("2026")).label == "2025"
    assert same_quarter_last_year(parse_period("2024-02-29:2024-03-10")).label == (
        "2023-02-28:2023-03-10"
    )
    assert year_to_date(q2).label == "2026-01-01:2026-06-30"
    assert year_to_date(parse_period("2026Q4")).label == "2026"
    assert [q.label for q in quarters_between(date(2025, 11, 15), date(2026, 4, 1))] == [
        "2025Q4",
        "2026Q1",
        "2026Q2",
    ]
    assert quarters_between(date(2026, 4, 1), date(2026, 1, 1)) == []


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test__quarter_of__contains_the_day_and_round_trips(d):
    q = quarter_of(d)
    assert q.contains(d)
    assert parse_period(q.label) == q
    assert 90 <= q.days <= 92
    assert previous_quarters(q, 1)[0].end.toordinal() + 1 == q.start.toordinal()


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    st.integers(min_value=0, max_value=800),
)
def test__range__days_times_factor_is_365(start, span):
    end = date.fromordinal(min(start.toordinal() + span, date(2100, 12, 31).toordinal()))
    p = parse_period(f"{start.isoformat()}:{end.isoformat()}")
    assert p.days == (end - start).days + 1
    assert p.annualization_factor * p.days == pytest.approx(Decimal(365))
