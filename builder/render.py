"""Render the linked site through Jinja templates into OutputPages (no disk writes).

Every link is relative to the page it sits on, and names a file (never a bare
folder), so the same output works from file://, at a domain root and under a
sub-path such as /repo/ on GitHub Pages.

Page kinds live in builder/pages/ (one module each, `plan(renderer, site)`);
`render_site` runs them in a fixed order.  This module keeps what they share:
the Jinja environment, `relative_url`, the `PageRenderer` and the helpers that
turn an article's text, sentences and mentions into escaped HTML.
"""

from __future__ import annotations

import importlib
import posixpath
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from types import ModuleType

import jinja2
from markupsafe import Markup, escape

from builder.config import Settings
from builder.model import Article, BlockKind, OutputPage, Site
from builder.theme import builtin_static_dirs, builtin_template_dirs

# Page modules under builder/pages/, in the order their pages are planned.  A module
# that does not exist yet (written by another engineer) is left out, and so are the
# links to its pages (navigation, actor links in sentences).
PAGE_MODULES: tuple[str, ...] = ("articles", "sources", "actors", "events", "reports", "feeds", "export", "graphs")
# The index page of each page kind, as shown in the site navigation.
NAVIGATION: tuple[tuple[str, str, str], ...] = (
    ("articles", "Articles", "articles/index.html"),
    ("events", "Events", "events/index.html"),
    ("actors", "Actors", "actors/index.html"),
    ("sources", "Sources", "sources/index.html"),
    ("graphs", "Graphs", "graphs/index.html"),
    ("reports", "Cleaning report", "reports/cleaning.html"),
)
SAFE_SCHEMES = ("http://", "https://")


def relative_url(from_page: str, to_page: str) -> str:
    """The link from one output file to another, both relative to the output root."""
    if to_page.startswith(("http://", "https://", "mailto:", "#")):
        return to_page
    target, _, fragment = to_page.partition("#")
    start = posixpath.dirname(from_page) or "."
    link = posixpath.relpath(target, start) if target else posixpath.basename(from_page)
    return f"{link}#{fragment}" if fragment else link


def safe_external_url(url: str | None) -> str | None:
    """An http(s) address to link to, or None (never javascript:, data: or relative addresses)."""
    if not url:
        return None
    url = url.strip()
    return url if url.lower().startswith(SAFE_SCHEMES) and not any(c in url for c in " \n\t\"<>") else None


def format_date(value: date | datetime | None) -> str:
    """'27 July 2023' (no locale, no platform-specific strftime flags)."""
    if value is None:
        return "undated"
    return f"{value.day} {value:%B %Y}"


def iso_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()


@lru_cache(maxsize=256)
def language_name(code: str) -> str:
    """'fr' → 'French'; unknown codes are shown as given."""
    try:
        import pycountry

        found = pycountry.languages.get(alpha_2=code) or pycountry.languages.get(alpha_3=code)
    except (ImportError, KeyError, LookupError):
        found = None
    return found.name if found is not None else code


# ---------------------------------------------------------------------------
# Text → HTML: sentences with linked mentions and marked quotes


@dataclass(frozen=True)
class Span:
    """A stretch of text to mark up: a link (href) and/or a quote, in Article.text offsets."""

    start: int
    end: int
    href: str | None = None
    quote: bool = False
    title: str | None = None


def _non_overlapping(spans: Sequence[Span], low: int, high: int) -> list[Span]:
    """Spans clipped to [low, high), empty ones dropped; of overlapping ones the earliest, then longest, wins."""
    kept: list[Span] = []
    last_end = low
    candidates = sorted(
        (s for s in spans if s.end > low and s.start < high and s.end > s.start), key=lambda s: (s.start, -s.end)
    )
    for span in candidates:
        start, end = max(span.start, low), min(span.end, high)
        if start < last_end or start >= end:
            continue
        kept.append(Span(start, end, span.href, span.quote, span.title))
        last_end = end
    return kept


