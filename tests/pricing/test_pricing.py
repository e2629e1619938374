"""Pricing engine: every expected value is computed by hand from the CMS RVU26C file
(PPRRVU2026_Jul_nonQPP.csv) and the 2026 GPCI file; the arithmetic is beside each assertion.

National amounts use all GPCIs 1.000 and the non-QP CF 33.4009 unless stated.
"""

from __future__ import annotations

import pandas as pd
import pytest

from _lines import make_lines
from rvubench.errors import UnknownLocalityError
from rvubench.pricing.engine import category_of, price_lines
from rvubench.pricing.settings import PricingSettings


def price(fees, rows, **settings):
    # one patient's lines (a patient key): multiple procedures rank per patient and day;
    # logs without patient ids are priced as billed (test_pricing_patients.py)
    return price_lines(make_lines(rows, patient_key="pt-1"), fees, PricingSettings(**settings))


def one(fees, **line):
    return price(fees, [line]).iloc[0]


# --------------------------------------------------------------------------- office visit


def test_office_visit_office_and_facility(fees):
    p = price(fees, [dict(hcpcs="99213", pos="11"), dict(hcpcs="99213", pos="22")])
    office, facility = p.iloc[0], p.iloc[1]
    # 99213: work 1.30, NF PE 1.46, F PE 0.33, MP 0.09
    # office: (1.30 + 1.46 + 0.09) = 2.85 x 33.4009 = 95.192565 -> 95.19
    assert office["payment"] == 95.19
    assert office["payment_cents"] == 9519
    assert office["setting"] == "non-facility"
    # facility (POS 22): (1.30 + 0.33 + 0.09) = 1.72 x 33.4009 = 57.449548 -> 57.45
    assert facility["payment"] == 57.45
    assert facility["setting"] == "facility"
    # wRVU is the work RVU in both settings, never geographically adjusted
    assert office["wrvu_credit"] == facility["wrvu_credit"] == 1.30
    assert office["outcome"] == "priced" and office["priced"]
    assert office["reason"] == ""
    assert "non-facility rate (POS 11)" in office["adjustments"]
    assert "facility rate (POS 22)" in facility["adjustments"]
    assert office["fee_schedule_release"] == "RVU26C" and office["rvu_year"] == 2026
    assert office["category"] == "Evaluation and Management"


def test_missing_pos_uses_default_pos(fees):
    p = price(fees, [dict(hcpcs="99213", pos="")], default_pos="22")
    # default POS 22 -> facility: 1.72 x 33.4009 = 57.449548 -> 57.45
    assert p["payment"].iloc[0] == 57.45
    assert "default 22" in p["adjustments"].iloc[0]


def test_qp_conversion_factor(fees):
    p = price(fees, [dict(hcpcs="99213")], qp=True)
    # 2.85 x 33.5675 = 95.667375 -> 95.67
    assert p["payment"].iloc[0] == 95.67
    assert p["conversion_factor"].iloc[0] == 33.5675


def test_2025_date_priced_on_rvu25d(fees):
    r = one(fees, hcpcs="99213", date_of_service="2025-11-05")
    # RVU25D 99213: 1.30 + NF PE 1.35 + MP 0.10 = 2.75 x 32.3465 = 88.952875 -> 88.95
    assert r["fee_schedule_release"] == "RVU25D"
    assert r["payment"] == 88.95
    assert r["wrvu_credit"] == 1.30


def test_date_before_first_release_says_so(fees):
    r = one(fees, hcpcs="99213", date_of_service="2026-03-02")
    assert r["fee_schedule_release"] == "RVU26C"
    assert "does not cover" in r["adjustments"] and "RVU26C" in r["adjustments"]
    assert r["payment"] == 95.19  # still priced, on the July release


# --------------------------------------------------------------------------- locality


def test_locality_los_angeles(fees):
    r = one(fees, hcpcs="99213", locality="01182-18")
    # GPCI 2026 01182-18: work 1.041, PE 1.183, MP 0.664
    # 1.30x1.041 + 1.46x1.183 + 0.09x0.664 = 1.3533 + 1.72718 + 0.05976 = 3.14024
    # 3.14024 x 33.4009 = 104.886842 -> 104.89
    assert r["payment"] == 104.89
    assert r["locality"] == "01182-18"
    assert (r["gpci_work"], r["gpci_pe"], r["gpci_mp"]) == (1.041, 1.183, 0.664)
    assert r["wrvu_credit"] == 1.30  # work RVUs are never geographically adjusted


