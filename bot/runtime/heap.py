"""Keeping the garbage collector cheap in a long-running bot.

Everything built at start-up (PTB, pydantic models, matplotlib, the handlers) lives as long as
the process, yet every full collection walks all of it again: on the 2-core bench machine one
such pass over ~150,000 objects took 130 ms, and every reader waiting meanwhile waited that
long (bench/sources_bench.py, where a poll's allocations set one off). Freezing the start-up
heap (gc.freeze) leaves only what came later for those passes to walk.

The young generation's threshold is raised too. A young collection walks the young objects
still alive, so its cost is set by what lives at that moment (a batch of subscribers, a
reply being built), not by how many objects died since the last one; at CPython's default of
700 allocations, a digest run of 100,000 subscribers set off about 500 young and a few full
collections, 7% of the run (bench/NOTES.md). At 10,000 the same run sets off fourteen times
fewer, each about as short: cyclic garbage (rare here; nearly everything is freed by its
reference count) waits a little longer.
"""

import gc
import logging

log = logging.getLogger(__name__)

# Allocations (net of deallocations) between young collections; CPython's default is 700.
YOUNG_THRESHOLD = 10_000


def freeze_startup_heap() -> int:
    """Collect once, then move every surviving object out of the collector's sight and
    space the young collections out for the allocations of a long-running bot."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    frozen = gc.get_freeze_count()
    log.info("start-up heap frozen: %d objects no longer scanned by the collector", frozen)
    return frozen
