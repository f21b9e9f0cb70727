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
    """While loading what lives on and holds no cycles (the analysed articles from the cache, the page keys):
    the collector's full collections walked the growing heap again each time it grew by a quarter (0.4 s
    of the 1.2 s to load 10,000 articles) and found nothing.  Only around work done in this process: a
    worker process forked meanwhile would inherit a collector that never runs."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# A count the oldest generation never reaches: no full collection but those the builder asks for.
ONLY_WHEN_ASKED = 1 << 30


class BuildCollections:
    """How the collector runs through one build (a context: all of it is undone at the exit, so that a
    long-running `serve` frees a site once the next one replaces it, and a failed build leaves nothing).

    Most of what a build makes lives until its end: the page keys, the analysed articles, then the linked
    site.  `settle()` says that what is alive now is such (gc.freeze): no collection walks it again.
    `only_asked_full_collections()`, once the analysis workers are done: no full collection runs on its own
    (in a 10,000-article edit they walked those millions of objects 13 times, 2.4 s of CPU under load, and
    found 0 to 40 objects of garbage: what the stages leave is freed by reference counting); the builder's
    own (memory.return_free_memory: after linking, after the exports, every PAGES_BETWEEN_TRIMS pages
    made) still run, walking only what was made since the last `settle()`."""

    def __enter__(self) -> BuildCollections:
        self.threshold = gc.get_threshold()
        return self

    def settle(self) -> None:
        gc.freeze()

    def only_asked_full_collections(self) -> None:
        gc.set_threshold(*gc.get_threshold()[:2], ONLY_WHEN_ASKED)

    def __exit__(self, *exc_info) -> None:
        gc.unfreeze()
        gc.set_threshold(*self.threshold)
