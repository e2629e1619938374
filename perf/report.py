"""``rvubench report`` (PDF + XLSX) as a process, on real-shaped logs, against the import
floor ``python -c "import pandas, weasyprint, openpyxl"`` measured in the same run.

Logs (``scripts/make_sample_data.py --scale``, patient column, procedures and E/M):
- quarter: an interventional radiologist's quarter, ~700 lines      target <= 2.5x the floor
- year:    a diagnostic radiologist's year, 30,000 lines             target <= 5x
- big:     300,000 lines (``--big``): finishes with peak memory < 2 GB; its workbook's
           Lines sheet stays within Excel's 1,048,576 rows

Usage: python perf/report.py [--runs 2] [--big] [--only quarter|year|big]
"""

from __future__ import annotations

import argparse
import tempfile
import zipfile
from pathlib import Path

from _common import IMPORT_FLOOR, alternate, best, best_cpu, describe, make_log, rvubench, verdict

CASES = {  # name: lines, specialty, first day, last day, compensation, target ratio; the
    # report's period is the log's span (the quarter, the year 2026), so every line is in it
    "quarter": (700, "Interventional Radiology", "2026-07-01", "2026-09-30", "540000", 2.5),
    "year": (30_000, "Diagnostic Radiology", "2026-01-01", "2026-12-31", "505000", 5.0),
    "big": (300_000, "Diagnostic Radiology", "2026-01-01", "2026-12-31", "505000", None),
}
PERIODS = {"quarter": "2026Q3", "year": "2026", "big": "2026"}


def lines_sheet_rows(xlsx: Path) -> dict[str, int]:
    """Rows (header included) of each sheet whose name starts with Lines: the last
    ``<row r="N"`` of the sheet's XML, read in a stream."""
    import re

    out = {}
    row = re.compile(rb'<row r="(\d+)"')
    with zipfile.ZipFile(xlsx) as z:
        book = z.read("xl/workbook.xml").decode()
        names = re.findall(r'<sheet [^>]*name="([^"]+)"', book)
        for i, name in enumerate(names, start=1):
            if not name.startswith("Lines"):
                continue
            last, tail = 0, b""
            with z.open(f"xl/worksheets/sheet{i}.xml") as fh:
                while chunk := fh.read(1 << 20):
                    found = row.findall(tail + chunk)
                    last = int(found[-1]) if found else last
                    tail = chunk[-32:]
            out[name] = last
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--big", action="store_true", help="also the 300,000-line log (one run)")
    ap.add_argument("--only", choices=sorted(CASES), default=None)
    args = ap.parse_args()
    base = Path(tempfile.gettempdir()) / "rvubench-perf-report"
    names = [args.only] if args.only else ["quarter", "year"] + (["big"] if args.big else [])
    commands = {"floor: import pandas, weasyprint, openpyxl": IMPORT_FLOOR}
    for name in names:
        lines, spec, start, end, comp, _ = CASES[name]
        log, _ = make_log(base / name, lines, 1, start, end, specialty=spec)
        commands[f"report {name} ({lines:,} lines)"] = rvubench(
            "report",
            str(log),
            "--out",
            str(base / name / "out"),
            "--specialty",
            spec,
            "--compensation",
            comp,
            "--period",
            PERIODS[name],
        )
    big = {k: v for k, v in commands.items() if k.startswith("report big")}
    small = {k: v for k, v in commands.items() if k not in big}
    res = alternate(small, args.runs)
    if big:
        res.update(alternate(big, 1, warmup=False))
    floor = best(res["floor: import pandas, weasyprint, openpyxl"])
    floor_cpu = best_cpu(res["floor: import pandas, weasyprint, openpyxl"])
    for key, samples in res.items():
        print(describe(key, samples))
    for name in names:
        key = next(k for k in res if k.startswith(f"report {name} "))
        target = CASES[name][5]
        peak = max(m for _, m, _ in res[key])
        if target is not None:
            print(
                f"{name}: report / import floor (best runs) = "
                f"{verdict(best(res[key]) / floor, target)}; CPU time "
                f"{best_cpu(res[key]) / floor_cpu:.2f}x; peak {peak / 1e9:.2f} GB"
            )
        else:
            xlsx = next((base / name / "out").glob("*.xlsx"))
            print(
                f"{name}: finished in {best(res[key]):.1f} s, peak {peak / 1e9:.2f} GB "
                f"(target < 2 GB) {'OK' if peak < 2e9 else 'OVER'}; Lines sheets: "
                f"{lines_sheet_rows(xlsx)} (Excel's limit 1,048,576 rows)"
            )


if __name__ == "__main__":
    main()
