"""Render speed: pages per second of render_site, per page module, on real articles.

Reads, cleans, analyses (cached) and links a real corpus, optionally repeats it to
reach N articles (each copy a new file name and headline, so pages are distinct),
then times rendering alone.

    .venv/bin/python bench/render.py                 # news-2016 (1,127 articles)
    .venv/bin/python bench/render.py --articles 10000
    BUILD_SITE_DATA=/path/to/data .venv/bin/python bench/render.py
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from builder.build import analyse_all  # noqa: E402
from builder.config import Config, Paths, Settings  # noqa: E402
from builder.link import link_site  # noqa: E402
from builder.read import read_seeds  # noqa: E402
from builder.render import PageRenderer, available_page_modules, render_site  # noqa: E402


def data_folder() -> Path:
    return Path(os.environ.get("BUILD_SITE_DATA", REPO.parent / "shared" / "data")).resolve()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="news-2016", help="folder under the shared data (default news-2016)")
    parser.add_argument("--articles", type=int, default=0, help="repeat the corpus up to this many articles")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "build-site-bench-cache")
    parser.add_argument("--profile", action="store_true", help="print the 25 costliest functions")
    args = parser.parse_args()

    seeds = data_folder() / args.corpus
    if not seeds.is_dir():
        sys.exit(f"no corpus at {seeds} (set BUILD_SITE_DATA)")
    with tempfile.TemporaryDirectory() as project:
        paths = Paths.from_project(Path(project), seeds=seeds, cache=args.cache)
        settings = Settings(config=Config(), paths=paths, jobs=os.cpu_count() or 1)
        sources, problems = read_seeds(seeds)
        started = time.perf_counter()
        articles, more = analyse_all(sources, settings)
        print(f"analysed {len(articles)} articles from {seeds} in {time.perf_counter() - started:.1f} s")
        if args.articles > len(articles):
            base = articles
            articles = list(base)
            copy_number = 1
            while len(articles) < args.articles:
                for article in base[: args.articles - len(articles)]:
                    twin = copy.copy(article)
                    twin.source_file = f"copy{copy_number}/{article.source_file}"
                    twin.title = f"{article.title} ({copy_number})"
                    articles.append(twin)
                copy_number += 1
        site = link_site(articles, problems + more, settings.config)

        modules = available_page_modules()
        print(f"page modules: {', '.join(modules)}")
        renderer = PageRenderer(site, settings, kinds=tuple(modules))
        print("  (CPU seconds of this process: on a busy machine wall-clock time says more about the neighbours)")
        for name, module in modules.items():
            begun = time.process_time()
            pages = module.plan(renderer, site)
            seconds = time.process_time() - begun
            size = sum(len(p.content) for p in pages)
            rate = len(pages) / seconds if seconds else float("inf")
            print(f"  {name:<9} {len(pages):6d} pages {size / 1e6:8.1f} MB {seconds:7.2f} s CPU {rate:8.0f} pages/s")

        profiler = cProfile.Profile() if args.profile else None
        begun, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        pages = render_site(site, settings)
        if profiler:
            profiler.disable()
        wall, seconds = time.perf_counter() - begun, time.process_time() - cpu
        html = [p for p in pages if p.path.endswith(".html")]
        largest = max(pages, key=lambda p: len(p.content))
        print(f"render_site: {len(site.articles)} articles → {len(pages)} files ({len(html)} HTML) "
              f"in {seconds:.2f} s CPU ({wall:.2f} s wall) = "
              f"{len(pages) / seconds:.0f} pages/s; largest {largest.path} {len(largest.content) / 1e3:.0f} kB")
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