def mark_up(text: str, low: int, high: int, links: Sequence[Span] = (), quotes: Sequence[Span] = ()) -> Markup:
    """Escaped HTML for text[low:high], with links and quotes.

    Robust to anything the analysis may hand over: spans out of range or
    overlapping are clipped or dropped; a link that crosses a quote's edge is
    split so the HTML nests properly.
    """
    low, high = max(0, low), min(len(text), high)
    if high <= low:
        return Markup("")
    link_spans = _non_overlapping(links, low, high)
    quote_spans = _non_overlapping(quotes, low, high)
    if not link_spans and not quote_spans:
        return escape(text[low:high])
    cuts = {low, high}
    for span in (*link_spans, *quote_spans):
        cuts.update((span.start, span.end))
    points = sorted(cuts)
    out: list[str] = []
    link_at = _lookup(link_spans)
    quote_at = _lookup(quote_spans)
    open_link: Span | None = None
    open_quote: Span | None = None
    for begin, finish in pairwise(points):
        link, quote = link_at(begin), quote_at(begin)
        if open_link is not None and (link is not open_link or quote is not open_quote):
            out.append("</a>")
            open_link = None
        if open_quote is not None and quote is not open_quote:
            out.append("</span>")
            open_quote = None
        if quote is not None and open_quote is None:
            title = f' title="{escape(quote.title)}"' if quote.title else ""
            out.append(f'<span class="quote"{title}>')
            open_quote = quote
        if link is not None and open_link is None:
            out.append(f'<a class="mention" href="{escape(link.href)}">')
            open_link = link
        out.append(str(escape(text[begin:finish])))
    if open_link is not None:
        out.append("</a>")
    if open_quote is not None:
        out.append("</span>")
    return Markup("".join(out))


def _lookup(spans: list[Span]) -> Callable[[int], Span | None]:
    """The span covering a position (spans are sorted and disjoint)."""
    starts = [s.start for s in spans]

    def at(position: int) -> Span | None:
        i = bisect_right(starts, position) - 1
        if i >= 0 and spans[i].start <= position < spans[i].end:
            return spans[i]
        return None

    return at


@dataclass(frozen=True)
class RenderedBlock:
    kind: str  # BlockKind value, plus "ul" for a run of list items (items in `items`)
    html: Markup
    href: str | None = None  # IMAGE: the remote image address (http/https only)
    items: tuple[Markup, ...] = ()


class ArticleMarkup:
    """An article's text as HTML: sentences as <span id="s{index}">, mentions linked to actor pages."""

    def __init__(self, article: Article, actor_href: Callable[[str], str | None]) -> None:
        self.article = article
        text = article.text
        links: list[Span] = []
        for mention in article.mentions:
            href = actor_href(mention.actor_key) if mention.actor_key else None
            if href:
                links.append(Span(mention.start, mention.end, href))
        quotes = [
            Span(q.start, q.end, quote=True, title=f"Quote: {q.speaker}" if q.speaker else None)
            for q in article.quotes
        ]
        self.links = _non_overlapping(links, 0, len(text))
        self.quotes = _non_overlapping(quotes, 0, len(text))

    def sentence(self, index: int) -> Markup:
        """One sentence as HTML (no anchor), e.g. for summaries."""
        if not 0 <= index < len(self.article.sentences):
            return Markup("")
        sentence = self.article.sentences[index]
        return mark_up(self.article.text, sentence.start, sentence.end, self.links, self.quotes)

    def summary(self) -> list[tuple[int, Markup]]:
        return [(i, self.sentence(i)) for i in self.article.summary if 0 <= i < len(self.article.sentences)]

    def blocks(self) -> list[RenderedBlock]:
        """The body, block by block; each sentence wrapped in <span id="s{index}">; list items grouped."""
        article = self.article
        text = article.text
        by_block: dict[int, list] = {}
        for sentence in article.sentences:
            by_block.setdefault(sentence.block, []).append(sentence)
        rendered: list[RenderedBlock] = []
        list_items: list[Markup] = []
        starts = article.block_starts if len(article.block_starts) == len(article.blocks) else None
        for number, block in enumerate(article.blocks):
            if starts is None or text[starts[number] : starts[number] + len(block.text)] != block.text:
                html = escape(block.text)  # no usable offsets: plain text
            else:
                html = self._block_html(starts[number], starts[number] + len(block.text), by_block.get(number, []))
            if block.kind == BlockKind.LIST_ITEM:
                list_items.append(html)
                continue
            if list_items:
                rendered.append(RenderedBlock("ul", Markup(""), items=tuple(list_items)))
                list_items = []
            href = safe_external_url(block.href) if block.kind == BlockKind.IMAGE else None
            rendered.append(RenderedBlock(str(block.kind), html, href))
        if list_items:
            rendered.append(RenderedBlock("ul", Markup(""), items=tuple(list_items)))
        return rendered

    def _block_html(self, low: int, high: int, sentences: list) -> Markup:
        text = self.article.text
        out: list[str] = []
        position = low
        for sentence in sorted(sentences, key=lambda s: s.start):
            start, end = max(sentence.start, position), min(sentence.end, high)
            if end <= start:
                continue
            if start > position:
                out.append(mark_up(text, position, start, self.links, self.quotes))
            inner = mark_up(text, start, end, self.links, self.quotes)
            out.append(f'<span id="s{sentence.index}">{inner}</span>')
            position = end
        if position < high:
            out.append(mark_up(text, position, high, self.links, self.quotes))
        return Markup("".join(out))


# ---------------------------------------------------------------------------
# Jinja environment and page rendering


