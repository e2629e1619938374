"""Department batch run: one report per roster clinician plus department.pdf / department.xlsx.

:func:`run_batch` reads the combined log (or a folder of logs) and the roster once, prices
every line once in the parent process, splits the priced lines by provider and submits one
task per roster clinician to a :class:`concurrent.futures.Executor`. A task receives only
that clinician's priced lines and the run's settings, benchmarks the clinician and writes
the clinician's PDF and workbook; its outcome (or the reason it failed) comes back as plain
data. Failures are isolated: the other clinicians complete, the failed one is listed with
its reason in the department files, and the outcome's exit code is 1.

The executor defaults to a :class:`~concurrent.futures.ProcessPoolExecutor` with ``jobs``
workers (``jobs=1`` runs in-process). Any ``Executor`` works, for example a
``dask.distributed`` client's ``get_executor()``: tasks and results are picklable, and a
task needs only rvubench and its bundled data on the worker.

Department figures (lines, wRVUs, payment, annualized and FTE-adjusted wRVUs) are computed
here from the priced lines, so a clinician whose report fails still shows them; percentiles,
compensation per wRVU and the alignment gap come from the clinician's report.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rvubench.atomic import folder_lock, safe_filename
from rvubench.batch.department import (
    DEPARTMENT_CSS,
    DEPARTMENT_TEMPLATE,
    KIND_NOT_IN_ROSTER,
    STATUS_FAILED,
    STATUS_NO_LINES,
    STATUS_REPORTED,
    ClinicianRow,
    DepartmentModel,
    NotReported,
    build_department_model,
    render_department_pdf,
    write_department_xlsx,
)
from rvubench.batch.roster import read_roster
from rvubench.benchmarks.like_for_like import DATA_YEAR_COLUMN
from rvubench.benchmarks.periods import (
    latest_full_quarter,
    parse_period,
    same_quarter_last_year,
    shift_quarters,
    year_to_date,
)
from rvubench.benchmarks.tables import load_benchmarks
from rvubench.errors import RvubenchError, TemplateProblem, UsageProblem
from rvubench.feeschedule.cms import load_fee_schedules
from rvubench.ingest.log import read_log, require_data_rows
from rvubench.pricing.engine import OTHER_READING_COLUMN, other_reading, price_lines
from rvubench.pricing.settings import PricingSettings
from rvubench.report.run import build_clinician_report, check_templates

FORMATS = ("pdf", "xlsx")
DEPARTMENT_STEM = "department"
_WRVU_SCALE = 10_000

#: Progress callback: (done, total, provider_id, status) after each clinician.
ProgressFn = Callable[[int, int, str, str], None]


@dataclass(frozen=True)
class BatchOptions:
    """What ``rvubench batch`` was asked to do.

    Attributes:
        logs: log files and/or folders of logs (read together, as one log).
        roster: roster file (``provider_id, name, specialty, clinical_fte, total_fte,
            total_compensation, locality``; only ``provider_id`` and ``specialty`` required).
        out_dir: output folder (created).
        period: ``--period`` text; None = the latest full quarter found in the log.
        jobs: worker processes; None = the machine's cores; 1 = in-process.
        formats: ``("pdf", "xlsx")`` or a subset; applies to clinicians and department.
        settings: pricing settings; a roster ``locality`` fills the lines of its clinician
            that carry none.
        benchmark: benchmark table file; None = the bundled (illustrative) sample.
        templates: templates folder (``--templates``); None = bundled.
        mapping: header mapping TOML for the log; sheet: XLSX sheet of the log.
        kind: report kind, ``productivity`` or ``contract``.
        scheduler: address of a ``dask.distributed`` scheduler (``tcp://host:8786``); the
            clinicians then run on its workers (``jobs`` is not used). The workers need
            rvubench installed and must see ``out_dir`` (a shared file system).
        comp_models, region, like_for_like: as ``report``'s options; a roster column of the
            same name (``comp_model``, ``region``, ``kind``, ``like_for_like``) wins for its
            clinician.
        title: the department's name in department.pdf's title (default: the roster's).
    """

    logs: tuple[Path, ...]
    roster: Path
    out_dir: Path
    period: str | None = None
    jobs: int | None = None
    formats: tuple[str, ...] = FORMATS
    settings: PricingSettings = field(default_factory=PricingSettings)
    benchmark: Path | None = None
    templates: Path | None = None
    mapping: Path | None = None
    sheet: str | None = None
    net_reversals: bool = False
    kind: str = "productivity"
    comp_models: tuple[str, ...] = ()  # --comp-model, for every clinician without its own
    region: str | None = None  # --region
    like_for_like: bool = True  # --like-for-like / --no-like-for-like
    title: str = ""  # --title: the department's name on department.pdf
    benchmark_sheet: str | None = None
    survey_year: int | None = None
    benchmark_metric: str | None = None
    scheduler: str | None = None


@dataclass
class ClinicianTask:
    """Everything a worker needs for one clinician (picklable)."""

    clinician: RosterEntry  # who (id, name, specialty, FTEs, compensation)
    priced: pd.DataFrame  # this clinician's priced lines, every date
    period: Any  # rvubench.benchmarks.periods.Period
    settings: PricingSettings
    out_dir: Path
    stem: str
    formats: tuple[str, ...]
    benchmark_table: Any  # rvubench.benchmarks.tables.BenchmarkTable
    templates: Path | None
    kind: str
    coverage: tuple[date, date] | None
    comp_models: tuple[str, ...] = ()
    region: str | None = None
    like_for_like: bool = True


@dataclass
class ClinicianResult:
    """What came back from one clinician's task."""

    provider_id: str
    ok: bool
    reason: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    seconds: float = 0.0  # time the task took in its worker


@dataclass
class BatchOutcome:
    """Result of :func:`run_batch`.

    Attributes:
        department: the department model (rows, totals, not-reported lists).
        outputs: every file written (clinicians' and department files).
        failures: ``(provider_id, reason)`` of clinicians whose report failed.
        exit_code: 0, or 1 when a clinician failed or rows were rejected.
        warnings: run-level messages (rejected rows, unmatched providers).
    """

    out_dir: Path
    period_label: str
    department: DepartmentModel
    outputs: list[Path]
    failures: list[tuple[str, str]]
    exit_code: int
    warnings: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_rejected: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    sheets: dict[str, str] = field(default_factory=dict)  # workbook log -> worksheet read

    def summary(self) -> dict[str, Any]:
        """Plain dict for ``--json``."""
        counts = self.department.counts()
        return {
            "out_dir": str(self.out_dir),
            "period": self.period_label,
            "period_start": self.department.period_start.isoformat(),
            "period_end": self.department.period_end.isoformat(),
            **{f"clinicians_{k}": v for k, v in counts.items()},
            "rows_read": self.rows_read,
            "rows_rejected": self.rows_rejected,
            "wrvu_total": round(self.department.totals.wrvu_total, 2),
            "payment_total": self.department.totals.payment_cents / 100,
            "failures": [{"provider_id": p, "reason": r} for p, r in self.failures],
            "warnings": list(self.warnings),
            "outputs": [str(p) for p in self.outputs],
            **({"sheets": dict(self.sheets)} if self.sheets else {}),
        }


# ------------------------------------------------------------------------------ worker


def report_clinician(task: ClinicianTask) -> ClinicianResult:
    """Benchmark one clinician and write their files; never raises.

    Runs in a worker process (it is a module-level function, so any executor can pickle
    it). A failure becomes ``ok=False`` with a one-line reason.
    """
    pid = str(getattr(getattr(task, "clinician", None), "provider_id", ""))
    start = time.perf_counter()
    try:
        summary, outputs = _write_clinician(task)
    except RvubenchError as exc:
        result = ClinicianResult(pid, False, str(exc))
    except Exception as exc:  # isolate: one clinician's bug must not stop the department
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        at = f" (at {Path(where.filename).name}:{where.lineno})" if where else ""
        result = ClinicianResult(pid, False, f"{type(exc).__name__}: {exc}{at}")
    else:
        result = ClinicianResult(pid, True, "", summary, outputs)
    _settle_worker_heap()
    result.seconds = time.perf_counter() - start
    return result


_HEAP_SETTLED = False


def _settle_worker_heap() -> None:
    """In a worker process, after its first clinician: collect, then freeze what is left.

    What survives the first report is the rendering stack's long-lived state (imported
    modules, weasyprint's fonts and stylesheets, compiled templates). Moving it to the
    permanent generation (``gc.freeze``) spares every later full collection from scanning
    it again, which makes each further report about 15% faster (perf/batch.py). Only
    objects alive now are frozen, and only once; later garbage is collected as usual. Not
    done in the main process (``--jobs 1``), whose heap holds the whole log.
    """
    global _HEAP_SETTLED
    if _HEAP_SETTLED or multiprocessing.parent_process() is None:
        return
    _HEAP_SETTLED = True
    gc.collect()
    gc.freeze()


def _write_clinician(task: ClinicianTask) -> tuple[dict[str, Any], list[str]]:
    outcome = build_clinician_report(
        task.priced,
        period=task.period,
        settings=task.settings,
        out_dir=task.out_dir,
        stem=task.stem,
        formats=task.formats,
        provider_id=task.clinician.provider_id,
        provider_name=task.clinician.name,
        specialty=task.clinician.specialty,
        clinical_fte=task.clinician.clinical_fte,
        total_fte=task.clinician.total_fte,
        total_compensation=task.clinician.total_compensation,
        benchmark_table=task.benchmark_table,
        templates=task.templates,
        kind=task.clinician.kind or task.kind,
        comp_models=task.clinician.comp_models or task.comp_models,
        region=task.clinician.region or task.region,
        like_for_like=(
            task.like_for_like
            if task.clinician.like_for_like is None
            else task.clinician.like_for_like
        ),
        section_context={"coverage": task.coverage},
    )
    summary = dict(outcome.summary)
    outputs = [Path(p).name for p in summary.get("outputs") or []]
    return summary, outputs


# ------------------------------------------------------------------------------ roster


@dataclass(frozen=True)
class RosterEntry:
    """One roster row, normalized."""

    provider_id: str
    name: str
    specialty: str
    clinical_fte: float
    total_fte: float
    total_compensation: float | None
    locality: str
    comp_models: tuple[str, ...] = ()  # roster comp_model ("flat:55; base:250000,5000,50")
    region: str = ""
    kind: str = ""
    like_for_like: bool | None = None


def _text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _number(value: Any) -> float | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        value = value.strip().replace(",", "").replace("$", "")
        if not value:
            return None
    return float(value)


def roster_entries(roster: pd.DataFrame) -> list[RosterEntry]:
    """Roster rows as :class:`RosterEntry` (defaults: FTE 1.0, total FTE = clinical FTE)."""
    entries = []
    for rec in roster.to_dict("records"):
        clinical = _number(rec.get("clinical_fte"))
        clinical = 1.0 if clinical is None else clinical
        total = _number(rec.get("total_fte"))
        entries.append(
            RosterEntry(
                provider_id=_text(rec.get("provider_id")),
                name=_text(rec.get("name")),
                specialty=_text(rec.get("specialty")),
                clinical_fte=clinical,
                total_fte=clinical if total is None else total,
                total_compensation=_number(rec.get("total_compensation")),
                locality=_text(rec.get("locality")),
                comp_models=tuple(
                    m.strip() for m in _text(rec.get("comp_model")).split(";") if m.strip()
                ),
                region=_text(rec.get("region")),
                kind=_text(rec.get("kind")),
                like_for_like={"yes": True, "no": False}.get(_text(rec.get("like_for_like"))),
            )
        )
    return entries


def _key(provider_id: str) -> str:
    return provider_id.strip().casefold()


def _keys(provider_ids: pd.Series) -> pd.Series:
    """:func:`_key` of every value, vectorized (a million lines take one call)."""
    return provider_ids.fillna("").astype(str).str.strip().str.casefold()


def unique_stems(entries: Sequence[RosterEntry]) -> dict[str, str]:
    """File stem per provider id: ``<id>_<name>`` made safe, unique (``-2``, ``-3`` ...)."""
    taken: set[str] = {DEPARTMENT_STEM.casefold()}
    stems: dict[str, str] = {}
    for e in entries:
        base = safe_filename(f"{e.provider_id} {e.name}".strip(), default="clinician")
        stem, n = base, 1
        while stem.casefold() in taken:
            n += 1
            stem = f"{base}-{n}"
        taken.add(stem.casefold())
        stems[e.provider_id] = stem
    return stems


# ------------------------------------------------------------------------------ helpers


def _wrvu_units(priced: pd.DataFrame) -> pd.Series:
    w = pd.to_numeric(priced["wrvu_credit"], errors="coerce").fillna(0.0)
    return (w * _WRVU_SCALE).round().astype("int64")


def _period_figures(priced: pd.DataFrame, period: Any) -> pd.DataFrame:
    """Per provider key: lines, wRVU (1e-4 units) and payment cents of usable in-period lines."""
    dates = pd.to_datetime(priced["date_of_service"])
    inside = pd.Series(period.contains(dates), index=priced.index).fillna(False).astype(bool)
    usable = inside & priced["outcome"].ne("rejected")
    sub = priced.loc[usable]
    frame = pd.DataFrame(
        {
            "key": _keys(sub["provider_id"]),
            "w": _wrvu_units(sub),
            "c": pd.to_numeric(sub["payment_cents"], errors="coerce").fillna(0).astype("int64"),
        }
    )
    return frame.groupby("key").agg(lines=("w", "size"), w=("w", "sum"), c=("c", "sum"))


def _fill_roster_localities(lines: pd.DataFrame, entries: Sequence[RosterEntry]) -> pd.DataFrame:
    """Lines without a locality/ZIP of their own take their clinician's roster locality."""
    by_key = {_key(e.provider_id): e.locality for e in entries if e.locality}
    if not by_key or "locality" not in lines.columns:
        return lines
    from_roster = _keys(lines["provider_id"]).map(by_key)
    own = lines["locality"].fillna("").astype(str).str.strip() != ""
    if "zip" in lines.columns:
        own |= lines["zip"].fillna("").astype(str).str.strip() != ""
    fill = from_roster.notna() & ~own
    if not fill.any():
        return lines
    lines = lines.copy()
    lines.loc[fill, "locality"] = from_roster[fill]
    return lines


def _check_options(options: BatchOptions) -> tuple[int, tuple[str, ...]]:
    formats = tuple(dict.fromkeys(f.strip().lower() for f in options.formats if f.strip()))
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise UsageProblem(f"--format {','.join(options.formats)!r}: use pdf, xlsx or pdf,xlsx")
    jobs = options.jobs if options.jobs is not None else (os.cpu_count() or 1)
    if jobs < 1:
        raise UsageProblem(f"--jobs must be 1 or more, got {jobs}")
    return jobs, formats


def _check_templates(options: BatchOptions, formats: tuple[str, ...]) -> None:
    """Fail before any work when a ``--templates`` folder lacks what the PDFs need."""
    check_templates(options.templates if "pdf" in formats else None, options.kind)
    if options.templates is not None and "pdf" in formats:
        for name in (DEPARTMENT_TEMPLATE, DEPARTMENT_CSS):
            if not (Path(options.templates) / name).is_file():
                raise TemplateProblem(f"template {name!r} not found in {options.templates}")


def _default_executor(jobs: int) -> Executor:
    import multiprocessing

    # forkserver: workers start from a clean process (no inherited threads or the parent's
    # million-row frames) and import rvubench's rendering stack once each.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(
        ["rvubench.batch.run", "rvubench.report.run", "rvubench.report.pdf", "rvubench.report.xlsx",
         "weasyprint"]
    )  # fmt: skip
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=watch_main_process,
                               initargs=(os.getpid(),))  # fmt: skip


