"""The vectorized fast paths of ingest (``ingest_fast``) give exactly what the careful path gives.

Unit tests check each fast path on hand-computed values and that it declines (returns None)
on every cell the careful normalizers would change or reject. The property test writes random
logs mixing clean and tricky cells (lower-case codes, padded values, "1.0" units, negative
units, other date formats, mixed lengths, duplicates that differ only by whitespace, junk rows,
several files) and compares ``read_log`` with the fast paths on and off, threads on and off.
"""

from __future__ import annotations

import csv
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rvubench.ingest import fast as iff
from rvubench.ingest import log as ingest
from rvubench.ingest import values as iv
from rvubench.ingest.log import read_log

HEADER = ["provider_id", "date_of_service", "cpt", "modifier1", "modifier2", "units", "pos"]


def _arr(values: list[str], large: bool = True) -> pa.Array:
    return pa.array(values, pa.large_string() if large else pa.string())


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    return path


# --------------------------------------------------------------------------- unit tests
@pytest.mark.parametrize("large", [True, False])
def test__code_ids__base36_values_of_valid_codes(large):
    got = iff.code_ids(_arr(["99213", "0001F", "G2211"], large))
    # 99213 = 9*36^4 + 9*36^3 + 2*36^2 + 1*36 + 3 = 15116544 + 419904 + 2592 + 36 + 3
    # 0001F = 1*36 + 15 (F = 15); G2211 = 16*36^4 + 2*36^3 + 2*36^2 + 36 + 1 (G = 16)
    assert got.tolist() == [15539079, 51, 26969797]
    assert [iff.code_id(c, True) for c in ("99213", "0001F", "G2211")] == got.tolist()
    assert iff.code_id("XX1", False) == -1


@pytest.mark.parametrize("bad", ["g2211", " 9921", "9921", "99213 ", "9A213", "", "ÄBCDE"])
def test__code_ids__declines_cells_the_careful_path_changes_or_rejects(bad):
    assert iff.code_ids(_arr(["99213", bad])) is None


def test__iso_dates__real_dates_1930_to_2099():
    got = iff.iso_dates(_arr(["2024-02-29", "1930-01-01", "2099-12-31"]))
    # 2024-02-29 is day 19782 after 1970-01-01: 54 years (13 leap days) = 54*365 + 13 = 19723,
    # + 31 (Jan) + 28 (Feb 1..28) = 19782
    assert got.view(np.int64)[0] == 54 * 365 + 13 + 31 + 28
    assert [str(d) for d in got] == ["2024-02-29", "1930-01-01", "2099-12-31"]


@pytest.mark.parametrize(
    "bad", ["2023-02-29", "1929-12-31", "2100-01-01", "2026-1-05", "2026/01/05", " 2026-01-5",
            "2026-01-05 ", "01/05/2026", "", "2026-13-01"],
)  # fmt: skip
def test__iso_dates__declines_other_forms_and_implausible_years(bad):
    assert iff.iso_dates(_arr(["2026-01-05", bad])) is None


def test__plain_units_and_pos():
    assert iff.plain_units(_arr(["1", "3", "9"])).tolist() == [1, 3, 9]  # one byte each
    assert iff.plain_units(_arr(["1", "12", "0002", "9999"])).tolist() == [1, 12, 2, 9999]
    for bad in ["0", "0000", "1.0", "", " 2", "-1", "+1", "10000", "1,000", "0x10"]:
        assert iff.plain_units(_arr(["1", bad])) is None, bad
    assert iff.plain_pos(_arr(["11", "02", "99"])).tolist() == [11, 2, 99]
    assert iff.pos_id("02") == 2 and iff.pos_id("") == -1
    for bad in ["2", "00", "1a", "", "11.0", " 1"]:
        assert iff.plain_pos(_arr(["11", bad])) is None, bad


