"""Write a DataFrame as CSV, byte for byte what ``DataFrame.to_csv(index=False,
lineterminator="\\n")`` writes, about ten times faster on large frames.

Why not ``to_csv``: it turns every cell into a Python object and hands the rows to the
``csv`` module; on the 1,000,000-line priced frame that was most of ``rvubench price``.
Why not pyarrow's CSV writer: it quotes every text value and the header
(``quoting_style="needed"`` in pyarrow 26 quotes all strings), so every line would change;
its ``"none"`` style refuses values holding commas, and modifiers ("26,59") and
adjustments hold them.

How: each column becomes an Arrow string array of its CSV text. A column with few
distinct values (categories, flags, floats such as GPCIs) is formatted once per distinct
value and expanded with ``take``; integers are cast by Arrow; text is quoted by Arrow
kernels only where a value needs it. Arrow joins the columns into lines, and the lines'
bytes are written as they lie in Arrow's buffer. Rows go in chunks, so memory stays a
few hundred MB whatever the size of the frame.

Formatting follows pandas: floats as ``repr`` (``1.0``, ``33.4009``), missing values as
empty fields, ``True``/``False`` for bools, a value quoted (``"..."``, inner quotes
doubled) when it holds a comma, a quote or a line break, as the ``csv`` module does.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

CHUNK_ROWS = 100_000
Formatter = Callable[[Any], str]
ArrayFilter = Callable[[pa.Array], pa.Array]


def _needs_quote_chars() -> str:
    """The characters that make Python's csv module quote a field (minimal quoting, "\\n")."""
    chars = ""
    for c in (",", '"', "\n", "\r"):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([f"a{c}b", "x"])
        if buf.getvalue().startswith('"'):
            chars += c
    return chars


_QUOTE_CHARS = _needs_quote_chars()
_QUOTE_RE = (
    "[" + "".join("\\r" if c == "\r" else "\\n" if c == "\n" else c for c in _QUOTE_CHARS) + "]"
)


def quote(text: str) -> str:
    """One field as the csv module writes it (minimal quoting)."""
    if any(c in text for c in _QUOTE_CHARS):
        return '"' + text.replace('"', '""') + '"'
    return text


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def default_formatter(dtype: Any) -> Formatter:
    """How ``to_csv`` writes one non-missing value of a column of ``dtype``."""
    if isinstance(dtype, pd.CategoricalDtype):
        return default_formatter(dtype.categories.dtype)
    if pd.api.types.is_float_dtype(dtype):
        return lambda v: repr(float(v))
    if pd.api.types.is_bool_dtype(dtype):
        return lambda v: "True" if v else "False"
    if pd.api.types.is_integer_dtype(dtype):
        return lambda v: str(int(v))
    return str


def _quote_array(arr: pa.Array) -> pa.Array:
    """Quote the values that need it, with Arrow kernels (most values pass untouched)."""
    data = arr.buffers()[2]
    if data is None:
        return arr
    raw = np.frombuffer(data, dtype=np.uint8)
    if not any(np.any(raw == ord(c)) for c in _QUOTE_CHARS):  # a byte scan: the usual case
        return arr
    needs = pc.match_substring_regex(arr, _QUOTE_RE)
    quoted = pc.binary_join_element_wise(
        pa.scalar('"', arr.type),
        pc.replace_substring(arr, '"', '""'),
        pa.scalar('"', arr.type),
        pa.scalar("", arr.type),
    )
    return pc.if_else(needs, quoted, arr)


def _dictionary(
    uniques: Any, fmt: Formatter, na_text: str, text_filter: ArrayFilter | None = None
) -> pa.Array:
    """Each distinct value's text, formatted once; the last entry is the missing value's."""
    texts = [fmt(u) if not _is_missing(u) else None for u in uniques]
    if text_filter is not None:
        texts = text_filter(pa.array(texts, type=pa.string())).to_pylist()
    quoted = [quote(t) if t is not None else na_text for t in texts]
    return pa.array(quoted + [na_text], type=pa.large_string())