def test_run_locality_and_line_locality(fees):
    p = price(
        fees, [dict(hcpcs="99213"), dict(hcpcs="99213", locality="national")], locality="01182-18"
    )
    assert p["payment"].tolist() == [104.89, 95.19]
    assert p["locality"].tolist() == ["01182-18", "national"]


def test_zip_resolves_locality(fees):
    # ZIP 90012 (Los Angeles) -> 01182-18, same amount as above
    assert one(fees, hcpcs="99213", zip="90012")["payment"] == 104.89
    p = price(fees, [dict(hcpcs="99213")], zip_code="90012")
    assert p["payment"].iloc[0] == 104.89


def test_bad_line_locality_rejects_the_line(fees):
    p = price(fees, [dict(hcpcs="99213", locality="99999-99"), dict(hcpcs="99213")])
    bad = p.iloc[0]
    assert bad["outcome"] == "rejected" and not bad["priced"]
    assert "row 2" in bad["reason"] and "column locality" in bad["reason"]
    assert "log.csv" in bad["reason"]
    assert p.iloc[1]["payment"] == 95.19


def test_bad_run_locality_raises(fees):
    with pytest.raises(UnknownLocalityError):
        price(fees, [dict(hcpcs="99213")], locality="99999-99")


# --------------------------------------------------------------------------- PC/TC and OPPS


def test_professional_and_technical_components(fees):
    p = price(fees, [dict(hcpcs="70553", modifiers="26"), dict(hcpcs="70553", modifiers="TC")])
    pc, tc = p.iloc[0], p.iloc[1]
    # 70553-26: 2.23 + 0.79 + 0.13 = 3.15 x 33.4009 = 105.212835 -> 105.21; wRVU 2.23
    assert (pc["mod_row"], pc["payment"], pc["wrvu_credit"]) == ("26", 105.21, 2.23)
    # 70553-TC: 0.00 + 6.31 + 0.03 = 6.34 x 33.4009 = 211.761706 -> 211.76; wRVU 0
    # (OPPS: 0 + 10.62 + 0.05 = 10.67 x 33.4009 = 356.39 > 211.76, no cap)
    assert (tc["mod_row"], tc["payment"], tc["wrvu_credit"]) == ("TC", 211.76, 0.0)
    assert tc["outcome"] == "priced"
    assert "26 row (professional component)" in pc["adjustments"]


def test_opps_cap_on_imaging_global(fees):
    r = one(fees, hcpcs="70473")
    # PFS: 1.00 + 6.13 + 0.09 = 7.22 x 33.4009 = 241.154498 -> 241.15
    # OPPS: 1.00 + 5.70 + 0.09 = 6.79 x 33.4009 = 226.792111 -> 226.79 (lower: paid)
    assert r["payment"] == 226.79
    assert "OPPS cap" in r["adjustments"]


def test_invalid_pctc_modifier_falls_back_to_global(fees):
    r = one(fees, hcpcs="99213", modifiers="26")
    assert r["mod_row"] == "" and r["payment"] == 95.19
    assert "invalid PC/TC modifier" in r["adjustments"]


# --------------------------------------------------------------------------- bilateral


def test_bilateral_indicator_1_is_150_percent(fees):
    r = one(fees, hcpcs="69436", modifiers="50", pos="22")
    # 69436 facility: 1.96 + 2.09 + 0.28 = 4.33 x 33.4009 = 144.625897 -> 144.63
    # x 150% = 216.945 -> 216.95 (half up); wRVU 1.96 x 1.5 = 2.94
    assert r["payment"] == 216.95
    assert r["wrvu_credit"] == pytest.approx(2.94)
    assert "bilateral (ind 1): 150%" in r["adjustments"]


def test_bilateral_indicator_2_is_100_percent(fees):
    r = one(fees, hcpcs="11010", modifiers="50", pos="22")
    # 11010 (bilat 2) facility: 4.09 + 2.63 + 0.75 = 7.47 x 33.4009 = 249.504723 -> 249.50
    assert r["payment"] == 249.50
    assert r["wrvu_credit"] == 4.09
    assert "bilateral (ind 2)" in r["adjustments"]


# --------------------------------------------------------------------------- MPPR


