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
import os
import posixpath
import traceback
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache, partial
from itertools import chain
from pathlib import Path
from types import ModuleType

import jinja2
from markupsafe import Markup, escape

from builder.config import Settings
from builder.errors import BuildError, TemplateError
from builder.memory import return_free_memory
from builder.model import Article, BlockKind, KeptPage, Mentions, OutputPage, Sentences, Site
from builder.page_keys import Fingerprints, PageKeys, analysis_key
from builder.read.discover import not_regular_file
from builder.seo import forget_site
from builder.theme import builtin_static_dirs, builtin_template_dirs
from builder.write import KeptRun

# Page modules under builder/pages/, in the order their pages are planned.  A module
# that does not exist yet (written by another engineer) is left out, and so are the
# links to its pages (navigation, actor links in sentences).
# A name with a dot is a full module path (builder.search plans the search page).
# The export comes first: its data/digest.json is the one page of a size that grows with the site (145 MB
# at 10,000 articles), and first it is made and written before a search shard runs beside the writer.
PAGE_MODULES: tuple[str, ...] = (
    "export", "articles", "sources", "actors", "events", "reports", "feeds", "graphs", "builder.search",
)
# The index page of each page kind, as shown in the site navigation.
NAVIGATION: tuple[tuple[str, str, str], ...] = (
    ("articles", "Articles", "articles/index.html"),
    ("events", "Events", "events/index.html"),
    ("events", "Timeline", "timeline.html"),
    ("actors", "Actors", "actors/index.html"),
    ("sources", "Sources", "sources/index.html"),
    ("graphs", "Graphs", "graphs/index.html"),
    ("builder.search", "Search", "search.html"),
    ("reports", "Cleaning report", "reports/cleaning.html"),
)
SAFE_SCHEMES = ("http://", "https://")
# Each page's HTML and its pieces are freed as the next page is made, but glibc keeps much of what is freed:
# at 10k the builder grew by ~30 MB within each large page kind (475 -> 508 MB over the actor pages), beside
# the search index's Pagefind; handed back every 2,000 pages made, it stays within ~20 MB of its start.
PAGES_BETWEEN_TRIMS = 2000
# `iter_site_pages(foresee=)`: the page kind made ahead, before the others (its pages are still handed over in their
# place), and how much of it: at most AHEAD_PAGES pages made (not kept) and AHEAD_BYTES of them. An edit makes a
# handful of its pages (the home page, an archive page, the edited article's) and keeps the rest; a cold build,
# which makes them all, stops well short of a search shard (760-950 article pages), so no Pagefind runs beside
# the export there (PAGE_MODULES: the export comes first for its memory).
AHEAD_KIND = "articles"
AHEAD_PAGES = 200
AHEAD_BYTES = 8 << 20
LINKS_PER_FOLDER = 1 << 16  # links remembered per folder, at most (then forgotten and made again)


def relative_url(from_page: str, to_page: str) -> str:
    """The link from one output file to another, both relative to the output root."""
    if "/" not in from_page and _normal(to_page):
        return to_page  # (from the root, a normal path is its own link: the sitemap names 58,000 so)
    if to_page.startswith(("http://", "https://", "mailto:", "#")):
        return to_page
    target, _, fragment = to_page.partition("#")
    link = _relative_path(target, posixpath.dirname(from_page)) if target else posixpath.basename(from_page)
    return f"{link}#{fragment}" if fragment else link


def _normal(path: str) -> bool:
    """Whether a path names a file as its link from the output root does: not empty, no empty, "." or ".."
    part (no "//", no "/" first or last, nothing starting with "."), nothing after a "#" to read."""
    return (path != "" and "//" not in path and "/." not in path and path[0] not in "/." and path[-1] != "/"
            and "#" not in path)


@lru_cache(maxsize=1 << 16)
def _relative_path(target: str, folder: str) -> str:
    """posixpath.relpath without touching the disk (no getcwd), cached: pages share folders and targets."""
    target_parts = [part for part in target.split("/") if part not in ("", ".")]
    folder_parts = [part for part in folder.split("/") if part not in ("", ".")]
    common = 0
    while (common < len(folder_parts) and common < len(target_parts) - 1
           and folder_parts[common] == target_parts[common]):
        common += 1
    return "/".join([".."] * (len(folder_parts) - common) + target_parts[common:]) or "."


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
    return f"{value.day} {_month_and_year(value.year, value.month)}"