class _Column:
    """One column's CSV text, ready to be cut in chunks: either whole text (``text``) or
    a dictionary of texts and one index per row (``dictionary``, ``codes``)."""

    def __init__(
        self,
        series: pd.Series,
        fmt: Formatter | None = None,
        text_filter: ArrayFilter | None = None,
    ) -> None:
        self.text: pa.Array | None = None
        self.dictionary: pa.Array | None = None
        self.codes: np.ndarray | None = None
        dtype = series.dtype
        na_text = quote(fmt(None)) if fmt is not None else ""
        if isinstance(dtype, pd.CategoricalDtype):
            codes, uniques = series.cat.codes.to_numpy(), series.cat.categories
        elif fmt is None and dtype == np.dtype("int64"):
            self.text = pc.cast(pa.array(series.to_numpy()), pa.large_string())
            return
        elif (
            fmt is None
            and isinstance(dtype, pd.StringDtype | pd.ArrowDtype)
            and (pd.api.types.is_string_dtype(dtype))
        ):
            arr = pa.array(series, from_pandas=True)
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks()
            arr = pc.cast(arr, pa.large_string())  # no copy when it is one already
            if text_filter is not None:  # filters take string or large_string arrays
                arr = text_filter(arr)
            self.text = _quote_array(arr.fill_null(""))
            if not arr.null_count and _no_text(self.text):  # all "": one value, see _merged
                self.text, self.dictionary = None, pa.array([""], pa.large_string())
                self.codes = np.zeros(len(arr), dtype=np.int32)
            return
        elif isinstance(dtype, np.dtype) and dtype.kind == "f":
            # by bit pattern: factorize takes -0.0 for 0.0, and to_csv writes "-0.0"
            bits = series.to_numpy().astype("float64", copy=False).view("int64")
            codes, ubits = pd.factorize(bits)
            uniques = pd.Index(ubits.view("float64"))  # a NaN's text is the missing value's
        else:
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
        self.dictionary = _dictionary(
            uniques, fmt or default_formatter(dtype), na_text, text_filter
        )
        self.codes = np.where(codes < 0, len(uniques), codes).astype(np.int32, copy=False)

    def chunk(self, start: int, stop: int) -> pa.Array:
        if self.text is not None:
            return self.text.slice(start, stop - start)
        assert self.dictionary is not None and self.codes is not None
        return self.dictionary.take(pa.array(self.codes[start:stop]))


def _no_text(arr: pa.Array) -> bool:
    """A large_string array whose values are all "" (no bytes between its first and last
    offsets)."""
    offsets = arr.buffers()[1]
    if offsets is None or len(arr) == 0:
        return False
    o = np.frombuffer(offsets, dtype=np.int64)
    return bool(o[arr.offset] == o[arr.offset + len(arr)])


def _merged(run: list[tuple[pa.Array, np.ndarray]], n: int) -> _Column:
    """Adjacent dictionary columns as one: each distinct combination of their values is a
    dictionary entry holding the columns' texts joined by commas.

    Why: Arrow joins a line's fields one column at a time, and the priced CSV's 33 columns
    cost about 1.4 s per 1,000,000 lines; its per-key and per-line result columns
    (setting ... outcome) take about 60,000 distinct combinations, so joining them once per
    combination and taking one text per row leaves 9 columns to join (~0.45 s), for
    ~0.2 s of numbering here. Exact: the combination number is a mixed-radix number of the
    columns' codes (renumbered densely by ``pd.factorize`` before it could pass 2**62), and
    every row of a combination has the same codes, so any one row gives its texts.
    """
    key = run[0][1].astype(np.int64)
    span = float(len(run[0][0]))
    for dictionary, col_codes in run[1:]:
        size = len(dictionary)
        if span * size >= 2.0**62:
            dense, uniques = pd.factorize(key)
            key, span = dense.astype(np.int64, copy=False), float(len(uniques))
        key *= size
        key += col_codes
        span *= size
    codes, uniques = pd.factorize(key)
    row_of = np.zeros(len(uniques), dtype=np.int64)
    row_of[codes] = np.arange(n)  # a row of each combination (any one: they are equal)
    parts = [dictionary.take(pa.array(col_codes[row_of])) for dictionary, col_codes in run]
    out = _Column.__new__(_Column)
    out.text = None
    out.dictionary = pc.binary_join_element_wise(*parts, pa.scalar(",", pa.large_string()))
    out.codes = codes.astype(np.int32, copy=False)
    return out


