"""Atomic file writes and file names made safe from provider names.

A report is written to a temporary file in the target folder and renamed over the target
with :func:`os.replace`, so a reader never sees a half-written PDF or workbook and a failed
run leaves the previous file in place.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from rvubench.errors import OutputError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}


OUTPUT_MODE = 0o644
_PART_RE = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.part$")


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it over ``target``.

    The one writer for every output file (priced CSV, exceptions CSV, PDF, workbooks):

    - the target must be a regular file or not exist yet: a device, FIFO, socket or folder
      is refused (``-o /dev/null`` must not replace the device with a file);
    - the result has mode 0644 whatever the umask;
    - ``.part`` files an interrupted run (a process that no longer exists) left for the
      same target are removed;
    - a folder that cannot be written, a full disk or any other OS error becomes an
      :class:`~rvubench.errors.OutputError` naming the file (exit 2), never a traceback.

    The temporary file is removed if the block raises. The folder is created if needed.
    """
    target = Path(target)
    _check_target(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_parts(target)
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OUTPUT_MODE)
        os.close(fd)
        os.chmod(tmp, OUTPUT_MODE)
    except OSError as exc:
        raise _output_error(target, exc) from None
    try:
        yield tmp
        _check_target(target)  # the target may have been swapped while writing
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise _output_error(target, exc) from None
        raise


def _check_target(target: Path) -> None:
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _output_error(target, exc) from None
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"cannot write {target}: it is a folder; give a file name")
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(
            f"cannot write {target}: it is not a regular file (a device, pipe or socket); "
            "give a file name"
        )


def _output_error(target: Path, exc: OSError) -> OutputError:
    why = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        why = "no space left on the device"
    return OutputError(f"cannot write {target}: {why}")


def _remove_stale_parts(target: Path) -> None:
    """Delete ``.<name>.<pid>.<hex>.part`` files for ``target`` whose process is gone."""
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for e in entries:
        m = _PART_RE.match(e.name)
        if not m or m["name"] != target.name or _alive(int(m["pid"])):
            continue
        with contextlib.suppress(OSError):
            os.unlink(e.path)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


LOCK_NAME = ".rvubench.lock"


@contextlib.contextmanager
def folder_lock(folder: Path, what: str = "rvubench") -> Iterator[Path]:
    """Hold an exclusive lock on ``folder`` (created if needed) while the block runs.

    Two runs writing one folder would mix their files (two periods in one department
    workbook); the second is refused with an :class:`~rvubench.errors.OutputError` naming
    the run that holds the folder. The lock is an ``flock`` on ``folder/.rvubench.lock``:
    the system drops it when the holder exits, even on ``kill -9``.
    """
    import fcntl

    lock_path = Path(folder) / LOCK_NAME
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, OUTPUT_MODE)
    except OSError as exc:
        raise _output_error(lock_path, exc) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another run"
            raise OutputError(
                f"{folder} is being written by {holder}; wait for it to finish or choose "
                "another output folder"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{what} (pid {os.getpid()})".encode(), 0)
        yield lock_path
    finally:
        os.close(fd)  # releases the lock


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
