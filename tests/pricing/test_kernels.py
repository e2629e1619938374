"""The pricing engine's numeric kernels, each against the plain numpy/pandas it replaces.

These kernels are written for speed (lookup tables instead of hashing, packed sort keys
instead of a lexsort); each must give exactly what its slow equivalent gives, for any input.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rvubench.pricing.engine import (
    _dense,
    _dense_values,
    _lex_order,
    _rank_lines,
    _sorted_ids,
    _Texts,
)

small_ints = hnp.arrays("int64", st.integers(0, 60), elements=st.integers(0, 40))
# keys beyond the lookup-table range (16M) and negative keys take the hashing path
wide_ints = hnp.arrays(
    "int64",
    st.integers(0, 60),
    elements=st.one_of(st.integers(-5, 5), st.integers(2**40, 2**40 + 3)),
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(small_ints, wide_ints))
def test__dense_values__ids_index_the_distinct_keys(key):
    ids, uniq = _dense_values(key)
    assert ids.dtype == np.int64
    assert (uniq[ids] == key).all()
    assert len(set(uniq.tolist())) == len(uniq) == len(set(key.tolist()))
    n_ids, count = _dense(key)
    assert (n_ids == ids).all() and count == len(uniq)


@settings(max_examples=200, deadline=None)
@given(small_ints)
def test__dense_values__small_keys_are_numbered_in_key_order(key):
    # the lookup-table path numbers keys ascending: 7, 3, 7, 40 -> ids 1, 0, 1, 2
    ids, uniq = _dense_values(key)
    assert (uniq == np.unique(key)).all()
    assert (np.diff(uniq) > 0).all()


def test__dense_values__worked_example():
    ids, uniq = _dense_values(np.array([7, 3, 7, 40], dtype="int64"))
    assert ids.tolist() == [1, 0, 1, 2]
    assert uniq.tolist() == [3, 7, 40]


@settings(max_examples=200, deadline=None)
@given(st.one_of(small_ints, wide_ints))
def test__sorted_ids__equals_numpy_unique_with_inverse(x):
    uniq, inv = _sorted_ids(x)
    n_uniq, n_inv = np.unique(x, return_inverse=True)
    assert uniq.tolist() == n_uniq.tolist()
    assert inv.ravel().tolist() == n_inv.ravel().tolist()


triples = st.integers(0, 40).flatmap(
    lambda n: st.tuples(
        hnp.arrays("int64", n, elements=st.integers(0, 4)),
        hnp.arrays("int64", n, elements=st.integers(-3, 3)),
        hnp.arrays("int64", n, elements=st.integers(0, 2)),
    )
)


@settings(max_examples=300, deadline=None)
@given(triples)
def test__lex_order__equals_a_stable_lexsort(gvt):
    g, val, tie = gvt
    # group ascending, value descending, tie ascending, then input position (stable)
    assert _lex_order(g, val, tie).tolist() == np.lexsort((tie, -val, g)).tolist()


def test__lex_order__worked_example():
    g = np.array([1, 0, 1, 0])
    val = np.array([5, 2, 9, 2])
    tie = np.array([0, 0, 0, 0])
    # group 0: rows 1 and 3 (equal value: input order); group 1: row 2 (9) before row 0 (5)
    assert _lex_order(g, val, tie).tolist() == [1, 3, 2, 0]


def _rank_lines_slow(g, val, tie, units):
    start = np.zeros(len(g), dtype="int64")
    total = np.zeros(len(g), dtype="int64")
    for group in set(g.tolist()):
        rows = [i for i in range(len(g)) if g[i] == group]
        rows.sort(key=lambda i: (-val[i], tie[i], i))
        taken = 0
        for i in rows:
            start[i] = taken + 1
            taken += units[i]
        for i in rows:
            total[i] = taken
    return start, total


@settings(max_examples=300, deadline=None)
@given(
    triples.flatmap(
        lambda t: st.tuples(st.just(t), hnp.arrays("int64", len(t[0]), elements=st.integers(1, 3)))
    )
)
def test__rank_lines__units_take_consecutive_ranks_within_a_group(args):
    (g, val, tie), units = args
    start, total = _rank_lines(g, val, tie, units)
    s_start, s_total = _rank_lines_slow(g, val, tie, units)
    assert start.tolist() == s_start.tolist()
    assert total.tolist() == s_total.tolist()


def test__rank_lines__worked_example():
    # one group: a 2-unit line worth 9 takes ranks 1-2, the 1-unit line worth 5 takes rank 3
    start, total = _rank_lines(
        np.array([0, 0]), np.array([5, 9]), np.array([0, 0]), np.array([1, 2])
    )
    assert start.tolist() == [3, 1]
    assert total.tolist() == [3, 3]


def test__texts__full_and_sparse_components_joined_in_order():
    tx = _Texts(4)
    tx.add(np.array([1, 0, 2, 1]), ["", "facility rate", "non-facility rate"])
    tx.add_flag(np.array([True, False]), "assistant 16%", idx=np.array([1, 3]))
    assert tx.build().tolist() == [
        "facility rate",
        "assistant 16%",
        "non-facility rate",
        "facility rate",
    ]


def test__texts__ids_name_each_distinct_text_once():
    tx = _Texts(5)
    tx.add(np.array([1, 1, 2, 0, 1]), ["", "a", "b"])
    tx.add_flag(np.array([0, 1, 0, 0, 0]), "c")
    ids, texts = tx.build_ids()
    assert texts[ids].tolist() == ["a", "a; c", "b", "", "a"]
    assert len(texts) == 4  # "a", "a; c", "b", ""
    assert ids[0] == ids[4]


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 30).flatmap(
        lambda n: st.lists(
            hnp.arrays("int64", n, elements=st.integers(0, 6)), min_size=1, max_size=14
        )
    )
)
def test__texts__many_components_past_62_bits_equal_the_slow_join(components):
    # 14 components of 3 bits each need 42 bits; labels of 7 codes (0 = nothing) each;
    # more than 62 bits in all makes the key dense again before it overflows
    n = len(components[0])
    tx = _Texts(n)
    labels = []
    for j, codes in enumerate(components):
        lab = [""] + [f"c{j}.{v}" for v in range(1, 7)]
        labels.append(lab)
        tx.add(codes, lab)
    for _ in range(10):  # 10 x 3 more bits: over 62
        tx.add(np.zeros(n, dtype="int64"), ["", "x", "y", "z", "w"])
    slow = [
        "; ".join(lab[c[i]] for lab, c in zip(labels, components, strict=True) if c[i])
        for i in range(n)
    ]
    assert tx.build().tolist() == slow
    assert pd.Series(tx.build()).notna().all()
