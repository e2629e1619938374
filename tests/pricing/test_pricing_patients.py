"""Multiple procedures rank per patient (or encounter) and day when the log identifies them.

Amounts are RVU26C facility totals x 33.4009, national (see tests/test_pricing.py):
27130 34.79 -> 1162.02; 69436 4.33 -> 144.63; 11042 1.67 -> 55.78.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _lines import make_lines
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings


def _price(fees, rows, **kw):
    return price_lines(make_lines(rows), fees, PricingSettings(**kw))


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


def test__without_keys__day_as_patient__one_group_per_provider_and_day(fees):
    # the other reading of a log without ids (shown beside the as-billed figures)
    rows = [dict(hcpcs="27130", pos="22"), dict(hcpcs="69436", pos="22")]
    p = _price(fees, rows, without_ids="day-as-patient")
    assert p["payment"].tolist() == [1162.02, 72.32]  # 144.63 x 50% = 72.315 -> 72.32


# --------------------------------------------------------------------------- no ids: as billed

NO_ID_DAY = [
    dict(hcpcs="27130", pos="22"),  # 1162.02, work 19.11
    dict(hcpcs="69436", pos="22"),  # 144.63, work 1.96
    dict(hcpcs="11042", modifiers="51", pos="22"),  # 55.78, work 0.98, billed 51
    dict(hcpcs="11042", units=3, pos="22"),
]  # 3 units on one line


def test__without_keys__as_billed__only_51_reduced(fees):
    p = _price(fees, NO_ID_DAY)
    # no line is ranked against another (they may be different patients):
    # 27130 and 69436 whole; the 51 line as a secondary procedure 55.78 x 50% = 27.89;
    # the 3-unit line's units are one claim line's (one patient): 55.78 + 2 x 27.89 = 111.56
    assert p["payment"].tolist() == [1162.02, 144.63, 27.89, 111.56]
    # wRVU: 19.11, 1.96, 0.98 x 0.5 = 0.49, 0.98 + 2 x 0.49 = 1.96
    assert p["wrvu_credit"].tolist() == pytest.approx([19.11, 1.96, 0.49, 1.96])
    assert (
        "billed as a multiple procedure (51), no patient or encounter id"
        in p["adjustments"].iloc[2]
    )
    assert "MPPR" not in p["adjustments"].iloc[0] + p["adjustments"].iloc[1]


def test__without_keys__day_as_patient__ranks_the_whole_day(fees):
    p = _price(fees, NO_ID_DAY, without_ids="day-as-patient")
    # 6 ranked units: 27130 1162.02 (rank 1), 69436 144.63 -> 72.32, then four 11042 units
    # at 27.89 (ranks 3-6); 51 plays no part. wRVU 19.11 + 0.98 + 0.49 + 3 x 0.49
    assert p["payment"].tolist() == [1162.02, 72.32, 27.89, 83.67]
    assert p["wrvu_credit"].tolist() == pytest.approx([19.11, 0.98, 0.49, 1.47])


def test__with_a_patient_column__ranked_per_patient_and_day_as_before(fees):
    # the same day with a patient column: one patient -> ranked together (51 plays no part),
    # whatever without_ids says
    rows = [dict(r, patient_key="p1") for r in NO_ID_DAY]
    for rule in ("as-billed", "day-as-patient"):
        p = _price(fees, rows, without_ids=rule)
        assert p["payment"].tolist() == [1162.02, 72.32, 27.89, 83.67]
    # two patients: 27130 and 69436 for p1, the 11042 lines for p2
    rows = [dict(r, patient_key="p1" if i < 2 else "p2") for i, r in enumerate(NO_ID_DAY)]
    p = _price(fees, rows)
    # p1: 1162.02, 144.63 x 50% = 72.32; p2: four 11042 units, the first at 100%:
    # the 51 line and the 3-unit line tie on amount and code: input order, so the 51 line
    # ranks 1 (55.78) and the 3 units rank 2-4 (3 x 27.89 = 83.67)
    assert p["payment"].tolist() == [1162.02, 72.32, 55.78, 83.67]


# --------------------------------------------------------------------------- property

NO_ID_CODES = [
    "27130",
    "69436",
    "11042",
    "27447",
    "29807",
    "29819",
    "29805",
    "70553",
    "70473",
    "99213",
    "64493",
    "73721",
]  # no status-T code: the T rule is per day
NO_ID_MODS = ["", "", "51", "50", "59", "80", "62", "26", "51,59"]  # no RT/LT: pairs are per day


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "hcpcs": st.sampled_from(NO_ID_CODES),
                "modifiers": st.sampled_from(NO_ID_MODS),
                "units": st.sampled_from([1, 1, 3]),
                "pos": st.sampled_from(["11", "22"]),
                "date_of_service": st.sampled_from(["2026-08-03", "2026-08-04"]),
            }
        ),
        min_size=1,
        max_size=10,
    )
)
def test__property__without_ids_each_line_prices_as_if_alone(fees, rows):
    # as billed: no line is ranked against another, so each line prices exactly as it does
    # alone in a log of its own (51 lines reduced either way)
    together = _price(fees, rows)
    for i, row in enumerate(rows):
        alone = _price(fees, [row]).iloc[0]
        assert together["payment_cents"].fillna(-1).iloc[i] == (
            -1 if pd.isna(alone["payment_cents"]) else alone["payment_cents"]
        )
        assert together["wrvu_credit"].iloc[i] == pytest.approx(alone["wrvu_credit"])
    # and ranking each day as one patient never credits more than pricing as billed,
    # except through 51 lines (reduced as billed, maybe ranked first as one patient's day)
    day = _price(fees, rows, without_ids="day-as-patient")
    no51 = ~together["modifiers"].str.contains("51")
    if no51.all():
        assert day["wrvu_credit"].sum() <= together["wrvu_credit"].sum() + 1e-9


def _same_partition(a, b) -> bool:
    """Two numberings group the lines alike (equal ids exactly where the other's are)."""
    pairs = set(zip(a, b, strict=True))
    return len(pairs) == len({x for x, _ in pairs}) == len({y for _, y in pairs})


def test__patient_or_encounter__patient_wins_then_encounter_then_none():
    from rvubench.pricing.keys import _patient_or_encounter

    lines = pd.DataFrame({"encounter_key": ["e1", "e1", "", "e2", ""],
                          "patient_key": ["p1", "", "", "", "p1"]})  # fmt: skip
    ids, n = _patient_or_encounter(lines)
    # per line: p1, e1, "", e2, p1 -> first appearance numbering 0, 1, 2, 3, 0 of 4 ids
    assert (ids.tolist(), n) == ([0, 1, 2, 3, 0], 4)
    assert _patient_or_encounter(lines.assign(patient_key="", encounter_key="")) is None
    assert _patient_or_encounter(lines.drop(columns=["patient_key", "encounter_key"])) is None


@settings(max_examples=150, deadline=None)
@given(
    enc=st.lists(st.sampled_from(["", "a", "b", "p"]), min_size=1, max_size=12),
    pat=st.lists(st.sampled_from(["", "a", "p", "q"]), min_size=12, max_size=12),
    arrow=st.booleans(),
)
def test__patient_or_encounter__arrow_and_numpy_paths_agree(enc, pat, arrow):
    """pyarrow's if_else + dictionary_encode groups lines as the texts' np.where + factorize
    (a patient key equal to another line's encounter key groups them, as before)."""
    from rvubench.pricing.keys import _ids_of_texts, _patient_or_encounter

    dtype = "str" if arrow else object
    lines = pd.DataFrame({"encounter_key": pd.Series(enc, dtype=dtype),
                          "patient_key": pd.Series(pat[: len(enc)], dtype=dtype)})  # fmt: skip
    got, want = _patient_or_encounter(lines), _ids_of_texts(lines.astype(object))
    assert (got is None) == (want is None)
    if got is not None:
        assert got[1] == want[1] and _same_partition(got[0].tolist(), want[0].tolist())
