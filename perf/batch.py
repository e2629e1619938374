"""Department batch speed: ``run_batch`` against bare weasyprint renders, in the same run.

Generates, in a temporary folder (or ``--data DIR``), a department of ``--clinicians``
clinicians (default 500) and ``--lines`` lines (default 1,000,000) over 2026: each
clinician gets a specialty of the bundled benchmark sample and lines drawn from that
specialty's code mix in ``sample_data/department.csv``, plus a roster. Then:

1. batch: the real ``rvubench.batch.run.run_batch`` (PDF + XLSX for every clinician and the
   department files, ``--jobs`` workers, default the machine's cores), timed end to end
   (read, price, benchmark, render, write);
2. baseline: the HTML of one clinician's report (same period and settings) rendered by bare
   ``weasyprint.HTML(string=...).write_pdf()`` as many times as there are clinicians, one
   process, divided by the job count.

Prints both times and their ratio (target < 1.25) and the peak memory: the largest
process, and the largest sum over the parent and its workers sampled every 0.2 s
(target < 2 GB).

    python perf/batch.py [--clinicians 500] [--lines 1000000] [--jobs N] [--period 2026Q4]
                         [--data DIR] [--keep]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
SAMPLE_LOG = REPO / "sample_data" / "department.csv"
SAMPLE_ROSTER = REPO / "sample_data" / "department_roster.csv"


def make_department(folder: Path, clinicians: int, lines: int, seed: int = 7) -> tuple[Path, Path]:
    """Write ``log.csv`` and ``roster.csv`` into ``folder``; return their paths."""
    rng = np.random.default_rng(seed)
    sample = pd.read_csv(SAMPLE_LOG, dtype=str, keep_default_na=False)
    sample_roster = pd.read_csv(SAMPLE_ROSTER, dtype=str, keep_default_na=False)
    specialty_of = dict(zip(sample_roster["provider_id"], sample_roster["specialty"], strict=True))
    sample["specialty"] = sample["provider_id"].map(specialty_of)
    sample = sample[sample["specialty"].notna()]
    pools = {
        s: g[["hcpcs", "modifiers", "units", "pos"]].to_numpy()
        for s, g in sample.groupby("specialty")
    }
    specialties = sorted(pools)

    ids = np.array([f"D{i:04d}" for i in range(1, clinicians + 1)])
    spec = np.array([specialties[i % len(specialties)] for i in range(clinicians)])
    # every clinician gets lines; the rest are spread at random
    owner = np.concatenate(
        [np.arange(clinicians), rng.integers(0, clinicians, max(lines - clinicians, 0))]
    )
    owner = owner[:lines]
    rows = np.empty((lines, 4), dtype=object)
    for s in specialties:
        mask = spec[owner] == s
        pool = pools[s]
        rows[mask] = pool[rng.integers(0, len(pool), int(mask.sum()))]
    days = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 365, lines), unit="D")
    log = pd.DataFrame({
        "provider_id": ids[owner],
        "date_of_service": days.strftime("%Y-%m-%d"),
        "hcpcs": rows[:, 0], "modifiers": rows[:, 1], "units": rows[:, 2], "pos": rows[:, 3],
    })  # fmt: skip
    log_path = folder / "log.csv"
    log.to_csv(log_path, index=False)
    fte = rng.choice([1.0, 1.0, 1.0, 0.8, 0.6], clinicians)
    comp = rng.integers(200, 650, clinicians) * 1000
    roster = pd.DataFrame({
        "provider_id": ids, "name": [f"Clinician {i}" for i in range(1, clinicians + 1)],
        "specialty": spec, "clinical_fte": fte, "total_fte": fte, "total_compensation": comp,
        "locality": "10112-00",
    })  # fmt: skip
    roster_path = folder / "roster.csv"
    roster.to_csv(roster_path, index=False)
    return log_path, roster_path


class MemorySampler:
    """Peak RSS of this process and its descendants (from /proc), sampled in a thread."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak_total = 0
        self.peak_single = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree() -> dict[int, int]:
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/status") as fh:
                    fields = dict(line.split(":", 1) for line in fh if ":" in line)
            except OSError:
                continue
            parents[int(entry)] = int(fields.get("PPid", "0").strip())
            rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
        mine = {os.getpid()}
        changed = True
        while changed:
            changed = False
            for pid, ppid in parents.items():
                if ppid in mine and pid not in mine:
                    mine.add(pid)
                    changed = True
        return {pid: rss.get(pid, 0) for pid in mine}

    def _run(self) -> None:
        while not self._stop.is_set():
            sizes = self._tree()
            self.peak_total = max(self.peak_total, sum(sizes.values()))
            self.peak_single = max(self.peak_single, max(sizes.values(), default=0))
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def baseline_html(log: Path, roster: Path, period: str, out: Path) -> str:
    """The HTML of the first roster clinician's report, as the batch renders it."""
    from rvubench.batch.roster import read_roster
    from rvubench.batch.run import roster_entries
    from rvubench.benchmarks.periods import parse_period
    from rvubench.benchmarks.tables import load_benchmarks
    from rvubench.feeschedule.cms import load_fee_schedules
    from rvubench.ingest.log import read_log
    from rvubench.pricing.engine import price_lines
    from rvubench.pricing.settings import PricingSettings
    from rvubench.report.pdf import render_html
    from rvubench.report.run import build_clinician_report

    first = roster_entries(read_roster(roster))[0]
    lines = read_log(log).lines
    lines = lines[lines["provider_id"] == first.provider_id].copy()
    lines["locality"] = first.locality
    settings = PricingSettings()
    priced = price_lines(lines, load_fee_schedules(), settings)
    done = build_clinician_report(
        priced, period=parse_period(period), out_dir=out, settings=settings,
        provider_id=first.provider_id, provider_name=first.name, specialty=first.specialty,
        benchmark_table=load_benchmarks(None), clinical_fte=first.clinical_fte,
        total_fte=first.total_fte, total_compensation=first.total_compensation,
        formats=("xlsx",), section_context={"coverage": (priced["date_of_service"].min().date(),
                                                         priced["date_of_service"].max().date())},
    )  # fmt: skip
    return render_html(done.model)


