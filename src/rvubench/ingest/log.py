"""Read procedure logs as users export them and lose nothing: ``read_log`` -> clean lines.

Transformations include:
    - CSV/TSV/TXT (delimiter sniffed; UTF-8, UTF-8 BOM, UTF-16 BOM, cp1252, latin-1) and
      XLSX/XLSM/XLS (first sheet with a log header, or ``sheet``), read as text;
    - header row found below title/banner rows through the alias table
      ``data/header_aliases.csv`` (plus a ``--mapping`` TOML file);
    - patient columns (name, MRN, DOB, account, member id, SSN, ...) dropped right after the
      header is found: their values never reach the result;
    - blank, total, repeated-header and footer rows set aside as ``skipped_rows``;
    - values normalized (``ingest_values``); each bad row rejected with file, row as a
      spreadsheet shows it, column and reason; exact duplicates flagged, not removed.

Speed (1M-row logs): each column is normalized once per distinct value; columns already in
normal form (5-byte codes, ISO dates, plain units, two-digit POS, modifier pairs) are
recognized from their Arrow buffers without hashing every cell (``ingest_fast``), and files
over ``THREADED_ROWS`` rows are worked on two threads. ``FAST_PATHS = False`` sends every
column through the per-distinct-value path; tests/test_ingest_fast.py checks both agree.

See docs/ARCHITECTURE.md section 2 for the contract of :class:`IngestResult`.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from rvubench.errors import DataProblem, InputFileError, MissingColumnsError, UsageProblem
from rvubench.ingest import fast as iff
from rvubench.ingest import shapes
from rvubench.ingest import values as iv
from rvubench.readers import text as rtext
from rvubench.resources import data_dir
from rvubench.textsafe import clean_control, clean_control_array
from rvubench.workbook import open_workbook

LOG_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
CANONICAL = (
    "provider_id", "provider_name", "date_of_service", "hcpcs", "modifiers", "units", "pos",
    "locality", "zip", "encounter_id", "patient_ref",
)  # fmt: skip
# Columns read only to group lines (MPPR per encounter, global periods per patient); their
# values are replaced by random keys in read_log and never leave it (see _grouping_keys).
GROUPING_COLUMNS = ("encounter_id", "patient_ref")
MODIFIER_COLUMNS = ("modifier_1", "modifier_2", "modifier_3", "modifier_4")
REQUIRED = ("hcpcs", "date_of_service")
LINE_COLUMNS = (
    "source_file", "source_row", *[c for c in CANONICAL if c not in GROUPING_COLUMNS],
    "encounter_key", "patient_key", "reject_reason", "reject_column", "reject_kind",
    "is_duplicate", "zero_reason", "line_note",
)  # fmt: skip
# order in which problems are reported when a row has several (the first one is the reason)
CHECK_ORDER = ("hcpcs", "date_of_service", "units", "modifiers", "pos", "provider_id",
               "locality", "zip", "reversal")  # fmt: skip
NEGATIVE_UNITS = "negative units"
HEADER_SCAN_ROWS = 40
DELIMITERS = (",", "\t", ";", "|")

# Patient-identifying headers (normalized: lower case, words separated by one space).
# Conservative on purpose: provider/physician names are never matched; encounter/visit ids
# are not patient identifiers by themselves and are merely ignored.
_PATIENT_RE = re.compile(
    r"\b(patient|patients|pt name|pt id|mrn|medical record|med rec|dob|birth ?date|date of birth|"
    r"birthdate|ssn|social security|acct|account|member id|member number|member no|memberid|"
    r"subscriber|insured|guarantor|policy number|policy no|phone|telephone|mobile|cell phone|"
    r"address|street|e ?mail|first name|last name|firstname|lastname|middle name|surname|"
    r"given name|family name|chart number|chart no|medicaid id|medicare id|mbi|hicn)\b"
)
_PROVIDER_WORDS_RE = re.compile(
    r"\b(provider|physician|doctor|clinician|rendering|attending|surgeon|referring|performing|"
    r"servicing|billing|supervising|practice|facility|location|clinic|department)\b"
)
_TOTAL_RE = re.compile(r"^\s*(grand\s+|sub-?\s*)?totals?\b", re.IGNORECASE)
_FOOTER_RE = re.compile(
    r"^\s*(page\s+\d+|report\s+(generated|printed|run|date)|generated\b|printed\b|run\s+date|"
    r"confidential|end\s+of\s+report|source:|\*\*\*|prepared\s+by|total\s+rows|records?:)",
    re.IGNORECASE,
)


def normalize_header(text: str) -> str:
    """Header text for matching: lower case, punctuation to spaces, single spaces."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text).lower()).split())


@cache
def header_aliases() -> dict[str, tuple[str, int]]:
    """The alias table ``data/header_aliases.csv``: normalized header -> (canonical, priority)."""
    table: dict[str, tuple[str, int]] = {}
    with (data_dir() / "header_aliases.csv").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            table[normalize_header(row["alias"])] = (row["canonical"], int(row["priority"]))
    return table


def aliases_for(canonical: str) -> list[str]:
    """Known header spellings for a canonical column (for messages)."""
    return [a for a, (c, _p) in header_aliases().items() if c == canonical]


_PATIENT_KEY_PATTERNS = (  # best first: the column whose hash groups a patient's lines
    r"mrn|medical record( number| no| num)?|med rec( number| no)?",
    r"patient id|patient number|patient no|pt id|patient identifier",
    r"chart number|chart no|chart id",
    r"patient account( number| no)?|account number|account no|acct number|acct no|account|acct",
)


def _patient_key_priority(normalized: str) -> int | None:
    for prio, pattern in enumerate(_PATIENT_KEY_PATTERNS):
        if re.fullmatch(f"(patient |pt )?({pattern})( #| number)?", normalized):
            return prio
    return None


def is_patient_header(header: str) -> bool:
    """True for a header that names a patient-identifying column (conservative)."""
    h = normalize_header(header)
    if not h or _PROVIDER_WORDS_RE.search(h):
        return False
    if h in ("name", "full name", "pt", "member", "id number"):
        return True
    return bool(_PATIENT_RE.search(h))


# --------------------------------------------------------------------------- results
@dataclass
class IngestResult:
    """What ``read_log`` found. ``lines`` follows docs/ARCHITECTURE.md section 2.

    Extra column (contract extension): ``reject_kind``, the reason without row and value
    (e.g. ``"date_of_service: not a date"``), for grouping rejections by reason.
    """

    lines: pd.DataFrame
    rows_read: int
    rows_rejected: int
    columns_used: dict[str, str]
    columns_dropped: list[str]
    columns_ignored: list[str]
    skipped_rows: list[tuple[str, int, str]]
    warnings: list[str]
    files: list[str]
    net_reversals: bool = False
    sheets: dict[str, str] = field(default_factory=dict)
    """Workbook files -> the worksheet read from each (the first visible sheet with a log
    header, or the one named with ``sheet``); text files are not listed."""
    unused_columns: list[str] = field(default_factory=list)
    """Warnings (also in ``warnings``) for columns that look like a modifier, units,
    provider, place of service, encounter or patient field but are not used."""
    grouped_by: dict[str, str] = field(default_factory=dict)
    """Dropped columns whose values were hashed to group lines: ``{"patient": "MRN",
    "encounter": "Encounter ID"}`` (the values themselves are never kept)."""

    def sheet_lines(self) -> list[str]:
        """One line per workbook read, naming the worksheet used."""
        return [f"sheet read: {Path(f).name} [{s}]" for f, s in self.sheets.items()]

    @property
    def rows_usable(self) -> int:
        """Rows that pricing will consider (not rejected)."""
        return self.rows_read - self.rows_rejected

    @property
    def duplicates(self) -> int:
        """Usable rows that exactly repeat an earlier usable row."""
        return int(self.lines["is_duplicate"].sum()) if len(self.lines) else 0


def require_data_rows(result: IngestResult, source: str) -> None:
    """Stop a run on a log with no data rows (only a header, or only titles and blanks).

    ``read_log`` itself returns an empty frame for such a file; ``validate``, ``price``,
    ``report`` and ``batch`` call this so a log with nothing in it is a data problem (exit 1)
    instead of a silent success that writes empty outputs.

    Raises:
        DataProblem: ``result`` holds no rows.
    """
    if result.rows_read == 0:
        raise DataProblem(
            f"{source}: no data rows (the log has a header but no lines); nothing was written"
        )


