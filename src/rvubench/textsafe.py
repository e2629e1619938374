"""Text that is safe to keep, to write into a CSV and to print on a terminal.

Three rules, each applied at one place:

- **Control characters are removed where text enters** (:func:`clean_control_array`, used by
  ingest on every cell it keeps and on header cells). C0 controls (NUL..US except tab, line
  feed and carriage return), DEL and the C1 range (U+0080..U+009F) are deleted; tab, line
  feed and carriage return become a space. No writer (CSV, workbook, PDF, terminal) ever
  sees one, and the run says how many cells were cleaned.
- **Formula-like text is neutralized in CSV outputs** (:func:`neutralize_formula`). A cell
  that a spreadsheet would run as a formula or a DDE command, i.e. whose first character
  after any leading spaces or control characters is ``=``, ``+``, ``-``, ``@``, or that
  starts with a tab or carriage return, gets a leading apostrophe ``'`` (the OWASP CSV
  injection rule; the workbook writer stores the same cells as text). Numbers such as
  ``-1.5`` are left alone.
- **Terminal output escapes control sequences** (:func:`escape_terminal`): anything below
  U+0020 or in U+007F..U+009F is printed as ``\\xNN`` so an id cannot move the cursor,
  recolour the terminal or set its title.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

# RE2 (pyarrow) and Python agree on these classes.
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_SPACE = r"[\t\r\n]"
_ANY = r"[\x00-\x1f\x7f-\x9f]"
_ANY_RE = re.compile(_ANY)
# ASCII classes only, so Python's re and pyarrow's RE2 read them alike
_FORMULA_RE = re.compile(r"^(?:[\t\r]|[ \x00-\x1f]*[=+\-@])")
# the first bytes a formula can start with (see _may_be_formula)
_FORMULA_FIRST_BYTES = bytes(range(0x21)) + b"=+-@"
_NUMBER_RE = re.compile(r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


def clean_control_array(arr: pa.Array | pa.ChunkedArray) -> tuple[pa.Array | pa.ChunkedArray, int]:
    """Return ``arr`` with control characters removed (tab/CR/LF as a space) and the number
    of cells that changed; ``arr`` itself when none had one (no copy)."""
    import pyarrow.compute as pc

    if not _may_hold_control(arr):
        return arr, 0
    hit = pc.match_substring_regex(arr, _ANY)
    n = pc.sum(hit).as_py() or 0
    if not n:
        return arr, 0
    out = pc.replace_substring_regex(arr, _CONTROL, "")
    out = pc.replace_substring_regex(out, _SPACE, " ")
    return out, int(n)


def clean_control(text: str) -> str:
    """The same rule for one string."""
    if not _ANY_RE.search(text):
        return text
    return re.sub(_SPACE, " ", re.sub(_CONTROL, "", text))


def neutralize_formula(text: object) -> object:
    """Prefix ``'`` to text a spreadsheet would evaluate; other values pass unchanged."""
    if isinstance(text, str) and text and _FORMULA_RE.match(text) and not _NUMBER_RE.match(text):
        return "'" + text
    return text


def neutralize_formulas(frame, columns=None):
    """Apply :func:`neutralize_formula` to the text (object/string) columns of a DataFrame,
    in place, and return it. ``columns`` limits the columns looked at."""
    cols = columns if columns is not None else list(frame.columns)
    for c in (c for c in cols if c in frame.columns):
        s = frame[c]
        if s.dtype != object and str(s.dtype) not in ("string", "str"):
            continue
        text = s.astype(str)
        risky = text.str.match(_FORMULA_RE.pattern, na=False)
        if risky.any():
            frame[c] = s.where(~risky, s.map(neutralize_formula))
    return frame


