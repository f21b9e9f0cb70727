"""Atom feeds (whole site, each actor, each event), sitemap.xml and robots.txt.

Addresses: `feed.xml` (the newest articles of the whole site), `actors/<slug>.xml`
and `events/<slug>.xml` (the newest articles about one actor or event; an actor seen in only one
article has no feed, by the rule its graph page follows: builder.pages.has_feed_and_graph),
`sitemap.xml` and `robots.txt`, all at the output root or beside the page they
follow.

Base URL. With `config.base_url` every link in a feed and the sitemap is
absolute. Without it the files are still written, with links relative to the
file itself: Atom resolves relative references against the feed's own address,
so feed readers follow them; the sitemap protocol wants absolute addresses, so a
sitemap without base_url is only a list for tools (and robots.txt names it only
when base_url is set). Entry and feed ids never depend on base_url: they are
`urn:uuid:` names derived from the article's source file or the actor's / event's
key, so moving the site does not make readers see every entry again.

Dates: a feed's <updated> is the date of its newest article (never the build
time), so building twice gives the same bytes. Undated articles are left out of
feeds (Atom requires a date on every entry) but stay in the sitemap.
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from functools import partial
from zoneinfo import ZoneInfo

from builder.config import Config
from builder.model import Actor, Article, Event, KeptPage, OutputPage, Site
from builder.page_keys import Fingerprints, no_other_reads
from builder.pages import Once, feed_and_graph, has_feed_and_graph, mention_files
from builder.render import PageRenderer, relative_url
from builder.seo import article_summary, shorten

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_URLS = 50_000  # addresses one sitemap file may hold (sitemaps.org)
FEED_ENTRIES = 50  # newest articles per feed
SUMMARY_CHARS = 600
GENERATOR = "build-site"


def stable_id(kind: str, identity: str) -> str:
    """A permanent Atom id for an article (source file), actor or event (key)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'build-site:{kind}:{identity}')}"


def feed_time(value: datetime | date, config: Config) -> str:
    """RFC 3339 time; dates without a zone are taken in config.timezone."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(config.timezone))
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def link_to(config: Config, from_file: str, page: str) -> str:
    """Absolute with base_url, else relative to the file the link is written in."""
    return config.base_url + page if config.base_url else relative_url(from_file, page)


def _newest(articles: list[Article], order: Callable[[Article], tuple[str, str]] | None = None) -> list[Article]:
    """The FEED_ENTRIES newest dated articles; `order(article)`: its (feed_sort_key, source_file), if known."""
    dated = [a for a in articles if a.published.value is not None]
    # (what sorting them all, newest first, and taking the first FEED_ENTRIES gives: a prominent actor's feed
    # has thousands of articles to choose from)
    return heapq.nlargest(FEED_ENTRIES, dated, key=order or (lambda a: (feed_sort_key(a), a.source_file)))


def feed_sort_key(article: Article) -> str:
    value = article.published.value
    return value.isoformat() if value is not None else ""


# The feeds and the sitemap are written as text, the way xml.etree.ElementTree wrote them (indented by
# two spaces, "<tag />" for an empty element, its escaping): the same bytes, several times faster, and
# an article's entry is made once per folder however many feeds list it.


def _xml_text(text: str) -> str:
    """Character data escaped as ElementTree does (& < >)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_attribute(text: str) -> str:
    """An attribute value escaped as ElementTree does (& < > " and CR, LF, tab as character references)."""
    return (_xml_text(text).replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#09;"))


def _leaf(indent: str, tag: str, text: str | None) -> str:
    return f"{indent}<{tag}>{_xml_text(text)}</{tag}>\n" if text else f"{indent}<{tag} />\n"


def _empty(indent: str, tag: str, **attributes: str) -> str:
    pairs = "".join(f' {name}="{_xml_attribute(value)}"' for name, value in attributes.items())
    return f"{indent}<{tag}{pairs} />\n"


class AtomEntries:
    """The <entry> of each article, made once per folder a feed sits in (only its link depends on that)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.made: dict[str, dict[str, str]] = {}  # folder → source file → entry
        self._order: dict[str, tuple[str, str]] = {}
        self._times: dict[str, str] = {}

    def order(self, article: Article) -> tuple[str, str]:
        """(feed_sort_key, source_file) of an article, made once (every feed listing it sorts by it)."""
        found = self._order.get(article.source_file)
        if found is None:
            found = self._order[article.source_file] = (feed_sort_key(article), article.source_file)
        return found

    def time(self, article: Article) -> str:
        """feed_time of a dated article's date, made once (its entry in each folder and every feed it leads)."""
        found = self._times.get(article.source_file)
        if found is None:
            found = self._times[article.source_file] = feed_time(article.published.value, self.config)
        return found

    def __call__(self, article: Article, feed_path: str) -> str:
        return self.entries([article], feed_path)[0]

    def entries(self, articles: list[Article], feed_path: str) -> list[str]:
        """The <entry> of each article, for a feed at `feed_path`."""
        folder = feed_path.rpartition("/")[0]
        made = self.made.get(folder)
        if made is None:
            made = self.made[folder] = {}
        found = []
        for article in articles:
            entry = made.get(article.source_file)
            if entry is None:
                entry = made[article.source_file] = self._entry(article, feed_path)
            found.append(entry)
        return found

    def _entry(self, article: Article, feed_path: str) -> str:
        config = self.config
        published = self.time(article)
        parts = [
            "  <entry>\n",
            _leaf("    ", "id", stable_id("article", article.source_file)),
            _leaf("    ", "title", article.title),
            _leaf("    ", "published", published),
            _leaf("    ", "updated", published),
            _empty("    ", "link", rel="alternate", type="text/html",
                   href=link_to(config, feed_path, f"articles/{article.slug}.html")),
        ]
        if article.original_url:
            parts.append(_empty("    ", "link", rel="via", href=article.original_url))
        parts += [
            "    <author>\n",
            _leaf("      ", "name", article.credits.byline or article.author or article.source),
            "    </author>\n",
            _empty("    ", "category", term=article.source),
            _leaf("    ", "summary", shorten(article_summary(article), SUMMARY_CHARS)),
            "  </entry>\n",
        ]
        return "".join(parts)


def atom_feed(
    path: str, title: str, subtitle: str, feed_key: str, articles: list[Article], site: Site, config: Config,
    html_page: str, entries: AtomEntries | None = None,
) -> OutputPage:
    """One Atom document at `path` listing the newest of `articles` (their summaries and links)."""
    entries = entries or AtomEntries(config)
    newest = _newest(articles, entries.order)
    updated = entries.time(newest[0]) if newest else "1970-01-01T00:00:00Z"
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        f'<feed xmlns="{ATOM}" xml:lang="{_xml_attribute(config.language)}">\n',
        _leaf("  ", "id", stable_id("feed", feed_key)),
        _leaf("  ", "title", title),
        _leaf("  ", "subtitle", subtitle),
        _leaf("  ", "updated", updated),
        _empty("  ", "link", rel="self", type="application/atom+xml", href=link_to(config, path, path)),
        _empty("  ", "link", rel="alternate", type="text/html", href=link_to(config, path, html_page)),
        "  <author>\n",
        _leaf("    ", "name", site.title),
        "  </author>\n",
        _leaf("  ", "generator", GENERATOR),
        *entries.entries(newest, path),
        "</feed>\n",
    ]
    return OutputPage(path, "".join(parts).encode("utf-8"))