def test_three_surgeries_same_day_ranked_by_amount(fees):
    rows = [
        dict(hcpcs="11042", pos="22"),
        dict(hcpcs="27130", pos="22"),
        dict(hcpcs="69436", pos="22"),
    ]
    p = price(fees, rows)
    # facility amounts: 27130 34.79 x 33.4009 = 1162.017311 -> 1162.02 (rank 1, 100%)
    # 69436 4.33 x 33.4009 = 144.625897 -> 144.63 (rank 2, 50% = 72.315 -> 72.32)
    # 11042 (0.98 + 0.56 + 0.13) = 1.67 x 33.4009 = 55.779503 -> 55.78 (rank 3, 50% = 27.89)
    assert p["payment"].tolist() == [27.89, 1162.02, 72.32]
    # wRVU: 19.11 + 1.96 x 0.5 + 0.98 x 0.5 = 19.11 + 0.98 + 0.49
    assert p["wrvu_credit"].tolist() == pytest.approx([0.49, 19.11, 0.98])
    assert "MPPR rank 1 of 3: 100%" in p["adjustments"].iloc[1]
    assert "MPPR rank 2 of 3: 50%" in p["adjustments"].iloc[2]
    assert "MPPR rank 3 of 3: 50%" in p["adjustments"].iloc[0]
    assert p["payment_cents"].sum() == 2789 + 116202 + 7232


def test_mppr_is_per_provider_and_day(fees):
    rows = [
        dict(hcpcs="27130", pos="22"),
        dict(hcpcs="69436", pos="22", provider_id="P2"),
        dict(hcpcs="69436", pos="22", date_of_service="2026-08-04"),
    ]
    p = price(fees, rows)
    # each line is alone on its provider/day: no reduction
    assert p["payment"].tolist() == [1162.02, 144.63, 144.63]


def test_bilateral_before_mppr(fees):
    rows = [dict(hcpcs="69436", modifiers="50", pos="22"), dict(hcpcs="11042", pos="22")]
    p = price(fees, rows)
    # 69436-50: 144.63 x 150% = 216.95 ranks first (100%); 11042 55.78 x 50% = 27.89
    assert p["payment"].tolist() == [216.95, 27.89]


def test_units_of_a_ranked_code_rank_as_more_procedures(fees):
    r = one(fees, hcpcs="11042", units=3, pos="22")
    # 55.78 first unit + 2 x (55.78 x 50% = 27.89) = 111.56; wRVU 0.98 + 2 x 0.49 = 1.96
    assert r["payment"] == 111.56
    assert r["wrvu_credit"] == pytest.approx(1.96)
    assert "MPPR ranks 1-3 of 3" in r["adjustments"]


def test_units_multiply_the_line(fees):
    r = one(fees, hcpcs="99213", units=3)
    # 95.19 x 3 = 285.57; wRVU 1.30 x 3 = 3.90
    assert r["payment"] == 285.57
    assert r["wrvu_credit"] == pytest.approx(3.90)
    assert r["units"] == 3


def test_endoscopy_family(fees):
    rows = [dict(hcpcs=c, pos="24") for c in ("29807", "29819", "29820", "29805")]
    p = price(fees, rows)
    # facility totals (NF NA codes, PEs equal): 29807 28.50 -> 951.93, 29819 16.47 -> 550.11,
    # 29820 15.02 -> 501.68, base 29805 13.44 -> 448.91 (each x 33.4009, rounded)
    # family: 951.93 + (550.11 - 448.91) + (501.68 - 448.91) + 0 = 1105.90 (family members after the first: TC reduced 50%)
    assert p["payment"].tolist() == [951.93, 101.20, 52.77, 0.0]
    assert p["payment_cents"].sum() == 110590
    # wRVU: 14.30 + (7.60 - 5.88) + (7.03 - 5.88) + 0 = 17.17
    assert p["wrvu_credit"].tolist() == pytest.approx([14.30, 1.72, 1.15, 0.0])
    assert p["wrvu_credit"].sum() == pytest.approx(17.17)
    base = p.iloc[3]
    assert base["outcome"] == "zero" and "endoscopy base 29805" in base["reason"]


def test_endoscopy_family_without_base_subtracts_base(fees):
    p = price(fees, [dict(hcpcs="29807", pos="24"), dict(hcpcs="29819", pos="24")])
    # 951.93 + (550.11 - 448.91) = 1053.13
    assert p["payment"].tolist() == [951.93, 101.20]


# --------------------------------------------------------------------------- surgeons


def test_co_surgeon_62(fees):
    r = one(fees, hcpcs="27447", modifiers="62", pos="21")
    # 27447 facility: 19.11 + 11.58 + 4.02 = 34.71 x 33.4009 = 1159.345239 -> 1159.35
    # x 62.5% = 724.59375 -> 724.59; wRVU 19.11 x 0.625 = 11.94375
    assert r["payment"] == 724.59
    assert r["wrvu_credit"] == pytest.approx(11.94375, abs=1e-4)
    assert "co-surgeon (62): 62.5%" in r["adjustments"]