@lru_cache(maxsize=12)
def month_name(month: int) -> str:
    """A month's name, what f"{value:%B}" writes of any date in that month: strftime once per month, not once per
    date (the archive's months, the events' dates: 17,000 of them in every render at 10k articles)."""
    return f"{date(2000, month, 1):%B}"


@lru_cache(maxsize=4096)
def _month_and_year(year: int, month: int) -> str:
    """'July 2023': strftime once per month (pages show the same few months thousands of times)."""
    return f"{date(year, month, 1):%B %Y}"


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
    """A stretch of Article.text to mark up: a sentence anchor, a quote or a link (one of them)."""

    start: int
    end: int
    href: str | None = None  # a link
    quote: bool = False  # a quotation (title: who said it)
    title: str | None = None
    anchor: str | None = None  # an id: the sentence's "s{index}"

    def open_tag(self) -> str:
        if self.anchor is not None:
            return f'<span id="{escape(self.anchor)}">'
        if self.quote:
            return f'<span class="quote" title="{escape(self.title)}">' if self.title else '<span class="quote">'
        return f'<a class="mention" href="{escape(self.href or "")}">'

    def close_tag(self) -> str:
        return "</span>" if self.anchor is not None or self.quote else "</a>"


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
        kept.append(span if (start, end) == (span.start, span.end) else replace(span, start=start, end=end))
        last_end = end
    return kept


try:  # markupsafe >= 3: the C function that escape() wraps, a str in, a str out
    from markupsafe import _escape_inner
except ImportError:  # (older markupsafe: its escape() is C through and through)
    _escape_inner = None


def _disjoint_rows(rows: list[tuple[int, int, str]], high: int) -> list[tuple[int, int, str]]:
    """_non_overlapping(…, 0, high) for (start, end, tag) rows: clipped to [0, high), empty ones dropped, of
    overlapping ones the earliest, then longest, wins (the first given of equal ones)."""
    kept: list[tuple[int, int, str]] = []
    last_end = 0
    for start, end, tag in sorted((row for row in rows if row[1] > 0 and row[0] < high and row[1] > row[0]),
                                  key=lambda row: (row[0], -row[1])):
        clipped_start, clipped_end = max(start, 0), min(end, high)
        if clipped_start < last_end or clipped_start >= clipped_end:
            continue
        kept.append((clipped_start, clipped_end, tag))
        last_end = clipped_end
    return kept


def _mention_rows(article: Article) -> Iterable[tuple[int, int, str | None]]:
    """(start, end, actor key) of each of the article's mentions, from its columns when it holds them so."""
    mentions = article.mentions
    if isinstance(mentions, Mentions):
        return zip(mentions.starts, mentions.ends, mentions.actor_keys, strict=True)
    return ((mention.start, mention.end, mention.actor_key) for mention in mentions)


def mention_places(article: Article) -> tuple[Sequence[int], Sequence[int], Sequence[int]]:
    """(starts, ends, sentences) of the article's mentions, in order
    (its columns, when it holds them so)."""
    mentions = article.mentions
    if isinstance(mentions, Mentions):
        return mentions.starts, mentions.ends, mentions.sentences
    return ([mention.start for mention in mentions], [mention.end for mention in mentions],
            [mention.sentence for mention in mentions])


def sentence_bounds(article: Article, index: int) -> tuple[int, int]:
    """(start, end) of the article's sentence number `index` (0 <= index < len(sentences))."""
    sentences = article.sentences
    if isinstance(sentences, Sentences):
        return sentences.starts[index], sentences.ends[index]
    sentence = sentences[index]
    return sentence.start, sentence.end


def mention_actor_keys(article: Article) -> list[str | None]:
    """The actor key of each of the article's mentions (None: not linked), in order."""
    mentions = article.mentions
    return mentions.actor_keys if isinstance(mentions, Mentions) else [mention.actor_key for mention in mentions]