def neutralize_formula_array(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """:func:`neutralize_formula` on a pyarrow string array (for an Arrow CSV writer);
    returns ``arr`` itself when no cell needs it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not _may_be_formula(arr):
        return arr
    risky = pc.and_(pc.match_substring_regex(arr, _FORMULA_RE.pattern),
                    pc.invert(pc.match_substring_regex(arr, _NUMBER_RE.pattern)))  # fmt: skip
    if not pc.any(risky).as_py():
        return arr
    quoted = pc.binary_join_element_wise(pa.scalar("'", arr.type), arr, pa.scalar("", arr.type))
    return pc.if_else(pc.fill_null(risky, False), quoted, arr)


def _string_buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """A (large) string array's offsets (``len(chunk) + 1`` of them, from the array's own
    start) and its whole data buffer as bytes; None for any other type. An array without a
    data buffer (all values empty or missing) gives empty bytes."""
    import numpy as np
    import pyarrow as pa

    if chunk.type == pa.string():
        width: type = np.int32
    elif chunk.type == pa.large_string():
        width = np.int64
    else:
        return None
    offsets_buf, data_buf = chunk.buffers()[1], chunk.buffers()[2]
    if offsets_buf is None or data_buf is None:
        return np.zeros(len(chunk) + 1, dtype=width), np.zeros(0, dtype=np.uint8)
    offsets: np.ndarray = np.frombuffer(offsets_buf, dtype=width)
    return offsets[chunk.offset : chunk.offset + len(chunk) + 1], np.frombuffer(
        data_buf, dtype=np.uint8
    )


def _chunks(arr: pa.Array | pa.ChunkedArray) -> list[pa.Array]:
    import pyarrow as pa

    return list(arr.chunks) if isinstance(arr, pa.ChunkedArray) else [arr]


def _may_hold_control(arr: pa.Array | pa.ChunkedArray) -> bool:
    """False when no value of ``arr`` can hold a character of :data:`_ANY`, read from the
    bytes of its values (no regex run).

    Why: ingest cleans every kept column of every log, and the regex costs about 70 ms per
    1,000,000-line column while a byte scan costs a few. In UTF-8, U+0000..U+001F and
    U+007F are those bytes themselves and U+0080..U+009F are ``C2 80``..``C2 9F``, so a
    value without a byte below 0x20, 0x7F or 0xC2 holds none; any such byte (or a type
    other than (large) string) sends the array to the regex as before.
    """
    for chunk in _chunks(arr):
        got = _string_buffers(chunk)
        if got is None:
            return True
        offsets, data = got
        if len(chunk) == 0:
            continue
        raw = data[int(offsets[0]) : int(offsets[-1])]
        if (raw < 0x20).any() or (raw == 0x7F).any() or (raw == 0xC2).any():
            return True
    return False


def _may_be_formula(arr: pa.Array | pa.ChunkedArray) -> bool:
    """False when no value of ``arr`` can match :data:`_FORMULA_RE`, read from the first
    byte of each value (a gather on Arrow's buffers, no regex run).

    Why: the two regex passes cost about 0.2 s per 1,000,000-line column and the priced
    CSV has eight such columns, while a formula needs its first byte to be one of
    ``=+-@``, a space or a control character (after leading spaces and controls comes
    ``=+-@``; tab and CR are controls). Any such first byte, or a type other than
    (large) string, sends the array to the regex test as before, so the answer never
    changes, only how fast a plain column is passed.
    """
    import numpy as np

    table = np.zeros(256, dtype=bool)
    table[list(_FORMULA_FIRST_BYTES)] = True
    for chunk in _chunks(arr):
        got = _string_buffers(chunk)
        if got is None:
            return True
        offsets, data = got
        starts = offsets[:-1][offsets[1:] > offsets[:-1]]  # the non-empty values
        if table[data[starts]].any():
            return True
    return False


def escape_terminal(text: object) -> str:
    """``text`` with control characters shown as ``\\xNN`` (safe to print on a terminal)."""
    s = str(text)
    if not _ANY_RE.search(s):
        return s
    return _ANY_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", s)
