"""Time and measure the LINK stage alone (link_site) on a project whose analysis is cached.

    .venv/bin/python bench/link_profile.py PROJECT [--profile N] [--dump FILE] [--articles PICKLE]
                                               [--reference-weights] [--edit]

Loads the project's analysed articles through the analysis cache (as a build does), then runs link_site
once and prints its wall seconds and how much it raised the process's peak RSS over the loaded articles
(VmHWM, reset just before linking through /proc/self/clear_refs, so the loading's own peak does not count).

--profile N     run under cProfile and print the N costliest functions (cumulative and own time)
--dump FILE     write a canonical text form of the linked Site (every article's link fields, actors,
                events, sources, the actor report, in order) to compare before and after a change
--articles P    keep the loaded articles in a pickle P (loaded from it when it exists): linking can be
                measured while the analysis code, and so the cache key, is being changed by others
--reference-weights  link with event_weights = "reference" (builder/link/reference.py), whatever the config
--edit          an edit rebuild's linking: link once with an empty memo (builder/link/memo.py: cold, filling it),
                then edit one article (the middle one in file order: a sentence appended, analysed again) and
                link the edited site with that memo and without (cold), on fresh copies of the articles; prints
                the three times, the memo's size and how long it takes to pickle and load, and checks that the
                two links of the edited site are equal (repr)
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import pickle
import pstats
import sys
import time
from dataclasses import replace
from pathlib import Path

from builder.build import analyse_all, article_context, process_source
from builder.cli import _settings
from builder.link import link_site
from builder.link.curation import CURATION_NAME, load_curation
from builder.link.memo import LinkMemo
from builder.model import Article, SourceFile
from builder.read import list_seeds, read_seed_files


def status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak_rss() -> bool:
    """Make VmHWM start again from the current RSS (Linux 4.0+); False when the kernel refuses."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def watch_collections() -> list:
    """[seconds, count] of the garbage collector's runs from now on (a gc callback)."""
    totals = [0.0, 0]
    started = [0.0]

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            totals[0] += time.perf_counter() - started[0]
            totals[1] += 1

    gc.callbacks.append(callback)
    return totals


def load_articles(project: Path, settings, keep: Path | None):
    if keep is not None and keep.is_file():
        with keep.open("rb") as stream:
            return pickle.load(stream)
    found, _ = list_seeds(settings.paths.seeds)
    sources, _ = read_seed_files(found)
    articles, problems = analyse_all(sources, settings)
    if keep is not None:
        with keep.open("wb") as stream:
            pickle.dump((articles, problems), stream, protocol=pickle.HIGHEST_PROTOCOL)
    return articles, problems


