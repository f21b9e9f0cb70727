"""When the garbage collector runs: less often while a stage makes millions of objects that all live on."""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def fewer_collections():
    """Loading 10,000 analysed articles or linking them allocates millions of small objects that live until
    the end of the stage or the build, and the collector went through them again and again (a third of
    the time to load the analysis cache, a sixth of linking).  Its youngest generation is collected every
    100,000 allocations instead of every 700 for the duration (cyclic garbage is still collected, later);
    nothing of the result depends on it."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def no_collections():
    """While unpickling what lives on (the analysed articles from the cache): unpickling makes no cyclic
    garbage, only objects that live on, and the collector's full collections walked the growing heap again
    each time it grew by a quarter (0.4 s of the 1.2 s to load 10,000 articles).  Only around work done in
    this process: a worker process forked meanwhile would inherit a collector that never runs."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# A count the oldest generation never reaches: no full collection but those the builder asks for.
ONLY_WHEN_ASKED = 1 << 30


@contextmanager
def lasting_objects():
    """For the stages after the analysis (linking, rendering, writing): what is alive when `settle()` (the
    context's value) is called lives until the end of the build (the analysed articles, then the linked site
    and the page keys), so no collection walks it again (gc.freeze); and no full collection runs on its own.

    In a 10,000-article edit, the collector's automatic full collections walked those millions of objects
    13 times (2.4 s of CPU, under load) and found 0 to 40 objects of garbage each time: what the stages
    leave is freed by reference counting.  The full collections that matter for memory are the builder's
    own (memory.return_free_memory: after linking, after the exports, every PAGES_BETWEEN_TRIMS pages
    made), and they still run, walking only what was made since the last `settle()`.  Unfrozen and the
    thresholds restored at the end: a long-running `serve` must free a site once the next replaces it."""
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], ONLY_WHEN_ASKED)
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
