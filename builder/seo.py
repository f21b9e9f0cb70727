"""Page metadata for search engines and link previews (a pure function of the site).

`page_meta()` gives templates/_meta.html everything it writes into a page's
<head>: canonical link, OpenGraph and Twitter card, schema.org JSON-LD
(NewsArticle, Person, Organization, Place, Event) and the robots meta.

Absolute addresses need `config.base_url`. Without it, the canonical link and
og:url are left out (a relative canonical would be wrong once the site moves);
everything else is still written. Pages themselves keep relative links.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from builder.config import Config
from builder.model import Actor, Article, BlockKind, EntityType, Event, Mentions, Site
from builder.pages import has_feed_and_graph

SCHEMA_TYPES = {
    EntityType.PERSON: "Person",
    EntityType.ORGANISATION: "Organization",
    EntityType.PLACE: "Place",
}
OG_LOCALES = {"en": "en_US", "fr": "fr_FR", "de": "de_DE", "es": "es_ES", "it": "it_IT", "pt": "pt_PT"}
DESCRIPTION_CHARS = 200
HEADLINE_CHARS = 110  # Google's limit for NewsArticle.headline
MENTIONS_LD = 20  # actors named in an article's NewsArticle.mentions, at most


@dataclass(frozen=True)
class Feed:
    title: str
    path: str  # output-root-relative


@dataclass
class PageMeta:
    """What templates/_meta.html writes; strings are plain text (the template escapes them)."""

    title: str
    description: str
    og_type: str = "website"
    canonical: str | None = None  # absolute, only with base_url
    image: str | None = None  # absolute address of an image of the page's subject, if any
    published: str | None = None  # ISO 8601, articles only
    robots: str | None = None  # "noindex, nofollow" with config.noindex
    locale: str = "en_US"
    json_ld: str = ""  # ready to sit inside <script type="application/ld+json">
    feeds: list[Feed] = field(default_factory=list)


def absolute_url(config: Config, page_path: str) -> str | None:
    """The public address of an output file, or None without base_url."""
    if not config.base_url:
        return None
    return config.base_url + page_path


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters (with an ellipsis)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


def article_summary(article: Article) -> str:
    if article.summary and article.sentences:
        return " ".join(article.sentence_text(i) for i in article.summary if i < len(article.sentences))
    for block in article.blocks:
        if block.kind == BlockKind.PARAGRAPH and block.text.strip():
            return block.text
    return article.title


def published_blocks(article: Article, config: Config) -> list[int]:
    """Indices of the article blocks a page may publish.

    All of them, or with `config.excerpts_only` only the first paragraph (the page then shows the
    summary, that paragraph and a link to the original: see templates' `config.excerpts_only` branch).
    """
    if not config.excerpts_only:
        return list(range(len(article.blocks)))
    for index, block in enumerate(article.blocks):
        if block.kind == BlockKind.PARAGRAPH and block.text.strip():
            return [index]
    return []


def published_sentences(article: Article, config: Config) -> frozenset[int] | None:
    """The sentences of an article that pages may quote: None (all of them) or, with
    `config.excerpts_only`, only those its own page shows: the summary's and the first paragraph's.

    Actor and event pages quote only these; for any other sentence they give a link to the article.
    """
    if not config.excerpts_only:
        return None
    shown = {i for i in article.summary if 0 <= i < len(article.sentences)}
    blocks = published_blocks(article, config)
    if blocks and len(article.block_starts) == len(article.blocks):
        text = article.blocks[blocks[0]].text
        begin = article.block_starts[blocks[0]]
        if begin >= 0 and article.text[begin : begin + len(text)] == text:  # as the page's body marks it up
            shown.update(s.index for s in article.sentences if begin <= s.start and s.end <= begin + len(text))
    return frozenset(shown)


class QuotableSentences:
    """`quotable(article, index)`: may a page quote that sentence (published_sentences, once per article)?"""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.shown: dict[str, frozenset[int] | None] = {}

    def __call__(self, article: Article, index: int) -> bool:
        if article.source_file not in self.shown:
            self.shown[article.source_file] = published_sentences(article, self.config)
        shown = self.shown[article.source_file]
        return shown is None or index in shown


def iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat()


def _script_safe(data: object) -> str:
    """JSON that cannot close its <script> element early."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, indent=None, separators=(", ", ": "))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _drop_empty(data: dict) -> dict:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


# What the pages of one site look up again and again, made once per site while it is rendered, and let go of
# when rendering ends (`forget_site`): a `serve` process would otherwise hold the last sites' actors and events
# (at 10k articles ~60 MB a site) through the next rebuild, and up to four of them.
_BY_KEY: dict[int, tuple[list, dict]] = {}  # id(list) → (the list, its items by key)
_MENTIONED_LD: list = [None, None, {}]  # [the site's actors list, the config, actor key → actor_ld without @context]


def forget_site() -> None:
    """Let go of what the lookups below hold of the site rendered last (called by builder.render once its pages
    are made, or when rendering fails).  `build-site build` would otherwise free them only at the interpreter's exit,
    which then took ~0.7 s of CPU at 10,000 articles against ~0.15 s (bench/RESULTS-scale.md, session 17)."""
    _BY_KEY.clear()
    _MENTIONED_LD[:] = [None, None, {}]


def by_key(items: list) -> dict:
    """{item.key: item} for a site's actors or events, made once per list (every page asks for it)."""
    cached = _BY_KEY.get(id(items))
    if cached is None or cached[0] is not items or len(cached[1]) != len(items):
        if len(_BY_KEY) > 8:
            _BY_KEY.clear()
        cached = _BY_KEY[id(items)] = (items, {item.key: item for item in items})
    return cached[1]


def _mentioned_ld(actors: list[Actor], config: Config, key: str) -> dict | None:
    """actor_ld(actor, config, with_context=False) of the actor `key` among `actors` (None: no such actor), made
    once per actor: the same entries go into the JSON-LD of every article and event naming the actor."""
    if _MENTIONED_LD[0] is not actors or _MENTIONED_LD[1] is not config:
        _MENTIONED_LD[:] = [actors, config, {}]
    made = _MENTIONED_LD[2]
    found = made.get(key)
    if found is None:
        actor = by_key(actors).get(key)
        if actor is None:
            return None
        found = made[key] = actor_ld(actor, config, with_context=False)
    return found


def _first_image(article: Article) -> str | None:
    for block in article.blocks:
        if block.kind == BlockKind.IMAGE and block.href and block.href.startswith(("http://", "https://")):
            return block.href
    return None


def actor_ld(actor: Actor, config: Config, with_context: bool = True) -> dict:
    """schema.org Person / Organization / Place: name, url, alternateName, description."""
    data = {
        "@context": "https://schema.org" if with_context else None,
        "@type": SCHEMA_TYPES.get(actor.type, "Thing"),
        "name": actor.name,
        "url": absolute_url(config, f"actors/{actor.slug}.html"),
        "alternateName": sorted({alias for alias in actor.aliases if alias != actor.name}),
        "description": actor.description,
    }
    return _drop_empty(data)


def article_ld(article: Article, site: Site, config: Config) -> dict:
    """schema.org NewsArticle with Google's recommended properties (all that the article knows)."""
    url = absolute_url(config, f"articles/{article.slug}.html")
    published = iso(article.published.value)
    author_name = article.credits.byline or article.author
    author = (
        {"@type": "Person", "name": author_name}
        if author_name and author_name != article.source
        else {"@type": "Organization", "name": article.source}
    )
    mentioned = []
    mentions = article.mentions
    keys = mentions.actor_keys if isinstance(mentions, Mentions) else [m.actor_key for m in mentions]
    for key in dict.fromkeys(key for key in keys if key):
        entry = _mentioned_ld(site.actors, config, key)
        if entry is not None:
            mentioned.append(entry)
            if len(mentioned) == MENTIONS_LD:
                break
    image = _first_image(article)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": shorten(article.title, HEADLINE_CHARS),
        "description": shorten(article_summary(article), DESCRIPTION_CHARS),
        "datePublished": published,
        "dateModified": published,
        "author": [author],
        "publisher": {"@type": "Organization", "name": article.source},
        "image": [image] if image else None,
        "url": url,
        "mainEntityOfPage": url,
        "isBasedOn": article.original_url,
        "inLanguage": article.language,
        "wordCount": article.word_count,
        "articleSection": article.categories[0] if article.categories else None,
        "mentions": mentioned,
    }
    return _drop_empty(data)


