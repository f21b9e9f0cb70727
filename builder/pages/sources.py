"""sources/index.html (every publisher) and sources/<slug>.html (its articles, paginated)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from builder.model import Article, KeptPage, OutputPage, Site, Source
from builder.pages import Pagination, paginate
from builder.pages.articles import list_inputs, list_reads
from builder.render import PageRenderer


def plan(renderer: PageRenderer, site: Site) -> Iterator[OutputPage | KeptPage]:
    sources = sorted(site.sources, key=lambda s: (-len(s.articles), s.name.lower(), s.slug))
    yield renderer.page("sources/index.html", "sources.html", sources=sources)
    per_page = renderer.config.articles_per_page
    for source in site.sources:
        for pagination in paginate(f"sources/{source.slug}.html", source.articles, per_page):
            yield from renderer.keyed(
                f"page:{pagination.path}", "source.html",
                partial(list_inputs, pagination, (source.name, len(source.articles))),
                partial(_source_page, renderer, source, pagination),
                reads=partial(list_reads, pagination, (source.name, len(source.articles))))


def _source_page(renderer: PageRenderer, source: Source, pagination: Pagination[Article]) -> list[OutputPage]:
    return [renderer.page(pagination.path, "source.html", source=source, pagination=pagination,
                          articles=pagination.items)]