def test_assistant_80_and_as(fees):
    p = price(
        fees,
        [
            dict(hcpcs="27447", modifiers="80", pos="21", provider_id="A1"),
            dict(hcpcs="27447", modifiers="AS", pos="21", provider_id="A2"),
        ],
    )
    # 80: 1159.35 x 16% = 185.496 -> 185.50; wRVU 19.11 x 0.16 = 3.0576
    # AS: 1159.35 x 13.6% = 157.6716 -> 157.67; wRVU 19.11 x 0.136 = 2.59896
    assert p["payment"].tolist() == [185.50, 157.67]
    assert p["wrvu_credit"].tolist() == pytest.approx([3.0576, 2.59896], abs=1e-4)
    assert "assistant at surgery (80): 16%" in p["adjustments"].iloc[0]
    assert "(AS): 13.6%" in p["adjustments"].iloc[1]


def test_full_credit_policy_keeps_the_assistant_share(fees):
    r = price(fees, [dict(hcpcs="27447", modifiers="80", pos="21")], policy="full-credit").iloc[0]
    # full-credit drops payment-policy reductions only; an assistant did 16% of the work:
    # 19.11 x 0.16 = 3.0576, as under medicare
    assert r["wrvu_credit"] == pytest.approx(3.0576, abs=1e-4)
    assert r["payment"] == 185.50  # payment is Medicare's either way


def test_team_surgery_66_not_estimable(fees):
    # 47140 TEAM SURG 2 "Team surgeons permitted; pay by report": not estimable, full wRVU
    r = one(fees, hcpcs="47140", modifiers="66", pos="21")
    assert pd.isna(r["payment"]) and pd.isna(r["payment_cents"])
    assert r["wrvu_credit"] == 57.92
    assert "team surgery (66)" in r["adjustments"]


def test_split_care_54(fees):
    r = one(fees, hcpcs="27447", modifiers="54", pos="21")
    # pre 0.10 + intra 0.69 = 79%: 1159.35 x 0.79 = 915.8865 -> 915.89
    # wRVU 19.11 x 0.79 = 15.0969
    assert r["payment"] == 915.89
    assert r["wrvu_credit"] == pytest.approx(15.0969, abs=1e-4)


def test_discontinued_53_row(fees):
    r = one(fees, hcpcs="45378", modifiers="53")
    # 45378-53 row: 1.59 + 3.87 + 0.21 = 5.67 x 33.4009 = 189.383103 -> 189.38; wRVU 1.59
    assert (r["mod_row"], r["payment"], r["wrvu_credit"]) == ("53", 189.38, 1.59)


def test_53_without_cms_row_not_estimable(fees):
    r = one(fees, hcpcs="11042", modifiers="53")
    assert pd.isna(r["payment"])
    assert r["wrvu_credit"] == 0.98  # factor 1.0 by default
    assert "no CMS 53 row" in r["adjustments"]


# --------------------------------------------------------------------------- status codes


def test_status_b_credits_and_pays_zero(fees):
    r = one(fees, hcpcs="36000")
    # 36000 is status B (work 0.18 shown, flagged not used for payment)
    assert (r["status"], r["wrvu_credit"], r["payment"]) == ("B", 0.0, 0.0)
    assert r["outcome"] == "zero" and "status B" in r["reason"]


def test_status_i_credits_and_pays_zero(fees):
    r = one(fees, hcpcs="27215")
    assert (r["status"], r["wrvu_credit"], r["payment"]) == ("I", 0.0, 0.0)
    assert "status I" in r["reason"]


def test_status_n_credits_work_pays_zero(fees):
    r = one(fees, hcpcs="99396")
    assert (r["status"], r["wrvu_credit"], r["payment"]) == ("N", 1.90, 0.0)
    assert r["outcome"] == "priced"


def test_status_c_not_estimable_names_26_work(fees):
    r = one(fees, hcpcs="70555")
    assert r["status"] == "C" and pd.isna(r["payment"]) and r["wrvu_credit"] == 0.0
    assert r["outcome"] == "zero" and "2.48" in r["reason"]


def test_status_t_paid_only_when_alone(fees):
    alone = one(fees, hcpcs="36598")
    # 36598 (T) office: 0.72 + 2.68 + 0.07 = 3.47 x 33.4009 = 115.901123 -> 115.90
    assert (alone["payment"], alone["wrvu_credit"]) == (115.90, 0.72)
    p = price(fees, [dict(hcpcs="36598"), dict(hcpcs="99213")])
    assert (p["payment"].iloc[0], p["wrvu_credit"].iloc[0]) == (0.0, 0.0)
    assert "bundled" in p["reason"].iloc[0]
    assert p["payment"].iloc[1] == 95.19


