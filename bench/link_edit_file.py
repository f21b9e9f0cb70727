"""CPU seconds of an edit's link steps, with the link memo read from a file and written to one as a build does.

    (cd TREE && PYTHONPATH=TREE .venv/bin/python bench/link_edit_file.py PROJECT PICKLE WORK TAG prepare)
    (cd TREE && PYTHONPATH=TREE .venv/bin/python bench/link_edit_file.py PROJECT PICKLE WORK TAG edit \
        [--check] [--profile N])

PICKLE: the analysed articles, as bench/link_profile.py --articles keeps them.  `prepare` links them cold and keeps
the memo in WORK/TAG/base.entries (builder.cache's file format: StoredEntries, SpilledEntries); `edit` links
link_steps.py's edit (the middle article, a sentence appended; the edited article kept in WORK/edited.pickle) with
that memo, read entry by entry from the file, and this build's written to a scratch file, as a build does (the
dict memo of link_steps.py and link_profile.py hides the cost of each entry's read and write).  Each edit run
links the same edited site with the same memo, so runs of two trees (each TAG prepared by its own tree) can be
repeated and alternated.  Each step is a module function wrapped with a CPU timer (nested steps count in their
callers too).  --check: then a cold link of the edited site, compared with the edit's (repr).
"""
import cProfile
import functools
import gc
import hashlib
import os
import pickle
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

import builder.link.events as ev
import builder.link.regroup as rg
import builder.link.site as site_mod
from builder.build import article_context, process_source
from builder.cache import SpilledEntries, StoredEntries
from builder.cli import _settings
from builder.link.curation import CURATION_NAME, load_curation
from builder.link.memo import LinkMemo
from builder.model import SourceFile

totals = defaultdict(float)


def wrap(mod, name):
    if not hasattr(mod, name):
        return
    f = getattr(mod, name)
    label = f"{mod.__name__.split('.')[-1]}.{name}"

    @functools.wraps(f)
    def g(*a, **k):
        t = time.process_time()
        try:
            return f(*a, **k)
        finally:
            totals[label] += time.process_time() - t
    setattr(mod, name, g)


for n in ["find_duplicates", "resolve_actors", "group_events", "curate_events"]:
    wrap(site_mod, n)
for n in ["background_events", "link_related", "name_columns", "_display_names", "unique_slugs",
          "_main_event", "article_when", "group_dated_mentions", "_unpacked_mentions", "_packed_mentions",
          "name_columns_of", "background_state"]:
    wrap(ev, n)
for n in ["regroup", "regrouped", "_kept_candidates", "_near", "_scores", "_carried", "_posting_kinds",
          "grouping_identity", "_compacted"]:
    wrap(rg, n)
wrap(LinkMemo, "keep")
wrap(LinkMemo, "previous_value")

project, pick, work, tag, what = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], sys.argv[5]
folder = work / tag
folder.mkdir(parents=True, exist_ok=True)
settings = _settings(project, None, None, None, None, False, None)
curation = load_curation(settings.paths.site / CURATION_NAME)
event_types = settings.paths.site / "event_types.toml"
config = settings.config
with pick.open("rb") as s:
    articles, problems = pickle.load(s)
articles = sorted(articles, key=lambda a: a.source_file)
KEY = "edit-events-bench"
base = folder / "base.entries"


def edited_articles():
    target = articles[len(articles) // 2]
    keep = work / "edited.pickle"
    if keep.is_file():
        edited = pickle.loads(keep.read_bytes())
    else:
        data = (settings.paths.seeds / target.source_file).read_bytes()
        data += b"\n\nThe talks were postponed on Monday, officials said, and will resume in Geneva next week.\n"
        edited = process_source(SourceFile(target.source_file, data, hashlib.sha256(data).hexdigest()),
                                article_context(settings.paths.site, settings.config))
        keep.write_bytes(pickle.dumps(edited, protocol=pickle.HIGHEST_PROTOCOL))
    assert edited.source_file == target.source_file
    return [edited if a is target else a for a in articles]


def run(arts, memo, label, profile=0):
    gc.collect()
    gc.freeze()
    totals.clear()
    profiler = cProfile.Profile(time.process_time) if profile else None
    t, c = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    site = site_mod.link_site(arts, problems, config, curation, event_types=event_types, memo=memo)
    if profiler:
        profiler.disable()
    print(f"== {label}: {time.perf_counter()-t:.2f} s wall, {time.process_time()-c:.2f} s CPU, "
          f"load {os.getloadavg()[0]:.1f}")
    for k, v in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"   {k:32s} {v:7.2f}")
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(profile)
        stats.sort_stats("tottime").print_stats(profile)
    return site


if what == "prepare":
    kept = SpilledEntries(folder)
    run(articles, LinkMemo({}, kept), "cold, filling the memo")
    os.replace(kept.finish(KEY), base)
elif what == "edit":
    arts = edited_articles()
    previous = StoredEntries.read(base, KEY)
    assert len(previous), "no memo: run prepare"
    kept = SpilledEntries(folder)
    profile = int(sys.argv[sys.argv.index("--profile") + 1]) if "--profile" in sys.argv else 0
    packed = pickle.dumps(arts, protocol=pickle.HIGHEST_PROTOCOL) if "--check" in sys.argv else None
    warm = run(arts, LinkMemo(previous, kept), "edited, with the memo (file)", profile)
    kept.discard()
    previous.close()
    if packed is not None:
        warm_text = repr(warm)
        del warm
        cold = run(pickle.loads(packed), None, "edited, cold")
        print("edited with the memo == cold:", repr(cold) == warm_text)
