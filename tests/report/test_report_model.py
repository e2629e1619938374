"""The report model built from a hand-made priced frame (values from the CMS 2026 file)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _report_data import priced_frame, priced_line, sample_priced
from rvubench.benchmarks.periods import parse_period
from rvubench.pricing.settings import PricingSettings
from rvubench.report.model import (
    EXTRA_SUMMARY_KEYS,
    LINE_COLUMNS,
    SUMMARY_KEYS,
    Section,
    build_report_model,
)

Q3 = parse_period("2026Q3")


def _model(**kw):
    return build_report_model(
        sample_priced(), period=Q3, settings=PricingSettings(), provider_id="IR-1001", **kw
    )


def test__totals__sum_of_lines_in_the_period():
    m = _model()
    # 47383 x2 = 17.32; 74177-26 x2 = 3.54; 99213 = 1.30; 99214 x 2 units = 3.84 -> 26.00
    # (the 99213 of 2026-06-30 is outside 2026Q3 and not counted)
    assert m.wrvu_total == pytest.approx(26.00, abs=1e-9)
    # cents 2 x 40315 + 2 x 8384 + 9519 + 2 x 13561 = 80630 + 16768 + 9519 + 27122 = 134039
    assert m.payment_total_cents == 134039
    assert m.summary["payment_total"] == 1340.39
    # 2026Q3 has 92 days: 26.00 x 365 / 92 = 103.152...
    assert m.summary["wrvu_annualized"] == 103.15
    assert m.annualization_factor == pytest.approx(365 / 92)


def test__summary__has_exactly_the_interface_keys():
    assert tuple(_model().summary) == SUMMARY_KEYS + EXTRA_SUMMARY_KEYS


def test__fte__divides_annualized_wrvus():
    m = _model(clinical_fte=0.8, total_compensation=400000.0)
    # 26.00 x 365/92 / 0.8 = 103.1522 / 0.8 = 128.94
    assert m.summary["wrvu_fte_adjusted"] == 128.94
    # comp per wRVU without a benchmark: (400000 / 0.8) / 128.9402 = 3877.84
    assert m.summary["compensation_per_wrvu"] == pytest.approx(
        500000 / (26 * 365 / 92 / 0.8), abs=0.01
    )


def test__by_month__every_month_zeros_included():
    m = _model()
    assert [r.label for r in m.by_month] == ["Jul 2026", "Aug 2026", "Sep 2026"]
    # Jul: 47383 8.66 + 74177-26 1.77 + 99213 1.30 = 11.73; Aug: none; Sep: 8.66 + 1.77 + 3.84 = 14.27
    assert [r.wrvu_credit for r in m.by_month] == [11.73, 0.0, 14.27]
    # Jul cents 40315 + 8384 + 9519 = 58218; Sep 40315 + 8384 + 27122 = 75821
    assert [r.payment_cents for r in m.by_month] == [58218, 0, 75821]


def test__by_code__rows_per_code_and_modifier_largest_first():
    rows = {(r.hcpcs, r.modifier): r for r in _model().by_code}
    assert list(rows)[0] == ("47383", "")
    assert rows[("47383", "")].wrvu_credit == 17.32 and rows[("47383", "")].payment_cents == 80630
    assert rows[("74177", "26")].lines == 2 and rows[("74177", "26")].wrvu_credit == 3.54
    assert rows[("99214", "")].units == 2 and rows[("99214", "")].payment == 271.22
    assert rows[("99024", "")].wrvu_credit == 0.0  # zero-credited lines stay visible
    assert ("4738X", "") not in rows  # rejected lines are not codes
    assert sum(r.wrvu_credit for r in rows.values()) == pytest.approx(26.00)


def test__data_quality__identity_and_reasons():
    q = _model().data_quality
    assert (q.rows_read, q.rows_priced, q.rows_zero, q.rows_rejected) == (8, 6, 1, 1)
    assert q.rows_read == q.rows_priced + q.rows_zero + q.rows_rejected
    assert q.rows_outside_period == 1
    assert q.zero_by_reason[0].reason == "status B (bundled): credited zero"
    assert q.rejected_by_reason[0].rows == 1


def test__lines_and_exceptions__whitelisted_columns_only():
    frame = sample_priced().assign(patient_name="Jane Doe", mrn="123")
    m = build_report_model(frame, period=Q3, settings=PricingSettings())
    assert set(m.lines.columns) <= set(LINE_COLUMNS)
    assert "patient_name" not in m.lines.columns and "mrn" not in m.exceptions.columns
    assert len(m.lines) == 8
    assert list(m.exceptions["outcome"]) == ["zero", "rejected"]


def test__no_lines_in_period__zeros_not_errors():
    frame = priced_frame([priced_line(2, "2026-01-05", "99213")])
    m = build_report_model(frame, period=Q3, settings=PricingSettings())
    assert m.wrvu_total == 0.0 and m.payment_total_cents == 0
    assert [r.wrvu_credit for r in m.by_month] == [0.0, 0.0, 0.0]
    assert m.data_quality.rows_outside_period == 1


def test__section_builders__plug_in_sections():
    def builder(ctx):
        return Section(
            key="demo",
            title="Demo",
            partial="_demo.html.j2",
            data={"n": len(ctx.in_period)},
            order=5,
        )

    m = build_report_model(
        sample_priced(),
        period=Q3,
        settings=PricingSettings(),
        section_builders=[builder, lambda ctx: None],
    )
    assert list(m.sections) == ["demo"]
    assert m.sections["demo"].data == {"n": 8}


_CODES = st.sampled_from(["47383", "99213", "99214", "74177"])
_LINE = st.tuples(
    st.dates(min_value=dt.date(2026, 6, 1), max_value=dt.date(2026, 10, 31)),
    _CODES,
    st.integers(min_value=1, max_value=4),
    st.sampled_from(["priced", "priced", "priced", "zero", "rejected"]),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(_LINE, min_size=1, max_size=30))
def test__invariant__code_month_category_totals_agree(rows):
    frame = priced_frame(
        [
            priced_line(
                i + 2,
                day.isoformat() if outcome != "rejected" else "",
                code,
                units=units,
                outcome=outcome,
                reason="" if outcome == "priced" else "x",
            )
            for i, (day, code, units, outcome) in enumerate(rows)
        ]
    )
    m = build_report_model(frame, period=Q3, settings=PricingSettings())
    q = m.data_quality
    assert q.rows_read == q.rows_priced + q.rows_zero + q.rows_rejected
    assert q.rows_read + q.rows_outside_period == len(rows)
    w4 = round(m.wrvu_total * 10_000)
    assert sum(round(c.wrvu_credit * 10_000) for c in m.by_code) == w4
    assert sum(round(r.wrvu_credit * 10_000) for r in m.by_month) == w4
    assert sum(round(c.wrvu_credit * 10_000) for c in m.by_category) == w4
    cents = m.payment_total_cents
    assert sum(c.payment_cents or 0 for c in m.by_code) == cents
    assert sum(r.payment_cents for r in m.by_month) == cents
    assert sum(c.payment_cents for c in m.by_category) == cents
    assert m.summary["payment_total"] == cents / 100
