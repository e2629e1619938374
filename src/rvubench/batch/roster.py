"""Read a department roster (CSV/TSV/XLSX) into a checked DataFrame.

Columns: ``provider_id, name, specialty, clinical_fte, total_fte,
total_compensation, locality``; only ``provider_id`` and ``specialty`` are required. Headers
are matched loosely (``Provider ID``, ``NPI``, ``Clinical FTE``, ``Total Comp`` ...), title
rows above the header and blank rows are skipped, and every bad value is reported with
file, row (as a spreadsheet shows it) and column.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from rvubench.benchmarks.compensation import parse_comp_model
from rvubench.errors import InputFileError, MissingColumnsError, RvubenchError
from rvubench.ingest import values as iv
from rvubench.ingest.log import normalize_header, read_table_text

ROSTER_COLUMNS = ("provider_id", "name", "specialty", "clinical_fte", "total_fte",
                  "total_compensation", "locality", "comp_model", "region", "kind",
                  "like_for_like")  # fmt: skip
REQUIRED = ("provider_id", "specialty")
ALIASES: dict[str, tuple[str, ...]] = {
    "provider_id": ("provider id", "provider", "npi", "provider npi", "clinician id",
                    "physician id", "id", "rendering provider id", "rendering provider"),
    "name": ("name", "provider name", "clinician", "clinician name", "physician",
             "physician name", "full name", "doctor"),
    "specialty": ("specialty", "speciality", "specialty name", "benchmark specialty",
                  "mgma specialty", "survey specialty"),
    "clinical_fte": ("clinical fte", "cfte", "clin fte", "fte", "fte clinical"),
    "total_fte": ("total fte", "tfte", "fte total", "paid fte"),
    "total_compensation": ("total compensation", "total comp", "compensation", "tcc",
                           "total cash compensation", "comp", "salary", "annual compensation"),
    "locality": ("locality", "mac locality", "cms locality", "payment locality"),
    # per-clinician report options (batch's command-line values are the default)
    "comp_model": ("comp model", "comp models", "compensation model", "compensation models",
                   "pay model", "scenario", "scenarios"),
    "region": ("region", "benchmark region", "survey region"),
    "kind": ("kind", "report kind", "report"),
    "like_for_like": ("like for like", "like-for-like", "like_for_like"),
}  # fmt: skip
FTE_MAX = 1.5
FTE_MIN = 0.01  # below this an FTE divides wRVUs into overflow, not a benchmark
MONEY_MAX = 1e9  # a year's compensation above this is a typo (or an attack), not a salary
_LOOKUP = {normalize_header(a): canon for canon, names in ALIASES.items() for a in names}
_MONEY_RE = re.compile(r"^\$?\s*-?[\d,]+(\.\d+)?$")


def _roles(header: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, cell in enumerate(header):
        canon = _LOOKUP.get(normalize_header(cell))
        if canon and canon not in out:
            out[canon] = i
    return out


def _score(cells: list[str]) -> int:
    roles = _roles([str(c) for c in cells])
    return len(roles) if all(r in roles for r in REQUIRED) else 0


def _fte(text: str) -> tuple[float | None, str | None]:
    raw = text.strip()
    if not raw:
        return None, None
    pct = raw.endswith("%")
    try:
        value = float(raw.rstrip("%").strip())
    except ValueError:
        return None, f"{raw!r} is not an FTE (a number such as 1.0 or 0.8)"
    if pct:
        value /= 100
    if not FTE_MIN <= value <= FTE_MAX:  # also refuses nan and inf
        return None, f"{raw!r} is not an FTE between {FTE_MIN} and {FTE_MAX}"
    return value, None


def _money(text: str) -> tuple[float | None, str | None]:
    raw = text.strip()
    if not raw:
        return None, None
    if not _MONEY_RE.match(raw):
        return None, f"{raw!r} is not an amount of money (e.g. 265000 or $265,000)"
    digits = raw.replace("$", "").replace(",", "").strip()
    if not any(ch.isdigit() for ch in digits):  # "$," or "-"
        return None, f"{raw!r} is not an amount of money (e.g. 265000 or $265,000)"
    value = float(digits)
    if value > MONEY_MAX:
        return None, f"{raw!r} is more than {MONEY_MAX:,.0f}"
    if value < 0:
        return None, f"{raw!r} is negative"
    return value, None


class _Row:
    """One roster row's cells, read by canonical column, and its error messages."""

    def __init__(self, name, header, roles, row_no, cells):
        self.name, self.header, self.roles = name, header, roles
        self.row_no, self.cells = row_no, cells

    def cell(self, canon: str) -> str:
        i = self.roles.get(canon)
        return self.cells[i].strip() if i is not None and i < len(self.cells) else ""

    def words(self, canon: str) -> str:
        """The cell trimmed, inner whitespace collapsed."""
        return " ".join(self.cell(canon).split())

    def fail(self, canon: str, problem: str) -> InputFileError:
        return InputFileError(
            f"{self.name} row {self.row_no}, column {canon} "
            f"({self.header[self.roles[canon]]!r}): {problem}"
        )

    def value(self, canon: str, parse):
        """``parse(cell)`` returns (value, problem); a problem raises."""
        value, problem = parse(self.cell(canon))
        if problem:
            raise self.fail(canon, problem)
        return value


