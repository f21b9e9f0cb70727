"""Atom feeds (whole site, each actor, each event), sitemap.xml and robots.txt.

Addresses: `feed.xml` (the newest articles of the whole site), `actors/<slug>.xml`
and `events/<slug>.xml` (the newest articles about one actor or event),
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

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

from builder.config import Config
from builder.model import Article, OutputPage, Site
from builder.render import PageRenderer, relative_url
from builder.seo import article_summary, shorten

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
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


def _newest(articles: list[Article]) -> list[Article]:
    dated = [a for a in articles if a.published.value is not None]
    dated.sort(key=lambda a: (feed_sort_key(a), a.source_file), reverse=True)
    return dated[:FEED_ENTRIES]


def feed_sort_key(article: Article) -> str:
    value = article.published.value
    return value.isoformat() if value is not None else ""


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = text
    return element


def atom_feed(
    path: str, title: str, subtitle: str, feed_key: str, articles: list[Article], site: Site, config: Config,
    html_page: str,
) -> OutputPage:
    """One Atom document at `path` listing the newest of `articles` (their summaries and links)."""
    ET.register_namespace("", ATOM)
    entries = _newest(articles)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": config.language})
    _text(feed, "id", stable_id("feed", feed_key))
    _text(feed, "title", title)
    _text(feed, "subtitle", subtitle)
    updated = feed_time(entries[0].published.value, config) if entries else "1970-01-01T00:00:00Z"
    _text(feed, "updated", updated)
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "type": "application/atom+xml",
                                            "href": link_to(config, path, path)})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html",
                                            "href": link_to(config, path, html_page)})
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", site.title)
    _text(feed, "generator", GENERATOR)
    for article in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", stable_id("article", article.source_file))
        _text(entry, "title", article.title)
        published = feed_time(article.published.value, config)
        _text(entry, "published", published)
        _text(entry, "updated", published)
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html",
                                                 "href": link_to(config, path, f"articles/{article.slug}.html")})
        if article.original_url:
            ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "via", "href": article.original_url})
        entry_author = ET.SubElement(entry, f"{{{ATOM}}}author")
        _text(entry_author, "name", article.credits.byline or article.author or article.source)
        ET.SubElement(entry, f"{{{ATOM}}}category", {"term": article.source})
        _text(entry, "summary", shorten(article_summary(article), SUMMARY_CHARS))
    ET.indent(feed, space="  ")
    body = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    return OutputPage(path, ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8"))


def site_pages(site: Site) -> list[str]:
    """The HTML pages of the page contract, in a fixed order (the sitemap's content)."""
    pages = ["index.html", "articles/index.html"]
    pages += [f"articles/{article.slug}.html" for article in site.articles]
    pages.append("sources/index.html")
    pages += [f"sources/{source.slug}.html" for source in site.sources]
    if site.actors:
        pages.append("actors/index.html")
        pages += [f"actors/{actor.slug}.html" for actor in site.actors]
    if site.events:
        pages.append("events/index.html")
        pages += [f"events/{event.slug}.html" for event in site.events]
    return pages


def sitemap(site: Site, config: Config) -> OutputPage:
    ET.register_namespace("", SITEMAP)
    lastmod = {
        f"articles/{a.slug}.html": a.published.value.date().isoformat()
        for a in site.articles
        if a.published.value is not None
    }
    root = ET.Element(f"{{{SITEMAP}}}urlset")
    for page in site_pages(site):
        url = ET.SubElement(root, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = link_to(config, "sitemap.xml", page)
        if page in lastmod:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = lastmod[page]
    ET.indent(root, space="  ")
    note = "" if config.base_url else "<!-- Relative addresses: set base_url for a sitemap search engines accept. -->\n"
    body = ET.tostring(root, encoding="unicode")
    return OutputPage("sitemap.xml", ('<?xml version="1.0" encoding="utf-8"?>\n' + note + body + "\n").encode())


def robots_txt(config: Config) -> OutputPage:
    """Allow or (config.noindex) disallow everything; name the sitemap when its address is known.

    Crawlers read robots.txt only at a domain's root: a project site under /<repo>/ relies on the
    pages' own robots meta instead (written by templates/_meta.html).
    """
    lines = ["User-agent: *", "Disallow: /" if config.noindex else "Allow: /"]
    if config.base_url and not config.noindex:
        lines += ["", f"Sitemap: {config.base_url}sitemap.xml"]
    return OutputPage("robots.txt", ("\n".join(lines) + "\n").encode())


def planned_paths(renderer: PageRenderer, site: Site) -> set[str]:
    """The site's feed, sitemap and robots.txt (no page links to the actor and event feeds but their own)."""
    return {"feed.xml", "sitemap.xml", "robots.txt"}


def plan(renderer: PageRenderer, site: Site) -> Iterator[OutputPage]:
    config = renderer.settings.config
    by_file = {article.source_file: article for article in site.articles}
    yield atom_feed("feed.xml", site.title, config.description, f"site:{config.base_url or site.title}",
                    site.articles, site, config, "index.html")
    for actor in site.actors:
        files = dict.fromkeys(source_file for source_file, _ in actor.mentions)
        articles = [by_file[f] for f in files if f in by_file]
        yield atom_feed(f"actors/{actor.slug}.xml", f"{actor.name} · {site.title}",
                        f"Articles that mention {actor.name}.", f"actor:{actor.key}",
                        articles, site, config, f"actors/{actor.slug}.html")
    for event in site.events:
        files = dict.fromkeys([*event.sources, *(source_file for source_file, _ in event.evidence)])
        articles = [by_file[f] for f in files if f in by_file]
        yield atom_feed(f"events/{event.slug}.xml", f"{event.label} · {site.title}",
                        f"Articles that report: {event.label}.", f"event:{event.key}",
                        articles, site, config, f"events/{event.slug}.html")
    yield sitemap(site, config)
    yield robots_txt(config)
