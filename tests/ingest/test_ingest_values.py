"""Cell normalizers: codes, modifiers, units, POS, ZIP, locality, dates, spreadsheet cells."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rvubench.ingest import values as iv


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("99213", "99213"), (" 0001f ", "0001F"), ("00100", "00100"), ("g2211", "G2211"),
        ("100", "00100"), ("1234", "01234"), ("0591T", "0591T"), ("J3301", "J3301"),
    ],
)  # fmt: skip
def test__normalize_code__usable(text, expected):
    assert iv.normalize_code(text) == (expected, None)


@pytest.mark.parametrize("text", ["ABC", "992133", "99.21", "G22-11", "12"])
def test__normalize_code__rejected(text):
    _value, problem = iv.normalize_code(text)
    assert problem == (
        f"{text!r} is not a CPT/HCPCS code (5 letters/digits, e.g. 99213, 0001F, G2211)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""), ("26", "26"), ("26,59", "26,59"), ("26 59", "26,59"), ("-26", "26"),
        ("26-59", "26,59"), ("26/59", "26,59"), ("2659", "26,59"), ("tc", "TC"),
        ("26; 26", "26"), (" rt , lt ", "RT,LT"), ("XU|59", "XU,59"),
    ],
)  # fmt: skip
def test__normalize_modifiers(text, expected):
    assert iv.normalize_modifiers(text) == (expected, None)


@pytest.mark.parametrize("text", ["2", "265", "26,5"])
def test__normalize_modifiers__rejected(text):
    assert iv.normalize_modifiers(text)[1] is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", (1, None)), ("1", (1, None)), (" 3 ", (3, None)), ("2.0", (2, None)),
     ("-2", (-2, "negative units")), ("0", (0, "0 units")),
     ("1.5", (0, "'1.5' is not a whole number of units")),
     ("x", (0, "'x' is not a number of units")),
     ("10000", (0, "'10000' units is implausible (more than 9999)"))],
)  # fmt: skip
def test__normalize_units(text, expected):
    assert iv.normalize_units(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("11", "11"), ("2", "02"), ("02", "02"), ("22.0", "22"), ("", ""),
     # as exported: a CMS name, "code - name" (NextGen), names in any case
     ("Office", "11"), ("11 - Office", "11"), ("On Campus-Outpatient Hospital", "22"),
     ("on campus - outpatient hospital", "22"), ("21: Inpatient Hospital", "21"),
     ("Emergency Room - Hospital", "23")],
)  # fmt: skip
def test__normalize_pos(text, expected):
    assert iv.normalize_pos(text) == (expected, None)


@pytest.mark.parametrize("text", ["Garage", "111", "0", "00", "1a", "F", "O"])
def test__normalize_pos__rejected(text):
    assert iv.normalize_pos(text)[1] is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("35203", "35203"), ("35203-1234", "35203"), ("352031234", "35203"), ("2134", "02134"),
     ("", "")],
)  # fmt: skip
def test__normalize_zip(text, expected):
    assert iv.normalize_zip(text) == (expected, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10112-00", "10112-00"), ("1011200", "10112-00"), ("National", "national"), ("", "")],
)
def test__normalize_locality(text, expected):
    assert iv.normalize_locality(text) == (expected, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07-01", date(2026, 7, 1)),
        ("2026-07-01 00:00:00", date(2026, 7, 1)),
        ("2026-07-01T08:30:00", date(2026, 7, 1)),
        ("2026/7/1", date(2026, 7, 1)),
        ("07/01/2026", date(2026, 7, 1)),
        ("7/1/2026", date(2026, 7, 1)),
        ("7/1/26", date(2026, 7, 1)),
        ("12/31/99", date(1999, 12, 31)),
        ("7/1/2026 14:05", date(2026, 7, 1)),
        ("7/1/2026 2:05 PM", date(2026, 7, 1)),
        ("7-1-2026", date(2026, 7, 1)),
        ("46204", date(2026, 7, 1)),  # 1899-12-30 + 46204 days
        ("46204.5", date(2026, 7, 1)),  # a serial with a time of day
        ("20260701", date(2026, 7, 1)),
        ("01-Jul-2026", date(2026, 7, 1)),
        ("Jul 1, 2026", date(2026, 7, 1)),
    ],
)
def test__parse_date__accepted_forms(text, expected):
    assert iv.parse_date(text) == (expected, None)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("13/45/2026", "'13/45/2026' is not a date"),
        ("2/30/2026", "'2/30/2026' is not a date"),
        ("2026-02-30", "'2026-02-30' is not a date"),
        ("31/12/2026", "'31/12/2026' is not a date in month/day/year order (it looks "
         'day-first; set date_format = "%d/%m/%Y" in a --mapping file)'),
        ("tomorrow", "'tomorrow' is not a date"),
        ("123", "'123' is not a date (not an Excel date serial number either)"),
        ("", "no date (the cell is empty)"),
    ],
)  # fmt: skip
def test__parse_date__rejected_forms(text, problem):
    assert iv.parse_date(text) == (None, problem)


def test__parse_date__declared_format_first():
    assert iv.parse_date("03/01/2026", "%d/%m/%Y") == (date(2026, 1, 3), None)
    # a value that does not fit the declared format still gets the usual readings
    assert iv.parse_date("2026-01-03", "%d/%m/%Y") == (date(2026, 1, 3), None)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""), ("abc", "abc"), (99213.0, "99213"), (2, "2"), (1.5, "1.5"), (True, "TRUE"),
        (datetime(2026, 7, 1), "2026-07-01"), (datetime(2026, 7, 1, 8, 30), "2026-07-01 08:30:00"),
        (date(2026, 7, 1), "2026-07-01"),
    ],
)  # fmt: skip
def test__cell_text(value, text):
    assert iv.cell_text(value) == text


@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2099, 12, 31)))
def test__parse_date__round_trips_every_written_form(d):
    for text in (d.isoformat(), f"{d.month}/{d.day}/{d.year}", f"{d.month:02d}/{d.day:02d}/{d.year}",
                 str((d - iv.EXCEL_EPOCH).days)):  # fmt: skip
        assert iv.parse_date(text) == (d, None)


@given(st.lists(st.sampled_from(["26", "TC", "59", "25", "50", "RT", "LT", "XU", "24", "57"]),
                max_size=4),
       st.sampled_from([",", " ", ", ", "/", ";"]))  # fmt: skip
def test__normalize_modifiers__any_separator_gives_the_same_list(mods, sep):
    expected = iv.join_modifiers(mods)
    assert iv.normalize_modifiers(sep.join(mods)) == (expected, None)