def event_ld(event: Event, site: Site, config: Config) -> dict:
    """schema.org Event: name, startDate, location (required), and what else the event knows."""
    actors = by_key(site.actors)
    place = actors.get(event.place) if event.place else None
    location = (
        {"@type": "Place", "name": place.name, "address": place.name,
         "url": absolute_url(config, f"actors/{place.slug}.html")}
        if place
        else None
    )
    people = [actors[key] for key in event.participants if key in actors and actors[key].type != EntityType.PLACE]
    start = iso(event.date.value) if event.date else None
    end = iso(event.date.end_value) if event.date and event.date.end_value else None
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.label,
        "startDate": start,
        "endDate": end,
        "eventStatus": "https://schema.org/EventScheduled" if start else None,
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode" if location else None,
        "location": _drop_empty(location) if location else None,
        "description": event.label,
        "url": absolute_url(config, f"events/{event.slug}.html"),
        "performer": [_mentioned_ld(site.actors, config, actor.key) or actor_ld(actor, config, with_context=False)
                      for actor in people[:10]],
    }
    return _drop_empty(data)


def site_ld(site: Site, config: Config) -> dict:
    return _drop_empty({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": site.title,
        "description": config.description,
        "url": config.base_url or None,
        "inLanguage": config.language,
    })


