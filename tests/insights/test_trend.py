"""Quarterly trend (rvubench.insights.trend): windows, availability, changes, monthly zeros.

Line values are the CMS figures for the codes used, national locality (all GPCIs 1.000),
non-facility (POS 11), one unit each:
- RVU25D (2025 dates): 99213 wRVU 1.30, NF total 2.75 x CF 32.3465 = 88.952875 -> $88.95;
  99214 wRVU 1.92, NF total 3.87 x 32.3465 = 125.180955 -> $125.18.
- RVU26C (2026 dates): 99213 wRVU 1.30, NF total 2.85 x CF 33.4009 = 95.192565 -> $95.19;
  99214 wRVU 1.92, NF total 4.06 x 33.4009 = 135.607654 -> $135.61.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import Environment, FileSystemLoader
from openpyxl import Workbook, load_workbook

from rvubench.insights.trend import (
    TREND_SHEET,
    Quarter,
    period_quarter,
    quarterly_trend,
    trend_section,
    write_trend_sheet,
)
from rvubench.report.formatting import JINJA_FILTERS
from rvubench.resources import templates_dir

# (wrvu per line, payment cents per line) by (code, year)
PRICES = {
    ("99213", 2025): (1.30, 8895),
    ("99214", 2025): (1.92, 12518),
    ("99213", 2026): (1.30, 9519),
    ("99214", 2026): (1.92, 13561),
}

# A log spanning five quarters, 2025Q2 .. 2026Q2; May 2025 has no lines.
FIVE_QUARTERS = [
    ("2025-04-03", "99213"),
    ("2025-04-17", "99213"),
    ("2025-06-30", "99214"),  # 2025Q2
    ("2025-08-12", "99214"),  # 2025Q3
    ("2025-11-04", "99213"),
    ("2025-11-05", "99213"),
    ("2025-11-20", "99213"),  # 2025Q4
    ("2026-02-02", "99214"),
    ("2026-02-27", "99214"),
    ("2026-03-31", "99213"),  # 2026Q1
    ("2026-04-01", "99214"),
    ("2026-05-06", "99214"),
    ("2026-06-30", "99214"),  # 2026Q2
    ("2026-05-07", "99213"),
    ("2026-05-08", "99213"),  # 2026Q2
]


@dataclass(frozen=True)
class P:
    """Stand-in with the Period contract's start/end (ARCHITECTURE.md 5)."""

    start: date
    end: date
    label: str = ""
    kind: str = "quarter"


Q2_2026 = P(date(2026, 4, 1), date(2026, 6, 30), "2026Q2")


def priced_frame(entries, extra_rows=()) -> pd.DataFrame:
    rows = []
    for day, code in entries:
        d = pd.Timestamp(day)
        wrvu, cents = PRICES[(code, d.year)]
        rows.append(
            {
                "date_of_service": d,
                "hcpcs": code,
                "wrvu_credit": wrvu,
                "payment_cents": cents,
                "outcome": "priced",
            }
        )
    rows.extend(extra_rows)
    frame = pd.DataFrame(rows)
    frame["payment_cents"] = frame["payment_cents"].astype("Int64")
    return frame


REJECTED = {
    "date_of_service": pd.NaT,
    "hcpcs": "99213",
    "wrvu_credit": 0.0,
    "payment_cents": pd.NA,
    "outcome": "rejected",
}
UNKNOWN_CODE = {
    "date_of_service": pd.Timestamp("2026-06-15"),
    "hcpcs": "ZZZZZ",
    "wrvu_credit": 0.0,
    "payment_cents": pd.NA,
    "outcome": "zero",
}