def watch_main_process(main_pid: int, interval: float = 0.5) -> None:
    """Worker initializer: end this worker when the main process is gone.

    After ``kill -9`` of the main process nothing tells a pool worker to stop (it waits for
    work forever, and holds the forkserver's pipe open so that stays too). A daemon thread
    checks the main process every ``interval`` seconds and exits the worker when it is gone;
    the forkserver and resource tracker then see their pipes close and exit as well.
    """
    import threading

    def watch() -> None:
        while process_alive(main_pid):
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="rvubench-main-watch", daemon=True).start()


def process_alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, killed but not yet reaped, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
        return state not in (b"Z", b"X")
    except (OSError, IndexError):
        return True  # no /proc: the signal test above is all there is


class _DaskExecutor:
    """A ``dask.distributed`` client's executor: clinicians run on the cluster's workers.

    The parent still reads and prices the log once; each task ships one clinician's priced
    lines (a few hundred kB) to a worker, which writes that clinician's files into the
    output folder, so the folder must be on a file system every worker mounts.
    """

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise UsageProblem(
                "--scheduler needs dask.distributed: pip install 'rvubench[dask]'"
            ) from exc
        try:
            self.client = Client(address, timeout="20s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageProblem(
                f"--scheduler {address}: cannot reach the dask scheduler ({exc})"
            ) from exc
        self.executor = self.client.get_executor(pure=False)
        self.slots = max(sum(self.client.nthreads().values()), 1)

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.client.close()


