"""build(): read → clean → analyse → link → render → write.

Only reading the seeds (`list_seeds`, `read_seed_files`: the files whose analysis the cache lacks) and
`write_site` touch the disk (plus the cache).
Cleaning and analysis are pure functions of one article, so they run in
parallel and are cached by content hash; linking needs every article;
rendering needs the linked site.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

# (the per-article stages, imported here for their callers: build.py itself is not in the analysis cache's key)
from builder.analysis_pack import AnalysisPack
from builder.article_stages import ArticleContext, article_context, process_source  # noqa: F401
from builder.cache import AnalysisCache, LinkMemoFile, SeedHashes, recall_problems, remember_problems
from builder.config import Settings
from builder.errors import StrictModeError
from builder.fingerprint import build_fingerprint
from builder.gc_policy import BuildCollections, no_collections
from builder.memory import return_free_memory
from builder.model import Article, KeptPage, OutputPage, PendingSearch, Problem, SeedSource, SourceFile
from builder.page_keys import VERIFY_ENV, PageKeys
from builder.read import is_unreadable, list_seeds, unread_sources
from builder.warm import WarmAnalyses, WarmState
from builder.write import (
    WriteReport,
    check_output_is_safe,
    site_article_count,
    site_is_current,
    temporary_sibling,
    write_site,
)


@dataclass
class BuildReport:
    articles_read: int
    articles_built: int
    problems: list[Problem]
    write: WriteReport
    seconds: float
    stage_seconds: dict[str, float] = field(default_factory=dict)
    up_to_date: bool = False  # nothing changed since the last build: nothing was redone
    duplicates: int = 0  # near-identical copies folded into another article's page
    search_runs: int = 0  # Pagefind runs made for the search index
    search_reused: int = 0  # search index shards reused from the previous site
    search_words: str = ""  # the words index of a sharded index: "indexed" (one more run), "reused", ""
    # build(defer_search=True): what the search index still to make needs (builder.search_catchup)
    pending_search: PendingSearch | None = None

    def summary_line(self) -> str:
        if self.up_to_date:
            return (f"{self.articles_read} files read, nothing changed since the last build: "
                    f"the site is up to date ({self.seconds:.2f} s)")
        skipped = [p for p in self.problems if p.skipped]
        reasons = Counter(p.kind for p in skipped)
        why = f" ({', '.join(f'{n} {kind}' for kind, n in sorted(reasons.items()))})" if reasons else ""
        copies = f" ({self.duplicates} near-identical copies folded in)" if self.duplicates else ""
        kept = f", {self.write.not_rendered} of them not rendered again" if self.write.not_rendered else ""
        return (
            f"{self.articles_read} files read, {self.articles_built} articles built{copies}, "
            f"{len(skipped)} skipped{why}, {self.write.written} pages written "
            f"({self.write.unchanged} unchanged{kept}, {self.write.deleted} removed) "
            f"in {self.seconds:.1f} s"
        )


class StageTimer:
    """Wall-clock seconds per pipeline stage, for --verbose and the benchmark; tells `progress` each stage's start."""

    def __init__(self, progress: Callable[[str], None] | None = None) -> None:
        self.seconds: dict[str, float] = {}
        self.started = time.perf_counter()
        self.progress = progress

    @contextmanager
    def __call__(self, stage: str, what: str = ""):
        if self.progress is not None:
            self.progress(what or stage)
        begun = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - begun

    @contextmanager
    def quietly(self, stage: str):
        """Count time towards `stage` without telling `progress` (for stages interleaved page by page)."""
        begun = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - begun

    def total(self) -> float:
        return time.perf_counter() - self.started


def timed_pages(pages: Iterable[OutputPage | KeptPage], timer: StageTimer) -> Iterator[OutputPage | KeptPage]:
    """`pages`, with the time spent making each one counted as "render" (writing it is counted apart).
    (Two clock readings a page, added up here: a context manager per page cost ~1 µs more, 87,000 times at 10k.)"""
    pages = iter(pages)
    clock = time.perf_counter
    spent = 0.0
    try:
        while True:
            begun = clock()
            page = next(pages, None)
            spent += clock() - begun
            if page is None:
                return
            yield page
    finally:
        timer.seconds["render"] = timer.seconds.get("render", 0.0) + spent


