"""The CMS Medicare Physician Fee Schedule: RVU releases, GPCIs, conversion factors, ZIPs.

Transformations include:

* Reading CMS's own PPRRVU files (CSV or XLSX, any year) the way CMS publishes them:
  banner lines, a header stacked over up to five rows, repeated header words. Columns are
  found by their combined header text, not by position, because the layout moves between
  years (2026 added ``PRIC IND`` between ``TEAM SURG`` and ``ENDO BASE``). A file whose
  header lacks a needed column fails with the names of the missing columns.
* Loading the bundled releases (RVU25D, RVU26C) and GPCIs (2025, 2026) built from the
  official files by ``scripts/build_cms_data.py``. CPT and CDT descriptors are AMA/ADA
  copyright and are not shipped; HCPCS Level II descriptions are public and are kept. A
  user's own CMS download (``--fee-schedule``) brings its descriptions with it.
* Choosing, for every date of service, the release in effect on that date, and saying so
  when the loaded releases do not cover it.
* Resolving a ZIP code to its CMS payment locality with CMS's ZIP5 file.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from rvubench.errors import FeeScheduleError, UnknownLocalityError
from rvubench.readers import text as rtext
from rvubench.resources import data_dir
from rvubench.workbook import open_workbook

# Conversion factors that are not (or not only) in the files. The PPRRVU file carries one CF
# per row: the non-QP file carries the non-QP CF. 2026 is the first year with two CFs.
NON_QP_CF: dict[int, Decimal] = {2025: Decimal("32.3465"), 2026: Decimal("33.4009")}
QP_CF: dict[int, Decimal] = {2026: Decimal("33.5675")}

# Quarterly releases: the letter CMS uses and the first month the release is in effect.
RELEASE_MONTHS = {"JANUARY": ("A", 1), "APRIL": ("B", 4), "JULY": ("C", 7), "OCTOBER": ("D", 10)}
_MONTH_ABBR = {"JAN": "JANUARY", "APR": "APRIL", "JUL": "JULY", "OCT": "OCTOBER"}

# Canonical column -> accepted combined header texts (upper case, single spaces, "- " -> "-").
RVU_COLUMNS: dict[str, tuple[str, ...]] = {
    "hcpcs": ("HCPCS",),
    "mod": ("MOD",),
    "description": ("DESCRIPTION",),
    "status": ("STATUS CODE",),
    "not_used_for_payment": ("NOT USED FOR MEDICARE PAYMENT", "MEDICARE PAYMENT"),
    "work_rvu": ("WORK RVU",),
    "pe_nf": ("NON-FAC PE RVU",),
    "nf_na": ("NON-FAC NA INDICATOR",),
    "pe_f": ("FACILITY PE RVU",),
    "f_na": ("FACILITY NA INDICATOR",),
    "mp_rvu": ("MP RVU",),
    "total_nf": ("NON-FACILITY TOTAL",),
    "total_f": ("FACILITY TOTAL",),
    "pctc": ("PCTC IND",),
    "global_days": ("GLOB DAYS",),
    "pre_op": ("PRE OP",),
    "intra_op": ("INTRA OP",),
    "post_op": ("POST OP",),
    "mult_proc": ("MULT PROC",),
    "bilat": ("BILAT SURG",),
    "asst": ("ASST SURG",),
    "co_surg": ("CO-SURG",),
    "team_surg": ("TEAM SURG",),
    "pric_ind": ("PRIC IND",),
    "endo_base": ("ENDO BASE",),
    "conv_factor": ("CONV FACTOR",),
    "phys_supervision": ("PHYSICIAN SUPERVISION OF DIAGNOSTIC PROCEDURES", "DIAGNOSTIC PROCEDURES"),
    "calc_flag": ("CALCULATION FLAG",),
    "imaging_family": ("DIAGNOSTIC IMAGING FAMILY INDICATOR", "FAMILY INDICATOR"),
    "opps_pe_nf": ("NON-FACILITY PE USED FOR OPPS PAYMENT AMOUNT",),
    "opps_pe_f": ("FACILITY PE USED FOR OPPS PAYMENT AMOUNT",),
    "opps_mp": ("MP USED FOR OPPS PAYMENT AMOUNT",),
}
# Columns a file may lack (the 2025 layout has no PRIC IND; OPPS columns are optional inputs).
OPTIONAL_RVU_COLUMNS = {
    "pric_ind",
    "phys_supervision",
    "calc_flag",
    "imaging_family",
    "opps_pe_nf",
    "opps_pe_f",
    "opps_mp",
    "not_used_for_payment",
    "description",
}
NUMERIC_RVU_COLUMNS = (
    "work_rvu",
    "pe_nf",
    "pe_f",
    "mp_rvu",
    "total_nf",
    "total_f",
    "pre_op",
    "intra_op",
    "post_op",
    "conv_factor",
    "opps_pe_nf",
    "opps_pe_f",
    "opps_mp",
)
TEXT_RVU_COLUMNS = tuple(
    c
    for c in RVU_COLUMNS
    if c not in NUMERIC_RVU_COLUMNS and c not in ("nf_na", "f_na", "not_used_for_payment")
)
BOOL_RVU_COLUMNS = ("not_used_for_payment", "nf_na", "f_na")
ROW_COLUMNS = ("hcpcs", "mod", *[c for c in RVU_COLUMNS if c not in ("hcpcs", "mod")])

GPCI_COLUMNS = (
    "mac",
    "locality_number",
    "state",
    "name",
    "gpci_work",
    "gpci_work_nofloor",
    "gpci_pe",
    "gpci_mp",
)


@dataclass(frozen=True)
class Release:
    """One CMS PPRRVU release (a quarterly file), with the dates it is in effect."""

    release_id: str
    year: int
    effective_from: date
    effective_to: date
    conversion_factor: Decimal
    source: str
    rows: pd.DataFrame
    released: str = ""
    qp_file: bool = False

    def covers(self, d: date) -> bool:
        return self.effective_from <= d <= self.effective_to

    @property
    def label(self) -> str:
        return f"{self.release_id} ({self.effective_from:%Y-%m-%d} to {self.effective_to:%Y-%m-%d})"


@dataclass(frozen=True)
class ZipResolution:
    """A ZIP code resolved to its CMS payment locality."""

    zip_code: str
    locality: str
    state: str
    plus4_split: bool
    note: str


# --------------------------------------------------------------------------- reading CMS files


def _norm_header(text: str) -> str:
    t = re.sub(r"\s+", " ", str(text).strip().upper())
    return t.replace("- ", "-")


def _grid_from_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    if rtext.is_binary(raw, 4096):
        raise FeeScheduleError(f"{path.name}: not a text CSV file (binary content)")
    text = rtext.decode_bytes(raw, path.name, error=FeeScheduleError).text
    return [list(r) for r in csv.reader(io.StringIO(text))]


def _grid_from_xlsx(path: Path, sheet: str | None = None) -> list[list[str]]:
    wb = open_workbook(path, error=FeeScheduleError)
    names = wb.sheets
    for name in [sheet] if sheet else wb.visible:
        if name not in names:
            raise FeeScheduleError(f"{path.name}: no sheet {name!r}; sheets: {', '.join(names)}")
        grid = [[_xlsx_cell(v) for v in row] for row in wb.grid(name, skip_empty_area=True)]
        if _find_header_row(grid) is not None:
            return grid
    raise FeeScheduleError(f"{path.name}: no sheet has a PPRRVU header row starting with 'HCPCS'")


def _xlsx_cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".") if not v.is_integer() else str(int(v))
    return str(v)


def _find_header_row(grid: list[list[str]]) -> int | None:
    for i, row in enumerate(grid[:40]):
        if row and str(row[0]).strip().upper() == "HCPCS":
            return i
    return None


_BANNER = re.compile(r"RELEASED|COPYRIGHT|RELATIVE VALUE FILE|AMERICAN")


def _combined_headers(grid: list[list[str]], hdr: int) -> list[str]:
    width = len(grid[hdr])
    parts: list[list[str]] = [[] for _ in range(width)]
    above = []
    for i in range(hdr - 1, max(-1, hdr - 5), -1):
        row = grid[i]
        if any(_BANNER.search(str(c).upper()) for c in row):
            break
        above.append(row)
    for row in reversed(above):
        for j in range(width):
            cell = str(row[j]).strip() if j < len(row) else ""
            if cell:
                parts[j].append(cell)
    for j in range(width):
        parts[j].append(str(grid[hdr][j]).strip())
    return [_norm_header(" ".join(p)) for p in parts]


def _banner_text(grid: list[list[str]], hdr: int) -> str:
    return " ".join(str(c) for row in grid[:hdr] for c in row if str(c).strip())


def _identify_release(path: Path, banner: str, cf: Decimal) -> tuple[str, int, date, str, bool]:
    """Release id, year, effective-from date, released date and QP flag from banner/file name."""
    up = banner.upper()
    year = month = None
    m = re.search(r"(20\d\d) NATIONAL PHYSICIAN FEE SCHEDULE RELATIVE VALUE FILE (\w+) RELEASE", up)
    if m:
        year, month = int(m.group(1)), m.group(2)
    fm = re.search(r"PPRRVU(\d{2,4})_?([A-Z]{3})?", path.name.upper())
    if year is None and fm:
        y = fm.group(1)
        year = int(y) if len(y) == 4 else 2000 + int(y)
        month = _MONTH_ABBR.get(fm.group(2) or "")
    if year is None:
        raise FeeScheduleError(
            f"{path.name}: cannot tell which year this fee schedule is for: the banner has no "
            "'<year> National Physician Fee Schedule Relative Value File <Month> Release' line and "
            "the file name is not like PPRRVU2026_Jul_nonQPP.csv. Rename the file to CMS's name."
        )
    letter, first_month = RELEASE_MONTHS.get(month or "JANUARY", ("A", 1))
    rel = re.search(r"RELEASED (\d{2}/\d{2}/\d{4})", up)
    name = path.name.upper()
    qp = ("_QPP" in name and "NONQPP" not in name) or cf == QP_CF.get(year)
    return (
        f"RVU{year % 100:02d}{letter}",
        year,
        date(year, first_month, 1),
        (rel.group(1) if rel else ""),
        qp,
    )


def _rows_frame(grid: list[list[str]], hdr: int, headers: list[str], path: Path) -> pd.DataFrame:
    lookup = {h: j for j, h in enumerate(headers) if h}
    index: dict[str, int] = {}
    for canon, names in RVU_COLUMNS.items():
        for n in names:
            if n in lookup:
                index[canon] = lookup[n]
                break
    missing = [c for c in RVU_COLUMNS if c not in index and c not in OPTIONAL_RVU_COLUMNS]
    if missing:
        wanted = ", ".join(f"{c} ('{RVU_COLUMNS[c][0]}')" for c in missing)
        found = ", ".join(h for h in headers if h)
        raise FeeScheduleError(
            f"{path.name}: not a CMS PPRRVU layout rvubench can read: missing column(s) {wanted}. "
            f"Columns found: {found}"
        )
    data = [r for r in grid[hdr + 1 :] if r and str(r[0]).strip()]
    out: dict[str, list] = {}
    for canon in ROW_COLUMNS:
        j = index.get(canon)
        out[canon] = [str(r[j]).strip() if j is not None and j < len(r) else "" for r in data]
    frame = pd.DataFrame(out)
    return _type_rows(frame, path)


def _type_rows(frame: pd.DataFrame, path: Path | str) -> pd.DataFrame:
    name = Path(str(path)).name
    frame = frame.copy()
    frame["hcpcs"] = frame["hcpcs"].str.strip().str.upper()
    frame["mod"] = frame["mod"].fillna("").str.strip().str.upper()
    for c in NUMERIC_RVU_COLUMNS:
        col = frame[c].replace({"": "0", "NA": "0"}).fillna("0")
        num = pd.to_numeric(col, errors="coerce")
        bad = num.isna()
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise FeeScheduleError(
                f"{name}: column {c} holds a non-number {frame[c].iloc[i]!r} "
                f"(code {frame['hcpcs'].iloc[i]})"
            )
        frame[c] = num.astype("float64")
    for c in BOOL_RVU_COLUMNS:
        v = frame[c].fillna("").astype(str).str.strip().str.upper()
        frame[c] = v.isin(["NA", "+", "TRUE", "1"])
    for c in TEXT_RVU_COLUMNS:
        frame[c] = frame[c].fillna("").astype(str).str.strip()
    frame["global_days"] = (
        frame["global_days"]
        .str.zfill(3)
        .where(frame["global_days"].str.isdigit(), frame["global_days"])
    )
    dup = frame.duplicated(["hcpcs", "mod"])
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise FeeScheduleError(
            f"{name}: code {frame['hcpcs'].iloc[i]} modifier {frame['mod'].iloc[i]!r} appears twice; "
            "CMS files have one row per code and modifier"
        )
    return frame.reset_index(drop=True)


def read_cms_rvu_file(path: Path, sheet: str | None = None) -> Release:
    """Read an official CMS PPRRVU file (CSV or XLSX) into a :class:`Release`.

    Columns are located by their combined (stacked) header text. Descriptions are kept: the
    user downloaded the file from CMS under CMS's terms.
    """
    path = Path(path)
    if not path.is_file():
        raise FeeScheduleError(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        grid = _grid_from_xlsx(path, sheet)
    else:
        grid = _grid_from_csv(path)
    hdr = _find_header_row(grid)
    if hdr is None:
        raise FeeScheduleError(
            f"{path.name}: no header row starting with 'HCPCS' in the first 40 lines; "
            "this does not look like a CMS PPRRVU file"
        )
    headers = _combined_headers(grid, hdr)
    rows = _rows_frame(grid, hdr, headers, path)
    if rows.empty:
        raise FeeScheduleError(f"{path.name}: the header was found but no data rows follow it")
    cfs = rows["conv_factor"].round(4).unique()
    cf = Decimal(f"{cfs[0]:.4f}") if len(cfs) else Decimal(0)
    rid, year, start, released, qp = _identify_release(path, _banner_text(grid, hdr), cf)
    return Release(
        release_id=rid,
        year=year,
        effective_from=start,
        effective_to=date(year, 12, 31),
        conversion_factor=cf,
        source=str(path),
        rows=rows,
        released=released,
        qp_file=qp,
    )


def read_cms_gpci_file(path: Path, year: int) -> pd.DataFrame:
    """Read a CMS GPCI file (official layout with title rows, or a flat one) by header names."""
    path = Path(path)
    grid = _grid_from_csv(path)
    hdr = next(
        (i for i, r in enumerate(grid[:20]) if r and "CONTRACTOR" in _norm_header(r[0])), None
    )
    if hdr is None:
        raise FeeScheduleError(
            f"{path.name}: no GPCI header row (first column 'Medicare Administrative Contractor')"
        )
    heads = [_norm_header(h) for h in grid[hdr]]

    def col(*needles: str, exclude: str | None = None) -> int | None:
        for j, h in enumerate(heads):
            if all(n in h for n in needles) and (exclude is None or exclude not in h):
                return j
        return None

    idx = {
        "mac": col("CONTRACTOR"),
        "state": col("STATE"),
        "locality_number": col("LOCALITY NUMBER"),
        "name": col("LOCALITY NAME"),
        "gpci_work": col("PW GPCI", "WITH 1.0 FLOOR", exclude="WITHOUT"),
        "gpci_work_nofloor": col("PW GPCI", "WITHOUT"),
        "gpci_pe": col("PE GPCI"),
        "gpci_mp": col("MP GPCI"),
    }
    missing = [k for k, v in idx.items() if v is None and k != "gpci_work_nofloor"]
    if missing:
        raise FeeScheduleError(
            f"{path.name}: GPCI column(s) missing: {', '.join(missing)}; found: {', '.join(heads)}"
        )
    mac_col = idx["mac"]
    assert mac_col is not None  # a missing CONTRACTOR column was reported just above
    recs = []
    for r in grid[hdr + 1 :]:
        if len(r) < len(heads) or not re.fullmatch(r"\d{5}", str(r[mac_col]).strip()):
            continue  # footnotes, blank lines
        rec = {k: (str(r[j]).strip() if j is not None else "") for k, j in idx.items()}
        recs.append(rec)
    g = pd.DataFrame(recs)
    g["locality_number"] = g["locality_number"].str.zfill(2)
    g["name"] = g["name"].str.rstrip("*").str.strip()
    for c in ("gpci_work", "gpci_work_nofloor", "gpci_pe", "gpci_mp"):
        g[c] = pd.to_numeric(g[c].replace("", None), errors="coerce").astype("float64")
    g.index = g["mac"] + "-" + g["locality_number"]
    g.index.name = "locality"
    if g.index.duplicated().any():
        raise FeeScheduleError(f"{path.name}: a MAC-locality pair appears twice")
    g["year"] = year
    return g[list(GPCI_COLUMNS) + ["year"]]


# --------------------------------------------------------------------------- bundled data


def _bundle_dir() -> Path:
    return data_dir() / "cms"


@lru_cache(maxsize=1)
def _manifest() -> dict:
    return json.loads((_bundle_dir() / "manifest.json").read_text(encoding="utf-8"))


_TEXT_DTYPES = {c: str for c in (*TEXT_RVU_COLUMNS, "hcpcs", "mod")}
_STR_DTYPE = pd.StringDtype("pyarrow", na_value=float("nan"))  # pandas' "str"


def _bundled_rows(path: Path) -> pd.DataFrame:
    """A bundled release's rows (``scripts/build_cms_data.py`` writes them): text columns as
    ``str``, numbers as float64, flags as bool.

    Read by pyarrow's CSV reader with every column's type given: ~0.04 s a release against
    ~0.09 s for ``pd.read_csv`` with text dtypes and ``to_numeric`` afterwards, on every
    command that prices. The same frame, floats bit for bit (pyarrow rounds decimal text
    correctly; tests/feeschedule compares both readers on every bundled release).
    """
    types = {c: pa.string() for c in (*_TEXT_DTYPES, *BOOL_RVU_COLUMNS)}
    types.update({c: pa.float64() for c in NUMERIC_RVU_COLUMNS})
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types=types, null_values=[], strings_can_be_null=False,
        quoted_strings_can_be_null=False))  # fmt: skip
    rows = table.to_pandas(types_mapper={pa.string(): _STR_DTYPE}.get)
    for c in BOOL_RVU_COLUMNS:
        rows[c] = rows[c].str.upper().isin(["TRUE", "1"])
    return rows


@lru_cache(maxsize=8)
def _bundled_release(release_id: str) -> Release:
    meta = _manifest()["releases"][release_id]
    rows = _bundled_rows(_bundle_dir() / meta["file"])
    return Release(
        release_id=release_id,
        year=int(meta["year"]),
        effective_from=date.fromisoformat(meta["effective_from"]),
        effective_to=date(int(meta["year"]), 12, 31),
        conversion_factor=Decimal(meta["conversion_factor"]),
        source="bundled",
        rows=rows,
        released=meta.get("released", ""),
    )


@lru_cache(maxsize=4)
def _bundled_gpci(year: int) -> pd.DataFrame:
    f = _bundle_dir() / f"gpci{year}.csv"
    g = pd.read_csv(
        f,
        dtype={"mac": str, "locality_number": str, "state": str, "name": str, "locality": str},
        keep_default_na=False,
        na_values=[""],
    )
    g = g.set_index("locality")
    return g


@lru_cache(maxsize=1)
def _zip_table() -> pd.DataFrame:
    z = pd.read_csv(_bundle_dir() / "zip5_locality.csv.gz", dtype=str, keep_default_na=False)
    return z.set_index("zip")


# --------------------------------------------------------------------------- the set


class FeeScheduleSet:
    """All loaded releases (bundled and the user's), GPCIs and conversion factors."""

    def __init__(self, releases: Sequence[Release], gpcis: dict[int, pd.DataFrame]):
        by_key: dict[str, Release] = {}
        for r in releases:  # later entries (user files) replace bundled ones with the same id
            by_key[r.release_id] = r
        ordered = sorted(by_key.values(), key=lambda r: r.effective_from)
        fixed = []
        for i, r in enumerate(ordered):
            nxt = next((o for o in ordered[i + 1 :] if o.year == r.year), None)
            end = nxt.effective_from - timedelta(days=1) if nxt else date(r.year, 12, 31)
            fixed.append(_replace_end(r, end))
        self.releases: list[Release] = fixed
        self._by_id = {r.release_id: r for r in fixed}
        self._gpcis = gpcis

    @property
    def years(self) -> list[int]:
        return sorted({r.year for r in self.releases})

    def release(self, release_id: str) -> Release:
        return self._by_id[release_id]

    def codes(self) -> set[str]:
        """Every HCPCS code of every loaded release."""
        out: set[str] = set()
        for r in self.releases:
            out.update(r.rows["hcpcs"].unique())
        return out

    def release_for_date(self, d: date, rvu_year: int | None = None) -> tuple[Release, str]:
        """The release to price a date of service on, and a note when it does not cover it."""
        if rvu_year is not None:
            same = [r for r in self.releases if r.year == rvu_year]
            if same:
                return same[-1], ""
            latest = self.releases[-1]
            return latest, (f"no {rvu_year} fee schedule loaded; priced on {latest.release_id}")
        for r in self.releases:
            if r.covers(d):
                return r, ""
        same = [r for r in self.releases if r.year == d.year]
        if same:
            r = same[0]  # the DOS precedes the first loaded release of its year
            return r, (
                f"{r.release_id} is in effect {r.effective_from:%Y-%m-%d} to "
                f"{r.effective_to:%Y-%m-%d} and does not cover DOS {d:%Y-%m-%d} "
                f"(no earlier {d.year} release loaded; add it with --fee-schedule)"
            )
        r = self.releases[0] if d < self.releases[0].effective_from else self.releases[-1]
        return r, (
            f"no {d.year} fee schedule loaded; priced on {r.release_id} ({r.year}); "
            f"add CMS's {d.year} file with --fee-schedule"
        )

    def release_for_dates(
        self, dates: pd.Series, rvu_year: int | None = None
    ) -> tuple[pd.Series, pd.Series]:
        """Vectorized :meth:`release_for_date`: (release id, coverage note) per line.

        Missing dates get the latest release and an empty note (such lines are rejected
        upstream anyway).
        """
        d = pd.to_datetime(dates)
        uniq = d.dropna().unique()
        ids: dict = {}
        notes: dict = {}
        for u in uniq:
            rel, note = self.release_for_date(pd.Timestamp(u).date(), rvu_year)
            ids[u] = rel.release_id
            notes[u] = note
        latest = self.releases[-1].release_id
        rid = d.map(ids).fillna(latest).astype(str)
        nt = d.map(notes).fillna("").astype(str)
        return rid.set_axis(dates.index), nt.set_axis(dates.index)

    def gpci_year_for(self, year: int) -> int:
        """The GPCI year used for a fee-schedule year (itself, else the nearest bundled)."""
        if year in self._gpcis:
            return year
        return min(self._gpcis, key=lambda y: abs(y - year))

    def gpci(self, year: int) -> pd.DataFrame:
        """GPCIs of a year, indexed by locality ``MAC-LL`` (nearest bundled year if absent)."""
        return self._gpcis[self.gpci_year_for(year)]

    def has_locality(self, locality: str, year: int | None = None) -> bool:
        if locality == "national":
            return True
        years = [year] if year is not None else list(self._gpcis)
        return any(locality in self.gpci(y).index for y in years)

    def conversion_factor(self, release_id: str, qp: bool = False) -> Decimal:
        """The PFS conversion factor to use for a release (QP or non-QP)."""
        r = self.release(release_id)
        if qp and r.year in QP_CF:
            return QP_CF[r.year]
        if not qp and r.qp_file:
            return NON_QP_CF.get(r.year, r.conversion_factor)
        return r.conversion_factor


def _replace_end(r: Release, end: date) -> Release:
    from dataclasses import replace

    return replace(r, effective_to=end)


def bundled_release_ids() -> list[str]:
    return list(_manifest()["releases"])


def load_fee_schedules(user_files: Sequence[Path] = ()) -> FeeScheduleSet:
    """The bundled releases plus the user's CMS downloads (a user release replaces a bundled
    release with the same id, e.g. their own RVU26C with descriptions)."""
    return _load(tuple(Path(p) for p in user_files))


@lru_cache(maxsize=8)
def _load(user_files: tuple[Path, ...]) -> FeeScheduleSet:
    releases = [_bundled_release(rid) for rid in bundled_release_ids()]
    releases += [read_cms_rvu_file(p) for p in user_files]
    gpcis = {int(y): _bundled_gpci(int(y)) for y in _manifest()["gpci_years"]}
    return FeeScheduleSet(releases, gpcis)


# --------------------------------------------------------------------------- ZIP codes


def resolve_zip(zip_code: str) -> ZipResolution:
    """Resolve a ZIP (``35203`` or ``35203-1234``) to its CMS payment locality ``MAC-LL``.

    CMS splits some ZIP5 areas across localities by ZIP+4; rvubench ships only the ZIP5 file,
    so for those it uses the ZIP5 locality and says so in ``note``.
    """
    raw = str(zip_code).strip()
    m = re.fullmatch(r"(\d{5})(?:-?(\d{4}))?", raw)
    if not m:
        raise UnknownLocalityError(f"{raw!r} is not a ZIP code (expected 5 digits, or ZIP+4)")
    z5 = m.group(1)
    table = _zip_table()
    if z5 not in table.index:
        raise UnknownLocalityError(
            f"ZIP {z5} is not in CMS's ZIP-to-locality file (October 2025); "
            "give --locality MAC-LL instead"
        )
    rec = table.loc[z5]
    loc = f"{rec['mac']}-{rec['locality']}"
    split = rec["plus4"] == "1"
    note = (
        f"ZIP {z5} is split by ZIP+4 across localities; CMS's ZIP+4 file is not bundled, "
        f"so the ZIP5 locality {loc} is used"
        if split
        else ""
    )
    return ZipResolution(z5, loc, str(rec["state"]), bool(split), note)


def zip_manifest_text() -> str:
    return str(_manifest().get("zip_source", ""))


def open_text_gz(path: Path) -> io.TextIOWrapper:  # pragma: no cover - helper for scripts
    return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
