"""One text decoder and one delimiter sniffer for every reader (logs, rosters, benchmark
tables, CMS files).

Decoding order, tried on the bytes as exported:

1. a UTF-16 byte-order mark (Excel "Unicode text") -> UTF-16, strictly: a damaged file is
   refused in words, not read as mojibake;
2. a UTF-8 byte-order mark is dropped, then UTF-8 (what most systems export today);
3. Windows-1252 (what Excel "CSV" writes on US Windows);
4. latin-1, the defined last resort: it maps every byte to a character, so a file that is
   neither UTF-8 nor cp1252 (cp1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined) is
   still read, and the caller says "read as latin-1" instead of failing.

``encoding`` in the result tells the caller which step succeeded, so it can warn that a
file was not UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from rvubench.errors import InputFileError

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
EXCEL_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # XLSX (zip), old XLS (OLE2)
DELIMITERS = (",", "\t", ";", "|")
FALLBACKS = ("utf-8", "cp1252", "latin-1")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-16", "utf-8", "cp1252" or "latin-1"

    @property
    def is_utf8(self) -> bool:
        return self.encoding == "utf-8"


def strip_bom(data: bytes) -> bytes:
    """The bytes without a leading UTF-8 byte-order mark."""
    return data[3:] if data.startswith(UTF8_BOM) else data


def is_binary(data: bytes, probe: int = 65536) -> bool:
    """True for bytes that are not text: NUL bytes without a UTF-16 byte-order mark."""
    return b"\x00" in data[:probe] and not data.startswith(UTF16_BOMS)


def decode_bytes(data: bytes, name: str, *, prefix: bool = False,
                 error: type[InputFileError] = InputFileError) -> Decoded:  # fmt: skip
    """Decode a whole file (or, with ``prefix=True``, its first block) as text.

    ``prefix``: the bytes are the start of a larger file, so a UTF-8 character cut at the end
    of the block is not a reason to leave UTF-8, and damaged UTF-16 is decoded with
    replacement characters (the header sniffing only needs the first rows).
    ``error``: the exception class raised for damaged UTF-16 (a reader's own subclass).
    """
    if data.startswith(UTF16_BOMS):
        if prefix:
            return Decoded(data.decode("utf-16", errors="replace"), "utf-16")
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as exc:
            raise error(
                f"{name} is damaged: not valid UTF-16 text at byte {exc.start} ({exc.reason}); "
                "is the file truncated?"
            ) from None
    body = strip_bom(data)
    try:
        return Decoded(body.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        if prefix and exc.start > len(body) - 4:  # a character cut by the block end
            return Decoded(body[: exc.start].decode("utf-8"), "utf-8")
    try:
        return Decoded(body.decode("cp1252"), "cp1252")
    except UnicodeDecodeError:
        return Decoded(body.decode("latin-1"), "latin-1")


def not_utf8_note(name: str, decoded: Decoded) -> str | None:
    """The warning a reader gives when a file was not UTF-8 (None when it was)."""
    if decoded.encoding in ("utf-8", "utf-16"):
        return None
    return f"{name}: read as {decoded.encoding} (not UTF-8)"


def sniff_delimiter(text: str, candidates: Sequence[str] = DELIMITERS,
                    score=None) -> str:  # fmt: skip
    """The delimiter that splits the first non-blank, non-comment line into most cells.

    ``score(rows) -> int`` (optional) ranks candidates by a reader's own test (e.g. how many
    known headers the parse finds); ties and zero scores fall back to the cell count.
    """
    lines = [ln for ln in text.splitlines()[:50] if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return candidates[0]
    best, best_key = candidates[0], None
    for d in candidates:
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=d))
        key = (score(rows) if score else 0, max((len(r) for r in rows), default=0))
        if best_key is None or key > best_key:
            best, best_key = d, key
    return best
