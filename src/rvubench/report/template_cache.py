"""Compiled report templates kept between runs (a jinja2 bytecode cache on disk).

Compiling the report's templates (jinja2 source -> Python code) cost ~0.1 s of every
``rvubench report`` run, more than rendering them; a batch worker paid it once, a single
report every time. The compiled code is kept in the user's cache folder,
``$XDG_CACHE_HOME/rvubench/templates`` (``~/.cache/rvubench/templates`` when unset), the
way Python keeps ``__pycache__``.

What keeps it correct and safe:

- jinja2 hands each template's source checksum to the cache: an entry whose checksum
  differs (an edited bundled template, a ``--templates`` folder's own files) is recompiled
  and replaced. The key is the template's name and absolute file name, so two folders never
  share an entry, salted with the Python bytecode magic and the jinja2 and rvubench versions
  and the environment class (the sandbox compiles attribute access differently).
- Loading an entry runs its code, so the folder must be the user's own: created 0700, used
  only when owned by the current user and not writable by group or others; otherwise no
  cache. Entries are written to a temporary file and renamed into place, so a reader never
  sees half an entry (batch workers may write at once).
- Every failure (read-only home, full disk, a damaged entry) means "no cache": the template
  is compiled as before. The report never fails because of the cache.
"""

from __future__ import annotations

import contextlib
import importlib.util
import marshal
import os
import stat
import tempfile
from hashlib import sha1
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from rvubench import __version__

#: entries above this size are not read (a report template compiles to a few kB)
MAX_ENTRY_BYTES = 4 << 20


def cache_dir() -> Path | None:
    """The folder for compiled templates: ``$XDG_CACHE_HOME/rvubench/templates`` (an
    absolute XDG_CACHE_HOME only, as the XDG spec says), else ``~/.cache/rvubench/templates``;
    None when neither names a folder (no home directory)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    try:
        root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    except (RuntimeError, KeyError):  # no HOME and no passwd entry
        return None
    return root / "rvubench" / "templates"


def _private_folder(folder: Path) -> bool:
    """Create ``folder`` (0700) if missing; True when it is a folder of the current user that
    no one else may write to."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
    except (OSError, RuntimeError):  # RuntimeError: Path.home() without a home
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


class TemplateBytecodeCache(jinja2.BytecodeCache):
    """One file per template in ``folder``: a header naming the format and the template's
    source checksum, then the marshalled code. Fails silently to "not cached"."""

    def __init__(self, folder: Path, salt: str) -> None:
        self.folder = folder
        self.salt = salt
        self.magic = b"rvubench-j2\0" + importlib.util.MAGIC_NUMBER

    def get_cache_key(self, name: str, filename: str | None = None) -> str:  # noqa: D102
        return sha1(f"{self.salt}|{name}|{filename}".encode()).hexdigest()

    def _path(self, bucket: Bucket) -> Path:
        return self.folder / f"{bucket.key}.j2c"

    def _header(self, bucket: Bucket) -> bytes:
        return self.magic + bucket.checksum.encode("ascii") + b"\n"

    def load_bytecode(self, bucket: Bucket) -> None:  # noqa: D102 - jinja2 API
        try:
            with open(self._path(bucket), "rb") as fh:
                data = fh.read(MAX_ENTRY_BYTES + 1)
            header = self._header(bucket)
            if len(data) > MAX_ENTRY_BYTES or not data.startswith(header):
                return  # missing, stale (source changed) or not ours: compile
            bucket.code = marshal.loads(data[len(header) :])
        except (OSError, EOFError, ValueError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:  # noqa: D102 - jinja2 API
        if bucket.code is None:
            return
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(self._header(bucket) + marshal.dumps(bucket.code))
            os.replace(tmp, self._path(bucket))
            tmp = None
        except (OSError, ValueError):
            pass  # read-only or full: the next run compiles again
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


def environment_salt(env: jinja2.Environment) -> str:
    """What the compiled code depends on besides the source: the environment's class (the
    sandbox compiles attribute access differently), its compile options and filter names
    (an unknown filter is a compile-time error), and the jinja2 and rvubench versions."""
    cls = type(env)
    return "|".join(
        (
            __version__,
            jinja2.__version__,
            f"{cls.__module__}.{cls.__qualname__}",
            f"autoescape={env.autoescape!r}",
            f"undefined={env.undefined.__qualname__}",
            f"trim={env.trim_blocks},lstrip={env.lstrip_blocks},newline={env.newline_sequence!r}",
            "filters=" + ",".join(sorted(env.filters)),
            "tests=" + ",".join(sorted(env.tests)),
        )
    )


def bytecode_cache(env: jinja2.Environment, folder: Path) -> TemplateBytecodeCache | None:
    """The cache for ``env``'s templates in ``folder`` (:func:`cache_dir`), or None when that
    folder cannot be made private (then templates compile on every run, as without one)."""
    if not _private_folder(folder):
        return None
    return TemplateBytecodeCache(folder, environment_salt(env))