def bare_renders(html: str, count: int) -> float:
    """Seconds for ``count`` bare weasyprint renders of ``html`` (one warm-up first)."""
    import weasyprint

    from rvubench.resources import templates_dir

    base = str(templates_dir()) + "/"
    weasyprint.HTML(string=html, base_url=base).write_pdf()
    start = time.perf_counter()
    for _ in range(count):
        weasyprint.HTML(string=html, base_url=base).write_pdf()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clinicians", type=int, default=500)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--period", default="2026Q4")
    parser.add_argument("--data", type=Path, default=None, help="folder for data and outputs")
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    args = parser.parse_args()

    folder = args.data or Path(tempfile.mkdtemp(prefix="rvubench-perf-batch-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        t = time.perf_counter()
        log, roster = make_department(folder, args.clinicians, args.lines)
        print(f"data: {args.clinicians:,} clinicians, {args.lines:,} lines in {folder} "
              f"({time.perf_counter() - t:.1f} s to generate)")  # fmt: skip

        from rvubench.batch.run import BatchOptions, run_batch

        options = BatchOptions(
            logs=(log,), roster=roster, out_dir=folder / "out", period=args.period, jobs=args.jobs
        )
        with MemorySampler() as memory:
            t = time.perf_counter()
            outcome = run_batch(options)
            batch_s = time.perf_counter() - t
        counts = outcome.department.counts()
        tm = outcome.timings
        print(f"batch split: read+price+partition {tm['read_price_s']:.1f} s, clinicians "
              f"{tm['reports_s']:.1f} s wall ({tm['worker_s']:.1f} s in workers, "
              f"{tm['worker_s'] / max(counts['reported'], 1):.2f} s per clinician), "
              f"department files {tm['department_s']:.1f} s")  # fmt: skip
        print(f"batch: {batch_s:.1f} s for {counts['reported']:,} clinicians reported "
              f"({counts['failed']} failed), {len(outcome.outputs):,} files, jobs={args.jobs}")  # fmt: skip

        for pid, reason in outcome.failures[:5]:
            print(f"  failed {pid}: {reason}")
        html = baseline_html(log, roster, args.period, folder / "baseline")
        renders_s = bare_renders(html, args.clinicians)
        base_s = renders_s / args.jobs
        print(f"baseline: {args.clinicians:,} bare weasyprint renders of one report's HTML "
              f"({renders_s / args.clinicians:.2f} s each) = "
              f"{renders_s:.1f} s / {args.jobs} jobs = {base_s:.1f} s")  # fmt: skip
        ratio = batch_s / base_s
        print(f"ratio batch / baseline = {ratio:.2f} (target < 1.25) "
              f"{'OK' if ratio < 1.25 else 'OVER'}")  # fmt: skip

        self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        gib = 1024**3
        print(f"peak memory: parent {self_peak / gib:.2f} GiB, largest process "
              f"{memory.peak_single / gib:.2f} GiB, all processes together "
              f"{memory.peak_total / gib:.2f} GiB (target < 2 GB) "
              f"{'OK' if memory.peak_total < 2e9 else 'OVER'}")  # fmt: skip
    finally:
        if not args.keep and args.data is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
