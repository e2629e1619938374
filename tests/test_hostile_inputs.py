"""Hostile and broken inputs: no crash, no silent wrong number, no formula, no patient data.

The files come from tests/make_fuzz_corpus.py, written into tmp_path. Files that crashed the
process outright (a native abort) are read in a subprocess with a memory ceiling, so the old
behaviour fails the test instead of killing pytest.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import make_fuzz_corpus as corpus
from rvubench.cli import cli
from rvubench.errors import FeeScheduleError, InputFileError
from rvubench.ingest.log import read_log

SRC = Path(__file__).resolve().parents[1] / "src"
CMS = Path(__file__).parent / "data" / "cms"
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "ir_quarter.csv"


def _run_python(code: str, tmp_path: Path, mem_mb: int = 4000) -> subprocess.CompletedProcess:
    """Run ``code`` in a child python limited to ``mem_mb`` of address space.

    Address space, not memory: a plain ``validate`` of a CSV reserves about 1.8 GB of it
    (pyarrow's and glibc's per-thread arenas, thread stacks) while using 0.17 GB, so the
    limit sits well above that. The grids these tests guard against (16,384 x 1,048,576
    cells) would need terabytes.
    """
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    pre = f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({mem_mb << 20}, {mem_mb << 20}))\n"
    return subprocess.run([sys.executable, "-c", pre + textwrap.dedent(code)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)  # fmt: skip


# ------------------------------------------------------------------ silent wrong numbers
def test__read_log__reordered_repeated_header_is_refused(tmp_path):
    # Old code skipped row 3 as a "repeated header row" and read row 4 with the first
    # header's positions: units = 11 (its pos), 99213 credited 1.30 x 11 instead of 1.30 x 1.
    path = corpus.reordered_header_csv(tmp_path)
    with pytest.raises(InputFileError, match=r"row 3 repeats the header .*'pos' under 'units'"):
        read_log(path)
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert res.exit_code == 2 and res.output.startswith("Error: reordered_header.csv row 3")


def test__read_log__repeated_header_in_same_order_is_still_skipped(tmp_path):
    lines = [
        ",".join(corpus.HEADER),
        "DR1,2026-07-01,99213,,1,11",
        ",".join(corpus.HEADER),
        "DR1,2026-07-02,99213,,2,11",
    ]
    path = corpus._text(tmp_path / "twice.csv", lines)
    res = read_log(path)
    assert list(res.lines["units"]) == [1, 2]
    assert res.skipped_rows == [("twice.csv", 3, "repeated header row")]


@pytest.mark.parametrize("kind", [k for k in corpus.FAR_CELLS if k != "beyond"])
def test__validate__value_at_xfd1048576_reads_the_log_not_the_grid(tmp_path, kind):
    # One value at XFD1048576 made the workbook reader allocate 16384 x 1048576 cells and
    # abort (exit 134). The sheet is read by the cells that exist: 2 log rows.
    path = corpus.far_cell_xlsx(tmp_path, kind=kind)
    done = _run_python(
        f"""
        from rvubench.cli import main
        import sys
        sys.argv = ["rvubench", "validate", {str(path)!r}, "--json"]
        main()
    """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["rows_read"] == 2 and report["sheets"] == {str(path): "Log"}
    far = {"in_row_2": "XFA1048000", "mid": "Z200000"}.get(kind, "XFD1048576")
    assert any(far in w and "17 cell(s)" in w for w in report["warnings"])  # 3x6-1 + 1


def test__validate__cell_beyond_the_last_worksheet_cell_is_refused(tmp_path):
    path = corpus.far_cell_xlsx(tmp_path, kind="beyond")
    done = _run_python(f"""
        from rvubench.cli import main
        import sys
        sys.argv = ["rvubench", "validate", {str(path)!r}]
        main()
    """, tmp_path)  # fmt: skip
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.startswith("Error: far_cell.xlsx cannot be read safely: sheet 'Log' has a")
    assert "beyond the last cell a worksheet can have (XFD1048576)" in done.stderr


def test__read_roster__value_at_xfd1048576(tmp_path):
    rows = [
        ["provider_id", "name", "specialty", "clinical_fte", "total_fte", "total_compensation"],
        ["FM-1", "Ann Lee", "Family Medicine", "0.8", "1.0", "250000"],
    ]
    path = corpus.far_cell_xlsx(tmp_path, rows, name="roster.xlsx")
    done = _run_python(
        f"""
        from rvubench.batch.roster import read_roster
        r = read_roster(__import__("pathlib").Path({str(path)!r}))
        print(r.loc[0, "provider_id"], r.loc[0, "clinical_fte"], r.loc[0, "total_compensation"])
    """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["FM-1", "0.8", "250000.0"]


def test__read_cms_rvu_file__value_at_xfd1048576(tmp_path):
    import csv

    rows = list(csv.reader((CMS / "PPRRVU2026_Jul_nonQPP_excerpt.csv").open(encoding="latin-1")))
    path = corpus.far_cell_xlsx(tmp_path, rows, name="PPRRVU2026_Jul_nonQPP.xlsx")
    done = _run_python(
        f"""
        from pathlib import Path
        from rvubench.feeschedule.cms import read_cms_rvu_file
        rows = read_cms_rvu_file(Path({str(path)!r})).rows
        print(rows.loc[(rows.hcpcs == "47383") & (rows["mod"] == ""), "work_rvu"].iloc[0])
    """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "8.66"  # RVU26C 47383 WORK RVU 8.66


def test__read_log__string_table_bomb_is_refused_before_reading(tmp_path):
    # 64 MiB of shared strings stored in ~64 KB: refused from the zip directory.
    path = corpus.string_bomb_xlsx(tmp_path)
    with pytest.raises(InputFileError, match=r"sharedStrings.xml would unpack [\d,]+ times"):
        read_log(path)


def test__read_cms_rvu_file__string_table_bomb_is_refused(tmp_path):
    path = corpus.string_bomb_xlsx(tmp_path)
    from rvubench.feeschedule.cms import read_cms_rvu_file

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


# ------------------------------------------------------------------ outputs
def _csv_rows(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test__price__formula_like_text_is_neutralized(tmp_path):
    out = tmp_path / "priced.csv"
    res = CliRunner().invoke(cli, ["price", str(corpus.formula_csv(tmp_path)), "-o", str(out)])
    assert res.exit_code == 1, res.output  # two rows have no valid code
    rows = _csv_rows(out)
    assert [r["provider_id"] for r in rows] == [
        "'=cmd|' /C calc'!A0",
        '\'=HYPERLINK("http://x","y")',
        "'@SUM(1+1)",
        "'=1+2",  # "\t=1+2": the tab became a space at ingest, the id is trimmed
        "+1",  # a number: a spreadsheet shows 1, nothing runs
    ]
    assert [r["hcpcs"] for r in rows] == ["99213", "'=1+1", "99213", "'-2+3", "99213"]


def test__validate_exceptions__formula_like_text_is_neutralized(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    log = corpus._text(tmp_path / "=1+2.csv", [",".join(corpus.HEADER), "DR1,2026-07-01,XX,,1,11"])
    res = CliRunner().invoke(cli, ["validate", log.name, "--exceptions", "exc.csv"])
    assert res.exit_code == 1, res.output
    (row,) = _csv_rows(tmp_path / "exc.csv")
    assert row["file"] == "'=1+2.csv"
    assert row["reason"].startswith("'=1+2.csv row 2, column hcpcs")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("=+-@\t\r\x00\x1b\xa0 1.aA(|'\"e"), max_size=12))
def test__neutralize_formula__never_leaves_a_formula_and_keeps_the_text(text):
    from rvubench.textsafe import _NUMBER_RE, neutralize_formula

    out = neutralize_formula(text)
    skipped = " " + "".join(map(chr, range(32)))  # spaces and control characters
    risky = text[:1] in ("\t", "\r") or text.lstrip(skipped)[:1] in ("=", "+", "-", "@")
    if risky and not _NUMBER_RE.match(text):
        assert out == "'" + text
    else:
        assert out == text


@pytest.mark.parametrize("kind", ["fifo", "socket"])
def test__price__refuses_a_non_regular_target(tmp_path, kind):
    # Stands in for `-o /dev/null` (a device): never point a test at a real device, as
    # the old code replaced the target with a regular file.
    import socket

    target = tmp_path / kind
    sock = None
    if kind == "fifo":
        os.mkfifo(target)
    else:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(target))
    try:
        res = CliRunner().invoke(cli, ["price", str(SAMPLE), "-o", str(target)])
    finally:
        if sock is not None:
            sock.close()
    assert res.exit_code == 2 and "is not a regular file" in res.output
    mode = os.stat(target).st_mode
    assert stat.S_ISFIFO(mode) if kind == "fifo" else stat.S_ISSOCK(mode)


def test__price__priced_csv_is_0644_whatever_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        res = CliRunner().invoke(cli, ["price", str(SAMPLE), "-o", str(tmp_path / "p.csv")])
    finally:
        os.umask(old)
    assert res.exit_code == 0, res.output
    assert stat.S_IMODE(os.stat(tmp_path / "p.csv").st_mode) == 0o644


def test__price__removes_stale_part_files_of_a_dead_run(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".p.csv.{dead.pid}.0badc0de.part"
    stale.write_text("half a file")
    other = tmp_path / f".q.csv.{dead.pid}.0badc0de.part"  # another target's: left alone
    other.write_text("x")
    res = CliRunner().invoke(cli, ["price", str(SAMPLE), "-o", str(tmp_path / "p.csv")])
    assert res.exit_code == 0, res.output
    assert not stale.exists() and other.exists()


def test__price__disk_full_is_an_error_not_a_traceback(tmp_path, monkeypatch):
    import errno

    from rvubench.pricing import engine

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(engine, "write_frame_csv", full)  # the priced CSV's writer
    out = tmp_path / "p.csv"
    res = CliRunner().invoke(cli, ["price", str(SAMPLE), "-o", str(out)])
    assert res.exit_code == 2 and res.exception is None or isinstance(res.exception, SystemExit)
    assert f"Error: cannot write {out}: no space left on the device" in res.output
    assert list(tmp_path.iterdir()) == []  # the .part file is gone


def test__price__unwritable_folder_is_an_error_not_a_traceback(tmp_path):
    res = CliRunner().invoke(cli, ["price", str(SAMPLE), "-o", "/proc/rvubench-17/p.csv"])
    assert res.exit_code == 2, res.output
    assert res.output.splitlines()[-1].startswith("Error: cannot write /proc/rvubench-17/p.csv")


def test__report__output_file_that_is_a_folder_is_an_error(tmp_path):
    (tmp_path / "IR-1001.xlsx").mkdir()
    res = CliRunner().invoke(cli, ["report", str(SAMPLE), "--out", str(tmp_path), "--format",
                                   "xlsx"])  # fmt: skip
    assert res.exit_code == 2, res.output
    assert f"Error: cannot write {tmp_path / 'IR-1001.xlsx'}: it is a folder" in res.output


# ------------------------------------------------------------------ usage errors
@pytest.mark.parametrize(("toml", "message"), [
    ("a = " + "[" * 3000 + "1" + "]" * 3000 + "\n", "nested too deeply"),
    ("columns = 5\n", "[columns] must be a table"),
    ("options = 5\n", "[options] must be a table"),
    ('[options]\ndate_format = "%Q%"\n', "options.date_format '%Q%' is not a date format"),
    ('[options]\ndate_format = "%Y"\n', "options.date_format '%Y' is not a date format"),
])  # fmt: skip
def test__validate__malformed_mapping_is_a_usage_error(tmp_path, toml, message):
    m = tmp_path / "m.toml"
    m.write_text(toml)
    res = CliRunner().invoke(cli, ["validate", str(SAMPLE), "--mapping", str(m)])
    assert res.exit_code == 2, res.output
    assert res.output.startswith("Error: mapping file") and message in res.output


@pytest.mark.parametrize(("option", "value"), [
    ("--compensation", "nan"), ("--compensation", "inf"), ("--compensation", "1e300"),
    ("--clinical-fte", "1e-320"), ("--clinical-fte", "inf"), ("--total-fte", "1e-320"),
    ("--total-fte", "nan"),
])  # fmt: skip
def test__report__non_finite_or_absurd_amounts_are_usage_errors(tmp_path, option, value):
    res = CliRunner().invoke(cli, ["report", str(SAMPLE), "--out", str(tmp_path), "--specialty",
                                   "Interventional Radiology", option, value])  # fmt: skip
    assert res.exit_code == 2, res.output
    assert (
        "Traceback" not in res.output
        and res.exception is None
        or isinstance(res.exception, SystemExit)
    )
    error = [ln for ln in res.output.splitlines() if ln.startswith("Error:")]
    assert len(error) == 1 and option in error[0]
    assert list(tmp_path.iterdir()) == []


def test__read_roster__compensation_without_digits_is_named(tmp_path):
    from rvubench.batch.roster import read_roster

    f = tmp_path / "r.csv"
    f.write_text('provider_id,specialty,total_compensation\nA,Cardiology,"$,"\n')
    with pytest.raises(
        InputFileError, match=r"row 2, column total_compensation .*'\$,' is not an amount"
    ):
        read_roster(f)


# ------------------------------------------------------------------ privacy
@pytest.mark.parametrize("canon", ["provider_id", "date_of_service"])
def test__read_log__mapping_cannot_read_a_patient_column(tmp_path, canon):
    log = corpus._text(tmp_path / "dob.csv", [
        "provider_id,Patient DOB,date_of_service,hcpcs,units",
        "A,1950-02-03,2026-07-01,99213,1",
    ])  # fmt: skip
    m = tmp_path / "m.toml"
    m.write_text(f'[columns]\n{canon} = "Patient DOB"\n')
    res = CliRunner().invoke(cli, ["validate", str(log), "--mapping", str(m)])
    assert res.exit_code == 2, res.output
    assert f"reads the patient column 'Patient DOB' as {canon}" in res.output
    assert "1950" not in res.output  # no value of the dropped column is echoed


def test__validate__prints_no_terminal_control_sequence(tmp_path):
    log = corpus._text(
        tmp_path / "esc.csv", [",".join(corpus.HEADER), "A\x1b]0;owned\x07B,2026-07-01,99213,,1,11"]
    )
    res = CliRunner().invoke(cli, ["validate", str(log)])
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output and "\x07" not in res.output
    assert "providers: A]0;ownedB (1)" in res.output  # ESC and BEL removed at ingest


def test__batch_progress__escapes_control_sequences(capsys):
    from rvubench.cli.batch import _Progress

    progress = _Progress()
    progress.tty = False
    progress(1, 2, "FM-1\x1b[2J\x1b]0;owned\x07", "done")
    err = capsys.readouterr().err
    assert err == "[1/2] FM-1\\x1b[2J\\x1b]0;owned\\x07 done\n"


def test__read_roster__control_characters_removed(tmp_path):
    from rvubench.batch.roster import read_roster

    f = tmp_path / "r.csv"
    f.write_bytes(b"provider_id,specialty\nFM-1\x1b[2J,Family Medicine\x7f\n")
    r = read_roster(f)
    assert (r.loc[0, "provider_id"], r.loc[0, "specialty"]) == ("FM-1[2J", "Family Medicine")


# ------------------------------------------------------------------ templates
def _report_model():
    from _report_data import sample_priced
    from rvubench.benchmarks.periods import parse_period
    from rvubench.pricing.settings import PricingSettings
    from rvubench.report.model import build_report_model

    return build_report_model(sample_priced(), period=parse_period("2026Q3"),
                              settings=PricingSettings(), provider_id="IR-1001",
                              provider_name="Dr Ana Ruiz")  # fmt: skip


@pytest.mark.parametrize("payload", [
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ model.__class__.__init__.__globals__ }}",
])  # fmt: skip
def test__user_templates__run_in_the_sandbox(tmp_path, payload):
    import shutil

    from rvubench.errors import TemplateProblem
    from rvubench.report.pdf import render_html
    from rvubench.resources import templates_dir

    folder = tmp_path / "tpl"
    shutil.copytree(templates_dir(), folder)
    (folder / "_quality.html.j2").write_text(f"<p>{payload}</p>\n")
    with pytest.raises(TemplateProblem, match=r"_quality\.html\.j2"):
        render_html(_report_model(), folder)


def test__user_templates__cannot_reach_a_data_frame(tmp_path):
    import pandas as pd
    from jinja2.exceptions import SecurityError

    from rvubench.report.pdf import _environment

    env = _environment(str(tmp_path))
    tpl = env.from_string("{{ frame.to_csv('/tmp/x.csv') }}")
    with pytest.raises(SecurityError):
        tpl.render(frame=pd.DataFrame({"a": [1]}))


# ------------------------------------------------------------------ batch under faults
def test__batch_workers__exit_when_the_main_process_is_killed(tmp_path):
    import signal
    import time

    from rvubench.batch.run import _default_executor, process_alive, watch_main_process

    pool = _default_executor(2)  # the pool batch uses: every worker watches the main process
    assert (pool._initializer, pool._initargs) == (watch_main_process, (os.getpid(),))
    pool.shutdown()
    main = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent("""
        import multiprocessing, os, sys, time
        from concurrent.futures import ProcessPoolExecutor
        from rvubench.batch.run import watch_main_process
        ctx = multiprocessing.get_context("forkserver")
        pool = ProcessPoolExecutor(1, mp_context=ctx, initializer=watch_main_process,
                                   initargs=(os.getpid(), 0.05))
        print(pool.submit(os.getpid).result(), flush=True)
        time.sleep(600)
    """),
        ],
        env={**os.environ, "PYTHONPATH": str(SRC)},
        stdout=subprocess.PIPE,
        text=True,
    )
    worker = int(main.stdout.readline())
    assert process_alive(worker)
    main.send_signal(signal.SIGKILL)
    main.wait()
    for _ in range(200):  # the worker notices within its 0.05 s interval; allow 10 s
        if not process_alive(worker):
            break
        time.sleep(0.05)
    assert not process_alive(worker)


class _FakePool:
    """submit() answers at once: every clinician ok, or every one failed by a dead worker."""

    def __init__(self, broken: bool, log: list):
        self._broken = broken
        log.append(self)

    def submit(self, fn, task):
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        from rvubench.batch.run import ClinicianResult

        fut = Future()
        if self._broken:
            fut.set_exception(BrokenProcessPool("A child process terminated abruptly"))
        else:
            fut.set_result(ClinicianResult(task.clinician.provider_id, True))
        return fut

    def shutdown(self, wait=True, cancel_futures=False):
        pass


def _tasks(n):
    from types import SimpleNamespace

    return [SimpleNamespace(clinician=SimpleNamespace(provider_id=f"P{i}")) for i in range(n)]


def test__batch__dead_worker_restarts_the_pool_once_and_retries(tmp_path):
    from rvubench.batch.run import _run_tasks

    pools: list = []
    results, last = _run_tasks(_FakePool(True, pools), iter(_tasks(5)), 5, 2, None,
                               restart=lambda: _FakePool(False, pools))  # fmt: skip
    assert sorted(results) == ["P0", "P1", "P2", "P3", "P4"]
    assert all(r.ok for r in results.values())
    assert len(pools) == 2 and last is pools[1]


def test__batch__a_pool_that_breaks_again_fails_those_clinicians(tmp_path):
    from rvubench.batch.run import _run_tasks

    pools: list = []
    results, _ = _run_tasks(_FakePool(True, pools), iter(_tasks(3)), 3, 2, None,
                            restart=lambda: _FakePool(True, pools))  # fmt: skip
    assert len(pools) == 2  # restarted once only
    assert not any(r.ok for r in results.values())
    assert all("BrokenProcessPool" in r.reason for r in results.values())


def test__batch__second_run_into_a_locked_folder_is_refused(tmp_path):
    from rvubench.atomic import folder_lock

    data = Path(__file__).resolve().parents[1] / "sample_data"
    out = tmp_path / "dept"
    with folder_lock(out, "the first batch"):
        res = CliRunner().invoke(cli, ["batch", str(data / "department.csv"), "--roster",
                                       str(data / "department_roster.csv"), "--out", str(out),
                                       "--period", "2026Q2"])  # fmt: skip
    assert res.exit_code == 2, res.output
    assert f"Error: {out} is being written by the first batch (pid {os.getpid()})" in res.output
    assert [p.name for p in out.iterdir()] == [".rvubench.lock"]  # nothing else written


# ------------------------------------------------------------------ also
def test__bootstrap__reads_the_library_cache_without_a_pipe_into_grep_q(tmp_path):
    script = (Path(__file__).resolve().parents[1] / "scripts" / "bootstrap.sh").read_text()
    code = [ln for ln in script.splitlines() if not ln.lstrip().startswith("#")]
    # under pipefail, `ldconfig -p | grep -q` fails when grep exits first (SIGPIPE, 141)
    assert not [ln for ln in code if "ldconfig" in ln and "grep -q" in ln]
    assert any("--check" in ln for ln in code)
    # a long cache with Pango on the first lines, as a fake ldconfig first in PATH
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "ldconfig").write_text(
        "#!/bin/sh\necho 'libpango-1.0.so.0 => /x'\necho 'libpangoft2-1.0.so.0 => /x'\n"
        "echo 'libharfbuzz-subset.so.0 => /x'\nseq 1 200000\n"
    )
    (fake / "ldconfig").chmod(0o755)
    done = subprocess.run(
        ["bash", str(Path(__file__).resolve().parents[1] / "scripts" / "bootstrap.sh"), "--check"],
        env={**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] in ("missing: none", "missing: fonts-dejavu-core")


def test__price_and_report__name_the_sheet_read(tmp_path):
    path = corpus.hidden_first_sheet_xlsx(tmp_path)
    res = CliRunner().invoke(cli, ["price", str(path), "-o", str(tmp_path / "p.csv")])
    assert res.exit_code == 0, res.output
    assert "sheet read: hidden_first.xlsx [Log]" in res.output
    res = CliRunner().invoke(cli, ["report", str(path), "--out", str(tmp_path / "r"), "--format",
                                   "xlsx", "--period", "2026Q3", "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["sheets"] == {str(path): "Log"}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("=+-@\t\r\x01 1.eA(|'"), max_size=8), max_size=20))
def test__neutralize_formula_array__same_rule_as_the_text_function(values):
    import pyarrow as pa

    from rvubench.textsafe import neutralize_formula, neutralize_formula_array

    out = neutralize_formula_array(pa.array(values, pa.string())).to_pylist()
    assert out == [neutralize_formula(v) for v in values]


def test__load_benchmarks__value_at_xfd1048576(tmp_path):
    rows = [["source", "survey_year", "specialty", "region", "metric", "p10", "p25", "p50", "p75", "p90"],
            ["S", "2025", "Cardiology", "National", "wrvu", "1", "2", "3", "4", "5"]]  # fmt: skip
    path = corpus.far_cell_xlsx(tmp_path, rows, name="bench.xlsx")
    done = _run_python(
        f"""
        from pathlib import Path
        from rvubench.benchmarks.tables import load_benchmarks
        t = load_benchmarks(Path({str(path)!r}))
        print(len(t.rows), t.rows[0].anchors)
    """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "1 [(10, 1.0), (25, 2.0), (50, 3.0), (75, 4.0), (90, 5.0)]"
