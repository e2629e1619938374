"""Assistant-at-surgery (80, 81, 82, AS), co-surgeon (62) and team-surgery (66) lines priced
by the ASST SURG, CO SURG and TEAM SURG indicators of the fee schedule.

The indicator texts are quoted from RVU25D.pdf (the PPRRVU record layout; the 2026 file
uses the same fields). Every amount is computed by hand from the RVU26C file
(PPRRVU2026_Jul_nonQPP.csv): national (all GPCIs 1.000), non-QP CF 33.4009, POS 21
(facility). wRVUs are the code's work RVU times the modifier's share:

- payable: priced at the modifier's percentage, both policies credit the share;
- payable with documentation: priced and flagged "documentation of medical necessity";
- not payable: payment 0.00, ``medicare`` credits 0 wRVU (outcome "zero", a reason naming
  the indicator), ``full-credit`` keeps the share of the work done (it ignores payment
  policy) and says so;
- team surgery "pay by report" (TEAM SURG 1 and 2): payment not estimable (the MAC prices
  it), the full work RVU credited under both policies, as before.
"""

from __future__ import annotations

import pandas as pd
import pytest

from _lines import make_lines
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings

# The fee-schedule facts used below (RVU26C, global rows; facility total = work + F PE + MP)
#   code   work   F PE   MP    facility total  x 33.4009 = amount   ASST CO TEAM
#   10030  2.68   0.51   0.35  3.54            118.239186 -> 118.24   0   0   0
#   29807  14.30  11.27  2.93  28.50           951.92565  -> 951.93   1   1   0
#   27447  19.11  11.58  4.02  34.71           1159.345239 -> 1159.35 2   1   0
#   92961  4.23   1.24   0.98  6.45            215.435805 -> 215.44   9   9   9
#   33533  32.91  11.59  8.13  52.63           1757.889367 -> 1757.89 2   0   0
#   22612  22.94  14.38  6.62  43.94           1467.635546 -> 1467.64 2   2   0
#   33361  21.91  5.14   5.26  32.31           (66: by report)        0   2   1
#   47140  57.92  26.71  15.52 100.15          (66: by report)        2   1   2

ASST_TEXT = {  # RVU25D.pdf, "Assistant at Surgery" (ASST SURG)
    "0": "Payment restriction for assistants at surgery applies to this procedure unless "
    "supporting documentation is submitted to establish medical necessity.",
    "1": "Statutory payment restriction for assistants at surgery applies to this procedure. "
    "Assistant at surgery may not be paid.",
    "2": "Payment restriction for assistants at surgery does not apply to this procedure. "
    "Assistant at surgery may be paid.",
    "9": "Concept does not apply.",
}
CO_TEXT = {  # RVU25D.pdf, "Co-surgeons (Modifier 62)" (CO SURG)
    "0": "Co-surgeons not permitted for this procedure.",
    "1": "Co-surgeons could be paid, though supporting documentation is required to establish "
    "the medical necessity of two surgeons for the procedure.",
    "2": "Co-surgeons permitted and no documentation required if the two-specialty "
    "requirement is met.",
    "9": "Concept does not apply.",
}
TEAM_TEXT = {  # RVU25D.pdf, "Team Surgery (Modifier 66)" (TEAM SURG)
    "0": "Team surgeons not permitted for this procedure.",
    "1": "Team surgeons could be paid, though supporting documentation required to establish "
    "medical necessity of a team; pay by report.",
    "2": "Team surgeons permitted; pay by report.",
    "9": "Concept does not apply.",
}


def _one(fees, hcpcs, mods, policy):
    lines = make_lines([dict(hcpcs=hcpcs, modifiers=mods, pos="21")])
    return price_lines(lines, fees, PricingSettings(policy=policy)).iloc[0]


def _both(fees, hcpcs, mods):
    return _one(fees, hcpcs, mods, "medicare"), _one(fees, hcpcs, mods, "full-credit")


# --------------------------------------------------------------------------- ASST SURG