def test__pair_codes__index_into_pair_values():
    got = iff.pair_codes(_arr(["", "26", "TC", "26"]))
    # "26": 1 + 2*36 + 6 = 79; "TC": 1 + 29*36 + 12 = 1057 (T = 29, C = 12)
    assert got.tolist() == [0, 79, 1057, 79]
    assert [iff.PAIR_VALUES[i] for i in got] == ["", "26", "TC", "26"]
    for bad in ["rt", "2", "26,59", " 26", "265"]:
        assert iff.pair_codes(_arr(["26", bad])) is None, bad


def test__packed_encode__same_as_a_dictionary_encoding():
    values = ["P0001", "P0002", "P0001", "ñañ"]  # "ñañ" is 2 + 1 + 2 = 5 bytes of UTF-8
    uniques, idx = iff.packed_encode(_arr(values))
    assert [uniques[i] for i in idx] == values
    assert uniques == ["P0001", "P0002", "ñañ"]  # in order of first appearance
    uniques, idx = iff.packed_encode(_arr(["2", "1", "2"]))  # one byte per cell
    assert (uniques, idx.tolist()) == (["2", "1"], [0, 1, 0])
    for bad in (["P0001", "P001"], ["123456789"], ["", ""], []):  # mixed, > 8, 0 bytes, empty
        assert iff.packed_encode(_arr(bad)) is None, bad


def test__duplicated__exact_key_and_wide_fallback():
    a = np.array([1, 2, 1, 1, 2])
    b = np.array([5, 5, 5, 6, 5])
    assert iff.duplicated({"a": a, "b": b}).tolist() == [False, False, True, False, True]
    wide = np.array([0, 2**40, 0, 2**40, 7]) * 1000  # spans whose product passes 2**62
    c = np.array([0, 2**30, 0, 2**30, 1])
    d = np.array([0, 2**20, 0, 2**20 - 1, 1])
    got = iff.duplicated({"w": wide, "c": c, "d": d})
    assert got.tolist() == [False, False, True, False, False]
    assert iff.duplicated({"k": np.array([3, 3, 3])}).tolist() == [False, True, True]


def test__duplicated__a_column_wider_than_the_key_range():
    # spans 2**61 and 2**62: the key so far (3 values) and then the column are renumbered
    a = np.array([0, 2**61, 0, 5, 2**61])
    b = np.array([2**62, 0, 2**62, 2**62, 1])
    assert iff.duplicated({"a": a, "b": b}).tolist() == [False, False, True, False, False]


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.tuples(*[st.integers(0, 3)] * 4), min_size=1, max_size=30),
    scales=st.lists(st.sampled_from([1, 1000, 2**20, 2**40, 2**60]), min_size=4, max_size=4),
)
@example(rows=[(0, 0, 0, 2), (0, 0, 1, 1)], scales=[1, 1, 1, 2**60])  # span 2**60 + 1: not a float
def test__duplicated__same_as_pandas_for_any_ranges(rows, scales):
    """Columns whose ranges multiply past 2**62 or not: DataFrame.duplicated's answer."""
    cols = {f"c{j}": np.array([r[j] for r in rows], dtype=np.int64) * s
            for j, s in enumerate(scales)}  # fmt: skip
    expected = pd.DataFrame(cols).duplicated(keep="first").to_numpy()
    assert iff.duplicated(cols).tolist() == expected.tolist()


@pytest.mark.parametrize("threads", [False, True])
def test__duplicated_keys__hash_parts_give_pandas_duplicated(monkeypatch, threads):
    rng = np.random.default_rng(7)
    key = rng.integers(0, 500, 5000) * 1_000_003  # about 10 repeats per key, big values
    monkeypatch.setattr(iff, "PART_ROWS", 300)  # 5000 rows: 2**5 = 32 parts
    expected = pd.Series(key).duplicated(keep="first").to_numpy()
    if threads:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2) as ex:
            got = iff.duplicated_keys(key, ex.submit)
    else:
        got = iff.duplicated_keys(key)
    assert got.tolist() == expected.tolist()
    assert got.sum() == 5000 - len(np.unique(key))  # every repeat after the first


