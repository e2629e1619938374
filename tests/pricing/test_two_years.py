"""A log spanning December 2025 and January 2026 is priced on both years in one run.

Values from CMS's files:
- RVU25D (Oct 2025, CF 32.3465): 47383 work 8.88, facility PE 3.52, MP 0.99;
  99213 work 1.30, non-facility PE 1.35, MP 0.10.
- RVU26C (Jul 2026, CF 33.4009): 47383 work 8.66, facility PE 2.29, MP 1.12;
  99213 work 1.30, non-facility PE 1.46, MP 0.09.
- GPCI Alabama 10112-00: 2025 work 1.000 (floor), PE 0.869, MP 0.575;
  2026 work 1.000 (floor), PE 0.875, MP 0.566.
"""

from __future__ import annotations

import pytest

from _lines import make_lines
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings


def test__december_2025_and_january_2026_in_one_run(fees):
    lines = make_lines([
        dict(hcpcs="47383", date_of_service="2025-12-15", pos="22", patient_key="a"),
        dict(hcpcs="47383", date_of_service="2026-01-12", pos="22", patient_key="b"),
        dict(hcpcs="99213", date_of_service="2025-12-30", pos="11"),
        dict(hcpcs="99213", date_of_service="2026-01-05", pos="11"),
    ], locality="10112-00")  # fmt: skip
    p = price_lines(lines, fees, PricingSettings())
    assert p["fee_schedule_release"].tolist() == ["RVU25D", "RVU26C", "RVU25D", "RVU26C"]
    assert p["rvu_year"].tolist() == [2025, 2026, 2025, 2026]
    # 47383 facility, 2025: 8.88 x 1.000 + 3.52 x 0.869 + 0.99 x 0.575 = 12.50813
    #   x 32.3465 = 404.594227 -> 404.59
    # 47383 facility, 2026: 8.66 x 1.000 + 2.29 x 0.875 + 1.12 x 0.566 = 11.29767
    #   x 33.4009 = 377.352346 -> 377.35
    # 99213 office, 2025: 1.30 + 1.35 x 0.869 + 0.10 x 0.575 = 2.53065 x 32.3465 = 81.857670 -> 81.86
    # 99213 office, 2026: 1.30 + 1.46 x 0.875 + 0.09 x 0.566 = 2.62844 x 33.4009 = 87.792262 -> 87.79
    assert p["payment"].tolist() == [404.59, 377.35, 81.86, 87.79]
    # wRVUs are never geographically adjusted: 8.88 (2025) and 8.66 (2026, -2.5%)
    assert p["wrvu_credit"].tolist() == pytest.approx([8.88, 8.66, 1.30, 1.30])
    assert p["conversion_factor"].tolist() == [32.3465, 33.4009, 32.3465, 33.4009]
    # RVU26C (July release) is the only 2026 release bundled: January lines say so
    assert "does not cover this date of service" in p["adjustments"].iloc[1]
    assert "does not cover" not in p["adjustments"].iloc[0]  # RVU25D covers Oct-Dec 2025
