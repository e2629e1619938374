"""Benchmark tables (MGMA/AMGA/SullivanCotter-style exports) and the benchmark math.

Reading (:func:`load_benchmarks`): tidy or wide layout, CSV/TSV or XLSX (benchmark/FORMAT.md).
Math: :func:`percentile_of` interpolates piecewise-linearly between
all published percentiles and never invents a tail; :func:`value_at` is the inverse.
:func:`benchmark_clinician` puts it together for one clinician and returns a plain
:class:`BenchmarkResult` that the reports read.

Conventions (documented in FORMAT.md and on the report):

- wRVUs are annualized by the days of the *requested* period (365 / days), then divided
  by the clinical FTE.
- ``total_compensation`` is an ANNUAL figure as given by the user: it is never
  annualized, only divided by the total FTE.
- Compensation per wRVU = (compensation / total FTE) / (annualized wRVUs / clinical FTE),
  compared with the survey's own compensation-per-wRVU row (never a median divided by a
  median).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal

from rvubench.benchmarks import compensation as comp
from rvubench.benchmarks.compensation import wrvus_for_percentile
from rvubench.benchmarks.percentiles import (
    PercentileResult,
    percentile_of,
    value_at,
)
from rvubench.benchmarks.periods import Period
from rvubench.errors import (
    BenchmarkError,
    InputFileError,
    MissingColumnsError,
    SpecialtyNotFound,
    UsageProblem,
)
from rvubench.money import to_decimal as _dec
from rvubench.readers import text as rtext
from rvubench.resources import benchmark_dir
from rvubench.textsafe import clean_control
from rvubench.workbook import open_workbook

METRICS = ("wrvu", "total_compensation", "compensation_per_wrvu")
METRIC_LABELS = {
    "wrvu": "work RVUs",
    "total_compensation": "total compensation",
    "compensation_per_wrvu": "compensation per wRVU",
}
# Names accepted for the metric column (tidy) and for the wide-layout prefixes.
METRIC_ALIASES = {
    "wrvu": "wrvu",
    "wrvus": "wrvu",
    "work_rvu": "wrvu",
    "work_rvus": "wrvu",
    "total_compensation": "total_compensation",
    "compensation": "total_compensation",
    "tcc": "total_compensation",
    "total_comp": "total_compensation",
    "comp": "total_compensation",
    "compensation_per_wrvu": "compensation_per_wrvu",
    "comp_per_wrvu": "compensation_per_wrvu",
    "tcc_per_wrvu": "compensation_per_wrvu",
    "cf": "compensation_per_wrvu",
    "comp_to_wrvu": "compensation_per_wrvu",
    # as survey publishers print them (MGMA, AMGA, SullivanCotter, Gallagher, MedAxiom)
    "physician_work_rvus": "wrvu",
    "total_work_rvus": "wrvu",
    "work_rvus_wrvus": "wrvu",
    "total_cash_compensation": "total_compensation",
    "total_cash_compensation_tcc": "total_compensation",
    "total_direct_compensation": "total_compensation",
    "compensation_to_work_rvus_ratio": "compensation_per_wrvu",
    "compensation_to_work_rvu_ratio": "compensation_per_wrvu",
    "compensation_to_wrvu_ratio": "compensation_per_wrvu",
    "compensation_per_work_rvu": "compensation_per_wrvu",
    "compensation_per_work_rvus": "compensation_per_wrvu",
    "tcc_per_work_rvu": "compensation_per_wrvu",
    "tcc_per_wrvu_ratio": "compensation_per_wrvu",
    "comp_per_work_rvu": "compensation_per_wrvu",
    "total_compensation_per_work_rvu": "compensation_per_wrvu",
}
COLUMN_ALIASES = {
    "n": "n_providers",
    "n_incumbents": "n_providers",
    "count": "n_providers",
    "providers": "n_providers",
    "median": "p50",
    "year": "survey_year",
    "survey": "source",
    "url": "source_url",
    "notes": "note",
    # counts, mean, metric and specialty as survey exports head them
    "provider_count": "n_providers",
    "providers_count": "n_providers",
    "incumbents": "n_providers",
    "incumbent_count": "n_providers",
    "no_of_physicians": "n_providers",
    "no_of_providers": "n_providers",
    "number_of_physicians": "n_providers",
    "number_of_providers": "n_providers",
    "num_providers": "n_providers",
    "physicians": "n_providers",
    "physician_count": "n_providers",
    "average": "mean",
    "avg": "mean",
    "measure": "metric",
    "metric_name": "metric",
    "specialty_name": "specialty",
    "subspecialty": "specialty",
    "survey_year_edition": "survey_year",
}
# Percentile headers as surveys print them: "10th %tile", "25th Percentile", "50th %ile",
# bare "25th", "P25" (after _header_key's lower-casing and punctuation to "_").
_PCT_HEADER_RE = re.compile(
    r"^(?:p_?(\d{1,2})(?:th)?|(\d{1,2})(?:st|nd|rd|th)(?:_(?:percentile|pctl|pctile|tile|ile|pct|perc))?"
    r"|(\d{1,2})(?:_percentile|_pctl|_pctile))$"
)
NATIONAL_NAMES = ("national", "all", "all regions", "us", "u.s.", "total")
DEFAULT_REGION = "National"

# Warning thresholds: a period under 90 days or an FTE under 0.75 is "low confidence".
SHORT_PERIOD_DAYS = 28
LOW_FTE = 0.5

_PCT_RE = re.compile(r"^p_?(\d{1,2})(?:th)?$")
_WIDE_RE = re.compile(
    r"^(wrvus?|work_rvus?|tcc|total_compensation|total_comp|comp|compensation|cf|"
    r"comp_per_wrvu|tcc_per_wrvu|compensation_per_wrvu)_(p_?\d{1,2}|median|mean|n|n_providers)$"
)
_TRUE = {"true", "yes", "y", "1", "x", "t"}
_FALSE = {"false", "no", "n", "0", "f", ""}


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class BenchmarkRow:
    """One benchmark cell: a specialty x region x survey year x metric.

    Attributes:
        specialty: as spelled in the file.
        metric: ``wrvu``, ``total_compensation`` or ``compensation_per_wrvu``.
        region: as spelled in the file (``National`` when the file has no region).
        survey_year: the survey edition (e.g. 2025).
        data_year: the year the work was done (default survey_year - 1): selects the RVU
            year for like-for-like comparisons.
        source: the survey or publication the figures come from.
        anchors: published percentiles as ``[(percentile, value), ...]``, sorted by percentile.
        n_providers: number of providers in the cell, if published.
        mean: mean, if published.
        illustrative: the figures are illustrative, not survey data.
        note: free text from the file.
        source_url: where the figures were published, if given.
        file: file name the row was read from.
        row_number: row of that file as a spreadsheet shows it (1-based, header counted).
    """

    specialty: str
    metric: str
    region: str
    survey_year: int
    data_year: int
    source: str
    anchors: list[tuple[int, float]]
    n_providers: int | None = None
    mean: float | None = None
    illustrative: bool = False
    note: str = ""
    source_url: str = ""
    file: str = ""
    row_number: int = 0

    @property
    def n(self) -> int | None:
        """Number of providers (alias of ``n_providers``)."""
        return self.n_providers

    @property
    def lowest_percentile(self) -> int:
        """Lowest published percentile (e.g. 10)."""
        return self.anchors[0][0]

    @property
    def highest_percentile(self) -> int:
        """Highest published percentile (e.g. 90)."""
        return self.anchors[-1][0]

    def value(self, percentile: int) -> float | None:
        """The published value at ``percentile``, None when that percentile is not published."""
        for p, v in self.anchors:
            if p == percentile:
                return v
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe plain dict; ``percentiles`` maps ``"p50"`` -> value."""
        d = asdict(self)
        d["anchors"] = [[p, v] for p, v in self.anchors]
        d["percentiles"] = {f"p{p:02d}" if p < 10 else f"p{p}": v for p, v in self.anchors}
        return d