class _InlineExecutor(Executor):
    """Runs each task at submit time in this process (``--jobs 1``)."""

    def submit(self, fn, /, *args, **kwargs):  # noqa: D102 - Executor API
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # pragma: no cover - report_clinician never raises
            future.set_exception(exc)
        return future


def _run_tasks(
    executor: Executor,
    tasks: Iterator[ClinicianTask],
    total: int,
    window: int,
    progress: ProgressFn | None,
    restart: Callable[[], Executor] | None = None,
) -> tuple[dict[str, ClinicianResult], Executor]:
    """Submit tasks keeping at most ``window`` in flight (bounded memory); collect results.

    When a worker process dies (the pool is then broken and fails every task in flight) and
    ``restart`` is given, a new pool is made once and each clinician the broken pool failed
    is retried once on it; a clinician that fails again is reported failed. Returns the
    results and the executor in use at the end (the caller shuts it down).
    """
    runner = _TaskRunner(executor, total, progress, restart)
    for task in tasks:
        runner.submit(task)
        if len(runner.pending) >= window:
            runner.collect_some()
    while runner.pending:
        runner.collect_some()
    return runner.results, runner.executor


class _TaskRunner:
    """The in-flight clinicians of one batch, their results, and the one pool restart."""

    def __init__(
        self,
        executor: Executor,
        total: int,
        progress: ProgressFn | None,
        restart: Callable[[], Executor] | None,
    ) -> None:
        self.executor = executor
        self.total = total
        self.progress = progress
        self.restart = restart
        self.results: dict[str, ClinicianResult] = {}
        self.pending: dict[Future, ClinicianTask] = {}
        self.retried: set[str] = set()
        self.restarts = 0
        self.done_count = 0

    def submit(self, task: ClinicianTask) -> None:
        try:
            fut = self.executor.submit(report_clinician, task)
        except Exception as exc:  # a broken pool refuses new work: fail this clinician only
            fut = Future()
            fut.set_exception(exc)
        self.pending[fut] = task

    def may_retry(self, exc: Exception, pid: str) -> bool:
        """True when ``pid`` is to run again: the pool died under it (first time only)."""
        from concurrent.futures.process import BrokenProcessPool

        if self.restart is None or pid in self.retried or not isinstance(exc, BrokenProcessPool):
            return False
        if _broken(self.executor):  # this failure came from the pool in use: replace it, once
            if self.restarts:
                return False
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = self.restart()
            self.restarts += 1
        self.retried.add(pid)
        return True

    def collect_some(self) -> None:
        """Wait for at least one task, then record every finished one."""
        finished, _ = wait(list(self.pending), return_when=FIRST_COMPLETED)
        for fut in finished:
            task = self.pending.pop(fut)
            pid = task.clinician.provider_id
            try:
                result = fut.result()
            except Exception as exc:  # the worker process died, or the executor failed
                if self.may_retry(exc, pid):
                    self.submit(task)
                    continue
                result = ClinicianResult(pid, False, f"worker failed: {type(exc).__name__}: {exc}")
            self.results[pid] = result
            self.done_count += 1
            if self.progress is not None:
                self.progress(self.done_count, self.total, pid, "done" if result.ok else "FAILED")


