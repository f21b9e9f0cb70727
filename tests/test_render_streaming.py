"""The render stage streams: page kinds say beforehand which pages they make, and keep their word."""

from __future__ import annotations

import types
from collections.abc import Iterator

import pytest

from builder import render
from builder.errors import BuildError
from builder.model import OutputPage
from builder.pages import articles, reports, sources
from tests.test_render import rich_site, settings_for  # noqa: F401  (rich_site is a fixture)


def test_every_planned_path_is_made_and_plans_are_lazy(rich_site, tmp_path):  # noqa: F811
    renderer = render.PageRenderer(rich_site, settings_for(tmp_path))
    for name, module in render.available_page_modules().items():
        planned = getattr(module, "planned_paths", None)
        pages = module.plan(renderer, rich_site)
        if planned is None:
            continue
        assert not isinstance(pages, list) or pages == [], name  # a generator: one page at a time
        assert planned(renderer, rich_site) <= {page.path for page in pages}, name


def test_a_page_kind_that_breaks_its_promise_stops_the_build(rich_site, tmp_path, monkeypatch):  # noqa: F811
    def plan(renderer, site) -> Iterator[OutputPage]:
        yield OutputPage("things/index.html", b"<!doctype html><title>x</title>")

    fake = types.SimpleNamespace(plan=plan, planned_paths=lambda renderer, site: {"things/index.html", "things/a.html"})
    monkeypatch.setattr(render, "available_page_modules",
                        lambda: {"articles": articles, "sources": sources, "things": fake, "reports": reports})
    with pytest.raises(BuildError, match=r"things/a\.html"):
        render.render_site(rich_site, settings_for(tmp_path))


def test_memory_is_handed_back_after_pages_made_not_pages_kept(monkeypatch):
    """A kept page (its inputs did not change) makes nothing: it does not count towards the next trim, so an
    edit rebuild that keeps 58,000 pages does not pay 29 collections for nothing."""
    from builder.model import KeptPage

    trims: list[int] = []
    made = render.PAGES_BETWEEN_TRIMS

    def site_pages(site, settings, keys, foresee=None):
        for number in range(3 * made):
            yield KeptPage(f"kept/{number}.html", state=(1, 1))
            if number % 3 == 0:
                yield OutputPage(f"made/{number}.html", b"x")
        yield KeptPage("verified.html", b"rendered to verify its key")

    monkeypatch.setattr(render, "_site_pages", site_pages)
    monkeypatch.setattr(render, "return_free_memory", lambda: trims.append(1))
    pages = list(render.iter_site_pages(None, None))
    assert len(pages) == 4 * made + 1 and len(trims) == 1  # 2,000 made, then 1 (the verified kept page)
