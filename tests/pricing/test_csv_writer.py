"""The fast CSV writer writes the bytes pandas' ``to_csv(index=False, lineterminator="\\n")``
writes: the reference is pandas itself (after the formula rule of textsafe on the priced
CSV's text columns), on the priced frames of the sample logs and on generated frames
holding the awkward values (commas, quotes, line breaks, missing values)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _lines import make_lines
from rvubench.pricing.csv_writer import write_frame_csv
from rvubench.pricing.engine import (
    CSV_TEXT_COLUMNS,
    price_lines,
    priced_csv_frame,
    write_priced_csv,
)
from rvubench.pricing.settings import PricingSettings
from rvubench.textsafe import neutralize_formulas

REPO = Path(__file__).resolve().parents[2]


def _pandas_bytes(frame: pd.DataFrame, path: Path) -> bytes:
    frame.to_csv(path, index=False, lineterminator="\n")
    return path.read_bytes()


def _reference(priced: pd.DataFrame, tmp: Path) -> bytes:
    """What the priced CSV was before the fast writer: pandas' to_csv of the neutralized
    priced_csv_frame."""
    frame = neutralize_formulas(priced_csv_frame(priced), CSV_TEXT_COLUMNS)
    return _pandas_bytes(frame, tmp / "pandas.csv")


def test_priced_csv_neutralizes_formulas_as_before(tmp_path, fees):
    """Text a spreadsheet would evaluate gets a leading quote; numbers such as -2.5 do not."""
    lines = make_lines(
        [
            {"provider_id": "=HYPERLINK(1)"},
            {"provider_id": "-2.5"},
            {"provider_id": "@SUM", "hcpcs": "=9921"},
            {"provider_id": "+1, x"},
        ]
    )
    priced = price_lines(lines, fees, PricingSettings())
    ours = write_priced_csv(priced, tmp_path / "ours.csv").read_bytes()
    assert ours == _reference(priced, tmp_path)
    text = ours.decode()
    assert ",'=HYPERLINK(1)," in text and ",-2.5," in text and ",'@SUM," in text
    assert ',"\'+1, x",' in text


@pytest.mark.parametrize("log", [
    "sample_data/ir_quarter.csv",  # 26/50/51 modifiers, global periods, patient column
    "sample_data/messy/ir_quarter_cp1252.csv",  # accents in provider names
    "sample_data/messy/ir_quarter_banner.csv",  # a Grand Total row rejected
    "sample_data/family_medicine.csv",  # status N/X/E codes credited zero, 2 units
])  # fmt: skip
def test_priced_csv_is_what_to_csv_writes(tmp_path, fees, log):
    from rvubench.ingest.log import read_log

    priced = price_lines(read_log(REPO / log).lines, fees, PricingSettings())
    ours = write_priced_csv(priced, tmp_path / "ours.csv").read_bytes()
    assert ours == _reference(priced, tmp_path)
    assert ours.count(b"\n") == len(priced) + 1  # header + one line per input line


def test_priced_csv_quotes_modifier_lists_and_keeps_cents(tmp_path, fees):
    """A line with "26,59" is quoted; its payment is written from the integer cents."""
    lines = make_lines([{"hcpcs": "71046", "modifiers": "26,59"}])
    priced = price_lines(lines, fees, PricingSettings())
    text = write_priced_csv(priced, tmp_path / "p.csv").read_text()
    row = text.splitlines()[1]
    assert ',"26,59",' in row
    # RVU26C 71046-26: work 0.21, PE 0.08 (facility and non-facility alike), MP 0.01;
    # national GPCIs 1.000: (0.21 + 0.08 + 0.01) x 33.4009 = 10.02027 -> 10.02
    assert ",0.21,0.21,10.02," in row and ",1002," in row


text = st.text(alphabet=st.sampled_from(list('ab ,"\n\r;é€') + ["\u2028"]), max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(
            st.one_of(st.none(), text),
            st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True, width=64)),
            st.one_of(st.none(), st.integers(-10**12, 10**12)),
            st.booleans(),
            st.sampled_from(["facility", "non-facility", "a,b", 'say "x"', None]),
            st.integers(-5, 10**9),
        ),
        min_size=1, max_size=25,
    ),
    chunk=st.integers(1, 7),
)  # fmt: skip
def test_any_frame_is_written_as_to_csv_writes(tmp_path_factory, rows, chunk):
    tmp = tmp_path_factory.mktemp("csv")
    frame = pd.DataFrame({
        "text": pd.Series([r[0] for r in rows], dtype="str"),
        "obj": pd.Series([r[0] for r in rows], dtype=object),
        "float": pd.Series([math.nan if r[1] is None else r[1] for r in rows], dtype="float64"),
        "nullable": pd.array([r[2] for r in rows], dtype="Int64"),
        "flag": np.array([r[3] for r in rows], dtype=bool),
        "cat": pd.Categorical([r[4] for r in rows]),
        "int": np.array([r[5] for r in rows], dtype="int64"),
    })  # fmt: skip
    write_frame_csv(frame, tmp / "ours.csv", chunk_rows=chunk)
    assert (tmp / "ours.csv").read_bytes() == _pandas_bytes(frame, tmp / "pandas.csv")


def test_one_column_frame_quotes_empty_fields(tmp_path):
    """The csv module writes a lone empty field as "" (else the line would be blank)."""
    frame = pd.DataFrame({"a": pd.Series(["x", None, ""], dtype="str")})
    write_frame_csv(frame, tmp_path / "ours.csv")
    assert (tmp_path / "ours.csv").read_bytes() == b'a\nx\n""\n""\n'
    assert (tmp_path / "ours.csv").read_bytes() == _pandas_bytes(frame, tmp_path / "p.csv")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(st.lists(st.integers(0, 30), min_size=18, max_size=18), min_size=1,
                    max_size=40),
    blanks=st.lists(st.integers(0, 18), max_size=4),
    chunk=st.integers(1, 9),
)  # fmt: skip
def test_many_adjacent_dictionary_columns_are_written_as_to_csv_writes(
    tmp_path_factory, values, blanks, chunk
):
    """18 float columns of up to 31 values each (31**18 > 2**62: the merged key is renumbered
    on the way) with all-"" text columns put among them (merged as one-value columns)."""
    tmp = tmp_path_factory.mktemp("csv")
    cols: dict[str, object] = {
        f"f{j}": np.array([row[j] / 4 - 3 for row in values], dtype="float64") for j in range(18)
    }
    frame = pd.DataFrame(cols)
    for k, pos in enumerate(blanks):
        frame.insert(
            min(pos, frame.shape[1]), f"blank{k}", pd.Series([""] * len(values), dtype="str")
        )
    write_frame_csv(frame, tmp / "ours.csv", chunk_rows=chunk)
    assert (tmp / "ours.csv").read_bytes() == _pandas_bytes(frame, tmp / "pandas.csv")


def test_merged_columns_hand_example(tmp_path):
    """Adjacent dictionary columns (category, float, all-"" text, bool) become one text per
    combination: rows 1 and 3 share ("a", 1.5, "", True) and so one entry."""
    frame = pd.DataFrame({
        "id": np.array([1, 2, 3], dtype="int64"),  # Arrow-cast integers: not a dictionary
        "cat": pd.Categorical(["a", "b", "a"]),
        "x": [1.5, -0.0, 1.5],
        "blank": pd.Series(["", "", ""], dtype="str"),
        "ok": [True, False, True],
    })  # fmt: skip
    write_frame_csv(frame, tmp_path / "ours.csv")
    assert (tmp_path / "ours.csv").read_bytes() == (
        b"id,cat,x,blank,ok\n1,a,1.5,,True\n2,b,-0.0,,False\n3,a,1.5,,True\n"
    )
    assert (tmp_path / "ours.csv").read_bytes() == _pandas_bytes(frame, tmp_path / "p.csv")
    lone = pd.DataFrame({"a": pd.Series(["", ""], dtype="str")})
    write_frame_csv(lone, tmp_path / "lone.csv")
    assert (tmp_path / "lone.csv").read_bytes() == b'a\n""\n""\n'
