"""Reporting periods: parse ``--period``, count days, annualize, step through quarters.

A period is a closed calendar interval ``[start, end]`` (both days included). Annualization
uses the days of the *requested* period, never the span of dates found in a log
(interface.md "period"; domain.md 4.3): ``factor = 365 / days``.

Accepted ``--period`` forms (:func:`parse_period`):

- ``2026Q2`` (also ``2026-Q2``, ``2026q2``): a calendar quarter, kind ``"quarter"``;
- ``2026``: a calendar year, kind ``"year"``;
- ``2026-03``: a calendar month, kind ``"month"``;
- ``2026-01-01:2026-06-30``: any range of whole days, kind ``"range"``.

``Period.label`` is the canonical spelling of the same form, so ``parse_period(p.label) == p``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from rvubench.errors import UsageProblem

PeriodKind = Literal["quarter", "year", "month", "range"]

ACCEPTED_FORMS = "2026Q2 (quarter), 2026 (year), 2026-03 (month) or 2026-01-01:2026-06-30 (range)"
MIN_YEAR = 1990
MAX_YEAR = 2100

_QUARTER_RE = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR_RE = re.compile(r"^(\d{4})$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_RANGE_RE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\s*:\s*(\d{4}-\d{1,2}-\d{1,2})$")


@dataclass(frozen=True)
class Period:
    """A closed range of calendar days.

    Attributes:
        start: first day (included).
        end: last day (included).
        label: canonical text of the period (``2026Q2``, ``2026``, ``2026-03`` or
            ``2026-01-01:2026-06-30``); ``parse_period(label)`` gives the period back.
        kind: ``"quarter"``, ``"year"``, ``"month"`` or ``"range"``.
    """

    start: date
    end: date
    label: str
    kind: PeriodKind

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise UsageProblem(
                f"period {self.label!r} ends ({self.end}) before it starts ({self.start})"
            )

    def __str__(self) -> str:
        return self.label

    @property
    def days(self) -> int:
        """Number of calendar days, both ends included (2026Q2 -> 91)."""
        return (self.end - self.start).days + 1

    @property
    def annualization_factor(self) -> Decimal:
        """``Decimal(365) / days`` (2026Q2: 365/91); exact to 28 significant digits."""
        return Decimal(365) / Decimal(self.days)

    @property
    def annualization_factor_float(self) -> float:
        """The annualization factor as a float (for display and plain-data outputs)."""
        return float(self.annualization_factor)

    @property
    def whole_months(self) -> int | None:
        """Number of calendar months when the period is made of whole months, else None.

        Lets a report offer the alternative ``x 12 / months`` annualization (domain.md 4.3).
        """
        if self.start.day != 1 or self.end != _month_end(self.end.year, self.end.month):
            return None
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def contains(self, dates: Any) -> Any:
        """Whether dates fall inside the period.

        Args:
            dates: one ``date``/``datetime``/``pandas.Timestamp`` (returns a bool; None or
                NaT -> False), or a pandas Series / Index of datetimes (returns a boolean
                Series/array, NaT -> False), or any other iterable of dates (returns a list
                of bools).
        """
        if dates is None:
            return False
        if isinstance(dates, date | str) or _is_scalar_timestamp(dates):
            d = _as_date(dates)
            return d is not None and self.start <= d <= self.end
        if hasattr(dates, "dt") or type(dates).__name__ == "DatetimeIndex":
            import pandas as pd

            values = pd.to_datetime(dates)
            lo = pd.Timestamp(self.start)
            hi = pd.Timestamp(self.end) + pd.Timedelta(days=1)
            return (values >= lo) & (values < hi)
        return [self.contains(d) for d in dates]


def _is_scalar_timestamp(value: Any) -> bool:
    return type(value).__name__ in ("Timestamp", "NaTType", "datetime64")


def _as_date(value: Any) -> date | None:
    """A ``date`` from a date, datetime, pandas Timestamp or ISO text; None for NaT/None."""
    if value is None:
        return None
    if type(value).__name__ == "NaTType":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip()[:10])
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()
    try:
        import pandas as pd

        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(ts) else ts.date()


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise UsageProblem(
            f"period {text!r}: year {year} is out of range ({MIN_YEAR}-{MAX_YEAR}); "
            f"write {ACCEPTED_FORMS}"
        )


def quarter(year: int, q: int) -> Period:
    """The calendar quarter ``q`` (1-4) of ``year`` as a Period (``2026Q2`` = Apr 1 - Jun 30)."""
    if q not in (1, 2, 3, 4):
        raise UsageProblem(f"quarter {q} is not 1, 2, 3 or 4")
    first_month = 3 * (q - 1) + 1
    return Period(
        date(year, first_month, 1), _month_end(year, first_month + 2), f"{year}Q{q}", "quarter"
    )


def quarter_of(day: Any) -> Period:
    """The calendar quarter containing ``day``."""
    d = _as_date(day)
    if d is None:
        raise UsageProblem("no date given: cannot find its quarter")
    return quarter(d.year, (d.month - 1) // 3 + 1)


def year_period(year: int) -> Period:
    """Calendar year ``year``."""
    return Period(date(year, 1, 1), date(year, 12, 31), f"{year}", "year")


def month_period(year: int, month: int) -> Period:
    """Calendar month ``month`` of ``year``."""
    return Period(date(year, month, 1), _month_end(year, month), f"{year}-{month:02d}", "month")


def range_period(start: Any, end: Any) -> Period:
    """An arbitrary range of whole days (kind ``"range"``, label ``start:end``)."""
    s, e = _as_date(start), _as_date(end)
    if s is None or e is None:
        raise UsageProblem("a period range needs a start and an end date")
    return Period(s, e, f"{s.isoformat()}:{e.isoformat()}", "range")


def parse_period(text: str) -> Period:
    """Parse a ``--period`` value.

    Args:
        text: ``2026Q2``, ``2026``, ``2026-03`` or ``2026-01-01:2026-06-30`` (surrounding
            spaces ignored; ``2026-Q2`` and lower-case ``q`` accepted).

    Returns:
        The Period.

    Raises:
        UsageProblem: text in none of the accepted forms (the message lists them), an
            impossible date, a year outside 1990-2100, or a range that ends before it starts.
    """
    raw = text
    text = (text or "").strip()
    if m := _QUARTER_RE.match(text):
        year = int(m.group(1))
        _check_year(year, raw)
        return quarter(year, int(m.group(2)))
    if m := _YEAR_RE.match(text):
        year = int(m.group(1))
        _check_year(year, raw)
        return year_period(year)
    if m := _MONTH_RE.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        _check_year(year, raw)
        if not 1 <= month <= 12:
            raise UsageProblem(
                f"period {raw!r}: month {month} is not 01-12; write {ACCEPTED_FORMS}"
            )
        return month_period(year, month)
    if m := _RANGE_RE.match(text):
        try:
            start = date.fromisoformat(_pad_iso(m.group(1)))
            end = date.fromisoformat(_pad_iso(m.group(2)))
        except ValueError as exc:
            raise UsageProblem(
                f"period {raw!r}: not a real date ({exc}); write {ACCEPTED_FORMS}"
            ) from None
        _check_year(start.year, raw)
        _check_year(end.year, raw)
        if end < start:
            raise UsageProblem(f"period {raw!r}: the range ends ({end}) before it starts ({start})")
        return range_period(start, end)
    raise UsageProblem(f"period {raw!r} not understood; write {ACCEPTED_FORMS}")


def _pad_iso(text: str) -> str:
    y, m, d = text.split("-")
    return f"{y}-{int(m):02d}-{int(d):02d}"


def latest_full_quarter(dates: Iterable[Any], *, grace_days: int = 0) -> Period:
    """The default reporting quarter for a log.

    Rule: among the calendar quarters that end on or after the earliest date and on or
    before the latest date (+ ``grace_days``), take the latest. If there is none (the
    dates do not reach the end of any quarter, e.g. 2026-04-03..2026-06-28), take the
    quarter of the latest date. With ``grace_days=0`` a quarter counts as complete only
    when a date on or after its last day is present.

    Args:
        dates: dates of service (date/datetime/Timestamp, Series or list; NaT/None ignored).
        grace_days: days a log may stop short of a quarter's last day and still count the
            quarter as complete (a clinician rarely works on the last day).

    Raises:
        UsageProblem: no usable date at all.
    """
    days = _collect_dates(dates)
    if not days:
        raise UsageProblem("no dates of service in the log: cannot choose a quarter; use --period")
    first, last = min(days), max(days)
    candidate = quarter_of(last)
    reach = last + timedelta(days=grace_days)
    while candidate.end > reach:
        candidate = shift_quarters(candidate, -1)
    if candidate.end >= first:
        return candidate
    return quarter_of(last)


def _collect_dates(dates: Iterable[Any]) -> list[date]:
    if hasattr(dates, "dropna"):
        dates = dates.dropna()
    out = []
    for value in dates:
        d = _as_date(value)
        if d is not None:
            out.append(d)
    return out


def shift_quarters(period: Period, n: int) -> Period:
    """The quarter ``n`` quarters after (negative: before) the quarter of ``period.start``."""
    base = quarter_of(period.start)
    index = base.start.year * 4 + (base.start.month - 1) // 3 + n
    return quarter(index // 4, index % 4 + 1)


def quarters_between(start: Any, end: Any) -> list[Period]:
    """Every calendar quarter from the one containing ``start`` to the one containing ``end``.

    Args:
        start: a date (or a Period: its start day).
        end: a date (or a Period: its end day).

    Returns:
        Quarters in order, both ends included; empty when ``end`` is before ``start``.
    """
    s = start.start if isinstance(start, Period) else _as_date(start)
    e = end.end if isinstance(end, Period) else _as_date(end)
    if s is None or e is None:
        raise UsageProblem("quarters_between needs two dates")
    out: list[Period] = []
    q = quarter_of(s)
    while q.start <= e:
        out.append(q)
        q = shift_quarters(q, 1)
    return out


def previous_quarters(period: Period, n: int, *, include_self: bool = False) -> list[Period]:
    """The ``n`` quarters just before ``period``'s quarter, oldest first.

    The quarter of ``period.start`` is the reference. With ``include_self`` that quarter is
    appended last (so ``previous_quarters(q, 3, include_self=True)`` is a 4-quarter trend).
    """
    if n < 0:
        raise UsageProblem(f"number of quarters must be >= 0, got {n}")
    out = [shift_quarters(period, -k) for k in range(n, 0, -1)]
    if include_self:
        out.append(quarter_of(period.start))
    return out


def same_quarter_last_year(period: Period) -> Period:
    """The same period one year earlier (2026Q2 -> 2025Q2; 2026-03 -> 2025-03; 2026 -> 2025).

    A range moves both ends back a year (Feb 29 becomes Feb 28).
    """
    if period.kind == "quarter":
        return shift_quarters(period, -4)
    if period.kind == "year":
        return year_period(period.start.year - 1)
    if period.kind == "month":
        return month_period(period.start.year - 1, period.start.month)
    return range_period(_year_back(period.start), _year_back(period.end))


def _year_back(d: date) -> date:
    if d.month == 2 and d.day == 29:
        return date(d.year - 1, 2, 28)
    return d.replace(year=d.year - 1)


def year_to_date(period: Period) -> Period:
    """From January 1 of ``period.end``'s year to ``period.end`` (kind ``"range"``).

    2026Q2 -> 2026-01-01:2026-06-30. A period that is already the whole year gives the year.
    """
    start = date(period.end.year, 1, 1)
    if period.end == date(period.end.year, 12, 31):
        return year_period(period.end.year)
    return range_period(start, period.end)