def _provider_id(row: _Row, seen: dict[str, int]) -> str:
    """The provider id, required and unique in the file (case-insensitive)."""
    pid = row.words("provider_id")
    if not pid:
        raise row.fail("provider_id", "no provider id (the cell is empty)")
    if pid.casefold() in seen:
        raise row.fail("provider_id", f"{pid!r} is already on row {seen[pid.casefold()]}")
    seen[pid.casefold()] = row.row_no
    return pid


def _specialty(row: _Row) -> str:
    specialty = row.words("specialty")
    if not specialty:
        raise row.fail("specialty", "no specialty (the cell is empty)")
    return specialty


def _comp_models(row: _Row) -> str:
    """The compensation models (split on ``;`` or ``|``), each checked, joined by "; "."""
    models = tuple(m.strip() for m in re.split(r"[;|]", row.cell("comp_model")) if m.strip())
    for text in models:
        try:
            parse_comp_model(text)
        except RvubenchError as exc:
            raise row.fail("comp_model", str(exc)) from None
    return "; ".join(models)


def _kind(row: _Row) -> str:
    kind = row.cell("kind").lower()
    if kind and kind not in ("productivity", "contract"):
        raise row.fail("kind", f"{row.cell('kind')!r} is not productivity or contract")
    return kind


def _like_for_like(row: _Row) -> str:
    """ "yes", "no" or "" (blank) from any of the accepted yes/no spellings."""
    lfl = row.cell("like_for_like").lower()
    if lfl and lfl not in _YES + _NO:
        raise row.fail("like_for_like", f"{row.cell('like_for_like')!r} is not yes or no")
    return "" if not lfl else ("yes" if lfl in _YES else "no")


def _parse_row(name, header, roles, row_no, cells, seen) -> dict[str, object]:
    """One roster row, checked; the first bad value raises with file, row and column."""
    row = _Row(name, header, roles, row_no, cells)
    rec: dict[str, object] = {"source_row": row_no}
    rec["provider_id"] = _provider_id(row, seen)
    rec["specialty"] = _specialty(row)
    rec["name"] = row.words("name")
    for canon in ("clinical_fte", "total_fte"):
        rec[canon] = row.value(canon, _fte)
    rec["total_compensation"] = row.value("total_compensation", _money)
    rec["locality"] = row.value("locality", iv.normalize_locality)
    rec["comp_model"] = _comp_models(row)
    rec["region"] = row.words("region")
    rec["kind"] = _kind(row)
    rec["like_for_like"] = _like_for_like(row)
    return rec


_YES = ("yes", "y", "true", "1", "on")
_NO = ("no", "n", "false", "0", "off")


def read_roster(path: Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read and check a roster.

    Returns:
        One row per clinician, columns :data:`ROSTER_COLUMNS` (text as ``str``; FTEs and
        compensation as float, NaN when blank; ``total_fte`` defaults to ``clinical_fte``
        only in the batch, not here), plus ``source_row``.

    Raises:
        InputFileError: unreadable, empty or binary file, or a bad value (file, row, column).
        MissingColumnsError: no ``provider_id``/``specialty`` header (lists what was found).
    """
    try:
        name, header_row, header, rows = read_table_text(
            Path(path), is_header=_score, what="roster", sheet=sheet
        )
    except MissingColumnsError as exc:
        raise MissingColumnsError(
            f"{exc}; a roster needs the columns provider_id and specialty (optional: name, "
            "clinical_fte, total_fte, total_compensation, locality)"
        ) from None
    roles = _roles(header)
    records = []
    seen: dict[str, int] = {}
    for row_no, cells in rows:
        cells = [str(c) for c in cells]
        if any(c.strip() for c in cells):
            records.append(_parse_row(name, header, roles, row_no, cells, seen))
    if not records:
        raise InputFileError(
            f"{name}: the roster has a header (row {header_row}) but no clinicians"
        )
    frame = pd.DataFrame.from_records(records, columns=[*ROSTER_COLUMNS, "source_row"])
    for c in ("provider_id", "name", "specialty", "locality"):
        frame[c] = frame[c].astype("str")
    for c in ("clinical_fte", "total_fte", "total_compensation"):
        frame[c] = frame[c].astype("float64")
    frame["source_row"] = frame["source_row"].astype("int64")
    return frame
