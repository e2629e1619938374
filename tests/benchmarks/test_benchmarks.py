"""Benchmark tables (tidy/wide, CSV/XLSX) and the percentile math (linear between published anchors)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from rvubench.benchmarks.tables import (
    BenchmarkRow,
    load_benchmarks,
    percentile_of,
    specialty_key,
    value_at,
)
from rvubench.errors import (
    BenchmarkError,
    InputFileError,
    MissingColumnsError,
    SpecialtyNotFound,
)
from rvubench.resources import benchmark_dir

DATA = Path(__file__).parents[1] / "data" / "benchmarks"
TIDY = DATA / "tidy_small.csv"
WIDE = DATA / "wide_small.csv"


def _row(anchors, metric="wrvu"):
    return BenchmarkRow(
        specialty="X",
        metric=metric,
        region="National",
        survey_year=2025,
        data_year=2024,
        source="t",
        anchors=list(anchors),
    )


# hypothetical anchors
VECTOR = _row([(10, 3000.0), (25, 3800.0), (50, 4800.0), (75, 6000.0), (90, 7500.0)])


@pytest.mark.parametrize(
    ("value", "expected", "label"),
    [
        (3400, 17.5, "17.5"),  # p10-p25 band: 10 + 15 * (3400-3000)/(3800-3000) = 10 + 7.5
        (4300, 37.5, "37.5"),  # p25-p50 band: 25 + 25 * 500/1000 = 37.5
        (5400, 62.5, "62.5"),  # p50-p75 band: 50 + 25 * 600/1200 = 62.5
        (7000, 85.0, "85"),  # p75-p90 band: 75 + 15 * 1000/1500 = 85
        (4000, 30.0, "30"),  # p25-p50 band: 25 + 25 * 200/1000 = 30
        (3100, 11.875, "11.9"),  # 10 + 15 * 100/800 = 11.875 (label to one decimal)
    ],
)
def test__percentile_of__interpolates_inside_each_band(value, expected, label):
    r = percentile_of(value, VECTOR)
    assert r.value == pytest.approx(expected)
    assert (r.label, r.position) == (label, "within")


@pytest.mark.parametrize(
    ("value", "pct"), [(3000, 10), (3800, 25), (4800, 50), (6000, 75), (7500, 90)]
)
def test__percentile_of__exact_anchors(value, pct):
    r = percentile_of(value, VECTOR)
    assert (r.value, r.label, r.position) == (float(pct), str(pct), "within")


def test__percentile_of__below_and_above_are_labels_without_a_number():
    below = percentile_of(2500, VECTOR)
    above = percentile_of(8000, VECTOR)
    assert (below.value, below.label, below.position) == (None, "below p10", "below")
    assert (above.value, above.label, above.position) == (None, "above p90", "above")
    assert below.json_value == "below p10" and percentile_of(5400, VECTOR).json_value == 62.5
    # just outside the range still gets no invented tail
    assert percentile_of(2999.99, VECTOR).label == "below p10"
    assert percentile_of(7500.01, VECTOR).label == "above p90"


def test__percentile_of__labels_use_the_rows_own_outer_percentiles():
    row = _row([(25, 4000.0), (50, 5000.0), (75, 6000.0)])
    assert percentile_of(3999, row).label == "below p25"
    assert percentile_of(6001, row).label == "above p75"
    # 25 + 25 * 500/1000 = 37.5
    assert percentile_of(4500, row).value == pytest.approx(37.5)


def test__percentile_of__equal_adjacent_anchors_give_the_lower_percentile():
    row = _row([(10, 3000.0), (25, 4000.0), (50, 4000.0), (75, 5000.0)])
    assert percentile_of(4000, row).value == 25.0
    # above the tie: 50 + 25 * 500/1000 = 62.5
    assert percentile_of(4500, row).value == pytest.approx(62.5)


def test__value_at__inverse_and_outside_is_none():
    assert value_at(62.5, VECTOR) == pytest.approx(5400)  # 4800 + 1200 * 12.5/25
    assert value_at(17.5, VECTOR) == pytest.approx(3400)  # 3000 + 800 * 7.5/15
    assert value_at(50, VECTOR) == 4800
    assert value_at(9.9, VECTOR) is None
    assert value_at(90.1, VECTOR) is None


@st.composite
def _rows(draw):
    pcts = sorted(draw(st.sets(st.integers(1, 99), min_size=2, max_size=9)))
    step = st.one_of(st.just(0.0), st.floats(0.01, 1e5))  # equal neighbours or a real gap
    steps = draw(st.lists(step, min_size=len(pcts), max_size=len(pcts)))
    base = draw(st.floats(0, 1e6))
    values, total = [], base
    for s in steps:
        total += s
        values.append(total)
    return _row(list(zip(pcts, values, strict=True)))


@given(_rows(), st.floats(0, 1))
# frac = 1.0 on anchors 17777.07245533089 .. 110057.39961749972: lo + (hi - lo) * 1.0 is one
# float step above hi (the subtraction rounds up), which percentile_of rightly calls "above
# p90". The value is clamped into the anchors' range, which is what the property is about.
@example(_row([(10, 17777.07245533089), (90, 110057.39961749972)]), 1.0)
def test__percentile_of__within_range_and_monotone(row, frac):
    lo, hi = row.anchors[0][1], row.anchors[-1][1]
    v1 = min(hi, max(lo, lo + (hi - lo) * frac))
    r = percentile_of(v1, row)
    assert r.position == "within"
    assert row.lowest_percentile <= r.value <= row.highest_percentile
    r2 = percentile_of(min(hi, v1 + (hi - lo) * 0.01), row)
    assert r2.value >= r.value - 1e-6


@given(_rows(), st.floats(0, 1))
def test__value_at_then_percentile_of_round_trips(row, frac):
    p = row.lowest_percentile + (row.highest_percentile - row.lowest_percentile) * frac
    v = value_at(p, row)
    back = percentile_of(v, row)
    # on a flat stretch the lower percentile of the tie comes back, never a higher one
    assert back.value <= p + 1e-4
    # percentile_of rounds to 6 decimals: allow that much of the value range
    span = row.anchors[-1][1] - row.anchors[0][1]
    assert value_at(back.value, row) == pytest.approx(v, rel=1e-9, abs=span * 1e-5 + 1e-6)


# ----------------------------------------------------------------------------- reading


def test__load_benchmarks__tidy_fixture():
    t = load_benchmarks(TIDY)
    assert t.layout == "tidy" and len(t.rows) == 6
    r = t.find("Test Specialty", "total_compensation")
    # "200,000" and "$250,000" are numbers
    assert r.anchors == [
        (10, 200000.0),
        (25, 250000.0),
        (50, 300000.0),
        (75, 360000.0),
        (90, 450000.0),
    ]
    assert (r.n_providers, r.mean, r.region, r.survey_year, r.data_year) == (
        118,
        310000.0,
        "National",
        2025,
        2024,
    )
    # comment line 1 and header line 2: the first data row is spreadsheet row 3
    assert t.find("Test Specialty", "wrvu").row_number == 3
    assert t.find("Test Specialty", "wrvu", survey_year=2024).data_year == 2023
    assert t.find("Test Specialty", "wrvu", region="west").anchors[0] == (10, 3100.0)
    ob = t.find("ob gyn general", "wrvu")
    assert ob.anchors == [(25, 4000.0), (50, 5000.0), (75, 6000.0)] and ob.note


@pytest.mark.parametrize(
    "spelling", ["test specialty", "TEST-SPECIALTY", " Test  Specialty. ", "TestSpecialty"]
)
def test__find__specialty_is_case_and_punctuation_insensitive(spelling):
    assert load_benchmarks(TIDY).find(spelling, "wrvu").specialty == "Test Specialty"
    assert specialty_key("Allergy & Immunology") == specialty_key("allergy and immunology")


def test__find__unknown_specialty_lists_close_matches():
    t = load_benchmarks(TIDY)
    with pytest.raises(SpecialtyNotFound) as err:
        t.find("Test Speciality", "wrvu")
    assert str(err.value) == (
        "specialty 'Test Speciality' not found in tidy_small.csv; close matches: Test Specialty"
    )
    sample = load_benchmarks()
    with pytest.raises(SpecialtyNotFound, match="close matches: Cardiology$"):
        sample.find("Cardiolgy", "wrvu")
    with pytest.raises(
        SpecialtyNotFound,
        match="close matches: Interventional Radiology, Diagnostic Radiology, Cardiology$",
    ):
        sample.find("radiology", "wrvu")
    with pytest.raises(
        SpecialtyNotFound,
        match="no close match; specialties in the file: Test Specialty, Ob/Gyn: General",
    ):
        t.find("Zebra", "wrvu")


def test__find__missing_metric_region_year_are_clear():
    t = load_benchmarks(TIDY)
    with pytest.raises(
        BenchmarkError,
        match=r"'Ob/Gyn: General' \(National, 2025\) has no total_compensation row; metrics present: wrvu",
    ):
        t.find("Ob/Gyn: General", "tcc")
    assert t.get("Ob/Gyn: General", "total_compensation") is None
    with pytest.raises(BenchmarkError, match="regions in the file: National, West"):
        t.find("Test Specialty", "wrvu", region="South")
    with pytest.raises(BenchmarkError, match="years in the file: 2024, 2025"):
        t.find("Test Specialty", "wrvu", survey_year=2019)


def _results(table):
    out = {}
    for region, year in (("National", 2025), ("West", 2025), ("National", 2024)):
        for metric in ("wrvu", "total_compensation", "compensation_per_wrvu"):
            row = table.get("Test Specialty", metric, region, year)
            if row is None:
                continue
            out[(region, year, metric)] = (
                row.anchors,
                row.data_year,
                [percentile_of(v, row).to_dict() for v in (1, 3400, 5400, 55, 275000, 9e6)],
            )
    ob = table.find("Ob/Gyn: General", "wrvu")
    out["ob"] = (ob.anchors, [percentile_of(v, ob).label for v in (3000, 4500, 7000)])
    return out


def test__wide_and_tidy_layouts_give_the_same_results():
    tidy, wide = load_benchmarks(TIDY), load_benchmarks(WIDE)
    assert wide.layout == "wide"
    assert _results(tidy) == _results(wide)
    assert len(_results(tidy)) == 6  # 3 National 2025 metrics, West wrvu, 2024 wrvu, Ob/Gyn
    # n_incumbents is read as n_providers for every metric of the wide row
    assert wide.find("Test Specialty", "cf").n_providers == 120


def test__xlsx_reads_like_csv(tmp_path):
    import csv

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    with TIDY.open(newline="") as f:
        for cells in csv.reader(f):
            if cells and cells[0].startswith("#"):
                continue
            out = []
            for c in cells:
                try:
                    out.append(float(c))  # numbers stored as numbers, as an export would
                except ValueError:
                    out.append(c or None)
            ws.append(out)
    path = tmp_path / "bench.xlsx"
    wb.save(path)
    assert _results(load_benchmarks(path)) == _results(load_benchmarks(TIDY))


def test__sample_wide_matches_sample_tidy():
    tidy = load_benchmarks()
    wide = load_benchmarks(tidy.path.replace("sample_benchmarks.csv", "sample_benchmarks_wide.csv"))
    for specialty in tidy.specialties():
        for metric in ("wrvu", "total_compensation", "compensation_per_wrvu"):
            assert tidy.find(specialty, metric).anchors == wide.find(specialty, metric).anchors


def _write(tmp_path, text, name="b.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


HEAD = "source,survey_year,specialty,region,metric,p10,p25,p50,p75,p90\n"


def test__decreasing_percentiles_rejected_naming_file_row_column(tmp_path):
    p = _write(tmp_path, HEAD + "S,2025,Card,National,wrvu,3000,3800,4800,4700,7500\n")
    with pytest.raises(BenchmarkError) as err:
        load_benchmarks(p)
    assert str(err.value) == (
        "b.csv, row 2, column p75: value 4700 is below p50 (4800); percentiles must not decrease"
    )


def test__non_numeric_and_bad_metric_rejected(tmp_path):
    p = _write(
        tmp_path,
        HEAD
        + "S,2025,Card,National,wrvu,3000,abc,4800,6000,7500\nS,2025,Card,National,rvus,1,2,3,4,5\n",
    )
    with pytest.raises(BenchmarkError) as err:
        load_benchmarks(p)
    assert str(err.value) == "b.csv, row 2, column p25: 'abc' is not a number (and 1 more problems)"
    p2 = _write(tmp_path, HEAD + "S,2025,Card,National,rvus,1,2,3,4,5\n", "c.csv")
    with pytest.raises(
        BenchmarkError, match="c.csv, row 2, column metric: 'rvus' is not one of wrvu"
    ):
        load_benchmarks(p2)


def test__duplicate_cell_rejected(tmp_path):
    line = "S,2025,Card,National,wrvu,1,2,3,4,5\n"
    with pytest.raises(BenchmarkError, match=r"b.csv, row 3: repeats row 2"):
        load_benchmarks(_write(tmp_path, HEAD + line + line))


def test__file_problems(tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        load_benchmarks(tmp_path / "nope.csv")
    with pytest.raises(MissingColumnsError, match="not a benchmark header"):
        load_benchmarks(_write(tmp_path, "a,b,c\n1,2,3\n"))
    with pytest.raises(MissingColumnsError, match="lacks column"):
        load_benchmarks(_write(tmp_path, "metric,p10,p50\nwrvu,1,2\n"))
    with pytest.raises(InputFileError, match="not a readable XLSX"):
        load_benchmarks(_write(tmp_path, "garbage", "x.xlsx"))


def test__tsv_and_region_default(tmp_path):
    p = _write(
        tmp_path,
        "specialty\tsurvey_year\tmetric\tp25\tp50\tp75\nCard\t2025\twrvu\t1\t2\t3\n",
        "t.tsv",
    )
    row = load_benchmarks(p).find("card", "wrvu")
    assert (row.region, row.source, row.data_year) == ("National", "t.tsv", 2024)


# ----------------------------------------------------------------------------- sample table

SPECIALTIES = [
    "Family Medicine",
    "Internal Medicine",
    "General Surgery",
    "Interventional Radiology",
    "Diagnostic Radiology",
    "Cardiology",
    "Orthopedic Surgery",
    "Gastroenterology",
]


def test__sample_table_covers_8_specialties_3_metrics_all_illustrative():
    t = load_benchmarks()
    assert t.specialties() == SPECIALTIES
    assert len(t.rows) == 24
    for r in t.rows:
        assert r.illustrative and r.note.startswith("ILLUSTRATIVE SAMPLE - not survey data")
        # nominal edition: a 2026 survey of 2025 work, so the sample exercises like-for-like
        assert (r.region, r.survey_year, r.data_year) == ("National", 2026, 2025)
        assert [p for p, _ in r.anchors] == [10, 25, 50, 75, 90]
        assert r.source
    assert t.illustrative


def test__sample_table_carries_the_public_figures_of_field_md():
    t = load_benchmarks()
    assert t.find("Family Medicine", "wrvu").value(50) == 4012
    assert t.find("Family Medicine", "total_compensation").value(50) == 225309
    assert t.find("Gastroenterology", "wrvu").value(75) == 10051
    assert t.find("Gastroenterology", "compensation_per_wrvu").value(75) == 77.37
    assert t.find("Gastroenterology", "total_compensation").value(75) == 695424
    assert t.find("Cardiology", "wrvu").value(75) == 11800
    assert t.find("Cardiology", "compensation_per_wrvu").value(75) == 79.06
    assert t.find("Interventional Radiology", "total_compensation").value(50) == 518164
    assert t.find("Diagnostic Radiology", "total_compensation").value(50) == 476013
    # one fictional edition: one source on every row; the borrowed figures are credited
    # once, in FORMAT.md, not row by row
    assert {r.source for r in t.rows} == {
        "rvubench illustrative sample, fictional 2026 edition (2025 data)"
    }
    credits = (benchmark_dir() / "FORMAT.md").read_text(encoding="utf-8")
    for figure, source in (
        ("4,012", "MGMA DataDive 2019"),
        ("$518,164", "AMGA 2014"),
        ("10,051", "MGMA DataDive 2016"),
        ("11,800", "healthvaluegroup.com"),
    ):
        line = next(x for x in credits.splitlines() if figure in x)
        assert source in line