def test__empty_and_repeated_strings():
    assert iff.empty_strings(3).to_pylist() == ["", "", ""]
    assert iff.all_empty(iff.empty_strings(4)) and not iff.all_empty(_arr(["", "x"]))
    assert iff.repeated_string("a.csv", 3).to_pylist() == ["a.csv"] * 3


# --------------------------------------------------------------------------- read_log
def _same(paths, **kw) -> None:
    """read_log with fast paths and threads equals read_log on the careful path, serially."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ingest, "FAST_PATHS", False)
        mp.setattr(ingest, "THREADED_ROWS", 10**9)
        careful = read_log(paths, **kw)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ingest, "THREADED_ROWS", 3)  # tiny files take the two-thread path too
        mp.setattr(iff, "PART_ROWS", 2)  # and the duplicate search in hash parts
        fast = read_log(paths, **kw)
    keys = ["encounter_key", "patient_key"]
    pd.testing.assert_frame_equal(
        fast.lines.drop(columns=keys), careful.lines.drop(columns=keys), check_exact=True
    )
    for name in ("rows_read", "rows_rejected", "columns_used", "columns_dropped",
                 "columns_ignored", "skipped_rows", "warnings", "files", "grouped_by"):  # fmt: skip
        assert getattr(fast, name) == getattr(careful, name), name


def test__read_log__clean_log_takes_every_fast_path(tmp_path, monkeypatch):
    used = Counter()
    analyze = ingest._analyze

    def spy(arr, kind, date_format):
        col = analyze(arr, kind, date_format)
        fast = col.fast is not None or col.counted
        used[kind, fast] += 1
        return col

    monkeypatch.setattr(ingest, "_analyze", spy)
    path = _write(tmp_path / "clean.csv", [
        ["P0001", "2026-01-05", "99213", "", "", "1", "11"],
        ["P0002", "2026-01-06", "G2211", "26", "59", "2", "22"],
        ["P0001", "2026-01-05", "99213", "", "", "1", "11"],  # exact duplicate of row 2
        ["P0001", "2026-01-05", "99213", "26", "26", "1", "11"],  # "26" once: "26"
    ])  # fmt: skip
    r = read_log(path)
    fast_kinds = {k for k, fast in used if fast}
    assert fast_kinds == {"hcpcs", "date_of_service", "modifiers", "units", "pos"}
    assert r.lines["is_duplicate"].tolist() == [False, False, True, False]
    assert r.lines["modifiers"].tolist() == ["", "26,59", "", "26"]
    assert r.lines["units"].tolist() == [1, 2, 1, 1]
    assert r.lines["date_of_service"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-01-05", "2026-01-06", "2026-01-05", "2026-01-05"]  # fmt: skip
    _same(path)


def test__read_log__duplicates_found_across_a_fast_file_and_a_careful_file(tmp_path):
    clean = _write(tmp_path / "a.csv", [["P0001", "2026-01-05", "99213", "26", "", "1", "11"]])
    # same line after normalization: padded/lower-case code, US date, "1.0" units, POS "11.0"
    messy = _write(tmp_path / "b.csv", [
        ["P0001", "01/05/2026", " 99213", "", "26", "1.0", "11.0"],
        ["P0001", "01/05/2026", "99213", "", "26", "2", "11"],  # 2 units: not a duplicate
    ])  # fmt: skip
    r = read_log([clean, messy])
    assert r.lines["is_duplicate"].tolist() == [False, True, False]
    _same([clean, messy])
    _same([messy, clean])


CLEAN = {
    "provider_id": ["P0001", "P0002"],
    "date_of_service": ["2026-01-05", "2024-02-29"],
    "cpt": ["99213", "0001F", "G2211", "00100"],
    "modifier1": ["", "26", "TC", "59"],
    "modifier2": ["", "59", "26"],
    "units": ["1", "2", "3", "12"],
    "pos": ["11", "02", "22"],
}
TRICKY = {
    "provider_id": ["P 0001", " P0001", "P0001 ", "", "Dr. Núñez"],
    "date_of_service": ["2026-02-29", "1929-12-31", "2026-1-05", "01/05/2026", "2026-01-05 ",
                        "", "20260105", "46000", "2026-01-05 10:00", "Jan 5, 2026"],
    "cpt": ["99213 ", " 99213", "g2211", "9921", "213", "99213.0", "", "ABCDE", "ÄBCDE"],
    "modifier1": ["rt", " 26", "26,59", "2659", "X", "26 ", "ÄB"],
    "modifier2": ["lt", "2", "59 "],
    "units": ["0", "-1", "-2", "1.0", "", " 2", "0002", "+1", "1,000", "x", "10000"],
    "pos": ["2", "00", "0", "", "1.0", "11.0", "ab"],
}  # fmt: skip


@st.composite
def _log(draw) -> list[list[str]]:
    tricky = {c: draw(st.booleans()) for c in HEADER}  # some columns stay clean: fast path
    rows = []
    for _ in range(draw(st.integers(1, 25))):
        row = [draw(st.sampled_from(CLEAN[c] + (TRICKY[c] if tricky[c] else []))) for c in HEADER]
        rows.append(row)
        if draw(st.integers(0, 4)) == 0:  # an exact or whitespace-only duplicate
            rows.append([f" {v}" if v and draw(st.booleans()) else v for v in row])
    if draw(st.integers(0, 5)) == 0:
        rows.insert(draw(st.integers(0, len(rows))), ["Total", "", "", "", "", "12", ""])
    return rows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(_log(), min_size=1, max_size=2), net=st.booleans())
def test__read_log__fast_paths_equal_the_careful_path(files, net):
    with tempfile.TemporaryDirectory() as tmp:
        paths = [_write(Path(tmp) / f"log{i}.csv", rows) for i, rows in enumerate(files)]
        _same(paths if len(paths) > 1 else paths[0], net_reversals=net)


_IDS = ["SYN-1", "SYN-2", "SYN 1", " SYN-1", "SYN-1 ", "SYN  1", "SYN\u00a01", ""]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=st.lists(
        st.lists(st.tuples(st.sampled_from(_IDS), st.sampled_from(_IDS), st.sampled_from(
            ["99213", "99214"])), min_size=1, max_size=12),
        min_size=1, max_size=2),
)  # fmt: skip
def test__read_log__patient_and_name_columns_fast_equal_careful(files):
    """Patient ids and names with and without whitespace, over one or two files: the
    no-whitespace shortcut of normalize_text and the lazily built run-wide id map find the
    same duplicates as the careful path ("SYN 1" and "SYN  1" are one patient)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, rows in enumerate(files):
            path = Path(tmp) / f"log{i}.csv"
            with path.open("w", newline="", encoding="utf-8") as fh:
                csv.writer(fh).writerows(
                    [["provider_id", "provider_name", "date_of_service", "cpt", "patient_mrn"]]
                    + [["P1", name, "2026-01-05", code, mrn] for mrn, name, code in rows]
                )
            paths.append(path)
        _same(paths if len(paths) > 1 else paths[0])


