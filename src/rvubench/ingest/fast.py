"""Vectorized fast paths for clean columns of a procedure log (pure; no I/O).

``read_log`` normalizes each distinct value of a column once (``ingest_values``). On large
logs, finding the distinct values (hashing every cell) costs more than the rest, so columns
whose cells are already in normal form are recognized here from the Arrow buffers (byte
lengths and byte classes), without hashing:

- :func:`code_ids`: every cell exactly 5 bytes ``[A-Z0-9][0-9]{3}[A-Z0-9]`` (a valid, upper-case,
  trimmed HCPCS code: ``normalize_code`` returns it unchanged);
- :func:`iso_dates`: every cell ``YYYY-MM-DD``, a real date from 1930 to 2099;
- :func:`plain_units`: every cell 1 to 4 ASCII digits, not zero;
- :func:`plain_pos`: every cell two ASCII digits, not ``00``.

Each returns ``None`` when a single cell does not qualify; the caller then takes the careful
per-distinct-value path for that column, so results never depend on which path ran. The
per-row ids they return are *canonical* (the same function of the normalized value as
:func:`code_id` / :func:`pos_id` give on the careful path), so duplicates are found across
files whichever path each file took.

Faster dictionary encodings feed the careful path itself: :func:`pair_codes` (modifier
columns: "" or two of [0-9A-Z], by counting) and :func:`packed_encode` (cells of one length
of 1-8 bytes, hashed as int64).
:func:`duplicated` flags rows equal to an earlier row from per-column integer ids;
:func:`as_text` turns the bytes pyarrow read into text, checking UTF-8.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_EPOCH = date(1970, 1, 1)
DAY_MIN = (date(1930, 1, 1) - _EPOCH).days  # ingest_values.YEAR_MIN .. YEAR_MAX
DAY_MAX = (date(2099, 12, 31) - _EPOCH).days

# byte -> base-36 digit value (0-9, A-Z), 255 for anything else
_B36 = np.full(256, 255, dtype=np.uint8)
_B36[48:58] = np.arange(10)
_B36[65:91] = np.arange(10, 36)


def is_text(arr: pa.Array) -> bool:
    """True for a (large) string array."""
    return pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)


def empty(n: int, dtype) -> np.ndarray:
    """An uninitialized array of n values in pyarrow's memory pool.

    numpy's big temporaries come from malloc, which hands them back to the OS when they are
    freed, so each read pays its page faults again (on this VM a large share of read_log's
    CPU); pyarrow's pool keeps its pages, so hot arrays are allocated here and filled with
    ``out=``.
    """
    dt = np.dtype(dtype)
    return np.frombuffer(pa.allocate_buffer(max(n * dt.itemsize, 1)), dtype=dt, count=n)


def _lens(offsets: np.ndarray) -> np.ndarray:
    """Byte length of every cell, from the offsets."""
    out = empty(len(offsets) - 1, offsets.dtype)
    np.subtract(offsets[1:], offsets[:-1], out=out)
    return out


def as_text(col: pa.ChunkedArray) -> pa.ChunkedArray | None:
    """Bytes as read (``large_binary``) -> ``large_string``; None when not valid UTF-8.

    Chunks of pure ASCII need no UTF-8 check (one pass of numpy over the bytes, cheaper than
    pyarrow's validation); the others are validated by the cast.
    """
    ascii_only = True
    for chunk in col.chunks:
        data = chunk.buffers()[2]
        if data is not None and data.size and np.frombuffer(data, np.uint8).max() >= 128:
            ascii_only = False
            break
    try:
        return col.cast(pa.large_string(), safe=not ascii_only)
    except pa.ArrowInvalid:
        return None


def _buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """(offsets, data) numpy views of a string array without nulls, else None."""
    if arr.null_count or not is_text(arr):
        return None
    odt = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    bufs = arr.buffers()
    size = np.dtype(odt).itemsize
    offsets = np.frombuffer(bufs[1], dtype=odt, count=len(arr) + 1, offset=arr.offset * size)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    return offsets, data


def _fixed(arr: pa.Array, width: int) -> np.ndarray | None:
    """The cells as an (n, width) byte matrix when every cell is ``width`` bytes, else None."""
    got = _buffers(arr)
    if got is None:
        return None
    offsets, data = got
    n = len(arr)
    start, end = int(offsets[0]), int(offsets[-1])
    if end - start != width * n:
        return None
    if n:
        lens = _lens(offsets)
        if lens.min() != width or lens.max() != width:
            return None
    return data[start:end].reshape(n, width)


def code_id(code: str, valid: bool) -> int:
    """Canonical id of a normalized code: its base-36 value when valid, else -1."""
    return int(code, 36) if valid else -1


_B36_WEIGHTS = np.array([36**4, 36**3, 36**2, 36], dtype=np.int32)


def code_ids(arr: pa.Array) -> np.ndarray | None:
    """Per-row :func:`code_id` (int32) when every cell is a valid code in normal form, else None."""
    m = _fixed(arr, 5)
    if m is None:
        return None
    if not len(m):
        return np.zeros(0, dtype=np.int32)
    n = len(m)
    d = empty(5 * n, np.uint8).reshape(n, 5)
    np.subtract(m, 48, out=d, dtype=np.uint8)  # "0".."9" -> 0..9, "A".."Z" -> 17..42
    if d.max() > 42 or d[:, 1:4].max() > 9:
        return None
    gap = empty(5 * n, np.uint8).reshape(n, 5)
    np.subtract(d, 10, out=gap, dtype=np.uint8)  # ":".."@" -> 0..6, digits wrap to 246..255
    if gap.min() < 7:
        return None
    np.greater(d, 9, out=gap)  # letters: 1
    gap *= 7
    d -= gap  # letters -> 10..35
    out = empty(n, np.int32)
    np.copyto(out, d[:, 4])
    tmp = empty(n, np.int32)
    for j in range(4):
        np.multiply(d[:, j], _B36_WEIGHTS[j], out=tmp)
        out += tmp
    return out


def iso_dates(arr: pa.Array) -> np.ndarray | None:
    """Per-row ``datetime64[D]`` when every cell is ``YYYY-MM-DD`` from 1930 to 2099, else None.

    Exactly the cells ``parse_date`` reads as ISO dates without a problem (no ``date_format``).
    """
    m = _fixed(arr, 10)
    if m is None or (len(m) and ((m[:, 4] != 45).any() or (m[:, 7] != 45).any())):
        return None
    try:  # digits and a real calendar date, else ArrowInvalid
        d32 = pc.cast(arr, pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    days = np.frombuffer(d32.buffers()[1], np.int32, len(d32), d32.offset * 4)
    if len(days) and (days.min() < DAY_MIN or days.max() > DAY_MAX):
        return None
    out = empty(len(days), "datetime64[D]")
    np.copyto(out.view(np.int64), days)
    return out


def plain_units(arr: pa.Array) -> np.ndarray | None:
    """Per-row units when every cell is 1-4 ASCII digits and not zero, else None."""
    got = _buffers(arr)
    if got is None:
        return None
    offsets, data = got
    n = len(arr)
    if not n:
        return np.zeros(0, np.int64)
    lens = _lens(offsets)
    if lens.min() < 1 or lens.max() > 4:
        return None
    body = data[int(offsets[0]) : int(offsets[-1])]
    if np.subtract(body, 48, dtype=np.uint8).max() >= 10:
        return None
    if len(body) == n:  # one digit per cell
        units = empty(n, np.int64)
        np.subtract(body, 48, out=units, dtype=np.int64)
    else:
        units = pc.cast(arr, pa.int64()).to_numpy(zero_copy_only=False)
    return None if units.min() < 1 else units


def pos_id(pos: str) -> int:
    """Canonical id of a normalized place of service ("" or two digits)."""
    return int(pos) if pos else -1


def plain_pos(arr: pa.Array) -> np.ndarray | None:
    """Per-row :func:`pos_id` when every cell is two ASCII digits other than 00, else None."""
    m = _fixed(arr, 2)
    if m is None:
        return None
    n = len(m)
    d = empty(2 * n, np.uint8).reshape(n, 2)
    np.subtract(m, 48, out=d, dtype=np.uint8)
    if n and d.max() >= 10:
        return None
    ids = empty(n, np.int64)
    np.multiply(d[:, 0], 10, out=ids, dtype=np.int64)
    ids += d[:, 1]
    return None if n and ids.min() < 1 else ids


_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# every cell a pair code can stand for: "" (code 0), then the 36 x 36 two-character values
PAIR_VALUES: list[str] = ["", *(a + b for a in _ALNUM for b in _ALNUM)]


def pair_codes(arr: pa.Array) -> np.ndarray | None:
    """Per-row index into :data:`PAIR_VALUES` when every cell is "" or two of [0-9A-Z].

    A dictionary encoding of modifier columns without hashing (None when it does not apply).
    """
    got = _buffers(arr)
    if got is None:
        return None
    offsets, data = got
    lens = _lens(offsets)
    if len(lens) and (lens.max() > 2 or np.count_nonzero(lens == 1)):  # cells of 0 or 2 bytes
        return None
    body = _B36[data[int(offsets[0]) : int(offsets[-1])]].reshape(-1, 2)
    if len(body) and body.max() >= 36:
        return None
    pairs = np.zeros(len(body) + 1, dtype=np.int32)  # + one for empty cells at the end
    pairs[:-1] = body[:, 0].astype(np.int32) * 36 + body[:, 1] + 1
    at = empty(len(lens), np.int64)
    np.subtract(offsets[:-1], offsets[0], out=at)
    at >>= 1  # a filled cell's pair number
    codes = empty(len(lens), np.int32)
    np.take(pairs, at, out=codes)
    codes[lens == 0] = 0
    return codes


def packed_encode(arr: pa.Array) -> tuple[list[str], np.ndarray] | None:
    """Dictionary encoding of cells that all have the same length of 1 to 8 bytes.

    Each cell's bytes are packed into one int64, and the int64s are dictionary-encoded
    (hashing a million integers is much cheaper than hashing a million strings).
    """
    got = _buffers(arr)
    n = len(arr)
    if got is None or not n:
        return None
    offsets, _data = got
    width, rest = divmod(int(offsets[-1] - offsets[0]), n)
    if rest or not 1 <= width <= 8:
        return None
    m = _fixed(arr, width)
    if m is None:
        return None
    words = empty(n, np.int64)
    words.fill(0)  # one contiguous pass; zeroing the spare bytes column-wise is slower
    packed = words.view(np.uint8).reshape(n, 8)
    packed[:, :width] = m
    enc = pc.dictionary_encode(pa.array(words))
    values = enc.dictionary.to_numpy().view(np.uint8).reshape(-1, 8)[:, :width]
    try:
        uniques = [bytes(v).decode("utf-8") for v in values]
    except UnicodeDecodeError:  # cannot happen for text arrays; be safe
        return None
    return uniques, enc.indices.to_numpy()


def duplicated(ids: dict[str, np.ndarray], submit: Callable | None = None) -> np.ndarray:
    """Rows whose ids in every column equal those of an earlier row (exact).

    Columns that never vary are ignored; the others are combined into one exact int64 key
    (mixed radix over each column's range, renumbered densely where the range would not
    fit; pandas' DataFrame.duplicated did that case in about 0.5 s on 1,000,000 lines).
    ``submit`` (an executor's ``submit``) lets a big log's key search run on threads.
    """
    n = len(next(iter(ids.values()))) if ids else 0
    spans, cols = [], []
    for a in ids.values():
        if not len(a):
            continue
        lo, hi = int(a.min()), int(a.max())
        if lo != hi:
            spans.append(hi - lo + 1)
            cols.append(a)
    if not cols:
        out = np.ones(n, dtype=bool)
        out[:1] = False
        return out
    _narrow_widest(cols, spans)
    # sum of id_i * (product of the later spans), wrapping modulo 2**64: the same sum shifted
    # by a constant from the mixed-radix number of (id_i - low_i), which is below 2**62, so
    # keys are equal exactly when the rows are. When the next column would take the range
    # past 2**62 (a patient column of 270,000 ids beside provider, date and code), the key so
    # far is renumbered densely first (factorize: equal keys get equal numbers, a bijection
    # on the keys present), so its range is at most n and the key stays exact.
    key = empty(n, np.int64)
    np.copyto(key, cols[0])  # ids may be int32
    span_so_far = float(spans[0])  # floats only to compare; the factors stay exact ints
    for a, span in zip(cols[1:], spans[1:], strict=True):
        if span_so_far * span >= 2.0**62:
            key, span_so_far = _renumbered(key)
        if span_so_far * span >= 2.0**62:  # one column's own range is that wide
            a, width = _renumbered(a)
            span = int(width)
        key *= span
        key += a
        span_so_far *= span
    return duplicated_keys(key, submit)


def _narrow_widest(cols: list[np.ndarray], spans: list[int]) -> None:
    """While the spans' product passes 2**62, renumber the widest sparse column densely (in
    place): code ids span ~25,000,000 for a few thousand codes, and renumbering that one
    column (a small hash table) is cheaper than renumbering the combined key (~0.15 s on
    1,000,000 lines)."""
    done: set[int] = set()
    while np.prod([float(s) for s in spans]) >= 2.0**62:
        sparse = [j for j in range(len(cols)) if j not in done and spans[j] > 65_536]
        if not sparse:
            return
        j = max(sparse, key=lambda i: spans[i])
        cols[j], width = _renumbered(cols[j])
        spans[j] = int(width)
        done.add(j)


def _renumbered(values: np.ndarray) -> tuple[np.ndarray, float]:
    """``values`` numbered densely (equal values equal numbers, from 0) and their range."""
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64, copy=False), float(max(len(uniques), 1))


PART_ROWS = 200_000  # rows per part of a big log's duplicate search (see duplicated_keys)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _dup(keys: np.ndarray) -> np.ndarray:
    return pd.Series(keys, copy=False).duplicated(keep="first").to_numpy()


def _run_parts(parts: list[np.ndarray], submit: Callable | None) -> list[np.ndarray]:
    if submit is None:
        return [_dup(p) for p in parts]
    pending = [submit(_dup, p) for p in parts[1:]]
    return [_dup(parts[0]), *(f.result() for f in pending)]


def duplicated_keys(key: np.ndarray, submit: Callable | None = None) -> np.ndarray:
    """``key`` equals an earlier key (int64 keys).

    A big log is split by a few bits of a hash of the key into parts searched one by one
    (``submit``: on a thread pool, as pandas frees the GIL): equal keys always land in the
    same part, and rows keep their order in it. pandas sizes its hash table for at most
    2**20 values, so a million keys cost a rehash and many cache misses; parts of at most
    ``PART_ROWS`` keys do not (measured on 1M keys: 17 ms whole, 12-14 ms in parts).
    """
    n = len(key)
    if n <= PART_ROWS:
        return _dup(key)
    bits = min(8, max(1, int(np.ceil(np.log2(n / PART_ROWS)))))
    mixed = empty(n, np.uint64)
    np.multiply(key.view(np.uint64), _MIX, out=mixed)
    mixed >>= np.uint64(64 - bits)
    part = empty(n, np.uint8)
    np.copyto(part, mixed, casting="unsafe")
    order = np.argsort(part, kind="stable")
    ordered = empty(n, np.int64)
    np.take(key, order, out=ordered)
    bounds = np.concatenate([[0], np.cumsum(np.bincount(part, minlength=1 << bits))]).tolist()
    found = _run_parts([ordered[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)], submit)
    out = np.empty(n, dtype=bool)
    out[order] = np.concatenate(found)
    return out


@lru_cache(maxsize=2)
def _zero_offsets(n: int) -> pa.Buffer:
    return pa.py_buffer(np.zeros(n + 1, dtype=np.int64))


def empty_strings(n: int) -> pa.Array:
    """n empty strings (``large_string``); arrays of one length share one offsets buffer."""
    return pa.LargeStringArray.from_buffers(n, _zero_offsets(n), pa.py_buffer(b""))


def repeated_string(text: str, n: int) -> pa.Array:
    """``text`` n times as a ``large_string`` array."""
    return pa.array([text], pa.large_string()).take(np.zeros(n, dtype=np.int32))


def all_empty(arr: pa.Array) -> bool:
    """True when every cell of a string array is "" (no character data at all)."""
    got = _buffers(arr)
    return got is not None and int(got[0][-1]) == int(got[0][0])


STR_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default "str"


def frame(columns: dict[str, pa.Array | np.ndarray], n: int) -> pd.DataFrame:
    """A DataFrame from string arrays (-> ``str``) and numpy arrays, without copying text.

    ``datetime64[D]`` becomes ``datetime64[ns]`` (NaT kept).
    """
    data: dict[str, object] = {}
    for name, v in columns.items():
        if isinstance(v, pa.Array):
            if not pa.types.is_large_string(v.type):
                v = v.cast(pa.large_string())
            data[name] = pd.arrays.ArrowStringArray(pa.chunked_array([v]), dtype=STR_DTYPE)  # type: ignore[call-arg]  # pandas 3 takes dtype (stubs lag)
        elif v.dtype.kind == "M":
            data[name] = v.astype("datetime64[ns]", copy=False)
        else:
            data[name] = v
    return pd.DataFrame(data, index=pd.RangeIndex(n), copy=False)