def test__quarterly_trend__five_quarters_quarter_over_quarter():
    trend = quarterly_trend(priced_frame(FIVE_QUARTERS), Q2_2026)
    q, prev = trend["quarter"], trend["previous_quarters"]
    assert [w["label"] for w in prev] == ["2025Q2", "2025Q3", "2025Q4", "2026Q1"]
    assert all(w["available"] for w in [*prev, q])
    # 2026Q2: 3 x 1.92 + 2 x 1.30 = 8.36 wRVU; 3 x 13561 + 2 x 9519 = 59721 cents; 5 lines
    assert q["wrvu"] == pytest.approx(8.36) and q["payment_cents"] == 59721 and q["lines"] == 5
    # 2026Q1: 2 x 1.92 + 1.30 = 5.14; 2 x 13561 + 9519 = 36641; 3 lines
    assert prev[3]["wrvu"] == pytest.approx(5.14)
    assert (prev[3]["payment_cents"], prev[3]["lines"]) == (36641, 3)
    # 2025Q4: 3 x 1.30 = 3.90; 3 x 8895 = 26685
    assert prev[2]["wrvu"] == pytest.approx(3.90) and prev[2]["payment_cents"] == 26685
    # 2025Q3: 1.92; 12518
    assert prev[1]["wrvu"] == pytest.approx(1.92) and prev[1]["payment_cents"] == 12518
    # 2025Q2: 2 x 1.30 + 1.92 = 4.52; 2 x 8895 + 12518 = 30308
    assert prev[0]["wrvu"] == pytest.approx(4.52) and prev[0]["payment_cents"] == 30308

    qoq = trend["quarter_over_quarter"]
    assert qoq["available"] and qoq["against"] == "2026Q1"
    # 8.36 - 5.14 = 3.22 wRVU; 3.22 / 5.14 = 62.65% -> 62.6
    assert qoq["wrvu_change"] == pytest.approx(3.22) and qoq["wrvu_change_pct"] == 62.6
    # 59721 - 36641 = 23080 cents; 23080 / 36641 = 62.99% -> 63.0
    assert qoq["payment_change_cents"] == 23080 and qoq["payment_change_pct"] == 63.0
    assert qoq["lines_change"] == 2  # 5 - 3

    yoy = trend["year_over_year"]
    assert yoy["against"] == "2025Q2" and trend["same_quarter_last_year"]["label"] == "2025Q2"
    # 8.36 - 4.52 = 3.84; 3.84 / 4.52 = 84.96% -> 85.0; 59721 - 30308 = 29413; 29413/30308 = 97.05%
    assert yoy["wrvu_change"] == pytest.approx(3.84) and yoy["wrvu_change_pct"] == 85.0
    assert yoy["payment_change_cents"] == 29413 and yoy["payment_change_pct"] == 97.0

    ytd = trend["ytd"]
    # 2026 to end of Q2: 5.14 + 8.36 = 13.50; 36641 + 59721 = 96362 cents; 3 + 5 = 8 lines
    assert (ytd["start"], ytd["end"]) == (date(2026, 1, 1), date(2026, 6, 30))
    assert ytd["wrvu"] == pytest.approx(13.50) and ytd["payment_cents"] == 96362
    assert ytd["lines"] == 8


def test__quarterly_trend__months_without_lines_are_zero_not_gaps():
    trend = quarterly_trend(priced_frame(FIVE_QUARTERS), Q2_2026)
    months = trend["months"]
    # Apr 2025 .. Jun 2026 = 15 months, every one present
    assert [m["month"] for m in months][:3] == ["2025-04", "2025-05", "2025-06"]
    assert len(months) == 15 and months[-1]["month"] == "2026-06"
    may_2025 = months[1]
    assert may_2025["available"] and may_2025["wrvu"] == 0 and may_2025["lines"] == 0
    # May 2026: 99214 + 2 x 99213 = 1.92 + 2.60 = 4.52; 13561 + 2 x 9519 = 32599
    may_2026 = months[13]
    assert may_2026["month"] == "2026-05"
    assert may_2026["wrvu"] == pytest.approx(4.52) and may_2026["payment_cents"] == 32599


def test__quarterly_trend__rejected_lines_excluded_zero_lines_counted():
    base = quarterly_trend(priced_frame(FIVE_QUARTERS), Q2_2026)
    more = quarterly_trend(priced_frame(FIVE_QUARTERS, [REJECTED, UNKNOWN_CODE]), Q2_2026)
    # the unknown-code line is a line of the quarter credited 0 and not paid; the rejected
    # row has no date and counts nowhere
    assert more["quarter"]["lines"] == base["quarter"]["lines"] + 1 == 6
    assert more["quarter"]["wrvu"] == base["quarter"]["wrvu"]
    assert more["quarter"]["payment_cents"] == base["quarter"]["payment_cents"] == 59721


def test__quarterly_trend__windows_outside_the_log_are_not_available():
    # the log starts 2026-02-02: January is not in it, so 2026Q1 is not either
    partial = quarterly_trend(priced_frame(FIVE_QUARTERS[7:]), Q2_2026)
    assert not partial["previous_quarters"][3]["available"]
    assert not partial["quarter_over_quarter"]["available"]
    # from 2026-01-05: 2026Q1 and 2026Q2 are in the log, the 2025 quarters are not
    trend = quarterly_trend(priced_frame([("2026-01-05", "99213"), *FIVE_QUARTERS[7:]]), Q2_2026)
    assert [w["available"] for w in trend["previous_quarters"]] == [False, False, False, True]
    assert trend["quarter_over_quarter"]["available"]
    yoy = trend["year_over_year"]
    assert not yoy["available"] and yoy["wrvu_change"] is None
    assert [m["available"] for m in trend["months"]] == [False] * 9 + [True] * 6


