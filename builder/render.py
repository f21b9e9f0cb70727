"""Render the linked site through Jinja templates into OutputPages (no disk writes).

Every link is relative to the page it sits on, and names a file (never a bare
folder), so the same output works from file://, at a domain root and under a
sub-path such as /repo/ on GitHub Pages.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import Path

import jinja2

from builder.config import Settings
from builder.model import OutputPage, Site
from builder.theme import builtin_static_dirs, builtin_template_dirs


def relative_url(from_page: str, to_page: str) -> str:
    """The link from one output file to another, both relative to the output root."""
    if to_page.startswith(("http://", "https://", "mailto:", "#")):
        return to_page
    target, _, fragment = to_page.partition("#")
    start = posixpath.dirname(from_page) or "."
    link = posixpath.relpath(target, start) if target else posixpath.basename(from_page)
    return f"{link}#{fragment}" if fragment else link


def make_environment(user_templates: Path) -> jinja2.Environment:
    search_path = [str(user_templates)] if user_templates.is_dir() else []
    search_path += [str(folder) for folder in builtin_template_dirs()]
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(search_path),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


class PageRenderer:
    def __init__(self, site: Site, settings: Settings) -> None:
        self.site = site
        self.settings = settings
        self.env = make_environment(settings.paths.templates)

    def page(self, path: str, template: str, **context: object) -> OutputPage:
        def url(target: str) -> str:
            return relative_url(path, target)

        html = self.env.get_template(template).render(
            site=self.site, config=self.settings.config, page_path=path, url=url, **context
        )
        return OutputPage(path, html.encode("utf-8"))


def static_pages(settings: Settings) -> Iterator[OutputPage]:
    """Theme assets, the user's `site/static/` files overriding the built-in ones."""
    files: dict[str, Path] = {}
    for folder in [*builtin_static_dirs(), settings.paths.site / "static"]:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    files[f"static/{path.relative_to(folder).as_posix()}"] = path
    for relpath, path in sorted(files.items()):
        yield OutputPage(relpath, path.read_bytes())


def render_site(site: Site, settings: Settings) -> list[OutputPage]:
    renderer = PageRenderer(site, settings)
    pages = [renderer.page("index.html", "index.html", articles=site.articles)]
    for article in site.articles:
        pages.append(renderer.page(f"articles/{article.slug}.html", "article.html", article=article))
    pages.append(renderer.page("articles/index.html", "articles.html", articles=site.articles))
    pages.append(renderer.page("sources/index.html", "sources.html", sources=site.sources))
    for source in site.sources:
        pages.append(renderer.page(f"sources/{source.slug}.html", "source.html", source=source))
    pages.append(OutputPage(".nojekyll", b""))
    pages.extend(static_pages(settings))
    return pages
