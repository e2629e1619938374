"""Number formatting shared by the PDF (jinja filters) and the workbook (number formats).

Display rounding is ROUND_HALF_UP on the decimal value (``2.675`` shows as ``2.68``), so a
figure printed in the PDF matches the one a reader rounds by hand. The workbook keeps raw
numbers and applies the Excel number formats of :data:`XLSX_FORMATS`, defined once here.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from rvubench.money import decimal_or_none as _decimal
from rvubench.money import round_half_up

MISSING = "n/a"

#: Excel number formats, one per kind of figure (the workbook never stores preformatted text).
XLSX_FORMATS: dict[str, str] = {
    "wrvu": "#,##0.00",
    "rvu_unit": "0.00",
    "usd": '"$"#,##0.00',
    "usd0": '"$"#,##0',
    "int": "#,##0",
    "percentile": "0.0",
    "share": "0.0%",
    "factor": "0.0000",
    "gpci": "0.000",
    "date": "yyyy-mm-dd",
}


def _grouped(d: Decimal, places: int) -> str:
    return f"{d:,.{places}f}"


def fmt_number(value: Any, places: int = 0) -> str:
    """``1234.5 -> "1,235"`` (places=0) or ``"1,234.50"`` (places=2)."""
    d = round_half_up(value, places)
    return MISSING if d is None else _grouped(d, places)


def fmt_rvu(value: Any) -> str:
    """Work RVUs with two decimals and thousands separators: ``1234.5 -> "1,234.50"``."""
    return fmt_number(value, 2)


def fmt_usd(value: Any, places: int = 2) -> str:
    """Dollars: ``1234.5 -> "$1,234.50"``; ``-3 -> "-$3.00"``; missing -> ``"n/a"``."""
    d = round_half_up(value, places)
    if d is None:
        return MISSING
    sign = "-" if d < 0 else ""
    return f"{sign}${_grouped(abs(d), places)}"


def fmt_usd0(value: Any) -> str:
    """Whole dollars, for annual compensation: ``452000.4 -> "$452,000"``."""
    return fmt_usd(value, 0)


def fmt_cents(cents: Any) -> str:
    """Integer cents shown as dollars, without going through a binary float."""
    if cents is None:
        return MISSING
    try:
        c = int(cents)
    except (TypeError, ValueError):
        return MISSING
    return fmt_usd(Decimal(c) / 100)


def fmt_pct(fraction: Any, places: int = 1) -> str:
    """A share as a percentage: ``0.1234 -> "12.3%"``."""
    d = _decimal(fraction)
    if d is None:
        return MISSING
    percent = round_half_up(d * 100, places)
    return MISSING if percent is None else f"{_grouped(percent, places)}%"


def fmt_percentile(value: Any) -> str:
    """A benchmark percentile as a whole ordinal: ``62.5 -> "63rd"``, ``38.2 -> "38th"``.

    The one way reports write a percentile: rounded half-up to a whole number first, then
    given the English suffix of that number (1st 2nd 3rd 4th ... 11th 12th 13th ... 21st
    22nd 23rd ... 101st). The exact figure stays in the workbook and ``--json``. Labels such
    as ``"below p10"`` or ``"above p90"`` (outside the published range) pass through.
    """
    if isinstance(value, str):
        return value or MISSING
    d = round_half_up(value, 0)
    if d is None:
        return MISSING
    return ordinal(int(d))


def ordinal(n: int) -> str:
    """``1 -> "1st"``, ``2 -> "2nd"``, ``11 -> "11th"``, ``22 -> "22nd"``, ``113 -> "113th"``."""
    if abs(n) % 100 in (11, 12, 13):
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(abs(n) % 10, 'th') }"


def fmt_percentile_phrase(value: Any) -> str:
    """``38.2 -> "38th percentile"``; labels (``"below p10"``) and missing (``"n/a"``) as given."""
    text = fmt_percentile(value)
    return text if text == MISSING or not text[:1].isdigit() else f"{text} percentile"


def fmt_signed(value: Any, places: int = 1) -> str:
    """A signed difference: ``12.5 -> "+12.5"``, ``-3 -> "-3.0"``, ``0 -> "0.0"``."""
    d = round_half_up(value, places)
    if d is None:
        return MISSING
    sign = "+" if d > 0 else ""
    return f"{sign}{d:,.{places}f}"


def fmt_factor(value: Any, places: int = 4) -> str:
    """A multiplier such as the annualization factor: ``365/92 -> "3.9674"``."""
    return fmt_number(value, places)


_ARIA_LABEL_RE = re.compile(r'<svg\b[^>]*?\baria-label="([^"]*)"')


def svg_image(svg: str | None) -> Markup:
    """An SVG chart (``report.charts`` markup) as an ``<img>`` of a ``data:image/svg+xml``
    URL, its ``aria-label`` as the alt text; "" for no chart.

    WeasyPrint draws an SVG image exactly as the same SVG inline (the PDFs are byte for byte
    the same), but inline, every ``<text>``, ``<rect>`` and ``<line>`` of the charts was an
    element of the HTML document: parsed by the HTML parser and given a full CSS cascade
    and computed style it never uses, ~7% of a quarter report's render. As an image the SVG
    is parsed by an XML parser and styled by its own attributes only.
    """
    if not svg:
        return Markup("")
    found = _ARIA_LABEL_RE.search(svg)
    alt = html.unescape(found.group(1)) if found else ""
    data = base64.b64encode(str(svg).encode("utf-8")).decode("ascii")
    return Markup('<img class="chart-image" src="data:image/svg+xml;base64,{}" alt="{}">').format(
        Markup(data), alt
    )


#: The jinja filters registered by the PDF renderer (name -> function).
JINJA_FILTERS: dict[str, Callable[..., str]] = {
    "svg_image": svg_image,
    "usd": fmt_usd,
    "usd0": fmt_usd0,
    "cents": fmt_cents,
    "rvu": fmt_rvu,
    "pct": fmt_pct,
    "percentile": fmt_percentile,
    "percentile_phrase": fmt_percentile_phrase,
    "num": fmt_number,
    "signed": fmt_signed,
    "factor": fmt_factor,
}


_OPTION_RE = re.compile(r"(\()?--([a-z][a-z0-9-]*)(?: [A-Z][A-Z0-9_-]*)?(\))?")


def reader_text(text: str) -> str:
    """Text for a document a person reads: option names (``--fee-schedule``) become words.

    Messages are shared with the command line, where naming the option is the fix; a PDF or
    a workbook is read away from any shell (and batch runs have other options), so there the
    option becomes "the fee-schedule setting": ``"add it with --fee-schedule"`` ->
    ``"add it with the fee-schedule setting"``.
    """

    def words(m: re.Match[str]) -> str:
        inner = f"the {m.group(2)} setting"
        return (
            f"({inner})"
            if m.group(1) and m.group(3)
            else (m.group(1) or "") + inner + (m.group(3) or "")
        )

    return _OPTION_RE.sub(words, str(text))