def page_meta(
    site: Site,
    config: Config,
    page_path: str,
    article: Article | None = None,
    actor: Actor | None = None,
    event: Event | None = None,
    title: str | None = None,
) -> PageMeta:
    """Everything the page's <head> says about it; the subject is the article, actor or event shown."""
    feeds = [Feed(f"{site.title}: latest articles", "feed.xml")]
    if article is not None:
        meta = PageMeta(
            title=article.title,
            description=shorten(article_summary(article), DESCRIPTION_CHARS),
            og_type="article",
            image=_first_image(article),
            published=iso(article.published.value),
            json_ld=_script_safe(article_ld(article, site, config)),
        )
    elif actor is not None:
        kind = {EntityType.PERSON: "person", EntityType.ORGANISATION: "organisation"}.get(actor.type, "place")
        meta = PageMeta(
            title=actor.name,
            description=shorten(actor.description or f"News about {actor.name} ({kind}) in {site.title}.",
                                DESCRIPTION_CHARS),
            og_type="profile" if actor.type == EntityType.PERSON else "website",
            json_ld=_script_safe(actor_ld(actor, config)),
        )
        if has_feed_and_graph(actor):  # an actor seen in one article has no feed (builder.pages.feeds)
            feeds.append(Feed(f"{actor.name}: articles", f"actors/{actor.slug}.xml"))
    elif event is not None:
        meta = PageMeta(
            title=event.label,
            description=shorten(f"{event.label}: how the news reported it, from every source in {site.title}.",
                                DESCRIPTION_CHARS),
            json_ld=_script_safe(event_ld(event, site, config)),
        )
        feeds.append(Feed(f"{event.label}: articles", f"events/{event.slug}.xml"))
    else:
        meta = PageMeta(
            title=title or site.title,
            description=shorten(config.description, DESCRIPTION_CHARS),
            json_ld=_script_safe(site_ld(site, config)) if page_path == "index.html" else "",
        )
    meta.canonical = absolute_url(config, page_path)
    meta.robots = "noindex, nofollow" if config.noindex else None
    meta.locale = OG_LOCALES.get(config.language, config.language)
    meta.feeds = feeds
    return meta


def template_globals() -> dict[str, object]:
    """Functions templates call: register with `env.globals.update(template_globals())`."""
    return {"seo_meta": page_meta, "published_blocks": published_blocks}
