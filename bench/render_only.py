"""The render stage of an edit, alone and repeatable: a linked site pickled by render_edit.py --save-site (the
edit's site, the build stopped before rendering), the project's page keys loaded as the build loads them, every
page consumed (not written).  Thread CPU by page kind.  The builder's code fingerprint fixed, as render_edit.py's.

    PYTHONPATH=TREE python render_only.py SITE.pickle --project P [--repeat 3] [--profile OUT]
"""

# ruff: noqa: E402, E501, E731, B023  (a measuring script: the tree is imported after the arguments are read,
# and the timing wrappers are bound once, in the loop that makes them)

import argparse
import cProfile
import gc
import os
import pickle
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("site")
parser.add_argument("--project", required=True, type=Path)
parser.add_argument("--repeat", type=int, default=3)
parser.add_argument("--profile")
parser.add_argument("--verify", action="store_true")
parser.add_argument("--sample")
args = parser.parse_args()

import builder
import builder.cache
import builder.fingerprint
import builder.template_cache

fixed = lambda: "fixed-fingerprint-for-measurement"
builder.cache.builder_fingerprint = builder.fingerprint.builder_fingerprint = (
    builder.template_cache.builder_fingerprint
) = fixed
import builder.render as render_module
from builder.cli import _settings
from builder.page_keys import PageKeys

sys.setrecursionlimit(100000)
with open(args.site, "rb") as handle:
    site = pickle.load(handle)
gc.freeze()
settings = _settings(args.project, None, None, None, None, False, None)
times = {}


def timed_gen(name, gen):
    gen = iter(gen)
    while True:
        begun = time.thread_time()
        try:
            page = next(gen)
        except StopIteration:
            times[name] = times.get(name, 0.0) + time.thread_time() - begun
            return
        times[name] = times.get(name, 0.0) + time.thread_time() - begun
        yield page


for name, module in render_module.available_page_modules().items():
    plan = module.plan
    module.plan = (lambda plan, name: lambda renderer, site: timed_gen(name, plan(renderer, site)))(plan, name)
    if hasattr(module, "sitemaps"):
        sm = module.sitemaps

        def sitemaps(*a, sm=sm):
            begun = time.thread_time()
            r = list(sm(*a))
            times["sitemap"] = time.thread_time() - begun
            return r

        module.sitemaps = sitemaps
start = PageKeys.start


def timed_start(self, *a, **k):
    begun = time.thread_time()
    start(self, *a, **k)
    times["keys.start"] = time.thread_time() - begun


PageKeys.start = timed_start
if hasattr(PageKeys, "_readers_of_changed"):
    readers = PageKeys._readers_of_changed

    def timed_readers(self):
        begun = time.thread_time()
        r = readers(self)
        times["keys.readers"] = time.thread_time() - begun
        return r

    PageKeys._readers_of_changed = timed_readers

print("tree:", Path(builder.__file__).parent.parent, "load", f"{os.getloadavg()[0]:.1f}", flush=True)
for round_number in range(args.repeat):
    keys = PageKeys.load(settings.paths, verify=args.verify)
    times.clear()
    profiler = cProfile.Profile() if args.profile and round_number == args.repeat - 1 else None
    made = []
    sampler = None
    if args.sample and round_number == args.repeat - 1:
        import threading
        from collections import Counter

        stacks = Counter()
        stop = threading.Event()
        main = threading.get_ident()
        sys.setswitchinterval(1e-5)

        def sampler_run():
            while not stop.wait(0.002):
                frame = sys._current_frames().get(main)
                stack = []
                while frame is not None:
                    stack.append("/".join(frame.f_code.co_filename.split("/")[-2:]) + ":" + frame.f_code.co_name)
                    frame = frame.f_back
                stacks[tuple(reversed(stack))] += 1

        sampler = threading.Thread(target=sampler_run, daemon=True)
        sampler.start()
    pages = render_module.iter_site_pages(site, settings, keys)
    total = 0.0
    while True:
        if profiler:
            profiler.enable()
        begun = time.thread_time()
        page = next(pages, None)
        total += time.thread_time() - begun
        if profiler:
            profiler.disable()
        if page is None:
            break
        if page.content is not None and not page.path.startswith("data/"):
            made.append(page.path)
    print(
        f"render {total:.3f} s  "
        + "  ".join(f"{n} {v:.3f}" for n, v in sorted(times.items(), key=lambda kv: -kv[1]))
        + f"  | recalled {keys.recalled} rendered {keys.rendered} kept {keys.kept} changed {len(keys.changed)} made {len(made)}",
        flush=True,
    )
    if profiler:
        profiler.dump_stats(args.profile)
    if sampler:
        stop.set()
        sampler.join()
        sys.setswitchinterval(0.005)
        with open(args.sample, "wb") as handle:
            pickle.dump(stacks, handle)
