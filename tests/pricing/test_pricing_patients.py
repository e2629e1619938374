"""Multiple procedures rank per patient (or encounter) and day when the log identifies them.

Amounts are RVU26C facility totals x 33.4009, national (see tests/test_pricing.py):
27130 34.79 -> 1162.02; 69436 4.33 -> 144.63; 11042 1.67 -> 55.78.
"""

from __future__ import annotations

import pytest

from _lines import make_lines
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings


def _price(fees, rows):
    return price_lines(make_lines(rows), fees, PricingSettings())


def test__two_patients_same_day__each_ranked_alone(fees):
    rows = [dict(hcpcs="27130", pos="22", patient_key="p1"),
            dict(hcpcs="69436", pos="22", patient_key="p2"),
            dict(hcpcs="11042", pos="22", patient_key="p2")]  # fmt: skip
    p = _price(fees, rows)
    # p1: 27130 alone, 100%. p2: 69436 rank 1 (144.63), 11042 rank 2: 55.78 x 50% = 27.89
    assert p["payment"].tolist() == [1162.02, 144.63, 27.89]
    # wRVU: 19.11 + 1.96 + 0.98 x 0.5 = 19.11 + 1.96 + 0.49
    assert p["wrvu_credit"].tolist() == pytest.approx([19.11, 1.96, 0.49])


def test__encounter_key_groups_when_no_patient_key(fees):
    rows = [dict(hcpcs="27130", pos="22", encounter_key="e1"),
            dict(hcpcs="69436", pos="22", encounter_key="e2")]  # fmt: skip
    p = _price(fees, rows)
    assert p["payment"].tolist() == [1162.02, 144.63]  # different encounters: no reduction


def test__without_keys__one_group_per_provider_and_day(fees):
    rows = [dict(hcpcs="27130", pos="22"), dict(hcpcs="69436", pos="22")]
    p = _price(fees, rows)
    assert p["payment"].tolist() == [1162.02, 72.32]  # 144.63 x 50% = 72.315 -> 72.32
