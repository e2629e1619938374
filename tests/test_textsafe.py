"""The formula rule on Arrow arrays: the first-byte pre-check never changes an answer."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from rvubench.textsafe import (
    _may_be_formula,
    _may_hold_control,
    clean_control,
    clean_control_array,
    neutralize_formula,
    neutralize_formula_array,
)

_CELL = st.one_of(st.none(), st.text(alphabet=st.sampled_from("=+-@\t\r\x01 1.eA(|'é"), max_size=6))


def test__may_be_formula__plain_codes_skip_the_regex():
    # first bytes '9', '2', 'S', '' (skipped): none of = + - @, space or a control
    assert not _may_be_formula(pa.array(["99213", "26,59", "SYN-1", "", None]))
    # ' =x' starts with a space, '-2.5' with '-': the regex decides (and '-2.5' is a number)
    assert _may_be_formula(pa.array(["99213", " =x"]))
    assert _may_be_formula(pa.array(["-2.5"]))
    assert neutralize_formula_array(pa.array(["-2.5"])).to_pylist() == ["-2.5"]
    # a slice starts past the risky value: its offsets are read from the slice's own start
    assert not _may_be_formula(pa.array(["=1", "abc", "x"]).slice(1))
    assert _may_be_formula(pa.array(["abc", "@x"], pa.large_string()))
    assert _may_be_formula(pa.chunked_array([["a"], ["+1"]]))


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(_CELL, max_size=12),
    start=st.integers(0, 4),
    large=st.booleans(),
    split=st.integers(0, 12),
)
def test__neutralize_formula_array__same_as_the_text_rule(values, start, large, split):
    """Plain or large strings, sliced or chunked: every cell as neutralize_formula says."""
    typ = pa.large_string() if large else pa.string()
    arr = pa.array(values, typ).slice(min(start, len(values)))
    want = [v if v is None else neutralize_formula(v) for v in values[min(start, len(values)) :]]
    assert neutralize_formula_array(arr).to_pylist() == want
    cut = min(split, len(arr))
    chunked = pa.chunked_array([arr.slice(0, cut), arr.slice(cut)], typ)
    assert neutralize_formula_array(chunked).to_pylist() == want


def test__may_hold_control__reads_the_bytes():
    # "é" is C3 A9, "\xa0" (no-break space) C2 A0: not controls, but C2 sends it to the regex
    assert not _may_hold_control(pa.array(["SYN-1", "é", "", None]))
    assert _may_hold_control(pa.array(["a\x1bb"]))
    assert _may_hold_control(pa.array(["a\x85b"]))  # U+0085 is C2 85
    assert _may_hold_control(pa.array(["\xa0"]))
    assert clean_control_array(pa.array(["\xa0"])) == (pa.array(["\xa0"]), 0)
    # the bytes of a slice are those between its own first and last offsets
    assert not _may_hold_control(pa.array(["\x00", "ok"]).slice(1))
    assert _may_hold_control(pa.chunked_array([["ok"], ["\x7f"]]))


_RAW = st.one_of(
    st.none(), st.text(alphabet=st.sampled_from("ab \t\r\n\x00\x1f\x7f\x85\x9f\xa0é€"), max_size=6)
)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(_RAW, max_size=12), start=st.integers(0, 4), large=st.booleans())
def test__clean_control_array__same_as_the_text_rule(values, start, large):
    """Every cell as clean_control says, and the count of cells that changed."""
    arr = pa.array(values, pa.large_string() if large else pa.string()).slice(
        min(start, len(values))
    )
    kept = values[min(start, len(values)) :]
    out, n = clean_control_array(arr)
    assert out.to_pylist() == [v if v is None else clean_control(v) for v in kept]
    assert n == sum(1 for v in kept if v is not None and clean_control(v) != v)
