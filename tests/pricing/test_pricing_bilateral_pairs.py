"""RT and LT lines of one code the same day priced as one bilateral item (CMS counts them as
one bilateral procedure): the earlier line is priced as if it carried 50 (one unit), the later
one is credited zero.

Values by hand from PPRRVU2026_Jul_nonQPP.csv (RVU26C), national (all GPCIs 1.000),
non-QP CF 33.4009, date of service 2026-08-03:

| code  | BILAT | MULT | work | PE used        | MP   | total | x 33.4009        | cents    |
|-------|-------|------|------|----------------|------|-------|------------------|----------|
| 27447 | 1     | 2    | 19.11| F 11.58        | 4.02 | 34.71 | 1159.345239      | 1159.35  |
| 20610 | 1     | 2    | 0.77 | F 0.29         | 0.13 | 1.19  | 39.747071        | 39.75    |
| 10060 | 0     | 2    | 1.19 | NF 2.53        | 0.13 | 3.85  | 128.593465       | 128.59   |
| 69210 | 2     | 2    | 0.59 | NF 0.77        | 0.07 | 1.43  | 47.763287        | 47.76    |
| 73560 | 3     | 0    | 0.16 | NF 0.85        | 0.02 | 1.03  | 34.402927        | 34.40    |
| 11300 | 9     | 2    | 0.59 | NF 2.24        | 0.06 | 2.89  | 96.528601        | 96.53    |

(F = facility, POS 22; NF = office, POS 11. 73560's OPPS amount 0.16 + 2.70 + 0.04 = 2.90
x 33.4009 = 96.86 is above 34.40: no OPPS cap.)
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _lines import make_lines
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings
from rvubench.pricing.summary import accounting, totals

PAIR_TEXT = "bilateral RT+LT with"


def _price(fees, rows, **kw):
    # one patient's lines: ranked per patient and day (without ids lines are not ranked)
    return price_lines(make_lines(rows, patient_key="pt-1"), fees, PricingSettings(**kw))


def _line(code: str, mods: str, pos: str, **kw) -> dict:
    return dict(hcpcs=code, modifiers=mods, pos=pos, **kw)


# --------------------------------------------------------------------------- pairs per indicator


def test__indicator_1_pair__150_percent_on_the_earlier_row(fees):
    p = _price(fees, [_line("27447", "RT", "22"), _line("27447", "LT", "22")])
    paid, partner = p.iloc[0], p.iloc[1]
    # 27447 facility 1159.35 x 150% = 1739.025 -> 1739.03 (half up)
    assert paid["payment_cents"] == 173903
    assert paid["payment"] == 1739.03
    # wRVU 19.11 x 1.5 = 28.665
    assert paid["wrvu_credit"] == pytest.approx(28.665)
    assert paid["outcome"] == "priced" and paid["reason"] == ""
    assert "bilateral RT+LT with row 3 (ind 1): 150%" in paid["adjustments"]
    assert "MPPR" not in paid["adjustments"]  # one item on the day: nothing to rank
    assert partner["payment_cents"] == 0 and partner["payment"] == 0.0
    assert partner["wrvu_credit"] == 0.0
    assert partner["outcome"] == "zero" and not partner["priced"]
    assert partner["reason"] == "RT+LT bilateral pair: paid as one bilateral item on row 2"
    # the pair is priced exactly like one 27447-50 line
    fifty = _price(fees, [_line("27447", "50", "22")]).iloc[0]
    assert fifty["payment_cents"] == paid["payment_cents"]
    assert fifty["wrvu_credit"] == paid["wrvu_credit"]


def test__indicator_0_pair__100_percent_of_one_code(fees):
    p = _price(fees, [_line("10060", "LT", "11"), _line("10060", "RT", "11")])
    # 10060 office 128.59 x 100% for both sides; wRVU 1.19 x 1.0
    # (without the pair: 128.59 + 128.59 x 50% = 64.295 -> 64.30, total 192.89)
    assert p["payment"].tolist() == [128.59, 0.0]
    assert p["wrvu_credit"].tolist() == pytest.approx([1.19, 0.0])
    assert p["outcome"].tolist() == ["priced", "zero"]
    assert (
        "bilateral RT+LT with row 3 (ind 0): 150% does not apply, 100%" in p["adjustments"].iloc[0]
    )


def test__indicator_2_pair__100_percent_rvus_already_bilateral(fees):
    p = _price(fees, [_line("69210", "RT", "11"), _line("69210", "LT", "11")])
    # 69210 office 47.76 x 100%; wRVU 0.59 (without the pair: 47.76 + 23.88 = 71.64)
    assert p["payment_cents"].tolist() == [4776, 0]
    assert p["wrvu_credit"].tolist() == pytest.approx([0.59, 0.0])
    assert "(ind 2): RVUs already bilateral, 100%" in p["adjustments"].iloc[0]


def test__indicator_3_pair__200_percent_on_one_line(fees):
    p = _price(fees, [_line("73560", "RT", "11"), _line("73560", "LT", "11")])
    # 73560 office 34.40 x 200% = 68.80; wRVU 0.16 x 2 = 0.32
    assert p["payment_cents"].tolist() == [6880, 0]
    assert p["wrvu_credit"].tolist() == pytest.approx([0.32, 0.0])
    assert "bilateral RT+LT with row 3 (ind 3): 200%" in p["adjustments"].iloc[0]


def test__pair_with_a_higher_procedure__ranks_as_one_item_at_50_percent(fees):
    rows = [_line("27447", "", "22"), _line("20610", "RT", "22"), _line("20610", "LT", "22")]
    p = _price(fees, rows)
    # items: 27447 1159.35 (rank 1, 100%); the 20610 pair 39.75 x 150% = 59.625 -> 59.63
    # (rank 2): 59.63 x 50% = 29.815 -> 29.82. Without the pair: 3 items, each 20610 side
    # 39.75 x 50% = 19.875 -> 19.88 (39.76 together).
    assert p["payment_cents"].tolist() == [115935, 2982, 0]
    # wRVU: 19.11; 0.77 x 1.5 = 1.155 x 0.5 = 0.5775; 0
    assert p["wrvu_credit"].tolist() == pytest.approx([19.11, 0.5775, 0.0])
    assert "MPPR rank 1 of 2: 100%" in p["adjustments"].iloc[0]
    assert (
        p["adjustments"]
        .iloc[1]
        .endswith("bilateral RT+LT with row 4 (ind 1): 150%; MPPR rank 2 of 2: 50%")
    )
    assert "MPPR" not in p["adjustments"].iloc[2]
    assert totals(p)["payment_total_cents"] == 115935 + 2982


def test__full_credit__pair_credited_as_modifier_50_is(fees):
    rows = [
        _line("27447", "RT", "22"),
        _line("27447", "LT", "22"),
        _line("27447", "50", "22", provider_id="P2"),
    ]
    p = _price(fees, rows, policy="full-credit")
    # full-credit: both sides in full, so a BILAT SURG 1 item (paid 150%) is credited 200%:
    # 19.11 x 2 = 38.22 on the 50 line, and on the pair's paid line (0 on the partner).
    # Payment as under medicare: 1159.35 x 150% = 1739.03 for the pair and the 50 line.
    assert p["wrvu_credit"].tolist() == pytest.approx([38.22, 0.0, 38.22])
    assert p["payment_cents"].tolist() == [173903, 0, 173903]
    assert p["outcome"].tolist() == ["priced", "zero", "priced"]


# --------------------------------------------------------------------------- no pair


def test__rt_and_rt__no_pair(fees):
    p = _price(fees, [_line("20610", "RT", "22"), _line("20610", "RT", "22")])
    # two items: 39.75 (rank 1) + 39.75 x 50% = 19.875 -> 19.88; wRVU 0.77 + 0.385
    assert p["payment_cents"].tolist() == [3975, 1988]
    assert p["wrvu_credit"].tolist() == pytest.approx([0.77, 0.385])
    assert not p["adjustments"].str.contains(PAIR_TEXT, regex=False).any()


@pytest.mark.parametrize("other", [dict(date_of_service="2026-08-04"), dict(provider_id="P2")])
def test__rt_and_lt_on_other_days_or_providers__no_pair(fees, other):
    p = _price(fees, [_line("20610", "RT", "22"), _line("20610", "LT", "22", **other)])
    # each alone on its day: 39.75 each, wRVU 0.77 each
    assert p["payment_cents"].tolist() == [3975, 3975]
    assert p["wrvu_credit"].tolist() == pytest.approx([0.77, 0.77])
    assert p["outcome"].tolist() == ["priced", "priced"]


def test__rt_and_lt_of_two_patients__no_pair_but_same_patient_pairs(fees):
    rows = [_line("20610", "RT", "22", patient_key="a"), _line("20610", "LT", "22", patient_key="b"),
            _line("20610", "LT", "22", patient_key="a")]  # fmt: skip
    p = _price(fees, rows)
    # patient a: rows 2 (RT) and 4 (LT) pair: 39.75 x 150% = 59.63, then 0; patient b: 39.75
    assert p["payment_cents"].tolist() == [5963, 3975, 0]
    assert p["reason"].iloc[2] == "RT+LT bilateral pair: paid as one bilateral item on row 2"


def test__one_line_with_50__no_pair(fees):
    p = _price(fees, [_line("20610", "RT", "22"), _line("20610", "LT,50", "22")])
    # the 50 line: 39.75 x 150% = 59.63 ranks first; the RT line 39.75 x 50% = 19.88
    assert p["payment_cents"].tolist() == [1988, 5963]
    assert p["wrvu_credit"].tolist() == pytest.approx([0.385, 1.155])  # 0.77x0.5, 0.77x1.5
    assert "bilateral (ind 1): 150%" in p["adjustments"].iloc[1]
    assert not p["adjustments"].str.contains(PAIR_TEXT, regex=False).any()


def test__three_rt_one_lt__first_rt_pairs_the_others_as_today(fees):
    rows = [
        _line("20610", "RT", "22"),
        _line("20610", "RT", "22"),
        _line("20610", "LT", "22"),
        _line("20610", "RT", "22"),
    ]
    p = _price(fees, rows)
    # rows 2 (1st RT) + 4 (LT) pair: 59.63 on row 2 (rank 1 of 3); rows 3 and 5 stay single
    # RT items: 39.75 x 50% = 19.88 each (ranks 2 and 3)
    assert p["payment_cents"].tolist() == [5963, 1988, 0, 1988]
    # wRVU 0.77 x 1.5 = 1.155; 0.77 x 0.5 = 0.385 each
    assert p["wrvu_credit"].tolist() == pytest.approx([1.155, 0.385, 0.0, 0.385])
    assert p["outcome"].tolist() == ["priced", "priced", "zero", "priced"]
    assert "bilateral RT+LT with row 4 (ind 1): 150%; MPPR rank 1 of 3" in p["adjustments"][0]
    assert p["reason"].iloc[2] == "RT+LT bilateral pair: paid as one bilateral item on row 2"
    assert totals(p)["payment_total_cents"] == 5963 + 1988 + 1988


def test__two_rt_two_lt__pair_up_in_input_order(fees):
    rows = [
        _line("20610", "LT", "22"),
        _line("20610", "RT", "22"),
        _line("20610", "RT", "22"),
        _line("20610", "LT", "22"),
    ]
    p = _price(fees, rows)
    # 1st LT (row 2) with 1st RT (row 3): paid row 2; 2nd RT (row 4) with 2nd LT (row 5):
    # paid row 4. Two items of 59.63: rank 1 100%, rank 2 59.63 x 50% = 29.815 -> 29.82
    assert p["payment_cents"].tolist() == [5963, 0, 2982, 0]
    assert p["reason"].tolist()[1::2] == [
        "RT+LT bilateral pair: paid as one bilateral item on row 2",
        "RT+LT bilateral pair: paid as one bilateral item on row 4",
    ]


def test__indicator_9__no_pair(fees):
    p = _price(fees, [_line("11300", "RT", "11"), _line("11300", "LT", "11")])
    # 11300 office 96.53 (rank 1) + 96.53 x 50% = 48.265 -> 48.27; wRVU 0.59 + 0.295
    assert p["payment_cents"].tolist() == [9653, 4827]
    assert p["wrvu_credit"].tolist() == pytest.approx([0.59, 0.295])
    assert not p["adjustments"].str.contains(PAIR_TEXT, regex=False).any()


def test__units_2__no_pair(fees):
    p = _price(fees, [_line("20610", "RT", "22", units=2), _line("20610", "LT", "22")])
    # no pair: three ranked units of 39.75: the RT line ranks 1-2 (39.75 + 19.88 = 59.63),
    # the LT line rank 3 (19.88); wRVU 0.77 + 0.385 = 1.155 and 0.385
    assert p["payment_cents"].tolist() == [5963, 1988]
    assert p["wrvu_credit"].tolist() == pytest.approx([1.155, 0.385])
    assert not p["adjustments"].str.contains(PAIR_TEXT, regex=False).any()


def test__different_pricing_modifiers__no_pair(fees):
    p = _price(fees, [_line("20610", "RT,52", "22"), _line("20610", "LT", "22")])
    assert not p["adjustments"].str.contains(PAIR_TEXT, regex=False).any()
    assert p["outcome"].tolist() == ["priced", "priced"]
    # (59, XS... do not price: RT,59 and LT,XS pair) 39.75 x 150% = 59.63
    q = _price(fees, [_line("20610", "RT,59", "22"), _line("20610", "LT,XS", "22")])
    assert q["payment_cents"].tolist() == [5963, 0]


def test__rejected_lines_never_pair(fees):
    rows = [
        _line("20610", "RT", "22"),
        _line("20610", "LT", "22", reject_reason="log.csv, row 3, column pos: bad"),
    ]
    p = _price(fees, rows)
    assert p["outcome"].tolist() == ["priced", "rejected"]
    assert p["payment_cents"].iloc[0] == 3975  # alone: 39.75


def test__pair_across_files_names_the_file(fees):
    rows = [
        _line("20610", "RT", "22", source_file="a.csv", source_row=7),
        _line("20610", "LT", "22", source_file="b.csv", source_row=7),
    ]
    p = _price(fees, rows)
    assert "bilateral RT+LT with row 7 of b.csv (ind 1)" in p["adjustments"].iloc[0]
    assert p["reason"].iloc[1] == (
        "RT+LT bilateral pair: paid as one bilateral item on row 7 of a.csv"
    )


def test__imaging_pair_splits_pc_and_tc_of_the_bilateral_amount(fees):
    # 73721 (BILAT 3, MULT 4 imaging) office, global: 1.32 + 4.71 + 0.09 = 6.12 x 33.4009
    # = 204.413508 -> 204.41 (OPPS 1.32 + 7.75 + 0.10 = 9.17 -> 306.29: no cap); pair 200%
    # = 408.82. Its 26 row 1.32 + 0.49 + 0.07 = 1.88 -> 62.793692 -> 62.79, x 200% = 125.58
    # is the PC; TC = 408.82 - 125.58 = 283.24.
    # 70553 (MULT 4) office global: 2.23 + 7.10 + 0.16 = 9.49 x 33.4009 = 316.974541
    # -> 316.97 (OPPS 2.23 + 11.41 + 0.18 = 13.82 -> 461.60: no cap); 26 row 2.23 + 0.79 +
    # 0.13 = 3.15 -> 105.212835 -> 105.21; TC 316.97 - 105.21 = 211.76.
    # TC ranking: pair 283.24 first (100%), 70553 second: 211.76 x 50% = 105.88.
    # PC ranking: pair 125.58 first (it would rank second, 62.79 < 105.21, if its PC were
    # not the bilateral one), 70553 105.21 x 95% = 99.9495 -> 99.95.
    p = _price(
        fees, [_line("73721", "RT", "11"), _line("73721", "LT", "11"), _line("70553", "", "11")]
    )
    # pair: 283.24 + 125.58 = 408.82; 70553: 105.88 + 99.95 = 205.83
    assert p["payment_cents"].tolist() == [40882, 0, 20583]
    # wRVU (PC 5% reduction off by default): 1.32 x 2 = 2.64; 0; 2.23
    assert p["wrvu_credit"].tolist() == pytest.approx([2.64, 0.0, 2.23])


# --------------------------------------------------------------------------- properties

# few codes, sides and groups, so that most examples hold pairs (and leftovers)
CODES = ["20610", "27447", "73721", "11300"]
MODS = ["RT", "LT", "RT", "LT", "", "50", "RT,59", "LT,59", "LT,50", "RT,80"]

line_st = st.fixed_dictionaries(
    {
        "hcpcs": st.sampled_from(CODES),
        "modifiers": st.sampled_from(MODS),
        "units": st.sampled_from([1, 1, 1, 2]),
        "pos": st.sampled_from(["11", "22"]),
        "provider_id": st.just("P1"),
        "date_of_service": st.sampled_from(["2026-08-03", "2026-08-04"]),
        "patient_key": st.sampled_from(["", "", "a"]),
    }
)


@st.composite
def logs(draw) -> list[dict]:
    """Random lines, plus one to three RT and LT lines of one code the same day put in at
    random places (random lines alone rarely pair)."""
    rows = draw(st.lists(line_st, max_size=12))
    for _ in range(draw(st.integers(1, 3))):
        side = {**draw(line_st), "units": 1}
        for mods in ("RT", "LT"):
            at = draw(st.integers(0, len(rows)))
            rows.insert(at, {**side, "modifiers": mods, "pos": draw(st.sampled_from(["11", "22"]))})
    return rows


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=logs(), policy=st.sampled_from(["medicare", "full-credit"]))
def test__property__rows_kept_totals_add_up_and_pairs_price_like_50(fees, rows, policy):
    lines = make_lines(rows)
    p = price_lines(lines, fees, PricingSettings(policy=policy))
    # every input row once, in order, with an outcome
    assert p["source_row"].tolist() == lines["source_row"].tolist()
    assert set(p["outcome"]) <= {"priced", "zero"}
    # totals are the sums of the lines (integer cents)
    t = totals(p)
    assert t["payment_total_cents"] == int(p["payment_cents"].fillna(0).sum())
    assert t["wrvu_total"] == pytest.approx(p["wrvu_credit"].sum())
    paid = p["adjustments"].str.contains(PAIR_TEXT, regex=False).to_numpy()
    partner = p["reason"].str.startswith("RT+LT bilateral pair").to_numpy()
    assert paid.sum() == partner.sum()
    assert (p.loc[partner, "payment_cents"] == 0).all()
    assert (p.loc[partner, "wrvu_credit"] == 0).all()
    # metamorphic: the paid line given 50 (RT/LT dropped) and the partner removed price the
    # same, line for line
    alt = lines.copy()
    for i in alt.index[paid]:
        mods = [m for m in alt.at[i, "modifiers"].split(",") if m not in ("RT", "LT", "")]
        alt.at[i, "modifiers"] = ",".join([*mods, "50"])
    alt = alt.loc[~partner].reset_index(drop=True)
    q = price_lines(alt, fees, PricingSettings(policy=policy))
    kept = p.loc[~partner].reset_index(drop=True)
    assert kept["payment_cents"].fillna(-1).tolist() == q["payment_cents"].fillna(-1).tolist()
    assert kept["wrvu_credit"].tolist() == pytest.approx(q["wrvu_credit"].tolist())


def test__without_rt_lt_nothing_changes(fees):
    rows = [_line("27447", "", "22"), _line("20610", "50", "22"), _line("20610", "59", "22")]
    p = _price(fees, rows)
    # 1159.35 (rank 1); 20610-50 59.63 rank 2 -> 29.82; 20610 39.75 rank 3 -> 19.88
    assert p["payment_cents"].tolist() == [115935, 2982, 1988]
    assert isinstance(p, pd.DataFrame) and len(p) == 3


def test__accounting_counts_the_partners_under_one_reason(fees):
    rows = [
        _line("20610", side, "22", date_of_service=day)
        for day in ("2026-08-03", "2026-08-04")
        for side in ("RT", "LT")
    ]
    acc = accounting(_price(fees, rows))
    # two pairs (one per day): 2 priced + 2 credited zero; the row is left out of the count
    assert (acc["rows_read"], acc["rows_priced"], acc["rows_zero"]) == (4, 2, 2)
    assert acc["zero_by_reason"] == {"RT+LT bilateral pair: paid as one bilateral item": 2}
