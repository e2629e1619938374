"""Global periods follow one patient when the log identifies patients (hashed patient_key)."""

from __future__ import annotations

from _lines import make_lines
from rvubench.insights.global_periods import build_insights, global_period_review
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings


def test__visit_of_another_patient_is_not_in_the_global(fees):
    # 27447 has a 090 global in RVU26C: window 2026-07-01 .. 2026-09-30 for a 07-02 surgery.
    lines = make_lines([
        dict(hcpcs="27447", date_of_service="2026-07-02", pos="21", patient_key="p1"),
        dict(hcpcs="99213", date_of_service="2026-08-01", patient_key="p1"),  # day 30, same patient
        dict(hcpcs="99213", date_of_service="2026-08-01", patient_key="p2"),  # day 30, other patient
    ])  # fmt: skip
    review = global_period_review(lines, fees)
    assert review["source_row"].tolist() == [3]  # only the same patient's visit (row 3)
    assert review["classification"].tolist() == ["likely_in_global"]


def test__without_patient_key_visits_are_classified_but_none_is_to_review(fees):
    lines = make_lines([
        dict(hcpcs="27447", date_of_service="2026-07-02", pos="21"),
        dict(hcpcs="99213", date_of_service="2026-08-01"),
        dict(hcpcs="99213", date_of_service="2026-08-01"),
    ])  # fmt: skip
    review = global_period_review(lines, fees)
    # both visits sit in the clinician's 27447 window; whose they are cannot be known
    assert review["source_row"].tolist() == [3, 4]
    assert review["needs_review"].tolist() == [False, False]


def test__encounter_ids_do_not_link_days(fees):
    # an encounter id names one visit, not a patient: the review cannot match days either
    lines = make_lines([
        dict(hcpcs="27447", date_of_service="2026-07-02", pos="21", encounter_key="e1"),
        dict(hcpcs="99213", date_of_service="2026-08-01", encounter_key="e2"),
    ])  # fmt: skip
    insights = build_insights(price_lines(lines, fees, PricingSettings()))
    assert insights.totals["likely_in_global"] == 1
    assert (insights.totals["lines_to_review"], insights.totals["wrvu_at_risk"]) == (0, 0.0)


def test__with_patient_key_the_same_patients_visit_is_to_review(fees):
    lines = make_lines([
        dict(hcpcs="27447", date_of_service="2026-07-02", pos="21", patient_key="p1"),
        dict(hcpcs="99213", date_of_service="2026-08-01", patient_key="p1"),
    ])  # fmt: skip
    insights = build_insights(price_lines(lines, fees, PricingSettings()))
    # 99213 work 1.30, day 30 of the 090 global, no 24: at risk
    assert (insights.totals["lines_to_review"], insights.totals["wrvu_at_risk"]) == (1, 1.30)
