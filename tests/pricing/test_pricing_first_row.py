"""Every adjustment is named on the line it changes, also when that line is row 1 of the log.

A log whose first row was 27447-54 had its payment cut to 79% while ``adjustments`` said only
"facility rate (POS 21)": the split-care text was built from a factorization whose label 0
(the first line's split) was read as "no text". Each adjustment kind below is the first row
of its log; its text must be there, and be the same text the line gets when another line
comes before it.
"""

from __future__ import annotations

import pytest

from _lines import make_lines
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings

P = "22"  # facility POS (outpatient hospital) unless a case says otherwise

CASES = {  # kind -> (rows, row 1 must contain, policy)
    "26 row": ([dict(hcpcs="70553", modifiers="26")], "26 row (professional component)"),
    "TC row": ([dict(hcpcs="70553", modifiers="TC")], "TC row (technical component)"),
    "53 row": ([dict(hcpcs="45378", modifiers="53")], "53 row (discontinued procedure)"),
    "invalid PC/TC": ([dict(hcpcs="99213", modifiers="26")], "invalid PC/TC modifier"),
    "26 and TC": ([dict(hcpcs="70553", modifiers="26,TC")], "both 26 and TC billed"),
    "setting": ([dict(hcpcs="99213", pos="")], "non-facility rate (no POS: default 11)"),
    "NA setting": ([dict(hcpcs="27447", pos="11")], "non-facility rate flagged NA"),
    "coverage note": ([dict(hcpcs="99213", date_of_service="2026-03-02")], "does not cover"),
    "ZIP+4 note": ([dict(hcpcs="99213", zip="35958")], "ZIP 35958 is split by ZIP+4"),
    "OPPS cap": ([dict(hcpcs="70473")], "OPPS cap (imaging technical component)"),
    "status R": ([dict(hcpcs="11055")], "restricted coverage (status R)"),
    "status N": ([dict(hcpcs="99396")], "non-covered by Medicare (status N)"),
    "bilateral ind 1": ([dict(hcpcs="69436", modifiers="50", pos=P)], "bilateral (ind 1): 150%"),
    "bilateral ind 0": ([dict(hcpcs="11042", modifiers="50", pos=P)], "bilateral (ind 0)"),
    "bilateral ind 2": ([dict(hcpcs="11010", modifiers="50", pos=P)], "bilateral (ind 2)"),
    "bilateral ind 3": ([dict(hcpcs="73721", modifiers="50")], "bilateral (ind 3): 200%"),
    "bilateral ind 9": (
        [dict(hcpcs="92961", modifiers="50", pos=P)],
        "modifier 50 not applicable to this code (bilateral ind 9)",
    ),
    "assistant 80": (
        [dict(hcpcs="27447", modifiers="80", pos=P)],
        "assistant at surgery (80): 16%",
    ),
    "assistant 81": (
        [dict(hcpcs="27447", modifiers="81", pos=P)],
        "assistant at surgery (81): 16%",
    ),
    "assistant 82": (
        [dict(hcpcs="27447", modifiers="82", pos=P)],
        "assistant at surgery (82): 16%",
    ),
    "assistant AS": (
        [dict(hcpcs="27447", modifiers="AS", pos=P)],
        "non-physician assistant at surgery (AS): 13.6%",
    ),
    "ASST SURG 0": ([dict(hcpcs="10030", modifiers="80", pos=P)], "(ASST SURG ind 0)"),
    "ASST SURG 1": ([dict(hcpcs="29807", modifiers="80", pos=P)], "(ASST SURG ind 1)"),
    "ASST SURG 9": ([dict(hcpcs="92961", modifiers="80", pos=P)], "(ASST SURG ind 9)"),
    "co-surgeon": ([dict(hcpcs="22612", modifiers="62", pos=P)], "co-surgeon (62): 62.5%"),
    "CO SURG 0": ([dict(hcpcs="33533", modifiers="62", pos=P)], "(CO SURG ind 0)"),
    "CO SURG 1": ([dict(hcpcs="27447", modifiers="62", pos=P)], "(CO SURG ind 1)"),
    "CO SURG 9": ([dict(hcpcs="92961", modifiers="62", pos=P)], "(CO SURG ind 9)"),
    "TEAM SURG 0": ([dict(hcpcs="27447", modifiers="66", pos=P)], "(TEAM SURG ind 0)"),
    "TEAM SURG 1": ([dict(hcpcs="33361", modifiers="66", pos=P)], "(TEAM SURG ind 1)"),
    "TEAM SURG 2": ([dict(hcpcs="47140", modifiers="66", pos=P)], "(TEAM SURG ind 2)"),
    "TEAM SURG 9": ([dict(hcpcs="92961", modifiers="66", pos=P)], "(TEAM SURG ind 9)"),
    "split 54": (
        [dict(hcpcs="27447", modifiers="54", pos="21")],
        "surgical care only (54): pre-op + intra-op 79%",
    ),
    "split 55": ([dict(hcpcs="27447", modifiers="55", pos="21")], "post-op care only (55) 21%"),
    "split 56": ([dict(hcpcs="27447", modifiers="56", pos="21")], "pre-op care only (56) 10%"),
    "return to OR 78": (
        [dict(hcpcs="27447", modifiers="78", pos="21")],
        "return to OR (78): intra-op 69%",
    ),
    "split missing": (
        [dict(hcpcs="92961", modifiers="54", pos=P)],
        "modifier 54: the fee schedule has no pre/intra/post-op split",
    ),
    "reduced 52": ([dict(hcpcs="11042", modifiers="52", pos=P)], "reduced service (52)"),
    "53 without row": ([dict(hcpcs="11042", modifiers="53", pos=P)], "no CMS 53 row"),
    "increased 22": ([dict(hcpcs="11042", modifiers="22", pos=P)], "increased service (22)"),
    "T alone": ([dict(hcpcs="36598")], "injection (status T): paid as the only service"),
    "endoscopy": (
        [dict(hcpcs="29819", pos="24"), dict(hcpcs="29807", pos="24")],
        "endoscopy family 29805: paid minus base 29805",
    ),
    "MPPR": ([dict(hcpcs="11042", pos=P), dict(hcpcs="27130", pos=P)], "MPPR rank 2 of 2: 50%"),
    "imaging MPPR": ([dict(hcpcs="70473"), dict(hcpcs="70553")], "TC rank 2 of 2, 50% off"),
    "RT+LT pair": (
        [dict(hcpcs="27447", modifiers="RT", pos=P), dict(hcpcs="27447", modifiers="LT", pos=P)],
        "bilateral RT+LT with row 3 (ind 1): 150%",
    ),
    "2 units bilateral": (
        [dict(hcpcs="27447", units=2, pos=P)],
        "2 units of a bilateral code priced as one bilateral item (ind 1)",
    ),
    "full-credit bilateral": (
        [dict(hcpcs="64493", modifiers="50", pos=P)],
        "full-credit policy: wRVU without multiple-procedure",
        "full-credit",
    ),
    "full-credit not payable": (
        [dict(hcpcs="29807", modifiers="80", pos=P)],
        "full-credit policy: the modifier's share",
        "full-credit",
    ),
}