def test_unknown_code(fees):
    r = one(fees, hcpcs="9999Z")
    assert r["outcome"] == "zero" and pd.isna(r["payment"])
    assert r["reason"] == "unknown code: 9999Z is not in the fee schedule (RVU26C)"


# --------------------------------------------------------------------------- shape


def test_one_row_per_line_in_order_with_rejected_rows(fees):
    rows = [
        dict(hcpcs="99213"),
        dict(
            hcpcs="",
            units=0,
            reject_reason="log.csv, row 3, column hcpcs: empty",
            reject_column="hcpcs",
        ),
        dict(hcpcs="36000"),
        dict(hcpcs="99214"),
    ]
    p = price(fees, rows)
    assert p["source_row"].tolist() == [2, 3, 4, 5]
    assert p["outcome"].tolist() == ["priced", "rejected", "zero", "priced"]
    assert p["reason"].iloc[1] == "log.csv, row 3, column hcpcs: empty"
    assert not p["priced"].iloc[1]
    for col in (
        "source_file",
        "source_row",
        "provider_id",
        "date_of_service",
        "hcpcs",
        "modifiers",
        "units",
        "pos",
        "setting",
        "locality",
        "fee_schedule_release",
        "status",
        "work_rvu",
        "wrvu_credit",
        "payment",
        "adjustments",
        "priced",
        "reason",
    ):
        assert col in p.columns


def test_empty_log(fees):
    p = price_lines(make_lines([]), fees, PricingSettings())
    assert len(p) == 0


def test_category_ranges():
    assert category_of("99213") == "Evaluation and Management"
    assert category_of("00100") == "Anesthesia"
    assert category_of("47383") == "Surgery"
    assert category_of("70553") == "Radiology"
    assert category_of("0001U") == "Pathology and Laboratory"
    assert category_of("96372") == "Medicine"
    assert category_of("0001F") == "Category II"
    assert category_of("0042T") == "Category III"
    assert category_of("G0438") == "HCPCS Level II"


# --------------------------------------------------------------------------- imaging MPPR


def test_imaging_mppr_two_globals_same_day(fees):
    p = price(fees, [dict(hcpcs="70553"), dict(hcpcs="70473")])
    # 70553 global: 9.49 x 33.4009 = 316.97 (highest TC: full)
    # 70473 global: PFS 7.22 -> 241.15, OPPS cap 6.79 -> 226.79 (see test above)
    #   its PC = the 26 row: 1.42 x 33.4009 = 47.429278 -> 47.43; TC = 226.79 - 47.43 = 179.36
    #   TC 2nd: 179.36 x 50% = 89.68; PC 2nd: 47.43 x 95% = 45.0585 -> 45.06; total 134.74
    assert p["payment"].tolist() == [316.97, 134.74]
    # wRVU: the 5% PC reduction is off by default (settings.imaging_pc_reduction)
    assert p["wrvu_credit"].tolist() == [2.23, 1.00]
    assert "TC rank 2 of 2, 50% off" in p["adjustments"].iloc[1]


def test_imaging_mppr_technical_components_and_units(fees):
    p = price(
        fees,
        [
            dict(hcpcs="70553", modifiers="TC"),
            dict(hcpcs="70473", modifiers="TC"),
            dict(hcpcs="70553", units=2, provider_id="P2"),
        ],
    )
    # 70553-TC 211.76 full; 70473-TC capped at OPPS (0 + 5.34 + 0.03 = 5.37 -> 179.36), 50% = 89.68
    # P2, 70553 x 2: unit 1 = 316.97; unit 2 = TC 211.76 x 50% = 105.88 + PC 105.21 x 95%
    #   (99.9495 -> 99.95) = 205.83; line = 522.80
    assert p["payment"].tolist() == [211.76, 89.68, 522.80]


def test_imaging_pc_reduction_on_wrvu_when_asked(fees):
    p = price(
        fees,
        [dict(hcpcs="70553", modifiers="26"), dict(hcpcs="70473", modifiers="26")],
        imaging_pc_reduction=True,
    )
    # 70473-26 is the 2nd PC: payment 47.43 x 95% = 45.06; wRVU 1.00 x 0.95 = 0.95
    assert p["payment"].tolist() == [105.21, 45.06]
    assert p["wrvu_credit"].tolist() == pytest.approx([2.23, 0.95])


def test_bad_line_zip_rejects_the_line(fees):
    p = price(fees, [dict(hcpcs="99213", zip="00000")])
    r = p.iloc[0]
    assert r["outcome"] == "rejected"
    assert r["reason"].startswith("log.csv, row 2, column zip: ")
    assert "00000" in r["reason"]