@pytest.mark.parametrize(
    "mod, pct, cents, wrvu",
    [
        # 118.24 x 16% = 18.9184 -> 18.92; 2.68 x 0.16 = 0.4288
        ("80", 16, 1892, 0.4288),
        ("81", 16, 1892, 0.4288),
        ("82", 16, 1892, 0.4288),
        # AS: 118.24 x 13.6% = 16.08064 -> 16.08; 2.68 x 0.136 = 0.36448
        ("AS", 13.6, 1608, 0.36448),
    ],
)
def test__asst_surg_0__priced_and_flagged(fees, mod, pct, cents, wrvu):
    # ASST SURG 0: ASST_TEXT["0"] -> priced at the assistant percentage, documentation flag
    for r in _both(fees, "10030", mod):
        assert r["payment_cents"] == cents
        assert r["wrvu_credit"] == pytest.approx(wrvu, abs=1e-4)
        assert r["outcome"] == "priced" and r["reason"] == ""
        assert f"({mod}): {pct}%" in r["adjustments"]
        assert "documentation of medical necessity required (ASST SURG ind 0)" in r["adjustments"]


@pytest.mark.parametrize(
    "mod, full_wrvu",
    [
        # full-credit keeps the share: 14.30 x 0.16 = 2.288; AS 14.30 x 0.136 = 1.9448
        ("80", 2.288),
        ("81", 2.288),
        ("82", 2.288),
        ("AS", 1.9448),
    ],
)
def test__asst_surg_1__not_payable(fees, mod, full_wrvu):
    # ASST SURG 1: ASST_TEXT["1"] -> payment 0, medicare credit 0 with the indicator named
    med, full = _both(fees, "29807", mod)
    assert med["payment_cents"] == 0 and full["payment_cents"] == 0
    assert med["wrvu_credit"] == 0.0
    assert med["outcome"] == "zero"
    assert med["reason"] == (
        "ASST SURG indicator 1 (statutory payment restriction, assistant at surgery may not be "
        f"paid): modifier {mod} not payable, payment 0, 0 wRVU credited"
    )
    assert "may not be paid for this code (ASST SURG ind 1): payment 0" in med["adjustments"]
    assert full["wrvu_credit"] == pytest.approx(full_wrvu, abs=1e-4)
    assert full["outcome"] == "priced"
    assert "share of the work credited though Medicare does not pay it" in full["adjustments"]


@pytest.mark.parametrize(
    "mod, cents, wrvu",
    [
        # 1159.35 x 16% = 185.496 -> 185.50; 19.11 x 0.16 = 3.0576
        ("80", 18550, 3.0576),
        ("81", 18550, 3.0576),
        ("82", 18550, 3.0576),
        # 1159.35 x 13.6% = 157.6716 -> 157.67; 19.11 x 0.136 = 2.59896
        ("AS", 15767, 2.59896),
    ],
)
def test__asst_surg_2__payable(fees, mod, cents, wrvu):
    # ASST SURG 2: ASST_TEXT["2"] -> priced, no flag
    for r in _both(fees, "27447", mod):
        assert r["payment_cents"] == cents
        assert r["wrvu_credit"] == pytest.approx(wrvu, abs=1e-4)
        assert "ASST SURG" not in r["adjustments"] and r["reason"] == ""


@pytest.mark.parametrize(
    "mod, full_wrvu",
    [
        # full-credit: 4.23 x 0.16 = 0.6768; AS 4.23 x 0.136 = 0.57528
        ("80", 0.6768),
        ("81", 0.6768),
        ("82", 0.6768),
        ("AS", 0.57528),
    ],
)
def test__asst_surg_9__concept_does_not_apply(fees, mod, full_wrvu):
    # ASST SURG 9: ASST_TEXT["9"] -> an assistant is not a thing for 92961: not payable
    med, full = _both(fees, "92961", mod)
    assert med["payment_cents"] == 0 and med["wrvu_credit"] == 0.0
    assert med["outcome"] == "zero"
    assert med["reason"].startswith("ASST SURG indicator 9 (concept does not apply)")
    assert f"modifier {mod} not payable" in med["reason"]
    assert full["payment_cents"] == 0
    assert full["wrvu_credit"] == pytest.approx(full_wrvu, abs=1e-4)


# --------------------------------------------------------------------------- CO SURG


