"""Shared helpers of the perf/ scripts: run a command as a process, time it, read its peak
memory, and generate real-shaped logs with ``scripts/make_sample_data.py --scale``.

Every script measures whole commands as users run them (start to files written) and a
fixed floor in the same run, and prints the ratio. Runs alternate between the command and
its floor, so load from other processes hits both alike; the best run of each is compared
(the least disturbed one), medians are printed too.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))  # this checkout's rvubench, for in-process use
PYTHON = sys.executable


def compile_checkout() -> None:
    """Write this checkout's .pyc files, as pip does for the modules of an installed wheel.

    Without them a machine with PYTHONDONTWRITEBYTECODE set (some CI images, this one)
    compiles every rvubench module from source at every start, about 0.2 s that no user of
    an installed copy pays. compileall writes them regardless of that setting.
    """
    import compileall

    compileall.compile_dir(str(REPO / "src" / "rvubench"), quiet=2)


compile_checkout()
IMPORT_FLOOR = [PYTHON, "-c", "import pandas, weasyprint, openpyxl"]


def env() -> dict[str, str]:
    """The environment of the measured processes: this checkout's src on the path."""
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), e.get("PYTHONPATH")]))
    return e


def rvubench(*args: str) -> list[str]:
    """The command line of ``rvubench ARGS`` (the installed entry point's module)."""
    return [PYTHON, "-m", "rvubench", *args]


def run(
    cmd: list[str], ok_codes: tuple[int, ...] = (0,), stderr: list[str] | None = None
) -> tuple[float, int, float]:
    """Run ``cmd``; return (wall seconds, peak RSS bytes of the process and its children,
    CPU seconds of the process and its children); ``stderr``, when given, gets the
    command's standard error appended. On a busy machine the CPU time is the
    steadier figure: it does not count the time spent waiting for a core."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if stderr is not None:  # the caller reads what the command said (e.g. its timings)
        stderr.append(err)
    if proc.returncode not in ok_codes:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return seconds, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def alternate(
    commands: dict[str, list[str]],
    runs: int,
    warmup: bool = True,
    ok_codes: tuple[int, ...] = (0, 1),
) -> dict[str, list[tuple[float, int, float]]]:
    """Run every command ``runs`` times, rounds interleaved (after one warm-up round)."""
    if warmup:
        for cmd in commands.values():
            run(cmd, ok_codes)
    out: dict[str, list[tuple[float, int, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            out[name].append(run(cmd, ok_codes))
    return out


def describe(name: str, samples: list[tuple[float, int, float]]) -> str:
    secs = [s[0] for s in samples]
    peak = max(s[1] for s in samples)
    return (
        f"{name:<34} best {min(secs):7.2f} s  median {statistics.median(secs):7.2f} s  "
        f"cpu {best_cpu(samples):7.2f} s  peak {peak / 1e9:5.2f} GB  "
        f"(runs: {', '.join(f'{s:.2f}' for s in secs)})"
    )


def best(samples: list[tuple[float, int, float]]) -> float:
    """The best wall time."""
    return min(s[0] for s in samples)


def best_cpu(samples: list[tuple[float, int, float]]) -> float:
    """The least CPU time (process and children)."""
    return min(s[2] for s in samples)


def verdict(ratio: float, target: float) -> str:
    return f"{ratio:.2f}x (target <= {target}x) {'OK' if ratio <= target else 'OVER'}"


def make_log(
    folder: Path,
    lines: int,
    clinicians: int,
    start: str = "2026-01-01",
    end: str = "2026-12-31",
    seed: int = 2026,
    specialty: str | None = None,
) -> tuple[Path, Path]:
    """``folder/log.csv`` and ``folder/roster.csv`` from make_sample_data.py (kept if made
    before with the same arguments)."""
    log, roster = folder / "log.csv", folder / "roster.csv"
    stamp = folder / f".made-{lines}-{clinicians}-{start}-{end}-{seed}-{specialty}"
    if not stamp.exists():
        folder.mkdir(parents=True, exist_ok=True)
        extra = ["--specialty", specialty] if specialty else []
        subprocess.run([PYTHON, str(REPO / "scripts" / "make_sample_data.py"), "--scale",
                        str(lines), "--clinicians", str(clinicians), "--seed", str(seed),
                        "--start", start, "--end", end, "--out", str(folder), *extra],
                       check=True, env=env(), stdout=subprocess.DEVNULL)  # fmt: skip
        stamp.touch()
    return log, roster
