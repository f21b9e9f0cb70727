"""Indexing a folder of pages as the writer does (page by page, in path order), for the search tests."""

from __future__ import annotations

from pathlib import Path

from builder.search import SearchIndex


def index_folder(site: Path, budget: float | None = None, previous: Path | None = None,
                 cache: Path | None = None) -> SearchIndex:
    """Index every page of `site` with `SearchIndex(budget, previous, cache)`, as a build writes them; closed."""
    made = SearchIndex(budget=budget or 0.0, previous=previous, cache=cache)
    try:
        for path in sorted(site.rglob("*.html")):
            made.page_written(site, path.relative_to(site).as_posix(), path.read_bytes())
        made.finish(site)
    finally:
        made.close()
    return made