def test__quarterly_trend__explicit_coverage_makes_empty_quarters_zero():
    # a clinician with lines only in 2026Q2, from a department log covering 2025-04..2026-06
    lines = [e for e in FIVE_QUARTERS if e[0] >= "2026-04"]
    trend = quarterly_trend(
        priced_frame(lines), Q2_2026, coverage=(date(2025, 4, 2), date(2026, 6, 30))
    )
    prev = trend["previous_quarters"]
    assert all(w["available"] and w["wrvu"] == 0 and w["lines"] == 0 for w in prev)
    qoq = trend["quarter_over_quarter"]
    # from 0 to 8.36: change stated, percentage undefined
    assert qoq["wrvu_change"] == pytest.approx(8.36) and qoq["wrvu_change_pct"] is None


def test__quarterly_trend__not_a_quarter_gives_none():
    frame = priced_frame(FIVE_QUARTERS)
    assert quarterly_trend(frame, P(date(2026, 1, 1), date(2026, 12, 31), "2026", "year")) is None
    assert (
        quarterly_trend(frame, P(date(2026, 5, 1), date(2026, 5, 31), "2026-05", "month")) is None
    )


def test__quarter_arithmetic():
    assert Quarter(2026, 1).shift(-1) == Quarter(2025, 4)
    assert Quarter(2026, 2).shift(-4) == Quarter(2025, 2)
    assert Quarter(2024, 1).end == date(2024, 3, 31)
    assert Quarter(2025, 4).end == date(2025, 12, 31)
    assert period_quarter(P(date(2026, 7, 1), date(2026, 9, 30))) == Quarter(2026, 3)


@pytest.mark.parametrize("write_only", [False, True])
def test__write_trend_sheet__values_and_formats(tmp_path, write_only):
    wb = Workbook(write_only=write_only)
    trend = quarterly_trend(priced_frame(FIVE_QUARTERS), Q2_2026)
    write_trend_sheet(wb, trend)
    path = tmp_path / "t.xlsx"
    wb.save(path)
    ws = load_workbook(path)[TREND_SHEET]
    header = [c.value for c in ws[1]]
    assert header[:8] == ["row", "label", "start", "end", "in_log", "wrvu", "payment", "lines"]
    assert [c.value for c in ws[2]][:2] == ["quarter", "2026Q2"]
    # 8.36 wRVU, $597.21 (59721 cents), 5 lines
    assert ws["F2"].value == pytest.approx(8.36) and ws["G2"].value == pytest.approx(597.21)
    assert ws["H2"].value == 5 and ws["G2"].number_format == '"$"#,##0.00'
    assert ws["C2"].value.date() == date(2026, 4, 1) and ws["C2"].number_format == "yyyy-mm-dd"
    values = list(ws.iter_rows(values_only=True))
    qoq = next(r for r in values if r[0] == "quarter over quarter")
    # 2026Q1 -> 2026Q2: +3.22 wRVU, +$230.80 (23080 cents), +2 lines, +62.6% / +63.0%
    assert qoq[1] == "2026Q2 vs 2026Q1" and qoq[5] == pytest.approx(3.22)
    assert qoq[6] == pytest.approx(230.80) and qoq[7] == 2 and qoq[8:] == (62.6, 63.0)
    months = [r for r in values if r[0] == "month"]
    assert len(months) == 15 and months[1][1] == "May 2025" and months[1][5] == 0


def test__trend_partial__renders_figures_and_chart():
    env = Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=True)
    env.filters.update(JINJA_FILTERS)
    html = env.get_template("_trend.html.j2").render(
        trend=trend_section(priced_frame(FIVE_QUARTERS), Q2_2026)
    )
    assert "Quarterly trend: 2026Q2" in html
    assert "8.36" in html and "$597.21" in html  # the quarter
    assert "+3.22" in html and "+$230.80" in html  # quarter over quarter
    # the chart, an SVG image (report.formatting.svg_image): one bar per month, zeros drawn
    found = re.search(r'<img class="chart-image" src="data:image/svg\+xml;base64,([^"]+)"', html)
    svg = base64.b64decode(found.group(1)).decode("utf-8")
    assert svg.startswith("<svg") and svg.count("<rect") == 15
    assert env.get_template("_trend.html.j2").render(trend=None).strip() == ""