@pytest.mark.parametrize("kind", list(CASES))
def test__adjustment_named_on_row_1(fees, kind):
    rows, text, *policy = CASES[kind]
    policy = policy[0] if policy else "medicare"
    rows = [dict(r, source_row=i + 2) for i, r in enumerate(rows)]
    first = price_lines(make_lines(rows, patient_key="pt-1"), fees, PricingSettings(policy=policy))
    assert text in first["adjustments"].iloc[0]
    # the same lines after an unrelated line (another clinician): the same text
    other = dict(hcpcs="99213", provider_id="OTHER", source_row=99)
    later = price_lines(
        make_lines([other, *rows], patient_key="pt-1"), fees, PricingSettings(policy=policy)
    )
    assert later["adjustments"].iloc[1] == first["adjustments"].iloc[0]


def test__split_care_first_row_named_and_priced(fees):
    # the audit's case: 27447-54 as row 1. 27447 facility 34.71 x 33.4009 = 1159.35;
    # pre 0.10 + intra 0.69 = 79%: 1159.35 x 0.79 = 915.8865 -> 915.89
    p = price_lines(
        make_lines([dict(hcpcs="27447", modifiers="54", pos="21")]), fees, PricingSettings()
    )
    assert p["payment_cents"].iloc[0] == 91589
    assert p["adjustments"].iloc[0] == (
        "facility rate (POS 21); surgical care only (54): pre-op + intra-op 79%"
    )