def test__co_surg_0__not_permitted(fees):
    # CO SURG 0: CO_TEXT["0"] -> 33533-62 payment 0 (not 1757.89 x 62.5%), medicare 0 wRVU
    med, full = _both(fees, "33533", "62")
    assert med["payment_cents"] == 0 and med["wrvu_credit"] == 0.0
    assert med["outcome"] == "zero"
    assert med["reason"] == (
        "CO SURG indicator 0 (co-surgeons not permitted for this "
        "procedure): modifier 62 not payable, payment 0, 0 wRVU credited"
    )
    # full-credit keeps the co-surgeon's share: 32.91 x 0.625 = 20.56875
    assert full["payment_cents"] == 0
    assert full["wrvu_credit"] == pytest.approx(20.56875, abs=1e-4)


def test__co_surg_1__priced_with_documentation_flag(fees):
    # CO SURG 1: CO_TEXT["1"] -> 1159.35 x 62.5% = 724.59375 -> 724.59; 19.11 x 0.625
    for r in _both(fees, "27447", "62"):
        assert r["payment_cents"] == 72459
        assert r["wrvu_credit"] == pytest.approx(11.94375, abs=1e-4)
        assert "documentation of medical necessity required (CO SURG ind 1)" in r["adjustments"]


def test__co_surg_2__priced(fees):
    # CO SURG 2: CO_TEXT["2"] -> 1467.64 x 62.5% = 917.275 -> 917.28; 22.94 x 0.625 = 14.3375
    for r in _both(fees, "22612", "62"):
        assert r["payment_cents"] == 91728
        assert r["wrvu_credit"] == pytest.approx(14.3375, abs=1e-4)
        assert "CO SURG" not in r["adjustments"] and r["reason"] == ""


def test__co_surg_9__concept_does_not_apply(fees):
    # CO SURG 9: CO_TEXT["9"] -> 92961-62 not paid (was 215.44 x 62.5% = 134.65)
    med, full = _both(fees, "92961", "62")
    assert med["payment_cents"] == 0 and med["wrvu_credit"] == 0.0
    assert med["reason"].startswith("CO SURG indicator 9 (concept does not apply)")
    assert "(CO SURG ind 9): payment 0" in med["adjustments"]
    assert full["wrvu_credit"] == pytest.approx(2.64375, abs=1e-4)  # 4.23 x 0.625


# --------------------------------------------------------------------------- TEAM SURG


def test__team_surg_0__not_permitted(fees):
    # TEAM SURG 0: TEAM_TEXT["0"] -> 27447-66 payment 0.00 (not "by report"), medicare 0 wRVU
    med, full = _both(fees, "27447", "66")
    assert med["payment_cents"] == 0 and med["wrvu_credit"] == 0.0
    assert med["outcome"] == "zero"
    assert med["reason"] == (
        "TEAM SURG indicator 0 (team surgeons not permitted for this "
        "procedure): modifier 66 not payable, payment 0, 0 wRVU credited"
    )
    assert "by report" not in med["adjustments"]
    # full-credit: a team surgeon's share is not defined, the whole work RVU: 19.11
    assert full["payment_cents"] == 0 and full["wrvu_credit"] == 19.11


def test__team_surg_1__by_report_with_documentation(fees):
    # TEAM SURG 1: TEAM_TEXT["1"] -> pay by report: not estimable, full work RVU 21.91, flag
    for r in _both(fees, "33361", "66"):
        assert pd.isna(r["payment_cents"]) and pd.isna(r["payment"])
        assert r["wrvu_credit"] == 21.91
        assert (
            "documentation of medical necessity required, priced by report (TEAM SURG ind 1)"
            in r["adjustments"]
        )


def test__team_surg_2__by_report(fees):
    # TEAM SURG 2: TEAM_TEXT["2"] -> pay by report: not estimable, full work RVU 57.92
    for r in _both(fees, "47140", "66"):
        assert pd.isna(r["payment_cents"])
        assert r["wrvu_credit"] == 57.92
        assert "priced by report (TEAM SURG ind 2)" in r["adjustments"]


def test__team_surg_9__concept_does_not_apply(fees):
    # TEAM SURG 9: TEAM_TEXT["9"] -> not payable
    med, full = _both(fees, "92961", "66")
    assert med["payment_cents"] == 0 and med["wrvu_credit"] == 0.0
    assert med["reason"].startswith("TEAM SURG indicator 9 (concept does not apply)")
    assert full["wrvu_credit"] == 4.23