DAYS = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31))
CODES = st.sampled_from(["99213", "99214"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(DAYS, CODES), min_size=1, max_size=40), st.sampled_from([1, 2, 3, 4]))
def test__quarterly_trend__windows_add_up(entries, q):
    period = P(Quarter(2026, q).start, Quarter(2026, q).end)
    frame = priced_frame([(d.isoformat(), c) for d, c in entries])
    trend = quarterly_trend(frame, period, coverage=(date(2025, 1, 1), date(2026, 12, 31)))
    months = {m["month"]: m for m in trend["months"]}
    for win in trend["quarters"]:
        inside = [e for e in entries if win["start"] <= e[0] <= win["end"]]
        assert win["lines"] == len(inside)
        assert win["payment_cents"] == sum(PRICES[(c, d.year)][1] for d, c in inside)
        keys = [
            f"{win['start'].year}-{m:02d}" for m in range(win["start"].month, win["end"].month + 1)
        ]
        assert win["payment_cents"] == sum(months[k]["payment_cents"] for k in keys)
    ytd_quarters = [w for w in trend["quarters"] if w["start"].year == 2026]
    assert trend["ytd"]["payment_cents"] == sum(w["payment_cents"] for w in ytd_quarters)
    assert trend["ytd"]["lines"] == sum(w["lines"] for w in ytd_quarters)


# --- through the real pipeline: read_log -> price_lines -> report model -> renderers --------

LOG_HEADER = "provider_id,date_of_service,hcpcs,modifiers,units,pos\n"


def _priced_from_log(tmp_path, entries):
    from rvubench.feeschedule.cms import load_fee_schedules
    from rvubench.ingest.log import read_log
    from rvubench.pricing.engine import price_lines
    from rvubench.pricing.settings import PricingSettings

    path = tmp_path / "log.csv"
    path.write_text(LOG_HEADER + "".join(f"P1,{d},{c},,1,11\n" for d, c in entries))
    lines = read_log(path).lines
    return price_lines(lines, load_fee_schedules(), PricingSettings())


def test__report_pipeline__quarterly_trend_section_and_sheet(tmp_path):
    from rvubench.benchmarks.periods import parse_period
    from rvubench.pricing.settings import PricingSettings
    from rvubench.report.pdf import render_html
    from rvubench.report.run import build_clinician_report

    priced = _priced_from_log(tmp_path, FIVE_QUARTERS)
    # pricing agrees with the CMS figures used above (RVU25D for 2025, RVU26C for 2026)
    assert priced["payment_cents"].astype(int).tolist()[:3] == [8895, 8895, 12518]
    done = build_clinician_report(
        priced, period=parse_period("2026Q2"), out_dir=tmp_path, settings=PricingSettings(),
        provider_id="P1", specialty="Family Medicine", total_compensation=250000.0,
        formats=("xlsx",),
    )  # fmt: skip
    trend = done.model.sections["trend"].data
    # same figures as the hand-built frame: 2026Q2 8.36 wRVU / 59721 cents vs 2026Q1 5.14 / 36641
    assert trend["quarter"]["payment_cents"] == 59721
    assert trend["quarter_over_quarter"]["payment_change_cents"] == 23080
    assert trend["year_over_year"]["wrvu_change"] == pytest.approx(3.84)
    ws = load_workbook(tmp_path / "P1.xlsx")[TREND_SHEET]
    first = [c.value for c in ws[2]]
    assert first[:2] == ["quarter", "2026Q2"] and first[6] == pytest.approx(597.21)
    html = render_html(done.model)
    assert "Quarterly trend: 2026Q2" in html and "+$230.80" in html


def test__report_pipeline__no_trend_for_a_year(tmp_path):
    from rvubench.benchmarks.periods import parse_period
    from rvubench.pricing.settings import PricingSettings
    from rvubench.report.run import build_clinician_report

    priced = _priced_from_log(tmp_path, FIVE_QUARTERS)
    done = build_clinician_report(
        priced, period=parse_period("2026"), out_dir=tmp_path, settings=PricingSettings(),
        provider_id="P1", formats=("xlsx",),
    )  # fmt: skip
    assert "trend" not in done.model.sections
    assert TREND_SHEET not in load_workbook(tmp_path / "P1.xlsx").sheetnames
