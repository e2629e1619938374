"""Normalizers for single cell values of a procedure log (pure, no I/O).

Each normalizer takes the cell text as read (already a ``str``; XLSX numbers and dates are
turned into text by the reader, see :func:`cell_text`) and returns ``(value, problem)``:
``problem`` is ``None`` when the value is usable, else the end of a rejection message such as
``"'13/45/2026' is not a date"``; the reader prefixes file, row and column.

They are applied once per distinct value of a column, so they can afford to be thorough.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from functools import cache

from rvubench.resources import data_dir

HCPCS_RE = re.compile(r"^[A-Z0-9][0-9]{3}[A-Z0-9]$")
MODIFIER_RE = re.compile(r"^[A-Z0-9]{2}$")
LOCALITY_RE = re.compile(r"^(\d{5})-?(\d{2})$")
EXCEL_EPOCH = date(1899, 12, 30)
# Excel serial numbers 10958..73050 = 1930-01-01..2099-12-31
SERIAL_MIN, SERIAL_MAX = 10958, 73050
YEAR_MIN, YEAR_MAX = 1930, 2099
NEGATIVE_UNITS = "negative units"

_US_DATE_RE = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{2}|\d{4})$")
_ISO_DATE_RE = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_US_TIME_TAIL_RE = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?$")
_NUMBER_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_TEXT_DATE_FORMATS = ("%d-%b-%Y", "%d-%b-%y", "%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y")


def _q(text: str) -> str:
    """Quote a value for a message, shortened if long."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def cell_text(value: object) -> str:
    """Turn a spreadsheet cell (calamine/openpyxl value) into the text a CSV would carry.

    Whole floats lose their ``.0`` (Excel stores 99213 and 2 as floats), dates become ISO,
    datetimes at midnight become ISO dates, empty cells become "".
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):  # a duration cell: keep as days
        return str(value.days)
    return str(value)


def normalize_code(text: str) -> tuple[str, str | None]:
    """HCPCS/CPT code: trimmed, upper-case, leading zeros kept.

    A purely numeric code of 3 or 4 digits is one whose leading zeros a spreadsheet dropped
    (00100 -> 100); they are restored. Anything that is not 5 letters/digits is rejected.
    """
    code = text.strip().upper()
    if not code:
        return "", "no code (the cell is empty)"
    if code.isdigit() and len(code) in (3, 4):
        code = code.zfill(5)
    if not HCPCS_RE.match(code):
        return (
            code,
            f"{_q(text.strip())} is not a CPT/HCPCS code (5 letters/digits, e.g. 99213, 0001F, G2211)",
        )
    return code, None


def split_modifiers(text: str) -> tuple[list[str], str | None]:
    """Modifiers from one cell: "26,59", "26 59", "-26", "26-59", "26/59", "2659"."""
    raw = text.strip().upper()
    if not raw:
        return [], None
    out: list[str] = []
    for token in re.split(r"[^A-Z0-9]+", raw):
        if not token:
            continue
        if len(token) == 2:
            out.append(token)
        elif len(token) in (4, 6, 8):  # "2659" = 26 + 59, exports that drop separators
            out.extend(token[i : i + 2] for i in range(0, len(token), 2))
        else:
            return [], f"{_q(text.strip())} is not a modifier (two letters/digits, e.g. 26, TC, 59)"
    return out, None


def join_modifiers(parts: list[str]) -> str:
    """Join modifiers with "," keeping the first occurrence of each, in order."""
    seen: list[str] = []
    for p in parts:
        if p not in seen:
            seen.append(p)
    return ",".join(seen)


def normalize_modifiers(text: str) -> tuple[str, str | None]:
    """Modifier cell -> "26,59" (or "")."""
    parts, problem = split_modifiers(text)
    return join_modifiers(parts), problem


def normalize_units(text: str) -> tuple[int, str | None]:
    """Units: "" -> 1; whole numbers >= 1. Returns the int (negative kept) and any problem.

    A negative whole number is returned as is with the problem ``"negative units"`` so the
    caller can treat it as a reversal.
    """
    raw = text.strip().replace(",", "")
    if not raw:
        return 1, None
    if not _NUMBER_RE.match(raw):
        return 0, f"{_q(text.strip())} is not a number of units"
    value = float(raw)
    if not value.is_integer():
        return 0, f"{_q(text.strip())} is not a whole number of units"
    units = int(value)
    if units == 0:
        return 0, "0 units"
    if units < 0:
        return units, NEGATIVE_UNITS
    if units > 9999:
        return 0, f"{_q(text.strip())} units is implausible (more than 9999)"
    return units, None


_POS_CODE_NAME_RE = re.compile(r"^(\d{1,2})\s*[-\u2013:]\s*\D")  # "11 - Office", "22: On Campus..."


def _name_key(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


@cache
def pos_names() -> dict[str, str]:
    """CMS place-of-service names (data/pos_names.csv, from the CMS POS code set) -> code."""
    import csv

    with (data_dir() / "pos_names.csv").open(encoding="utf-8", newline="") as fh:
        return {_name_key(r["name"]): r["pos"] for r in csv.DictReader(fh)}


def normalize_pos(text: str) -> tuple[str, str | None]:
    """Place of service: two digits ("2" -> "02"), "11 - Office", a CMS name ("Office",
    "On Campus-Outpatient Hospital"), or "" when blank."""
    raw = text.strip()
    if not raw:
        return "", None
    if raw.endswith(".0"):
        raw = raw[:-2]
    m = _POS_CODE_NAME_RE.match(raw)
    if m:
        raw = m.group(1)
    if raw.isdigit() and 1 <= len(raw) <= 2 and raw != "0" and raw != "00":
        return raw.zfill(2), None
    named = pos_names().get(_name_key(raw))
    if named:
        return named, None
    return "", (
        f"{_q(text.strip())} is not a place-of-service code (two digits, e.g. 11, 22, or a CMS "
        "name such as Office)"
    )


def normalize_zip(text: str) -> tuple[str, str | None]:
    """ZIP5 from "35203", "35203-1234", "352031234"; 3-4 digits get their zeros back."""
    raw = text.strip()
    if not raw:
        return "", None
    digits = raw.replace("-", "").replace(" ", "")
    if raw.endswith(".0"):
        digits = raw[:-2]
    if digits.isdigit():
        if len(digits) in (5, 9):
            return digits[:5], None
        if len(digits) in (3, 4):
            return digits.zfill(5), None
    return "", f"{_q(raw)} is not a ZIP code"


def normalize_locality(text: str) -> tuple[str, str | None]:
    """CMS locality "MAC-LL" ("1011200" accepted), "national", or ""."""
    raw = text.strip()
    if not raw:
        return "", None
    if raw.lower() == "national":
        return "national", None
    m = LOCALITY_RE.match(raw)
    if m:
        return f"{m.group(1)}-{m.group(2)}", None
    return "", f"{_q(raw)} is not a locality (write MAC-LL, e.g. 10112-00)"


def normalize_text(text: str) -> tuple[str, str | None]:
    """Provider id / name: trimmed, inner whitespace collapsed; whole floats lose ".0"."""
    return " ".join(text.split()), None


def _year4(y: int) -> int:
    return 2000 + y if y < 70 else 1900 + y


def _checked(d: date, text: str) -> tuple[date | None, str | None]:
    if not YEAR_MIN <= d.year <= YEAR_MAX:
        return None, f"{_q(text)} is not a plausible date of service (year {d.year})"
    return d, None


def _parse_us(raw: str, a: int, b: int, y: str) -> tuple[date | None, str | None]:
    """m/d/Y or m/d/yy; a day-first value gets a message saying how to declare it."""
    year = int(y) if len(y) == 4 else _year4(int(y))
    try:
        return _checked(date(year, a, b), raw)
    except ValueError:
        pass
    if a > 12 and b <= 12:
        try:
            date(year, b, a)
        except ValueError:
            return None, f"{_q(raw)} is not a date"
        return None, (
            f"{_q(raw)} is not a date in month/day/year order (it looks day-first; "
            'set date_format = "%d/%m/%Y" in a --mapping file)'
        )
    return None, f"{_q(raw)} is not a date"


def _parse_iso(raw: str, m: re.Match[str]) -> tuple[date | None, str | None]:
    """Y-m-d (the groups of ``_ISO_DATE_RE``)."""
    try:
        return _checked(date(int(m.group(1)), int(m.group(2)), int(m.group(3))), raw)
    except ValueError:
        return None, f"{_q(raw)} is not a date"


def _parse_number_date(raw: str) -> tuple[date | None, str | None]:
    """A number: YYYYMMDD when it has 8 digits, else an Excel date serial number."""
    if len(raw) == 8 and raw.isdigit():  # 20260701
        try:
            return _checked(datetime.strptime(raw, "%Y%m%d").date(), raw)
        except ValueError:
            return None, f"{_q(raw)} is not a date"
    serial = float(raw)
    if SERIAL_MIN <= serial <= SERIAL_MAX:
        return EXCEL_EPOCH + timedelta(days=int(serial)), None
    return None, f"{_q(raw)} is not a date (not an Excel date serial number either)"


def parse_date(text: str, date_format: str | None = None) -> tuple[date | None, str | None]:
    """Date of service from ISO, US m/d/Y or m/d/yy, Excel serial numbers, or datetimes.

    US month/day order comes first (this is a US fee schedule); a value that only makes sense
    day-first (``25/12/2026``) is rejected with a hint to declare ``date_format`` in a
    ``--mapping`` file. ``date_format`` (strptime syntax) is tried before everything else.
    """
    raw = text.strip()
    if not raw:
        return None, "no date (the cell is empty)"
    if date_format:
        try:
            return _checked(datetime.strptime(raw, date_format).date(), raw)
        except ValueError:
            pass
    m = _ISO_DATE_RE.match(raw)
    if m:
        return _parse_iso(raw, m)
    m = _US_DATE_RE.match(_US_TIME_TAIL_RE.sub("", raw))
    if m:
        return _parse_us(raw, int(m.group(1)), int(m.group(2)), m.group(3))
    if _NUMBER_RE.match(raw):
        return _parse_number_date(raw)
    for fmt in _TEXT_DATE_FORMATS:
        try:
            return _checked(datetime.strptime(raw, fmt).date(), raw)
        except ValueError:
            continue
    return None, f"{_q(raw)} is not a date"