def analyse_all(sources: list[SourceFile | SeedSource], settings: Settings,
                settled: Callable[[], None] | None = None,
                warm: WarmAnalyses | None = None) -> tuple[list[Article], list[Problem]]:
    """Parse, clean and analyse every file (cached, on `settings.jobs` processes, in input order); `settled`
    is called once the cache's analyses are loaded (BuildCollections.settle: they live on); `warm` (`serve`):
    the analyses the previous build of this process kept (builder.warm)."""
    from builder.analyse import language_notice
    from builder.analyse.language import keep_model_copy_in, release_model
    from builder.parallel import map_articles

    context = article_context(settings.paths.site, settings.config)
    cache = AnalysisCache(settings.paths.cache, context)
    keep_model_copy_in(settings.paths.cache)
    articles: list[Article] = []
    problems: list[Problem] = []
    # with workers, this process loads the language model for the first article only: it lets it go once they
    # have started (they keep their own), so that it does not stay to the build's peak memory, after analysis
    pack = AnalysisPack(settings.paths.cache, cache.salt)  # (the same entries, all in one file: loaded at once)
    for result in map_articles(process_source, sources, context, cache, jobs=settings.jobs,
                               workers_started=release_model, cached_loaded=settled, pack=pack, warm=warm):
        (problems if isinstance(result, Problem) else articles).append(result)
    # Without workers (an edit: one article analysed here), the model is let go now: nothing after the analysis
    # reads it, and it would otherwise stay through linking's and rendering's memory peaks (~70 MB).
    release_model()
    notices = (language_notice(article, settings.config) for article in articles)
    return articles, problems + [notice for notice in notices if notice]


