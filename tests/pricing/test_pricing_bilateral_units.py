"""One line with 2 units of a bilateral code priced as one bilateral item (CMS BILAT SURG):
priced exactly as the same line with 50 and one unit; ``units`` stays 2 in the output.

CMS (RVU25D.pdf pp. 11-12, BILAT SURG field) names "a 2 in the units field" for
indicators 1, 2 and 3 only; indicator 0 names modifier 50 and RT+LT, not units, and holds
the time-based, add-on and per-specimen codes (97110, 11045, 88305 ...), so a 2-unit line
of an indicator-0 code stays two units. 59, XE, XP, XS, XU, 76, 77 and 91 say the two
units are separate procedures: no collapse.

Values by hand from PPRRVU2026_Jul_nonQPP.csv (RVU26C), national (all GPCIs 1.000),
non-QP CF 33.4009, date of service 2026-08-03:

| code  | BILAT | MULT | work | PE used        | MP   | total | x 33.4009        | cents    |
|-------|-------|------|------|----------------|------|-------|------------------|----------|
| 27447 | 1     | 2    | 19.11| F 11.58        | 4.02 | 34.71 | 1159.345239      | 1159.35  |
| 20610 | 1     | 2    | 0.77 | F 0.29         | 0.13 | 1.19  | 39.747071        | 39.75    |
| 69210 | 2     | 2    | 0.59 | NF 0.77        | 0.07 | 1.43  | 47.763287        | 47.76    |
| 73560 | 3     | 0    | 0.16 | NF 0.85        | 0.02 | 1.03  | 34.402927        | 34.40    |
| 10060 | 0     | 2    | 1.19 | NF 2.53        | 0.13 | 3.85  | 128.593465       | 128.59   |
| 97110 | 0     | 5    | 0.45 | NF 0.41        | 0.01 | 0.87  | 29.058783        | 29.06    |
| 11300 | 9     | 2    | 0.59 | NF 2.24        | 0.06 | 2.89  | 96.528601        | 96.53    |

(F = facility, POS 21/22; NF = office, POS 11. 73560's OPPS amount 0.16 + 2.70 + 0.04 =
2.90 x 33.4009 = 96.86 is above 34.40: no OPPS cap.)
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _lines import make_lines
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings
from rvubench.pricing.summary import totals

U2_TEXT = "2 units of a bilateral code priced as one bilateral item"


def _price(fees, rows, **kw):
    # one patient's lines: ranked per patient and day (without ids lines are not ranked)
    return price_lines(make_lines(rows, patient_key="pt-1"), fees, PricingSettings(**kw))


def _line(code: str, mods: str, pos: str, units: int = 1, **kw) -> dict:
    return dict(hcpcs=code, modifiers=mods, pos=pos, units=units, **kw)


def _no_u2(p) -> bool:
    return not p["adjustments"].astype(str).str.contains(U2_TEXT, regex=False).any()


# --------------------------------------------------------------------------- per indicator


def test__indicator_1__150_percent_of_one_unit(fees):
    p = _price(fees, [_line("27447", "", "21", units=2)])
    r = p.iloc[0]
    # 27447 facility 1159.35 x 150% = 1739.025 -> 1739.03 (half up)
    assert r["payment_cents"] == 173903
    assert r["payment"] == 1739.03
    # wRVU 19.11 x 1.5 = 28.665
    assert r["wrvu_credit"] == pytest.approx(28.665)
    assert r["units"] == 2  # the input's units, not the 1 it was priced as
    assert r["outcome"] == "priced" and r["reason"] == ""
    assert (
        "2 units of a bilateral code priced as one bilateral item (ind 1): 150%" in r["adjustments"]
    )
    assert "MPPR" not in r["adjustments"]  # one item on the day: nothing to rank
    # today's 2-unit pricing would be 1159.35 + 1159.35 x 50% = 579.675 -> 579.68: 1739.03
    # as well; the ranking tests below tell the two apart
    fifty = _price(fees, [_line("27447", "50", "21")]).iloc[0]
    assert fifty["payment_cents"] == r["payment_cents"]
    assert fifty["wrvu_credit"] == r["wrvu_credit"]
    assert totals(p)["units"] == 2


def test__indicator_2__100_percent_rvus_already_bilateral(fees):
    p = _price(fees, [_line("69210", "", "11", units=2)])
    # 69210 office 47.76 x 100% = 47.76; wRVU 0.59 x 1.0 = 0.59
    # (as two units: 47.76 + 47.76 x 50% = 23.88 -> 71.64, wRVU 0.885)
    assert p["payment_cents"].tolist() == [4776]
    assert p["wrvu_credit"].tolist() == pytest.approx([0.59])
    assert p["units"].tolist() == [2]
    assert "(ind 2): RVUs already bilateral, 100%" in p["adjustments"].iloc[0]


def test__indicator_3__200_percent_on_the_line(fees):
    p = _price(fees, [_line("73560", "", "11", units=2)])
    # 73560 office 34.40 x 200% = 68.80; wRVU 0.16 x 2 = 0.32 (MULT 0: as two units it is
    # 68.80 too; the text says which rule priced it)
    assert p["payment_cents"].tolist() == [6880]
    assert p["wrvu_credit"].tolist() == pytest.approx([0.32])
    assert U2_TEXT + " (ind 3): 200%" in p["adjustments"].iloc[0]


def test__indicator_3_imaging__bilateral_amount_split_into_pc_and_tc(fees):
    # 73721 (BILAT 3, MULT 4 imaging) office, global: 1.32 + 4.71 + 0.09 = 6.12 x 33.4009
    # = 204.413508 -> 204.41 (OPPS 1.32 + 7.75 + 0.10 = 9.17 -> 306.29: no cap); x 200%
    # = 408.82. Its 26 row 1.32 + 0.49 + 0.07 = 1.88 -> 62.793692 -> 62.79, x 200% = 125.58
    # is the PC; TC = 408.82 - 125.58 = 283.24.
    # 70553 (MULT 4) office global: 2.23 + 7.10 + 0.16 = 9.49 x 33.4009 = 316.974541
    # -> 316.97 (OPPS 2.23 + 11.41 + 0.18 = 13.82 -> 461.60: no cap); 26 row 2.23 + 0.79 +
    # 0.13 = 3.15 -> 105.212835 -> 105.21; TC 316.97 - 105.21 = 211.76.
    # TC: 73721 283.24 first (100%), 70553 211.76 x 50% = 105.88.
    # PC: 73721 125.58 first, 70553 105.21 x 95% = 99.9495 -> 99.95.
    p = _price(fees, [_line("73721", "", "11", units=2), _line("70553", "", "11")])
    # 73721: 283.24 + 125.58 = 408.82; 70553: 105.88 + 99.95 = 205.83
    # (as two 73721 units: TC 141.62, then 141.62 x 50% = 70.81; PC 62.79, then 62.79 x 95%
    # = 59.65; 334.87 in all, and 70553 third in TC)
    assert p["payment_cents"].tolist() == [40882, 20583]
    # wRVU (PC 5% reduction off by default): 1.32 x 2 = 2.64; 2.23
    assert p["wrvu_credit"].tolist() == pytest.approx([2.64, 2.23])
    assert p["units"].tolist() == [2, 1]


def test__with_a_higher_procedure__ranks_as_one_item_at_50_percent(fees):
    rows = [_line("27447", "", "22"), _line("20610", "", "22", units=2)]
    p = _price(fees, rows)
    # items: 27447 1159.35 (rank 1, 100%); 20610 x2 as one bilateral item 39.75 x 150% =
    # 59.625 -> 59.63 (rank 2): 59.63 x 50% = 29.815 -> 29.82. As two units it would rank 2-3:
    # 39.75 x 50% = 19.875 -> 19.88 each, 39.76.
    assert p["payment_cents"].tolist() == [115935, 2982]
    # wRVU: 19.11; 0.77 x 1.5 = 1.155 x 0.5 = 0.5775
    assert p["wrvu_credit"].tolist() == pytest.approx([19.11, 0.5775])
    assert "MPPR rank 1 of 2: 100%" in p["adjustments"].iloc[0]
    assert p["adjustments"].iloc[1].endswith(U2_TEXT + " (ind 1): 150%; MPPR rank 2 of 2: 50%")
    assert totals(p)["payment_total_cents"] == 115935 + 2982
    assert totals(p)["units"] == 3


def test__full_credit__credited_as_a_50_line_is(fees):
    rows = [_line("27447", "", "22", units=2), _line("27447", "50", "22", provider_id="P2")]
    p = _price(fees, rows, policy="full-credit")
    # full-credit: both sides in full, so a BILAT SURG 1 item (paid 150%) is credited 200%:
    # 19.11 x 2 = 38.22 for the 50 line and for the 2-unit line. Payment as under medicare:
    # 1159.35 x 150% = 1739.03 for both.
    assert p["wrvu_credit"].tolist() == pytest.approx([38.22, 38.22])
    assert p["payment_cents"].tolist() == [173903, 173903]
    assert p["units"].tolist() == [2, 1]
    assert p["adjustments"].iloc[0] == p["adjustments"].iloc[1].replace(
        "bilateral (ind 1): 150%", U2_TEXT + " (ind 1): 150%"
    )


# --------------------------------------------------------------------------- no collapse


def test__units_3__priced_as_three_units(fees):
    rows = [_line("27447", "", "22"), _line("20610", "", "22", units=3)]
    p = _price(fees, rows)
    # 27447 rank 1: 1159.35; 20610 ranks 2-4: 39.75 x 50% = 19.875 -> 19.88, x 3 = 59.64
    assert p["payment_cents"].tolist() == [115935, 5964]
    # wRVU 0.77 x 0.5 x 3 = 1.155
    assert p["wrvu_credit"].tolist() == pytest.approx([19.11, 1.155])
    assert "MPPR ranks 2-4 of 4: 50%" in p["adjustments"].iloc[1]
    assert _no_u2(p)


@pytest.mark.parametrize("mods", ["59", "XS", "76", "RT", "XU,26"])
def test__distinct_procedure_or_side_modifier__two_units_as_today(fees, mods):
    rows = [_line("27447", "", "22"), _line("20610", mods, "22", units=2)]
    p = _price(fees, rows)
    # 20610 ranks 2-3: 39.75 x 50% = 19.875 -> 19.88 each, 39.76 (26: 20610 has no 26 row,
    # "invalid PC/TC modifier", the global row is used); wRVU 0.77 x 0.5 x 2 = 0.77
    assert p["payment_cents"].tolist() == [115935, 3976]
    assert p["wrvu_credit"].tolist() == pytest.approx([19.11, 0.77])
    assert "MPPR ranks 2-3 of 3: 50%" in p["adjustments"].iloc[1]
    assert _no_u2(p)


def test__modifier_50_with_2_units__unchanged(fees):
    p = _price(fees, [_line("27447", "50", "22", units=2)])
    # as before: each unit is bilateral, 1159.35 x 150% = 1739.025 -> 1739.03, ranked as two
    # items: 1739.03 + 1739.03 x 50% = 869.515 -> 869.52, 2608.55 in all
    assert p["payment_cents"].tolist() == [260855]
    # wRVU 19.11 x 1.5 = 28.665, + 28.665 x 0.5 = 14.3325: 42.9975
    assert p["wrvu_credit"].tolist() == pytest.approx([42.9975])
    assert "bilateral (ind 1): 150%; MPPR ranks 1-2 of 2: 100% then 50%" in p["adjustments"][0]
    assert _no_u2(p)


def test__indicator_9__two_units_as_today(fees):
    p = _price(fees, [_line("11300", "", "11", units=2)])
    # 11300 office 96.53 (rank 1) + 96.53 x 50% = 48.265 -> 48.27: 144.80; wRVU 0.59 + 0.295
    assert p["payment_cents"].tolist() == [14480]
    assert p["wrvu_credit"].tolist() == pytest.approx([0.885])
    assert _no_u2(p)


def test__indicator_0__two_units_as_today(fees):
    # CMS names "2 in the units field" for indicators 1-3, not 0 (module docstring)
    p = _price(
        fees,
        [_line("10060", "", "11", units=2), _line("97110", "", "11", units=2, provider_id="P2")],
    )
    # 10060 office 128.59 (rank 1) + 128.59 x 50% = 64.295 -> 64.30: 192.89; wRVU 1.19 +
    # 0.595 = 1.785. 97110 (MULT 5, not ranked) 29.06 x 2 = 58.12; wRVU 0.45 x 2 = 0.90
    assert p["payment_cents"].tolist() == [19289, 5812]
    assert p["wrvu_credit"].tolist() == pytest.approx([1.785, 0.90])
    assert _no_u2(p)


def test__rejected_and_unknown_lines__untouched(fees):
    rows = [
        _line("27447", "", "22", units=2, reject_reason="log.csv, row 2, column pos: bad"),
        _line("9999Z", "", "22", units=2),
    ]
    p = _price(fees, rows)
    assert p["outcome"].tolist() == ["rejected", "zero"]
    assert _no_u2(p)


# --------------------------------------------------------------------------- properties

# codes of every indicator (20610, 27447: 1; 69210: 2; 73721: 3; 10060: 0; 11300: 9)
CODES = ["20610", "27447", "69210", "73721", "10060", "11300"]
MODS = ["", "", "", "59", "XS", "76", "80", "26", "RT", "LT", "50", "22", "62", "52"]
DISTINCT = {"59", "XE", "XP", "XS", "XU", "76", "77", "91"}

line_st = st.fixed_dictionaries(
    {
        "hcpcs": st.sampled_from(CODES),
        "modifiers": st.sampled_from(MODS),
        "units": st.sampled_from([1, 1, 2, 2, 3]),
        "pos": st.sampled_from(["11", "22"]),
        "provider_id": st.just("P1"),
        "date_of_service": st.sampled_from(["2026-08-03", "2026-08-04"]),
        "patient_key": st.sampled_from(["", "", "a"]),
    }
)


def _collapses(fees, hcpcs: str, mods: str, units: int) -> bool:
    """The rule, written from the fee schedule independently of the engine: 2 units, BILAT
    SURG 1-3 (global row: the 26 row of 73721 carries the same indicator), status A, no 50,
    RT, LT or distinct-procedure modifier."""
    rows = fees.release("RVU26C").rows
    row = rows[(rows["hcpcs"] == hcpcs) & (rows["mod"] == "")].iloc[0]
    ms = set(mods.split(",")) - {""}
    return (
        units == 2
        and row["bilat"] in ("1", "2", "3")
        and row["status"] == "A"
        and not ms & ({"50", "RT", "LT"} | DISTINCT)
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(line_st, min_size=1, max_size=10),
    policy=st.sampled_from(["medicare", "full-credit"]),
)
def test__property__two_unit_line_prices_like_50_with_one_unit(fees, rows, policy):
    lines = make_lines(rows)
    p = price_lines(lines, fees, PricingSettings(policy=policy))
    assert p["units"].tolist() == lines["units"].tolist()  # the input's units, always
    hit = [_collapses(fees, r["hcpcs"], r["modifiers"], r["units"]) for r in rows]
    texts = p["adjustments"].astype(str).str.contains(U2_TEXT, regex=False).tolist()
    assert texts == hit
    # metamorphic: each such line given 50 and one unit prices the same, line for line
    alt = lines.copy()
    for i, h in enumerate(hit):
        if h:
            mods = [m for m in alt.at[i, "modifiers"].split(",") if m]
            alt.at[i, "modifiers"] = ",".join([*mods, "50"])
            alt.at[i, "units"] = 1
    q = price_lines(alt, fees, PricingSettings(policy=policy))
    assert p["payment_cents"].fillna(-1).tolist() == q["payment_cents"].fillna(-1).tolist()
    assert p["wrvu_credit"].tolist() == pytest.approx(q["wrvu_credit"].tolist())
    assert p["outcome"].tolist() == q["outcome"].tolist()