def _broken(executor: Executor) -> bool:
    return bool(getattr(executor, "_broken", False))


# ------------------------------------------------------------------------------ run


def _add_data_year_credits(
    priced: pd.DataFrame,
    lines: pd.DataFrame,
    fees: Any,
    settings: PricingSettings,
    entries: list[RosterEntry],
    table: Any,
) -> None:
    """Like-for-like benchmarking for every clinician at the cost of one pass.

    For each benchmark data year of the roster's specialties whose fee schedule is loaded,
    the whole department is priced once more on that year's RVUs; the credits go into the
    priced frame's ``like_for_like.DATA_YEAR_COLUMN`` column, which each clinician's report
    uses exactly as ``rvubench report`` uses its re-priced lines.
    """
    import dataclasses

    years: set[int] = set()
    for e in entries:
        try:
            row = table.find(e.specialty, "wrvu")
        except RvubenchError:
            continue  # that clinician fails later, with the reason, in isolation
        if row is not None:
            years.add(int(row.data_year))
    for year in sorted(y for y in years if y in fees.years):
        then = price_lines(lines, fees, dataclasses.replace(settings, rvu_year=year))
        priced[DATA_YEAR_COLUMN.format(year=year)] = then["wrvu_credit"].to_numpy()


def _add_other_reading(
    priced: pd.DataFrame, lines: pd.DataFrame, fees: Any, settings: PricingSettings
) -> None:
    """A log without patient or encounter ids: each line's wRVU credit under the other
    multiple-procedure reading (``pricing.engine.OTHER_READING_COLUMN``), which each clinician's
    report states on page 1 beside the rule used (one more pass for the department)."""
    other = other_reading(lines, fees, settings)
    if other is not None:
        priced[OTHER_READING_COLUMN] = other["wrvu_credit"].to_numpy()


