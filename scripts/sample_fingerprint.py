"""Render the bundled samples and print what a reader sees: PDF text and workbook values.

Used to show that a refactoring changed nothing a user can see. Run it on two checkouts and
compare the outputs:

    git worktree add /tmp/before <ref>
    PYTHONPATH=/tmp/before/src python scripts/sample_fingerprint.py > before.json
    PYTHONPATH=src python scripts/sample_fingerprint.py > after.json
    diff before.json after.json && echo identical

The script renders, into a temporary folder: the productivity and contract reports of the
interventional radiology quarter, the family medicine report, and the department batch.
For every PDF it records the text of each page (pypdf); for every workbook, every sheet's
cell values (not styles). Run dates are masked so two runs on different days compare equal.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data"

RUNS = {
    "ir_productivity": [
        "report",
        SAMPLE / "ir_quarter.csv",
        "--specialty",
        "Interventional Radiology",
        "--compensation",
        "540000",
    ],
    "ir_contract": [
        "report",
        SAMPLE / "ir_quarter.csv",
        "--specialty",
        "Interventional Radiology",
        "--compensation",
        "540000",
        "--kind",
        "contract",
    ],
    "family_medicine": [
        "report",
        SAMPLE / "family_medicine.csv",
        "--specialty",
        "Family Medicine",
        "--compensation",
        "300000",
    ],
    "department": [
        "batch",
        SAMPLE / "department.csv",
        "--roster",
        SAMPLE / "department_roster.csv",
        "--jobs",
        "1",
    ],
}
_RUN_DATE = re.compile(r"\b20\d\d-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?\b")


def _mask(text: str) -> str:
    return _RUN_DATE.sub("<timestamp>", text)


def _pdf(path: Path) -> list[str]:
    return [_mask(page.extract_text() or "") for page in PdfReader(path).pages]


def _xlsx(path: Path) -> dict[str, list[list[object]]]:
    wb = load_workbook(path, read_only=True, data_only=True)
    sheets = {}
    for ws in wb.worksheets:
        rows = []
        for row in ws.iter_rows(values_only=True):
            rows.append([_mask(str(v)) if v is not None else None for v in row])
        sheets[ws.title] = rows
    return sheets


def fingerprint() -> dict[str, dict[str, object]]:
    result: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in RUNS.items():
            out = Path(tmp) / name
            cmd = [sys.executable, "-m", "rvubench", *map(str, args), "--out", str(out)]
            subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=tmp)
            files: dict[str, object] = {}
            for path in sorted(out.rglob("*")):
                key = str(path.relative_to(out))
                if path.suffix == ".pdf":
                    files[key] = _pdf(path)
                elif path.suffix == ".xlsx":
                    files[key] = _xlsx(path)
            result[name] = files
    return result


if __name__ == "__main__":
    json.dump(fingerprint(), sys.stdout, indent=1, sort_keys=True, default=str)
    sys.stdout.write("\n")