def check_problems(problems: list[Problem], strict: bool) -> None:
    """Under --strict, any skipped file stops the build (notices, such as a non-English article, do not)."""
    problems = [problem for problem in problems if problem.skipped]
    if strict and problems:
        listed = "\n  ".join(str(problem) for problem in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise StrictModeError(f"{len(problems)} input problem(s) and --strict was given:\n  {listed}{more}")


def build(settings: Settings, progress: Callable[[str], None] | None = None,
          defer_search: bool = False, warm: WarmState | None = None, leave: list | None = None) -> BuildReport:
    """Build the site; `progress`, if given, hears what each stage is about to do (for a terminal).

    `defer_search` (`serve`): the new pages go in with the previous site's search index, the report's
    `pending_search` says what the new one needs, and builder.search_catchup makes it afterwards.
    `warm` (`serve`): what the previous build of this process left in memory, used where it is what the disk
    would give, and left as this build leaves the disk (builder.warm).
    `leave` (a process that exits once the build is done: `build-site build`, builder.cli.run): a list the
    linked site, the page keys and the search index's entries are put in when the build returns, rather than
    freed object by object (~0.25 s of CPU at 10,000 articles) just before the exit gives their memory back."""
    if warm is not None:
        warm.build_starts()  # (what the previous build left to write and to free after the reload, if not done yet)
    with BuildCollections() as collector:
        return _build(settings, progress, defer_search, collector, warm, leave)


def _build(settings: Settings, progress: Callable[[str], None] | None, defer_search: bool,
           collector: BuildCollections, warm: WarmState | None, leave: list | None = None) -> BuildReport:
    # The analysis, linking and rendering libraries load only when something changed: an
    # up-to-date site answers in a fraction of a second.
    check_output_is_safe(settings.paths)  # before any work: write_site checks again, under its lock
    timer = StageTimer(progress)
    with timer("read", "reading the seeds folder"):
        found, problems = list_seeds(settings.paths.seeds)
        seed_hashes = SeedHashes(settings.paths.cache).hashes(found)
        fingerprint = build_fingerprint(seed_hashes, settings)

    if site_is_current(settings.paths, fingerprint):
        problems = recall_problems(settings.paths.cache, fingerprint)
        check_problems(problems, settings.strict)
        return BuildReport(len(found), site_article_count(settings.paths), problems, WriteReport(),
                           timer.total(), timer.seconds, up_to_date=True)

    with timer("read"), no_collections():
        # Not read yet: the analysis cache has most of them by the hashes just taken (an edit reads one file).
        sources, unreadable = unread_sources(found, seed_hashes)
        problems += unreadable
        # The input keys of the current output's pages: those whose inputs do not change are not rendered.
        page_keys = PageKeys.load(settings.paths, verify=os.environ.get(VERIFY_ENV, "") not in ("", "0"),
                                  warm=warm.keys if warm else None)
        page_keys.runs = True  # (kept pages go to the writer and the search index in runs: `write_site`)
        collector.settle()  # (the page keys live until the end of the build)

    from builder.link import link_site
    from builder.link.curation import CURATION_NAME, load_curation
    from builder.link.event_words import EVENT_TYPES_NAME
    from builder.link.memo import LinkMemo
    from builder.link.site import link_changes
    from builder.render import iter_site_pages
    from builder.search import BUNDLE, SearchIndex
    from builder.search_catchup import DeferredIndex

    curation = load_curation(settings.paths.site / CURATION_NAME)  # a mistake in it stops the build before the work
    with timer("clean+analyse", f"cleaning and analysing {len(sources):,} files"):
        articles, analysis_problems = analyse_all(sources, settings, settled=collector.settle,
                                                  warm=warm.analyses if warm else None)
    collector.settle()  # the analysed articles live through linking, most of them to the end (in the site)
    collector.only_asked_full_collections()  # (the analysis workers, if any, are done)
    # (a file listed with its hash that could not be read when its analysis was needed was not read)
    files_read = len(sources) - sum(1 for problem in analysis_problems if is_unreadable(problem))
    del sources
    problems = sorted(problems + analysis_problems, key=lambda p: (p.path, p.reason))
    check_problems(problems, settings.strict)

    with timer("link", f"linking {len(articles):,} articles: duplicates, actors, events"):
        # What the previous build's linking worked out, recalled where its inputs did not change (the same site).
        # Neither the previous memo nor this build's is held in memory: entries are read from the previous
        # file as linking asks for them, and this build's are written to the next file as they are kept.
        memo_file = LinkMemoFile(settings.paths.cache, article_context(settings.paths.site, settings.config))
        with memo_file.entries() as (previous_memo, kept_memo):
            memo = LinkMemo(previous_memo, kept_memo)
            site = link_site(articles, problems, settings.config, curation,
                             event_types=settings.paths.site / EVENT_TYPES_NAME, memo=memo)
            # What changed since the link run that left the memo: rendering takes the rest's fingerprints as they were.
            page_keys.link_changes = link_changes(site, memo, run=fingerprint)
            memo_file.save(memo.kept)
            del memo
        del articles  # (the near-identical copies folded into others are not in the site)
        return_free_memory()  # linking's scratch, before rendering and the search index start
    # Pages go to the writer as they are made (the bulk of them are never all in memory at once), and
    # the search index is made of them shard by shard in the background as they are written. The time
    # spent making pages is "render", waiting for the index's last shard "index", the rest "write".
    # Unchanged shards are reused from the previous site, their words from the cache.
    # Deferred (`serve`): the previous site's index stands in, and the new one is made after the swap.
    search_index = (DeferredIndex(settings.paths.output) if defer_search
                    else SearchIndex(previous=settings.paths.output, cache=settings.paths.cache))

    def finish_index(staging: Path) -> None:
        with timer("index", "finishing the search index"):
            search_index.finish(staging)

    # The linked site lives until the end of the build: the garbage collector need not walk its millions
    # of objects again each time rendering's short-lived ones trigger a full collection.
    collector.settle()
    try:
        with timer("write", "rendering and writing pages, indexing them for search"):
            # (the edited articles' search shard planned and started before the other pages are made)
            foresee = (partial(search_index.foresee, temporary_sibling(settings.paths.output.resolve()))
                       if isinstance(search_index, SearchIndex) else None)
            pages = timed_pages(iter_site_pages(site, settings, keys=page_keys, foresee=foresee), timer)
            written = write_site(pages, settings.paths, fingerprint=fingerprint,
                                 article_count=len(site.articles), finish_staging=finish_index,
                                 page_written=search_index.page_written, search_pending=defer_search,
                                 finish_folder=BUNDLE, kept_from=page_keys.output_marker,
                                 pages_kept=search_index.pages_kept)
            # What only the next build reads: in `serve`, written once the browser has reloaded (builder.warm).
            record_keys = partial(page_keys.save, settings.paths, fingerprint, search=search_index.entries,
                                  warm=warm.keys if warm else None)
            record_problems = partial(remember_problems, settings.paths.cache, fingerprint, problems)
            if warm is not None:
                warm.write_later(record_keys, record_problems)
            else:
                record_keys()
                record_problems()
    finally:
        search_index.close()
    timer.seconds["write"] -= timer.seconds.get("render", 0.0) + timer.seconds.get("index", 0.0)
    for stage in ("render", "write", "index"):  # listed in pipeline order
        timer.seconds[stage] = timer.seconds.pop(stage, 0.0)

    duplicates = sum(len(article.also_published_as) for article in site.articles)
    report = BuildReport(files_read, len(site.articles), problems, written, timer.total(), timer.seconds,
                         duplicates=duplicates)
    if isinstance(search_index, SearchIndex):
        report.search_runs, report.search_reused = search_index.runs, search_index.reused
        report.search_words = search_index.words
    else:
        report.pending_search = PendingSearch(tuple(search_index.entries.items()), written.marker)
    if leave is not None:
        leave.append((site, page_keys, search_index))
    return report