def test__read_log__patient_ids_differing_in_whitespace_are_one_patient(tmp_path):
    first = tmp_path / "a.csv"
    first.write_text("provider_id,date_of_service,cpt,patient_mrn\nP1,2026-01-05,99213,SYN-1\n")
    second = tmp_path / "b.csv"
    second.write_text(
        "provider_id,date_of_service,cpt,patient_mrn\n"
        "P1,2026-01-05,99213, SYN-1\n"  # the line of a.csv again: a duplicate across files
        "P1,2026-01-05,99213,SYN-2\n"
    )
    r = read_log([first, second])
    assert r.lines["is_duplicate"].tolist() == [False, True, False]
    keys = r.lines["patient_key"].tolist()
    assert keys[0] == keys[1] != keys[2]


# --------------------------------------------------------------------------- bytes -> text
def test__as_text__ascii_utf8_and_invalid_bytes():
    ascii_col = pa.chunked_array([pa.array([b"99213", b""], pa.large_binary())])
    assert iff.as_text(ascii_col).to_pylist() == ["99213", ""]
    utf8 = pa.chunked_array([pa.array(["Núñez".encode()], pa.large_binary())])
    assert iff.as_text(utf8).to_pylist() == ["Núñez"]
    assert iff.as_text(utf8).type == pa.large_string()
    lb = pa.large_binary()
    bad = pa.chunked_array([pa.array([b"ok"], lb), pa.array([b"N\xfa\xf1ez"], lb)])
    assert iff.as_text(bad) is None  # cp1252 bytes are not UTF-8


