"""The render stage of an edit, alone and repeatable: a linked site pickled by render_edit.py --save-site (the
edit's site, the build stopped before rendering), the project's page keys loaded as the build loads them, every
page consumed (not written).  Thread CPU by page kind.  The builder's code fingerprint fixed, as render_edit.py's.

    PYTHONPATH=TREE python render_only.py SITE.pickle --project P [--repeat 3] [--profile OUT]
"""

# ruff: noqa: E402, E501, E731  (a measuring script: the tree is imported after the arguments are read,
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
from render_timing import StackSampler, time_page_kinds

import builder.render as render_module
from builder.cli import _settings
from builder.page_keys import PageKeys

sys.setrecursionlimit(100000)
with open(args.site, "rb") as handle:
    site = pickle.load(handle)
gc.freeze()
settings = _settings(args.project, None, None, None, None, False, None)
times = {}
time_page_kinds(times)

print("tree:", Path(builder.__file__).parent.parent, "load", f"{os.getloadavg()[0]:.1f}", flush=True)
for round_number in range(args.repeat):
    keys = PageKeys.load(settings.paths, verify=args.verify)
    if os.path.exists(args.site + ".changes"):  # (what linking said changed, saved beside the site: render_edit.py)
        with open(args.site + ".changes", "rb") as handle:
            keys.link_changes = pickle.load(handle)
    gc.freeze()  # (as the build settles once the keys are loaded: the export's collection does not walk them)
    times.clear()
    profiler = cProfile.Profile() if args.profile and round_number == args.repeat - 1 else None
    made = []
    sampler = None
    if args.sample and round_number == args.repeat - 1:
        sampler = StackSampler(0.002).start()
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
        + f"  | recalled {keys.recalled} rendered {keys.rendered} kept {keys.kept} changed {len(keys.changed)} made {len(made)} taken {getattr(keys, 'taken', 0)}",
        flush=True,
    )
    if profiler:
        profiler.dump_stats(args.profile)
    if sampler:
        with open(args.sample, "wb") as handle:
            pickle.dump(sampler.stop(), handle)