def sitemaps(site: Site, config: Config, pages: list[str]) -> list[OutputPage]:
    """sitemap.xml naming `pages` (paths relative to the output root), articles with their date.

    builder.render makes it last, from the HTML pages the site really has (all but the not-found page,
    redirects and the search form), so that no page kind can be forgotten here. The protocol allows
    SITEMAP_URLS addresses per file: a larger site gets sitemap-1.xml, sitemap-2.xml, … beside it (a
    sitemap may only name addresses under its own folder) and sitemap.xml becomes their index."""
    lastmod = {
        f"articles/{a.slug}.html": a.published.value.date().isoformat()
        for a in site.articles
        if a.published.value is not None
    }
    if len(pages) <= SITEMAP_URLS:
        return [_urlset("sitemap.xml", pages, lastmod, config)]
    parts = [_urlset(f"sitemap-{number}.xml", pages[start:start + SITEMAP_URLS], lastmod, config)
             for number, start in enumerate(range(0, len(pages), SITEMAP_URLS), 1)]
    lines = ['<?xml version="1.0" encoding="utf-8"?>\n', _relative_note(config),
             f'<sitemapindex xmlns="{SITEMAP}">\n']
    for part in parts:
        lines += ["  <sitemap>\n", _leaf("    ", "loc", link_to(config, "sitemap.xml", part.path)), "  </sitemap>\n"]
    lines.append("</sitemapindex>\n")
    return [*parts, OutputPage("sitemap.xml", "".join(lines).encode())]


def _relative_note(config: Config) -> str:
    return "" if config.base_url else "<!-- Relative addresses: set base_url for a sitemap search engines accept. -->\n"


def _urlset(path: str, pages: list[str], lastmod: dict[str, str], config: Config) -> OutputPage:
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n', _relative_note(config), f'<urlset xmlns="{SITEMAP}">\n']
    for page in pages:
        parts.append("  <url>\n")
        parts.append(_leaf("    ", "loc", link_to(config, path, page)))
        if page in lastmod:
            parts.append(_leaf("    ", "lastmod", lastmod[page]))
        parts.append("  </url>\n")
    parts.append("</urlset>\n")
    return OutputPage(path, "".join(parts).encode())


