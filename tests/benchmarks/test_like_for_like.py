"""Like-for-like wRVUs on the benchmark's data-year RVUs."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _lines import line, make_lines
from rvubench.benchmarks.like_for_like import like_for_like
from rvubench.pricing.engine import price_lines
from rvubench.pricing.settings import PricingSettings

# Work RVUs, CMS RVU25D (PPRRVU2025_Oct.csv) vs RVU26C (PPRRVU2026_Jul_nonQPP.csv):
#   27447  19.60 -> 19.11   (090 global, -2.5% efficiency adjustment)
#   29881   7.03 ->  6.85   (090 global)
#   99213   1.30 ->  1.30   (E/M, exempt)
SURGEON_Q2 = [
    line(date_of_service="2026-04-02", hcpcs="99213"),
    line(date_of_service="2026-04-06", hcpcs="99213"),
    line(date_of_service="2026-04-09", hcpcs="99213"),
    line(date_of_service="2026-04-15", hcpcs="27447", pos="21"),
    line(date_of_service="2026-05-06", hcpcs="29881", pos="22"),
    line(date_of_service="2026-05-20", hcpcs="27447", pos="21"),
    # assistant at surgery: 16% of the code's wRVU under the medicare policy
    line(date_of_service="2026-06-10", hcpcs="27447", modifiers="80", pos="21"),
    # a rejected row counts for nothing on either side
    line(
        date_of_service="2026-06-11",
        hcpcs="27447",
        reject_reason="log.csv, row 9: bad",
        reject_column="units",
        units=0,
    ),
]


@pytest.fixture(scope="module")
def lines():
    return make_lines(SURGEON_Q2)


def test__surgeon_quarter_is_higher_on_2025_rvus(fees, lines):
    r = like_for_like(lines, fees, PricingSettings(), 2025)
    assert (r.fallback, r.rvu_year_used, r.data_year_release, r.in_effect_releases) == (
        False,
        2025,
        "RVU25D",
        ["RVU26C"],
    )
    # 2026: 3 x 1.30 + 2 x 19.11 + 6.85 + 0.16 x 19.11 = 3.90 + 38.22 + 6.85 + 3.0576 = 52.0276
    assert r.wrvu_in_effect == pytest.approx(52.0276, abs=1e-9)
    # 2025: 3 x 1.30 + 2 x 19.60 + 7.03 + 0.16 x 19.60 = 3.90 + 39.20 + 7.03 + 3.136 = 53.266
    assert r.wrvu_data_year == pytest.approx(53.266, abs=1e-9)
    # 53.266 - 52.0276 = 1.2384
    assert r.difference == pytest.approx(1.2384, abs=1e-9)
    assert r.wrvu_data_year > r.wrvu_in_effect
    # 1.2384 / 52.0276 x 100 = 2.3803 %
    assert r.difference_pct == pytest.approx(2.3803, abs=1e-4)


def test__per_code_table(fees, lines):
    r = like_for_like(lines, fees, PricingSettings(), 2025)
    got = [
        (c.hcpcs, c.lines, c.units, c.wrvu_in_effect, c.wrvu_data_year, c.difference)
        for c in r.by_code
    ]
    assert got == [
        # 27447: 19.11 x 2 + 3.0576 = 41.2776; 19.60 x 2 + 3.136 = 42.336; diff 1.0584
        ("27447", 3, 3, 41.2776, 42.336, 1.0584),
        ("29881", 1, 1, 6.85, 7.03, 0.18),  # 7.03 - 6.85
        ("99213", 3, 3, 3.9, 3.9, 0.0),  # E/M unchanged
    ]
    frame = r.by_code_frame()
    assert list(frame.columns) == [
        "hcpcs",
        "lines",
        "units",
        "wrvu_in_effect",
        "wrvu_data_year",
        "difference",
    ]
    assert frame["difference"].sum() == pytest.approx(r.difference)


def test__methodology_is_two_sentences_naming_both_rvu_sets(fees, lines):
    r = like_for_like(lines, fees, PricingSettings(), 2025)
    assert r.methodology.count(". ") == 1 and r.methodology.endswith(".")
    assert "RVU25D" in r.methodology and "RVU26C" in r.methodology and "2.5%" in r.methodology
    assert r.note == ""


def test__data_year_not_loaded_falls_back_and_says_so(fees, lines):
    r = like_for_like(lines, fees, PricingSettings(), 2024)
    assert (r.fallback, r.rvu_year_used, r.difference) == (True, None, 0.0)
    assert r.wrvu_data_year == r.wrvu_in_effect == pytest.approx(52.0276, abs=1e-9)
    assert "data year 2024 has no fee schedule loaded (loaded: 2025, 2026)" in r.note
    assert "--fee-schedule" in r.note
    assert r.methodology.count(". ") == 1


def test__same_year_gives_no_difference_and_reuses_the_priced_frame(fees, lines):
    priced = price_lines(lines, fees, PricingSettings())
    r = like_for_like(lines, fees, PricingSettings(), 2026, priced_in_effect=priced)
    assert r.difference == 0.0 and r.wrvu_data_year == r.wrvu_in_effect
    assert all(c.difference == 0 for c in r.by_code)


def test__full_credit_policy_is_used_on_both_sides(fees):
    # the quarter plus a bilateral knee (27447-50, BILAT SURG 1): full-credit credits both
    # sides in full (x 2, medicare x 1.5); the assistant keeps its 16% under both policies
    rows = [
        *SURGEON_Q2,
        line(date_of_service="2026-06-12", hcpcs="27447", modifiers="50", pos="21"),
    ]
    r = like_for_like(make_lines(rows), fees, PricingSettings(policy="full-credit"), 2025)
    # 2026: 52.0276 (see above) + 19.11 x 2 = 90.2476; 2025: 53.266 + 19.60 x 2 = 92.466
    assert r.wrvu_in_effect == pytest.approx(90.2476, abs=1e-9)
    assert r.wrvu_data_year == pytest.approx(92.466, abs=1e-9)
    assert r.difference == pytest.approx(2.2184, abs=1e-9)  # 92.466 - 90.2476


def test__to_dict_is_plain(fees, lines):
    import json

    d = json.loads(json.dumps(like_for_like(lines, fees, PricingSettings(), 2025).to_dict()))
    assert d["by_code"][0]["hcpcs"] == "27447" and d["data_year"] == 2025


def test__report_section_builder_renders(fees, lines):
    import jinja2

    from rvubench.benchmarks.periods import parse_period
    from rvubench.benchmarks.tables import benchmark_clinician, parse_benchmark_records
    from rvubench.report.formatting import JINJA_FILTERS
    from rvubench.report.model import SectionContext
    from rvubench.resources import templates_dir

    table = parse_benchmark_records(
        [
            (
                1,
                [
                    "specialty",
                    "survey_year",
                    "data_year",
                    "metric",
                    "p10",
                    "p25",
                    "p50",
                    "p75",
                    "p90",
                ],
            ),
            (2, ["Orthopedic Surgery", "2026", "2025", "wrvu", "50", "100", "200", "300", "400"]),
        ],
        name="t.csv",
    )
    q2 = parse_period("2026Q2")
    bench = benchmark_clinician(
        wrvu_total=52.0276, period=q2, specialty="orthopedic surgery", table=table
    )
    ctx = SectionContext(
        priced=price_lines(lines, fees, PricingSettings()),
        in_period=None,
        period=q2,
        settings=PricingSettings(),
        clean_lines=lines,
        benchmark=bench,
    )
    from rvubench.benchmarks.like_for_like import build_like_for_like_section

    section = build_like_for_like_section(ctx)
    d = section.data
    assert (section.key, d["data_year"], d["difference"]) == ("like_for_like", 2025, 1.2384)
    # 53.266 x 365/91 / 1.0 = 213.6493; p50-p75 band: 50 + 25 x 13.6493/100 = 53.4123
    assert d["wrvu_fte_adjusted_data_year"] == 213.6493
    assert d["wrvu_percentile_data_year"] == pytest.approx(53.412335, abs=1e-5)
    # 52.0276 x 365/91 = 208.6821; 50 + 25 x 8.6821/100 = 52.1705
    assert d["wrvu_percentile_in_effect"] == pytest.approx(52.170533, abs=1e-5)
    sheet = section.sheets[0]
    assert sheet.name == "Like for Like" and sheet.rows[-1] == [
        "Total",
        7,
        7,
        52.0276,
        53.266,
        1.2384,
    ]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=True)
    env.filters.update(JINJA_FILTERS)
    html = env.get_template(section.partial).render(like_for_like=d)
    assert "RVU25D" in html and "RVU26C" in html and "99213" not in html
    assert '"Like for Like" sheet' in html  # the codes that differ are listed in the workbook


# ------------------------------------------------------------------ exact sums, fast path
_CREDIT_4DP = st.integers(min_value=-(10**9), max_value=10**9).map(lambda k: k / 10_000)
_CREDIT_ANY = st.one_of(
    _CREDIT_4DP,
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),  # more decimals, large
    st.just(float("nan")),
)


def _frames(credit):
    row = st.tuples(
        st.sampled_from(["27447", "29881", "99213", "0001F"]),
        st.integers(min_value=0, max_value=9),
        credit,
        credit,
        st.sampled_from(["priced", "priced", "zero", "rejected"]),
    )
    return st.lists(row, max_size=40).map(
        lambda rows: pd.DataFrame(rows, columns=["hcpcs", "units", "now", "then", "outcome"])
    )


@settings(max_examples=200, deadline=None)
@given(_frames(_CREDIT_4DP) | _frames(_CREDIT_ANY))
def test__by_code_and_sums__equal_the_decimal_reference(frame):
    # the integer path (credits as whole ten-thousandths) gives the very floats the per-code
    # Decimal sums gave; credits with more decimals go the Decimal way
    from rvubench.benchmarks.like_for_like import (
        _by_code,
        _by_code_decimal,
        _sum4,
        _sum4_decimal,
    )

    now = frame.rename(columns={"now": "wrvu_credit"})
    then = frame.rename(columns={"then": "wrvu_credit"})
    usable = frame[frame["outcome"] != "rejected"]
    assert _by_code(now, then) == _by_code_decimal(usable)
    assert repr(_sum4(frame["now"])) == repr(_sum4_decimal(frame["now"]))


def test__sum4__is_exact_on_credits_binary_floats_round():
    from rvubench.benchmarks.like_for_like import _sum4

    # 0.1 + 0.2 is 0.30000000000000004 in binary floats; the credits sum to 0.3.
    # 8.88 + 19.60 = 28.48; 3 x 0.0001 = 0.0003; NaN (not estimable) counts 0
    assert _sum4(pd.Series([0.1, 0.2])) == 0.3
    assert _sum4(pd.Series([8.88, 19.6])) == 28.48
    assert _sum4(pd.Series([0.0001, 0.0001, 0.0001, float("nan")])) == 0.0003