def run_batch(
    options: BatchOptions,
    executor: Executor | None = None,
    *,
    progress: ProgressFn | None = None,
    stage: Callable[[str], None] | None = None,
) -> BatchOutcome:
    """Report every roster clinician and write the department files.

    Args:
        options: what to read and write.
        executor: where clinicians' reports run; None = a process pool of
            ``options.jobs`` workers (in-process when 1). The caller keeps ownership of an
            executor it passes (it is not shut down here).
        progress: called as ``progress(done, total, provider_id, status)`` after each
            clinician.
        stage: called with a short line before each step of the run (reading, pricing,
            reporting, writing the department files).

    Returns:
        The :class:`BatchOutcome`; ``exit_code`` is 1 when a clinician failed or rows were
        rejected.

    Raises:
        RvubenchError: the log, roster, benchmark table or options cannot be used at all,
            or another batch is writing the same output folder (it is locked for the run).
    """
    import contextlib

    with contextlib.ExitStack() as held:  # the output folder's lock, once it is made
        return _run_batch(options, executor, progress, held, stage)


def _run_batch(
    options: BatchOptions,
    executor: Executor | None,
    progress: ProgressFn | None,
    held: Any,
    stage: Callable[[str], None] | None = None,
) -> BatchOutcome:
    started = time.perf_counter()
    jobs, formats = _check_options(options)
    _check_templates(options, formats)
    period = parse_period(options.period) if options.period else None
    entries = roster_entries(read_roster(Path(options.roster)))
    table = load_benchmarks(
        options.benchmark,
        sheet=options.benchmark_sheet,
        survey_year=options.survey_year,
        metric=options.benchmark_metric,
    )
    out_dir = Path(options.out_dir)

    say = stage or (lambda _text: None)
    logs = options.logs if len(options.logs) != 1 else options.logs[0]
    say(
        f"reading {', '.join(Path(p).name for p in options.logs)} and the roster "
        f"({len(entries)} clinicians)"
    )
    ingest = read_log(
        logs, mapping=options.mapping, sheet=options.sheet, net_reversals=options.net_reversals
    )
    require_data_rows(ingest, ", ".join(Path(p).name for p in options.logs))
    held.enter_context(folder_lock(out_dir, "rvubench batch"))  # made and locked for the run
    sources = [Path(f).name for f in getattr(ingest, "files", []) or options.logs]
    sheets = dict(getattr(ingest, "sheets", {}))
    lines = _fill_roster_localities(ingest.lines, entries)
    del ingest  # only the priced frame stays in memory for the rest of the run
    fees = load_fee_schedules(options.settings.fee_schedule_files)
    say(f"pricing {len(lines):,} lines on the CMS fee schedule")
    priced = price_lines(lines, fees, options.settings)
    _add_data_year_credits(priced, lines, fees, options.settings, entries, table)
    _add_other_reading(priced, lines, fees, options.settings)
    del lines

    usable = priced["outcome"].ne("rejected")
    dates = pd.to_datetime(priced.loc[usable, "date_of_service"]).dropna()
    del usable
    if period is None:
        period = latest_full_quarter(dates)
    coverage = (dates.min().date(), dates.max().date()) if not dates.empty else None

    keys = _keys(priced["provider_id"])
    positions = dict(keys.groupby(keys, sort=False).indices)
    figures = _period_figures(priced, period)
    roster_keys = {_key(e.provider_id) for e in entries}
    stems = unique_stems(entries)
    to_report = [e for e in entries if _key(e.provider_id) in positions]

    def tasks() -> Iterator[ClinicianTask]:
        for e in to_report:
            rows = priced.take(np.asarray(positions[_key(e.provider_id)])).reset_index(drop=True)
            yield ClinicianTask(
                clinician=e, priced=rows, period=period, settings=options.settings, out_dir=out_dir, stem=stems[e.provider_id],
                formats=formats, benchmark_table=table, templates=options.templates,
                kind=options.kind, coverage=coverage, comp_models=tuple(options.comp_models),
                region=options.region, like_for_like=options.like_for_like,
            )  # fmt: skip

    prepared = time.perf_counter()
    say(f"reporting {len(to_report)} clinicians for {period.label}")
    own_executor = executor is None
    cluster = _DaskExecutor(options.scheduler) if own_executor and options.scheduler else None
    slots = cluster.slots if cluster is not None else jobs
    if cluster is not None:
        executor = cluster.executor
    elif executor is None:
        executor = (
            _InlineExecutor() if jobs == 1 or len(to_report) <= 1 else _default_executor(jobs)
        )
    local_pool = own_executor and cluster is None and jobs > 1
    restart = (lambda: _default_executor(jobs)) if local_pool else None
    try:
        window = max(2 * slots, 2)
        results, executor = _run_tasks(executor, tasks(), len(to_report), window, progress,
                                       restart)  # fmt: skip
    finally:
        if cluster is not None:
            cluster.close()
        elif own_executor:
            executor.shutdown(wait=True)

    reported = time.perf_counter()
    factor = float(period.annualization_factor)
    changes = _changes(priced, period, coverage, figures)
    rows = [_clinician_row(e, figures, results, factor, changes) for e in entries]
    not_in_roster = _not_in_roster(priced, figures, roster_keys)
    rejected = int(priced["outcome"].eq("rejected").sum())
    warnings = []
    if rejected:
        warnings.append(
            f"{rejected:,} row(s) of the log rejected (see each clinician's Exceptions sheet)"
        )
    if not_in_roster:
        named = ", ".join(
            f"{n.provider_id or '(no provider id)'} ({n.lines:,} lines in {period.label})"
            for n in not_in_roster[:10]
        )
        more = f" and {len(not_in_roster) - 10} more" if len(not_in_roster) > 10 else ""
        warnings.append(
            f"{len(not_in_roster)} provider(s) in the log are not in the roster: "
            f"{named}{more}; add them to the roster to report them"
        )
    model = build_department_model(
        rows=rows,
        not_in_roster=not_in_roster,
        period_label=period.label,
        period_start=period.start,
        period_end=period.end,
        annualization_factor=factor,
        sources=sources,
        roster=Path(options.roster).name,
        name=options.title,
        settings=_settings_text(options, table),
        notices=_notices(table),
    )
    outputs = [out_dir / name for r in rows for name in r.outputs]
    say(
        "writing the department files ("
        + ", ".join(f"{DEPARTMENT_STEM}.{f}" for f in ("pdf", "xlsx") if f in formats)
        + ")"
    )
    if "xlsx" in formats:
        outputs.append(write_department_xlsx(model, out_dir / f"{DEPARTMENT_STEM}.xlsx"))
    if "pdf" in formats:
        outputs.append(
            render_department_pdf(model, out_dir / f"{DEPARTMENT_STEM}.pdf", options.templates)
        )
    failures = [(r.provider_id, r.reason) for r in rows if r.status == STATUS_FAILED]
    return BatchOutcome(
        out_dir=out_dir,
        period_label=period.label,
        department=model,
        outputs=outputs,
        failures=failures,
        exit_code=1 if failures or rejected else 0,
        warnings=warnings,
        rows_read=len(priced),
        rows_rejected=rejected,
        sheets=sheets,
        timings={
            "read_price_s": prepared - started,
            "reports_s": reported - prepared,
            "department_s": time.perf_counter() - reported,
            "worker_s": sum(r.seconds for r in results.values()),
        },
    )