@dataclass
class BenchmarkTable:
    """All rows of one benchmark file."""

    rows: list[BenchmarkRow]
    path: str = ""
    layout: Literal["tidy", "wide"] = "tidy"

    @property
    def illustrative(self) -> bool:
        """True when any row is illustrative."""
        return any(r.illustrative for r in self.rows)

    @property
    def name(self) -> str:
        """File name of the table (for messages)."""
        return Path(self.path).name if self.path else "benchmark table"

    def specialties(self) -> list[str]:
        """Specialty names as spelled in the file, in file order, without repeats."""
        seen: dict[str, str] = {}
        for r in self.rows:
            seen.setdefault(specialty_key(r.specialty), r.specialty)
        return list(seen.values())

    def rows_for(self, specialty: str) -> list[BenchmarkRow]:
        """Rows of a specialty (matched case- and punctuation-insensitively); [] if none."""
        key = specialty_key(specialty)
        rows = [r for r in self.rows if specialty_key(r.specialty) == key]
        if not rows:  # "Radiology: Interventional" is "Interventional Radiology"
            words = specialty_words(specialty)
            rows = [r for r in self.rows if specialty_words(r.specialty) == words]
        return rows

    def resolve(
        self,
        specialty: str,
        region: str | None = None,
        survey_year: int | None = None,
        source: str | None = None,
    ) -> tuple[str, str, int, str | None]:
        """Pick the specialty spelling, region, survey year and source used for a clinician.

        Region None: ``National`` (or All/US) if present, else the only region, else an error
        listing the regions. Survey year None: the latest year for that specialty and region.

        Returns:
            (specialty as in the file, region as in the file, survey_year, source or None).

        Raises:
            SpecialtyNotFound: no row for the specialty; the message lists close matches.
            BenchmarkError: the region, year or source asked for is not in the file.
        """
        rows = self.rows_for(specialty)
        if not rows:
            raise SpecialtyNotFound(self._not_found_message(specialty))
        spelled = rows[0].specialty
        if source is not None:
            sources = sorted({r.source for r in rows})
            rows = [r for r in rows if _norm(r.source) == _norm(source)]
            if not rows:
                raise BenchmarkError(
                    f"{self.name}: no '{spelled}' rows from source {source!r}; sources: "
                    f"{_list(sources)}"
                )
        regions = sorted({r.region for r in rows})
        if region is None:
            national = [g for g in regions if g.strip().lower() in NATIONAL_NAMES]
            if national:
                chosen_region = national[0]
            elif len(regions) == 1:
                chosen_region = regions[0]
            else:
                raise BenchmarkError(
                    f"{self.name}: '{spelled}' has no national row; choose a region: "
                    f"{_list(regions)}"
                )
        else:
            match = [g for g in regions if _norm(g) == _norm(region)]
            if not match:
                raise BenchmarkError(
                    f"{self.name}: no '{spelled}' rows for region {region!r}; regions in the "
                    f"file: {_list(regions)}"
                )
            chosen_region = match[0]
        rows = [r for r in rows if r.region == chosen_region]
        years = sorted({r.survey_year for r in rows})
        if survey_year is None:
            chosen_year = years[-1]
        elif survey_year in years:
            chosen_year = survey_year
        else:
            raise BenchmarkError(
                f"{self.name}: no '{spelled}' ({chosen_region}) rows for survey year "
                f"{survey_year}; years in the file: {_list(str(y) for y in years)}"
            )
        return spelled, chosen_region, chosen_year, source

    def get(
        self,
        specialty: str,
        metric: str,
        region: str | None = None,
        survey_year: int | None = None,
        source: str | None = None,
    ) -> BenchmarkRow | None:
        """Like :meth:`find` but returns None when the specialty exists without that metric."""
        metric = _metric(metric)
        spelled, reg, year, src = self.resolve(specialty, region, survey_year, source)
        matches = [
            r
            for r in self.rows_for(spelled)
            if r.metric == metric
            and r.region == reg
            and r.survey_year == year
            and (src is None or _norm(r.source) == _norm(src))
        ]
        if not matches:
            return None
        if len({_norm(r.source) for r in matches}) > 1:
            raise BenchmarkError(
                f"{self.name}: '{spelled}' {METRIC_LABELS[metric]} ({reg}, {year}) is given by "
                f"several sources ({_list(r.source for r in matches)}); choose one source"
            )
        return matches[0]

    def find(
        self,
        specialty: str,
        metric: str,
        region: str | None = None,
        survey_year: int | None = None,
        source: str | None = None,
    ) -> BenchmarkRow:
        """The row for a specialty and metric.

        Raises:
            SpecialtyNotFound: unknown specialty (close matches listed).
            BenchmarkError: the specialty has no row for that metric, region or year.
        """
        row = self.get(specialty, metric, region, survey_year, source)
        if row is None:
            spelled, reg, year, _ = self.resolve(specialty, region, survey_year, source)
            have = sorted({r.metric for r in self.rows_for(spelled)})
            raise BenchmarkError(
                f"{self.name}: '{spelled}' ({reg}, {year}) has no {_metric(metric)} row; "
                f"metrics present: {_list(have)}"
            )
        return row

    def _not_found_message(self, specialty: str) -> str:
        names = self.specialties()
        by_key = {specialty_key(n): n for n in names}
        key = specialty_key(specialty)
        inside = [k for k in by_key if len(key) >= 3 and (key in k or k in key)]
        close = difflib.get_close_matches(key, list(by_key), n=5, cutoff=0.6)
        suggestions = [by_key[k] for k in inside + close] + _word_matches(specialty, names)
        suggestions = list(dict.fromkeys(suggestions))[:5]
        if suggestions:
            hint = f"close matches: {_list(suggestions)}"
        else:
            shown = names[:12]
            more = f" (and {len(names) - len(shown)} more)" if len(names) > len(shown) else ""
            hint = f"no close match; specialties in the file: {_list(shown)}{more}"
        return f"specialty {specialty!r} not found in {self.name}; {hint}"


