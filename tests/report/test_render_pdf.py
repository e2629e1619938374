"""The PDF: escaped text, totals in the text, user templates, refused URLs, clear template errors."""

from __future__ import annotations

import http.server
import re
import shutil
import threading

import pypdf
import pytest

from _report_data import sample_priced
from rvubench.benchmarks.periods import parse_period
from rvubench.benchmarks.tables import benchmark_clinician, load_benchmarks
from rvubench.errors import TemplateProblem
from rvubench.pricing.settings import PricingSettings
from rvubench.report.model import ILLUSTRATIVE_NOTICE, benchmark_section, build_report_model
from rvubench.report.pdf import html_to_pdf, render_html, render_pdf
from rvubench.resources import templates_dir

Q3 = parse_period("2026Q3")
NASTY = '<script>alert(1)</script><b>Bold</b> =SUM(A1) & "Co"'


def _model(name="Dr Ana Ruiz", kind="productivity"):
    result = benchmark_clinician(
        wrvu_total=26.0,
        period=Q3,
        specialty="Interventional Radiology",
        table=load_benchmarks(None),
        total_compensation=500000.0,
    )
    return build_report_model(
        sample_priced(),
        period=Q3,
        settings=PricingSettings(),
        benchmark=benchmark_section(result),
        provider_id="IR-1001",
        provider_name=name,
        specialty="Interventional Radiology",
        total_compensation=500000.0,
        kind=kind,
    )


def _text(path) -> str:
    reader = pypdf.PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages)


def test__html__provider_name_is_escaped():
    html = render_html(_model(NASTY))
    assert "<script>" not in html and "<b>Bold</b>" not in html
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;Bold&lt;/b&gt; =SUM(A1) &amp; &#34;Co&#34;"
        in html
    )


@pytest.mark.slow
def test__pdf__name_arrives_as_text_and_totals_are_printed(tmp_path):
    target = tmp_path / "r.pdf"
    refused = render_pdf(_model(NASTY), target)
    assert refused == []
    text = _text(target)
    assert '<script>alert(1)</script><b>Bold</b> =SUM(A1) & "Co"' in text
    # totals of sample_priced: 26.00 wRVUs and 134039 cents
    assert "26.00" in text and "$1,340.39" in text
    assert "Rows read 8 = priced 6 + credited zero 1 + rejected 1" in text
    assert ILLUSTRATIVE_NOTICE in text
    assert "CPT codes and descriptions only are copyright 2026 American Medical Association" in text
    n = len(pypdf.PdfReader(target).pages)
    assert f"Page 1 of {n}" in text and f"Page {n} of {n}" in text
    meta = pypdf.PdfReader(target).metadata
    assert meta["/CreationDate"].startswith("D:20260930")  # fixed: the period's last day


@pytest.mark.slow
def test__pdf__same_model_same_text(tmp_path):
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render_pdf(_model(), a)
    render_pdf(_model(), b)
    assert _text(a) == _text(b)


@pytest.mark.slow
def test__pdf__contract_kind_leads_with_position(tmp_path):
    target = tmp_path / "c.pdf"
    render_pdf(_model(kind="contract"), target)
    first = pypdf.PdfReader(target).pages[0].extract_text().lower()  # labels print upper-case
    assert "compensation and productivity review" in first
    # page 1 is the negotiation page: pay, productivity, rate, supported pay, signals
    assert first.index("pay against productivity") < first.index("current total compensation")
    assert first.index("current total compensation") < first.index("productivity (wrvu)")
    assert "compensation per wrvu" in first and "pay the productivity supports" in first
    assert "fair-market-value signals" in first and "not a legal opinion" in first


def _user_templates(tmp_path):
    folder = tmp_path / "tpl"
    shutil.copytree(templates_dir(), folder)
    return folder


