"""Hostile and broken inputs: no crash, no silent wrong number, no formula, no patient data.

The files come from tests/make_fuzz_corpus.py, written into tmp_path. Files that crashed the
process outright (a native abort) are read in a subprocess with a memory ceiling, so the old
behaviour fails the test instead of killing pytest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import make_fuzz_corpus as corpus
from rvubench.cli import cli
from rvubench.errors import FeeScheduleError, InputFileError
from rvubench.ingest import read_log

SRC = Path(__file__).resolve().parents[1] / "src"
CMS = Path(__file__).parent / "data" / "cms"


def _run_python(code: str, tmp_path: Path, mem_mb: int = 1500) -> subprocess.CompletedProcess:
    """Run ``code`` in a child python limited to ``mem_mb`` of address space."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    pre = f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({mem_mb << 20}, {mem_mb << 20}))\n"
    return subprocess.run([sys.executable, "-c", pre + textwrap.dedent(code)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)  # fmt: skip


# ------------------------------------------------------------------ silent wrong numbers
def test__read_log__reordered_repeated_header_is_refused(tmp_path):
    # Old code skipped row 3 as a "repeated header row" and read row 4 with the first
    # header's positions: units = 11 (its pos), 99213 credited 0.94 x 11 instead of 0.94 x 1.
    path = corpus.reordered_header_csv(tmp_path)
    with pytest.raises(InputFileError, match=r"row 3 repeats the header .*'pos' under 'units'"):
        read_log(path)
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert res.exit_code == 2 and res.output.startswith("Error: reordered_header.csv row 3")


def test__read_log__repeated_header_in_same_order_is_still_skipped(tmp_path):
    lines = [",".join(corpus.HEADER), "DR1,2026-07-01,99213,,1,11", ",".join(corpus.HEADER),
             "DR1,2026-07-02,99213,,2,11"]
    path = corpus._text(tmp_path / "twice.csv", lines)
    res = read_log(path)
    assert list(res.lines["units"]) == [1, 2]
    assert res.skipped_rows == [("twice.csv", 3, "repeated header row")]


def test__validate__value_at_xfd1048576_reads_the_log_not_the_grid(tmp_path):
    # One value at XFD1048576 made the workbook reader allocate 16384 x 1048576 cells and
    # abort (exit 134). The sheet is read by the cells that exist: 2 log rows.
    path = corpus.far_cell_xlsx(tmp_path)
    done = _run_python(f"""
        from rvubench.cli import main
        import sys
        sys.argv = ["rvubench", "validate", {str(path)!r}, "--json"]
        main()
    """, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["rows_read"] == 2 and report["sheets"] == {str(path): "Log"}
    assert any("XFD1048576" in w and "17 cell(s)" in w for w in report["warnings"])  # 3x6-1 + 1


def test__read_roster__value_at_xfd1048576(tmp_path):
    rows = [["provider_id", "name", "specialty", "clinical_fte", "total_fte", "total_compensation"],
            ["FM-1", "Ann Lee", "Family Medicine", "0.8", "1.0", "250000"]]
    path = corpus.far_cell_xlsx(tmp_path, rows, name="roster.xlsx")
    done = _run_python(f"""
        from rvubench.roster import read_roster
        r = read_roster(__import__("pathlib").Path({str(path)!r}))
        print(r.loc[0, "provider_id"], r.loc[0, "clinical_fte"], r.loc[0, "total_compensation"])
    """, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["FM-1", "0.8", "250000.0"]


def test__read_cms_rvu_file__value_at_xfd1048576(tmp_path):
    import csv

    rows = list(csv.reader((CMS / "PPRRVU2026_Jul_nonQPP_excerpt.csv").open(encoding="latin-1")))
    path = corpus.far_cell_xlsx(tmp_path, rows, name="PPRRVU2026_Jul_nonQPP.xlsx")
    done = _run_python(f"""
        from pathlib import Path
        from rvubench.feeschedule import read_cms_rvu_file
        rows = read_cms_rvu_file(Path({str(path)!r})).rows
        print(rows.loc[(rows.hcpcs == "47383") & (rows["mod"] == ""), "work_rvu"].iloc[0])
    """, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "8.66"  # RVU26C 47383 WORK RVU 8.66


def test__read_log__string_table_bomb_is_refused_before_reading(tmp_path):
    # 64 MiB of shared strings stored in ~64 KB: refused from the zip directory.
    path = corpus.string_bomb_xlsx(tmp_path)
    with pytest.raises(InputFileError, match=r"sharedStrings.xml would unpack [\d,]+ times"):
        read_log(path)


def test__read_cms_rvu_file__string_table_bomb_is_refused(tmp_path):
    path = corpus.string_bomb_xlsx(tmp_path)
    from rvubench.feeschedule import read_cms_rvu_file

    with pytest.raises(FeeScheduleError, match="decompression bomb"):
        read_cms_rvu_file(path)


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test__read_log__hidden_first_sheet_is_not_read(tmp_path, state):
    # The hidden sheet "Old" holds OLD / 99215 x 9; the visible "Log" holds DR1's 2 lines.
    path = corpus.hidden_first_sheet_xlsx(tmp_path, state)
    res = read_log(path)
    assert list(res.lines["hcpcs"]) == ["99213", "99214"]
    assert res.sheets == {str(path): "Log"}
    named = read_log(path, sheet="Old")  # a hidden sheet is read when asked for by name
    assert list(named.lines["units"]) == [9]


def test__validate__names_the_sheet_read(tmp_path):
    path = corpus.hidden_first_sheet_xlsx(tmp_path)
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert "sheet read: hidden_first.xlsx [Log]" in res.output


def test__read_log__control_characters_removed_at_ingest(tmp_path):
    path = corpus.control_chars_csv(tmp_path)
    res = read_log(path)
    ids = set(res.lines["provider_id"])
    assert ids == {"DR1", "DR[31mX", "DRY", "DRZ"}  # ESC, DEL, NUL and U+0085 removed
    assert any("3 cell(s) held control characters" in w for w in res.warnings)


def test__price__control_characters_never_reach_the_output(tmp_path):
    path = corpus.control_chars_csv(tmp_path)
    res = CliRunner().invoke(cli, ["price", str(path), "-o", str(tmp_path / "p.csv")])
    assert res.exit_code == 0, res.output
    text = (tmp_path / "p.csv").read_text()
    assert not any(ch in text for ch in "\x00\x1b\x7f\x85")
