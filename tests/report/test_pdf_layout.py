"""Layout of the bundled PDFs, measured on weasyprint's laid-out pages (not hoped for).

Every box of every page must lie inside the page's content area (nothing runs past a
margin), and every table fragment on a page must carry its header row and at least one body
row (no header alone at a page foot, no continuation without its header). The samples are the
bundled ones: ``sample_data/ir_quarter.csv`` as a productivity and a contract report, and a
department model with the bundled roster's 16 clinicians in 8 specialties.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("weasyprint")

REPO = Path(__file__).resolve().parents[2]
TOLERANCE = 0.5  # CSS px: sub-pixel rounding of the layout


def _render(html: str):
    from weasyprint import HTML

    from rvubench.report.pdf import make_url_fetcher
    from rvubench.resources import templates_dir

    folder = templates_dir()
    return HTML(
        string=html, base_url=str(folder.resolve()) + "/", url_fetcher=make_url_fetcher(folder)
    ).render()


def _walk(box):
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from _walk(child)


def layout_problems(document) -> list[str]:
    """Boxes outside the content area and table fragments without header or body rows."""
    from weasyprint.formatting_structure import boxes as B

    problems = []
    for number, page in enumerate(document.pages, start=1):
        root = page._page_box
        left, top = root.content_box_x(), root.content_box_y()
        right, bottom = left + root.width, top + root.height
        for child in root.children:
            if isinstance(child, B.MarginBox):
                continue  # running heads and feet live in the margins
            stack = [child]
            while stack:  # report the outermost box that leaves the area, not its contents
                box = stack.pop()
                if box.position_x is not None and hasattr(box, "border_width"):
                    x = box.position_x + (box.margin_left or 0)
                    y = box.position_y + (box.margin_top or 0)
                    w, h = box.border_width(), box.border_height()
                    if (w > 0 or h > 0) and (
                        x < left - TOLERANCE
                        or x + w > right + TOLERANCE
                        or y < top - TOLERANCE
                        or y + h > bottom + TOLERANCE
                    ):
                        text = getattr(box, "text", "") or box.element_tag
                        problems.append(
                            f"page {number}: {type(box).__name__} {text!r} at "
                            f"x {x:.0f}..{x + w:.0f}, y {y:.0f}..{y + h:.0f} outside "
                            f"{left:.0f}..{right:.0f} x {top:.0f}..{bottom:.0f}"
                        )
                        continue
                stack.extend(getattr(box, "children", ()) or ())
            for box in _walk(child):
                if not isinstance(box, B.TableBox):
                    continue
                groups = [g for g in box.children if isinstance(g, B.TableRowGroupBox)]
                has_header = any(g.is_header for g in groups)
                body_rows = sum(
                    len(g.children) for g in groups if not g.is_header and not g.is_footer
                )
                table_has_header = box.element is not None and box.element.find("thead") is not None
                if table_has_header and not has_header and body_rows:
                    problems.append(f"page {number}: table rows without their header row")
                if has_header and body_rows == 0:
                    problems.append(f"page {number}: a table header alone at the page foot")
                all_rows = len(box.element.findall(".//tbody/tr")) if box.element is not None else 0
                if 0 < body_rows < 2 <= all_rows:
                    problems.append(f"page {number}: one row of a {all_rows}-row table alone")
    return problems


def ir_models() -> dict:
    """The productivity and contract models of the bundled IR quarter."""
    from rvubench.benchmarks.periods import parse_period
    from rvubench.benchmarks.tables import load_benchmarks
    from rvubench.feeschedule.cms import load_fee_schedules
    from rvubench.ingest.log import read_log
    from rvubench.pricing.engine import price_lines
    from rvubench.pricing.settings import PricingSettings
    from rvubench.report.run import build_clinician_report

    settings = PricingSettings()
    lines = read_log(REPO / "sample_data" / "ir_quarter.csv").lines
    priced = price_lines(lines, load_fee_schedules(), settings)
    table = load_benchmarks(None)
    out = {}
    for kind in ("productivity", "contract"):
        out[kind] = build_clinician_report(
            priced,
            period=parse_period("2026Q3"),
            out_dir=REPO,
            settings=settings,
            provider_id="IR-1001",
            specialty="Interventional Radiology",
            benchmark_table=table,
            total_compensation=540000.0,
            kind=kind,
            formats=(),
            comp_models=("flat:55", "tiered:0=45,5000=50", "base:250000,5000,50"),
            section_context={"clean_lines": lines},
        ).model
    return out


@pytest.fixture(scope="module")
def ir_reports():
    return ir_models()


def _department_model():
    from rvubench.batch.department import (
        KIND_NOT_IN_ROSTER,
        STATUS_NO_LINES,
        STATUS_REPORTED,
        ClinicianRow,
        NotReported,
        build_department_model,
    )
    from rvubench.batch.roster import read_roster

    roster = read_roster(REPO / "sample_data" / "department_roster.csv")
    rows = []
    for i, r in enumerate(roster.itertuples(index=False)):
        no_lines = r.provider_id == "IM-3103"
        rows.append(
            ClinicianRow(
                provider_id=r.provider_id,
                name=r.name,
                specialty=r.specialty,
                status=STATUS_NO_LINES if no_lines else STATUS_REPORTED,
                reason="provider IM-3103 has no lines in the log" if no_lines else "",
                clinical_fte=float(r.clinical_fte),
                lines=0 if no_lines else 1500 + 37 * i,
                wrvu_total=0.0 if no_lines else 1234.5678 + 101 * i,
                wrvu_annualized=0.0 if no_lines else 4897.85 + 400 * i,
                wrvu_fte_adjusted=None if no_lines else 5897.85 + 400 * i,
                wrvu_percentile=None if no_lines else ("below p10" if i == 2 else 5.5 * i),
                payment_cents=0 if no_lines else 12_345_678 + 1000 * i,
                total_compensation=float(r.total_compensation),
                compensation_per_wrvu=None if no_lines else 48.37 + i,
                compensation_percentile=None
                if no_lines
                else ("above p90" if i == 3 else 90 - 5 * i),
                alignment_gap=None if no_lines else 12.5 - 3 * i,
            )
        )
    return build_department_model(
        rows=rows,
        not_in_roster=[
            NotReported(
                KIND_NOT_IN_ROSTER,
                "LOC-9001",
                "",
                "",
                219,
                278.22,
                "provider 'LOC-9001' has 219 line(s) in the log but is not "
                "in the roster; add a roster row to report them",
            )
        ],
        period_label="2026Q3",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        annualization_factor=365 / 92,
        sources=["department.csv"],
        roster="department_roster.csv",
        settings={"Crediting policy": "medicare", "Locality": "national", "Benchmark": "sample"},
    )


@pytest.mark.parametrize("kind", ["productivity", "contract"])
def test__clinician_pdf__every_box_inside_the_page_and_no_orphaned_rows(ir_reports, kind):
    from rvubench.report.pdf import render_html

    document = _render(render_html(ir_reports[kind]))
    assert layout_problems(document) == []


def test__productivity_pdf__a_quarter_reads_in_about_four_pages_plus_methodology(ir_reports):
    from rvubench.report.pdf import render_html

    document = _render(render_html(ir_reports["productivity"]))
    # the body (before the appendices) fits in 4 pages; the appendices add at most 2
    assert len(document.pages) <= 6


def test__department_pdf__every_box_inside_the_page_and_no_orphaned_rows():
    from rvubench.batch.department import department_html

    document = _render(department_html(_department_model()))
    assert layout_problems(document) == []


def test__layout_check_finds_a_table_past_the_margin():
    """The check itself can fail: a table wider than the page is reported."""
    html = (
        "<html><head><style>@page { size: Letter; margin: 1in }</style></head><body>"
        "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td style='white-space: nowrap'>"
        + "wide " * 80
        + "</td></tr></tbody></table></body></html>"
    )
    assert any("outside" in p for p in layout_problems(_render(html)))


def test__layout_check_finds_a_row_alone_at_the_page_foot():
    """A 3-row table whose first row is the last thing on page 1 is reported."""
    html = (
        "<html><head><style>@page { size: Letter; margin: 1in } tr { break-inside: avoid }"
        "thead { display: table-header-group }</style></head><body>"
        "<div style='height: 8.4in'></div><table><thead><tr><th>h</th></tr></thead><tbody>"
        + "<tr><td>row</td></tr>" * 3
        + "</tbody></table></body></html>"
    )
    problems = layout_problems(_render(html))
    assert any("alone" in p for p in problems), problems
