"""CPU seconds of each step of link_site, cold (filling the memo) and in an edit rebuild with the memo.

    .venv/bin/python bench/link_steps.py PROJECT PICKLE [--reference-weights]

PICKLE: the analysed articles, as bench/link_profile.py --articles keeps them.  The edit is link_profile.py
--edit's (the middle article in file order, a sentence appended, analysed again).  Each step is a module
function wrapped with a CPU timer; nested steps count inside their callers too (so the figures do not add up).
"""
import functools
import gc
import hashlib
import pickle
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import builder.link.actors as ac
import builder.link.co_actors as co
import builder.link.events as ev
import builder.link.regroup as rg
import builder.link.rejoin as rj
import builder.link.site as site_mod
from builder.build import article_context, process_source
from builder.cli import _settings
from builder.link.curation import CURATION_NAME, load_curation
from builder.link.memo import LinkMemo
from builder.model import SourceFile

totals = defaultdict(float)
def wrap(mod, name, label=None):
    if not hasattr(mod, name):  # a step an older tree does not have
        return
    f = getattr(mod, name)
    label = label or f"{mod.__name__.split('.')[-1]}.{name}"
    @functools.wraps(f)
    def g(*a, **k):
        t = time.process_time()
        try:
            return f(*a, **k)
        finally:
            totals[label] += time.process_time() - t
    setattr(mod, name, g)

for n in ["find_duplicates", "unique_slugs", "resolve_actors", "group_events", "curate_events", "load_event_types"]:
    wrap(site_mod, n)
for n in ["article_names", "article_features", "cluster_articles", "pair_scores", "average_link", "_tfidf",
          "_flat_blocked_pairs", "_flat_pair_cosines", "background_events", "link_related", "combined_summary",
          "find_happenings", "_best_date", "_display_names", "time_ranks", "recall", "_packed_mentions",
          "group_dated_mentions", "_date_through", "name_columns", "_unpacked_mentions", "article_when",
          "_main_event"]:
    wrap(ev, n)
for n in ["_local_resolution", "mention_keys", "_said_in", "_assign_slugs", "_likely_merges",
          "_provisional_slugs", "_with_actors", "recall", "References"]:
    wrap(ac, n)

for n in ["join_across_articles", "rejoin", "all_co_actors", "name_nodes", "previous_state", "keep_state"]:
    wrap(ac, n)  # (called by resolve_actors through its globals)
wrap(LinkMemo, "keep")  # every whole-site state kept (pickled), and read back (previous_value)
wrap(LinkMemo, "previous_value")
wrap(co, "co_actors")
for n in ["name_parts", "_touched", "_parts_to_redo"]:
    wrap(rj, n)

for n in ["regroup", "_near", "_scores", "_groups", "_nearest", "posting_kinds", "_parts", "grouping_identity",
          "_posting_kinds", "_carried", "_kept_candidates", "_compacted", "average_link"]:
    wrap(rg, n)

project, pick = Path(sys.argv[1]), Path(sys.argv[2])
settings = _settings(project, None, None, None, None, False, None)
with pick.open("rb") as s:
    articles, problems = pickle.load(s)
curation = load_curation(settings.paths.site / CURATION_NAME)
event_types = settings.paths.site / "event_types.toml"
config = replace(settings.config, event_weights="reference") if "--reference-weights" in sys.argv else settings.config
articles = sorted(articles, key=lambda a: a.source_file)
target = articles[len(articles) // 2]
data = (settings.paths.seeds / target.source_file).read_bytes()
data += b"\n\nThe talks were postponed on Monday, officials said, and will resume in Geneva next week.\n"
edited = process_source(SourceFile(target.source_file, data, hashlib.sha256(data).hexdigest()),
                        article_context(settings.paths.site, settings.config))
packed = pickle.dumps((articles, problems), protocol=pickle.HIGHEST_PROTOCOL)
packed_edited = pickle.dumps(([edited if a is target else a for a in articles], problems),
                             protocol=pickle.HIGHEST_PROTOCOL)
del articles

def run(p, memo, label):
    arts, probs = pickle.loads(p)
    gc.collect()
    totals.clear()
    t, c = time.perf_counter(), time.process_time()
    site_mod.link_site(arts, probs, config, curation, event_types=event_types, memo=memo)
    print(f"== {label}: {time.perf_counter()-t:.2f} s wall, {time.process_time()-c:.2f} s CPU")
    for k, v in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"   {k:32s} {v:7.2f}")
memo = LinkMemo()
run(packed, memo, "cold, filling memo")
run(packed_edited, LinkMemo(memo.kept), "edited, with memo")