@dataclass
class Mapping:
    """A user's ``--mapping`` TOML: header names per canonical column, and options.

    Format::

        [columns]
        hcpcs = "Proc Cd"
        date_of_service = "Svc Dt"
        modifiers = ["Mod A", "Mod B"]     # several columns are read in order
        [options]
        date_format = "%d/%m/%Y"           # strptime syntax, tried first
    """

    columns: dict[str, list[str]] = field(default_factory=dict)
    date_format: str | None = None
    source: str = ""

    @classmethod
    def load(cls, path: Path) -> Mapping:
        """Read and check a mapping file; errors name the file and the bad key."""
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFileError(f"cannot read mapping file {path}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise InputFileError(f"mapping file {path} is not valid TOML: {exc}") from None
        except RecursionError:
            raise InputFileError(
                f"mapping file {path} is nested too deeply to be a mapping"
            ) from None
        cols = data.get("columns", {k: v for k, v in data.items() if k != "options"})
        opts = data.get("options", {})
        for what, table in (("[columns]", cols), ("[options]", opts)):
            if not isinstance(table, dict):
                raise UsageProblem(f"mapping file {path}: {what} must be a table of key = value")
        valid = (*CANONICAL, *MODIFIER_COLUMNS, "transaction_type")
        out: dict[str, list[str]] = {}
        for key, value in cols.items():
            if key not in valid:
                raise UsageProblem(
                    f"mapping file {path}: {key!r} is not an rvubench column; use one of "
                    f"{', '.join(valid)}"
                )
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise UsageProblem(
                    f"mapping file {path}: {key} must be a header name or a list of names"
                )
            if len(names) > 1 and key not in ("modifiers", *MODIFIER_COLUMNS):
                raise UsageProblem(
                    f"mapping file {path}: {key} names several columns ("
                    f"{', '.join(repr(n) for n in names)}); a line has one {key}, so name one "
                    "column (only modifiers may list several)"
                )
            out[key] = names
        date_format = opts.get("date_format")
        if date_format is not None and not isinstance(date_format, str):
            raise UsageProblem(f"mapping file {path}: options.date_format must be text")
        if date_format is not None:
            _check_date_format(path, date_format)
        return cls(columns=out, date_format=date_format, source=str(path))


def _check_date_format(path: Path, fmt: str) -> None:
    """A date_format must write and read back a date (31 Dec 2026) with day, month and year;
    the message names the format only, never a cell value."""
    from datetime import date, datetime

    probe = date(2026, 12, 31)
    try:
        ok = datetime.strptime(probe.strftime(fmt), fmt).date() == probe
    except (ValueError, TypeError, OverflowError):
        ok = False
    if not ok:
        raise UsageProblem(
            f"mapping file {path}: options.date_format {fmt!r} is not a date format that reads "
            'day, month and year (strptime syntax, e.g. "%d/%m/%Y")'
        )


# --------------------------------------------------------------------------- raw tables
@dataclass
class _Raw:
    """One file's data region, every cell as text, before any interpretation."""

    file: str
    name: str
    header: list[str]
    header_row: int  # spreadsheet row number of the header
    columns: list[pa.Array]  # one string array per header cell (chunked as pyarrow read it)
    rows: np.ndarray  # spreadsheet row number per data row (int64)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sheet: str = ""  # the worksheet read ("" for text files)


_HASHED_ONLY = ("patient_ref", "encounter_id")  # read only as a random key, never output


def _refuse_patient_mapping(cell: str, canon: str, mapping: Mapping | None) -> None:
    if canon not in _HASHED_ONLY and is_patient_header(cell):
        source = Path(mapping.source).name if mapping and mapping.source else "mapping file"
        raise UsageProblem(
            f"the mapping ({source}) reads the patient column {cell!r} as {canon}; patient "
            "columns are dropped and never read into a report (only patient_ref or "
            f"encounter_id, which are hashed, may name one). Map {canon} to another column."
        )


class _Roles:
    """Which header cell plays which canonical role, for one file.

    A patient column (``is_patient_header``) is never read as a provider, date, code or any
    other output column, even when a ``--mapping`` names it: that is an error naming it."""

    def __init__(self, header: list[str], mapping: Mapping | None):
        self.header = header
        self.index: dict[str, int] = {}
        self.modifier_cols: list[int] = []
        self.dropped: list[str] = []
        self.ignored: list[str] = []
        explicit = _explicit_roles(mapping)
        best: dict[str, tuple[int, int]] = {}  # canonical -> (priority, index)
        mods: dict[str, list[int]] = {}
        patient: tuple[int, int] | None = None  # (priority, index) of a patient-id column
        aliases = header_aliases()
        for i, cell in enumerate(header):
            key = normalize_header(cell)
            if not key:
                continue
            canon, prio = _header_role(cell, key, explicit, aliases, mapping)
            kp = _patient_rank(canon, prio, cell)
            if kp is not None:  # patient data: dropped; the best id column groups lines
                self.dropped.append(cell)
                if kp >= 0 and (patient is None or kp < patient[0]):
                    patient = (kp, i)
                continue
            if canon is None:
                self.ignored.append(cell)
                continue
            if canon in MODIFIER_COLUMNS or (canon == "modifiers" and prio == -1):
                mods.setdefault(canon, []).append(i)
                continue
            self._keep_best(best, canon, prio, i)
        self.index = {c: i for c, (_p, i) in best.items()}
        if patient is not None and "patient_ref" not in self.index:
            self.index["patient_ref"] = patient[1]  # read, hashed, never output
        self._resolve_modifiers(mods)
        if "provider_id" not in self.index and "provider_name" in self.index:
            self.index["provider_id"] = self.index["provider_name"]  # a name is the id

    def _keep_best(self, best: dict[str, tuple[int, int]], canon: str, prio: int, i: int) -> None:
        """Column ``i`` plays ``canon`` unless an earlier column of better (lower) or equal
        priority already does; the column that loses is listed as ignored."""
        if canon in best and best[canon][0] <= prio:
            self.ignored.append(self.header[i])
            return
        if canon in best:
            self.ignored.append(self.header[best[canon][1]])
        best[canon] = (prio, i)

    def _resolve_modifiers(self, mods: dict[str, list[int]]) -> None:
        """One "Modifiers" column, or "Modifier 1..4" (after it, when both exist)."""
        explicit_mods = mods.pop("modifiers", [])
        numbered = [i for c in MODIFIER_COLUMNS for i in mods.get(c, [])]
        cols = explicit_mods + numbered
        if "modifiers" in self.index and not explicit_mods:
            cols = [self.index.pop("modifiers"), *numbered]
        self.modifier_cols = cols

    @property
    def found(self) -> set[str]:
        return set(self.index) | ({"modifiers"} if self.modifier_cols else set())

    def used(self) -> dict[str, str]:
        out = {c: self.header[i] for c, i in self.index.items() if c != "patient_ref"}
        if self.modifier_cols:
            out["modifiers"] = " + ".join(self.header[i] for i in self.modifier_cols)
        return out


def _explicit_roles(mapping: Mapping | None) -> dict[str, str]:
    """normalized header -> canonical role, from a ``--mapping`` file's columns."""
    explicit: dict[str, str] = {}
    if mapping:
        for mapped, names in mapping.columns.items():
            for name in names:
                explicit[normalize_header(name)] = mapped
    return explicit


def _header_role(
    cell: str,
    key: str,
    explicit: dict[str, str],
    aliases: dict[str, tuple[str, int]],
    mapping: Mapping | None,
) -> tuple[str | None, int]:
    """(canonical role or None, priority) of one header cell: a mapping's role first
    (priority -1; a patient column named by it is refused), then an alias, then a pattern."""
    role = explicit.get(key)
    if role:
        _refuse_patient_mapping(cell, role, mapping)
        return role, -1
    return aliases.get(key) or _pattern_role(key)


def _patient_rank(canon: str | None, prio: int, cell: str) -> int | None:
    """None: not patient data; else the rank of a patient-id column to group lines by
    (lower is better; -1: patient data that is not an id). A mapping's explicit
    patient_ref (prio -1) is read like any other column."""
    if canon is None:
        if not is_patient_header(cell):
            return None
        kp = _patient_key_priority(normalize_header(cell))
        return -1 if kp is None else kp
    if canon == "patient_data" or (canon == "patient_ref" and prio >= 0):
        return prio - 1 if canon == "patient_ref" else -1
    return None


def _pattern_role(key: str) -> tuple[str | None, int]:
    """Roles matched by a pattern, not a fixed alias: Epic's *_PROV_NAME (the rendering one)."""
    if key.endswith(" prov name") and not re.search(
        r"\b(ref|referring|ordering|bill|billing|supervising|sup|pcp)\b", key
    ):
        return "provider_name", 3
    return None, 0


def _header_score(cells: Sequence[str], mapping: Mapping | None) -> tuple[bool, int]:
    roles = _Roles([str(c) for c in cells], mapping)
    return "hcpcs" in roles.found, len(roles.found)


def _find_header(rows: list[list[str]], mapping: Mapping | None) -> int | None:
    """Index of the header row among the first rows, or None."""
    best, best_score = None, 0
    for i, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        has_code, score = _header_score(cells, mapping)
        if has_code and score >= 2:
            return i
        if has_code and score > best_score:
            best, best_score = i, score
    return best


def _no_header_error(name: str, rows: list[list[str]], where: str = "") -> MissingColumnsError:
    wide = shapes.wide_claim_problem(f"{name}{where}", rows)
    if wide:
        return MissingColumnsError(wide)
    first = next((r for r in rows if any(str(c).strip() for c in r)), [])
    found = ", ".join(repr(str(c)) for c in first if str(c).strip()) or "nothing"
    return MissingColumnsError(
        f"{name}{where}: no header row with a procedure-code column in the first "
        f"{HEADER_SCAN_ROWS} rows (first row found: {found}); needed: {_needed_text()}; "
        "if your export names them differently, map them with --mapping FILE "
        '(TOML: [columns] hcpcs = "Your code header", date_of_service = "Your date header")'
    )


def _needed_text() -> str:
    return (
        "hcpcs (CPT, CPT Code, HCPCS, Procedure Code, Proc), "
        "date_of_service (DOS, Date of Service, Service Date)"
    )


# --------------------------------------------------------------------------- text files
def _sniff(prefix_rows: dict[str, list[list[str]]], mapping: Mapping | None):
    """Pick the delimiter whose parse has a header; returns (delimiter, header index)."""
    best = None
    for delim, rows in prefix_rows.items():
        idx = _find_header(rows, mapping)
        if idx is None:
            continue
        score = (_header_score(rows[idx], mapping)[1], len(rows[idx]))
        if best is None or score > best[0]:
            best = (score, delim, idx)
    if best is None:
        return None, None
    return best[1], best[2]


def _read_text(path: Path, label: str, mapping: Mapping | None) -> _Raw:
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError as exc:
        raise InputFileError(f"cannot read {label}: {exc.strerror or exc}") from None
    if not head.strip(b" \t\r\n\x00") and (size <= len(head) or not path.read_bytes().strip()):
        raise InputFileError(f"{name} is empty: no header and no rows")
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return _read_excel(path, label, None, mapping)
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFileError(
            f"{name} is not a text file (binary content); export the log as CSV or XLSX"
        )
    decoded = rtext.decode_bytes(head, name, prefix=size > len(head))
    text, encoding = decoded.text, decoded.encoding
    lines = text.splitlines()[: HEADER_SCAN_ROWS + 5]
    if size > len(head) and lines:
        lines = lines[:-1]  # the last line may be cut
    prefix = "\n".join(lines)
    parsed = {d: list(csv.reader(io.StringIO(prefix), delimiter=d)) for d in DELIMITERS}
    delim, hidx = _sniff(parsed, mapping)
    if delim is None:
        raise _no_header_error(name, parsed[","])
    rows = parsed[delim]
    header = [c.strip() for c in rows[hidx]]
    skipped = [
        (i + 1, "blank row above the header" if not any(c.strip() for c in r)
         else "title/banner row above the header")
        for i, r in enumerate(rows[:hidx])
    ]  # fmt: skip
    warnings = []
    if encoding not in ("utf-8",):
        warnings.append(f"{name}: read as {encoding} (not UTF-8)")
    raw = None
    roles = _Roles(header, mapping)
    keep = sorted({*roles.index.values(), *roles.modifier_cols})
    simple_ends = not (b"\r" in head and b"\n" not in head)  # old Mac line ends
    if encoding != "utf-16" and simple_ends and _prefix_is_simple(rows, hidx):
        src = _CsvSource(path, name, encoding, warnings)
        raw = _fast_csv(src, label, header, hidx, delim, keep)
    if raw is None:
        raw = _slow_csv(path.read_bytes(), name, label, header, hidx, delim, encoding)
    raw.skipped = skipped + raw.skipped
    raw.warnings = warnings + raw.warnings
    return raw


def _prefix_is_simple(text_rows: list[list[str]], hidx: int) -> bool:
    return not any("\n" in c or "\r" in c for r in text_rows[: hidx + 1] for c in r)


class _CsvSource:
    """The bytes pyarrow reads: the file itself when UTF-8, else a UTF-8 re-encoding."""

    def __init__(self, path: Path, name: str, encoding: str, warnings: list[str]):
        self.path, self.name, self.encoding, self.warnings = path, name, encoding, warnings
        self._body: bytes | None = None
        if encoding != "utf-8":
            self._recode(encoding)

    def _recode(self, encoding: str) -> None:
        decoded = rtext.decode_bytes(self.path.read_bytes(), self.name)
        self._body = decoded.text.encode("utf-8")
        self.encoding = decoded.encoding

    def fallback(self) -> bool:
        """Switch from UTF-8 to cp1252 after pyarrow found invalid UTF-8."""
        if self.encoding != "utf-8":
            return False
        self._recode("cp1252")
        self.warnings.append(f"{self.name}: read as {self.encoding} (not UTF-8)")
        return True

    def stream(self):
        return io.BytesIO(self._body) if self._body is not None else str(self.path)

    def body(self) -> bytes:
        if self._body is None:
            data = self.path.read_bytes()
            self._body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        return self._body


def _fast_csv(src: _CsvSource, label, header, hidx, delim, keep) -> _Raw | None:
    """pyarrow read of the data region; None when the file needs the careful path.

    Only the columns in use are converted; the others are not read at all. Rows with the wrong number of cells (blank lines, totals,
    footers) come back through ``invalid_row_handler`` and are put back in place.
    """
    ncol = len(header)
    bad: list[str] = []
    got = _read_used_columns(src, hidx, ncol, delim, keep, bad)
    if got is None:
        return None
    num_rows, text = got
    first = hidx + 2  # spreadsheet row of the first data line
    columns: list[pa.Array | pa.ChunkedArray | None] = [None] * ncol
    for i in keep:  # chunks are joined later, on the worker threads (see _analyze_all)
        columns[i] = text[i]
    if not bad:
        rows = np.arange(first, first + num_rows, dtype=np.int64)
        return _Raw(label, src.name, header, hidx + 1, columns, rows)
    return _with_bad_rows(src, label, header, hidx, delim, columns, num_rows, bad)


def _read_used_columns(
    src: _CsvSource, hidx, ncol, delim, keep, bad: list[str]
) -> tuple[int, dict[int, pa.ChunkedArray]] | None:
    """Rows read and the used columns (as UTF-8, else again as cp1252); None when pyarrow
    cannot read the file or a used column is not text. Rows of the wrong width go to ``bad``."""
    try:
        got = _arrow_read(src, hidx, ncol, delim, keep, bad)
        if got is None:  # not UTF-8: read it again as cp1252
            if not src.fallback():
                return None
            bad.clear()
            got = _arrow_read(src, hidx, ncol, delim, keep, bad)
    except pa.ArrowInvalid:
        return None
    return got


def _arrow_read(
    src: _CsvSource, hidx, ncol, delim, keep, bad: list[str]
) -> tuple[int, dict[int, pa.ChunkedArray]] | None:
    """Rows read and the used columns; None when a used column is not valid UTF-8."""
    names = [f"c{i}" for i in range(ncol)]

    def on_bad(row) -> str:
        bad.append(row.text)
        return "skip"

    table = pacsv.read_csv(
        src.stream(),
        read_options=pacsv.ReadOptions(skip_rows=hidx + 1, column_names=names),
        convert_options=pacsv.ConvertOptions(  # bytes: UTF-8 is checked by iff.as_text
            column_types={names[i]: pa.large_binary() for i in keep},
            include_columns=[names[i] for i in keep],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delim, ignore_empty_lines=False, invalid_row_handler=on_bad
        ),
    )
    text = {i: iff.as_text(table.column(names[i])) for i in keep}
    return None if any(t is None for t in text.values()) else (table.num_rows, text)


def _with_bad_rows(
    src: _CsvSource, label, header, hidx, delim, columns, num_rows, bad: list[str]
) -> _Raw | None:
    """The good rows and the wrong-width ones (parsed by csv) merged back in file order;
    None (the careful path) when the lines cannot be placed with certainty."""
    ncol = len(header)
    first = hidx + 2  # spreadsheet row of the first data line
    if len(bad) > 2000 or any('"' in t for t in bad):
        return None
    body = src.body()
    total_lines = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    n_data_lines = total_lines - (hidx + 1)
    if num_rows + len(bad) != n_data_lines:
        return None
    bad_lines = _locate_lines(body, bad, first)
    if bad_lines is None:
        return None
    mask = np.ones(n_data_lines, dtype=bool)
    mask[np.asarray(bad_lines, dtype=np.int64) - first] = False
    good_rows = np.arange(first, first + n_data_lines, dtype=np.int64)[mask]
    split = [next(csv.reader([t], delimiter=delim), []) for t in bad]
    parsed = [_pad(cells, ncol) for cells in split]
    all_rows = np.concatenate([good_rows, np.asarray(bad_lines, dtype=np.int64)])
    order = np.argsort(all_rows, kind="stable")
    take = pa.array(order)
    merged: list[pa.Array | None] = []
    for i in range(ncol):
        col = columns[i]
        if col is None:
            merged.append(None)
            continue
        extra = pa.array([p[i] for p in parsed], col.type)
        merged.append(pa.concat_arrays([*col.chunks, extra]).take(take))
    raw = _Raw(label, src.name, header, hidx + 1, merged, all_rows[order])
    _note_extra_cells(raw, split, ncol)
    return raw


def _locate_lines(body: bytes, texts: list[str], first_row: int) -> list[int] | None:
    """Spreadsheet row numbers of the given whole lines (in the order they were reported)."""
    wanted: dict[bytes, int] = {}
    for text in texts:
        wanted[text.encode("utf-8")] = wanted.get(text.encode("utf-8"), 0) + 1
    if len(wanted) > 50 or b"" in wanted:
        return None
    positions: list[tuple[int, bytes]] = []
    for t, count in wanted.items():
        found, start = 0, 0
        while True:
            pos = body.find(t, start)
            if pos < 0:
                break
            end = pos + len(t)
            at_start = pos == 0 or body[pos - 1 : pos] == b"\n"
            at_end = end == len(body) or body[end : end + 1] in (b"\n", b"\r")
            if at_start and at_end:
                positions.append((pos, t))
                found += 1
            start = pos + 1
        if found != count:
            return None
    positions.sort()
    last_pos, line = 0, 1
    numbers: dict[bytes, list[int]] = {}
    for pos, t in positions:
        line += body.count(b"\n", last_pos, pos)
        last_pos = pos
        if line >= first_row:
            numbers.setdefault(t, []).append(line)
    result = []
    for text in texts:
        lst = numbers.get(text.encode("utf-8"), [])
        if not lst:
            return None
        result.append(lst.pop(0))
    return result


def _pad(cells: list[str], n: int) -> list[str]:
    return (cells + [""] * n)[:n]


def _note_extra_cells(raw: _Raw, parsed: list[list[str]], ncol: int) -> None:
    n = sum(1 for cells in parsed if any(c.strip() for c in cells[ncol:]))
    if n:
        raw.warnings.append(
            f"{raw.name}: {n} row(s) have more cells than the header; the extra cells were ignored"
        )


def _slow_csv(data, name, label, header, hidx, delim, encoding) -> _Raw:
    """Careful read with the csv module (quoted newlines, odd line ends)."""
    decoded = rtext.decode_bytes(data, name)
    text = decoded.text
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:
        raise InputFileError(f"{name} cannot be read as delimited text: {exc}") from None
    ncol = len(header)
    data_records = records[hidx + 1 :]
    rows = np.arange(hidx + 2, hidx + 2 + len(data_records), dtype=np.int64)
    cols = [pa.array([_cell(r, i) for r in data_records], pa.string()) for i in range(ncol)]
    raw = _Raw(label, name, header, hidx + 1, cols, rows)
    note = rtext.not_utf8_note(name, decoded)
    if decoded.encoding != encoding and note:
        raw.warnings.append(note)  # the start of the file was UTF-8
    _note_extra_cells(raw, data_records, ncol)
    return raw


def _cell(row: list[str], i: int) -> str:
    return row[i] if i < len(row) else ""


# --------------------------------------------------------------------------- excel
def _read_excel(path: Path, label: str, sheet: str | None, mapping: Mapping | None) -> _Raw:
    name = path.name
    wb = open_workbook(path)
    names = wb.sheets
    if not names:
        raise InputFileError(f"{name} has no worksheets")
    if sheet is not None:
        chosen = [s for s in names if s == sheet] or [
            s for s in names if s.lower() == sheet.lower()
        ]
        if not chosen:
            raise UsageProblem(f"{name} has no sheet {sheet!r}; its sheets are: {', '.join(names)}")
        candidates = chosen
    else:  # hidden and very hidden sheets are never picked on their own
        candidates = wb.visible
        if not candidates:
            raise InputFileError(f"{name} has no visible worksheet; name one with --sheet")
    first_rows: list[list[str]] = []
    for sname in candidates:
        grid = wb.grid(sname)
        head = [[iv.cell_text(c) for c in r] for r in grid[:HEADER_SCAN_ROWS]]
        if not first_rows:
            first_rows = head
        hidx = _find_header(head, mapping)
        if hidx is None:
            continue
        raw = _excel_raw(label, name, sname, grid, head, hidx, len(names) > 1, mapping)
        raw.warnings[:0] = wb.notes
        return raw
    where = f", sheet {candidates[0]!r}" if sheet else ""
    raise _no_header_error(name, first_rows, where)


def _excel_raw(label, name, sname, grid, head, hidx, multi, mapping) -> _Raw:
    header = [c.strip() for c in head[hidx]]
    while header and not header[-1]:
        header.pop()
    ncol = len(header)
    body = grid[hidx + 1 :]
    roles = _Roles(header, mapping)
    used = sorted({*roles.index.values(), *roles.modifier_cols})  # the others are never read
    narrow, wide = (min(map(len, body)), max(map(len, body))) if body else (ncol, ncol)
    by_col: Sequence[Sequence[Any]]
    if narrow == wide >= ncol:  # a rectangular grid: one transposition
        by_col = list(zip(*body, strict=True))[:ncol] if body else [()] * ncol
    else:
        by_col = [[r[i] if i < len(r) else None for r in body] for i in range(ncol)]
    cols: list[pa.Array | None] = [None] * ncol
    for i in used:
        cols[i] = _excel_column(by_col[i])
    rows = np.arange(hidx + 2, hidx + 2 + len(body), dtype=np.int64)
    skipped = [
        (i + 1, "blank row above the header" if not any(c.strip() for c in r)
         else "title/banner row above the header")
        for i, r in enumerate(head[:hidx])
    ]  # fmt: skip
    display = f"{name} [{sname}]" if multi else name
    raw = _Raw(label, display, header, hidx + 1, cols, rows, skipped, sheet=sname)
    extra = 0
    if wide > ncol:
        extra = sum(1 for r in body if any(iv.cell_text(c).strip() for c in r[ncol:]))
    if extra:
        raw.warnings.append(
            f"{display}: {extra} row(s) have cells right of the header; they were ignored"
        )
    return raw


def _excel_column(values: Sequence[object]) -> pa.Array:
    """Cells as text (``cell_text``); all-text columns go to pyarrow as they are."""
    try:
        arr = pa.array(values, pa.large_string())
        if not arr.null_count:
            return arr
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        pass
    conv = iv.cell_text
    return pa.array([v if type(v) is str else conv(v) for v in values], pa.large_string())


# --------------------------------------------------------------------------- cleaning
ID_COLUMNS = ("provider_id", "provider_name", "date_of_service", "hcpcs", "modifiers", "units",
              "pos", "locality", "zip", "encounter_id", "patient_ref")  # fmt: skip
Normalizer = Callable[[str], tuple[object, "str | None"]]


class _Encoded:
    """A column as distinct values + per-row indices (normalizers run once per value)."""

    uniques: list[str]
    indices: np.ndarray

    def __init__(self, arr: pa.Array):
        counted = iff.packed_encode(arr) if FAST_PATHS else None
        if counted is not None:
            self.uniques, self.indices = counted
            return
        enc = arr if pa.types.is_dictionary(arr.type) else pc.dictionary_encode(arr)
        self.uniques = enc.dictionary.to_pylist()
        self.indices = enc.indices.to_numpy(zero_copy_only=False)  # int32

    @classmethod
    def of(cls, uniques: list[str], indices: np.ndarray) -> _Encoded:
        """An encoding computed elsewhere (some ``uniques`` may not occur)."""
        enc = cls.__new__(cls)
        enc.uniques, enc.indices = uniques, indices
        return enc

    def keep(self, mask: np.ndarray) -> None:
        self.indices = self.indices[mask]


# Set to False to send every column through the per-distinct-value path (tests compare both).
FAST_PATHS = True
THREADED_ROWS = 200_000  # files with more rows are worked on two threads at a time


@dataclass
class _Column:
    """One column in use: a fast-path result (clean column) or its dictionary encoding."""

    arr: pa.Array | None
    fast: np.ndarray | None = None  # code ids / datetime64[D] dates / units / pos ids
    enc: _Encoded | None = None
    combos: list[tuple[int, ...]] | None = None  # modifiers: per-column unique index tuples
    counted: bool = False  # enc found by counting pair codes (iff.pair_codes), not hashing

    def keep(self, mask: np.ndarray) -> None:
        if self.fast is not None:
            self.fast = self.fast[mask]
        if self.enc is not None:
            self.enc.keep(mask)

    def encoding(self) -> _Encoded:
        """The dictionary encoding (a column without a fast-path result always has one)."""
        assert self.enc is not None, "column without a fast path is encoded"
        return self.enc


def _analyze(arr: pa.Array, kind: str, date_format: str | None) -> _Column:
    """Try the vectorized fast path of a column's role; encode it when that does not apply."""
    fast = None
    if FAST_PATHS:
        if kind == "modifiers":
            codes = iff.pair_codes(arr)
            if codes is not None:
                idx, used = _compact(codes, len(iff.PAIR_VALUES))
                uniques = [iff.PAIR_VALUES[u] for u in used.tolist()]
                return _Column(arr, enc=_Encoded.of(uniques, idx), counted=True)
        elif kind == "hcpcs":
            fast = iff.code_ids(arr)
        elif kind == "date_of_service" and date_format is None:
            fast = iff.iso_dates(arr)
        elif kind == "units":
            fast = iff.plain_units(arr)
        elif kind == "pos":
            fast = iff.plain_pos(arr)
    if fast is not None:
        return _Column(arr, fast=fast)
    return _Column(arr, enc=_Encoded(arr))


_COMBINED = -1  # key of the modifiers' combination in _analyze_all's result


def _analyze_all(raw: _Raw, roles: _Roles, date_format: str | None) -> dict[int, _Column]:
    """Analyze the columns in use (two at a time on big files: numpy and arrow free the GIL).

    Modifier columns are combined once all of them are analyzed (key ``_COMBINED``).
    """
    kinds = {i: c for c, i in roles.index.items()}
    kinds[roles.index["hcpcs"]] = "hcpcs"  # never shared, but be explicit
    if "provider_id" in roles.index:  # a name column standing in for the id is text either way
        kinds[roles.index["provider_id"]] = "provider_id"
    mods = list(roles.modifier_cols)

    def column(i: int, kind: str) -> _Column:
        arr = raw.columns[i]
        if isinstance(arr, pa.ChunkedArray):  # as read by pyarrow: join the chunks
            arr = raw.columns[i] = arr.combine_chunks()
        return _analyze(arr, kind, date_format)

    def combine(out: dict[int, _Column]) -> dict[int, _Column]:
        if len(mods) > 1:
            encs = [out[i].encoding() for i in mods]
            combo_idx, combos = _combine([(e.indices, len(e.uniques)) for e in encs], len(raw.rows))
            return {_COMBINED: _Column(None, fast=combo_idx, combos=combos)}
        return {}

    kinds.update({i: "modifiers" for i in mods})
    order = sorted(kinds, key=lambda i: _JOB_ORDER.get(kinds[i], 9))  # longest jobs first
    if len(raw.rows) > THREADED_ROWS and len(order) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2) as ex:
            pending = {i: ex.submit(column, i, kinds[i]) for i in order}
            combined = None
            if mods:  # submitted last, so the modifier columns it waits for have started
                combined = ex.submit(lambda: combine({i: pending[i].result() for i in mods}))
            out = {i: f.result() for i, f in pending.items()}
            if combined is not None:
                out.update(combined.result())
        return out
    out = {i: column(i, kinds[i]) for i in order}
    if mods:
        out.update(combine(out))
    return out


