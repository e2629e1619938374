"""Every percentile sits beside the figure it was computed from .

The log: 20 lines of 37243 (one a day, no two on one day, so no multiple-procedure
reduction) in 2026Q3, reported at 0.1 clinical and total FTE. Work RVU of 37243 is 11.45 on
RVU26C (in effect) and 11.74 on RVU25D (the bundled benchmark's data year 2025), so the
like-for-like and as-credited totals differ:

    as credited: 20 x 11.45 = 229.00 wRVUs; x 365/92 / 0.1 = 9,085.33 FTE-adjusted
    like-for-like: 20 x 11.74 = 234.80 wRVUs; x 365/92 / 0.1 = 9,315.43 FTE-adjusted

IR wRVU row of the bundled sample: p10 6,200, p25 7,600, p50 9,100, p75 10,900, p90 13,000:
    9,315.43 -> 50 + 25 x (9,315.43 - 9,100) / 1,800 = 52.99 -> "53rd" (the benchmarked figure)
    9,085.33 -> 25 + 25 x (9,085.33 - 7,600) / 1,500 = 49.76 -> "50th" (as credited, shown)
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pypdf
import pytest
from click.testing import CliRunner

from rvubench.benchmarks.tables import load_benchmarks, percentile_of
from rvubench.cli import cli
from rvubench.report.formatting import fmt_percentile
from rvubench.report.xlsx import header_label

SPECIALTY = "Interventional Radiology"
ORD = r"(\d+)(?:st|nd|rd|th)"
NUM = r"(?<![$\d,.])(\d{1,3}(?:,\d{3})*\.\d\d)(?![\d%])"


def _log(path: Path) -> Path:
    rows = ["provider_id,date_of_service,hcpcs,modifiers,units,pos"]
    day = date(2026, 7, 1)
    for _ in range(20):
        rows.append(f"IR-9,{day.isoformat()},37243,,1,22")
        day += timedelta(days=4)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _run(*args):
    return CliRunner().invoke(cli, [*map(str, args)], catch_exceptions=False)


def _text(pdf: Path) -> str:
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages)
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("basis")
    log = _log(tmp / "ir9.csv")
    out = {}
    for kind in ("productivity", "contract"):
        res = _run(
            "report",
            log,
            "--out",
            tmp / kind,
            "--specialty",
            SPECIALTY,
            "--clinical-fte",
            "0.1",
            "--total-fte",
            "0.1",
            "--compensation",
            "54000",
            "--kind",
            kind,
            "--json",
            "--period",
            "2026Q3",
        )
        assert res.exit_code == 0, res.output
        out[kind] = (tmp / kind, json.loads(res.stdout), res.stderr)
    return out


def _wrvu_row():
    return load_benchmarks().find(SPECIALTY, "wrvu")


def _agrees(printed_ordinal: str, figure: str) -> None:
    """The printed ordinal is the benchmark percentile of the printed figure, rounded."""
    value = float(figure.replace(",", ""))
    p = percentile_of(value, _wrvu_row())
    assert p.value is not None, figure
    # the figure is printed to 0.01 (or 1 on the chart): a recomputed percentile within 0.5
    # of the printed whole number (plus the figure's own rounding) agrees
    assert abs(p.value - int(printed_ordinal)) <= 0.5 + 0.01, (printed_ordinal, figure, p.value)


def test__the_log_differs_between_like_for_like_and_as_credited(runs):
    _, s, _ = runs["productivity"]
    # 20 x 11.45 = 229.00 as credited; 20 x 11.74 = 234.80 on 2025 RVUs
    assert s["wrvu_total"] == 229.00 and s["wrvu_benchmarked_total"] == 234.80
    assert s["wrvu_basis"] == "like-for-like" and s["wrvu_basis_rvu_year"] == 2025
    # 229.00 x 365/92 / 0.1 = 9,085.33; 234.80 x 365/92 / 0.1 = 9,315.43
    assert s["wrvu_fte_adjusted"] == 9085.33 and s["wrvu_benchmarked_fte_adjusted"] == 9315.43
    # 50 + 25 x 215.43/1800 = 52.99; 25 + 25 x 1485.33/1500 = 49.76
    assert s["wrvu_percentile"] == pytest.approx(52.992, abs=1e-3)
    assert s["wrvu_credited_percentile"] == pytest.approx(49.755, abs=1e-3)
    # comp per wRVU on the benchmarked figure: (54,000 / 0.1) / 9,315.43 = 57.97
    assert s["compensation_per_wrvu"] == 57.97


def test__json_every_percentile_beside_its_figure(runs):
    for _, s, _ in runs.values():
        _agrees(fmt_percentile(s["wrvu_percentile"])[:-2], str(s["wrvu_benchmarked_fte_adjusted"]))
        _agrees(fmt_percentile(s["wrvu_credited_percentile"])[:-2], str(s["wrvu_fte_adjusted"]))


def test__pdf_every_wrvu_percentile_agrees_with_the_figure_printed_beside_it(runs):
    found = 0
    for kind, (folder, _, _) in runs.items():
        text = _text(folder / "IR-9.pdf")
        pairs = []
        # page 1: "53rd at 9,315.43 FTE-adjusted wRVUs on 2025 RVUs (... 9,085.33 as credited, 50th ..."
        pairs += [
            (m[0], m[1]) for m in re.findall(ORD + r" at " + NUM + r" FTE-adjusted wRVUs", text)
        ]
        pairs += [
            (m[1], m[0]) for m in re.findall(NUM + r" as credited, " + ORD + " percentile", text)
        ]
        # benchmark table rows: "<figure> <ordinal> 6,200 7,600 ..."
        pairs += [(m[1], m[0]) for m in re.findall(NUM + " " + ORD + r" 6,200 ", text)]
        # contract page 1: "53rd 9,315.43 wRVUs per year per clinical FTE ...; 9,085.33 as credited on RVU26C (50th"
        pairs += [
            (m[0], m[1])
            for m in re.findall(ORD + " " + NUM + r" wRVUs per year per clinical FTE", text)
        ]
        pairs += [(m[1], m[0]) for m in re.findall(NUM + r" as credited on RVU\w+ \(" + ORD, text)]
        # like-for-like table: both annualized figures, then both percentiles
        for m in re.findall(
            r"Annualized per clinical FTE \(x [\d.]+ / [\d.]+\) "
            + NUM
            + " "
            + NUM
            + r" \S+ Benchmark percentile of the figure above "
            + ORD
            + r"(?: \(used\))? "
            + ORD,
            text,
        ):
            pairs += [(m[2], m[0]), (m[3], m[1])]
        # the percentile chart's marker: "53rd (9,315)"
        pairs += [(m[0], m[1] + ".00") for m in re.findall(ORD + r" \((\d{1,3},\d{3})\)", text)]
        assert len(pairs) >= (5 if kind == "productivity" else 6), (kind, pairs)
        for ordinal, figure in pairs:
            _agrees(ordinal, figure)
        found += len(pairs)
        assert "9,315.43" in text and "9,085.33" in text  # both figures, labelled
    assert found >= 11


def test__workbook_percentiles_beside_their_figures(runs):
    folder, _, _ = runs["productivity"]
    wb = openpyxl.load_workbook(folder / "IR-9.xlsx", read_only=True)
    summary = {r[2]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["wrvu_basis"] == "wRVUs on 2025 RVUs, like-for-like"
    for pct, figure in (
        ("wrvu_percentile", "wrvu_benchmarked_fte_adjusted"),
        ("wrvu_credited_percentile", "wrvu_fte_adjusted"),
    ):
        p = percentile_of(summary[figure], _wrvu_row())
        assert p.value == pytest.approx(summary[pct], abs=1e-3)
    bench = list(wb["Benchmarks"].iter_rows(values_only=True))
    tidy = {header_label(n): n for n in ("metric", "label", "value", "percentile")}
    cols = tuple(tidy.get(c, c) for c in bench[0])  # readable headers back to the tidy names
    for row in bench[1:]:
        rec = dict(zip(cols, row, strict=True))
        if rec["metric"] in ("wrvu", "wrvu_as_credited"):
            assert percentile_of(rec["value"], _wrvu_row()).value == pytest.approx(
                rec["percentile"], abs=1e-3
            )
    # the row credited as in effect is labelled as not used
    assert any(r[0] == "wrvu_as_credited" and "not used" in r[1] for r in bench[1:])


def test__cli_headline_prints_the_benchmarked_figure_beside_its_percentile(tmp_path):
    log = _log(tmp_path / "ir9.csv")
    res = _run(
        "report",
        log,
        "--out",
        tmp_path / "o",
        "--specialty",
        SPECIALTY,
        "--clinical-fte",
        "0.1",
        "--period",
        "2026Q3",
    )
    assert res.exit_code == 0, res.output
    assert (
        "benchmarked on 2025 RVUs (like-for-like): 9,315.43 FTE-adjusted wRVUs: 53rd percentile"
    ) in res.stdout
    # 9,315.43 - 9,085.33 = +230.10
    assert "(+230.10 vs as credited; as credited: 50th percentile)" in res.stdout
