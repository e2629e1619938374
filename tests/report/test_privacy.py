"""No output carries patient data: the messy sample has fake patient columns (name, MRN,
DOB); the report (PDF + workbook) and the priced CSV must not contain any of their values,
nor the random keys rvubench keeps in memory to group a patient's lines."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from pypdf import PdfReader

from rvubench.cli import cli

MESSY = Path(__file__).resolve().parents[2] / "sample_data" / "messy" / "ir_quarter_modcols.csv"


def _patient_values() -> set[str]:
    with MESSY.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    values = {r[c] for r in rows for c in ("Patient Name", "MRN")}
    return values | {"01/01/1900", "1900-01-01"}


def test__report_and_price_outputs_hold_no_patient_values(tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    r = runner.invoke(cli, ["report", str(MESSY), "--out", str(out), "--specialty",
                            "Interventional Radiology"])  # fmt: skip
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["price", str(MESSY), "-o", str(tmp_path / "priced.csv")])
    assert r.exit_code == 0, r.output

    texts = [(tmp_path / "priced.csv").read_text(encoding="utf-8")]
    texts += [page.extract_text() for page in PdfReader(out / "IR-1001.pdf").pages]
    wb = openpyxl.load_workbook(out / "IR-1001.xlsx", read_only=True)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            texts.append(" ".join(str(v) for v in row if v is not None))
    blob = "\n".join(texts)
    leaked = sorted(v for v in _patient_values() if v and v in blob)
    assert leaked == []
    for name in ("patient_key", "encounter_key", "Patient Name", "MRN", "DOB"):
        assert name not in blob.split("\n")[0]  # not a column of the priced CSV
    assert "patient_key" not in blob and "encounter_key" not in blob
