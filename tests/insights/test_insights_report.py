"""Global periods and E/M mix through the real pipeline: read_log -> price_lines -> report
(model sections, PDF HTML, ``Global Periods`` / ``EM Levels`` sheets) and ``validate --insights``.

CMS July 2026 file (RVU26C), national locality (all GPCIs 1.000), non-QP CF 33.4009:
27447 (090) work 19.11; 29881 (090) work 6.85; 99213 work 1.30, non-facility total 2.85
-> 2.85 x 33.4009 = 95.192565 -> $95.19; 99214 work 1.92, non-facility total 4.06 ->
4.06 x 33.4009 = 135.607654 -> $135.61; 99212 work 0.70, non-facility total 1.78 ->
1.78 x 33.4009 = 59.453602 -> $59.45; 99024 status B, 0.00.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from jinja2 import Environment, FileSystemLoader
from openpyxl import Workbook, load_workbook

from rvubench.benchmarks.periods import parse_period
from rvubench.cli import cli
from rvubench.feeschedule.cms import load_fee_schedules
from rvubench.ingest.log import read_log
from rvubench.insights import global_periods as insights
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings
from rvubench.report.formatting import JINJA_FILTERS
from rvubench.report.xlsx import header_label
from rvubench.report.xlsx_insights import REVIEW_SHEET_COLUMNS
from rvubench.resources import templates_dir

HEADER = "provider_id,date_of_service,hcpcs,modifiers,units,pos\n"

# 2026Q2 report. 29881 on 2026-03-20 (Q1) opens 2026-03-19 .. 2026-06-18 (Mar 20 + 90:
# 11 days to Mar 31, +30 Apr, +31 May = 72 -> May 31, +18 -> Jun 18), so it covers the
# Q2 visit of 2026-04-10 (day 21) although the procedure is outside the period.
# 27447-79 on 2026-05-04 (day 45 of 29881: 11 + 30 + 4; unrelated, new global) opens
# 2026-05-03 .. 2026-08-02; 99214-24 on 2026-05-20 (day 16) is
# separate; 99213 on 2026-06-03 (day 30) has no modifier; 99024 on 2026-05-18 (day 14).
LOG = [
    "P1,2026-03-20,29881,,1,22",
    "P1,2026-04-10,99212,,1,11",
    "P1,2026-05-04,27447,79,1,22",
    "P1,2026-05-18,99024,,1,11",
    "P1,2026-05-20,99214,24,1,11",
    "P1,2026-06-03,99213,,1,11",
    "P1,2026-07-15,99213,,1,11",
]


# the log as one patient's (a patient column: the review matches visits to surgeries per
# patient; without one nothing can be listed, see test_partials_without_a_patient_column)
LOG_ONE_PATIENT = (
    HEADER.replace("\n", ",patient_mrn\n") + "\n".join(f"{ln},MRN-1" for ln in LOG) + "\n"
)


@pytest.fixture(scope="module")
def priced(tmp_path_factory):
    path = tmp_path_factory.mktemp("log") / "log.csv"
    path.write_text(LOG_ONE_PATIENT)
    lines = read_log(path).lines
    return price_lines(lines, load_fee_schedules(), PricingSettings())


def test_period_review_uses_windows_opened_before_the_period(priced):
    q2 = parse_period("2026Q2")
    result = insights.build_insights(priced, start=q2.start, end=q2.end)
    got = {
        r.hcpcs: (r.classification, r.procedure_hcpcs, r.day_offset)
        for r in result.review.itertuples()
    }
    assert got == {
        "27447": ("procedure_in_global", "29881", 45),
        "99212": ("likely_in_global", "29881", 21),  # Mar 20 -> Apr 10 = 11 + 10 = 21
        "99024": ("post_op_visit", "27447", 14),  # May 4 -> May 18
        "99214": ("separate_with_modifier", "27447", 16),  # May 4 -> May 20
        "99213": ("likely_in_global", "27447", 30),  # May 4 -> Jun 3 = 27 + 3 = 30
    }
    t = result.totals
    assert t["windows"] == 2  # 29881 holds a Q2 line, 27447 opens in Q2
    assert t["wrvu_at_risk"] == 2.0  # 99212 0.70 + 99213 1.30
    assert t["payment_at_risk_cents"] == 5945 + 9519  # $59.45 + $95.19
    assert t["lines_to_review"] == 2
    # E/M mix counts Q2 only: 99212, 99214, 99213 (the Jul 15 99213 is in Q3)
    assert result.em_mix.set_index("hcpcs")["lines"].to_dict() == {
        "99202": 0, "99203": 0, "99204": 0, "99205": 0,
        "99211": 0, "99212": 1, "99213": 1, "99214": 1, "99215": 0,
    }  # fmt: skip


@pytest.mark.slow
def test_report_has_global_period_and_em_mix_sections(priced, tmp_path):
    from rvubench.report.pdf import render_html
    from rvubench.report.run import build_clinician_report

    done = build_clinician_report(
        priced, period=parse_period("2026Q2"), out_dir=tmp_path, settings=PricingSettings(),
        provider_id="P1", specialty="Orthopedic Surgery", formats=("xlsx",),
    )  # fmt: skip
    sections = done.model.sections
    g = sections["global_periods"].data
    assert g["totals"]["likely_in_global"] == 2
    assert [r["hcpcs"] for r in g["em_to_review"]] == ["99212", "99213"]
    assert [w["procedure_hcpcs"] for w in g["windows"]] == ["29881", "27447"]
    mix = sections["em_mix"].data
    assert mix["established_total"] == 3 and mix["new_total"] == 0

    html = render_html(done.model)
    assert "Global surgical periods" in html and "E/M level mix" in html
    assert "$154.64" in html  # payment at risk: 5945 + 9519 = 15464 cents
    assert "2.00" in html  # wRVUs at risk

    wb = load_workbook(tmp_path / "P1.xlsx")
    rows = list(wb["Global Periods"].iter_rows(values_only=True))
    totals = {r[0]: r[1] for r in rows[4:16] if r[0]}
    assert totals["wRVUs at risk (credit of those E/M lines)"] == pytest.approx(2.0)
    assert totals["Estimated payment at risk"] == pytest.approx(154.64)
    assert totals["Lines to review"] == 2
    start = next(i for i, r in enumerate(rows) if r[0] == "Lines inside a global window")
    tidy = {header_label(n): n for n, _ in REVIEW_SHEET_COLUMNS}
    header = [tidy[h] for h in rows[start + 1]]  # readable labels, the sheet's columns in order
    lines = [dict(zip(header, r, strict=False)) for r in rows[start + 2 :]]
    assert [(x["source_row"], x["classification"]) for x in lines] == [
        (3, "likely_in_global"),
        (4, "procedure_in_global"),
        (5, "post_op_visit"),
        (6, "separate_with_modifier"),
        (7, "likely_in_global"),
    ]
    assert lines[0]["payment"] == pytest.approx(59.45)
    em = list(wb["EM Levels"].iter_rows(values_only=True))
    assert em[0] == tuple(header_label(n) for n in ("kind", "hcpcs", "level", "lines", "share"))
    assert em[6] == ("established", "99212", 2, 1, pytest.approx(1 / 3))


def test_no_sections_for_a_clinician_without_surgical_codes(tmp_path):
    from rvubench.report.model import SectionContext

    path = tmp_path / "fm.csv"
    path.write_text(HEADER + "F1,2026-04-10,99213,,1,11\nF1,2026-04-11,99396,,1,11\n")
    priced = price_lines(read_log(path).lines, load_fee_schedules(), PricingSettings())
    q2 = parse_period("2026Q2")
    ctx = SectionContext(priced=priced, in_period=priced, period=q2, settings=PricingSettings())
    assert insights.build_global_period_section(ctx) is None
    assert insights.build_em_mix_section(ctx).data["established_total"] == 1
    ctx = SectionContext(
        priced=priced.iloc[1:], in_period=priced.iloc[1:], period=q2, settings=PricingSettings()
    )
    assert insights.build_em_mix_section(ctx) is None  # 99396 is not an office visit level


@pytest.mark.parametrize("write_only", [False, True])
def test_global_periods_sheet_write_only_safe(priced, tmp_path, write_only):
    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    data = insights.global_period_data(insights.build_insights(priced))
    from rvubench.report.xlsx_insights import write_global_periods_sheet

    write_global_periods_sheet(wb, data)
    wb.save(tmp_path / "g.xlsx")
    ws = load_workbook(tmp_path / "g.xlsx")["Global Periods"]
    assert ws["A1"].value == "Global surgical periods"
    dated = [c for c in ws["D"] if c.value is not None and hasattr(c.value, "year")]
    assert dated and all(c.number_format == "yyyy-mm-dd" for c in dated)


def test_partials_render_and_hide_when_empty(priced):
    env = Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=True)
    env.filters.update(JINJA_FILTERS)
    result = insights.build_insights(priced)
    html = env.get_template("_global_periods.html.j2").render(
        global_periods=insights.global_period_data(result, pdf_rows={"em": 1})
    )
    # whole log: 99212 (day 21 of 29881), 99213 Jun 3 (day 30 of 27447) and 99213 Jul 15
    # (day 72 of 27447: May 4 -> Jul 15 = 27 + 30 + 15 = 72) are likely in a global
    assert "all 3 E/M line(s)" in " ".join(html.split())  # the full list is in the sheet
    assert "E/M in the post-operative period without 24" in html
    mix_html = env.get_template("_em_mix.html.j2").render(
        em_mix=insights.em_mix_data(result.em_mix)
    )
    assert "99213</span> 2 (50.0%)" in mix_html  # 99213: 2 of the 4 established visits
    assert env.get_template("_global_periods.html.j2").render(global_periods=None).strip() == ""
    assert env.get_template("_em_mix.html.j2").render(em_mix=None).strip() == ""


def test_partials_without_a_patient_column(tmp_path):
    # the same log without its patient column: a visit in a window may be another
    # patient's, so the section counts but lists nothing and counts no wRVU at risk
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "\n".join(LOG) + "\n")
    priced = price_lines(read_log(path).lines, load_fee_schedules(), PricingSettings())
    result = insights.build_insights(priced)
    t = result.totals
    assert (t["by_patient"], t["likely_in_global"], t["lines_to_review"], t["wrvu_at_risk"]) == (
        False,
        3,
        0,
        0.0,
    )
    assert not result.review["needs_review"].any()
    env = Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=True)
    env.filters.update(JINJA_FILTERS)
    html = " ".join(
        env.get_template("_global_periods.html.j2")
        .render(global_periods=insights.global_period_data(result))
        .split()
    )
    assert "cannot be known" in html and "n/a (no patient column)" in html
    assert "E/M lines to review" not in html and "No E/M line to review" not in html
    # 3 of the 4 E/M lines (99212, 99214-24, 99213, 99213; not 99024) sit in a window
    assert "75.0% of the 4 E/M lines of the period" in html
    text = "\n".join(result.text_lines())
    assert "none is listed to review" in text and "lines to review: 0" in text


def test_validate_insights_json_and_text(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(LOG_ONE_PATIENT)
    runner = CliRunner()
    out = runner.invoke(cli, ["validate", str(path), "--insights", "--json"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    review = payload["global_period_review"]
    assert set(review[0]) == set(insights.REVIEW_FIELDS)
    assert [(r["source_row"], r["classification"]) for r in review] == [
        (3, "likely_in_global"),
        (4, "procedure_in_global"),
        (5, "post_op_visit"),
        (6, "separate_with_modifier"),
        (7, "likely_in_global"),
        (8, "likely_in_global"),
    ]
    assert review[4]["date_of_service"] == "2026-06-03"
    assert review[4]["procedure_source_row"] == 4 and review[4]["procedure_hcpcs"] == "27447"
    # 0.70 + 1.30 + 1.30 (99212, 99213, 99213)
    assert payload["global_period_totals"]["wrvu_at_risk"] == 3.3
    text = runner.invoke(cli, ["validate", str(path), "--insights"]).output
    assert "lines to review: 3" in text and "3.30 wRVUs at risk" in text
    assert "99212 1 (25%), 99213 2 (50%), 99214 1 (25%)" in text  # 4 established visits
    plain = json.loads(runner.invoke(cli, ["validate", str(path), "--json"]).stdout)
    assert "global_period_review" not in plain


def test_sample_ir_quarter_has_the_global_period_cases():
    lines = read_log(Path(__file__).resolve().parents[2] / "sample_data" / "ir_quarter.csv").lines
    result = insights.insights_for_clean_lines(lines)
    rev = result.review.set_index("source_row")
    # sample_data/README.md: 99223-57 the day before the 090 37761 of 2026-07-02
    first = rev.loc[(rev["hcpcs"] == "99223") & (rev["modifiers"] == "57")].iloc[0]
    assert first["classification"] == "separate_with_modifier"
    assert first["procedure_hcpcs"] == "37761" and first["day_offset"] == -1
    assert first["date_of_service"].date() == date(2026, 7, 1)
    cls = set(result.review["classification"])
    assert cls == set(insights.CLASSIFICATIONS)
    assert result.totals["post_op_visits"] >= 2
