"""The shared text decoder (rvubench.readers.text) and the readers that use it."""

from __future__ import annotations

import pytest

from rvubench.benchmarks.tables import load_benchmarks
from rvubench.errors import InputFileError
from rvubench.readers.text import decode_bytes, is_binary, sniff_delimiter

# 0x81 and 0x9D are undefined in cp1252 and invalid as UTF-8 lead bytes: only latin-1 reads them
NOT_UTF8_NOR_CP1252 = b"Caf\xe9 \x81\x9d"


def test__decode_bytes__chain_order():
    assert decode_bytes("é".encode(), "f").encoding == "utf-8"
    assert decode_bytes(b"\xef\xbb\xbfcode", "f").text == "code"  # BOM dropped
    assert decode_bytes("é’".encode("cp1252"), "f").text == "é’"
    got = decode_bytes(NOT_UTF8_NOR_CP1252, "f")
    assert (got.encoding, got.text) == ("latin-1", "Café \x81\x9d")
    assert decode_bytes("a,b".encode("utf-16"), "f").text == "a,b"


def test__decode_bytes__damaged_utf16_is_refused_in_words():
    with pytest.raises(InputFileError, match="f.csv is damaged: not valid UTF-16"):
        decode_bytes("ab".encode("utf-16") + b"\x00", "f.csv")


def test__decode_bytes__prefix_keeps_utf8_when_a_character_is_cut():
    data = ("x" * 10 + "é").encode()[:-1]  # the block ends inside "é"
    assert decode_bytes(data, "f", prefix=True).encoding == "utf-8"
    assert decode_bytes(data, "f").encoding == "cp1252"


def test__is_binary_and_sniff():
    assert is_binary(b"a\x00b") and not is_binary("a".encode("utf-16"))
    assert sniff_delimiter("a;b;c\n1;2;3\n") == ";"
    assert sniff_delimiter("# note, with, commas\na\tb\tc\n") == "\t"


def test__benchmark_file_neither_utf8_nor_cp1252_is_read_as_latin1(tmp_path):
    # was: UnboundLocalError in the benchmark reader's own decode loop
    p = tmp_path / "bench.csv"
    p.write_bytes(
        b"specialty,survey_year,metric,p25,p50,p75,note\n"
        b"Test Specialty,2025,wrvu,3800,4800,6000,Caf\xe9 \x81 note\n"
    )
    row = load_benchmarks(p).find("Test Specialty", "wrvu")
    assert row.anchors == [(25, 3800.0), (50, 4800.0), (75, 6000.0)]
    assert row.note == "Café  note"  # U+0081 (a C1 control) removed as text enters


def test__roster_and_log_read_latin1_bytes(tmp_path):
    from rvubench.batch.roster import read_roster
    from rvubench.ingest.log import read_log

    r = tmp_path / "roster.csv"
    r.write_bytes(b"provider_id,name,specialty\nP1,Jos\xe9 \x81,Test Specialty\n")
    assert read_roster(r)["name"].tolist() == ["José"]  # U+0081 removed, then trimmed
    log = tmp_path / "log.csv"
    log.write_bytes(b"CPT,DOS,Provider\n99213,2026-07-01,Dr \x81\xe9\n")
    res = read_log(log)
    assert res.lines["provider_id"].tolist() == ["Dr é"]  # U+0081 removed
    assert any("read as latin-1" in w for w in res.warnings)