def _list(items: Iterable[Any]) -> str:
    return ", ".join(str(i) for i in items)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", str(text).strip().lower())


def specialty_key(name: str) -> str:
    """Comparison key: case-, space- and punctuation-insensitive ('&' reads as 'and')."""
    text = str(name).casefold().replace("&", " and ")
    return re.sub(r"[^0-9a-z]+", "", text)


def specialty_words(name: str) -> str:
    """Order-free key: the words of a specialty name, sorted ("Radiology, interventional",
    "Radiology - Interventional" and "Interventional Radiology" share it)."""
    text = str(name).casefold().replace("&", " and ")
    return " ".join(sorted(set(re.findall(r"[0-9a-z]+", text))))


def _word_matches(query: str, names: Sequence[str]) -> list[str]:
    words = {w for w in re.split(r"[^0-9a-z]+", query.casefold()) if len(w) >= 4}
    out = []
    for n in names:
        nwords = set(re.split(r"[^0-9a-z]+", n.casefold()))
        if any(difflib.get_close_matches(w, nwords, n=1, cutoff=0.8) for w in words):
            out.append(n)
    return out


def _metric(name: str) -> str:
    key = re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")
    if key in METRIC_ALIASES:
        return METRIC_ALIASES[key]
    raise BenchmarkError(f"metric {name!r} unknown; use one of {_list(METRICS)}")


# --------------------------------------------------------------------------- reading


def load_benchmarks(
    path: Path | str | None = None,
    *,
    sheet: str | None = None,
    survey_year: int | None = None,
    metric: str | None = None,
) -> BenchmarkTable:
    """Read a benchmark table.

    Args:
        path: CSV/TSV/TXT or XLSX file in the tidy or wide layout (benchmark/FORMAT.md);
            None reads the bundled illustrative sample ``benchmark/sample_benchmarks.csv``.
        sheet: XLSX sheet name (default: the first sheet).
        survey_year: survey year for a file without a year column (default: a year in a
            title row above the header).
        metric: metric of a single-metric table without a metric column (default: the one a
            title row names, e.g. "Total Cash Compensation (TCC)").

    Returns:
        The table, rows in file order.

    Raises:
        InputFileError: the file is missing or unreadable.
        MissingColumnsError: neither a tidy nor a wide header was found.
        BenchmarkError: a row is invalid (message names file, row and column).
    """
    if path is None:
        path = benchmark_dir() / "sample_benchmarks.csv"
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"benchmark file {path} not found")
    records = _read_records(path, sheet)
    return parse_benchmark_records(
        records, name=path.name, path=str(path), survey_year=survey_year, metric=metric
    )


