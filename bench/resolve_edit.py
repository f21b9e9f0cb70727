"""CPU seconds of resolve_actors alone in an edit: cold with a memo, then bench/link_steps.py's edit 3 times.

    .venv/bin/python bench/resolve_edit.py PROJECT PICKLE [--profile FILE] [--check] [--fresh-caches]

PICKLE: the analysed articles, as bench/link_profile.py --articles keeps them.  Each edit round links the edited
articles with a fresh LinkMemo over the cold run's entries, under fewer_collections (as link_site runs).
--profile FILE  a cProfile of the last round;  --check  the last round's result equals a cold resolution (repr).
--fresh-caches  empty the name functions' caches (builder.link.names, roles) before each edit round, as a build's new
                process finds them: without it a round reads the names the cold run (or the round before) worked out.
--build-collector  the edit rounds under the collector a build's linking runs with (builder.gc_policy.BuildCollections:
                what was loaded before frozen, no full collection on its own): without it the rounds' figures
                include full collections of the loaded articles that a build does not run.
"""

import cProfile
import gc
import hashlib
import pickle
import sys
import time
from pathlib import Path

from builder.build import article_context, process_source
from builder.cli import _settings
from builder.gc_policy import ONLY_WHEN_ASKED, fewer_collections
from builder.link import names, roles
from builder.link.actors import resolve_actors
from builder.link.curation import CURATION_NAME, load_curation
from builder.link.memo import LinkMemo
from builder.model import SourceFile

project, pick = Path(sys.argv[1]), Path(sys.argv[2])
settings = _settings(project, None, None, None, None, False, None)
with pick.open("rb") as stream:
    articles, _ = pickle.load(stream)
curation = load_curation(settings.paths.site / CURATION_NAME)
articles = sorted(articles, key=lambda a: a.source_file)
target = articles[len(articles) // 2]
data = (settings.paths.seeds / target.source_file).read_bytes()
data += b"\n\nThe talks were postponed on Monday, officials said, and will resume in Geneva next week.\n"
edited = process_source(SourceFile(target.source_file, data, hashlib.sha256(data).hexdigest()),
                        article_context(settings.paths.site, settings.config))
packed = pickle.dumps(articles, protocol=pickle.HIGHEST_PROTOCOL)
packed_edited = pickle.dumps([edited if a is target else a for a in articles], protocol=pickle.HIGHEST_PROTOCOL)
del articles, target
memo = LinkMemo()
begun = time.process_time()
with fewer_collections():
    resolve_actors(pickle.loads(packed), settings.config, curation, memo)
print(f"cold with memo: {time.process_time() - begun:.2f} s CPU", flush=True)
if "--build-collector" in sys.argv:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*gc.get_threshold()[:2], ONLY_WHEN_ASKED)
for round_ in range(3):
    arts = pickle.loads(packed_edited)
    if "--fresh-caches" in sys.argv:
        for cached in (names.name_key, names.name_tokens, names.acronym_of, names.looks_like_acronym, roles._head):
            cached.cache_clear()
    gc.collect()
    if "--build-collector" in sys.argv:
        gc.freeze()  # (the analysed articles, as build() settles them before linking)
    profile = cProfile.Profile() if "--profile" in sys.argv and round_ == 2 else None
    begun, wall = time.process_time(), time.perf_counter()
    if profile:
        profile.enable()
    with fewer_collections():
        out = resolve_actors(arts, settings.config, curation, LinkMemo(memo.kept))
    if profile:
        profile.disable()
        profile.dump_stats(sys.argv[sys.argv.index("--profile") + 1])
    print(f"edit {round_}: {time.process_time() - begun:.2f} s CPU {time.perf_counter() - wall:.2f} s wall", flush=True)
if "--check" in sys.argv:
    with fewer_collections():
        cold = resolve_actors(pickle.loads(packed_edited), settings.config, curation, None)
    print("edit == cold:", repr(out) == repr(cold))
