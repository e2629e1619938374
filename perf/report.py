"""Time one clinician report end to end beside bare renders of the same content.

Measured in the same run, in one warm process (imports and the first render excluded):

- ``report``: ``rvubench.report.run.run_report`` on a log (read, price, benchmark, model,
  PDF + XLSX, atomic writes);
- ``bare_pdf``: ``weasyprint.HTML(string=<the report's own HTML>).write_pdf()``;
- ``bare_xlsx``: a plain openpyxl workbook holding the same rows, every sheet (no number
  formats, no styles, no chart).

Prints the medians and ``ratio = report / (bare_pdf + bare_xlsx)``; target under 1.3.

Usage: python perf/report.py [LOG] [--repeat N]  (default LOG: sample_data/ir_quarter.csv)
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _interleaved_medians(fns: dict, repeat: int) -> dict[str, float]:
    """Run each function once per round, rounds interleaved, so load spikes hit all alike."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", nargs="?", default=str(ROOT / "sample_data" / "ir_quarter.csv"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--specialty", default="Interventional Radiology")
    args = parser.parse_args()

    import openpyxl
    import weasyprint

    from rvubench.report.model import resolve_callable
    from rvubench.report.pdf import render_html
    from rvubench.report.run import ReportOptions, run_report
    from rvubench.resources import templates_dir

    out = Path(tempfile.mkdtemp(prefix="rvubench-perf-"))
    options = ReportOptions(logs=(Path(args.log),), out_dir=out, specialty=args.specialty,
                            compensation=520000.0)
    captured = {}

    import rvubench.report.run as report_mod

    real_build = report_mod.build_clinician_report

    def capture(*a, **kw):  # keep the model of the run to feed the bare renders
        done = real_build(*a, **kw)
        captured["model"] = done.model
        return done

    report_mod.build_clinician_report = capture
    run_report(options)  # warm-up: imports, font discovery, fee-schedule cache
    model = captured["model"]
    report_mod.build_clinician_report = real_build

    html = render_html(model)
    folder = str(templates_dir().resolve()) + "/"
    sheets = {
        "Summary": [(k, str(v)) for k, v in model.summary.items()],
        "By Code": [(c.hcpcs, c.modifier, c.description, c.lines, c.units, c.wrvu_credit, c.payment)
                    for c in model.by_code],
        "By Month": [(m.month, m.label, m.lines, m.wrvu_credit, m.payment) for m in model.by_month],
        "Lines": [tuple(None if v != v else v for v in row)
                  for row in model.lines.astype(object).itertuples(index=False)],
        "Exceptions": [tuple(None if v != v else v for v in row)
                       for row in model.exceptions.astype(object).itertuples(index=False)],
        "By Category": [(c.category, c.lines, c.units, c.wrvu_credit, c.wrvu_share, c.payment)
                        for c in model.by_category],
        "Benchmarks": [(m.metric, m.label, m.value, m.percentile, m.percentile_label,
                        *(v for _, v in m.anchors)) for m in (model.benchmark.metrics
                                                            if model.benchmark else ())],
    }
    for section in model.ordered_sections:  # sections' tables are part of the same data
        for table in section.sheets:
            sheets[table.name] = [tuple(r) for r in table.rows]
    writers = [(resolve_callable(s.sheet_writer), s.data)
               for s in model.ordered_sections if s.sheet_writer]

    def bare_pdf() -> None:
        weasyprint.HTML(string=html, base_url=folder).write_pdf()

    def bare_xlsx() -> None:
        gc.disable()  # as render_xlsx does, so the baseline is not slowed by full collections
        try:
            _bare_xlsx()
        finally:
            gc.enable()

    def _bare_xlsx() -> None:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for name, rows in sheets.items():
            ws = wb.create_sheet(name)
            for row in rows:
                ws.append(list(row))
        for write, data in writers:
            write(wb, data)
        wb.save(out / "bare.xlsx")

    bare_pdf()
    bare_xlsx()
    med = _interleaved_medians(
        {"report": lambda: run_report(options), "pdf": bare_pdf, "xlsx": bare_xlsx}, args.repeat)
    t_report, t_pdf, t_xlsx = med["report"], med["pdf"], med["xlsx"]
    base = t_pdf + t_xlsx
    print(f"log: {args.log} ({len(model.lines)} lines in the report)")
    print(f"report end to end : {t_report * 1000:8.1f} ms (median of {args.repeat})")
    print(f"bare weasyprint   : {t_pdf * 1000:8.1f} ms")
    print(f"bare openpyxl     : {t_xlsx * 1000:8.1f} ms")
    print(f"ratio report / (bare pdf + bare xlsx) = {t_report / base:.2f} (target < 1.30)")


if __name__ == "__main__":
    main()