def _merge_runs(columns: list[_Column], n: int) -> list[_Column]:
    """The columns with each run of adjacent dictionary columns merged (:func:`_merged`)."""
    out: list[_Column] = []
    run: list[_Column] = []
    for col in [*columns, None]:
        if col is not None and col.dictionary is not None:
            run.append(col)
            continue
        if len(run) > 1:
            pairs = [(c.dictionary, c.codes) for c in run if c.codes is not None]
            out.append(_merged(pairs, n))
        else:
            out.extend(run)
        run = []
        if col is not None:
            out.append(col)
    return out


def column_text(series: pd.Series, fmt: Formatter | None = None) -> pa.Array:
    """The CSV text of one column (large_string, quoted where needed).

    A missing value is an empty field, or ``fmt(None)`` when a formatter is given.
    """
    return _Column(series, fmt).chunk(0, len(series))


def _lines(cols: list[pa.Array]) -> pa.Buffer | bytes:
    """The CSV lines of columns of text, as one buffer."""
    if len(cols) == 1:  # the csv module quotes a lone empty field
        cols = [pc.if_else(pc.equal(cols[0], ""), '""', cols[0])]
    comma, empty, newline = (pa.scalar(t, pa.large_string()) for t in (",", "", "\n"))
    last = pc.binary_join_element_wise(cols[-1], empty, newline)  # value + "\n" + ""
    lines = pc.binary_join_element_wise(*cols[:-1], last, comma)
    offsets = np.frombuffer(
        lines.buffers()[1], dtype=np.int64, count=len(lines) + 1, offset=lines.offset * 8
    )
    data = lines.buffers()[2]
    start, end = int(offsets[0]), int(offsets[-1])
    return data.slice(start, end - start) if data is not None else b""


def frame_csv_bytes(
    frame: pd.DataFrame, formatters: Mapping[str, Formatter] | None = None
) -> bytes | pa.Buffer:
    """The CSV body lines (no header) of ``frame``, UTF-8 (a buffer, written as it is)."""
    if frame.empty:
        return b""
    formatters = formatters or {}
    return _lines([column_text(frame[c], formatters.get(c)) for c in frame.columns])


def header_line(columns: Any) -> bytes:
    return (",".join(quote(str(c)) for c in columns) + "\n").encode()


def write_frame_csv(
    frame: pd.DataFrame,
    path: Path,
    formatters: Mapping[str, Formatter] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    array_filters: Mapping[str, ArrayFilter] | None = None,
) -> None:
    """Write ``frame`` to ``path`` as ``frame.to_csv(path, index=False, lineterminator="\\n")``
    would, with ``formatters[column](value)`` giving the text of a value (None: missing)
    and ``array_filters[column]`` applied to a column's texts (an Arrow string array, before
    quoting; missing values stay missing), e.g. ``textsafe.neutralize_formula_array``."""
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    formatters = formatters or {}
    filters = array_filters or {}
    columns = [_Column(frame[c], formatters.get(c), filters.get(c)) for c in frame.columns]
    if len(frame):
        columns = _merge_runs(columns, len(frame))

    def lines(start: int) -> pa.Buffer | bytes:
        stop = min(start + chunk_rows, len(frame))
        return _lines([c.chunk(start, stop) for c in columns])

    # Arrow's kernels release the GIL: the next chunks are joined on other threads while
    # this one is written; at most ``threads`` chunks are held at once, in order.
    threads = max(min(os.cpu_count() or 1, 4), 1)
    with open(path, "wb") as fh, ThreadPoolExecutor(threads) as pool:
        fh.write(header_line(frame.columns))
        pending: deque = deque()
        for start in range(0, len(frame), chunk_rows):
            pending.append(pool.submit(lines, start))
            if len(pending) >= threads:
                fh.write(pending.popleft().result())
        while pending:
            fh.write(pending.popleft().result())
