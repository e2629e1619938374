"""Property test: logs with random junk rows lose no valid row and account for every row.

Each generated file has banner rows, a header, valid lines, bad lines (must be rejected with a
reason) and junk rows (blank, total, page/footer text: must be skipped), in random order, with
a random delimiter and encoding. Every physical row must be accounted for exactly once: as the
header, a skipped row or a line; every valid line must come back usable with its values.
"""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import date
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rvubench.ingest import log as ingest
from rvubench.ingest.log import read_log

CODES = ["99213", "99214", "0001F", "00100", "G2211", "47383", "76942", "0591T"]
MODS = ["", "26", "25", "59", "26,59", "RT", "XU"]
POS = ["11", "22", "21", "02", ""]
PROVIDERS = ["P-01", "P-02", "Dr. Núñez"]
HEADER = ["Provider", "Date of Service", "CPT Code", "Modifiers", "Units", "POS"]

valid_line = st.builds(
    lambda p, d, c, m, u, pos: ("valid", [p, d.strftime("%m/%d/%Y"), c, m, str(u), pos]),
    st.sampled_from(PROVIDERS),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)),
    st.sampled_from(CODES),
    st.sampled_from(MODS),
    st.integers(min_value=1, max_value=5),
    st.sampled_from(POS),
)
bad_line = st.sampled_from([
    ("bad", ["P-01", "13/45/2026", "99213", "", "1", "11"]),
    ("bad", ["P-01", "01/05/2026", "XX1", "", "1", "11"]),
    ("bad", ["P-01", "01/05/2026", "99213", "", "1.5", "11"]),
    ("bad", ["P-02", "01/05/2026", "99213", "ABC", "1", "11"]),
    ("bad", ["", "01/05/2026", "99213", "", "1", "11"]),
])  # fmt: skip
junk_line = st.sampled_from([
    ("junk", ["", "", "", "", "", ""]),
    ("junk", ["Total", "", "", "", "12", ""]),
    ("junk", ["Subtotal P-01", "", "", "", "7", ""]),
    ("junk", ["Page 2 of 9", "", "", "", "", ""]),
    ("junk", list(HEADER)),
])  # fmt: skip


def _write(path: Path, rows: list[list[str]], delimiter: str, encoding: str) -> None:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    banner=st.lists(st.sampled_from([["Clinic charges export"], [""], ["Run 2026-10-01 by Q"]]),
                    max_size=3),
    body=st.lists(st.one_of(valid_line, valid_line, bad_line, junk_line), min_size=1, max_size=40),
    footer=st.booleans(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    ragged=st.booleans(),
    careful=st.booleans(),
)  # fmt: skip
def test__read_log__no_valid_row_lost_and_every_row_accounted(banner, body, footer, delimiter,
                                                              encoding, ragged, careful):  # fmt: skip
    width = len(HEADER)

    def shape(cells: list[str]) -> list[str]:
        # ragged exports write junk rows without their trailing empty cells
        if ragged:
            while cells and not cells[-1]:
                cells = cells[:-1]
            return cells
        return (cells + [""] * width)[:width]

    rows = [shape(r) for r in banner] + [HEADER]
    header_row = len(rows)
    kinds: dict[int, tuple[str, list[str]]] = {}
    for kind, cells in body:
        rows.append(shape(cells) if kind == "junk" else cells)
        kinds[len(rows)] = (kind, cells)
    if footer:
        rows.append(["Report generated 10/01/2026 06:00", "", "", "", "", ""])
        kinds[len(rows)] = ("junk", rows[-1])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.csv"
        _write(path, rows, delimiter, encoding)
        if careful:  # the csv-module path used for quoted newlines, UTF-16, old Mac files
            with mock.patch.object(ingest, "_fast_csv", return_value=None):
                result = read_log(path)
        else:
            result = read_log(path)
    lines = result.lines
    by_row = {int(r): i for i, r in enumerate(lines["source_row"])}
    skipped = {row: why for _f, row, why in result.skipped_rows}

    # every physical row is exactly one of: header, skipped, line
    assert set(by_row).isdisjoint(skipped)
    assert header_row not in by_row and header_row not in skipped
    assert set(by_row) | set(skipped) | {header_row} == set(range(1, len(rows) + 1))
    # accounting identity
    usable = int((lines["reject_reason"] == "").sum())
    assert result.rows_read == len(lines) == usable + result.rows_rejected
    assert result.rows_read + len(skipped) + 1 == len(rows)

    for row, (kind, cells) in kinds.items():
        if kind == "junk":
            assert row in skipped, (row, cells)
            continue
        assert row in by_row, (row, cells)
        line = lines.iloc[by_row[row]]
        if kind == "bad":
            assert line["reject_reason"].startswith(f"log.csv row {row}, column "), line
            continue
        assert line["reject_reason"] == "", line["reject_reason"]
        provider, dos, code, mods, units, pos = cells
        month, day, year = (int(x) for x in dos.split("/"))
        assert line["provider_id"] == provider
        assert line["date_of_service"].date() == date(year, month, day)
        assert line["hcpcs"] == code
        assert line["modifiers"] == mods
        assert int(line["units"]) == int(units)
        assert line["pos"] == pos