def canonical_lines(site):
    """The linked Site as text, one record a line; an article's whole state is summed up by a hash of its repr."""
    for article in site.articles:
        yield repr(("article", article.source_file, article.slug, article.also_published_as, article.main_event,
                    article.events, article.published, [m.actor_key for m in article.mentions]))
        yield "article-sha256 " + hashlib.sha256(repr(article).encode()).hexdigest()
    for actor in site.actors:
        yield repr(actor)
    for event in site.events:
        yield repr(event)
    for source in site.sources:
        yield repr(("source", source.name, source.slug, [a.source_file for a in source.articles]))
    yield repr(site.actor_report)
    yield repr(site.problems)
    yield repr((site.title, site.rule_counts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--articles", type=Path)
    parser.add_argument("--reference-weights", action="store_true")
    parser.add_argument("--edit", action="store_true")
    options = parser.parse_args()
    if options.edit:
        edit_rebuild(options)
        return

    settings = _settings(options.project, None, None, None, None, False, None)
    begun = time.perf_counter()
    articles, problems = load_articles(options.project, settings, options.articles)
    print(f"loaded {len(articles)} articles in {time.perf_counter() - begun:.1f} s", file=sys.stderr)
    curation = load_curation(settings.paths.site / CURATION_NAME)
    event_types = settings.paths.site / "event_types.toml"
    gc.collect()

    loaded_kib = status_kib("VmRSS")
    peak_known = reset_peak_rss()
    profiler = cProfile.Profile() if options.profile else None
    gc_seconds = watch_collections()
    begun, cpu_begun = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    config = replace(settings.config, event_weights="reference") if options.reference_weights else settings.config
    site = link_site(articles, problems, config, curation, event_types=event_types)
    if profiler:
        profiler.disable()
    seconds, cpu_seconds = time.perf_counter() - begun, time.process_time() - cpu_begun
    peak_kib = status_kib("VmHWM") if peak_known else status_kib("VmRSS")
    print(f"link_site: {seconds:.2f} s wall, {cpu_seconds:.2f} s CPU ({gc_seconds[0]:.2f} s in {gc_seconds[1]} "
          f"garbage collections), {len(site.articles)} articles, {len(site.actors)} actors, "
          f"{len(site.events)} events")
    print(f"RSS: {loaded_kib / 1024:.0f} MB loaded, peak during link {peak_kib / 1024:.0f} MB "
          f"(+{(peak_kib - loaded_kib) / 1024:.0f} MB){'' if peak_known else ' (VmHWM not resettable: RSS after)'}")
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(options.profile)
        stats.sort_stats("tottime").print_stats(options.profile)
    if options.dump:
        with options.dump.open("w", encoding="utf-8") as stream:
            for line in canonical_lines(site):
                stream.write(line + "\n")


def timed_link(packed: bytes, settings, config, curation, event_types, memo: LinkMemo | None, label: str):
    articles, problems = pickle.loads(packed)
    gc.collect()
    begun, cpu_begun = time.perf_counter(), time.process_time()
    site = link_site(articles, problems, config, curation, event_types=event_types, memo=memo)
    seconds, cpu_seconds = time.perf_counter() - begun, time.process_time() - cpu_begun
    counts = f" (memo: {memo.reused} recalled, {memo.made} made)" if memo is not None else ""
    print(f"{label}: {seconds:.2f} s wall, {cpu_seconds:.2f} s CPU{counts}")
    return site


def edit_rebuild(options) -> None:
    """See --edit in the module's docstring."""
    settings = _settings(options.project, None, None, None, None, False, None)
    articles, problems = load_articles(options.project, settings, options.articles)
    curation = load_curation(settings.paths.site / CURATION_NAME)
    event_types = settings.paths.site / "event_types.toml"
    config = replace(settings.config, event_weights="reference") if options.reference_weights else settings.config
    articles = sorted(articles, key=lambda a: a.source_file)
    target = articles[len(articles) // 2]
    data = (settings.paths.seeds / target.source_file).read_bytes()
    data += b"\n\nThe talks were postponed on Monday, officials said, and will resume in Geneva next week.\n"
    context = article_context(settings.paths.site, settings.config)
    edited = process_source(SourceFile(target.source_file, data, hashlib.sha256(data).hexdigest()), context)
    assert isinstance(edited, Article), edited
    packed = pickle.dumps((articles, problems), protocol=pickle.HIGHEST_PROTOCOL)
    packed_edited = pickle.dumps(([edited if a is target else a for a in articles], problems),
                                 protocol=pickle.HIGHEST_PROTOCOL)
    del articles
    print(f"edited {target.source_file}", file=sys.stderr)
    memo = LinkMemo()
    timed_link(packed, settings, config, curation, event_types, memo, "cold link, filling the memo")
    begun = time.perf_counter()
    stored = pickle.dumps(memo.kept, protocol=pickle.HIGHEST_PROTOCOL)
    saved = time.perf_counter() - begun
    begun = time.perf_counter()
    previous = pickle.loads(stored)
    print(f"memo: {len(previous)} entries, {len(stored) / 1e6:.1f} MB pickled; pickling {saved:.2f} s, "
          f"loading {time.perf_counter() - begun:.2f} s")
    warm = timed_link(packed_edited, settings, config, curation, event_types, LinkMemo(previous),
                      "edited site, with the memo")
    warm_text = repr(warm)
    del warm
    cold = timed_link(packed_edited, settings, config, curation, event_types, None, "edited site, cold")
    same = repr(cold) == warm_text
    print(f"edited site with the memo == cold: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
