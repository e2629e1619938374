"""Pricing keys, dense ids and column encodings.

Everything that depends only on a line's pricing key (release, code, modifiers, POS,
locality/ZIP) is computed once per distinct key: this module builds those keys from the
clean-line frame (:func:`_pricing_keys`), encodes the text columns to small integer codes
(in threads for large logs, :func:`_encode_columns`), and holds the dense-id kernels the
other rules group by (:func:`_dense`, :func:`_dense_values`, :func:`_sorted_ids`), plus the
multiple-procedure grouping key (patient key, else encounter key) and the categorical
helpers the output uses.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pandas as pd

from rvubench.pricing.state import KeyValues, LineState

# --------------------------------------------------------------------------- helpers


def _factorized(lines: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray]:
    """(codes, stripped labels) of a text column; reuses the key step's factorization when
    ``lines`` is the frame of pricing keys (``attrs["codes"]``)."""
    pre = lines.attrs.get("codes", {})
    if col in pre:
        codes, labels = pre[col]
    elif col in lines:
        codes, labels = pd.factorize(_text(lines[col]))
    else:
        codes, labels = np.zeros(len(lines), dtype="int64"), np.array([""], dtype=object)
    return codes, np.asarray([str(v).strip() for v in labels], dtype=object)


def _text(col: pd.Series) -> pd.Series:
    """A text column without missing values (no copy when there are none)."""
    if col.dtype == object or col.hasnans:
        return col.fillna("").astype(str)
    return col


def _dense(key: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense ids 0..k-1 for non-negative integer keys (ordered by key): a lookup table when
    the key range is small (much faster than hashing), else ``pd.factorize``."""
    ids, uniq = _dense_values(key)
    return ids, len(uniq)


