"""``rvubench batch`` (PDF + XLSX per clinician, department files) as a process, on a
real-shaped department log, against two floors measured in the same run:

1. the import floor ``python -c "import pandas, weasyprint, openpyxl"``: target
   batch time x jobs / clinicians <= 1.2 x the floor (per clinician per job);
2. a shell loop of single ``rvubench report`` runs, one per clinician on that clinician's
   own lines (the loop's most favourable form: no run re-reads the department log); a
   sample of ``--loop-sample`` clinicians is run and the mean scaled to all clinicians:
   target batch <= half the loop.

The log (``scripts/make_sample_data.py --scale``: 2,000 lines per clinician over 2026,
patient column, every specialty of the bundled benchmark sample in turn) is generated
once into ``/tmp/rvubench-perf-batch-CLINICIANS-LINES`` and kept. The 500-clinician run
takes many minutes: develop with ``--clinicians 40 --lines 80000``.

    python perf/batch.py [--clinicians 500] [--lines 1000000] [--jobs 2] [--period 2026Q4]
                         [--loop-sample 6]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from _common import IMPORT_FLOOR, alternate, best, best_cpu, make_log, run, rvubench, verdict


class TreeMemory:
    """Peak summed RSS and the CPU time of this process's descendants (from /proc), sampled
    in a thread.

    The CPU time of the batch's workers cannot come from ``wait4``: they are children of
    multiprocessing's fork server, which nobody reaps before it exits. So each descendant's
    user + system time is read from ``/proc/PID/stat`` at every sample and the last value
    seen per process is summed: a lower bound, short by what a process used after its last
    sample (under ``interval`` each).
    """

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.peak = 0
        self._cpu: dict[tuple[int, str], float] = {}  # (pid, start time) -> CPU seconds
        self._tick = os.sysconf("SC_CLK_TCK")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def cpu(self) -> float:
        """CPU seconds of every descendant seen (lower bound, see the class docstring)."""
        return sum(self._cpu.values())

    def _sample(self) -> int:
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        cpu: dict[int, tuple[str, float]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
            except (OSError, IndexError):
                continue
            # after the command name: state ppid ... utime(12) stime(13) ... starttime(20)
            # ... rss(21, pages); indexes counted from the state field (0)
            pid = int(entry)
            parents[pid] = int(fields[1])
            rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            cpu[pid] = (fields[19].decode(), (int(fields[11]) + int(fields[12])) / self._tick)
        mine, changed = {os.getpid()}, True
        while changed:
            changed = False
            for pid, ppid in parents.items():
                if ppid in mine and pid not in mine:
                    mine.add(pid)
                    changed = True
        mine.discard(os.getpid())
        for pid in mine:
            if pid in cpu:
                started, seconds = cpu[pid]
                self._cpu[(pid, started)] = seconds
        return sum(rss.get(p, 0) for p in mine)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def split_sample(log: Path, roster: Path, count: int, folder: Path) -> list[tuple[dict, Path]]:
    """``count`` roster clinicians spread over the roster, each with a log of its own lines."""
    with roster.open(newline="") as fh:
        entries = list(csv.DictReader(fh))
    step = max(len(entries) // count, 1)
    chosen = {e["provider_id"]: e for e in entries[::step][:count]}
    folder.mkdir(parents=True, exist_ok=True)
    files = {pid: (folder / f"{pid}.csv").open("w", newline="") for pid in chosen}
    with log.open(newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        writers = {pid: csv.writer(f, lineterminator="\n") for pid, f in files.items()}
        for w in writers.values():
            w.writerow(header)
        for row in reader:
            w = writers.get(row[0])
            if w is not None:
                w.writerow(row)
    for f in files.values():
        f.close()
    return [(e, folder / f"{pid}.csv") for pid, e in chosen.items()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clinicians", type=int, default=500)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--period", default="2026Q4")
    ap.add_argument("--loop-sample", type=int, default=6)
    args = ap.parse_args()
    folder = Path(tempfile.gettempdir()) / f"rvubench-perf-batch-{args.clinicians}-{args.lines}"
    log, roster = make_log(folder, args.lines, args.clinicians)
    out = folder / "out"
    shutil.rmtree(out, ignore_errors=True)

    floor_runs = alternate({"floor": IMPORT_FLOOR}, 2)["floor"]
    floor, floor_cpu = best(floor_runs), best_cpu(floor_runs)
    said: list[str] = []
    with TreeMemory() as memory:
        t = time.perf_counter()
        _, peak_one, batch_cpu = run(rvubench("batch", str(log), "--roster", str(roster), "--out", str(out),
                                   "--jobs", str(args.jobs), "--period", args.period),
                          ok_codes=(0, 1), stderr=said)  # fmt: skip
        batch_s = time.perf_counter() - t
    batch_cpu = max(batch_cpu, memory.cpu)  # the workers' CPU, which wait4 does not see
    per = batch_s * args.jobs / args.clinicians

    loop, loop_cpu = [], []
    for entry, own in split_sample(log, roster, args.loop_sample, folder / "loop"):
        s, _, cpu = run(
            rvubench(
                "report",
                str(own),
                "--out",
                str(folder / "loop-out"),
                "--specialty",
                entry["specialty"],
                "--period",
                args.period,
                "--clinical-fte",
                entry["clinical_fte"],
                "--total-fte",
                entry["total_fte"],
                "--compensation",
                entry["total_compensation"],
            ),
            ok_codes=(0, 1),
        )
        loop.append(s)
        loop_cpu.append(cpu)
    loop_s = statistics.mean(loop) * args.clinicians
    floor_runs = alternate({"floor": IMPORT_FLOOR}, 2, warmup=False)["floor"]
    floor, floor_cpu = min(floor, best(floor_runs)), min(floor_cpu, best_cpu(floor_runs))
    per_cpu = batch_cpu / args.clinicians

    print(
        f"department: {args.clinicians:,} clinicians, {args.lines:,} lines ({log}), "
        f"period {args.period}, jobs {args.jobs}"
    )
    print(f"import floor (best of 4, before and after): {floor:.2f} s")
    print(
        f"batch: {batch_s:.1f} s = {per:.2f} s per clinician per job; peak memory: "
        f"largest process {peak_one / 1e9:.2f} GB, all processes {memory.peak / 1e9:.2f} GB"
    )
    stages = [line for text in said for line in text.splitlines() if line.startswith("time: ")]
    print(f"batch, as it reports its stages: {stages[-1] if stages else '(not reported)'}")
    print(f"per clinician per job / import floor = {verdict(per / floor, 1.2)}")
    print(
        f"CPU time (all processes): batch {batch_cpu:.0f} s = {per_cpu:.2f} s per clinician, import floor "
        f"{floor_cpu:.2f} s: {per_cpu / floor_cpu:.2f}x; single report {statistics.mean(loop_cpu):.2f} s, "
        f"batch / loop {batch_cpu / (statistics.mean(loop_cpu) * args.clinicians):.2f}x"
    )
    print(
        f"shell loop of single reports: {args.loop_sample} clinicians "
        f"({', '.join(f'{s:.1f}' for s in loop)} s), mean x {args.clinicians} = "
        f"{loop_s:.0f} s"
    )
    print(f"batch / shell loop = {verdict(batch_s / loop_s, 0.5)}")


if __name__ == "__main__":
    main()
