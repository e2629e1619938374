"""Global periods follow one patient when the log identifies patients (hashed patient_key)."""

from __future__ import annotations

from _lines import make_lines
from rvubench.insights.global_periods import global_period_review


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


def test__without_patient_key_every_visit_of_the_provider_is_reviewed(fees):
    lines = make_lines([
        dict(hcpcs="27447", date_of_service="2026-07-02", pos="21"),
        dict(hcpcs="99213", date_of_service="2026-08-01"),
        dict(hcpcs="99213", date_of_service="2026-08-01"),
    ])  # fmt: skip
    review = global_period_review(lines, fees)
    assert review["source_row"].tolist() == [3, 4]
