"""A large table's sheet rows as XML text, built column by column with Arrow kernels.

Why: openpyxl (and our faster row writer in ``report.xlsx``) turns every cell into a Python
object and its XML text one at a time, about 2 us a cell at best; the 30,000-line Lines sheet
has 870,000 cells. A column of a report frame holds few distinct values (codes, modifiers,
categories, adjustments, GPCIs, dates) and the cell XML of a value does not depend on its
row, only the ``r="B7"`` reference does. So each column is factorized, the XML of each
distinct value is made once by the caller (with openpyxl's own rules, in ``report.xlsx``),
and Arrow spreads it to the rows (``take``), prefixes each cell with its reference and joins
the columns into ``<row>`` elements. The rows' bytes are handed on as they lie in Arrow's
buffer.

This module is pure: it knows codes and text, not workbooks. ``report.xlsx`` decides what
a value's cell is (:func:`rvubench.report.xlsx.write_frame`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

CHUNK_ROWS = 50_000
"""Rows whose XML is built at a time: a 300,000-line sheet never holds its whole text."""


def factorize(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes per row and the first row of each code, for values whose cell is the same.

    Codes number the distinct values in order of first appearance; every missing value
    (None, NaN, NA, NaT) shares one code, the last. Floats are told apart by their bits, so
    ``0.0`` and ``-0.0`` (equal, but written ``0`` and ``-0``) get two codes. A column of
    mixed Python objects (``1``, ``1.0`` and ``True`` are equal but are different cells) is
    not factorized: every row is its own code.
    """
    n = len(column)
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = column.to_numpy()
        missing = np.isnan(values)
        codes = np.full(n, -1, dtype=np.intp)
        bits = values.view(np.dtype(f"i{values.itemsize}"))  # float32 -> int32, ...
        codes[~missing] = pd.factorize(bits[~missing])[0]
    elif dtype is np.dtype(object) and pd.api.types.infer_dtype(column, skipna=True) not in (
        "string",
        "empty",
    ):
        codes = np.arange(n, dtype=np.intp)
    elif isinstance(dtype, pd.Float64Dtype | pd.Float32Dtype):
        return factorize(column.astype("float64"))
    else:
        codes, _ = pd.factorize(column, use_na_sentinel=True)
        codes = codes.astype(np.intp, copy=False)
    distinct = int(codes.max()) + 1 if n else 0
    missing_rows = np.flatnonzero(codes < 0)
    if missing_rows.size:
        codes = codes.copy() if not codes.flags.writeable else codes
        codes[missing_rows] = distinct
        distinct += 1
    first = np.full(distinct, n, dtype=np.intp)
    np.minimum.at(first, codes, np.arange(n, dtype=np.intp))
    return codes, first


def row_numbers(start: int, stop: int) -> pa.Array:
    """The row numbers ``start .. stop - 1`` as text (``"7"``)."""
    return pc.cast(pa.array(np.arange(start, stop, dtype=np.int64)), pa.string())


def spread(tails: Sequence[str | None], codes: np.ndarray) -> pa.Array:
    """Per row, the tail of its code (:func:`factorize`): ``tails[codes]`` as an Arrow array."""
    return pc.take(pa.array(tails, type=pa.string()), pa.array(codes))


def wrapped(head: str, texts: pa.Array, tail: str) -> pa.Array:
    """Per row ``head + text + tail``; null where the text is null (no cell)."""
    return pc.binary_join_element_wise(head, texts, tail, "")


def rows_xml(numbers: pa.Array, columns: Sequence[tuple[str, pa.Array]]) -> pa.Buffer:
    """The ``<row>`` elements of one chunk of rows.

    Args:
        numbers: the rows' numbers as text (:func:`row_numbers`).
        columns: per column its letter and, per row, the cell's XML after its reference
            without its quotes (`` s="3" t="n"><v>1.5</v></c>``), null for no cell.

    Returns:
        ``<row r="2"><c r="A2" .../>...</row><row r="3">...`` as UTF-8 bytes (a view of
        Arrow's buffer: no copy).
    """
    parts: list[pa.Array | str] = ['<row r="', numbers, '">']
    for letter, tails in columns:
        nulls = tails.null_count
        if nulls == len(tails):
            continue
        if nulls == 0:  # joined with the row: no array per column
            parts += [f'<c r="{letter}', numbers, '"', tails]
        else:
            cells = pc.binary_join_element_wise(f'<c r="{letter}', numbers, '"', tails, "")
            parts.append(pc.fill_null(cells, ""))
    parts.append("</row>")
    return _concatenated(pc.binary_join_element_wise(*parts, ""))


def _concatenated(array: pa.Array) -> pa.Buffer:
    """The values of a string array without nulls, one after the other (its data buffer)."""
    if len(array) == 0:
        return pa.py_buffer(b"")
    _, offsets, data = array.buffers()[:3]
    kind = np.int64 if pa.types.is_large_string(array.type) else np.int32
    bounds = np.frombuffer(offsets, dtype=kind)
    begin = int(bounds[array.offset])
    end = int(bounds[array.offset + len(array)])
    return data[begin:end] if data is not None else pa.py_buffer(b"")
