"""A batch worker freezes its long-lived heap once, after its first clinician; the main process never.

``batch._settle_worker_heap`` runs after each clinician's report: in a worker process it
collects and then ``gc.freeze()``s what survives the first report (the rendering stack's
state), once; in the main process (``--jobs 1``, whose heap holds the whole log) it does
nothing.
"""

from __future__ import annotations

import gc
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from rvubench.batch import run as batch


def _freeze_counts() -> tuple[int, int, int]:
    """In a worker: frozen objects before, after the first and after the second call."""
    before = gc.get_freeze_count()
    batch._settle_worker_heap()
    first = gc.get_freeze_count()
    kept = [[i] for i in range(1000)]  # new long-lived objects, after the first report
    batch._settle_worker_heap()
    second = gc.get_freeze_count()
    del kept
    return before, first, second


def test__worker_freezes_once_after_its_first_clinician():
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        before, first, second = pool.submit(_freeze_counts).result(timeout=120)
    assert before == 0
    assert first > 1000  # the imported modules' objects at least
    assert second == first  # only once: later objects stay collectable


def test__main_process_heap_is_left_alone():
    before = gc.get_freeze_count()
    batch._settle_worker_heap()
    assert gc.get_freeze_count() == before