def _changes(
    priced: pd.DataFrame, period: Any, coverage: tuple[date, date] | None, figures: pd.DataFrame
) -> dict[str, tuple[float | None, float | None]]:
    """Per provider key: wRVU % change on the previous quarter and year to date on the same
    days a year earlier, each None unless the log covers the earlier window (every month of
    it lies between the log's first and last usable dates) and it holds wRVUs."""

    def covered(p: Any) -> bool:  # by whole months, as the quarterly trend counts them
        return coverage is not None and (
            (coverage[0].year, coverage[0].month) <= (p.start.year, p.start.month)
            and (p.end.year, p.end.month) <= (coverage[1].year, coverage[1].month)
        )

    def pct(now: pd.Series, before: pd.DataFrame | None) -> dict[str, float | None]:
        if before is None:
            return {}
        out: dict[str, float | None] = {}
        for key, w in now.items():
            prior = int(before["w"].get(key, 0))
            out[str(key)] = None if prior <= 0 else round((int(w) - prior) / prior * 100, 1)
        return out

    previous = shift_quarters(period, -1) if period.kind == "quarter" else None
    ytd = year_to_date(period)
    ytd_before = same_quarter_last_year(ytd)
    qoq = pct(
        figures["w"],
        _period_figures(priced, previous) if previous is not None and covered(previous) else None,
    )
    ytd_figures = _period_figures(priced, ytd) if covered(ytd_before) else None
    ytds = (
        pct(ytd_figures["w"], _period_figures(priced, ytd_before))
        if ytd_figures is not None
        else {}
    )
    return {key: (qoq.get(key), ytds.get(key)) for key in figures.index}


