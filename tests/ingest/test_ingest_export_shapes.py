"""Exports in the shapes real systems document (built by tests/_export_shapes.py), each read
with no --mapping and priced to a total hand-computed from CMS RVU26C (July 2026).

RVU26C rows used (national locality: every GPCI 1.000, so payment = total RVU x CF;
non-QP CF 33.4009; non-facility total for office, facility total for POS 22):

    99214        work 1.92  non-facility total 4.06
    74177-26     work 1.77  facility total 2.51     (global 74177: total 8.99)
    97110        work 0.45  non-facility total 0.87  (per unit)
    99213        work 1.30  non-facility total 2.85
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import _export_shapes as shapes
from rvubench.errors import InputFileError, MissingColumnsError, UsageProblem
from rvubench.ingest.log import Mapping, read_log
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings

# payments, each rounded half-up to the cent:
#   99214-25  4.06 x 33.4009 = 135.607654  -> 135.61   (25 does not change the payment)
#   74177-26  2.51 x 33.4009 =  83.836259  ->  83.84   (the global row would be
#                               8.99 x 33.4009 = 300.274 -> 300.27)
#   97110 x3  3 x 0.87 x 33.4009 = 87.176349 -> 87.18
#   99213     2.85 x 33.4009 =  95.192565  ->  95.19
# total 135.61 + 83.84 + 87.18 + 95.19 = 401.82
TOTAL_CENTS = 13561 + 8384 + 8718 + 9519
# wRVUs: 1.92 + 1.77 + 3 x 0.45 + 1.30 = 6.34
TOTAL_WRVU = 6.34


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("shapes")
    for build in shapes.LINE_LOGS.values():
        build(d)
    return d


@pytest.mark.parametrize("shape", sorted(shapes.LINE_LOGS))
def test__export_shape__priced_with_no_mapping_to_the_hand_computed_total(built, fees, shape):
    path = shapes.LINE_LOGS[shape](built)
    res = read_log(path)
    assert res.rows_read == 4 and res.rows_rejected == 0
    priced = price_lines(res.lines, fees, PricingSettings())
    assert priced["modifiers"].tolist() == ["25", "26", "", ""]
    assert priced["units"].tolist() == [1, 1, 3, 1]
    assert priced["pos"].tolist() == ["11", "22", "11", "11"]
    assert priced["mod_row"].tolist() == ["", "26", "", ""]
    assert (priced["provider_id"] != "").all()
    assert priced["payment_cents"].tolist() == [13561, 8384, 8718, 9519]
    assert int(priced["payment_cents"].sum()) == TOTAL_CENTS
    assert round(float(priced["wrvu_credit"].sum()), 4) == TOTAL_WRVU


def test__epic_ledger__payments_and_adjustments_are_not_charges_wherever_they_sit(built):
    res = read_log(shapes.epic_arpb_transactions(built))
    # rows 2 (first data row), 5 (between charges) and 8 (last) are not charges
    assert [(r, why) for _f, r, why in res.skipped_rows] == [
        (2, "not a charge: transaction type 'Payment'"),
        (5, "not a charge: transaction type 'Adjustment'"),
        (8, "not a charge: transaction type 'Payment'"),
    ]
    assert res.lines["source_row"].tolist() == [3, 4, 6, 7]
    assert res.columns_used["transaction_type"] == "TX_TYPE_C_NAME"
    assert any("3 row(s) that are not charges were skipped (Payment 2, Adjustment 1)" in w
               for w in res.warnings)  # fmt: skip
    assert res.columns_dropped == ["PAT_ID"]  # patient data, by alias


def test__nextgen__patient_columns_are_dropped_and_per_nbr_groups(built):
    res = read_log(shapes.nextgen_report(built))
    assert res.columns_dropped == ["Per Nbr", "Pat Name", "Birth Dt"]
    assert res.grouped_by == {"patient": "Per Nbr", "encounter": "Enc Nbr"}
    assert "Doe, Jane" not in res.lines.to_csv()


def test__wide_claim_file_is_refused_saying_what_it_is(tmp_path):
    with pytest.raises(
        MissingColumnsError,
        match="is a wide claim file, not a procedure log: "
        r"one claim per row with 13 code columns \(HCPCS_CD_1 .. HCPCS_CD_13\)",
    ):
        read_log(shapes.synpuf_carrier_claims(tmp_path))


def test__aggregated_file_is_refused_saying_what_it_is(tmp_path):
    with pytest.raises(
        InputFileError,
        match="is an aggregated file, not a procedure log: it "
        "counts services per provider and code",
    ):
        read_log(shapes.cms_by_provider_and_service(tmp_path))


def test__unused_columns_that_look_like_fields_are_warned_with_the_mapping_line(tmp_path):
    f = tmp_path / "log.csv"
    f.write_text("CPT,DOS,Mod,Extra Mod,Qty Billed Alt,Comment\n74177,2026-07-01,,26,1,x\n")
    res = read_log(f)
    assert res.unused_columns == [
        "log.csv: column 'Extra Mod' looks like a modifier but is not used; to use it, put this "
        'line under [columns] in a --mapping file: modifiers = ["Mod", "Extra Mod"]',
        "log.csv: column 'Qty Billed Alt' looks like units but is not used; to use it, put this "
        'line under [columns] in a --mapping file: units = "Qty Billed Alt"',
    ]
    assert res.warnings[:2] == res.unused_columns  # 'Comment' is not warned about
    from rvubench.ingest.validate import validate_log

    text = validate_log(f).to_text().splitlines()
    assert text[1] == "  columns not used that look like they matter:"
    assert text[2] == "    " + res.unused_columns[0]


def test__mapping_with_several_code_columns_is_refused(tmp_path):
    m = tmp_path / "m.toml"
    m.write_text('[columns]\nhcpcs = ["CPT", "HCPCS"]\n')
    with pytest.raises(UsageProblem, match=r"hcpcs names several columns \('CPT', 'HCPCS'\)"):
        Mapping.load(m)
    m.write_text('[columns]\nmodifiers = ["M1", "M2"]\n')
    assert Mapping.load(m).columns == {"modifiers": ["M1", "M2"]}


@pytest.mark.parametrize(
    ("cell", "code", "mods"),
    [("99214-25", "99214", "25"), ("74177/26", "74177", "26"), ("74177 26", "74177", "26"),
     ("99396:25", "99396", "25"), ("99215 QW 59", "99215", "QW,59"), ("97110", "97110", "")],
)  # fmt: skip
def test__modifier_attached_to_the_code(tmp_path, cell, code, mods):
    f = tmp_path / "log.csv"
    f.write_text(f"CPT,DOS\n{cell},2026-07-01\n")
    line = read_log(f).lines.iloc[0]
    assert (line["hcpcs"], line["modifiers"], line["reject_reason"]) == (code, mods, "")


@pytest.mark.parametrize(
    "text", ["7/1/2026 12:00:00 AM", "2026-07-01 00:00:00.000", "20260701", "07/01/2026"]
)
def test__dates_as_exported(tmp_path, text):
    f = tmp_path / "log.csv"
    f.write_text(f"CPT,DOS,Units\n99213,{text},1.00\n")
    line = read_log(f).lines.iloc[0]
    assert str(line["date_of_service"].date()) == "2026-07-01" and line["units"] == 1


@pytest.mark.parametrize(
    ("header", "what"),
    [("Rendering MD", "a provider"), ("Visit Nbr Alt", "an encounter"), ("Contact CSN", "an encounter"),
     ("Person ID", "a patient field"), ("Place of Service Desc", "a place of service"),
     ("Billed Qty", "units"),
     ("Visit Type", None), ("Per Unit Charge", None), ("Provider Specialty", None),
     ("Claim Status", None), ("Amount", None)],
)  # fmt: skip
def test__which_unused_columns_are_warned_about(tmp_path, header, what):
    f = tmp_path / "log.csv"
    f.write_text(f"CPT,DOS,{header}\n99213,2026-07-01,x\n")
    notes = read_log(f).unused_columns
    if what is None:
        assert notes == []
    else:
        assert notes and f"column {header!r} looks like {what} but is not used" in notes[0]


_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@given(
    code=st.text(_ALNUM, min_size=5, max_size=5),
    mods=st.lists(st.text(_ALNUM, min_size=2, max_size=2), min_size=1, max_size=4),
    sep=st.sampled_from(["-", "/", " ", ":", " - "]),
    between=st.sampled_from([" ", ",", ";", ", "]),
)
def test__attached_modifiers_split_back_into_code_and_modifiers(code, mods, sep, between):
    from rvubench.ingest.shapes import split_code_modifiers

    cell = code + sep + between.join(mods)
    got = split_code_modifiers([cell, code])
    assert got is not None
    codes, cells = got
    assert codes == [code, code]
    assert re.split(r"[^A-Z0-9]+", cells[0]) == mods and cells[1] == ""