def _read_records(path: Path, sheet: str | None) -> list[tuple[int, list[str]]]:
    """Raw rows as (spreadsheet row number, cells as text); `#` comment and blank rows dropped."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw = _read_xlsx(path, sheet)
    elif suffix == ".xls":
        raise InputFileError(
            f"{path.name}: old .xls workbooks are not read; save it as .xlsx or CSV"
        )
    else:
        raw = _read_text(path)
    # control characters removed as text enters
    raw = [(number, [clean_control(c) for c in cells]) for number, cells in raw]
    out = []
    for number, cells in raw:
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if cells[0].startswith("#") and not _is_count_header(cells[0]):
            continue  # a comment row ("# Providers" is a survey's count header)
        out.append((number, cells))
    return out


def _is_count_header(cell: str) -> bool:
    return (
        COLUMN_ALIASES.get(_header_key(cell)) == "n_providers" or _header_key(cell) == "n_providers"
    )


def _read_text(path: Path) -> list[tuple[int, list[str]]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"benchmark file {path}: cannot be read ({exc.strerror})") from None
    if rtext.is_binary(data, 4096):
        raise InputFileError(f"{path.name}: not a text file (binary content); expected CSV or XLSX")
    text = rtext.decode_bytes(data, path.name).text
    delimiter = (
        "\t" if path.suffix.lower() == ".tsv" else rtext.sniff_delimiter(text, (",", "\t", ";"))
    )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = []
    start = 1
    for cells in reader:
        out.append((start, cells))
        start = reader.line_num + 1
    return out


def _read_xlsx(path: Path, sheet: str | None) -> list[tuple[int, list[str]]]:
    # the one workbook gate (rvubench.workbook): sizes capped, hidden sheets skipped, a
    # sprawling sheet read by the cells that exist
    try:
        wb = open_workbook(path)
    except InputFileError as exc:
        raise InputFileError(f"{path.name}: not a readable XLSX workbook ({exc})") from None
    if sheet is not None and sheet not in wb.sheets:
        raise InputFileError(f"{path.name}: no sheet {sheet!r}; sheets: {_list(wb.sheets)}")
    first = None
    for name in [sheet] if sheet is not None else wb.visible:  # a cover sheet may come first
        rows = [(number, [_cell_text(v) for v in values])
                for number, values in enumerate(wb.grid(name), start=1)]  # fmt: skip
        first = first if first is not None else rows
        if sheet is not None or _header_at(rows) is not None:
            return rows
    return first or []


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _header_key(text: str) -> str:
    key = re.sub(r"[^0-9a-z]+", "_", text.strip().lower().lstrip("\ufeff")).strip("_")
    m = _PCT_HEADER_RE.match(key)
    if m:
        return f"p{next(g for g in m.groups() if g)}"
    return COLUMN_ALIASES.get(key, key)


def parse_benchmark_records(
    records: Sequence[tuple[int, Sequence[str]]],
    *,
    name: str = "benchmark table",
    path: str = "",
    survey_year: int | None = None,
    metric: str | None = None,
) -> BenchmarkTable:
    """Turn raw rows into a validated :class:`BenchmarkTable`.

    Args:
        records: ``(row number, cells)`` pairs; the header is the first row that names a
            specialty column (title rows above it are read for a year and a metric).
        name: file name used in messages.
        path: full path kept on the table.
        survey_year: the survey year when the file has no column for it (else taken from a
            title row such as "2025 Physician Compensation Survey").
        metric: the metric of a single-metric table without a metric column (else taken from
            a title row such as "Work RVUs").
    """  # fmt: skip
    if not records:
        raise InputFileError(f"{name}: the benchmark file is empty")
    start = _header_index(records)
    titles = [" ".join(c for c in cells if c) for _n, cells in records[:start]]
    header_number, header = records[start]
    keys = [_header_key(h) for h in header]
    header, keys, records = _fill_defaults(
        list(header), keys, list(records[start:]), name, titles, survey_year, metric
    )
    if "metric" in keys:
        layout: Literal["tidy", "wide"] = "tidy"
        rows = _parse_tidy(keys, header, records[1:], name)
    elif any(_WIDE_RE.match(k) for k in keys):
        layout = "wide"
        rows = _parse_wide(keys, header, records[1:], name)
    else:
        raise MissingColumnsError(
            f"{name}: row {header_number} is not a benchmark header; expected a tidy table "
            "(specialty, survey_year, metric, p10..p90) or a wide one (specialty, "
            "survey_year, wrvu_p25.., tcc_p25.., cf_p25..); see benchmark/FORMAT.md"
        )
    if not rows:
        raise BenchmarkError(f"{name}: no benchmark rows after the header")
    if survey_year is not None:  # a file with a year column: keep that survey year
        years = sorted({r.survey_year for r in rows})
        rows = [r for r in rows if r.survey_year == survey_year]
        if not rows:
            raise BenchmarkError(
                f"{name}: no rows for survey year {survey_year}; years in the file: {_list(years)}"
            )
    _check_duplicates(rows, name)
    return BenchmarkTable(rows=rows, path=path or name, layout=layout)


_TITLE_METRICS = (  # phrases in a title row, most specific first
    (re.compile(r"(comp|compensation|tcc)\b.*\b(per|to)\b.*\b(work rvus?|wrvus?)\b", re.I),
     "compensation_per_wrvu"),
    (re.compile(r"\b(work rvus?|wrvus?)\b", re.I), "wrvu"),
    (re.compile(r"\b(total (cash )?compensation|tcc)\b", re.I), "total_compensation"),
)  # fmt: skip


def _header_index(records: Sequence[tuple[int, Sequence[str]]]) -> int:
    """The header row (title rows sit above it); the first row when none is recognised."""
    found = _header_at(records)
    return 0 if found is None else found


def _header_at(records: Sequence[tuple[int, Sequence[str]]]) -> int | None:
    """The first of the first 20 rows with a specialty column and either a metric column,
    percentile columns or wide-layout columns; None when there is none."""
    for i, (_n, cells) in enumerate(records[:20]):
        keys = [_header_key(c) for c in cells]
        pcts = sum(1 for k in keys if _PCT_RE.match(k))
        if "specialty" in keys and (
            "metric" in keys or pcts >= 2 or any(_WIDE_RE.match(k) for k in keys)
        ):
            return i
    return None


def _fill_defaults(header, keys, records, name, titles, survey_year, metric):
    """Add the columns a survey export leaves to its title or to an option: survey year,
    metric; join Specialty + Subspecialty. Returns (header, keys, records with header first)."""
    head, rows = records[0], records[1:]
    extra: dict[str, str] = {}
    title = " ".join(titles)
    if "survey_year" not in keys:
        year = survey_year
        if year is None:
            m = re.search(r"\b(19[9]\d|20\d\d)\b", title)
            year = int(m.group(1)) if m else None
        if year is not None:
            extra["survey_year"] = str(year)
    if "metric" not in keys and not any(_WIDE_RE.match(k) for k in keys):
        chosen = metric
        if chosen is None:
            chosen = next((mt for rx, mt in _TITLE_METRICS if rx.search(title)), None)
        if chosen is not None:
            extra["metric"] = _metric(chosen)
        elif sum(1 for k in keys if _PCT_RE.match(k)) >= 2:
            raise MissingColumnsError(
                f"{name}: a table with percentile columns but no metric column; say which metric "
                f"it holds ({_list(METRICS)}) with --benchmark-metric, or in a title row above "
                "the header (e.g. 'Work RVUs')"
            )
    spec = [i for i, k in enumerate(keys) if k == "specialty"]
    if len(spec) > 1:  # "Specialty" + "Subspecialty": "Radiology: Interventional"
        a, b = spec[0], spec[1]
        keys = [k if i != b else "subspecialty" for i, k in enumerate(keys)]
        joined = []
        for n, cells in rows:
            cells = list(cells)
            if b < len(cells) and cells[b].strip():
                cells[a] = f"{cells[a].strip()}: {cells[b].strip()}"
            joined.append((n, cells))
        rows = joined
    if extra:
        header = [*header, *extra]
        keys = [*keys, *extra]
        width = len(head[1])
        rows = [(n, [*cells[:width], *[""] * (width - len(cells)), *extra.values()])
                for n, cells in rows]  # fmt: skip
    return header, keys, [head, *rows]


class _RowProblems:
    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[str] = []

    def add(self, row: int, column: str, text: str) -> None:
        self.items.append(f"{self.name}, row {row}, column {column}: {text}")

    def raise_if_any(self) -> None:
        if self.items:
            more = f" (and {len(self.items) - 1} more problems)" if len(self.items) > 1 else ""
            raise BenchmarkError(self.items[0] + more)


def _require(keys: list[str], needed: Sequence[str], name: str, layout: str) -> None:
    missing = [k for k in needed if k not in keys]
    if missing:
        raise MissingColumnsError(
            f"{name}: {layout} benchmark table lacks column(s) {_list(missing)}; "
            "see benchmark/FORMAT.md"
        )


def _cell(cells: Sequence[str], keys: list[str], key: str) -> str:
    try:
        i = keys.index(key)
    except ValueError:
        return ""
    return cells[i].strip() if i < len(cells) else ""


def _number(text: str) -> float | None:
    """Parse '4,012', '$225,309', '77.37', '' (None). Raises ValueError on other text."""
    t = text.strip().replace(",", "").replace("$", "").replace("\u00a0", "").strip()
    if t in ("", "-", "--", "n/a", "na", "NA", "N/A", "*"):
        return None
    value = float(t)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def _common_fields(
    cells: Sequence[str], keys: list[str], number: int, problems: _RowProblems, name: str
) -> dict[str, Any] | None:
    specialty = _cell(cells, keys, "specialty")
    if not specialty:
        problems.add(number, "specialty", "empty specialty")
        return None
    year_text = _cell(cells, keys, "survey_year")
    try:
        survey_year = int(float(year_text))
        if not 1990 <= survey_year <= 2100:
            raise ValueError
    except ValueError:
        problems.add(number, "survey_year", f"{year_text!r} is not a year")
        return None
    data_text = _cell(cells, keys, "data_year")
    data_year = survey_year - 1
    if data_text:
        try:
            data_year = int(float(data_text))
            if not 1990 <= data_year <= 2100:
                raise ValueError
        except ValueError:
            problems.add(number, "data_year", f"{data_text!r} is not a year")
            return None
    flag = _cell(cells, keys, "illustrative").lower()
    if flag not in _TRUE | _FALSE:
        problems.add(number, "illustrative", f"{flag!r} is not true/false")
        return None
    return {
        "specialty": specialty,
        "region": _cell(cells, keys, "region") or DEFAULT_REGION,
        "survey_year": survey_year,
        "data_year": data_year,
        "source": _cell(cells, keys, "source") or name,
        "illustrative": flag in _TRUE,
        "note": _cell(cells, keys, "note"),
        "source_url": _cell(cells, keys, "source_url"),
        "file": name,
        "row_number": number,
    }


def _anchors(
    cells: Sequence[str],
    pct_columns: list[tuple[int, int, str]],
    number: int,
    problems: _RowProblems,
) -> list[tuple[int, float]] | None:
    """Published (percentile, value) pairs; None after recording a problem."""
    anchors: list[tuple[int, float]] = []
    ok = True
    for pct, index, header in sorted(pct_columns):
        text = cells[index].strip() if index < len(cells) else ""
        try:
            value = _number(text)
        except ValueError:
            problems.add(number, header, f"{text!r} is not a number")
            ok = False
            continue
        if value is None:
            continue
        if value < 0:
            problems.add(number, header, f"{text!r} is negative")
            ok = False
            continue
        if anchors and value < anchors[-1][1]:
            prev_p, prev_v = anchors[-1]
            problems.add(
                number,
                header,
                f"value {value:g} is below p{prev_p} ({prev_v:g}); percentiles must not decrease",
            )
            ok = False
            continue
        anchors.append((pct, value))
    if not ok:
        return None
    if len(anchors) < 2:
        cols = _list(h for _, _, h in sorted(pct_columns))
        problems.add(number, cols, "fewer than two published percentiles; cannot interpolate")
        return None
    return anchors


def _count(value: float | int | None) -> int | None:
    """A provider count read by ``_optional_number(..., integer=True)`` (already whole)."""
    return None if value is None else int(value)


def _optional_number(
    text: str, number: int, column: str, problems: _RowProblems, integer: bool = False
) -> tuple[bool, float | int | None]:
    try:
        value = _number(text)
    except ValueError:
        problems.add(number, column, f"{text!r} is not a number")
        return False, None
    if value is not None and integer:
        return True, int(round(value))
    return True, value


def _pct_columns(
    keys: list[str], header: Sequence[str], prefix: str = ""
) -> list[tuple[int, int, str]]:
    out = []
    for i, k in enumerate(keys):
        if prefix:
            if not k.startswith(prefix + "_"):
                continue
            k = k[len(prefix) + 1 :]
            if k == "median":
                k = "p50"
        m = _PCT_RE.match(k)
        if m and 0 < int(m.group(1)) < 100:
            out.append((int(m.group(1)), i, header[i].strip()))
    return out


def _parse_tidy(
    keys: list[str], header: Sequence[str], records: Sequence[tuple[int, Sequence[str]]], name: str
) -> list[BenchmarkRow]:
    _require(keys, ("specialty", "survey_year", "metric"), name, "tidy")
    pct_columns = _pct_columns(keys, header)
    if len(pct_columns) < 2:
        raise MissingColumnsError(
            f"{name}: tidy benchmark table needs percentile columns such as p10, p25, p50, "
            "p75, p90; see benchmark/FORMAT.md"
        )
    problems = _RowProblems(name)
    rows = []
    for number, cells in records:
        common = _common_fields(cells, keys, number, problems, name)
        metric_text = _cell(cells, keys, "metric")
        try:
            metric = _metric(metric_text)
        except BenchmarkError:
            problems.add(number, "metric", f"{metric_text!r} is not one of {_list(METRICS)}")
            continue
        anchors = _anchors(cells, pct_columns, number, problems)
        ok_n, n = _optional_number(
            _cell(cells, keys, "n_providers"), number, "n_providers", problems, True
        )
        ok_m, mean = _optional_number(_cell(cells, keys, "mean"), number, "mean", problems)
        if common is None or anchors is None or not (ok_n and ok_m):
            continue
        rows.append(
            BenchmarkRow(metric=metric, anchors=anchors, n_providers=_count(n), mean=mean, **common)
        )
    problems.raise_if_any()
    return rows


def _parse_wide(
    keys: list[str], header: Sequence[str], records: Sequence[tuple[int, Sequence[str]]], name: str
) -> list[BenchmarkRow]:
    _require(keys, ("specialty", "survey_year"), name, "wide")
    prefixes: dict[str, list[str]] = {}
    for k in keys:
        m = _WIDE_RE.match(k)
        if m:
            metric = METRIC_ALIASES[m.group(1)]
            if m.group(1) not in prefixes.setdefault(metric, []):
                prefixes[metric].append(m.group(1))
    problems = _RowProblems(name)
    rows = []
    for number, cells in records:
        common = _common_fields(cells, keys, number, problems, name)
        ok_shared, shared_n = _optional_number(
            _cell(cells, keys, "n_providers"), number, "n_providers", problems, True
        )
        for metric in METRICS:
            for prefix in prefixes.get(metric, []):
                pct_columns = _pct_columns(keys, header, prefix)
                if not pct_columns:
                    continue
                if not any(idx < len(cells) and cells[idx].strip() for _, idx, _ in pct_columns):
                    continue  # metric not published for this specialty
                anchors = _anchors(cells, pct_columns, number, problems)
                ok_n, n = _optional_number(
                    _cell(cells, keys, f"{prefix}_n")
                    or _cell(cells, keys, f"{prefix}_n_providers"),
                    number,
                    f"{prefix}_n",
                    problems,
                    True,
                )
                ok_m, mean = _optional_number(
                    _cell(cells, keys, f"{prefix}_mean"), number, f"{prefix}_mean", problems
                )
                if common is None or anchors is None or not (ok_n and ok_m and ok_shared):
                    continue
                rows.append(
                    BenchmarkRow(
                        metric=metric,
                        anchors=anchors,
                        n_providers=_count(n if n is not None else shared_n),
                        mean=mean,
                        **common,
                    )
                )
    problems.raise_if_any()
    return rows


def _check_duplicates(rows: list[BenchmarkRow], name: str) -> None:
    seen: dict[tuple, int] = {}
    for r in rows:
        key = (
            specialty_key(r.specialty),
            r.metric,
            _norm(r.region),
            r.survey_year,
            _norm(r.source),
        )
        if key in seen:
            raise BenchmarkError(
                f"{name}, row {r.row_number}: repeats row {seen[key]} ('{r.specialty}', "
                f"{r.metric}, {r.region}, {r.survey_year}, {r.source}); keep one"
            )
        seen[key] = r.row_number


# --------------------------------------------------------------------------- one clinician


@dataclass
class RowSummary:
    """The benchmark row used for one metric (what a report prints next to the figure)."""

    metric: str
    specialty: str
    region: str
    source: str
    survey_year: int
    data_year: int
    n_providers: int | None
    illustrative: bool
    percentiles: dict[str, float]
    note: str = ""
    source_url: str = ""
    mean: float | None = None

    @classmethod
    def of(cls, row: BenchmarkRow) -> RowSummary:
        """Build from a BenchmarkRow."""
        return cls(
            metric=row.metric,
            specialty=row.specialty,
            region=row.region,
            source=row.source,
            survey_year=row.survey_year,
            data_year=row.data_year,
            n_providers=row.n_providers,
            illustrative=row.illustrative,
            percentiles={f"p{p}": v for p, v in row.anchors},
            note=row.note,
            source_url=row.source_url,
            mean=row.mean,
        )


@dataclass
class WrvuTarget:
    """wRVUs needed to reach a target percentile of the wRVU row.

    Attributes:
        percentile: the target (e.g. 75).
        annual_fte_wrvus: the benchmark value at that percentile (annual, per 1.0 FTE);
            None when the percentile is outside the published range.
        period_wrvus_needed: raw wRVUs needed in the period (= annual value x clinical FTE
            / annualization factor); None as above.
        additional_wrvus: how many more than the clinician has (0 when already reached).
    """

    percentile: float
    annual_fte_wrvus: float | None
    period_wrvus_needed: float | None
    additional_wrvus: float | None


@dataclass
class BenchmarkResult:
    """Everything the reports need about one clinician against one benchmark table.

    Money fields in dollars are floats rounded to cents for display; the exact amounts
    are the ``*_cents`` integers.
    """

    specialty: str
    region: str
    source: str
    survey_year: int
    data_year: int
    illustrative: bool
    benchmark_file: str
    period_label: str
    period_start: str
    period_end: str
    period_days: int
    annualization_factor: float
    annualization_method: str
    clinical_fte: float
    total_fte: float
    wrvu_total: float
    wrvu_annualized: float
    wrvu_fte_adjusted: float
    wrvu_percentile: PercentileResult | None
    total_compensation: float | None
    compensation_fte_adjusted: float | None
    compensation_percentile: PercentileResult | None
    compensation_per_wrvu: float | None
    compensation_per_wrvu_percentile: PercentileResult | None
    alignment_gap: float | None
    implied_compensation: list[Any] = field(default_factory=list)
    scenarios: list[Any] = field(default_factory=list)
    targets: list[WrvuTarget] = field(default_factory=list)
    rows: dict[str, RowSummary] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    wrvu_basis: str = ""
    """How ``wrvu_total`` was credited when not on the RVUs in effect, e.g. "2025 RVUs
    (like-for-like)"; "" = as credited."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe plain dict (percentiles as number or "below p10"/"above p90" text)."""
        d: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            if isinstance(value, PercentileResult):
                d[key] = value.json_value
                d[f"{key}_detail"] = value.to_dict()
            elif value is None and key.endswith("_percentile"):
                d[key] = None
                d[f"{key}_detail"] = None
            elif key == "rows":
                d[key] = {k: asdict(v) for k, v in value.items()}
            elif isinstance(value, list):
                d[key] = [_plain(v) for v in value]
            else:
                d[key] = value
        return d


def _plain(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    return value


def _round4(x: Decimal) -> float:
    return float(x.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def benchmark_clinician(
    *,
    wrvu_total: float,
    period: Period,
    specialty: str,
    table: BenchmarkTable,
    clinical_fte: float = 1.0,
    total_fte: float | None = None,
    total_compensation: float | None = None,
    region: str | None = None,
    survey_year: int | None = None,
    source: str | None = None,
    comp_model: Any = None,
    target_percentiles: Sequence[float] = (50, 75, 90),
) -> BenchmarkResult:
    """Benchmark one clinician's wRVUs (and compensation) against a table.

    Args:
        wrvu_total: credited wRVUs in ``period`` (raw, not annualized).
        period: the requested reporting period (its days drive annualization).
        specialty: benchmark specialty (matched case- and punctuation-insensitively).
        table: from :func:`load_benchmarks`.
        clinical_fte: divides the annualized wRVUs.
        total_fte: divides compensation; defaults to ``clinical_fte``.
        total_compensation: ANNUAL total compensation in dollars (never annualized, even
            for a quarter); None to skip compensation benchmarks.
        region: benchmark region (default National, see :meth:`BenchmarkTable.resolve`).
        survey_year: survey edition (default: latest in the file).
        source: survey name when the file holds several for the same cell.
        comp_model: a compensation model or a sequence of them (compensation.py); each is
            applied to the annualized wRVUs as worked (not FTE-adjusted).
        target_percentiles: percentiles for "wRVUs needed" targets.

    Raises:
        SpecialtyNotFound, BenchmarkError: see :meth:`BenchmarkTable.find`.
        UsageProblem: FTE <= 0 or negative compensation.
    """
    if clinical_fte is None or not clinical_fte > 0:
        raise UsageProblem(f"clinical FTE must be above 0, got {clinical_fte}")
    total_fte = clinical_fte if total_fte is None else total_fte
    if not total_fte > 0:
        raise UsageProblem(f"total FTE must be above 0, got {total_fte}")
    if total_compensation is not None and total_compensation < 0:
        raise UsageProblem(f"total compensation must not be negative, got {total_compensation}")

    spelled, reg, year, src = table.resolve(specialty, region, survey_year, source)
    found = {m: table.get(spelled, m, reg, year, src) for m in METRICS}
    used = [r for r in found.values() if r is not None]
    first = used[0]  # all rows share specialty, region and survey year
    notes: list[str] = []

    factor = period.annualization_factor
    wrvu_dec = _dec(wrvu_total)
    annualized = wrvu_dec * factor
    fte_adjusted = annualized / _dec(clinical_fte)

    warnings = _warnings(period, clinical_fte, total_fte, any(r.illustrative for r in used))

    wrvu_row = found["wrvu"]
    wrvu_pct = percentile_of(float(fte_adjusted), wrvu_row) if wrvu_row else None
    if wrvu_row is None:
        notes.append(f"No wRVU benchmark for {spelled} in {table.name}.")

    comp_row = found["total_compensation"]
    ratio_row = found["compensation_per_wrvu"]
    comp_fte = comp_pct = cpw = cpw_pct = None
    if total_compensation is not None:
        comp_fte_dec = _dec(total_compensation) / _dec(total_fte)
        comp_fte = float(comp_fte_dec.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        if comp_row is not None:
            comp_pct = percentile_of(float(comp_fte_dec), comp_row)
        else:
            notes.append(f"No total-compensation benchmark for {spelled} in {table.name}.")
        if fte_adjusted > 0:
            cpw_dec = comp_fte_dec / fte_adjusted
            cpw = float(cpw_dec.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
            if ratio_row is not None:
                cpw_pct = percentile_of(float(cpw_dec), ratio_row)
            else:
                notes.append(f"No compensation-per-wRVU benchmark for {spelled} in {table.name}.")
        else:
            warnings.append("No wRVUs credited in the period: compensation per wRVU is undefined.")

    gap = None
    if wrvu_pct and comp_pct and wrvu_pct.value is not None and comp_pct.value is not None:
        gap = round(comp_pct.value - wrvu_pct.value, 6)

    implied = comp.implied_compensation(annualized, ratio_row) if ratio_row is not None else []

    models = [] if comp_model is None else comp_model
    if not isinstance(models, list | tuple):
        models = [models]
    scenarios = [
        _scenario(m.apply(annualized), total_fte, fte_adjusted, comp_row, ratio_row) for m in models
    ]

    targets = _targets(target_percentiles, wrvu_row, clinical_fte, factor, wrvu_total)

    return BenchmarkResult(
        specialty=spelled,
        region=reg,
        source=" / ".join(dict.fromkeys(r.source for r in used)),
        survey_year=year,
        data_year=first.data_year,
        illustrative=any(r.illustrative for r in used),
        benchmark_file=table.name,
        period_label=period.label,
        period_start=period.start.isoformat(),
        period_end=period.end.isoformat(),
        period_days=period.days,
        annualization_factor=float(factor),
        annualization_method=f"x 365/{period.days} (days of the period {period.label})",
        clinical_fte=float(clinical_fte),
        total_fte=float(total_fte),
        wrvu_total=float(wrvu_total),
        wrvu_annualized=_round4(annualized),
        wrvu_fte_adjusted=_round4(fte_adjusted),
        wrvu_percentile=wrvu_pct,
        total_compensation=None if total_compensation is None else float(total_compensation),
        compensation_fte_adjusted=comp_fte,
        compensation_percentile=comp_pct,
        compensation_per_wrvu=cpw,
        compensation_per_wrvu_percentile=cpw_pct,
        alignment_gap=gap,
        implied_compensation=implied,
        scenarios=scenarios,
        targets=targets,
        rows={m: RowSummary.of(r) for m, r in found.items() if r is not None},
        warnings=warnings,
        notes=notes,
    )


def _warnings(
    period: Period, clinical_fte: float, total_fte: float, illustrative: bool
) -> list[str]:
    warnings = []
    if period.days < SHORT_PERIOD_DAYS:
        warnings.append(
            f"The period {period.label} has only {period.days} days (under {SHORT_PERIOD_DAYS}): "
            f"annualizing it (x {period.annualization_factor_float:.2f}) is unreliable."
        )
    for label, fte in (("clinical", clinical_fte), ("total", total_fte)):
        if fte < LOW_FTE:
            warnings.append(
                f"The {label} FTE {fte:g} is below {LOW_FTE:g}: per-FTE figures are unreliable; "
                "surveys describe providers at 0.75-1.0 FTE."
            )
        elif fte > 1.0:
            warnings.append(f"The {label} FTE {fte:g} is above 1.0; surveys cap FTE at 1.0.")
    if illustrative:
        warnings.append(
            "ILLUSTRATIVE benchmark: these figures are a sample, not survey data; do not use "
            "them for contracts or compensation decisions."
        )
    return warnings


def _scenario(
    outcome: Any,
    total_fte: float,
    fte_adjusted: Decimal,
    comp_row: BenchmarkRow | None,
    ratio_row: BenchmarkRow | None,
) -> Any:
    """Place a model outcome against the compensation and ratio rows (per total FTE)."""
    scen_fte = Decimal(outcome.compensation_cents) / 100 / _dec(total_fte)
    outcome.compensation_fte_adjusted = float(scen_fte.quantize(Decimal("0.01"), ROUND_HALF_UP))
    if comp_row is not None:
        outcome.compensation_percentile = percentile_of(float(scen_fte), comp_row).json_value
    if fte_adjusted > 0:
        ratio = scen_fte / fte_adjusted
        outcome.compensation_per_wrvu = float(ratio.quantize(Decimal("0.01"), ROUND_HALF_UP))
        if ratio_row is not None:
            outcome.compensation_per_wrvu_percentile = percentile_of(
                float(ratio), ratio_row
            ).json_value
    return outcome


def _targets(
    target_percentiles: Sequence[float],
    wrvu_row: BenchmarkRow | None,
    clinical_fte: float,
    factor: Decimal,
    wrvu_total: float,
) -> list[WrvuTarget]:
    if wrvu_row is None:
        return []
    out = []
    for t in target_percentiles:
        needed = wrvus_for_percentile(t, wrvu_row, clinical_fte, factor)
        out.append(
            WrvuTarget(
                percentile=float(t),
                annual_fte_wrvus=value_at(t, wrvu_row),
                period_wrvus_needed=None if needed is None else round(needed, 4),
                additional_wrvus=None
                if needed is None
                else round(max(0.0, needed - float(wrvu_total)), 4),
            )
        )
    return out