def _escape_py(text: str) -> str:
    """HTML-escape text (as markupsafe does, without making a Markup object per piece)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


_escape: Callable[[str], str] = _escape_inner or _escape_py
escape_text = _escape  # HTML-escape a str into a str (as markupsafe's escape, without a Markup object)


def output_escape(value: object) -> str:
    """What `{{ value }}` writes into a page: the text of markupsafe's escape(value), as a str.

    Jinja's compiled templates call `escape` on every value they output; markupsafe's makes a Markup object
    of each (a Python function and a Python __new__ around the C escaping: a third of the cost of writing
    a short value). The text written is the same; only values that are exactly str or int are taken the
    short way, anything else (Markup, objects with __html__, None, floats…) goes through escape()."""
    kind = value.__class__
    if kind is str:
        return _escape(value)
    if kind is int:
        return str(value)
    return escape(value)


class Template(jinja2.Template):
    """A Jinja template whose output expressions escape through `output_escape`.

    A compiled template looks `escape` up among its module's globals each time it writes a value (and
    only there: `~`, filters and macros use markupsafe directly), so the one name is replaced there."""

    @classmethod
    def _from_namespace(cls, environment, namespace, globals):
        if namespace.get("escape") is escape:
            namespace["escape"] = output_escape
        return super()._from_namespace(environment, namespace, globals)


@dataclass(frozen=True)
class Layer:
    """Sorted, disjoint spans as parallel arrays (fast to search with bisect), with their tags."""

    starts: list[int]
    ends: list[int]
    opens: list[str]
    closes: list[str]

    @classmethod
    def of(cls, spans: list[Span]) -> Layer:
        return cls([s.start for s in spans], [s.end for s in spans], [s.open_tag() for s in spans],
                   [s.close_tag() for s in spans])

    @classmethod
    def of_rows(cls, rows: list[tuple[int, int, str]], close: str) -> Layer:
        """From sorted, disjoint (start, end, opening tag) rows whose elements all close with `close`."""
        return cls([row[0] for row in rows], [row[1] for row in rows], [row[2] for row in rows], [close] * len(rows))

    def between(self, low: int, high: int) -> range:
        """Indices of the spans that overlap [low, high)."""
        first = bisect_right(self.starts, low) - 1
        if first < 0 or self.ends[first] <= low:
            first += 1
        return range(first, bisect_left(self.starts, high))


def _sweep(text: str, low: int, high: int, layers: Sequence[Layer]) -> str:
    """HTML for text[low:high] with each layer's spans as elements; layers go from outermost to innermost.

    Each layer is sorted and disjoint.  An inner element that crosses the edge of an
    outer one is cut there (closed and reopened), so the elements always nest.
    """
    depth = 0
    while depth < len(layers) and not layers[depth].between(low, high):
        depth += 1  # layers with nothing here are skipped
    if depth == len(layers):
        return _escape(text[low:high])
    layer, inner = layers[depth], layers[depth + 1 :]
    indices = layer.between(low, high)
    starts, ends, opens, closes = layer.starts, layer.ends, layer.opens, layer.closes
    out: list[str] = []
    position = low
    for i in indices:
        start, end = max(starts[i], position), min(ends[i], high)
        if end <= start:
            continue
        if start > position:
            out.append(_sweep(text, position, start, inner) if inner else _escape(text[position:start]))
        out.append(opens[i])
        out.append(_sweep(text, start, end, inner) if inner else _escape(text[start:end]))
        out.append(closes[i])
        position = end
    if position < high:
        out.append(_sweep(text, position, high, inner) if inner else _escape(text[position:high]))
    return "".join(out)


def mark_up(text: str, low: int, high: int, links: Sequence[Span] = (), quotes: Sequence[Span] = ()) -> Markup:
    """Escaped HTML for text[low:high], with links and quotes.

    Robust to anything the analysis may hand over: spans out of range or
    overlapping are clipped or dropped; a link that crosses a quote's edge is
    split so the HTML nests properly.
    """
    low, high = max(0, low), min(len(text), high)
    if high <= low:
        return Markup("")
    layers = [Layer.of(_non_overlapping(quotes, low, high)), Layer.of(_non_overlapping(links, low, high))]
    return Markup(_sweep(text, low, high, [layer for layer in layers if layer.starts]))


class ArticleMarkup:
    """An article's text as HTML: sentences as <span id="s{index}">, mentions linked to actor pages.

    Mentions, quotes and sentences are each sorted and made disjoint once per
    article; each block is then marked up in one linear sweep.
    """

    def __init__(self, article: Article, actor_href: Callable[[str], str | None]) -> None:
        self.article = article
        text = article.text
        # Links and sentence anchors as (start, end, opening tag) rows, read from the article's columns where
        # it holds them so (no Mention or Sentence object, no Span per row); each actor's tag made once.
        tags: dict[str, str | None] = {}
        links = []
        for start, end, key in _mention_rows(article):
            if key:
                tag = tags.get(key, "")
                if tag == "":
                    href = actor_href(key)
                    tag = tags[key] = Span(0, 0, href).open_tag() if href else None
                if tag is not None:
                    links.append((start, end, tag))
        quotes = [
            Span(q.start, q.end, quote=True, title=f"Quote: {q.speaker}" if q.speaker else None)
            for q in article.quotes
        ]
        sentences = article.sentences
        if isinstance(sentences, Sentences):
            anchors = [(start, end, f'<span id="s{index}">')
                       for index, (start, end) in enumerate(zip(sentences.starts, sentences.ends, strict=True))]
        else:
            anchors = [(s.start, s.end, Span(s.start, s.end, anchor=f"s{s.index}").open_tag()) for s in sentences]
        self._layers = [Layer.of_rows(_disjoint_rows(anchors, len(text)), "</span>"),
                        Layer.of(_non_overlapping(quotes, 0, len(text))),
                        Layer.of_rows(_disjoint_rows(links, len(text)), "</a>")]

    def _html(self, low: int, high: int, anchors: bool) -> str:
        low, high = max(0, low), min(len(self.article.text), high)
        if high <= low:
            return ""
        layers = [layer for layer in (self._layers if anchors else self._layers[1:]) if layer.starts]
        return _sweep(self.article.text, low, high, layers)

    def sentence(self, index: int) -> Markup:
        """One sentence as HTML (no anchor), e.g. for summaries."""
        if not 0 <= index < len(self.article.sentences):
            return Markup("")
        sentence = self.article.sentences[index]
        return Markup(self._html(sentence.start, sentence.end, anchors=False))

    def summary(self) -> list[tuple[int, Markup]]:
        return [(i, self.sentence(i)) for i in self.article.summary if 0 <= i < len(self.article.sentences)]

    def body(self, excerpt: bool = False) -> Markup:
        """The article text as HTML, block by block: <p>, <h2>, <blockquote>, <ul> for runs of list items,
        and images as a note with a link to the remote picture (never an <img>).  Each sentence is a
        <span id="s{index}">.  With `excerpt`, only the first paragraph."""
        article = self.article
        text = article.text
        out: list[str] = []
        in_list = False
        starts = article.block_starts if len(article.block_starts) == len(article.blocks) else None
        for number, block in enumerate(article.blocks):
            if excerpt and not (block.kind == BlockKind.PARAGRAPH and block.text.strip()):
                continue
            begin = starts[number] if starts is not None else -1
            if begin < 0 or text[begin : begin + len(block.text)] != block.text:
                html = str(escape(block.text))  # no usable offsets: plain text
            else:
                html = self._html(begin, begin + len(block.text), anchors=True)
            if block.kind == BlockKind.LIST_ITEM:
                out.append(f"<li>{html}</li>\n" if in_list else f"<ul>\n<li>{html}</li>\n")
                in_list = True
                continue
            if in_list:
                out.append("</ul>\n")
                in_list = False
            if block.kind == BlockKind.HEADING:
                out.append(f"<h2>{html}</h2>\n")
            elif block.kind == BlockKind.QUOTE:
                out.append(f"<blockquote><p>{html}</p></blockquote>\n")
            elif block.kind == BlockKind.IMAGE:
                href = safe_external_url(block.href)
                link = (f' <a href="{escape(href)}" rel="nofollow noopener">view the image on its original site</a>'
                        if href else "")
                out.append(f'<p class="image-note"><span class="label">Image:</span> {html}{link}</p>\n')
            else:
                out.append(f"<p>{html}</p>\n")
            if excerpt:
                break
        if in_list:
            out.append("</ul>\n")
        return Markup("".join(out))


# ---------------------------------------------------------------------------
# Jinja environment and page rendering


def _event_date(ref) -> str:
    from builder.pages.events import date_text

    return date_text(ref)


def _event_isodate(ref) -> str:
    from builder.pages.events import iso_text

    return iso_text(ref)


class Environment(jinja2.Environment):
    """Jinja's environment, with each template's globals as one plain dict.

    Jinja chains a template's own globals to the environment's (a ChainMap, read key by key in Python each
    time a page's context is made: twice per template rendered); here they are copied into one dict when
    the template is loaded. The environment's globals are all set before any template is (make_environment)."""

    def make_globals(self, d):
        return {**self.globals, **(d or {})}


class TemplateLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, naming the file of a template that is not UTF-8 text (Jinja lets the decoding
    error through, as a traceback naming no template)."""

    def get_source(self, environment, template):
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            raise TemplateError(f"{self._file_of(template)}: not UTF-8 text (byte {exc.start:,} cannot be read); "
                                f"save the template as UTF-8") from None

    def _file_of(self, template: str) -> str:
        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.searchpath:
            path = os.path.join(folder, *pieces)
            if os.path.isfile(path):
                return path
        return template


def make_environment(user_templates: Path, cache_folder: Path | None = None) -> jinja2.Environment:
    """`cache_folder`: where the compiled templates are kept for the next build (builder.template_cache)."""
    from builder.template_cache import TemplateCodeCache

    search_path = [str(user_templates)] if user_templates.is_dir() else []
    search_path += [str(folder) for folder in builtin_template_dirs()]
    env = Environment(
        loader=TemplateLoader(search_path),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,  # every template kept in a plain dict: an LRU takes a lock and reorders on every lookup
        # (two per page: the base template and _meta.html), and a site has a few dozen templates
        bytecode_cache=None if cache_folder is None else TemplateCodeCache(cache_folder),
    )
    env.template_class = Template
    env.filters["date"] = format_date
    env.filters["event_date"] = _event_date  # an event's date at its own precision: "1950", "June 1950"
    env.filters["event_isodate"] = _event_isodate
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
        module_name = name if "." in name else f"builder.pages.{name}"
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
    path → a link relative to this page), `root` (the output root relative to this page, "" or
    "../": `root ~ path` is `url(path)` for a plain path, and cheaper), `nav` ((label, path) pairs)
    and the lookups
    `source_page(name)`, `article_page(source_file)`, `actor_page(key)`, `event_page(key)`,
    which give an output-root-relative path, or None where that page is not built.
    """

    def __init__(self, site: Site, settings: Settings, kinds: Sequence[str] | None = None) -> None:
        self.site = site
        self.settings = settings
        self.config = settings.config
        self.env = make_environment(settings.paths.templates, settings.paths.cache)
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
        # Set while the site is rendered for a build that keeps pages whose inputs did not change
        # (builder.page_keys); None: every page is rendered and no key is computed.
        self.keys: PageKeys | None = None
        self.fingerprints: Fingerprints | None = None
        # Links from one folder: a link depends only on the folder of the page it is on (pages of a folder
        # link to the same few index pages, article pages and actors, so most links are made once).
        self._links_from: dict[str, dict[str, str]] = {}
        self.unlisted: set[str] = set()  # pages made with one of UNLISTED_TEMPLATES
        # (a site, the keys of its actors with a feed and a graph page of their own): builder.pages.feed_and_graph
        self.feed_and_graph: tuple[Site, frozenset[str]] | None = None
        # (a site, its events in timeline order with their order keys and dates): builder.pages.events.ordered_events
        self.ordered_events: tuple[Site, list] | None = None

    def template(self, name: str) -> jinja2.Template:
        if name not in self._templates:
            try:
                self._templates[name] = self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                raise TemplateError(f"{exc.filename or name}, line {exc.lineno}: {exc.message}") from None
            except jinja2.TemplateNotFound as exc:
                folders = ", ".join(self.env.loader.searchpath)
                raise TemplateError(f"template not found: {exc.name} (looked in {folders})") from None
        return self._templates[name]

    def keyed(self, unit: str, template: str | None, inputs: Callable[[Fingerprints], object],
              make: Callable[[], Iterable[OutputPage]], reads: Callable[[Fingerprints], object] | None = None
              ) -> Iterable[OutputPage | KeptPage]:
        """The pages `make()` makes, unless `unit`'s inputs are those of the build that made the current output.

        `template`: the template `make` renders them with (None: none); `inputs(fingerprints)` names
        everything the unit's pages show beyond the global part of every key (builder.page_keys): plain
        values (strings, numbers, None, tuples and lists of them: no sets) that pickle to the same bytes
        each time, and the fingerprints of the objects shown (each one read is recorded). It is not called
        when no keys are kept.  `reads(fingerprints)`: the same kind of values, naming what `inputs` is worked
        out from beside the fingerprints it reads (which objects a list shows and in which order, values
        taken from the whole site…): while they and those fingerprints are what the previous build
        recorded, the unit's key is recalled and `inputs` not called (page_keys.PageKeys)."""
        if self.keys is None or self.fingerprints is None:
            return make()
        return self.keys.pages(unit, template, partial(inputs, self.fingerprints), make,
                               reads=None if reads is None else reads(self.fingerprints))

    def links_from(self, page_path: str) -> Callable[[str], str]:
        """`url(target)` for a page: relative_url(page_path, target), remembered per folder."""
        folder = page_path.rpartition("/")[0]
        links = self._links_from.get(folder)
        if links is None or len(links) > LINKS_PER_FOLDER:
            links = self._links_from[folder] = {}

        def url(target: str) -> str:
            link = links.get(target)
            if link is None:
                link = relative_url(page_path, target)
                if target:  # (an empty target is the page itself: its own name, not the folder's)
                    links[target] = link
            return link

        return url

    def page(self, path: str, template: str, **context: object) -> OutputPage:
        if template in UNLISTED_TEMPLATES:
            self.unlisted.add(path)
        url = self.links_from(path)

        values: dict[str, object] = {
            "root": "../" * path.count("/"),  # the output root, relative to this page: root ~ "static/style.css"
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
        try:
            html = self.template(template).render(values)
        except TemplateError:
            raise
        except Exception as exc:
            where = _template_frame(exc)
            if where is None:
                raise  # a fault in the builder's own code: keep the traceback
            raise TemplateError(f"{where}: while making {path}: {type(exc).__name__}: {exc}") from None
        return OutputPage(path, html.encode("utf-8"))

    def article_markup(self, article: Article, page_path: str) -> ArticleMarkup:
        """The article's text as HTML with mention links relative to `page_path`."""

        url = self.links_from(page_path)

        def actor_href(key: str) -> str | None:
            target = self.actor_pages.get(key)
            return url(target) if target else None

        return ArticleMarkup(article, actor_href)


def static_pages(settings: Settings) -> Iterator[OutputPage]:
    """Theme assets, the user's `site/static/` files overriding the built-in ones."""
    files: dict[str, Path] = {}
    for folder in [*builtin_static_dirs(), settings.paths.site / "static"]:
        if folder.is_dir():
            for path in _static_files(folder):
                relpath = f"static/{path.relative_to(folder).as_posix()}"
                if relpath in MADE_STATIC_FILES:
                    raise BuildError(f"{path}: the builder makes {relpath} itself ({MADE_STATIC_FILES[relpath]}); "
                                     f"give your file another name")
                files[relpath] = path
    for relpath, path in sorted(files.items()):
        yield OutputPage(relpath, path.read_bytes())


# Files of static/ that are made, not copied: a file of the same name in site/static/ cannot replace them.
MADE_STATIC_FILES = {"static/search.js": "the search page's script, builder/search.py"}


def _static_files(folder: Path) -> Iterator[Path]:
    """The files of a static folder to copy into the site, hidden ones and broken links left out.

    What cannot be a file of the site stops the build, naming it: a link out of the folder (a project
    shared with a link to a private file would publish it, as with seeds) or no regular file at all (a
    named pipe would stall the build, a device fill its memory)."""
    root = folder.resolve()
    for path in sorted(folder.rglob("*")):
        if path.name.startswith(".") or path.is_dir() or not path.exists():
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            raise BuildError(f"{path}: a link to {path.resolve()}, outside {folder}: not copied into the site "
                             f"(copy the file itself into the folder)")
        reason = not_regular_file(path.stat().st_mode)
        if reason is not None:
            raise BuildError(f"{path}: {reason}: only files can be copied into the site")
        yield path


# Page kinds whose index pages always exist: the other kinds say first which pages they will make
# (`planned_paths`), so that the navigation of every page links only to index pages really made.
CORE_KINDS = ("articles", "sources", "reports")
# Pages made with these templates stay out of the sitemap: the not-found page, an old address that only
# forwards the reader to the new one, and the search form (it has no content of its own).
UNLISTED_TEMPLATES = frozenset({"404.html", "redirect.html", "search.html"})


def _template_frame(exc: BaseException) -> str | None:
    """'file, line N' of the template where `exc` was raised, if it was raised in template code.

    Jinja names compiled template frames after the template file, so the innermost frame tells."""
    if isinstance(exc, jinja2.TemplateError) and getattr(exc, "filename", None):
        return f"{exc.filename}, line {exc.lineno}"
    frames = list(traceback.walk_tb(exc.__traceback__))
    templated = [(frame, line) for frame, line in frames if frame.f_code.co_filename.endswith((".html", ".xml", ".j2"))]
    if not templated:
        return None
    frame, line = templated[-1]
    if not isinstance(exc, jinja2.TemplateError) and frame is not frames[-1][0]:
        return None
    return f"{frame.f_code.co_filename}, line {line}"


def render_site(site: Site, settings: Settings) -> list[OutputPage]:
    """Every page of the site, as a list (see `iter_site_pages`)."""
    return list(iter_site_pages(site, settings))


def iter_site_pages(site: Site, settings: Settings, keys: PageKeys | None = None,
                    foresee: Callable[[list[OutputPage | KeptPage | KeptRun]], None] | None = None,
                    ) -> Iterator[OutputPage | KeptPage | KeptRun]:
    """Every page of the site: each page module's pages in a fixed order, then 404, .nojekyll, static files.

    Pages are made one by one as the writer asks for them, so no kind's pages are all in memory at once.
    Navigation, mention and event links must name only pages really made: each page module that is not a
    core kind tells beforehand, without rendering, which of its pages others may link to
    (`planned_paths(renderer, site)`); a module that cannot tell is rendered first, as a whole.
    With `keys` (the previous build's page keys), a page whose inputs did not change is a KeptPage, or with
    keys gathering runs (`PageKeys.runs`) part of a KeptRun: the kept pages made in a row, as one item.

    Every PAGES_BETWEEN_TRIMS pages made, the memory that making them freed goes back to the system (see there):
    a kept page, made of nothing, is not counted (a collection and a trim cost ~0.1 s at 10,000 articles,
    and an edit rebuild keeps some 58,000 pages).

    `foresee(pages)` (the search index: builder.search.SearchIndex.foresee), with `keys`: told, before the first
    page is handed over, the first pages of AHEAD_KIND that will be, in that order (`_made_ahead`: an edit's
    article pages, kept but for the edited one), so that the search shard holding the edited article starts
    its Pagefind run before the export and the other kinds are made, not after them."""
    made = 0
    try:
        for page in _site_pages(site, settings, keys, foresee):
            if page.content is not None:
                made += 1
                if made % PAGES_BETWEEN_TRIMS == 0:
                    return_free_memory()
            yield page
    finally:
        forget_site()  # (what the pages' metadata looked up of the site goes with it)


def _listed(path: str, renderer: PageRenderer) -> bool:
    """Whether the sitemap names this page (every HTML page but those of UNLISTED_TEMPLATES)."""
    return path.endswith(".html") and path not in renderer.unlisted


def _made_ahead(pages: Iterator[OutputPage | KeptPage | KeptRun]
                ) -> list[OutputPage | KeptPage | KeptRun]:
    """The first pages of `pages`, taken until AHEAD_PAGES made ones or AHEAD_BYTES of them (the rest stay in
    `pages`, made when their turn comes)."""
    ahead: list[OutputPage | KeptPage | KeptRun] = []
    made = size = 0
    for page in pages:
        ahead.append(page)
        if page.content is not None:
            made += 1
            size += len(page.content)
            if made >= AHEAD_PAGES or size >= AHEAD_BYTES:
                break
    return ahead



def _listed_run(run: KeptRun, unmade: set[str], listed: list[str], unlisted: Container[str]) -> KeptRun:
    """`run`, its pages counted as made (`unmade`) and listed in the sitemap (`listed`) as `_site_pages` does a
    page's."""
    paths = run.paths
    if unmade:
        unmade.difference_update(paths)
    listed += [path for path in paths if path.endswith(".html") and path not in unlisted]
    return run



def _with_runs(pages: Iterable[OutputPage | KeptPage], take_run: Callable[[], KeptRun | None] | None
               ) -> Iterator[OutputPage | KeptPage | KeptRun]:
    """`pages`, with the kept pages the keys gathered (`take_run`) handed over as a run before each page made and
    after the last (as they came)."""
    if take_run is None:
        yield from pages
        return
    for page in pages:
        run = take_run()
        if run is not None:
            yield run
        yield page
    run = take_run()
    if run is not None:
        yield run


def _site_pages(site: Site, settings: Settings, keys: PageKeys | None,
                foresee: Callable[[list[OutputPage | KeptPage | KeptRun]], None] | None = None,
                ) -> Iterator[OutputPage | KeptPage | KeptRun]:
    modules = available_page_modules()
    renderer = PageRenderer(site, settings, kinds=tuple(modules))
    others = {name: module for name, module in modules.items() if name not in CORE_KINDS}
    promised: dict[str, set[str]] = {}  # kind → the paths its planned_paths named (each checked to be made)
    for name, module in others.items():
        planned_paths = getattr(module, "planned_paths", None)
        if planned_paths is not None:
            promised[name] = set(planned_paths(renderer, site))
    rendered = {name: list(module.plan(renderer, site)) for name, module in others.items() if name not in promised}

    def made() -> set[str]:
        return {path for paths in promised.values() for path in paths} | {
            page.path for pages in rendered.values() for page in pages}

    paths = made()
    missing = [path for kind, _, path in NAVIGATION if kind in others and path not in paths]
    if missing:  # a page kind makes no index page (yet): leave it out of the navigation
        renderer.nav = [(label, path) for label, path in renderer.nav if path not in missing]
        rendered = {name: list(others[name].plan(renderer, site)) for name in rendered}  # with the new navigation
        paths = made()
    # Article pages link mentions and events only to actor and event pages that will really be made.
    renderer.actor_pages = {key: path for key, path in renderer.actor_pages.items() if path in paths}
    renderer.event_pages = {key: path for key, path in renderer.event_pages.items() if path in paths}
    del paths
    if keys is not None:
        fingerprints = Fingerprints(site, analysis_key(settings), renderer.source_pages)
        keys.start(renderer, fingerprints)
        renderer.keys, renderer.fingerprints = keys, fingerprints
    # (keys gathering the kept pages into runs: each run taken before the next page made, and after the last)
    take_run = keys.take_run if keys is not None and keys.runs else None
    ahead: dict[str, Iterator[OutputPage | KeptPage | KeptRun]] = {}  # kind → its pages, the first ones made ahead
    if foresee is not None and keys is not None and AHEAD_KIND in modules and AHEAD_KIND not in rendered:
        plan = _with_runs(modules[AHEAD_KIND].plan(renderer, site), take_run)
        first = _made_ahead(plan)
        foresee(first)
        ahead[AHEAD_KIND] = chain(first, plan)
    listed: list[str] = []  # the HTML pages made, in the order made: the sitemap's content
    for name, module in modules.items():
        if name in rendered:
            pages = rendered.pop(name)
            listed += [page.path for page in pages if _listed(page.path, renderer)]
            yield from pages
            continue
        unmade = promised.get(name, set())
        unlisted = renderer.unlisted
        for page in ahead.pop(name, None) or _with_runs(module.plan(renderer, site), take_run):
            if isinstance(page, KeptRun):
                yield _listed_run(page, unmade, listed, unlisted)
                continue
            path = page.path
            unmade.discard(path)
            if path.endswith(".html") and path not in unlisted:  # (`_listed`, inline: 58,000 pages an edit)
                listed.append(path)
            yield page
        if unmade:  # other pages link to these: a broken promise would be broken links
            raise BuildError(f"internal error: the {name} pages did not include {', '.join(sorted(unmade)[:5])}, "
                             "which planned_paths said they would")
    if "feeds" in modules:
        yield from modules["feeds"].sitemaps(site, settings.config, listed)
    del listed
    static = list(static_pages(settings))
    css = next((page.content.decode("utf-8", "replace") for page in static if page.path == "static/style.css"), "")
    yield renderer.page("404.html", "404.html", inline_css=Markup(css.replace("</", "<\\/")))
    yield OutputPage(".nojekyll", b"")
    yield from static
