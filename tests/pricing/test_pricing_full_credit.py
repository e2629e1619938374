"""The ``full-credit`` policy: no payment-policy reductions (multiple procedure, endoscopy
family, imaging, bilateral: both sides in full), while the modifiers that mean the clinician
did part of the work (80/81/82/AS, 62, 54/55/56/78, 52, 53) keep their share. It never
credits a line less than ``medicare`` does, and payment is Medicare's under both.

Hand-computed values from RVU26C (PPRRVU2026_Jul_nonQPP.csv), national, CF 33.4009.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _lines import make_lines
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings


def _both(fees, rows):
    lines = make_lines(rows, patient_key="pt-1")  # one patient's lines: ranked per day
    return (
        price_lines(lines, fees, PricingSettings(policy="medicare")),
        price_lines(lines, fees, PricingSettings(policy="full-credit")),
    )


def test__bilateral_ind_1__both_sides_in_full(fees):
    # the audit's case: 64493 (work 1.48, BILAT SURG 1) with 50. medicare 1.48 x 1.5 = 2.22;
    # full-credit, both sides in full: 1.48 x 2 = 2.96 (was 1.48, less than medicare)
    med, full = _both(fees, [dict(hcpcs="64493", modifiers="50", pos="22")])
    assert med["wrvu_credit"].iloc[0] == pytest.approx(2.22)
    assert full["wrvu_credit"].iloc[0] == pytest.approx(2.96)
    # payment is Medicare's under both: facility 1.48 + 0.82 + 0.14 = 2.44 x 33.4009
    # = 81.498196 -> 81.50 x 150% = 122.25
    assert med["payment_cents"].iloc[0] == full["payment_cents"].iloc[0] == 12225


def test__bilateral_ind_2_and_3__as_paid(fees):
    # 11010 BILAT SURG 2 (RVUs already bilateral): 4.09 x 1 under both;
    # 73721 BILAT SURG 3 (each side 100%): 1.32 x 2 = 2.64 under both
    med, full = _both(
        fees,
        [
            dict(hcpcs="11010", modifiers="50", pos="22"),
            dict(hcpcs="73721", modifiers="50", provider_id="P2"),
        ],
    )
    assert med["wrvu_credit"].tolist() == pytest.approx([4.09, 2.64])
    assert full["wrvu_credit"].tolist() == pytest.approx([4.09, 2.64])


def test__no_multiple_procedure_or_endoscopy_reduction(fees):
    rows = [
        dict(hcpcs="27130", pos="22"),
        dict(hcpcs="11042", pos="22"),
        dict(hcpcs="29807", pos="24", provider_id="P2"),
        dict(hcpcs="29805", pos="24", provider_id="P2"),
    ]
    med, full = _both(fees, rows)
    # medicare: 19.11, 11042 rank 2 0.98 x 0.5 = 0.49; family 29807 14.30, base 29805 0
    assert med["wrvu_credit"].tolist() == pytest.approx([19.11, 0.49, 14.30, 0.0])
    # full-credit: every code's work RVU: 19.11, 0.98, 14.30, 5.88
    assert full["wrvu_credit"].tolist() == pytest.approx([19.11, 0.98, 14.30, 5.88])
    assert med["payment_cents"].tolist() == full["payment_cents"].tolist()


def test__part_of_the_work_keeps_its_share(fees):
    rows = [
        dict(hcpcs="27447", modifiers=m, pos="21", provider_id=f"P{i}")
        for i, m in enumerate(["62", "54", "55", "AS"])
    ]
    _, full = _both(fees, rows)
    # 19.11 x 0.625 = 11.94375; x 0.79 (pre 0.10 + intra 0.69) = 15.0969;
    # x 0.21 (post) = 4.0131; x 0.136 = 2.59896
    assert full["wrvu_credit"].tolist() == pytest.approx(
        [11.94375, 15.0969, 4.0131, 2.59896], abs=1e-4
    )


# --------------------------------------------------------------------------- property

CODES = [
    "27447",
    "27130",
    "11042",
    "64493",
    "69436",
    "11010",
    "73721",
    "70553",
    "70473",
    "29807",
    "29819",
    "29805",
    "29807",
    "10030",
    "33533",
    "22612",
    "33361",
    "47140",
    "92961",
    "36598",
    "99213",
    "45378",
    "99396",
    "70555",
]
MODS = [
    "",
    "",
    "",
    "50",
    "RT",
    "LT",
    "80",
    "81",
    "82",
    "AS",
    "62",
    "66",
    "54",
    "55",
    "56",
    "78",
    "52",
    "53",
    "22",
    "26",
    "TC",
    "59",
    "80,50",
    "62,RT",
    "54,51",
]

line_st = st.fixed_dictionaries(
    {
        "hcpcs": st.sampled_from(CODES),
        "modifiers": st.sampled_from(MODS),
        "units": st.sampled_from([1, 1, 1, 2, 3]),
        "pos": st.sampled_from(["11", "21", "22", "24"]),
        "provider_id": st.sampled_from(["P1", "P1", "P2"]),
        "date_of_service": st.sampled_from(["2026-08-03", "2026-08-04"]),
        "patient_key": st.sampled_from(["", "a", "b"]),
    }
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(line_st, min_size=1, max_size=14), pc_reduction=st.booleans())
def test__property__full_credit_never_below_medicare(fees, rows, pc_reduction):
    lines = make_lines(rows)
    med = price_lines(lines, fees, PricingSettings(imaging_pc_reduction=pc_reduction))
    full = price_lines(
        lines, fees, PricingSettings(policy="full-credit", imaging_pc_reduction=pc_reduction)
    )
    m, f = med["wrvu_credit"].to_numpy(), full["wrvu_credit"].to_numpy()
    assert (f >= m - 1e-9).all(), list(zip(rows, m, f, strict=True))
    # payment does not depend on the crediting policy
    assert med["payment_cents"].fillna(-1).tolist() == full["payment_cents"].fillna(-1).tolist()
    # and full-credit is at most both sides of every unit in full: work x units x 2
    work = full["work_rvu"].fillna(0).to_numpy() * full["units"].to_numpy()
    assert (f <= 2 * work + 1e-9).all()