def _big_log(tmp_path: Path, last_provider: bytes, last_note: bytes) -> Path:
    """A log whose first 64 KiB are ASCII (so the encoding is decided by the read itself)."""
    head = b"provider_id,date_of_service,cpt,units,pos,notes\n"
    line = b"P0001,2026-01-05,99213,1,11,x\n"
    body = line * (70_000 // len(line))
    path = tmp_path / "big.csv"
    path.write_bytes(head + body + last_provider + b",2026-01-06,99214,2,22," + last_note + b"\n")
    return path


def test__read_log__invalid_utf8_after_the_prefix_reads_the_file_as_cp1252(tmp_path):
    path = _big_log(tmp_path, "Dr. Núñez".encode("cp1252"), b"x")
    r = read_log(path)
    assert r.warnings == ["big.csv: read as cp1252 (not UTF-8)"]
    assert r.lines["provider_id"].iloc[-1] == "Dr. Núñez"  # \xfa = ú, \xf1 = ñ in cp1252
    assert r.lines["hcpcs"].iloc[-1] == "99214"


def test__read_log__utf8_after_the_prefix_and_bytes_in_unused_columns(tmp_path):
    path = _big_log(tmp_path, "Dr. Núñez".encode(), "café".encode("cp1252"))
    r = read_log(path)  # the notes column is not read: its bytes are never decoded
    assert r.warnings == []
    assert r.lines["provider_id"].iloc[-1] == "Dr. Núñez"
    # "P0001,2026-01-05,99213,1,11,x\n" is 30 bytes: 70000 // 30 = 2333 copies, + the last line
    assert r.rows_read == 2333 + 1
    _same(path)


# --------------------------------------------------------------------------- workbooks
def test__read_log__workbook_columns_equal_cell_by_cell_conversion(tmp_path, monkeypatch):
    import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Clinic export"])
    ws.append(["Provider", "Date of Service", "CPT", "Modifier", "Units", "POS", "NPI"])
    ws.append(["P1", datetime.datetime(2026, 1, 5), 99213, "26", 1.0, 11, 1003460603])
    ws.append(["P1", datetime.date(2026, 1, 5), "99213", None, 2, "11", None, "note"])
    ws.append(["P2", 46000, 100, "26,59", 1, 2])
    ws.append(["P2", "2026-01-06", "G2211", "", True, None])
    path = tmp_path / "mixed.xlsx"
    wb.save(path)
    r = read_log(path)
    assert r.lines["hcpcs"].tolist() == ["99213", "99213", "00100", "G2211"]  # 100 -> 00100
    # Excel serial 46000 = 1899-12-30 + 46000 days = 2025-12-09
    assert r.lines["date_of_service"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-01-05", "2026-01-05", "2025-12-09", "2026-01-06"]  # fmt: skip
    assert r.lines["units"].tolist() == [1, 2, 1, 0]  # 1.0 -> 1; TRUE is rejected
    assert r.lines["reject_reason"].iloc[3].endswith("'TRUE' is not a number of units")
    assert r.warnings == [
        "mixed.xlsx: column 'Provider' looks like a provider but is not used (provider_id is read "
        "from 'NPI'); to use it, put this line under [columns] in a --mapping file: "
        'provider_id = "Provider"',
        "mixed.xlsx: 1 row(s) have cells right of the header; they were ignored",
    ]

    def cell_by_cell(values):
        return pa.array([iv.cell_text(v) for v in values], pa.string())

    monkeypatch.setattr(ingest, "_excel_column", cell_by_cell)
    careful = read_log(path)
    keys = ["encounter_key", "patient_key"]
    pd.testing.assert_frame_equal(r.lines.drop(columns=keys), careful.lines.drop(columns=keys))


def test__grouping_keys__one_numbering_for_both_columns_and_blank_stays_blank():
    encounter = _arr(["e1", "", "p1", "e1"])
    patient = _arr(["p1", "p2", "", "p1"])
    ek, pk = ingest._grouping_keys(encounter, patient)
    ek, pk = ek.to_pylist(), pk.to_pylist()
    # distinct ids in order: e1, "", p1, p2 -> e1 and p1 keys differ, "" stays ""
    assert ek[1] == "" and pk[2] == ""
    assert ek[0] == ek[3] and pk[0] == pk[3] == ek[2]  # "p1" in either column: one key
    assert len({ek[0], pk[0], pk[1]}) == 3
    assert all(len(k) == 16 and set(k) <= set("0123456789abcdef") for k in (ek[0], pk[0], pk[1]))
    # a column without ids stays "" and the other is keyed alone; a new call draws new keys
    ek2, pk2 = ingest._grouping_keys(iff.empty_strings(4), patient)
    assert ek2.to_pylist() == [""] * 4
    assert pk2.to_pylist()[0] == pk2.to_pylist()[3] != pk[0]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["", "a", "b", "SYN-1", "é"]), min_size=1, max_size=20))
