"""Survey files in the shapes publishers print (built by tests/_export_shapes.py) read as
exported, and give the same rows and percentiles as the tidy file holding the same cells."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import _export_shapes as shapes
from rvubench.benchmarks.tables import METRICS, load_benchmarks, percentile_of
from rvubench.errors import BenchmarkError, MissingColumnsError

SPECIALTY = "Interventional Radiology"


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    d = tmp_path_factory.mktemp("surveys")
    out = {"tidy": load_benchmarks(shapes.survey_tidy(d))}
    for name, build in shapes.SURVEYS.items():
        out[name] = load_benchmarks(build(d))
    xlsx = shapes.survey_sullivancotter_like(d)
    for metric, sheet in (("wrvu", "Work RVUs"), ("total_compensation", "Total Cash Compensation (TCC)"),
                          ("compensation_per_wrvu", "TCC per Work RVU")):  # fmt: skip
        out[f"sullivancotter_like:{metric}"] = load_benchmarks(xlsx, sheet=sheet, survey_year=2025)
    return out


def _cell(table, metric):
    r = table.find(SPECIALTY, metric)
    return (r.metric, r.survey_year, r.anchors, r.n_providers, r.mean)


def test__tidy_reference_holds_the_made_up_cells(tables):
    # the reference itself, straight from shapes.SURVEY: wrvu n 212, mean 8950, p10..p90
    assert _cell(tables["tidy"], "wrvu") == (
        "wrvu", 2025, [(10, 5600.0), (25, 7100.0), (50, 8800.0), (75, 10600.0), (90, 12700.0)],
        212, 8950.0)  # fmt: skip


@pytest.mark.parametrize("shape", sorted(shapes.SURVEYS))
@pytest.mark.parametrize("metric", METRICS)
def test__survey_shape_gives_the_tidy_rows(tables, shape, metric):
    assert _cell(tables[shape], metric) == _cell(tables["tidy"], metric)


@pytest.mark.parametrize("metric", METRICS)
def test__single_metric_sheets_named_by_their_title(tables, metric):
    got = tables[f"sullivancotter_like:{metric}"]
    assert [r.metric for r in got.rows] == [metric]
    assert _cell(got, metric) == _cell(tables["tidy"], metric)


@given(st.floats(min_value=0, max_value=15000, allow_nan=False))
def test__same_percentile_from_every_shape(tables, value):
    want = percentile_of(value, tables["tidy"].find(SPECIALTY, "wrvu"))
    for shape in shapes.SURVEYS:
        assert percentile_of(value, tables[shape].find(SPECIALTY, "wrvu")) == want


@pytest.mark.parametrize(
    "spelling",
    ["Radiology: Interventional", "Radiology - Interventional", "Radiology, interventional",
     "interventional radiology"],
)  # fmt: skip
def test__specialty_as_surveys_write_it(tables, spelling):
    assert tables["mgma_like"].find(spelling, "wrvu").specialty == "Radiology: Interventional"


def test__real_misses_still_list_close_matches(tables):
    with pytest.raises(
        BenchmarkError, match="not found in mgma_like.csv; close matches: Radiology: Interventional"
    ):
        tables["mgma_like"].find("Radiology Diagnostic", "wrvu")


def test__year_from_title_or_option(tmp_path):
    mgma = shapes.survey_mgma_like(tmp_path)
    assert {r.survey_year for r in load_benchmarks(mgma).rows} == {2025}  # title row
    assert {r.survey_year for r in load_benchmarks(mgma, survey_year=2024).rows} == {2024}
    amga = shapes.survey_amga_like(tmp_path)  # has a year column: the option picks the year
    with pytest.raises(
        BenchmarkError, match="no rows for survey year 2023; years in the file: 2025"
    ):
        load_benchmarks(amga, survey_year=2023)


def test__single_metric_table_without_a_name_for_its_metric_is_refused(tmp_path):
    f = tmp_path / "one.csv"
    f.write_text("Specialty,Year,25th,50th,75th\nInterventional Radiology,2025,1,2,3\n")
    with pytest.raises(MissingColumnsError, match="no metric column; say which metric"):
        load_benchmarks(f)
    assert load_benchmarks(f, metric="wrvu").find(SPECIALTY, "wrvu").anchors == [
        (25, 1.0), (50, 2.0), (75, 3.0)]  # fmt: skip


def test__report_reads_a_survey_sheet_as_exported_and_shows_the_published_mean(tmp_path):
    import openpyxl
    from click.testing import CliRunner

    from rvubench.cli import cli
    from rvubench.report.xlsx import header_label

    bench = shapes.survey_sullivancotter_like(tmp_path)
    log = shapes.healthie_cms1500(tmp_path)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, [
        "report", str(log), "--out", str(out), "--format", "xlsx", "--provider", "1111111111",
        "--specialty", "Radiology, interventional", "--benchmark", str(bench),
        "--benchmark-sheet", "Work RVUs", "--survey-year", "2025", "--period", "2026Q3",
    ])  # fmt: skip
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(out / "1111111111.xlsx")["Benchmarks"]
    rows = list(ws.iter_rows(values_only=True))
    tidy = {header_label(n): n for n in ("metric", "mean", "n_providers", "p10", "p90")}
    head = tuple(tidy.get(h, h) for h in rows[0])  # the sheet's readable headers
    wrvu = next(r for r in rows[1:] if r[0] == "wrvu")
    # the sheet's published figures: Average 8950, # Incumbents 212, 10th 5600 .. 90th 12700
    assert (wrvu[head.index("mean")], wrvu[head.index("n_providers")]) == (8950, 212)
    assert wrvu[head.index("p10")] == 5600 and wrvu[head.index("p90")] == 12700


@given(
    p=st.integers(1, 99),
    form=st.sampled_from(["{p}th %tile", "{p}th Percentile", "{p}th %ile", "{p}th", "P{p}",
                          "p{p:02d}", "{p}TH PERCENTILE"]),
)  # fmt: skip
def test__percentile_headers_as_printed_read_as_that_percentile(p, form):
    from rvubench.benchmarks.tables import _header_key, _pct_columns

    header = [form.format(p=p), "other"]
    assert _pct_columns([_header_key(h) for h in header], header) == [(p, 0, header[0])]


def test__workbook_without_sheet_option_reads_the_first_sheet_with_a_header(tmp_path):
    # the cover sheet comes first; "Work RVUs" is the first sheet with a benchmark header
    t = load_benchmarks(shapes.survey_sullivancotter_like(tmp_path), survey_year=2025)
    assert [r.metric for r in t.rows] == ["wrvu"]