def _dense_values(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_dense` ids and the key value of each id (``uniq[ids] == key``)."""
    if len(key) == 0:
        return key.astype("int64"), key.astype("int64")
    top = int(key.max())
    if int(key.min()) >= 0 and top < 16_000_000:
        present = np.zeros(top + 1, dtype=bool)
        present[key] = True
        uniq = np.flatnonzero(present)  # the keys present, ascending
        # only the entries of the keys present are written (no pass over the whole range)
        table = np.empty(top + 1, dtype="int32")
        table[uniq] = np.arange(len(uniq), dtype="int32")
        return table[key].astype("int64"), uniq.astype("int64")
    codes, uniq = pd.factorize(key)
    return codes.astype("int64"), np.asarray(uniq, dtype="int64")


# Above this range of combined key values, the key is made dense before the next column
# is combined into it (a lookup table of this size stays in the CPU cache).
_KEY_RANGE = 2_000_000


def _arrow_text(col: pd.Series):
    """The column as one pyarrow string array without nulls, or None (not arrow-backed)."""
    try:
        import pyarrow as pa

        if not hasattr(col.array, "__arrow_array__"):
            return None
        arr = pa.array(col.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if arr.null_count or not (
            pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
        ):
            return None
        return arr
    except Exception:  # noqa: BLE001 - anything unusual: the generic path
        return None


def _all_blank(col: pd.Series) -> bool:
    """Every value of a text column is missing or "" (read from the string lengths)."""
    import pyarrow.compute as pc

    arr = _arrow_text(col)
    if arr is None:
        return not (_text(col) != "").any()
    return len(arr) == 0 or pc.max(pc.binary_length(arr)).as_py() == 0


def _two_digit_codes(col: pd.Series) -> np.ndarray | None:
    """POS codes 0-99 of a column of two-digit codes and "" (100), read straight from the
    string bytes; None when any value is something else."""
    arr = _arrow_text(col)
    if arr is None or len(arr) == 0:
        return None
    off_type = "int64" if arr.type.equals(__import__("pyarrow").large_string()) else "int32"
    bufs = arr.buffers()
    offs = np.frombuffer(bufs[1], dtype=off_type)[arr.offset : arr.offset + len(arr) + 1]
    data = (
        np.frombuffer(bufs[2], dtype=np.uint8)
        if bufs[2] is not None
        else np.zeros(0, dtype=np.uint8)
    )
    start = offs[:-1].astype("int64")
    length = np.diff(offs)
    two = length == 2
    if not (two | (length == 0)).all():
        return None
    if len(data) == 0:
        return np.full(len(arr), 100, dtype="int64")
    last = len(data) - 1
    b0 = data[np.minimum(start, last)].astype("int64") - 48
    b1 = data[np.minimum(start + 1, last)].astype("int64") - 48
    ok = (b0 >= 0) & (b0 <= 9) & (b1 >= 0) & (b1 <= 9)
    if not (ok | ~two).all():
        return None
    return np.where(two, b0 * 10 + b1, 100)


def _small_codes(col: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes of a text column; two-digit POS codes are parsed, not hashed."""
    nums = _two_digit_codes(col)
    if nums is not None:
        return nums, 101
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(col.array)
        arr = pc.if_else(pc.equal(arr, ""), "100", arr)
        nums = pc.cast(arr, pa.int16()).to_numpy(zero_copy_only=False)
        if (nums >= 0).all() and (nums <= 100).all():
            return nums.astype("int64"), 101
    except Exception:  # noqa: BLE001 - anything unusual: hash it instead
        pass
    codes, uniq = pd.factorize(col, use_na_sentinel=False)
    return codes.astype("int64"), len(uniq)


def _pricing_keys(lines: pd.DataFrame, s: LineState) -> tuple[np.ndarray, KeyValues, pd.DataFrame]:
    """A key id per line for (release, coverage note, code, modifiers, POS, locality, ZIP,
    usable), the release, note and usable flag of each key, and the key columns as a small
    frame (their per-key codes in ``attrs["codes"]``).

    The key is a mixed-radix integer, made dense whenever its range grows large; the
    per-key values are decoded from the dense key values (no gather from the lines).
    """
    n_note = len(s.note_uniq)
    key = s.rel_idx.astype("int64")
    if n_note > 1:  # the coverage note (per date of service) is part of the key
        key = key * n_note + s.note_idx
    parts: dict[str, tuple[np.ndarray | None, np.ndarray]] = {}
    steps: list[tuple[str, int] | np.ndarray] = []  # (column, radix) or the dense key values
    for col in ("hcpcs", "modifiers", "pos", "locality", "zip"):
        if col not in s.encoded:
            continue  # not in the log, or (locality, ZIP) blank on every line
        codes, labels = s.encoded[col].result()
        size = len(labels)
        parts[col] = (None, labels)
        if size > 1:
            if (int(key.max(initial=0)) + 1) * (size + 1) * 2 > _KEY_RANGE:
                key, values = _dense_values(key)  # keep the range small: lookup tables in cache
                steps.append(values)
            key = key * (size + 1) + codes
            steps.append((col, size + 1))
    key_idx, vals = _dense_values(key * 2 + s.usable)
    nkeys = len(vals)
    kv = KeyValues(usable=(vals & 1).astype(bool))
    vals = vals >> 1
    per_key: dict[str, np.ndarray] = {}
    for step in reversed(steps):
        if isinstance(step, tuple):
            vals, per_key[step[0]] = np.divmod(vals, step[1])
        else:
            vals = step[vals]
    kv.rel_idx, kv.note_idx = (
        np.divmod(vals, n_note) if n_note > 1 else (vals, np.zeros(nkeys, dtype="int64"))
    )
    keys = pd.DataFrame(index=pd.RangeIndex(nkeys))
    keys.attrs["codes"] = {
        col: (per_key.get(col, np.zeros(nkeys, dtype="int64")), labels)
        for col, (_, labels) in parts.items()
    }
    return key_idx, kv, keys


def _encode_columns(lines: pd.DataFrame) -> dict[str, Future]:
    """(codes, labels) of the text columns that key the pricing, and of ``provider_id``,
    as futures (``.result()``).

    Each column is hashed once. Hashing a text column is the costliest step of pricing and
    pyarrow does it without holding the GIL, so large logs hash two columns at a time, in
    the background while the engine goes on.
    """

    def pos_codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        codes, size = _small_codes(col)
        if size == 101:
            return codes, np.array([f"{i:02d}" for i in range(100)] + [""], dtype=object)
        codes, labels = pd.factorize(col, use_na_sentinel=False)  # POS not two digits
        return codes, np.asarray(labels, dtype=object)

    def text_codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        codes, labels = pd.factorize(col)
        return codes, np.asarray(labels, dtype=object)

    jobs = {}
    for col in ("hcpcs", "modifiers", "pos", "provider_id", "locality", "zip"):
        if col not in lines:
            continue
        if col in ("locality", "zip") and _all_blank(lines[col]):
            continue  # the usual case: no per-line locality or ZIP column
        jobs[col] = (pos_codes if col == "pos" else text_codes, _text(lines[col]))
    if len(lines) < _THREADED_LINES or (os.cpu_count() or 1) < 2:
        done: dict[str, Future] = {}
        for col, (fn, arg) in jobs.items():
            done[col] = Future()
            done[col].set_result(fn(arg))
        return done
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="rvubench-hash")
    try:
        return {col: pool.submit(fn, arg) for col, (fn, arg) in jobs.items()}
    finally:
        pool.shutdown(wait=False)  # the workers finish the jobs, then exit


# Logs of at least this many lines hash their text columns on two threads.
_THREADED_LINES = 200_000


def _patient_or_encounter(lines: pd.DataFrame) -> tuple[np.ndarray, int] | None:
    """Per line, the id of its hashed patient key, else of its hashed encounter key
    (ingest), numbered in order of first appearance (``pd.factorize`` of those texts), and
    the number of ids; None when neither column holds a key.

    Without either, ``PricingSettings.without_ids`` decides (see :func:`_line_status`).
    Arrow-backed columns are chosen and encoded by pyarrow (the texts never become a
    million Python strings: ~0.3 s on 1,000,000 lines); others take the same rule in numpy.
    """
    import pyarrow.compute as pc

    arrays, texts = [], []
    for col in ("encounter_key", "patient_key"):  # patient wins where both are present
        if col in lines.columns:
            t = _text(lines[col])
            arr = _arrow_text(t)
            if arr is None:
                texts.append(t.to_numpy())
            elif pc.max(pc.binary_length(arr)).as_py():  # not all ""
                arrays.append(arr)
    if texts or not arrays:
        return _ids_of_texts(lines)
    keys = arrays[0]
    for arr in arrays[1:]:
        keys = pc.if_else(pc.not_equal(arr, ""), arr, keys)
    enc = pc.dictionary_encode(keys)
    return enc.indices.to_numpy().astype("int64"), len(enc.dictionary)


def _ids_of_texts(lines: pd.DataFrame) -> tuple[np.ndarray, int] | None:
    """:func:`_patient_or_encounter` on numpy texts (columns not backed by Arrow)."""
    keys = None
    for col in ("encounter_key", "patient_key"):
        if col in lines.columns:
            v = _text(lines[col]).to_numpy()
            if (v != "").any():
                keys = v if keys is None else np.where(v != "", v, keys)
    if keys is None:
        return None
    codes, uniques = pd.factorize(keys)
    return codes.astype("int64"), len(uniques)


def _key_codes(codes: np.ndarray, labels) -> tuple[np.ndarray, np.ndarray]:
    """(categorical code of each ``labels[codes]`` in its final small integer type, the
    distinct labels): labels may repeat (e.g. "" twice), they are made distinct first."""
    remap, uniq = pd.factorize(np.asarray(labels, dtype=object))
    size = len(uniq)
    kind = "int8" if size < 127 else "int16" if size < 32767 else "int32"
    return remap[np.asarray(codes)].astype(kind), uniq


def _categorical(codes: np.ndarray, labels, take: np.ndarray) -> pd.Series:
    """A categorical Series of ``labels[codes[take]]`` (``codes`` are small per-key codes,
    so each line costs one take)."""
    final, uniq = _key_codes(codes, labels)
    return pd.Series(
        pd.Categorical.from_codes(  # type: ignore[call-overload]  # as above
            final[take], uniq, validate=False
        )
    )


def _sorted_ids(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(x, return_inverse=True)``; a lookup table for small non-negative ints."""
    x = np.asarray(x, dtype="int64")
    if len(x) and int(x.min()) >= 0 and int(x.max()) < 16_000_000:
        ids, uniq = _dense_values(x)
        return uniq, ids
    return np.unique(x, return_inverse=True)
