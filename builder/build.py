"""build(): read → clean → analyse → link → render → write.

Only `read_seeds` and `write_site` touch the disk (plus the analysis cache).
Cleaning and analysis are pure functions of one article, so they run in
parallel and are cached by content hash; linking needs every article;
rendering needs the linked site.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from builder.analyse import analyse_article
from builder.cache import AnalysisCache
from builder.clean import clean_article, load_rules
from builder.config import Settings
from builder.errors import StrictModeError
from builder.link import link_site
from builder.model import Article, Problem, SourceFile
from builder.parallel import map_articles
from builder.read import parse_source, read_seeds
from builder.render import render_site
from builder.write import WriteReport, write_site


@dataclass
class BuildReport:
    articles_read: int
    articles_built: int
    problems: list[Problem]
    write: WriteReport
    seconds: float
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def summary_line(self) -> str:
        skipped = [p for p in self.problems if p.skipped]
        reasons = Counter(p.kind for p in skipped)
        why = f" ({', '.join(f'{n} {kind}' for kind, n in sorted(reasons.items()))})" if reasons else ""
        return (
            f"{self.articles_read} files read, {self.articles_built} articles built, "
            f"{len(skipped)} skipped{why}, {self.write.written} pages written "
            f"({self.write.unchanged} unchanged, {self.write.deleted} removed) "
            f"in {self.seconds:.1f} s"
        )


def process_source(source: SourceFile, context: ArticleContext) -> Article | Problem:
    """Parse, clean and analyse one file: a pure function of its bytes and the context."""
    parsed = parse_source(source, context.config)
    if isinstance(parsed, Problem):
        return parsed
    cleaned = clean_article(parsed, context.rules)
    if isinstance(cleaned, Problem):
        return cleaned
    return analyse_article(cleaned, context.config)


@dataclass(frozen=True)
class ArticleContext:
    """What the per-article stages depend on (and so what the cache key covers)."""

    config: object
    rules: object


def build(settings: Settings) -> BuildReport:
    started = time.perf_counter()
    stages: dict[str, float] = {}

    def lap(stage: str, since: float) -> float:
        now = time.perf_counter()
        stages[stage] = stages.get(stage, 0.0) + now - since
        return now

    t = time.perf_counter()
    sources, problems = read_seeds(settings.paths.seeds)
    rules = load_rules(settings.paths.site)
    t = lap("read", t)

    context = ArticleContext(config=settings.config, rules=rules)
    cache = AnalysisCache(settings.paths.cache, context)
    articles: list[Article] = []
    for result in map_articles(process_source, sources, context, cache, jobs=settings.jobs):
        if isinstance(result, Problem):
            problems.append(result)
        else:
            articles.append(result)
    t = lap("clean+analyse", t)

    problems.sort(key=lambda p: (p.path, p.reason))
    if settings.strict and problems:
        listed = "\n  ".join(str(problem) for problem in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise StrictModeError(f"{len(problems)} input problem(s) and --strict was given:\n  {listed}{more}")

    site = link_site(articles, problems, settings.config)
    t = lap("link", t)
    pages = render_site(site, settings)
    t = lap("render", t)
    written = write_site(pages, settings.paths)
    t = lap("write", t)

    return BuildReport(
        articles_read=len(sources),
        articles_built=len(site.articles),
        problems=problems,
        write=written,
        seconds=time.perf_counter() - started,
        stage_seconds=stages,
    )
