"""read_log on small export files: every format, encoding and layout, exact rows and values.

The fixtures live in tests/data/ingest/ (all synthetic). Row numbers are the ones a
spreadsheet shows: header rows and banner rows count.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from rvubench.errors import InputFileError, MissingColumnsError, UsageProblem
from rvubench.ingest.log import LINE_COLUMNS, is_patient_header, read_log

DATA = Path(__file__).parents[1] / "data" / "ingest"
VALUE_COLS = ["source_row", "provider_id", "date_of_service", "hcpcs", "modifiers", "units", "pos"]


def rows(result, cols=VALUE_COLS) -> list[tuple]:
    """The lines as plain tuples (dates as ISO text, NaT as None)."""
    out = []
    for rec in result.lines[cols].itertuples(index=False, name=None):
        out.append(tuple(
            (None if pd.isna(v) else v.date().isoformat()) if isinstance(v, pd.Timestamp | type(pd.NaT))
            else (int(v) if isinstance(v, int) or hasattr(v, "item") and not isinstance(v, str) else v)
            for v in rec
        ))  # fmt: skip
    return out


def test__read_log__plain_csv_exact_values():
    r = read_log(DATA / "basic.csv")
    assert rows(r) == [
        (2, "IR-1001", "2026-07-01", "47383", "", 1, "22"),
        (3, "IR-1001", "2026-07-02", "76942", "26", 1, "22"),  # US m/d/Y
        (4, "IR-1001", "2026-07-03", "0001F", "", 1, "11"),  # m/d/yy; blank units -> 1
        (5, "IR-1001", "2026-07-06", "00100", "26,59", 2, "02"),  # zeros kept; POS 2 -> 02
    ]
    assert r.rows_read == 4 and r.rows_rejected == 0 and r.rows_usable == 4
    assert r.skipped_rows == [] and r.columns_dropped == []
    assert list(r.lines.columns) == list(LINE_COLUMNS)
    assert str(r.lines["hcpcs"].dtype) == "str"
    assert str(r.lines["units"].dtype) == "int64"
    assert str(r.lines["source_row"].dtype) == "int64"
    assert str(r.lines["date_of_service"].dtype) == "datetime64[ns]"
    assert r.lines["source_file"].tolist() == [str(DATA / "basic.csv")] * 4
    assert r.lines["reject_reason"].tolist() == [""] * 4
    assert r.lines["is_duplicate"].tolist() == [False] * 4


def test__read_log__utf8_bom_crlf_aliases_and_value_forms():
    r = read_log(DATA / "bom_crlf.csv")
    # ' g2211 ' trimmed and upper-cased; '2026-08-03 00:00:00' a datetime; 46237 an Excel
    # serial number (1899-12-30 + 46237 days = 2026-08-03); '-25' and '26 59' modifiers.
    assert rows(r) == [
        (2, "FM-2001", "2026-08-03", "G2211", "", 1, "11"),
        (3, "FM-2001", "2026-08-03", "99214", "25", 1, "11"),
        (4, "FM-2001", "2026-08-03", "74177", "26,59", 1, "22"),
    ]
    assert r.columns_used == {
        "hcpcs": "CPT Code", "date_of_service": "Date of Service", "units": "Units",
        "pos": "Place of Service", "provider_id": "Provider", "modifiers": "Mod",
    }  # fmt: skip
    assert r.warnings == []


def test__read_log__cp1252_semicolons_accented_provider_names():
    r = read_log(DATA / "cp1252_semicolon.csv")
    assert rows(r) == [
        (2, "Dr. José Nuñez", "2026-07-01", "47383", "", 1, "22"),
        (3, "Dr. José Nuñez", "2026-07-01", "77012", "26", 1, "22"),
        (4, "Dra. Zoë Ångström", "2026-07-02", "99213", "25,59", 1, "11"),
    ]
    assert r.warnings == ["cp1252_semicolon.csv: read as cp1252 (not UTF-8)"]
    assert r.columns_used["units"] == "Qty"
    assert r.columns_used["provider_id"] == "Rendering Provider"


def test__read_log__latin1_tsv_falls_back_from_cp1252():
    # byte 0x81 is undefined in cp1252, so the file can only be latin-1
    r = read_log(DATA / "latin1_tab.tsv")
    assert rows(r, ["source_row", "provider_id", "date_of_service", "hcpcs", "units"]) == [
        (2, "Müller", "2026-01-05", "99213", 1),
        (3, "Müller", "2026-01-06", "99214", 1),
    ]
    assert r.warnings == ["latin1_tab.tsv: read as latin-1 (not UTF-8)"]
    assert r.columns_ignored == ["Note"]


def test__read_log__utf16_tab_text_as_excel_saves_it():
    r = read_log(DATA / "utf16_excel.txt")
    assert rows(r) == [
        (2, "FM-2001", "2026-01-15", "99213", "", 1, "11"),
        (3, "FM-2001", "2026-01-15", "G2211", "", 1, "11"),
    ]


def test__read_log__banner_blank_repeated_header_total_and_footer_rows_are_skipped():
    r = read_log(DATA / "banner_total_footer.csv")
    assert rows(r) == [
        (5, "IR-1001", "2026-07-01", "47000", "", 1, "22"),
        (6, "IR-1001", "2026-07-01", "77012", "26", 1, "22"),
        (8, "IR-1001", "2026-07-02", "99213", "", 1, "11"),
        (10, "IR-1001", "2026-07-03", "49083", "", 1, "22"),
    ]
    name = "banner_total_footer.csv"
    assert r.skipped_rows == [
        (name, 1, "title/banner row above the header"),
        (name, 2, "title/banner row above the header"),
        (name, 3, "blank row above the header"),
        (name, 7, "blank row"),
        (name, 9, "repeated header row"),
        (name, 11, "total row"),  # 'Subtotal IR-1001'
        (name, 12, "total row"),  # 'Grand Total'
        (name, 13, "footer text"),  # 'Report generated ...'
    ]
    # 13 rows in the file = 1 header + 4 data + 8 skipped: nothing is lost
    assert r.rows_read + len(r.skipped_rows) + 1 == 13


def test__read_log__modifier_columns_and_patient_columns_dropped():
    r = read_log(DATA / "modcols_patient.csv")
    assert rows(r, ["source_row", "provider_id", "hcpcs", "modifiers"]) == [
        (2, "IR-1001", "47383", ""),
        (3, "IR-1001", "76942", "26"),
        (4, "IR-1001", "50432", "50,59,XS"),
        (5, "IR-1001", "75989", "26"),  # '26' in two columns is one modifier
    ]
    assert r.lines["provider_name"].tolist() == ["Harper Nakamura"] * 4
    assert r.columns_dropped == ["Patient Name", "MRN", "DOB", "Account #", "Member ID", "SSN",
                                 "Phone"]  # fmt: skip
    # the encounter id groups lines for the multiple-procedure ranking, as a random key only
    assert r.columns_ignored == [] and r.columns_used["encounter_id"] == "Encounter ID"
    assert r.lines["encounter_key"].str.fullmatch(r"[0-9a-f]{16}").all()
    assert r.columns_used["modifiers"] == "Modifier 1 + Modifier 2 + Modifier 3"
    text = r.lines.astype(str).to_csv()
    for secret in ("TEST PATIENT", "FAKE1000", "1900", "ACC-", "MEM-", "000-00", "555-01", "E-1"):
        assert secret not in text


@pytest.mark.parametrize(
    ("header", "dropped"),
    [
        ("Patient Name", True), ("Patient ID", True), ("MRN", True), ("Medical Record #", True),
        ("DOB", True), ("Birth Date", True), ("Date of Birth", True), ("Acct No", True),
        ("Account", True), ("Member ID", True), ("Subscriber", True), ("SSN", True),
        ("Social Security Number", True), ("Phone", True), ("Address", True), ("E-mail", True),
        ("First Name", True), ("Last Name", True), ("Name", True),
        ("Provider Name", False), ("Rendering Provider", False), ("Physician Name", False),
        ("Encounter ID", False), ("Visit ID", False), ("Place of Service", False),
        ("Date of Service", False), ("DOS", False), ("Modifier 1", False), ("CPT", False),
        ("Billing Provider Address", False), ("Facility Address", False),
    ],
)  # fmt: skip
def test__is_patient_header__conservative(header, dropped):
    assert is_patient_header(header) is dropped


def test__read_log__mapping_file_for_unknown_headers_and_day_first_dates():
    r = read_log(DATA / "custom_headers.csv", mapping=DATA / "custom_mapping.toml")
    assert rows(r, ["source_row", "provider_id", "date_of_service", "hcpcs", "modifiers", "units"]) == [
        (2, "Dr A", "2025-12-25", "99213", "25", 1),  # 25/12/2025 with date_format %d/%m/%Y
        (3, "Dr A", "2026-01-03", "20610", "RT,59", 2),
    ]  # fmt: skip
    assert r.columns_used["modifiers"] == "Mod A + Mod B"


def test__read_log__mapping_that_names_a_missing_header():
    mapping = DATA.parent.parent / "data" / "ingest" / "custom_mapping.toml"
    with pytest.raises(MissingColumnsError) as exc:
        read_log(DATA / "basic.csv", mapping=mapping)
    assert str(exc.value).startswith(
        f"basic.csv: the mapping file {mapping} maps provider_id to 'Doc', but the header (row 1) "
        "has no such column; columns found: 'provider_id', 'date_of_service'"
    )


def test__read_log__mapping_with_an_unknown_column_name(tmp_path):
    bad = tmp_path / "m.toml"
    bad.write_text('[columns]\ncpt = "Proc"\n')
    with pytest.raises(
        UsageProblem, match=r"'cpt' is not an rvubench column; use one of provider_id"
    ):
        read_log(DATA / "basic.csv", mapping=bad)


def test__read_log__missing_required_columns_message():
    with pytest.raises(MissingColumnsError) as exc:
        read_log(DATA / "no_date_column.csv")
    assert str(exc.value) == (
        "no_date_column.csv: required column(s) missing: date_of_service (known headers: dos, "
        "date of service, service date, svc date, date svc, dos from). Columns found (header row "
        "1): 'Provider', 'CPT', 'Units'. Map them with --mapping FILE (TOML: [columns] "
        'date_of_service = "Your header")'
    )
    with pytest.raises(MissingColumnsError) as exc:
        read_log(DATA / "no_code_column.csv")
    msg = str(exc.value)
    assert msg.startswith("no_code_column.csv: no header row with a procedure-code column")
    assert "'Provider', 'Date of Service', 'Description', 'Units'" in msg
    assert "--mapping FILE" in msg


def test__read_log__xlsx_title_rows_real_dates_numbers_and_sheet_choice():
    r = read_log(DATA / "title_dates.xlsx")  # first sheet 'Summary' has no log header
    assert rows(r, [*VALUE_COLS, "zip"]) == [
        (4, "IR-1001", "2026-07-01", "47383", "", 1, "22", "35203"),
        # 46205 is a number cell: Excel serial 1899-12-30 + 46205 days = 2026-07-02
        (5, "IR-1001", "2026-07-02", "76942", "26", 1, "22", "35203"),
        # NPI as a number, code 100 as a number (zeros restored), POS 2 -> 02, ZIP 2134 -> 02134
        (6, "1234567890", "2026-07-03", "00100", "", 2, "02", "02134"),
        (7, "IR-1001", "2026-07-06", "0001F", "26,59", 1, "11", ""),
    ]
    assert r.skipped_rows == [
        ("title_dates.xlsx [Log]", 1, "title/banner row above the header"),
        ("title_dates.xlsx [Log]", 2, "blank row above the header"),
    ]
    other = read_log(DATA / "title_dates.xlsx", sheet="Other")
    assert rows(other, ["source_row", "hcpcs", "date_of_service"]) == [(2, "99213", "2026-08-01")]
    with pytest.raises(UsageProblem) as exc:
        read_log(DATA / "title_dates.xlsx", sheet="Nope")
    assert str(exc.value) == (
        "title_dates.xlsx has no sheet 'Nope'; its sheets are: Summary, Log, Other"
    )


def test__read_log__the_sample_messy_variants_read_as_the_clean_log():
    sample = Path(__file__).parents[2] / "sample_data"
    clean = read_log(sample / "ir_quarter.csv").lines
    key = ["date_of_service", "hcpcs", "modifiers", "units", "pos"]
    for name in ("ir_quarter_banner.csv", "ir_quarter_cp1252.csv", "ir_quarter_title.xlsx",
                 "ir_quarter_modcols.csv"):  # fmt: skip
        messy = read_log(sample / "messy" / name)
        assert messy.rows_rejected == 0, name
        pd.testing.assert_frame_equal(
            messy.lines[key].reset_index(drop=True), clean[key].reset_index(drop=True)
        )
    assert read_log(sample / "messy" / "ir_quarter_modcols.csv").columns_dropped == [
        "Patient Name", "MRN", "DOB",
    ]  # fmt: skip


def test__read_log__multiline_quoted_cell_counts_as_one_spreadsheet_row():
    r = read_log(DATA / "multiline.csv")
    assert rows(r, ["source_row", "hcpcs", "date_of_service"]) == [
        (2, "47000", "2026-07-01"),
        (3, "49083", "2026-07-02"),
    ]


def test__read_log__duplicates_are_flagged_not_removed():
    r = read_log(DATA / "duplicates.csv")
    assert r.rows_read == 5
    # rows 3 and 5 repeat row 2 exactly; row 4 differs by modifier 25, row 6 by POS 22
    assert r.lines["is_duplicate"].tolist() == [False, True, False, True, False]
    assert r.duplicates == 2


def test__read_log__header_only_file_has_zero_rows():
    r = read_log(DATA / "header_only.csv")
    assert r.rows_read == 0 and r.rows_rejected == 0
    assert list(r.lines.columns) == list(LINE_COLUMNS)


def test__read_log__folder_reads_every_log_sorted(tmp_path):
    shutil.copy(DATA / "basic.csv", tmp_path / "b.csv")
    shutil.copy(DATA / "duplicates.csv", tmp_path / "a.csv")
    (tmp_path / "notes.md").write_text("not a log")
    r = read_log(tmp_path)
    assert r.files == [str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]
    assert r.rows_read == 5 + 4
    assert (
        r.lines["source_file"].tolist()
        == [str(tmp_path / "a.csv")] * 5 + [str(tmp_path / "b.csv")] * 4
    )
    assert r.lines["source_row"].tolist() == [2, 3, 4, 5, 6, 2, 3, 4, 5]


def test__read_log__duplicates_across_files(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    shutil.copy(DATA / "basic.csv", a)
    shutil.copy(DATA / "basic.csv", b)
    r = read_log([a, b])
    assert r.lines["is_duplicate"].tolist() == [False] * 4 + [True] * 4


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "empty.csv is empty: no header and no rows"),
        ("blank.csv", "blank.csv is empty: no header and no rows"),
        (
            "binary.csv",
            "binary.csv is not a text file (binary content); export the log as CSV or XLSX",
        ),
        ("truncated.xlsx", "truncated.xlsx cannot be read as an Excel workbook"),
        ("not_excel.xlsx", "not_excel.xlsx cannot be read as an Excel workbook"),
        # 101 bytes: the last UTF-16 character is cut in half
        ("utf16_truncated.txt", "utf16_truncated.txt is damaged: not valid UTF-16 text at byte "),
    ],
)
def test__read_log__unreadable_files_raise_one_line_errors(name, message):
    with pytest.raises(InputFileError) as exc:
        read_log(DATA / name)
    assert str(exc.value).startswith(message)
    assert "\n" not in str(exc.value)
    assert exc.value.exit_code == 2


def test__read_log__missing_path_and_empty_folder(tmp_path):
    with pytest.raises(InputFileError, match=r"nope\.csv does not exist"):
        read_log(tmp_path / "nope.csv")
    with pytest.raises(InputFileError, match=r"has no log files"):
        read_log(tmp_path)


def test__read_log__file_without_units_column_defaults_to_one(tmp_path):
    f = tmp_path / "log.csv"
    f.write_text("CPT,DOS\n99213,2026-01-05\n99214,2026-01-06\n")
    r = read_log(f)
    assert r.lines["units"].tolist() == [1, 1]
    assert r.lines["provider_id"].tolist() == ["", ""]  # single clinician log
    assert r.lines["pos"].tolist() == ["", ""]


def test__read_log__xlsx_without_a_log_sheet(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Empty"
    wb.create_sheet("Notes").append(["nothing here"])
    wb.save(tmp_path / "w.xlsx")
    with pytest.raises(MissingColumnsError) as exc:
        read_log(tmp_path / "w.xlsx")
    assert str(exc.value).startswith(
        "w.xlsx: no header row with a procedure-code column in the first 40 rows"
    )


@pytest.mark.parametrize(
    ("header", "canonical"),
    [
        ("CPT", "hcpcs"), ("CPT Code", "hcpcs"), ("Procedure Code", "hcpcs"), ("HCPCS", "hcpcs"),
        ("Proc", "hcpcs"), ("DOS", "date_of_service"), ("Date of Service", "date_of_service"),
        ("Service Date", "date_of_service"), ("Units", "units"), ("Qty", "units"),
        ("Quantity", "units"), ("Mod", "modifiers"), ("Modifiers", "modifiers"),
        ("POS", "pos"), ("Place of Service", "pos"), ("Provider", "provider_id"),
        ("Rendering Provider", "provider_id"), ("NPI", "provider_id"),
        ("Provider Name", "provider_name"), ("Locality", "locality"), ("ZIP Code", "zip"),
    ],
)  # fmt: skip
def test__header_aliases__issue_spellings_resolve(header, canonical):
    from rvubench.ingest.log import header_aliases, normalize_header

    assert header_aliases()[normalize_header(header)][0] == canonical


def test__header_aliases__modifier_columns_one_to_four(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("CPT,DOS,Modifier 1,Mod2,Modifier-3,MODIFIER4\n99213,2026-01-05,25,59,XU,GT\n")
    r = read_log(f)
    assert r.lines["modifiers"].tolist() == ["25,59,XU,GT"]
    assert r.columns_used["modifiers"] == "Modifier 1 + Mod2 + Modifier-3 + MODIFIER4"


def test__read_log__patient_and_encounter_ids_become_keyed_hashes_only(tmp_path):
    f = tmp_path / "log.csv"
    f.write_text(
        "Provider,DOS,CPT,Units,Patient Name,MRN,Account #,Claim Number\n"
        "A,2026-07-01,47000,1,TEST ONE,MRN-111,AC-9,CL-1\n"
        "A,2026-07-01,47000,1,TEST TWO,MRN-222,AC-9,CL-2\n"
        "A,2026-07-01,47000,1,TEST TWO,MRN-222,AC-9,CL-2\n"
        "A,2026-07-02,99213,1,TEST ONE,MRN-111,AC-9,CL-3\n",
        encoding="utf-8",
    )
    r = read_log(f)
    # MRN outranks the account number as the patient key; both are dropped as columns
    assert r.grouped_by == {"patient": "MRN", "encounter": "Claim Number"}
    assert r.columns_dropped == ["Patient Name", "MRN", "Account #"]
    pk, ek = r.lines["patient_key"].tolist(), r.lines["encounter_key"].tolist()
    assert pk[0] == pk[3] != pk[1] == pk[2]  # rows 2 and 5 are one patient
    assert ek[1] == ek[2] and len({ek[0], ek[1], ek[3]}) == 3
    # two patients with the same code on the same day are not duplicates; row 4 repeats row 3
    assert r.lines["is_duplicate"].tolist() == [False, False, True, False]
    text = r.lines.astype(str).to_csv()
    for secret in ("TEST", "MRN-", "AC-9", "CL-"):
        assert secret not in text
