"""Which writer for large sheets: rvubench's column writer (``write_frame`` on a normal
workbook: the sheet's XML built column by column), its row-by-row write-only openpyxl path
(run it with ``OPENPYXL_LXML=True`` and ``=False`` to compare lxml and ElementTree; with lxml
the column writer is off and the first figure is openpyxl's normal mode) and XlsxWriter
(``constant_memory``), each writing the same Lines-like sheet (text, dates, numbers with
formats) of a real-shaped log.

Usage: OPENPYXL_LXML=False python perf/xlsx_writers.py [--lines 60000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import make_log


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=60_000)
    args = ap.parse_args()
    folder = Path(tempfile.gettempdir()) / f"rvubench-perf-xlsx-{args.lines}"
    log, _ = make_log(folder, args.lines, 1, specialty="Diagnostic Radiology")

    from openpyxl import LXML

    from rvubench.feeschedule.cms import load_fee_schedules
    from rvubench.ingest.log import read_log
    from rvubench.pricing.engine import price_lines
    from rvubench.pricing.settings import PricingSettings
    from rvubench.report.xlsx import _Workbook, save_workbook, write_frame

    priced = price_lines(read_log(log).lines, load_fee_schedules(), PricingSettings())
    cols = [
        "source_row",
        "date_of_service",
        "hcpcs",
        "modifiers",
        "units",
        "pos",
        "setting",
        "locality",
        "status",
        "work_rvu",
        "wrvu_credit",
        "payment",
        "adjustments",
        "reason",
        "description",
        "category",
        "outcome",
    ]
    frame = priced[cols]

    t = time.perf_counter()
    wb = _Workbook()
    write_frame(wb, "Lines", frame)
    save_workbook(wb, folder / "columns.xlsx")
    t_columns = time.perf_counter() - t

    t = time.perf_counter()
    wb = _Workbook(write_only=True)
    write_frame(wb, "Lines", frame)
    save_workbook(wb, folder / "openpyxl.xlsx")
    t_openpyxl = time.perf_counter() - t

    import xlsxwriter

    t = time.perf_counter()
    book = xlsxwriter.Workbook(str(folder / "xlsxwriter.xlsx"), {"constant_memory": True})
    ws = book.add_worksheet("Lines")
    bold = book.add_format({"bold": True})
    fmt = {
        "date_of_service": book.add_format({"num_format": "yyyy-mm-dd"}),
        "work_rvu": book.add_format({"num_format": "0.00"}),
        "wrvu_credit": book.add_format({"num_format": "0.00"}),
        "payment": book.add_format({"num_format": "#,##0.00"}),
    }
    ws.write_row(0, 0, cols, bold)
    ws.freeze_panes(1, 0)
    values = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in cols]
    formats = [fmt.get(c) for c in cols]
    for r, row in enumerate(zip(*values, strict=True), start=1):
        for c, v in enumerate(row):
            if v is None:
                continue
            f = formats[c]
            if isinstance(v, str):
                ws.write_string(r, c, v)
            elif hasattr(v, "to_pydatetime"):
                ws.write_datetime(r, c, v.to_pydatetime(), f)
            else:
                ws.write_number(r, c, v, f)
    ws.autofilter(0, 0, len(frame), len(cols) - 1)
    book.close()
    t_xlsxwriter = time.perf_counter() - t
    print(f"{len(frame):,} rows x {len(cols)} columns")
    print(
        f"rvubench column writer (report path):            {t_columns:6.2f} s, "
        f"{(folder / 'columns.xlsx').stat().st_size / 1e6:.1f} MB"
    )
    print(
        f"openpyxl write-only (row by row, lxml={LXML}):    {t_openpyxl:6.2f} s, "
        f"{(folder / 'openpyxl.xlsx').stat().st_size / 1e6:.1f} MB"
    )
    print(
        f"XlsxWriter constant_memory:                      {t_xlsxwriter:6.2f} s, "
        f"{(folder / 'xlsxwriter.xlsx').stat().st_size / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