_JOB_ORDER = {"modifiers": 0, "hcpcs": 1, "date_of_service": 2, "provider_id": 3}


def _check_header_order(raw: _Raw, row: int, cells: dict[int, str], header_norm: list[str]) -> None:
    """A repeated header whose columns sit in another order (a second export appended with
    its own layout) would have the rows below it read with the first header's positions:
    refuse the file rather than credit units from the place-of-service column."""
    names = set(header_norm) - {""}
    moved = [
        (raw.header[c], v) for c, v in cells.items()
        if v and normalize_header(v) != header_norm[c] and normalize_header(v) in names
    ]  # fmt: skip
    if moved:
        where = ", ".join(f"{v!r} under {h!r}" for h, v in moved)
        raise InputFileError(
            f"{raw.name} row {row} repeats the header with its columns in another order "
            f"({where}); the rows below it would be read in the wrong columns. Split the file "
            "at that row, or export every part with the same column order."
        )


def _classify_junk(raw: _Raw, code_col: int, row_bad: np.ndarray) -> np.ndarray:
    """Mark non-data rows (blank, total, repeated header, footer); returns a keep-mask.

    Only rows whose code cell is not a valid code are looked at; only columns in use are seen
    (patient columns are gone by now).
    """
    keep = np.ones(len(raw.rows), dtype=bool)
    bad_idx = np.flatnonzero(row_bad)
    if not len(bad_idx):
        return keep
    good_idx = np.flatnonzero(~row_bad)
    last_good = good_idx[-1] if len(good_idx) else -1
    header_norm = [normalize_header(h) for h in raw.header]
    live = [c for c, col in enumerate(raw.columns) if col is not None]
    take = pa.array(bad_idx)
    sub = {c: raw.columns[c].take(take).to_pylist() for c in live}
    for k, i in enumerate(bad_idx):
        cells = {c: sub[c][k].strip() for c in live}
        filled = [v for v in cells.values() if v]
        n_header = sum(1 for c, v in cells.items() if v and normalize_header(v) == header_norm[c])
        why = None
        if not filled:
            why = "blank row"
        elif not cells[code_col] and any(_TOTAL_RE.match(v) for v in filled):
            why = "total row"
        elif n_header >= max(2, len(filled) // 2 + 1):
            _check_header_order(raw, int(raw.rows[i]), cells, header_norm)
            why = "repeated header row"
        elif (len(filled) == 1 and _FOOTER_RE.match(filled[0])) or (
            i > last_good and not cells[code_col] and len(filled) <= 2
        ):
            why = "footer text"
        if why:
            keep[i] = False
            raw.skipped.append((int(raw.rows[i]), why))
    return keep


def _kind(column: str, problem: str) -> str:
    text = re.sub(r"^(['\"]).*?\1 (is )?", "", problem)
    text = re.sub(r"\s*\(.*\)$", "", text)
    return f"{column}: {text}"


@dataclass
class _Part:
    """One file's clean lines, column-wise, before files are joined."""

    file: str
    rows: np.ndarray
    text: dict[str, pa.Array]  # provider_id, provider_name, hcpcs, modifiers, pos, locality, zip
    dates: np.ndarray  # datetime64[D], NaT when not a date
    units: np.ndarray  # int64
    # per-row id of the normalized value (equal ids = equal values, across files); an int
    # when the column is absent (every row has that id); dates and units are their own ids
    ids: dict[str, np.ndarray | int]
    rejects: dict[int, tuple[str, str, str]]  # position -> (reason, column, kind)


class _Ids:
    """Run-wide ids of normalized values, so duplicates are found across files."""

    def __init__(self) -> None:
        self.maps: dict[str, dict[object, int]] = {c: {} for c in ID_COLUMNS}
        # distinct values a column's first file gave, numbered by position; the map is
        # built from them only if another file needs it (a patient column of a big log
        # has hundreds of thousands: ~0.15 s of dict inserts a one-file run never uses)
        self.pending: dict[str, list[object]] = {}

    def of(self, column: str, values: list[object]) -> np.ndarray:
        m = self.maps[column]
        if column in self.pending:
            m.update((v, i) for i, v in enumerate(self.pending.pop(column)))
        return np.array([m.setdefault(v, len(m)) for v in values], dtype=np.int64)

    def rows(
        self, column: str, values: list[object], indices: np.ndarray, distinct: bool = False
    ) -> np.ndarray:
        """Per-row ids from per-unique values and per-row indices (no gather when equal).
        ``distinct``: no two ``values`` are equal (each its own id)."""
        if distinct and not self.maps[column] and column not in self.pending:
            self.pending[column] = values  # ids 0..len-1, as ``of`` would number them
            return indices
        per_unique = self.of(column, values)
        if np.array_equal(per_unique, np.arange(len(per_unique))):
            return indices
        out = iff.empty(len(indices), np.int64)
        np.take(per_unique, indices, out=out)
        return out


_WHITESPACE = re.compile(r"\s")  # str.isspace's characters, as str.split() splits on


def _apply(enc: _Encoded, fn: Normalizer) -> tuple[list, list]:
    if FAST_PATHS and fn is iv.normalize_text and not _WHITESPACE.search("".join(enc.uniques)):
        # no whitespace in any value: normalize_text returns each unchanged (one regex scan
        # instead of a call per distinct value: a big log's patient column has 270,000)
        return enc.uniques, [None] * len(enc.uniques)
    res = [fn(u) for u in enc.uniques]
    return [v for v, _p in res], [p for _v, p in res]


@dataclass
class _Take:
    """Per-row strings from per-unique values, built when the lines frame is assembled."""

    values: list[str]
    indices: np.ndarray

    def array(self) -> pa.Array:
        return _text_array(self.values, self.indices)


def _materialize(col: pa.Array | _Take) -> pa.Array:
    return col.array() if isinstance(col, _Take) else col


def _text_array(values: list, indices: np.ndarray, enc: _Encoded | None = None,
                raw: pa.Array | None = None) -> pa.Array:  # fmt: skip
    """Per-row strings from per-unique values; the raw column itself when nothing changed."""
    if raw is not None and enc is not None and values == enc.uniques and iff.is_text(raw):
        return raw
    if len(values) == 1 and values[0] == "":
        return iff.empty_strings(len(indices))
    return pa.array(values, pa.large_string()).take(pa.array(indices))


def _clean(raw: _Raw, roles: _Roles, mapping: Mapping | None, ids: _Ids) -> _Part:
    """Normalize one file's data rows (reversals and duplicates are settled run-wide)."""
    date_format = mapping.date_format if mapping else None
    cols = _analyze_all(raw, roles, date_format)
    code = cols[roles.index["hcpcs"]]
    code_vals = code_probs = None
    if code.fast is None:
        code_vals, code_probs = _apply(code.encoding(), iv.normalize_code)
        code_bad_u = np.array([p is not None for p in code_probs], dtype=bool)
        keep = _classify_junk(raw, roles.index["hcpcs"], code_bad_u[code.encoding().indices])
    else:  # every code valid: no junk row
        keep = np.ones(len(raw.rows), dtype=bool)
    if not keep.all():
        for c in cols.values():
            c.keep(keep)
        raw.rows = raw.rows[keep]
    live = keep.all()
    n = len(raw.rows)
    text: dict[str, pa.Array] = {}
    row_ids: dict[str, np.ndarray | int] = {}
    # problems: check name -> (per-unique bad mask, per-unique problem, per-row index, header)
    problems: dict[str, tuple[np.ndarray, list, np.ndarray, list[str] | str]] = {}

    def record(canon, probs, enc, header, bad=None):
        problems[canon] = (
            np.array([p is not None for p in probs], dtype=bool) if bad is None else bad,
            probs, enc.indices, header,
        )  # fmt: skip

    def header(canon: str) -> str:
        return raw.header[roles.index[canon]]

    if code.fast is not None:
        text["hcpcs"], row_ids["hcpcs"] = code.arr, code.fast
    else:
        assert code_vals is not None and code_probs is not None  # set above: no fast path
        enc = code.encoding()
        text["hcpcs"] = _text_array(code_vals, enc.indices, enc, code.arr if live else None)
        per_u = [iff.code_id(v, p is None) for v, p in zip(code_vals, code_probs, strict=True)]
        row_ids["hcpcs"] = np.array(per_u, dtype=np.int64)[enc.indices]
        record("hcpcs", code_probs, enc, header("hcpcs"))

    dcol = cols[roles.index["date_of_service"]]
    if dcol.fast is not None:
        dates = dcol.fast
    else:
        denc = dcol.encoding()
        dvals, dprobs = _apply(denc, lambda s: iv.parse_date(s, date_format))
        udates = np.array([np.datetime64(v, "D") if v else np.datetime64("NaT") for v in dvals],
                          dtype="datetime64[D]")  # fmt: skip
        dates = udates[denc.indices]
        record("date_of_service", dprobs, denc, header("date_of_service"))

    _clean_text(raw, roles, cols, ids, text, row_ids, record, live, n)
    units = _clean_units(roles, cols, record, header, n)
    _clean_modifiers(raw, roles, cols, text, row_ids, problems, ids, n)
    rejects = _rejections(raw, problems, n)
    return _Part(raw.file, raw.rows, text, dates, units, row_ids, rejects)


def _provider(s: str) -> tuple[str, str | None]:
    v, _ = iv.normalize_text(s)
    return v, (None if v else "no provider (the cell is empty)")


_SIMPLE: dict[str, Normalizer] = {
    "provider_id": _provider, "provider_name": iv.normalize_text, "pos": iv.normalize_pos,
    "locality": iv.normalize_locality, "zip": iv.normalize_zip,
    "encounter_id": iv.normalize_text, "patient_ref": iv.normalize_text,
}  # fmt: skip


def _clean_text(raw, roles, cols, ids, text, row_ids, record, live, n) -> None:
    """Provider, place of service, locality, ZIP and the grouping ids."""
    for canon, fn in _SIMPLE.items():
        if canon not in roles.index:
            text[canon] = iff.empty_strings(n)
            row_ids[canon] = iff.pos_id("") if canon == "pos" else int(ids.of(canon, [""])[0])
            continue
        col = cols[roles.index[canon]]
        if canon == "pos" and col.fast is not None:
            text[canon], row_ids[canon] = col.arr, col.fast
            continue
        enc = col.encoding()
        vals, probs = _apply(enc, fn)
        text[canon] = _text_array(vals, enc.indices, enc, col.arr if live else None)
        if canon == "pos":
            row_ids[canon] = np.array([iff.pos_id(v) for v in vals], dtype=np.int64)[enc.indices]
        else:  # the uniques unchanged (the same list) are distinct values
            row_ids[canon] = ids.rows(canon, vals, enc.indices, distinct=vals is enc.uniques)
        if canon not in ("provider_name", *GROUPING_COLUMNS):
            record(canon, probs, enc, raw.header[roles.index[canon]])


def _clean_units(roles, cols, record, header, n) -> np.ndarray:
    if "units" not in roles.index:
        return np.ones(n, dtype=np.int64)
    col = cols[roles.index["units"]]
    if col.fast is not None:
        return col.fast
    uenc = col.encoding()
    uvals, uprobs = _apply(uenc, iv.normalize_units)
    negative = np.array([p == iv.NEGATIVE_UNITS for p in uprobs], dtype=bool)
    bad = np.array([p is not None for p in uprobs], dtype=bool) & ~negative
    record("units", uprobs, uenc, header("units"), bad)
    record("reversal", uprobs, uenc, header("units"), negative)
    return np.array(uvals, dtype=np.int64)[uenc.indices]


def _rejections(raw: _Raw, problems: dict, n: int) -> dict[int, tuple[str, str, str]]:
    """The first problem of every bad row, in CHECK_ORDER, as (reason, column, kind)."""
    if not any(bad_u.any() for bad_u, _p, _i, _h in problems.values()):
        return {}
    first = np.full(n, -1, dtype=np.int64)
    for k in range(len(CHECK_ORDER) - 1, -1, -1):
        check = CHECK_ORDER[k]
        if check in problems and n:
            bad_u, _probs, idx, _h = problems[check]
            if bad_u.any():
                first[bad_u[idx]] = k
    out: dict[int, tuple[str, str, str]] = {}
    for r in np.flatnonzero(first >= 0):
        check = CHECK_ORDER[first[r]]
        _bad, probs, idx, header = problems[check]
        problem = probs[idx[r]]
        if isinstance(problem, tuple):  # modifiers: (header of the column, problem)
            header, problem = problem
        column = "units" if check == "reversal" else check
        reason = f"{raw.name} row {raw.rows[r]}, column {column} ({header!r}): {problem}"
        kind = "reversal" if check == "reversal" else _kind(column, problem)
        out[int(r)] = (reason, column, kind)
    return out


def _compact(idx: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices renumbered over the values that occur, and those values (counting, no hash)."""
    used = np.flatnonzero(np.bincount(idx, minlength=size))
    if len(used) == size:
        return idx, used
    lut = np.zeros(size, dtype=np.int32)
    lut[used] = np.arange(len(used))
    out = iff.empty(len(idx), np.int32)
    np.take(lut, idx, out=out)
    return out, used


def _combine(columns: list[tuple[np.ndarray, int]], n: int) -> tuple[np.ndarray, list]:
    """Per-row index of the combination of columns' (indices, number of uniques), and the
    combinations (tuples of per-column unique indices; some may not occur)."""
    if not n:
        return np.zeros(0, dtype=np.int64), []
    idxs, useds = [], []
    for idx, size in columns:
        if size > 64:  # e.g. pair codes: 1,297 possible cells, a few occur
            idx, used = _compact(idx, size)
        else:
            used = np.arange(size)
        idxs.append(idx)
        useds.append(used.tolist())
    sizes = [len(u) for u in useds]
    space = int(np.prod([float(s) for s in sizes]))
    key = iff.empty(n, np.int64)
    np.copyto(key, idxs[0])
    for idx, size in zip(idxs[1:], sizes[1:], strict=True):
        key *= size
        key += idx
    uniq: Sequence[int]
    if space <= 4096:  # every combination is a combination index, used or not
        combo_idx, uniq = key, range(space)
    elif space <= 4 * n + 1024:  # dense: count instead of hashing
        present = np.flatnonzero(np.bincount(key, minlength=1))
        lut = np.zeros(len(present) and int(present[-1]) + 1, dtype=np.int64)
        lut[present] = np.arange(len(present))
        combo_idx, uniq = lut[key], present.tolist()
    else:
        codes, found = pd.factorize(key, sort=False)
        combo_idx, uniq = codes.astype(np.int64), found.tolist()
    combos = []
    for k in uniq:
        parts = []
        for size, used in zip(reversed(sizes), reversed(useds), strict=True):
            parts.append(used[k % size])
            k //= size
        combos.append(tuple(reversed(parts)))
    return combo_idx, combos


class _Split:
    """``split_modifiers`` of a column's distinct cells, computed when first needed."""

    def __init__(self, uniques: list[str]):
        self.uniques = uniques
        self._done: dict[int, tuple[list[str], str | None]] = {}

    def __len__(self) -> int:
        return len(self.uniques)

    def __getitem__(self, u: int) -> tuple[list[str], str | None]:
        got = self._done.get(u)
        if got is None:
            got = self._done[u] = iv.split_modifiers(self.uniques[u])
        return got


def _clean_modifiers(raw, roles, cols, text, row_ids, problems, ids, n) -> None:
    """Modifiers from one column or several (Modifier 1..4), joined as "26,59"."""
    mod_cols = roles.modifier_cols
    if not mod_cols:
        text["modifiers"] = iff.empty_strings(n)
        row_ids["modifiers"] = int(ids.of("modifiers", [""])[0])
        return
    per_col = []
    for ci in mod_cols:
        enc = cols[ci].encoding()
        per_col.append((ci, _Split(enc.uniques), enc.indices))
    if _COMBINED in cols:
        combo_idx, combos = cols[_COMBINED].fast, cols[_COMBINED].combos
    else:  # one column, dictionary-encoded
        combo_idx = per_col[0][2]
        combos = [(u,) for u in range(len(per_col[0][1]))]
    values, probs = [], []
    for combo in combos:
        parts, problem = [], None
        for (ci, res, _idx), u in zip(per_col, combo, strict=True):
            v, p = res[u]
            if p and problem is None:
                problem = (raw.header[ci], p)
            parts.extend(v)
        values.append(iv.join_modifiers(parts))
        probs.append(problem)
    text["modifiers"] = _Take(values, combo_idx)
    row_ids["modifiers"] = ids.rows("modifiers", values, combo_idx)
    problems["modifiers"] = (np.array([p is not None for p in probs], dtype=bool), probs,
                             combo_idx, raw.header[mod_cols[0]])  # fmt: skip


# --------------------------------------------------------------------------- small tables
def _decode_all(data: bytes, name: str) -> str:
    if rtext.is_binary(data):
        raise InputFileError(
            f"{name} is not a text file (binary content); export it as CSV or XLSX"
        )
    return rtext.decode_bytes(data, name).text


def read_table_text(
    path: Path, *, is_header: Callable[[list[str]], int], what: str, sheet: str | None = None
) -> tuple[str, int, list[str], list[tuple[int, list[str]]]]:
    """Read a small table (a roster, say) with the same machinery as logs.

    ``is_header(cells)`` scores a candidate header row (0 = not a header); the first row of
    the first ``HEADER_SCAN_ROWS`` with the best score wins. Returns ``(display name, header
    row number, header cells, [(row number, cells), ...])``; cells are text, rows as a
    spreadsheet numbers them, blank rows included.
    """
    name = Path(path).name
    if not Path(path).exists():
        raise InputFileError(f"{path} does not exist")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not data.strip():
        raise InputFileError(f"{name} is empty: no header and no rows")
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return _clean_table(*_table_from_excel(Path(path), name, is_header, what, sheet))
    text = _decode_all(data, name)
    best = None
    for delim in DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
        except csv.Error as exc:
            raise InputFileError(f"{name} cannot be read as delimited text: {exc}") from None
        for i, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
            score = is_header(cells)
            if score and (best is None or score > best[0]):
                best = (score, i, rows)
            if score:
                break
    if best is None:
        rows = list(csv.reader(io.StringIO(text, newline="")))
        raise _no_table_header(name, rows, what)
    _s, hidx, rows = best
    header = [c.strip() for c in rows[hidx]]
    return _clean_table(
        name, hidx + 1, header, [(hidx + 2 + k, r) for k, r in enumerate(rows[hidx + 1 :])]
    )


def _clean_table(name, header_row, header, rows):
    """Control characters removed from every cell of a small table (see rvubench.textsafe)."""
    return (name, header_row, [clean_control(h) for h in header],
            [(n, [clean_control(c) for c in cells]) for n, cells in rows])  # fmt: skip


def _no_table_header(name: str, rows: list[list[str]], what: str) -> MissingColumnsError:
    first = next((r for r in rows if any(str(c).strip() for c in r)), [])
    found = ", ".join(repr(str(c)) for c in first if str(c).strip()) or "nothing"
    return MissingColumnsError(
        f"{name}: no {what} header row in the first {HEADER_SCAN_ROWS} rows (first row found: "
        f"{found})"
    )


def _table_from_excel(path, name, is_header, what, sheet):
    wb = open_workbook(Path(path))
    names = wb.sheets
    if sheet is not None and sheet not in names:
        raise UsageProblem(f"{name} has no sheet {sheet!r}; its sheets are: {', '.join(names)}")
    first: list[list[str]] = []
    for sname in [sheet] if sheet else wb.visible:
        grid = wb.grid(sname)
        rows = [[iv.cell_text(c) for c in r] for r in grid]
        first = first or rows
        for i, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
            if is_header(cells):
                header = [c.strip() for c in cells]
                return name, i + 1, header, [(i + 2 + k, r) for k, r in enumerate(rows[i + 1 :])]
    raise _no_table_header(name, first, what)


# --------------------------------------------------------------------------- whole log
def expand_paths(paths: Sequence[Path] | Path) -> list[Path]:
    """Files to read: a directory stands for its .csv/.tsv/.txt/.xlsx/.xlsm/.xls files, sorted."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    if not items:
        raise UsageProblem("no log file given")
    out: list[Path] = []
    for p in items:
        p = Path(p)
        if p.is_dir():
            found = sorted(
                q for q in p.iterdir()
                if q.is_file() and q.suffix.lower() in LOG_SUFFIXES and not q.name.startswith(("~$", "."))
            )  # fmt: skip
            if not found:
                raise InputFileError(f"folder {p} has no log files ({', '.join(LOG_SUFFIXES)})")
            out.extend(found)
        elif not p.exists():
            raise InputFileError(f"{p} does not exist")
        else:
            out.append(p)
    return out


def read_raw(path: Path, *, mapping: Mapping | None = None, sheet: str | None = None) -> _Raw:
    """Read one file's header and data cells as text (no interpretation of values).

    Only the columns rvubench uses are kept (``None`` stands for the others), so patient
    columns are gone as soon as the header is known; control characters are removed from
    the header and the kept cells.
    """
    label = str(path)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        try:
            with path.open("rb") as fh:
                magic = fh.read(8)
        except OSError as exc:
            raise InputFileError(f"cannot read {label}: {exc.strerror or exc}") from None
        if not magic:
            raise InputFileError(f"{path.name} is empty: no header and no rows")
        raw = _read_excel(path, label, sheet, mapping)
    else:
        raw = _read_text(path, label, mapping)
    raw.header = [clean_control(h) for h in raw.header]
    roles = _Roles(raw.header, mapping)
    keep = {*roles.index.values(), *roles.modifier_cols}
    raw.columns = [c if i in keep else None for i, c in enumerate(raw.columns)]
    _clean_controls(raw)
    return raw


def _clean_controls(raw: _Raw) -> None:
    """Remove control characters from every kept cell (see rvubench.textsafe), and say so."""
    cleaned = 0
    for i, col in enumerate(raw.columns):
        if col is not None:
            raw.columns[i], n = clean_control_array(col)
            cleaned += n
    if cleaned:
        raw.warnings.append(
            f"{raw.name}: {cleaned} cell(s) held control characters (e.g. ESC, DEL, NUL); "
            "they were removed (tab and line breaks became spaces)"
        )


def _missing_error(raw: _Raw, missing: list[str]) -> MissingColumnsError:
    found = ", ".join(repr(h) for h in raw.header if h) or "none"
    parts = []
    for m in missing:
        spellings = ", ".join(aliases_for(m)[:6])
        parts.append(f"{m} (known headers: {spellings})")
    example = ", ".join(f'{m} = "Your header"' for m in missing)
    return MissingColumnsError(
        f"{raw.name}: required column(s) missing: {'; '.join(parts)}. Columns found (header "
        f"row {raw.header_row}): {found}. Map them with --mapping FILE (TOML: [columns] {example})"
    )


def _check_mapping_headers(raw: _Raw, mapping: Mapping | None) -> None:
    if not mapping:
        return
    have = {normalize_header(h) for h in raw.header}
    for canon, names in mapping.columns.items():
        for nm in names:
            if normalize_header(nm) not in have:
                found = ", ".join(repr(h) for h in raw.header if h)
                raise MissingColumnsError(
                    f"{raw.name}: the mapping file {mapping.source} maps {canon} to {nm!r}, but "
                    f"the header (row {raw.header_row}) has no such column; columns found: {found}"
                )


def _settle_reversals(ids: dict[str, np.ndarray], units: np.ndarray,
                      rejects: dict[int, tuple[str, str, str]], net: bool,
                      netted: dict[int, str] | None = None,
                      labels: Sequence[str] = (),
                      notes: dict[int, str] | None = None) -> None:  # fmt: skip
    """Reject negative-unit rows, or (``net``) net those that match a charge.

    With ``net``, a reversal is usable when the run has usable positive rows with the same
    provider, date, code and modifiers whose units are not yet used up by earlier reversals.
    Netting is done here, exactly: the charges' units are reduced (earliest charge first),
    and the reversal row and every charge reduced to zero units get a ``zero_reason``
    (credited zero, nothing priced), naming the rows they were netted against. The units
    column keeps the reversal's negative units; a partly reversed charge keeps its
    remaining units.
    """
    netted = {} if netted is None else netted
    notes = {} if notes is None else notes
    negative = sorted(p for p, (_r, _c, kind) in rejects.items() if kind == "reversal")
    if not negative:
        return
    key = _group_key([ids[c] for c in ("provider_id", "date_of_service", "hcpcs", "modifiers")])
    capacity: dict[int, int] = {}
    charges: dict[int, list[int]] = {}
    if net:
        usable = np.ones(len(units), dtype=bool)
        usable[list(rejects)] = False
        cand = np.flatnonzero(usable & (units > 0) & np.isin(key, key[negative]))
        for q in cand.tolist():
            capacity[int(key[q])] = capacity.get(int(key[q]), 0) + int(units[q])
            charges.setdefault(int(key[q]), []).append(q)
    for p in negative:
        reason, column, _kind = rejects[p]
        loc = reason.rsplit(": ", 1)[0]
        u = int(units[p])
        k = int(key[p])
        if net and capacity.get(k, 0) >= -u:
            capacity[k] += u
            del rejects[p]
            left, against = -u, []
            for c in charges[k]:
                take = min(left, int(units[c]))
                if take <= 0:
                    continue
                units[c] -= take
                left -= take
                against.append(labels[c] if labels else f"position {c}")
                by = labels[p] if labels else f"position {p}"
                if units[c] == 0:
                    netted[c] = f"reversed by {by} (--net-reversals)"
                else:
                    notes[c] = f"{take} unit(s) reversed by {by} (--net-reversals)"
                if left == 0:
                    break
            netted[p] = f"reversal of {u} unit(s) netted against {', '.join(against)}"
            continue
        if net:
            rejects[p] = (
                f"{loc}: {u} units is a reversal with no matching charge (same provider, date, "
                "code and modifiers) to net it against",
                column,
                "units: reversal without a matching charge",
            )
        else:
            rejects[p] = (
                f"{loc}: {u} units is a reversal (negative units); use --net-reversals to net "
                "it against its charge",
                column,
                "units: negative units (a reversal)",
            )


def _group_key(cols: list[np.ndarray]) -> np.ndarray:
    """One int64 per row, equal exactly when the rows are equal in every column."""
    codes = [pd.factorize(c)[0].astype(np.int64) for c in cols]
    sizes = [int(c.max(initial=0)) + 1 for c in codes]
    if np.prod([float(s) for s in sizes]) >= 2.0**62:
        frame = pd.DataFrame(dict(enumerate(codes)))
        return frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy(np.int64)
    key = np.zeros(len(cols[0]) if cols else 0, dtype=np.int64)
    for c, size in zip(codes, sizes, strict=True):
        key = key * size + c
    return key


def _concat(arrays: list[np.ndarray], dtype) -> np.ndarray:
    if len(arrays) == 1:
        return arrays[0]
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype)


def _duplicated(ids: dict[str, np.ndarray], submit=None) -> np.ndarray:
    """Rows whose ids in every column equal those of an earlier row."""
    return iff.duplicated(ids, submit)


def _sparse_text(n: int, values: dict[int, str]) -> pa.Array:
    """A string column that is "" except at a few positions."""
    if not values:
        return iff.empty_strings(n)
    indices = np.zeros(n, dtype=np.int32)
    dictionary = [""]
    for k, (pos, v) in enumerate(sorted(values.items()), start=1):
        indices[pos] = k
        dictionary.append(v)
    return pa.array(dictionary, pa.large_string()).take(pa.array(indices))


def _grouping_keys(
    encounter: pa.Array, patient: pa.Array, run_ids: tuple[np.ndarray | None, ...] = (None, None)
) -> tuple[pa.Array, pa.Array]:
    """Encounter and patient ids replaced by opaque keys ("" stays "").

    The keys only group lines: of one encounter (multiple-procedure ranking) or of one
    patient (global surgical periods). The ids identify patients, so they never leave
    ``read_log``; no output writes ``encounter_key`` or ``patient_key``.

    Each distinct id (both columns share one numbering, so equal texts get equal keys as
    before) is numbered in order of first appearance, and the number goes through a
    bijection of 64-bit integers drawn at random for this call (an odd multiplier and an
    offset, modulo 2**64), written as 16 hex digits. A key carries nothing of the id and
    cannot be linked across runs; being a bijection, two ids never share a key. Why not a
    keyed blake2b per id as before: a Python call per distinct id, ~0.6 s for the 270,000
    patients of a 1,000,000-line log; this is vectorized.

    ``run_ids``: the columns' run-wide ids (``_run_ids``: equal ids exactly for equal
    normalized texts). When only one column holds ids and its run ids are given, they are
    the numbering (no second hashing of the texts; ~0.1 s per 1,000,000 lines).
    """
    columns = [encounter, patient]
    used = [j for j, col in enumerate(columns) if not iff.all_empty(col)]  # else no column
    out = [iff.empty_strings(len(col)) for col in columns]
    if not used:
        return out[0], out[1]
    ids = run_ids[used[0]] if len(used) == 1 else None
    if ids is not None:
        blank = pc.equal(columns[used[0]], "")
        codes = pa.array(ids)
        size = int(ids.max(initial=-1)) + 1
    else:
        both = pa.concat_arrays([columns[j].cast(pa.large_string()) for j in used])
        enc = pc.dictionary_encode(both)
        size, codes = len(enc.dictionary), enc.indices
    hexed = _random_hex_keys(size)
    if ids is not None:
        keyed = pc.if_else(blank, pa.scalar("", pa.large_string()), hexed.take(codes))
    else:
        blank = pc.equal(enc.dictionary, "")
        keyed = pc.if_else(blank, pa.scalar("", pa.large_string()), hexed).take(codes)
    start = 0
    for j in used:
        out[j] = keyed.slice(start, len(columns[j]))
        start += len(columns[j])
    return out[0], out[1]


def _random_hex_keys(size: int) -> pa.Array:
    """The keys of the numbers 0..size-1: a bijection of 64-bit integers drawn at random
    (odd multiplier, offset, modulo 2**64), each as 16 lowercase hex digits."""
    mult, offset = np.uint64(secrets.randbits(64) | 1), np.uint64(secrets.randbits(64))
    keys = np.arange(size, dtype=np.uint64) * mult + offset  # wraps modulo 2**64
    nibbles = keys.astype(">u8").view(np.uint8).reshape(size, 8)
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    text = np.empty((size, 16), dtype=np.uint8)
    text[:, 0::2], text[:, 1::2] = digits[nibbles >> 4], digits[nibbles & 15]
    offsets = np.arange(0, 16 * size + 1, 16, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(size, pa.py_buffer(offsets), pa.py_buffer(text))


def _run_ids(parts: list[_Part], n: int) -> dict[str, np.ndarray | None]:
    """Run-wide per-row ids of the text columns; None for a column absent (constant) everywhere."""
    out: dict[str, np.ndarray | None] = {}
    for c in ID_COLUMNS:
        if c in ("date_of_service", "units"):
            continue
        got = [p.ids[c] for p in parts]
        if all(isinstance(g, int) for g in got) and len(set(got)) <= 1:
            out[c] = None
            continue
        out[c] = _concat(
            [np.full(len(p.rows), g, np.int64) if isinstance(g, int) else g
             for p, g in zip(parts, got, strict=True)], np.int64)  # fmt: skip
    return out


def _assemble(parts: list[_Part], net_reversals: bool) -> tuple[pd.DataFrame, int]:
    """Join the files' parts, settle reversals, flag duplicates, build the lines frame.

    Returns the frame and the number of rejected rows.
    """
    n_each = [len(p.rows) for p in parts]
    n = sum(n_each)
    offsets = np.cumsum([0, *n_each])
    rejects: dict[int, tuple[str, str, str]] = {}
    for part, off in zip(parts, offsets, strict=False):
        rejects.update({int(off) + k: v for k, v in part.rejects.items()})
    ids = _run_ids(parts, n)
    units = _concat([p.units for p in parts], np.int64)
    dates = _concat([p.dates for p in parts], "datetime64[D]")
    ids["date_of_service"] = dates.view(np.int64)
    ids["units"] = units
    netted: dict[int, str] = {}
    unit_notes: dict[int, str] = {}
    if any(kind == "reversal" for _r, _c, kind in rejects.values()):
        units = units.copy()  # netting changes units; duplicates compare the units as read
        row_labels = [f"row {r}" if len(parts) == 1 else f"{p.file} row {r}"
                      for p in parts for r in p.rows.tolist()] if net_reversals else []  # fmt: skip
        full = {c: np.zeros(n, np.int64) if a is None else a for c, a in ids.items()}
        _settle_reversals(full, units, rejects, net_reversals, netted, row_labels, unit_notes)
    present = {c: a for c, a in ids.items() if a is not None}
    usable = None
    if rejects:
        usable = np.ones(n, dtype=bool)
        usable[list(rejects)] = False
        units = np.where(usable | ((units > 0) & (units <= 9999)), units, 0)

    def duplicates(submit=None) -> np.ndarray:
        if usable is None:
            return _duplicated(present, submit) if n else np.zeros(0, dtype=bool)
        dup = np.zeros(n, dtype=bool)
        if usable.any():
            dup[usable] = _duplicated({c: a[usable] for c, a in present.items()}, submit)
        return dup

    if n > THREADED_ROWS:  # text columns are built while duplicates are searched
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2) as ex:
            pending = ex.submit(_line_columns, parts, n, dates, units, rejects, netted,
                                unit_notes, ids)  # fmt: skip
            dup = duplicates(ex.submit)
            columns = pending.result()
    else:
        columns = _line_columns(parts, n, dates, units, rejects, netted, unit_notes, ids)
        dup = duplicates()
    columns["is_duplicate"] = dup
    return iff.frame({c: columns[c] for c in LINE_COLUMNS}, n), len(rejects)


def _nanoseconds(dates: np.ndarray) -> np.ndarray:
    out = iff.empty(len(dates), "datetime64[ns]")
    np.copyto(out, dates)  # NaT stays NaT
    return out


def _line_columns(parts, n, dates, units, rejects, netted, unit_notes, ids) -> dict[str, object]:
    """The columns of the clean lines (docs/ARCHITECTURE.md section 2) but ``is_duplicate``;
    ``ids``: the run-wide ids (``_run_ids``)."""

    def text(col: str) -> pa.Array:
        if len(parts) == 1:
            return _materialize(parts[0].text[col])
        if not parts:
            return iff.empty_strings(0)
        return pa.concat_arrays([_materialize(p.text[col]).cast(pa.large_string()) for p in parts])

    files = (iff.repeated_string(parts[0].file, n) if len(parts) == 1 else pa.concat_arrays(
        [iff.repeated_string(p.file, len(p.rows)) for p in parts]))  # fmt: skip
    return {
        "source_file": files,
        "source_row": _concat([p.rows for p in parts], np.int64),
        "provider_id": text("provider_id"),
        "provider_name": text("provider_name"),
        "date_of_service": _nanoseconds(dates),
        "hcpcs": text("hcpcs"),
        "modifiers": text("modifiers"),
        "units": units,
        "pos": text("pos"),
        "locality": text("locality"),
        "zip": text("zip"),
        **dict(zip(("encounter_key", "patient_key"),
                   _grouping_keys(text("encounter_id"), text("patient_ref"),
                                  (ids.get("encounter_id"), ids.get("patient_ref"))), strict=True)),
        "reject_reason": _sparse_text(n, {k: v[0] for k, v in rejects.items()}),
        "reject_column": _sparse_text(n, {k: v[1] for k, v in rejects.items()}),
        "reject_kind": _sparse_text(n, {k: v[2] for k, v in rejects.items()}),
        "zero_reason": _sparse_text(n, netted),
        "line_note": _sparse_text(n, unit_notes),
    }  # fmt: skip


def _export_shapes(raw: _Raw, roles: _Roles, used: dict[str, str]) -> None:
    """Ledger rows that are not charges out, modifiers attached to codes split off
    (see rvubench.ingest.shapes)."""
    tx = roles.index.pop("transaction_type", None)
    if tx is not None and raw.columns[tx] is not None and len(raw.rows):
        bad, _types = shapes.non_charge_mask(raw.columns[tx])
        if bad.any():
            values = raw.columns[tx]
            values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
            kinds = [" ".join(str(v).split()) for v in values.filter(pa.array(bad)).to_pylist()]
            for row, kind in zip(raw.rows[bad].tolist(), kinds, strict=True):
                raw.skipped.append((int(row), f"not a charge: transaction type {kind!r}"))
            keep = pa.array(~bad)
            raw.columns = [c.filter(keep) if c is not None else None for c in raw.columns]
            raw.rows = raw.rows[~bad]
            raw.warnings.append(shapes.ledger_note(raw.name, raw.header[tx], Counter(kinds)))
        used["transaction_type"] = raw.header[tx]
    code_i = roles.index["hcpcs"]
    split = shapes.attached_modifier_column(raw.columns[code_i]) if len(raw.rows) else None
    if split is not None:
        raw.columns[code_i] = split[0]
        raw.columns.append(split[1])
        raw.header.append(f"{raw.header[code_i]} (modifiers)")
        roles.modifier_cols.insert(0, len(raw.header) - 1)


def read_log(
    paths: Sequence[Path] | Path,
    *,
    mapping: Path | Mapping | None = None,
    sheet: str | None = None,
    net_reversals: bool = False,
) -> IngestResult:
    """Read one or more procedure logs into clean lines (docs/ARCHITECTURE.md section 2).

    Args:
        paths: a file, a folder (all its log files, sorted) or a list of them.
        mapping: a ``--mapping`` TOML file (or an already loaded :class:`Mapping`).
        sheet: XLSX sheet name; default: the first sheet with a log header.
        net_reversals: keep a negative-unit row that matches a charge (same provider, date,
            code and modifiers) as a usable row with negative units, so the pair nets to zero;
            without it every negative-unit row is rejected as a reversal.

    Raises:
        InputFileError: a file is missing, empty, binary, damaged or has no log header.
        MissingColumnsError: required columns cannot be found (the message lists the
            columns found, those needed and how to map them).
    """
    files = expand_paths(paths)
    mp = Mapping.load(mapping) if isinstance(mapping, str | Path) else mapping
    parts: list[_Part] = []
    used: dict[str, str] = {}
    dropped: list[str] = []
    ignored: list[str] = []
    skipped: list[tuple[str, int, str]] = []
    warnings: list[str] = []
    grouped: dict[str, str] = {}
    sheets: dict[str, str] = {}
    unused: list[str] = []
    ids = _Ids()
    for path in files:
        raw = read_raw(path, mapping=mp, sheet=sheet)
        if raw.sheet:
            sheets[str(path)] = raw.sheet
        _check_mapping_headers(raw, mp)
        roles = _Roles(raw.header, mp)
        aggregated = shapes.aggregated_problem(
            raw.name, raw.header, "date_of_service" in roles.found
        )
        if aggregated:
            raise InputFileError(aggregated)
        missing = [c for c in REQUIRED if c not in roles.found]
        if missing:
            raise _missing_error(raw, missing)
        _export_shapes(raw, roles, used)
        unused += shapes.unused_column_notes(
            raw.name, roles.ignored, roles.used(), [raw.header[i] for i in roles.modifier_cols]
        )
        parts.append(_clean(raw, roles, mp, ids))
        for canon, header in roles.used().items():
            prev = used.get(canon)
            used[canon] = header if prev in (None, header) else f"{prev} | {header}"
        dropped += [h for h in roles.dropped if h not in dropped]
        for canon, what in (("patient_ref", "patient"), ("encounter_id", "encounter")):
            if canon in roles.index:
                grouped.setdefault(what, raw.header[roles.index[canon]])
        ignored += [h for h in roles.ignored if h not in ignored]
        skipped += [(raw.name, row, why) for row, why in sorted(raw.skipped)]
        warnings += raw.warnings
    warnings = unused + warnings
    lines, rejected = _assemble(parts, net_reversals)
    return IngestResult(
        lines=lines,
        rows_read=len(lines),
        rows_rejected=rejected,
        columns_used=used,
        columns_dropped=dropped,
        columns_ignored=ignored,
        skipped_rows=skipped,
        warnings=warnings,
        files=[str(p) for p in files],
        net_reversals=net_reversals,
        unused_columns=unused,
        grouped_by=grouped,
        sheets=sheets,
    )
