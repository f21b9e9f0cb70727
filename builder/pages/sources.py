"""sources/index.html (every publisher) and sources/<slug>.html (its articles, paginated)."""

from __future__ import annotations

from collections.abc import Iterator

from builder.model import OutputPage, Site
from builder.pages import paginate
from builder.render import PageRenderer


def plan(renderer: PageRenderer, site: Site) -> Iterator[OutputPage]:
    sources = sorted(site.sources, key=lambda s: (-len(s.articles), s.name.lower(), s.slug))
    yield renderer.page("sources/index.html", "sources.html", sources=sources)
    per_page = renderer.config.articles_per_page
    for source in site.sources:
        for pagination in paginate(f"sources/{source.slug}.html", source.articles, per_page):
            yield renderer.page(pagination.path, "source.html", source=source, pagination=pagination,
                                articles=pagination.items)