def _clinician_row(
    e: RosterEntry,
    figures: pd.DataFrame,
    results: dict[str, ClinicianResult],
    factor: float,
    changes: dict[str, tuple[float | None, float | None]] | None = None,
) -> ClinicianRow:
    key = _key(e.provider_id)
    lines, w, cents = (0, 0, 0)
    if key in figures.index:
        hit: Any = figures.loc[key]  # one row (keys are unique): a Series of scalars
        lines, w, cents = int(hit["lines"]), int(hit["w"]), int(hit["c"])
    wrvu = w / _WRVU_SCALE
    annualized = wrvu * factor
    fte_adjusted = annualized / e.clinical_fte if e.clinical_fte else None
    result = results.get(e.provider_id)
    if result is None:
        status, reason = STATUS_NO_LINES, f"provider {e.provider_id} has no lines in the log"
    elif not result.ok:
        status, reason = STATUS_FAILED, result.reason
    else:
        status, reason = STATUS_REPORTED, ""
    summary = result.summary if result is not None and result.ok else {}
    cpw = summary.get("compensation_per_wrvu")
    if cpw is None and e.total_compensation is not None and fte_adjusted:
        cpw = round((e.total_compensation / e.total_fte) / fte_adjusted, 2)
    return ClinicianRow(
        provider_id=e.provider_id,
        name=e.name,
        specialty=e.specialty,
        status=status,
        reason=reason,
        clinical_fte=e.clinical_fte,
        lines=lines,
        wrvu_total=wrvu,
        wrvu_annualized=round(annualized, 4),
        wrvu_fte_adjusted=None if fte_adjusted is None else round(fte_adjusted, 4),
        wrvu_percentile=summary.get("wrvu_percentile"),
        wrvu_benchmarked_fte_adjusted=summary.get("wrvu_benchmarked_fte_adjusted"),
        wrvu_basis=_basis_text(summary),
        payment_cents=cents,
        total_compensation=e.total_compensation,
        compensation_per_wrvu=cpw,
        compensation_percentile=summary.get("compensation_percentile"),
        alignment_gap=summary.get("alignment_gap"),
        outputs=list(result.outputs) if result is not None and result.ok else [],
        wrvu_change_qoq_pct=(changes or {}).get(key, (None, None))[0],
        wrvu_change_ytd_pct=(changes or {}).get(key, (None, None))[1],
    )