def make_environment(user_templates: Path) -> jinja2.Environment:
    search_path = [str(user_templates)] if user_templates.is_dir() else []
    search_path += [str(folder) for folder in builtin_template_dirs()]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search_path),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["date"] = format_date
    env.filters["isodate"] = iso_date
    env.filters["language_name"] = language_name
    env.filters["safe_url"] = safe_external_url
    try:  # page metadata helpers for templates/_meta.html, written by the publishing engineer
        seo = importlib.import_module("builder.seo")
    except ModuleNotFoundError as exc:
        if exc.name != "builder.seo":
            raise
    else:
        if callable(getattr(seo, "template_globals", None)):
            env.globals.update(seo.template_globals())
    return env


def available_page_modules() -> dict[str, ModuleType]:
    """The page modules that exist, in planning order."""
    found: dict[str, ModuleType] = {}
    for name in PAGE_MODULES:
        module_name = f"builder.pages.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise  # the module exists but is itself broken: say so
            continue
        if callable(getattr(module, "plan", None)):
            found[name] = module
    return found


class PageRenderer:
    """Renders templates into OutputPages.

    Every template gets `site`, `config`, `page_path`, `url(target)` (an output-root-relative
    path → a link relative to this page), `nav` ((label, path) pairs) and the lookups
    `source_page(name)`, `article_page(source_file)`, `actor_page(key)`, `event_page(key)`,
    which give an output-root-relative path, or None where that page is not built.
    """

    def __init__(self, site: Site, settings: Settings, kinds: Sequence[str] | None = None) -> None:
        self.site = site
        self.settings = settings
        self.config = settings.config
        self.env = make_environment(settings.paths.templates)
        self.kinds = tuple(PAGE_MODULES if kinds is None else kinds)  # page kinds that will have pages
        self.nav = [(label, path) for kind, label, path in NAVIGATION if kind in self.kinds]
        self.actor_pages = (
            {actor.key: f"actors/{actor.slug}.html" for actor in site.actors} if "actors" in self.kinds else {}
        )
        self.event_pages = (
            {event.key: f"events/{event.slug}.html" for event in site.events} if "events" in self.kinds else {}
        )
        self.article_pages = {article.source_file: f"articles/{article.slug}.html" for article in site.articles}
        self.source_pages: dict[str, str] = {}
        for source in site.sources:
            self.source_pages.setdefault(source.name, f"sources/{source.slug}.html")
        self._templates: dict[str, jinja2.Template] = {}

    def template(self, name: str) -> jinja2.Template:
        if name not in self._templates:
            self._templates[name] = self.env.get_template(name)
        return self._templates[name]

    def page(self, path: str, template: str, **context: object) -> OutputPage:
        def url(target: str) -> str:
            return relative_url(path, target)

        values: dict[str, object] = {
            "site": self.site,
            "config": self.config,
            "page_path": path,
            "url": url,
            "nav": self.nav,
            "source_page": self.source_pages.get,
            "article_page": self.article_pages.get,
            "actor_page": self.actor_pages.get,
            "event_page": self.event_pages.get,
        }
        values.update(context)  # a page's own context wins over the shared lookups
        html = self.template(template).render(values)
        return OutputPage(path, html.encode("utf-8"))

    def article_markup(self, article: Article, page_path: str) -> ArticleMarkup:
        """The article's text as HTML with mention links relative to `page_path`."""

        def actor_href(key: str) -> str | None:
            target = self.actor_pages.get(key)
            return relative_url(page_path, target) if target else None

        return ArticleMarkup(article, actor_href)


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


def _plan(renderer: PageRenderer, site: Site, modules: dict[str, ModuleType]) -> list[OutputPage]:
    pages: list[OutputPage] = []
    for module in modules.values():
        pages.extend(module.plan(renderer, site))
    return pages


def render_site(site: Site, settings: Settings) -> list[OutputPage]:
    """Every page of the site: each page module's pages in a fixed order, then 404, .nojekyll, static files."""
    modules = available_page_modules()
    renderer = PageRenderer(site, settings, kinds=tuple(modules))
    pages = _plan(renderer, site, modules)
    planned = {page.path for page in pages}
    if any(path not in planned for _, path in renderer.nav):  # a page kind made no index page: drop it from nav
        renderer.nav = [(label, path) for label, path in renderer.nav if path in planned]
        pages = _plan(renderer, site, modules)
    static = list(static_pages(settings))
    css = next((page.content.decode("utf-8", "replace") for page in static if page.path == "static/style.css"), "")
    pages.append(renderer.page("404.html", "404.html", inline_css=Markup(css.replace("</", "<\\/"))))
    pages.append(OutputPage(".nojekyll", b""))
    pages.extend(static)
    return pages
