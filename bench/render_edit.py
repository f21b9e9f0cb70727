"""One edit of a built project, in-process, with the render stage's thread CPU by page kind.

    PYTHONPATH=TREE python render_edit.py --project P [--round N] [--profile OUT.prof] [--no-edit]

Edits the middle seed (one sentence appended), builds with `-v`-like settings, prints the render stage's
thread CPU (the main thread inside the page generator), each page module's plan, PageKeys.start, the sitemap.
"""

# ruff: noqa: E402, E501, E731  (a measuring script: the tree is imported after the arguments are read,
# and the timing wrappers are bound once, in the loop that makes them)

import argparse
import cProfile
import os
import resource
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--project", required=True, type=Path)
parser.add_argument("--round", type=int, default=0)
parser.add_argument("--profile")
parser.add_argument("--no-edit", action="store_true")
parser.add_argument("--save-site")
parser.add_argument(
    "--fixed-fingerprint",
    action="store_true",
    help="the builder's code fingerprint fixed: keys and link memo survive code changes (measurement only)",
)
args = parser.parse_args()

from render_timing import time_page_kinds

import builder
import builder.build as build_module
from builder.cli import _settings

print("tree:", Path(builder.__file__).parent.parent, flush=True)
if args.fixed_fingerprint:
    import builder.cache
    import builder.fingerprint
    import builder.template_cache

    fixed = lambda: "fixed-fingerprint-for-measurement"
    builder.cache.builder_fingerprint = builder.fingerprint.builder_fingerprint = (
        builder.template_cache.builder_fingerprint
    ) = fixed

times = {}
profiler = cProfile.Profile() if args.profile else None


original_timed_pages = build_module.timed_pages


def timed_pages(pages, timer):
    def inner():
        it = iter(pages)
        while True:
            if profiler:
                profiler.enable()
            begun = time.thread_time()
            try:
                page = next(it)
            except StopIteration:
                times["render"] = times.get("render", 0.0) + time.thread_time() - begun
                if profiler:
                    profiler.disable()
                return
            times["render"] = times.get("render", 0.0) + time.thread_time() - begun
            if profiler:
                profiler.disable()
            yield page

    return original_timed_pages(inner(), timer)


build_module.timed_pages = timed_pages


def keys_started(keys):
    global KEYS
    KEYS = keys


time_page_kinds(times, keys_started)

project = args.project
if args.save_site:
    import pickle

    original_iter = build_module.__dict__.get("iter_site_pages")
    import builder.render as r

    real_iter = r.iter_site_pages

    def saving(site, settings, keys=None):
        sys.setrecursionlimit(100000)
        with open(args.save_site, "wb") as handle:
            pickle.dump(site, handle, protocol=5)
        with open(args.save_site + ".changes", "wb") as handle:  # (what linking said changed: render_only takes it)
            pickle.dump(getattr(keys, "link_changes", None), handle, protocol=5)
        raise SystemExit("site saved")

    r.iter_site_pages = saving
if not args.no_edit:
    seeds = sorted(p for p in (project / "seeds").iterdir() if p.is_file())
    victim = seeds[len(seeds) // 2]
    with victim.open("a", encoding="utf-8") as handle:
        handle.write(f"\nAn edited sentence, round {args.round} {time.time()}, about the council and its mayor.\n")
settings = _settings(project, None, None, None, None, False, None)
before = resource.getrusage(resource.RUSAGE_SELF)
load = os.getloadavg()[0]
began = time.perf_counter()
report = build_module.build(settings)
wall = time.perf_counter() - began
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
k = KEYS
print(
    f"load {load:.1f} wall {wall:.1f} s, process CPU {cpu:.2f} s; stages "
    + ", ".join(f"{s} {v:.2f}" for s, v in report.stage_seconds.items())
    if hasattr(report, "stage_seconds")
    else ""
)
print(
    f"units {len(k.current)} recalled {k.recalled} rendered pages {k.rendered} kept {k.kept} changed objects {len(k.changed)}"
)
print("render CPU: " + "  ".join(f"{n} {v:.3f}" for n, v in sorted(times.items(), key=lambda kv: -kv[1])))
if profiler:
    profiler.dump_stats(args.profile)
