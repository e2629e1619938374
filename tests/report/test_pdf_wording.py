"""The PDFs of the bundled samples speak to a reader: no option names, no malformed ordinals,
no folder paths.

Runs the samples as the README does (productivity and contract on the IR quarter, the
family-medicine log, the department batch) and reads every PDF's text with pypdf.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from rvubench.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_data"

OPTION = re.compile(r"(?<![\w-])--[a-z][\w-]*")
ORDINAL = re.compile(r"\b(\d+(?:\.\d+)?)(st|nd|rd|th)\b")


def _suffix(n: int) -> str:
    return "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def malformed_ordinals(text: str) -> list[str]:
    """Ordinals with a decimal ("38.2th") or the wrong suffix ("1th", "22th", "11st")."""
    bad = []
    for m in ORDINAL.finditer(text):
        number, suffix = m.groups()
        if "." in number or suffix != _suffix(int(number)):
            bad.append(m.group(0))
    return bad


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("38.2th percentile", ["38.2th"]),
        ("1th and 22th", ["1th", "22th"]),
        ("11st", ["11st"]),
        ("1st 2nd 3rd 4th 11th 12th 13th 21st 22nd 23rd 101st 111th", []),
    ],
)
def test__the_ordinal_check_itself(text, bad):
    assert malformed_ordinals(text) == bad


def _run(*args):
    res = CliRunner().invoke(cli, [*map(str, args)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res


@pytest.fixture(scope="module")
def sample_pdfs(tmp_path_factory):
    out = tmp_path_factory.mktemp("samples")
    ir = SAMPLES / "ir_quarter.csv"
    _run(
        "report",
        ir,
        "--out",
        out / "productivity",
        "--specialty",
        "Interventional Radiology",
        "--compensation",
        "540000",
        "--format",
        "pdf",
    )
    _run(
        "report",
        ir,
        "--out",
        out / "contract",
        "--specialty",
        "Interventional Radiology",
        "--compensation",
        "540000",
        "--kind",
        "contract",
        "--format",
        "pdf",
    )
    _run("report", SAMPLES / "family_medicine.csv", "--out", out / "fm", "--format", "pdf")
    CliRunner().invoke(
        cli,
        [
            "batch",
            str(SAMPLES / "department.csv"),
            "--roster",
            str(SAMPLES / "department_roster.csv"),
            "--out",
            str(out / "dept"),
            "--format",
            "pdf",
            "--jobs",
            "1",
        ],
        catch_exceptions=False,
    )
    pdfs = sorted(out.rglob("*.pdf"))
    assert {p.parent.name for p in pdfs} == {"productivity", "contract", "fm", "dept"}
    assert (out / "dept" / "department.pdf").is_file()
    return out, {p: "\n".join(pg.extract_text() for pg in pypdf.PdfReader(p).pages) for p in pdfs}


def test__no_option_name_in_any_sample_pdf(sample_pdfs):
    _, texts = sample_pdfs
    found = {p.name: OPTION.findall(t) for p, t in texts.items() if OPTION.search(t)}
    assert found == {}


def test__no_malformed_ordinal_in_any_sample_pdf(sample_pdfs):
    _, texts = sample_pdfs
    found = {p.name: malformed_ordinals(t) for p, t in texts.items() if malformed_ordinals(t)}
    assert found == {}
    # and percentiles are there to check: the IR report prints whole ordinals
    ir = next(t for p, t in texts.items() if p.parent.name == "productivity")
    assert ORDINAL.search(ir)


def test__pdfs_name_files_never_folders(sample_pdfs):
    out, texts = sample_pdfs
    for path, text in texts.items():
        flat = re.sub(r"\s+", "", text)
        for folder in (str(out), str(ROOT), str(SAMPLES)):
            assert re.sub(r"\s+", "", folder) not in flat, path.name
    ir = next(t for p, t in texts.items() if p.parent.name == "productivity")
    assert "ir_quarter.csv" in ir  # the file name itself is shown