@pytest.mark.slow
def test__user_template_folder_replaces_the_bundled_one(tmp_path):
    folder = _user_templates(tmp_path)
    page = folder / "report.html.j2"
    page.write_text(
        page.read_text().replace(
            '{% include "_header.html.j2" %}',
            '<p>ACME RADIOLOGY GROUP</p>{% include "_header.html.j2" %}',
        )
    )
    (folder / "report.css").write_text(
        (folder / "report.css").read_text() + "\nh1 { color: #000; }\n"
    )
    target = tmp_path / "u.pdf"
    render_pdf(_model(), target, folder)
    assert "ACME RADIOLOGY GROUP" in _text(target)


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server API
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.mark.slow
def test__remote_and_outside_urls_are_not_fetched(tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        folder = _user_templates(tmp_path)
        secret = tmp_path / "secret.css"
        secret.write_text("body { color: red }")
        base = folder / "base.html.j2"
        base.write_text(
            base.read_text()
            .replace(
                "</head>",
                f'<link rel="stylesheet" href="http://127.0.0.1:{port}/remote.css">'
                f'<link rel="stylesheet" href="file://{secret}">'
                f'<link rel="stylesheet" href="../secret.css"></head>',
            )
            .replace("<body>", f'<body><img src="http://127.0.0.1:{port}/logo.png" alt="logo">')
        )
        target = tmp_path / "r.pdf"
        refused = render_pdf(_model(), target, folder)
    finally:
        server.shutdown()
        server.server_close()
    assert _Recorder.hits == []  # nothing reached the server
    assert f"http://127.0.0.1:{port}/remote.css" in refused
    assert f"http://127.0.0.1:{port}/logo.png" in refused
    assert any(u.endswith("/secret.css") for u in refused)
    assert target.read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test__fetcher_serves_files_inside_the_folder_only(tmp_path):
    (tmp_path / "a.css").write_text("p { font-size: 20pt }")
    data, refused = html_to_pdf('<link rel="stylesheet" href="a.css"><p>hi</p>', tmp_path)
    assert refused == [] and data.startswith(b"%PDF")
    data, refused = html_to_pdf(
        '<link rel="stylesheet" href="data:text/css,p{}"><p>hi</p>', tmp_path
    )
    assert refused == ["data:text/css,p{}"]


@pytest.mark.parametrize("enabled", [True, False])
def test__print__leaves_the_garbage_collector_as_it_found_it(tmp_path, monkeypatch, enabled):
    # html_to_pdf pauses the cyclic collector while weasyprint works (batch workers and
    # callers that paused it themselves must find it as they left it), and collects the
    # render's leftovers: no weasyprint font configuration outlives the call
    import gc
    import weakref

    from weasyprint.text import fonts

    made: list[weakref.ref] = []
    init = fonts.FontConfiguration.__init__

    def spy(self, *args, **kwargs):
        init(self, *args, **kwargs)
        made.append(weakref.ref(self))

    monkeypatch.setattr(fonts.FontConfiguration, "__init__", spy)
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        data, _ = html_to_pdf("<p>hi</p>", tmp_path)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
    assert data.startswith(b"%PDF") and len(made) == 1
    if enabled:
        assert made[0]() is None


def test__broken_template_names_template_and_line(tmp_path):
    folder = _user_templates(tmp_path)
    lines = (folder / "_summary.html.j2").read_text().splitlines()
    lines[2] = lines[2] + " {% if %}"
    (folder / "_summary.html.j2").write_text("\n".join(lines))
    with pytest.raises(TemplateProblem, match=r"_summary\.html\.j2 line 3"):
        render_html(_model(), folder)


def test__undefined_name_names_template_and_line(tmp_path):
    folder = _user_templates(tmp_path)
    (folder / "_quality.html.j2").write_text("<p>ok</p>\n<p>{{ model.no_such_field.x }}</p>\n")
    with pytest.raises(TemplateProblem, match=r"_quality\.html\.j2 line 2"):
        render_html(_model(), folder)


def test__missing_template_is_named(tmp_path):
    folder = _user_templates(tmp_path)
    (folder / "_codes.html.j2").unlink()
    with pytest.raises(TemplateProblem, match=r"'_codes\.html\.j2' not found"):
        render_html(_model(), folder)


def test__missing_templates_folder(tmp_path):
    with pytest.raises(TemplateProblem, match="does not exist"):
        render_html(_model(), tmp_path / "nope")


def test__html__without_benchmark_or_compensation():
    m = build_report_model(
        sample_priced(), period=Q3, settings=PricingSettings(), provider_id="IR-1001"
    )
    html = render_html(m)
    assert "no benchmark: no specialty was given" in html and "no compensation given" in html
    assert not re.search(r"(?<![\w-])--[a-z]", re.sub(r"<[^>]*>", "", html))  # no option names
    assert ILLUSTRATIVE_NOTICE not in html  # the notice belongs to the bundled benchmark only
    html = render_html(
        build_report_model(sample_priced(), period=Q3, settings=PricingSettings(), kind="contract")
    )
    assert "No benchmark: pass a specialty" in html  # the contract page says why it is empty


def test__section_partials_get_their_data_by_key(tmp_path):
    from rvubench.report.sections import Section, SheetTable

    folder = _user_templates(tmp_path)
    (folder / "_demo.html.j2").write_text(
        "<section><h2>{{ section.title }}</h2><p>lines in scope: {{ demo.n }} / {{ section.data.n }}"
        " for {{ model.display_name }}</p></section>"
    )

    def builder(ctx):
        return Section(
            key="demo",
            title="Demo section",
            partial="_demo.html.j2",
            data={"n": len(ctx.in_period)},
            sheets=(SheetTable("Demo", ("a", "b"), [("x", 1.5)], {"b": "wrvu"}),),
        )

    m = build_report_model(
        sample_priced(),
        period=Q3,
        settings=PricingSettings(),
        provider_name="<i>Ana</i>",
        section_builders=[builder],
    )
    html = render_html(m, folder)
    assert "<h2>Demo section</h2><p>lines in scope: 8 / 8 for &lt;i&gt;Ana&lt;/i&gt;</p>" in html
    assert html.index("Demo section") < html.index("Appendix A: data quality")

    import openpyxl

    from rvubench.report.xlsx import render_xlsx

    render_xlsx(m, tmp_path / "d.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "d.xlsx")["Demo"]
    assert [c.value for c in ws[2]] == ["x", 1.5] and ws["B2"].number_format == "#,##0.00"


def test__svg_image__is_the_chart_as_an_image_with_its_label():
    # "<svg ... aria-label="wRVUs &amp; more">" -> <img ... alt="wRVUs &amp; more">; the
    # data URL decodes back to the very SVG
    import base64

    from rvubench.report import charts
    from rvubench.report.formatting import svg_image

    svg = charts.top_code_bars([("99213", 12.5), ("<b>", 1.0)], title='wRVUs & "more"')
    img = str(svg_image(svg))
    prefix = '<img class="chart-image" src="data:image/svg+xml;base64,'
    assert img.startswith(prefix)
    data, alt = img[len(prefix) :].split('" alt="')
    assert base64.b64decode(data).decode("utf-8") == svg
    assert alt == 'wRVUs &amp; &#34;more&#34;">'
    assert str(svg_image("")) == "" and str(svg_image(None)) == ""


def test__charts__print_as_they_did_inline(tmp_path):
    # the same chart inline and as an SVG image (how the templates place it) prints the
    # same page: the PDFs differ only in nothing (weasyprint draws both with one renderer)
    from rvubench.report import charts
    from rvubench.report.formatting import svg_image

    svg = charts.monthly_bars([("Jul", 10.0), ("Aug", 0.0), ("Sep", 7.25)], title="by month")
    css = "figure.chart svg, figure.chart img.chart-image { width: 100%; height: auto; }"
    page = '<style>{}</style><p>wRVUs</p><figure class="chart">{}</figure><p>after</p>'
    inline, _ = html_to_pdf(page.format(css, svg), tmp_path)
    image, refused = html_to_pdf(page.format(css, svg_image(svg)), tmp_path)
    assert refused == [] and image == inline


def test__fetcher__serves_svg_data_urls_but_not_what_they_point_to(tmp_path):
    import base64

    outside = tmp_path.parent / "outside.png"
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="10" height="10"><image width="10" height="10" '
        f'xlink:href="file://{outside}"/><rect width="5" height="5"/></svg>'
    )
    url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    data, refused = html_to_pdf(
        f'<img src="{url}"><img src="data:image/png;base64,iVBORw0KGgo=">', tmp_path
    )
    assert data.startswith(b"%PDF")
    # the SVG image is served; the file it names and any other data: URL are refused
    assert sorted(refused) == ["data:image/png;base64,iVBORw0KGgo=", f"file://{outside}"]
