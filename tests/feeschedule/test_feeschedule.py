"""The CMS fee-schedule readers and the bundled releases, checked against CMS's files.

Expected values were read by hand from CMS's PPRRVU2026_Jul_nonQPP.csv (RVU26C),
PPRRVU2025_Oct.csv (RVU25D), GPCI2025.csv, the GPCI 2026 values and ZIP5_OCT2025.txt.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from rvubench.errors import FeeScheduleError, UnknownLocalityError
from rvubench.feeschedule.cms import read_cms_rvu_file, resolve_zip


def _row(release, hcpcs, mod=""):
    rows = release.rows
    hit = rows[(rows.hcpcs == hcpcs) & (rows["mod"] == mod)]
    assert len(hit) == 1, (hcpcs, mod)
    return hit.iloc[0]


def test__bundled__releases_and_conversion_factors(fees):
    assert [r.release_id for r in fees.releases] == ["RVU25D", "RVU26C"]
    r25, r26 = fees.releases
    assert (r25.effective_from, r25.effective_to) == (date(2025, 10, 1), date(2025, 12, 31))
    assert (r26.effective_from, r26.effective_to) == (date(2026, 7, 1), date(2026, 12, 31))
    assert len(r25.rows) == 19090 and len(r26.rows) == 19356  # data rows of each CMS file
    assert fees.conversion_factor("RVU26C") == Decimal("33.4009")
    assert fees.conversion_factor("RVU26C", qp=True) == Decimal("33.5675")
    # 2025 had one CF for everyone
    assert fees.conversion_factor("RVU25D", qp=True) == Decimal("32.3465")


def test__bundled__47383_matches_cms_row(fees):
    # CMS RVU26C: 47383,,...,A,,8.66,164.56,,2.29,,1.12,174.34,12.07,0,010,0.10,0.80,0.10,2,0,1,0,0,9,,33.4009
    r = _row(fees.release("RVU26C"), "47383")
    assert (r.status, r.work_rvu, r.pe_nf, r.pe_f, r.mp_rvu) == ("A", 8.66, 164.56, 2.29, 1.12)
    assert (r.total_nf, r.total_f, r.global_days, r.mult_proc, r.bilat, r.asst) == (
        174.34,
        12.07,
        "010",
        "2",
        "0",
        "1",
    )
    assert (r.pre_op, r.intra_op, r.post_op) == (0.10, 0.80, 0.10)
    # CMS RVU25D: 47383 work 8.88 (the 2026 efficiency adjustment: 8.88 x 0.975 = 8.658 -> 8.66)
    assert _row(fees.release("RVU25D"), "47383").work_rvu == 8.88


def test__bundled__pc_tc_rows_and_na_flags(fees):
    rel = fees.release("RVU26C")
    g, pc, tc = _row(rel, "70553"), _row(rel, "70553", "26"), _row(rel, "70553", "TC")
    assert (g.work_rvu, pc.work_rvu, tc.work_rvu) == (2.23, 2.23, 0.00)
    assert (pc.pe_f, tc.pe_f, g.pe_f) == (0.79, 6.31, 7.10)  # 0.79 + 6.31 = 7.10
    assert g.f_na and not g.nf_na  # global row: facility NA
    assert (g.opps_pe_nf, g.opps_mp, tc.opps_pe_nf) == (11.41, 0.18, 10.62)
    assert g.imaging_family == "88" and g.pctc == "1"


def test__bundled__descriptions_only_for_hcpcs_level_ii(fees):
    rel = fees.release("RVU26C")
    assert _row(rel, "47383").description == ""  # CPT: AMA copyright, not shipped
    assert _row(rel, "D0120").description == ""  # CDT: ADA copyright, not shipped
    assert _row(rel, "G0438").description == "Ppps, initial visit"  # HCPCS Level II: public
    assert _row(rel, "99396").not_used_for_payment  # status N with RVUs, '+' in CMS's file
    assert int(rel.rows.not_used_for_payment.sum()) == 158  # CMS file: 158 '+' rows


def test__read_cms_rvu_file__2026_layout_with_descriptions(data_dir):
    rel = read_cms_rvu_file(data_dir / "cms" / "PPRRVU2026_Jul_nonQPP_excerpt.csv")
    assert (rel.release_id, rel.year, rel.effective_from) == ("RVU26C", 2026, date(2026, 7, 1))
    assert rel.released == "06/30/2026" and rel.conversion_factor == Decimal("33.4009")
    r = _row(rel, "47383")
    assert r.description == "User file CPT descriptor 47383"
    assert (r.work_rvu, r.conv_factor, r.endo_base) == (8.66, 33.4009, "")
    assert _row(rel, "G0438").description == "Ppps, initial visit"  # quoted comma kept
    assert _row(rel, "45378", "53").work_rvu == 1.59


def test__read_cms_rvu_file__2025_layout_found_by_header_names(data_dir):
    # The 2025 file has no PRIC IND column: ENDO BASE is column 23 and CONV FACTOR 24.
    rel = read_cms_rvu_file(data_dir / "cms" / "PPRRVU2025_Oct_excerpt.csv")
    assert (rel.release_id, rel.effective_from) == ("RVU25D", date(2025, 10, 1))
    r = _row(rel, "27447")
    assert (r.work_rvu, r.conv_factor, r.pric_ind, r.global_days) == (19.60, 32.3465, "", "090")
    assert (r.pre_op, r.intra_op, r.post_op) == (0.10, 0.69, 0.21)


def test__read_cms_rvu_file__xlsx_twin_reads_the_same(data_dir, tmp_path):
    import csv

    src = data_dir / "cms" / "PPRRVU2026_Jul_nonQPP_excerpt.csv"
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in csv.reader(src.open(encoding="latin-1", newline="")):
        ws.append([_num(c) for c in row])
    out = tmp_path / "PPRRVU2026_Jul_nonQPP.xlsx"
    wb.save(out)
    a = read_cms_rvu_file(src).rows
    b = read_cms_rvu_file(out).rows
    pd.testing.assert_frame_equal(a, b)


def _num(c: str):
    # CMS's XLSX stores RVUs as numbers and codes as text; mimic that
    try:
        return float(c) if "." in c else c
    except ValueError:
        return c


def test__read_cms_rvu_file__missing_column_is_named(tmp_path, data_dir):
    lines = (data_dir / "cms" / "PPRRVU2026_Jul_nonQPP_excerpt.csv").read_text("latin-1")
    broken = lines.replace("WORK,NON-FAC", "XORK,NON-FAC", 1)
    f = tmp_path / "PPRRVU2026_Jul_nonQPP.csv"
    f.write_text(broken, encoding="latin-1")
    with pytest.raises(FeeScheduleError, match=r"missing column\(s\) work_rvu \('WORK RVU'\)"):
        read_cms_rvu_file(f)


def test__read_cms_rvu_file__not_a_fee_schedule(tmp_path):
    f = tmp_path / "log.csv"
    f.write_text("provider,cpt\nA,99213\n")
    with pytest.raises(FeeScheduleError, match="no header row starting with 'HCPCS'"):
        read_cms_rvu_file(f)


def test__release_for_date__coverage_notes(fees):
    rel, note = fees.release_for_date(date(2026, 8, 3))
    assert rel.release_id == "RVU26C" and note == ""
    rel, note = fees.release_for_date(date(2025, 12, 31))
    assert rel.release_id == "RVU25D" and note == ""
    rel, note = fees.release_for_date(date(2026, 2, 10))
    assert rel.release_id == "RVU26C" and "does not cover DOS 2026-02-10" in note
    rel, note = fees.release_for_date(date(2024, 6, 1))
    assert rel.release_id == "RVU25D" and note.startswith("no 2024 fee schedule loaded")
    rel, note = fees.release_for_date(date(2026, 8, 3), rvu_year=2025)
    assert rel.release_id == "RVU25D"


def test__user_release_splits_the_year(data_dir):
    from rvubench.feeschedule.cms import FeeScheduleSet, _bundled_gpci, _bundled_release

    # A user's January 2026 file (here: the July excerpt renamed) is in effect until June 30.
    jul = _bundled_release("RVU26C")
    user = read_cms_rvu_file(data_dir / "cms" / "PPRRVU2026_Jul_nonQPP_excerpt.csv")
    from dataclasses import replace

    jan = replace(user, release_id="RVU26A", effective_from=date(2026, 1, 1))
    fs = FeeScheduleSet([jul, jan], {2026: _bundled_gpci(2026)})
    assert fs.release("RVU26A").effective_to == date(2026, 6, 30)
    assert fs.release_for_date(date(2026, 3, 1)) == (fs.release("RVU26A"), "")


def test__gpci__all_localities_both_years(fees):
    g26, g25 = fees.gpci(2026), fees.gpci(2025)
    assert len(g26) == 109 and len(g25) == 109
    la = g26.loc["01182-18"]  # GPCI 2026: 01182,CA,18,LOS ANGELES...,1.041,1.041,1.183,0.664
    assert (la.gpci_work, la.gpci_pe, la.gpci_mp) == (1.041, 1.183, 0.664)
    al = g26.loc["10112-00"]  # 10112,AL,0,ALABAMA,0.988,1.0,0.875,0.566 (floor lifts 0.988)
    assert (al.gpci_work, al.gpci_work_nofloor, al.gpci_pe, al.gpci_mp) == (
        1.0,
        0.988,
        0.875,
        0.566,
    )
    al25 = g25.loc["10112-00"]  # GPCI2025.csv: 10112,AL,00,ALABAMA,1,0.869,0.575
    assert (al25.gpci_work, al25.gpci_pe, al25.gpci_mp) == (1.0, 0.869, 0.575)


def test__resolve_zip():
    # ZIP5_OCT2025.txt: 'CA900120118218 ...' and 'AL352031011200 ...'
    assert resolve_zip("90012").locality == "01182-18"
    assert resolve_zip("35203-1234").locality == "10112-00"
    split = resolve_zip("35958")  # 'AL359581011200RZ9R  1': ZIP+4 flag 1
    assert split.plus4_split and split.locality == "10112-00" and "ZIP+4" in split.note
    with pytest.raises(UnknownLocalityError, match="ZIP 00000 is not in CMS"):
        resolve_zip("00000")
    with pytest.raises(UnknownLocalityError, match="not a ZIP code"):
        resolve_zip("9001")


@pytest.mark.parametrize("release_id", ["RVU25D", "RVU26C"])
def test__bundled_rows__pyarrow_reader_gives_the_pandas_reader_frame(release_id):
    """Every bundled release read by pyarrow equals the pd.read_csv reading it replaced:
    columns, dtypes, text and flags equal, floats bit for bit."""
    import numpy as np

    from rvubench.feeschedule import cms

    path = cms._bundle_dir() / cms._manifest()["releases"][release_id]["file"]
    ref = pd.read_csv(path, dtype=cms._TEXT_DTYPES, keep_default_na=False, na_values=[])
    for c in cms.BOOL_RVU_COLUMNS:
        ref[c] = ref[c].astype(str).str.upper().isin(["TRUE", "1"])
    for c in cms.NUMERIC_RVU_COLUMNS:
        ref[c] = pd.to_numeric(ref[c]).astype("float64")
    for c in cms.TEXT_RVU_COLUMNS:
        ref[c] = ref[c].astype(str)
    got = cms._bundled_rows(path)
    pd.testing.assert_frame_equal(got, ref, check_exact=True)
    for c in cms.NUMERIC_RVU_COLUMNS:
        assert np.array_equal(got[c].to_numpy().view("int64"), ref[c].to_numpy().view("int64"))
    # a known row: 71046-26 work 0.21 in RVU26C (the figure test_csv_writer prices), 0.22 in RVU25D
    row = got[(got["hcpcs"] == "71046") & (got["mod"] == "26")]
    assert row["work_rvu"].tolist() == [{"RVU26C": 0.21, "RVU25D": 0.22}[release_id]]
