"""Bytes a reader downloads to search a news-2016 build, measured in Chromium.

    .venv/bin/python bench/search_bytes.py [--data PATH] [--query WORDS ...] [--determinism]
    .venv/bin/python bench/search_bytes.py --site BUILT_SITE [--query WORDS ...]

Builds the news-2016 articles (BUILD_SITE_DATA, default ../shared/data) with the search index,
serves the output on 127.0.0.1 with a plain static server, opens search.html in Debian's Chromium,
types each query into the Pagefind UI, waits until the results are shown and the network is idle,
and sums the bytes of every response (headers + body, uncompressed: the static server does not
compress). Prints the bytes of the page load and of each query, the time from typing the query to its
first result's link (with the UI's 300 ms wait before it searches), and the index size on disk.
With --determinism, indexes the same site twice and lists the index files that differ.
With --site, serves an already built site with its index (e.g. a 10k site indexed by
bench/search_index.py --keep) instead of building news-2016.
"""

from __future__ import annotations

import argparse
import filecmp
import functools
import http.server
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from builder import search  # noqa: E402
from builder.config import Paths, Settings, load_config  # noqa: E402

DATA = Path(os.environ.get("BUILD_SITE_DATA", REPO.parent / "shared" / "data")).resolve()
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
QUERIES = ["powerball", "iran sailors", "istanbul bombing"]


def build_with_search(seeds: Path, output: Path, cache: Path) -> float:
    """Build like `build-site` does; add the search page and index if build() does not make them yet."""
    from builder.build import analyse_all, build
    from builder.link import link_site
    from builder.read import read_seeds
    from builder.render import PageRenderer, render_site
    from builder.write import write_site

    paths = Paths.from_project(REPO, seeds=seeds, output=output, cache=cache)
    settings = Settings(config=load_config(paths.site), paths=paths, jobs=os.cpu_count() or 1)
    started = time.perf_counter()
    build(settings)
    if not (output / "search.html").is_file() or not (output / "pagefind").is_dir():
        sources, problems = read_seeds(seeds)
        articles, more = analyse_all(sources, settings)
        site = link_site(articles, problems + more, settings.config)
        pages = render_site(site, settings)
        planned = {page.path for page in pages}
        pages += [p for p in search.plan(PageRenderer(site, settings), site) if p.path not in planned]
        write_site(pages, paths, finish_staging=search.index_site)
    return time.perf_counter() - started


def folder_bytes(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def measure(site: Path, queries: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/search.html"
    responses: list = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for query in queries:
                context = browser.new_context()  # a fresh cache for every query: a first-time reader
                page = context.new_page()
                page.on("requestfinished", lambda request: responses.append(request))
                page.goto(url)
                box = page.locator(".pagefind-ui__search-input")
                box.wait_for()
                page.wait_for_load_state("networkidle")
                load = total(responses)
                responses.clear()
                started = time.perf_counter()
                box.fill(query)
                page.locator(".pagefind-ui__message").filter(has_text="result").wait_for()
                page.locator(".pagefind-ui__result-link").first.wait_for()
                first = time.perf_counter() - started  # (the UI waits 300 ms after typing before it searches)
                page.wait_for_load_state("networkidle")
                shown = page.locator(".pagefind-ui__message").inner_text()
                query_bytes, count = total(responses), len(responses)
                print(f"query {query!r:22} page load {load:>9,} B | query {query_bytes:>9,} B in {count} requests "
                      f"| first-time total {load + query_bytes:>9,} B | first result {first * 1000:,.0f} ms | {shown}")
                responses.clear()
                context.close()
            browser.close()
    finally:
        server.shutdown()


def total(finished: list) -> int:
    size = 0
    for request in finished:
        sizes = request.sizes()
        size += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    return size


def determinism(site: Path) -> None:
    first = Path(tempfile.mkdtemp(prefix="pagefind-a-"))
    second = Path(tempfile.mkdtemp(prefix="pagefind-b-"))
    try:
        for copy in (first, second):
            shutil.copytree(site, copy / "site", ignore=shutil.ignore_patterns("pagefind"))
            search.index_site(copy / "site")
        a, b = first / "site" / "pagefind", second / "site" / "pagefind"
        names_a = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
        names_b = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
        differ = sorted(n for n in names_a & names_b if not filecmp.cmp(a / n, b / n, shallow=False))
        print(f"determinism: {len(names_a)} index files; {len(names_a ^ names_b)} named differently, "
              f"{len(differ)} with different bytes: {differ[:10]}")
    finally:
        shutil.rmtree(first, ignore_errors=True)
        shutil.rmtree(second, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA / "news-2016")
    parser.add_argument("--query", nargs="+", default=QUERIES)
    parser.add_argument("--determinism", action="store_true")
    parser.add_argument("--site", type=Path, help="a built site with its search index: measure it as it is")
    args = parser.parse_args()
    if args.site:
        files, size = folder_bytes(args.site / "pagefind")
        print(f"{args.site}: search index {files} files, {size:,} B on disk")
        measure(args.site, args.query)
        return
    if not args.data.is_dir():
        sys.exit(f"data not found at {args.data} (set BUILD_SITE_DATA)")
    with tempfile.TemporaryDirectory(prefix="search-bytes-") as tmp:
        site = Path(tmp) / "site"
        seconds = build_with_search(args.data, site, REPO / ".cache" / "bench-search")
        files, size = folder_bytes(site / "pagefind")
        pages = len(list(site.rglob("*.html")))
        print(f"built {args.data.name}: {pages} HTML pages in {seconds:.1f} s; "
              f"search index {files} files, {size:,} B on disk")
        measure(site, args.query)
        if args.determinism:
            determinism(site)


if __name__ == "__main__":
    main()
