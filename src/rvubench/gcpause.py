"""Pausing Python's cyclic garbage collector around a vectorized or rendering stage.

Reference counting still frees everything that is not in a cycle. What the collector costs
during such a stage is its full collections: the stage allocates many small objects (parsed
values, openpyxl cells, WeasyPrint boxes), which trigger collections that rescan the whole
heap (the imported libraries, the log's frames) and find little to free.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused(collect_young: bool = False) -> Iterator[None]:
    """Pause the cyclic collector for the ``with`` block, then restore the state found.

    ``collect_young``: when the collector was on, collect the youngest generation as the
    block ends. A render that leaves its garbage in cycles (WeasyPrint's document, fonts and
    boxes, all young) frees it then, finalizers included, without a full collection.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            if collect_young:
                gc.collect(0)
