"""bench/link_edit_file.py with more of group_events' steps timed (CPU seconds and calls, printed at the end).

    (cd TREE && PYTHONPATH=TREE .venv/bin/python bench/link_edit_steps.py bench/link_edit_file.py PROJECT PICKLE \
        WORK TAG edit)

The steps of builder.link.events, regroup and regions it wraps are looked up by name (a step an older tree does
not have is left out), and the memo's state reads and writes (LinkMemo.previous_value, keep) are timed by the
state's name: so two trees can be alternated as with link_edit_file.py (an older tree without this file: give its
path in this one, the older tree on PYTHONPATH).  Nested steps count in their callers too.
"""
import atexit
import functools
import runpy
import sys
import time
from collections import defaultdict

import builder.link.events as ev
import builder.link.memo as mm
import builder.link.regions as rgn
import builder.link.regroup as rg

extra: dict[str, float] = defaultdict(float)
calls: dict[str, int] = defaultdict(int)


def wrap(owner, name, label=None):
    if not hasattr(owner, name):
        return
    f = getattr(owner, name)
    label = label or f"{getattr(owner, '__name__', str(owner)).split('.')[-1]}.{name}"

    @functools.wraps(f)
    def g(*a, **k):
        t = time.process_time()
        try:
            return f(*a, **k)
        finally:
            extra[label] += time.process_time() - t
            calls[label] += 1
    setattr(owner, name, g)


for n in ["keep_shards", "load_shards", "merged", "unique_slugs", "_unaffected", "_previous_background",
          "_previous_related", "names_digest", "_same_actors"]:
    wrap(ev, n)
wrap(ev.LazyColumns, "__init__", "LazyColumns.__init__")
wrap(ev._MainEvents, "__init__", "_MainEvents.__init__")
wrap(ev._MainEvents, "keep", "_MainEvents.keep")
for n in ["_kept_postings", "_asked_kinds", "time_ranks", "_removed", "_terms_of", "nearest_rows", "_sorted_unique",
          "regrouped", "_kept_candidates", "_near", "_scores", "_carried", "_posting_kinds", "grouped_by_parts"]:
    wrap(rg, n, "rg." + n)
for n in ["_touched", "_grouped_alone"]:
    wrap(rgn, n, "rgn." + n)
wrap(rgn._Replay, "run", "rgn._Replay.run")


def timed_by_state(name):
    f = getattr(mm.LinkMemo, name)

    def g(self, parts, *rest):
        t = time.process_time()
        try:
            return f(self, parts, *rest)
        finally:
            extra[f"{name}:{parts[0]}"] += time.process_time() - t
    setattr(mm.LinkMemo, name, g)


timed_by_state("previous_value")
timed_by_state("keep")


@atexit.register
def show():
    print("-- more steps (CPU s, calls)")
    for k, v in sorted(extra.items(), key=lambda kv: -kv[1]):
        print(f"   {k:40s} {v:7.3f} {calls.get(k, '')}")


sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
