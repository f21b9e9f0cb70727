"""Per-article stages (parse, clean, each analysis component): ms per article, in one process, no cache.

    .venv/bin/python bench/analysis_speed.py [SEEDS] [--limit N] [--dump FILE] [--profile FILE]

SEEDS defaults to the 1k synthetic corpus (/tmp/build-site-bench/project-1000/seeds). The settings
and cleaning rules are this repository's (site/), as `build-site build --project .` would use.

Each file goes through the same steps as builder.build.process_source (parse_source, clean_article,
then analyse_article's components in order, on a copy), each step timed on its own. --dump FILE
writes the repr of every resulting Article or Problem, in order: compare two dumps byte for byte to
show that a speed-up changed no result. --profile FILE saves a cProfile of the run (pstats format).

Times are CPU time of this process (time.process_time): on a machine shared with other work they move
far less than wall-clock time does; the wall-clock total is printed too.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from builder.analyse.pipeline import COMPONENTS  # noqa: E402
from builder.build import ArticleContext  # noqa: E402
from builder.clean import clean_article, load_rules  # noqa: E402
from builder.cli import _settings  # noqa: E402
from builder.model import Article, Problem, SourceFile  # noqa: E402
from builder.read import list_seeds, parse_source, read_seed_files  # noqa: E402

DEFAULT_SEEDS = Path("/tmp/build-site-bench/project-1000/seeds")


class StageClock:
    """CPU seconds spent in each named stage, summed over all the articles."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def run(self, stage: str, function, *args):
        begun = time.process_time()
        result = function(*args)
        self.seconds[stage] += time.process_time() - begun
        return result


def process_timed(source: SourceFile, context: ArticleContext, clock: StageClock) -> Article | Problem:
    """builder.build.process_source and analyse_article, step for step, with every step timed."""
    parsed = clock.run("parse", parse_source, source, context.config)
    if isinstance(parsed, Problem):
        return parsed
    cleaned = clock.run("clean", clean_article, parsed, context.rules)
    if isinstance(cleaned, Problem):
        return cleaned
    article = copy.copy(cleaned)
    for component in COMPONENTS:
        if component.english_only and not article.language.startswith("en"):
            continue
        function = component.resolve()
        if function is not None:
            article = clock.run(component.name, function, article, context.config)
    return article


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("seeds", nargs="?", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--limit", type=int, default=None, help="read only the first N files")
    parser.add_argument("--dump", type=Path, default=None, help="write the repr of every result here")
    parser.add_argument("--profile", type=Path, default=None, help="save a cProfile of the run here")
    options = parser.parse_args()

    settings = _settings(REPO, None, None, None, None, False, 1)
    context = ArticleContext(config=settings.config, rules=load_rules(settings.paths.site))
    found, _refused = list_seeds(options.seeds)
    sources, _unreadable = read_seed_files(found[: options.limit])

    clock = StageClock()
    # Warm up outside the clock: imports, gazetteers and lexicons load on first use.
    process_timed(sources[0], context, StageClock())
    profiler = None
    if options.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    begun, begun_cpu = time.perf_counter(), time.process_time()
    results = [process_timed(source, context, clock) for source in sources]
    wall, total = time.perf_counter() - begun, time.process_time() - begun_cpu
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(options.profile)

    count = len(sources)
    built = sum(isinstance(result, Article) for result in results)
    print(f"{count} files from {options.seeds}: {built} articles, {count - built} problems")
    print(f"process_source: {total * 1000 / count:.2f} ms CPU per file ({total:.2f} s in all; wall clock {wall:.2f} s)")
    for stage, seconds in clock.seconds.items():
        print(f"  {stage:16} {seconds * 1000 / count:7.3f} ms")
    if options.dump:
        with options.dump.open("w", encoding="utf-8") as out:
            for result in results:
                out.write(repr(result) + "\n")
        print(f"dump: {options.dump}")


if __name__ == "__main__":
    main()