def test__grouping_keys__equal_keys_exactly_for_equal_ids(ids):
    _, keys = ingest._grouping_keys(iff.empty_strings(len(ids)), _arr(ids))
    keys = keys.to_pylist()
    for i in range(len(ids)):
        assert (keys[i] == "") == (ids[i] == "")
        for j in range(len(ids)):
            assert (keys[i] == keys[j]) == (ids[i] == ids[j])


def test__grouping_keys__from_run_ids_when_one_column_holds_ids():
    patient = _arr(["p1", "", "p2", "p1"])
    run_ids = np.array([3, 0, 5, 3])  # equal ids exactly where the texts are equal
    ek, pk = ingest._grouping_keys(iff.empty_strings(4), patient, (None, run_ids))
    pk = pk.to_pylist()
    assert ek.to_pylist() == [""] * 4 and pk[1] == ""
    assert pk[0] == pk[3] != pk[2] and len(pk[0]) == 16


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=st.lists(st.lists(st.sampled_from(_IDS), min_size=1, max_size=10), min_size=1,
                   max_size=2),
)  # fmt: skip
def test__read_log__patient_keys_equal_exactly_for_equal_normalized_ids(files):
    """Through read_log (run ids, one file or two): two lines share a patient key exactly
    when their ids are equal once trimmed and inner whitespace collapsed."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, mrns in enumerate(files):
            path = Path(tmp) / f"log{i}.csv"
            with path.open("w", newline="", encoding="utf-8") as fh:
                csv.writer(fh).writerows([["provider_id", "date_of_service", "cpt", "patient_mrn"]]
                                         + [["P1", "2026-01-05", "99213", m] for m in mrns])  # fmt: skip
            paths.append(path)
        keys = read_log(paths).lines["patient_key"].tolist()
    ids = [" ".join(m.split()) for mrns in files for m in mrns]
    for i in range(len(ids)):
        assert (keys[i] == "") == (ids[i] == "")
        for j in range(len(ids)):
            assert (keys[i] == keys[j]) == (ids[i] == ids[j])
