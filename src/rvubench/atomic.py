"""Atomic file writes and file names made safe from provider names.

A report is written to a temporary file in the target folder and renamed over the target
with :func:`os.replace`, so a reader never sees a half-written PDF or workbook and a failed
run leaves the previous file in place.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it over ``target``.

    The temporary file is removed if the block raises. The folder is created if needed.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    with open(tmp, "xb"):  # created with the user's umask, unlike mkstemp's 0600
        pass
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_bytes_atomic(target: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically and return the target path."""
    target = Path(target)
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return target


def safe_filename(name: str, default: str = "report", max_length: int = 80) -> str:
    """Turn a provider id or name into a file stem safe on every common file system.

    Accents are folded to ASCII, anything other than letters, digits, ``.``, ``_`` and ``-``
    becomes ``_``, leading dots and separators are dropped (no hidden files, no ``..``),
    Windows device names get a ``_`` suffix, and an empty result becomes ``default``.

    Examples:
        >>> safe_filename("Dr. Ana Núñez / IR")
        'Dr_Ana_Nunez_IR'
        >>> safe_filename("../../etc/passwd")
        'etc_passwd'
    """
    folded = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE.sub("_", folded)
    stem = re.sub(r"[._-]*[_][._-]*", "_", stem)  # one separator where several met
    stem = stem.strip("._-")[:max_length].strip("._-")
    if not stem:
        return default
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"{stem}_"
    return stem