def robots_txt(config: Config) -> OutputPage:
    """Allow or (config.noindex) disallow everything; name the sitemap when its address is known.

    Crawlers read robots.txt only at a domain's root: a project site under /<repo>/ relies on the
    pages' own robots meta instead (written by templates/_meta.html).
    """
    lines = ["User-agent: *", "Disallow: /" if config.noindex else "Allow: /"]
    if config.base_url and not config.noindex:
        lines += ["", f"Sitemap: {config.base_url}sitemap.xml"]
    return OutputPage("robots.txt", ("\n".join(lines) + "\n").encode())


def has_feed(actor: Actor) -> bool:
    """Only an actor seen in 2+ articles has a feed (and a graph page): one article is nothing to follow."""
    return has_feed_and_graph(actor)


def planned_paths(renderer: PageRenderer, site: Site) -> set[str]:
    """The site's feed and robots.txt (no page links to the actor and event feeds but their own; the sitemap
    is made by builder.render once every other page is made)."""
    return {"feed.xml", "robots.txt"}


def _feed(path: str, title: str, subtitle: str, feed_key: str, files: Callable[[], list[str]],
          by_file: dict[str, Article], site: Site, config: Config, html_page: str, entries: AtomEntries
          ) -> list[OutputPage]:
    articles = [by_file[f] for f in files() if f in by_file]
    return [atom_feed(path, title, subtitle, feed_key, articles, site, config, html_page, entries)]


def _actor_feed(actor: Actor, files: Callable[[], list[str]], by_file: dict[str, Article], site: Site, config: Config,
                entries: AtomEntries) -> list[OutputPage]:
    """An actor's feed (its titles and addresses written only when it is made: an edit keeps nearly every feed)."""
    return _feed(f"actors/{actor.slug}.xml", f"{actor.name} · {site.title}", f"Articles that mention {actor.name}.",
                 f"actor:{actor.key}", files, by_file, site, config, f"actors/{actor.slug}.html", entries)


def _event_feed(event: Event, files: Callable[[], list[str]], by_file: dict[str, Article], site: Site, config: Config,
                entries: AtomEntries) -> list[OutputPage]:
    """An event's feed (as `_actor_feed`)."""
    return _feed(f"events/{event.slug}.xml", f"{event.label} · {site.title}", f"Articles that report: {event.label}.",
                 f"event:{event.key}", files, by_file, site, config, f"events/{event.slug}.html", entries)


def _feed_inputs(subject: tuple, files: Callable[[], list[str]], fingerprints: Fingerprints) -> tuple:
    """What an actor's or event's feed shows: its subject's name and address, the articles it may list.
    The subject's whole fingerprint is read (it names the articles and the name), not shown: a feed's key is
    recalled while it and the articles' fingerprints are unchanged (builder.page_keys.PageKeys)."""
    kind, key = subject[:2]
    if kind == "actor":
        fingerprints.actor(key)
    else:
        fingerprints.event(key)
    return subject, [(f, fingerprints.article(f)) for f in files()]


def _distinct_files(actor: Actor) -> list[str]:
    """The articles an actor's feed may list: those mentioning it, each once, in the order of its mentions."""
    return list(dict.fromkeys(mention_files(actor)))


def _reports(event: Event) -> list[str]:
    """The articles an event's feed may list: its sources, then the others telling of it."""
    return list(dict.fromkeys([*event.sources, *(source_file for source_file, _ in event.evidence)]))


def plan(renderer: PageRenderer, site: Site) -> Iterator[OutputPage | KeptPage]:
    config = renderer.settings.config
    by_file = {article.source_file: article for article in site.articles}
    entries = AtomEntries(config)
    yield atom_feed("feed.xml", site.title, config.description, f"site:{config.base_url or site.title}",
                    site.articles, site, config, "index.html", entries)
    with_feed = feed_and_graph(renderer, site)  # (has_feed of each, asked once per render)
    for actor in site.actors:
        if actor.key not in with_feed:
            continue
        # (the articles it lists, found when its key is worked out or its feed made: most keys are recalled)
        files = Once(partial(_distinct_files, actor))
        yield from renderer.keyed(
            f"actor-feed:{actor.key}", None,
            partial(_feed_inputs, ("actor", actor.key, actor.name, actor.slug), files),
            partial(_actor_feed, actor, files, by_file, site, config, entries), reads=no_other_reads)
    for event in site.events:
        files = Once(partial(_reports, event))
        yield from renderer.keyed(
            f"event-feed:{event.key}", None,
            partial(_feed_inputs, ("event", event.key, event.label, event.slug), files),
            partial(_event_feed, event, files, by_file, site, config, entries), reads=no_other_reads)
    yield robots_txt(config)