def _basis_text(summary: dict[str, Any]) -> str:
    """ "on 2025 RVUs" (like-for-like), "as credited", or "" without a benchmark."""
    if summary.get("wrvu_basis") == "like-for-like":
        return f"on {summary.get('wrvu_basis_rvu_year')} RVUs"
    return summary.get("wrvu_basis") or ""


def _not_in_roster(
    priced: pd.DataFrame, figures: pd.DataFrame, roster_keys: set[str]
) -> list[NotReported]:
    """Providers with lines in the log but no roster row (lines of the period, wRVUs)."""
    ids = priced["provider_id"].fillna("").astype(str).str.strip()
    keys = _keys(ids)
    unknown = ~keys.isin(roster_keys)
    if not unknown.any():
        return []
    names = (
        priced.loc[unknown, "provider_name"].fillna("").astype(str)
        if "provider_name" in priced.columns
        else pd.Series("", index=priced.index[unknown])
    )
    sub = pd.DataFrame({"key": keys[unknown], "pid": ids[unknown], "name": names})
    grouped = sub.groupby("key", sort=True).agg(
        pid=("pid", "first"), name=("name", "max"), count=("pid", "size")
    )
    out = []
    for key, rec in grouped.iterrows():
        lines = w = 0
        if key in figures.index:
            hit: Any = figures.loc[key]  # type: ignore[call-overload]  # a Hashable label
            lines, w = int(hit["lines"]), int(hit["w"])
        who = f"provider {rec['pid']!r}" if rec["pid"] else "lines without a provider id"
        out.append(
            NotReported(
                KIND_NOT_IN_ROSTER, rec["pid"], rec["name"], "", lines, w / _WRVU_SCALE,
                f"{who} has {int(rec['count']):,} line(s) in the log but is not in the roster; "
                "add a roster row to report them",
            )
        )  # fmt: skip
    return out


def _settings_text(options: BatchOptions, table: Any) -> dict[str, str]:
    s = options.settings
    locality = s.zip_code and f"ZIP {s.zip_code}" or s.locality
    out = {
        "Crediting policy": s.policy,
        "Locality": f"{locality} (a roster or line locality wins for its lines)",
        "Conversion factor": "QP" if s.qp else "non-QP",
        "Benchmark": getattr(table, "name", str(options.benchmark or "bundled sample")),
    }
    if s.fee_schedule_files:
        out["Fee schedule files"] = ", ".join(Path(p).name for p in s.fee_schedule_files)
    return out


def _notices(table: Any) -> list[str]:
    if getattr(table, "illustrative", False):
        return [
            "Benchmark figures are ILLUSTRATIVE, not survey data: the bundled sample table is "
            "for trying rvubench out; use your own licensed survey export for real decisions."
        ]
    return []


def stderr_progress(stream: Any = None) -> ProgressFn:
    """Plain progress lines (``[3/14] FM-2001 done``) for a non-terminal stderr."""
    out = stream or sys.stderr

    def report(done: int, total: int, provider_id: str, status: str) -> None:
        print(f"[{done}/{total}] {provider_id} {status}", file=out, flush=True)

    return report
