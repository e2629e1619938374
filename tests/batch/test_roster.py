"""read_roster: the sample roster, loose headers, XLSX, and errors naming file/row/column."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from rvubench.batch.roster import ROSTER_COLUMNS, read_roster
from rvubench.errors import InputFileError, MissingColumnsError

SAMPLE = Path(__file__).parents[2] / "sample_data" / "department_roster.csv"


def test__read_roster__sample_roster():
    r = read_roster(SAMPLE)
    assert list(r.columns) == [*ROSTER_COLUMNS, "source_row"]
    assert len(r) == 16
    first = r.iloc[0].to_dict()
    assert first == {
        "provider_id": "FM-3001", "name": "Avery Holt, MD", "specialty": "Family Medicine",
        "clinical_fte": 1.0, "total_fte": 1.0, "total_compensation": 262000.0,
        "locality": "10112-00", "source_row": 2,
        # per-clinician report options: empty when the roster has no such column
        "comp_model": "", "region": "", "kind": "", "like_for_like": "",
    }  # fmt: skip
    dr = r[r["provider_id"] == "DR-3402"].iloc[0]
    assert (dr["clinical_fte"], dr["locality"]) == (0.8, "01182-18")
    assert str(r["provider_id"].dtype) == "str"
    assert str(r["clinical_fte"].dtype) == "float64"


def test__read_roster__loose_headers_title_rows_money_and_percent(tmp_path):
    f = tmp_path / "roster.csv"
    f.write_text(
        "Department roster 2026,,,,\n"
        ",,,,\n"
        "Provider ID,Clinician,Specialty,Clinical FTE,Total Comp\n"
        'A-1,Dr One,Cardiology,80%,"$540,000"\n'
        ",,,,\n"
        "A-2,Dr Two,Gastroenterology,,\n",
        encoding="utf-8",
    )
    r = read_roster(f)
    assert r["provider_id"].tolist() == ["A-1", "A-2"]
    assert r["source_row"].tolist() == [4, 6]
    assert r["clinical_fte"].tolist()[0] == 0.8
    assert math.isnan(r["clinical_fte"].tolist()[1])
    assert r["total_compensation"].tolist()[0] == 540000.0
    assert math.isnan(r["total_fte"].tolist()[0])  # absent column: NaN, batch defaults it
    assert r["locality"].tolist() == ["", ""]


def test__read_roster__xlsx_and_semicolons(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["provider_id", "specialty", "clinical_fte", "locality"])
    ws.append([1234567890, "Internal Medicine", 0.6, "1011200"])
    wb.save(tmp_path / "r.xlsx")
    r = read_roster(tmp_path / "r.xlsx")
    assert r.iloc[0][["provider_id", "specialty", "clinical_fte", "locality"]].tolist() == [
        "1234567890", "Internal Medicine", 0.6, "10112-00",
    ]  # fmt: skip
    f = tmp_path / "r.csv"
    f.write_bytes("NPI;Specialty;Name\n1;Orthopedic Surgery;Dr. Peña\n".encode("cp1252"))
    r = read_roster(f)
    assert r.iloc[0][["provider_id", "name"]].tolist() == ["1", "Dr. Peña"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("provider_id,specialty,clinical_fte\nA,Cardiology,abc\n",
         "r.csv row 2, column clinical_fte ('clinical_fte'): 'abc' is not an FTE (a number such "
         "as 1.0 or 0.8)"),
        ("provider_id,specialty,total_fte\nA,Cardiology,2.5\n",
         "r.csv row 2, column total_fte ('total_fte'): '2.5' is not an FTE between 0.01 and 1.5"),
        ("provider_id,specialty\nA,Cardiology\n,Cardiology\n",
         "r.csv row 3, column provider_id ('provider_id'): no provider id (the cell is empty)"),
        ("provider_id,specialty\nA,Cardiology\na,Cardiology\n",
         "r.csv row 3, column provider_id ('provider_id'): 'a' is already on row 2"),
        ("provider_id,specialty\nA,\n",
         "r.csv row 2, column specialty ('specialty'): no specialty (the cell is empty)"),
        ("provider_id,specialty,total_compensation\nA,Cardiology,lots\n",
         "r.csv row 2, column total_compensation ('total_compensation'): 'lots' is not an "
         "amount of money (e.g. 265000 or $265,000)"),
        ("provider_id,specialty,locality\nA,Cardiology,LA\n",
         "r.csv row 2, column locality ('locality'): 'LA' is not a locality (write MAC-LL, e.g. "
         "10112-00)"),
        ("provider_id,specialty\n", "r.csv: the roster has a header (row 1) but no clinicians"),
    ],
)  # fmt: skip
def test__read_roster__errors_name_file_row_and_column(tmp_path, body, message):
    f = tmp_path / "r.csv"
    f.write_text(body)
    with pytest.raises(InputFileError) as exc:
        read_roster(f)
    assert str(exc.value) == message


def test__read_roster__missing_required_columns(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("Name,FTE\nDr A,1.0\n")
    with pytest.raises(MissingColumnsError) as exc:
        read_roster(f)
    assert str(exc.value) == (
        "r.csv: no roster header row in the first 40 rows (first row found: 'Name', 'FTE'); a "
        "roster needs the columns provider_id and specialty (optional: name, clinical_fte, "
        "total_fte, total_compensation, locality)"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "r.csv is empty: no header and no rows"),
     (bytes(range(256)), "r.csv is not a text file (binary content); export it as CSV or XLSX")],
)  # fmt: skip
def test__read_roster__unreadable(tmp_path, content, message):
    f = tmp_path / "r.csv"
    f.write_bytes(content)
    with pytest.raises(InputFileError) as exc:
        read_roster(f)
    assert str(exc.value) == message
