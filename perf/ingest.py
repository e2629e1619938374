"""Ingest speed: ``read_log`` against the fastest bare reader, measured in the same run.

Generates (once, in a temporary folder or ``--data DIR``) a 1,000,000-row CSV and a
100,000-row XLSX shaped like a plain export (provider_id, npi, date_of_service, cpt,
modifier1, modifier2, units, pos), then times, best of ``--repeat`` runs:

- CSV: ``pandas.read_csv(engine="pyarrow")``, ``pandas.read_csv(dtype_backend="pyarrow")`` and
  ``pyarrow.csv.read_csv``; the fastest is the baseline (they do no validation at all).
- XLSX: ``python_calamine`` ``to_python()`` of the first sheet (the fastest bare reader here).

Prints each ``read_log`` time beside its baseline and the ratio (target < 1.5), and the peak
memory of ``read_log`` on the 1M-row CSV (target < 1 GB, measured in a child process).

    python perf/ingest.py [--repeat 5] [--data DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def make_csv(path: Path, n: int = 1_000_000) -> None:
    """A log shaped like perf-baselines.md `procedures_1m.csv` (numpy seed 42)."""
    rng = np.random.default_rng(42)
    codes = np.array(
        [f"{x:05d}" for x in rng.integers(10000, 99999, 1700)] + [f"{x:04d}F" for x in range(300)]
    )
    p = 1 / np.arange(1, 2001) ** 1.1
    p /= p.sum()
    mods = np.array(["26", "TC", "25", "59", "50", "51", "76", "RT", "LT", "XU"])
    frame = pd.DataFrame({
        "provider_id": np.array([f"P{i:04d}" for i in range(1, 501)])[rng.integers(0, 500, n)],
        "npi": np.array([str(1_000_000_000 + i * 7919) for i in range(500)])[rng.integers(0, 500, n)],
        "date_of_service": (pd.Timestamp("2024-01-01")
                            + pd.to_timedelta(rng.integers(0, 366, n), unit="D")).strftime("%Y-%m-%d"),
        "cpt": codes[rng.choice(2000, n, p=p)],
        "modifier1": np.where(rng.random(n) < 0.75, "", mods[rng.integers(0, 10, n)]),
        "modifier2": np.where(rng.random(n) < 0.96, "", mods[rng.integers(0, 10, n)]),
        "units": rng.integers(1, 4, n).astype(str),
        "pos": np.array(["11", "02", "22", "21", "19"])[rng.integers(0, 5, n)],
    })  # fmt: skip
    frame.to_csv(path, index=False)


def make_xlsx(csv_path: Path, path: Path, n: int = 100_000) -> None:
    """The first ``n`` rows of the CSV as a workbook (openpyxl write-only), codes as text."""
    from openpyxl import Workbook

    frame = pd.read_csv(csv_path, nrows=n, dtype=str, keep_default_na=False)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("log")
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False, name=None):
        ws.append(list(row))
    wb.save(path)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def peak_memory_mb(csv_path: Path) -> float:
    """Peak RSS of a child process that imports rvubench and reads the CSV once."""
    code = (
        "import resource, sys; from pathlib import Path; from rvubench.ingest.log import read_log; "
        f"r = read_log(Path({str(csv_path)!r})); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024  # ru_maxrss is KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description="rvubench ingest speed vs bare readers")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", type=Path, default=None, help="folder for the generated files")
    args = parser.parse_args()
    folder = args.data or Path(tempfile.gettempdir()) / "rvubench-perf-ingest"
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path = folder / "procedures_1m.csv", folder / "procedures_100k.xlsx"
    if not csv_path.exists():
        print(f"generating {csv_path} ...", flush=True)
        make_csv(csv_path)
    if not xlsx_path.exists():
        print(f"generating {xlsx_path} ...", flush=True)
        make_xlsx(csv_path, xlsx_path)

    import pyarrow.csv as pacsv
    from python_calamine import CalamineWorkbook

    from rvubench.ingest.log import read_log

    read_log(csv_path)  # warm the page cache and imports
    bare_csv = {
        "pandas.read_csv(engine='pyarrow')": lambda: pd.read_csv(csv_path, engine="pyarrow"),
        "pandas.read_csv(dtype_backend='pyarrow')": lambda: pd.read_csv(
            csv_path, dtype_backend="pyarrow"
        ),
        "pyarrow.csv.read_csv": lambda: pacsv.read_csv(csv_path),
    }
    csv_times = {name: best(fn, args.repeat) for name, fn in bare_csv.items()}
    base_name = min(csv_times, key=csv_times.get)
    ours_csv = best(lambda: read_log(csv_path), args.repeat)
    xlsx_base = best(
        lambda: CalamineWorkbook.from_path(str(xlsx_path)).get_sheet_by_index(0).to_python(),
        max(1, args.repeat // 2),
    )
    ours_xlsx = best(lambda: read_log(xlsx_path), max(1, args.repeat // 2))
    peak = peak_memory_mb(csv_path)

    print(f"CSV 1,000,000 rows ({csv_path.stat().st_size / 1e6:.1f} MB), best of {args.repeat}:")
    for name, t in csv_times.items():
        print(f"  bare {name:<42} {t * 1000:8.0f} ms")
    print(f"  rvubench read_log                              {ours_csv * 1000:8.0f} ms  "
          f"ratio {ours_csv / csv_times[base_name]:.2f}x vs {base_name} (target < 1.5x)")  # fmt: skip
    print("XLSX 100,000 rows:")
    print(f"  bare python_calamine to_python                 {xlsx_base * 1000:8.0f} ms")
    print(f"  rvubench read_log                              {ours_xlsx * 1000:8.0f} ms  "
          f"ratio {ours_xlsx / xlsx_base:.2f}x (target < 1.5x)")  # fmt: skip
    print(f"Peak memory, read_log of the 1M-row CSV: {peak:.0f} MB (target < 1024 MB)")


if __name__ == "__main__":
    main()
