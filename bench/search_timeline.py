"""When an edit's search index work happens, against the stages: one build, in this process, with marks.

    PYTHONPATH=TREE .venv/bin/python bench/search_timeline.py PROJECT [--edit N]

`--edit N` first appends a sentence to the middle seed, as bench/edit_path.py's round N does. The build then
runs as `python -m builder --project PROJECT -v` would, and prints, in the order they happened, each with its
wall seconds since build() started and the process's CPU seconds (all threads; Pagefind is a child): each
stage's start and end; the first and last page handed to the writer, and each page rendered (not kept) as
it is handed over; each shard started (indexed or reused, from `SearchIndex._start`); each Pagefind run's
launch and end (`search.start_pagefind`, `search.finish_pagefind`); `finish`'s call and return. So one
sees whether the edited shard's Pagefind runs beside rendering and writing, or after them ("index").
Hooks only names both trees have; a tree without one just lacks those marks.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from edit_path import edit

T0 = [time.monotonic()]
MARKS: list[tuple[float, float, str]] = []
LOCK = threading.Lock()


def mark(what: str) -> None:
    with LOCK:
        MARKS.append((time.monotonic() - T0[0], time.process_time(), what))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("project")
    parser.add_argument("--edit", type=int, default=0, help="append a sentence to the middle seed first (round N)")
    parser.add_argument("--all-pages", action="store_true", help="mark every rendered page, not the first 40")
    args = parser.parse_args()
    if args.edit:
        print(f"edited: {edit(Path(args.project), args.edit).name}", file=sys.stderr)

    import builder.build as build_module
    from builder import search

    real_timer = build_module.StageTimer

    class MarkingTimer(real_timer):
        @contextmanager
        def __call__(self, name, what=""):
            mark(f"stage {name} starts")
            try:
                with real_timer.__call__(self, name, what):
                    yield
            finally:
                mark(f"stage {name} ends")

    build_module.StageTimer = MarkingTimer
    real_timed = build_module.timed_pages
    shown = [0]

    def timed_pages(pages, timer):
        count = 0
        for page in real_timed(pages, timer):
            count += 1
            if count == 1:
                mark(f"first page handed to the writer: {page.path}")
            if page.content is not None and (args.all_pages or shown[0] < 40):
                shown[0] += 1
                mark(f"page {count} rendered: {page.path}")
            yield page
        mark(f"last page handed to the writer ({count} pages)")

    build_module.timed_pages = timed_pages
    real_start, real_finish = search.start_pagefind, search.finish_pagefind

    def start_pagefind(folder, where):
        process = real_start(folder, where)
        mark(f"Pagefind {process.pid} launched on {Path(folder).name}")
        return process

    def finish_pagefind(process, folder):
        try:
            real_finish(process, folder)
        finally:
            mark(f"Pagefind {process.pid} ended")

    search.start_pagefind, search.finish_pagefind = start_pagefind, finish_pagefind
    index_class = search.SearchIndex
    for name, label in (("_start", "shard started"), ("finish", "finish")):
        real = getattr(index_class, name, None)
        if real is None:
            continue

        def hooked(self, *a, _real=real, _label=label, **k):
            before = (self.runs, self.reused)
            mark(f"{_label} called (started {self.started})")
            try:
                return _real(self, *a, **k)
            finally:
                how = "reused" if self.reused > before[1] else "queued for Pagefind" if self.runs > before[0] else ""
                mark(f"{_label} returns {how}".rstrip())

        setattr(index_class, name, hooked)

    from builder.cli import main as cli_main
    T0[0] = time.monotonic()
    cpu0 = time.process_time()
    mark("main starts")
    try:
        cli_main(["--project", args.project, "-v"], standalone_mode=False)
    finally:
        mark("main returns")
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"\n{'wall s':>7} {'CPU s':>6}  (this process, all threads; Pagefind children: "
              f"{children.ru_utime + children.ru_stime:.2f} s CPU in all; load {os.getloadavg()[0]:.1f})")
        for wall, cpu, what in MARKS:
            print(f"{wall:7.2f} {cpu - cpu0:6.2f}  {what}")


if __name__ == "__main__":
    main()
