"""Every rejection reason: the message names file, spreadsheet row, column and the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from rvubench.ingest.log import read_log

DATA = Path(__file__).parents[1] / "data" / "ingest"


@pytest.fixture(scope="module")
def rejections():
    r = read_log(DATA / "rejections.csv")
    return {int(row): (reason, col, kind) for row, reason, col, kind in zip(
        r.lines["source_row"], r.lines["reject_reason"], r.lines["reject_column"],
        r.lines["reject_kind"], strict=True)}  # fmt: skip


EXPECTED = {
    3: ("hcpcs", "rejections.csv row 3, column hcpcs ('hcpcs'): no code (the cell is empty)"),
    4: ("hcpcs", "rejections.csv row 4, column hcpcs ('hcpcs'): 'ABC' is not a CPT/HCPCS code "
        "(5 letters/digits, e.g. 99213, 0001F, G2211)"),
    5: ("date_of_service", "rejections.csv row 5, column date_of_service ('date_of_service'): "
        "'13/45/2026' is not a date"),
    6: ("date_of_service", "rejections.csv row 6, column date_of_service ('date_of_service'): "
        "'25/12/2026' is not a date in month/day/year order (it looks day-first; set "
        'date_format = "%d/%m/%Y" in a --mapping file)'),
    7: ("date_of_service", "rejections.csv row 7, column date_of_service ('date_of_service'): "
        "no date (the cell is empty)"),
    8: ("units", "rejections.csv row 8, column units ('units'): '1.5' is not a whole number of units"),
    9: ("units", "rejections.csv row 9, column units ('units'): 0 units"),
    10: ("units", "rejections.csv row 10, column units ('units'): 'two' is not a number of units"),
    11: ("units", "rejections.csv row 11, column units ('units'): -1 units is a reversal "
         "(negative units); use --net-reversals to net it against its charge"),
    12: ("modifiers", "rejections.csv row 12, column modifiers ('modifiers'): '2' is not a "
         "modifier (two letters/digits, e.g. 26, TC, 59)"),
    13: ("pos", "rejections.csv row 13, column pos ('pos'): 'Garage' is not a place-of-service "
         "code (two digits, e.g. 11, 22, or a CMS name such as Office)"),
    14: ("provider_id", "rejections.csv row 14, column provider_id ('provider_id'): no provider "
         "(the cell is empty)"),
    15: ("locality", "rejections.csv row 15, column locality ('locality'): 'LA' is not a "
         "locality (write MAC-LL, e.g. 10112-00)"),
    16: ("zip", "rejections.csv row 16, column zip ('zip'): 'ABCDE' is not a ZIP code"),
    17: ("date_of_service", "rejections.csv row 17, column date_of_service ('date_of_service'): "
         "'1850-01-01' is not a plausible date of service (year 1850)"),
}  # fmt: skip


@pytest.mark.parametrize("row", sorted(EXPECTED))
def test__read_log__rejection_message_names_row_and_column(rejections, row):
    column, message = EXPECTED[row]
    reason, col, _kind = rejections[row]
    assert reason == message
    assert col == column


def test__read_log__usable_rows_and_unknown_codes_are_kept(rejections):
    # row 2 is clean; row 18 has 99999, not in the fee schedule: kept (validate reports it)
    assert rejections[2] == ("", "", "")
    assert rejections[18] == ("", "", "")
    r = read_log(DATA / "rejections.csv")
    assert r.rows_read == 17
    assert r.rows_rejected == 15
    assert r.rows_usable == 2
    assert r.lines.loc[r.lines["source_row"] == 2, ["locality", "zip"]].values.tolist() == [
        ["10112-00", "35203"]
    ]
    # rejected rows carry units 0 (contract: >= 1 only on usable rows)
    rejected = r.lines[r.lines["reject_reason"] != ""]
    assert set(rejected["units"]) <= {0, 1}
    assert (r.lines.loc[r.lines["reject_reason"] == "", "units"] >= 1).all()


def test__read_log__rejection_kinds_group_reasons(rejections):
    assert rejections[5][2] == "date_of_service: not a date"
    assert rejections[6][2] == "date_of_service: not a date in month/day/year order"
    assert rejections[11][2] == "units: negative units (a reversal)"
    assert rejections[12][2] == "modifiers: not a modifier"


def test__read_log__the_first_problem_of_a_row_is_reported(tmp_path):
    f = tmp_path / "two.csv"
    f.write_text("CPT,DOS,Units,POS\nXX,2026-13-01,abc,Office\n")
    r = read_log(f)
    assert r.lines["reject_reason"].tolist() == [
        "two.csv row 2, column hcpcs ('CPT'): 'XX' is not a CPT/HCPCS code (5 letters/digits, "
        "e.g. 99213, 0001F, G2211)"
    ]


def test__read_log__modifier_column_named_in_multi_column_export(tmp_path):
    f = tmp_path / "mods.csv"
    f.write_text("CPT,DOS,Modifier 1,Modifier 2\n99213,2026-01-05,25,ABC\n")
    r = read_log(f)
    assert r.lines["reject_reason"].tolist() == [
        "mods.csv row 2, column modifiers ('Modifier 2'): 'ABC' is not a modifier (two "
        "letters/digits, e.g. 26, TC, 59)"
    ]


def test__read_log__reversals_without_the_flag_are_rejected():
    r = read_log(DATA / "reversals.csv")
    assert r.lines["units"].tolist() == [1, 0, 1, 0, 1, 0, 0]
    assert r.lines["reject_column"].tolist() == ["", "units", "", "units", "", "units", "units"]
    assert r.rows_rejected == 4


def test__read_log__net_reversals_nets_matched_charges_exactly():
    r = read_log(DATA / "reversals.csv", net_reversals=True)
    # row 3 nets row 2 (99214). Row 5 (99213, no modifier) does not match the 99213-25 charge.
    # Row 7 nets row 6 (20610 x1); row 8 has nothing left to net against.
    # netting is exact: a fully reversed charge keeps 0 units and both rows carry a
    # zero_reason (credited zero by pricing); the reversal keeps its negative units
    assert r.lines["units"].tolist() == [0, -1, 1, 0, 0, -1, 0]
    assert r.lines["zero_reason"].tolist() == [
        "reversed by row 3 (--net-reversals)",
        "reversal of -1 unit(s) netted against row 2",
        "", "",
        "reversed by row 7 (--net-reversals)",
        "reversal of -1 unit(s) netted against row 6",
        "",
    ]  # fmt: skip
    assert r.lines["reject_reason"].tolist() == [
        "",
        "",
        "",
        "reversals.csv row 5, column units ('units'): -1 units is a reversal with no matching "
        "charge (same provider, date, code and modifiers) to net it against",
        "",
        "",
        "reversals.csv row 8, column units ('units'): -1 units is a reversal with no matching "
        "charge (same provider, date, code and modifiers) to net it against",
    ]
    assert r.rows_rejected == 2
    assert r.net_reversals is True
