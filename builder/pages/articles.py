"""Article pages, the home page (the digest) and the dated archive.

- index.html: the newest `articles_per_page` articles, led by the most covered events;
- articles/<slug>.html: one page per article;
- articles/index.html: the archive, month by month;
- archive/YYYY-MM.html (then archive/YYYY-MM--2.html, …) and archive/undated.html: every article,
  so no page grows with the size of the site.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from builder.model import Article, Event, KeptPage, OutputPage, Site
from builder.page_keys import Fingerprints
from builder.pages import Pagination, paginate
from builder.render import PageRenderer, language_name, mention_actor_keys, month_name, safe_external_url
from builder.seo import by_key, published_blocks

HOME_EVENTS = 8  # events shown on the home page


@dataclass(frozen=True)
class Month:
    key: str  # "2016-01" or "undated"
    label: str  # "January 2016" or "Undated"
    path: str  # first page of the month's archive
    articles: list[Article]


def months(site: Site) -> list[Month]:
    """Articles grouped by the month they were published, newest month first, undated last."""
    groups: dict[str, list[Article]] = {}
    labels: dict[str, str] = {}
    for article in site.articles:
        value = article.published.value
        key = f"{value.year:04d}-{value.month:02d}" if value else "undated"
        group = groups.get(key)
        if group is None:  # (a month's label made once, not once per article: a strftime each)
            group = groups[key] = []
            labels[key] = f"{month_name(value.month)} {value.year}" if value else "Undated"
        group.append(article)
    ordered = sorted((k for k in groups if k != "undated"), reverse=True)
    if "undated" in groups:
        ordered.append("undated")
    return [Month(key, labels[key], f"archive/{key}.html", groups[key]) for key in ordered]


def home_events(renderer: PageRenderer, site: Site) -> list[Event]:
    """The events with most coverage (only if event pages are built), current before background."""
    if not renderer.event_pages:
        return []
    ranked = sorted(site.events, key=lambda e: (e.background, -len(e.sources), e.label.lower(), e.key))
    return ranked[:HOME_EVENTS]


def plan(renderer: PageRenderer, site: Site) -> Iterator[OutputPage | KeptPage]:
    """The home page, the archive and every article page, one at a time (the writer takes them as they come);
    an archive page or article page whose inputs did not change is kept (builder.page_keys)."""
    per_page = renderer.config.articles_per_page
    all_months = months(site)
    yield renderer.page(
        "index.html",
        "index.html",
        articles=site.articles[:per_page],
        more=len(site.articles) > per_page,
        events=home_events(renderer, site),
        months=all_months,
    )
    yield renderer.page("articles/index.html", "articles.html", months=all_months)
    for month in all_months:
        for pagination in paginate(month.path, month.articles, per_page):
            yield from renderer.keyed(
                f"page:{pagination.path}", "archive.html",
                partial(list_inputs, pagination, (month.key, month.label, len(month.articles))),
                partial(_archive_page, renderer, month, pagination),
                reads=partial(list_reads, pagination, (month.key, month.label, len(month.articles))))
    for article in site.articles:
        yield from renderer.keyed(f"article:{article.source_file}", "article.html",
                                  partial(article_inputs, renderer, article),
                                  partial(_one, article_page, renderer, site, article),
                                  reads=partial(article_reads, renderer, article))


def _archive_page(renderer: PageRenderer, month: Month, pagination: Pagination[Article]) -> list[OutputPage]:
    return [renderer.page(pagination.path, "archive.html", month=month, pagination=pagination,
                          articles=pagination.items)]


def _one(make, *args) -> list[OutputPage]:
    return [make(*args)]


def list_inputs(pagination: Pagination[Article], shown: tuple, fingerprints: Fingerprints) -> tuple:
    """What one page of a list of articles (templates/_article_list.html) shows: `shown` (its heading and
    count), its place among the list's pages, and each article it lists, with its source's page."""
    return (shown, pagination.number, pagination.paths,
            [(fingerprints.article(a.source_file), fingerprints.source_page(a.source)) for a in pagination.items])


def list_reads(pagination: Pagination[Article], shown: tuple, fingerprints: Fingerprints) -> tuple:
    """What `list_inputs` is worked out from beside the articles' fingerprints: which articles it lists."""
    return shown, pagination.number, pagination.paths, [a.source_file for a in pagination.items]


def article_inputs(renderer: PageRenderer, article: Article, fingerprints: Fingerprints) -> tuple:
    """What an article's page shows: the article, its source's page, the actors it mentions (their names,
    addresses and schema.org entries), its events, and the pages of the copies folded into it."""
    actor_keys = sorted({key for key in mention_actor_keys(article) if key})
    return (
        fingerprints.article(article.source_file),
        fingerprints.source_page(article.source),
        [(name, renderer.article_pages.get(name)) for name in article.also_published_as],
        [(key, renderer.actor_pages.get(key), fingerprints.actor_shown(key)) for key in actor_keys],
        [(key, renderer.event_pages.get(key), fingerprints.event_shown(key)) for key in article.events],
    )


def article_reads(renderer: PageRenderer, article: Article, fingerprints: Fingerprints) -> tuple:
    """What `article_inputs` is worked out from beside the fingerprints it reads (the article's own names its
    actors and events, whose fingerprints name their pages): the pages of the copies folded into it."""
    return tuple((name, renderer.article_pages.get(name)) for name in article.also_published_as)


def _anchored_sentences(article: Article, config) -> frozenset[int] | None:
    """Sentences with an anchor in the page's body (None: all); with excerpts_only, the first paragraph's."""
    if not config.excerpts_only:
        return None
    blocks = set(published_blocks(article, config))
    return frozenset(s.index for s in article.sentences if s.block in blocks)


def article_page(renderer: PageRenderer, site: Site, article: Article) -> OutputPage:
    path = renderer.article_pages[article.source_file]
    markup = renderer.article_markup(article, path)
    also = [(name, renderer.article_pages.get(name)) for name in sorted(article.also_published_as)]
    actor_keys = sorted({key for key in mention_actor_keys(article) if key in renderer.actor_pages})
    actors_by_key = by_key(site.actors) if actor_keys else {}
    actors = sorted((actors_by_key[k] for k in actor_keys if k in actors_by_key), key=lambda a: (a.name.lower(), a.key))
    events_by_key = by_key(site.events) if article.events and renderer.event_pages else {}
    events = [events_by_key[k] for k in article.events if k in events_by_key and k in renderer.event_pages]
    return renderer.page(
        path,
        "article.html",
        article=article,
        body=markup.body(excerpt=renderer.config.excerpts_only),
        summary=markup.summary(),
        anchored=_anchored_sentences(article, renderer.config),
        source_path=renderer.source_pages.get(article.source),
        original_url=safe_external_url(article.original_url),
        language=None if article.language.startswith("en") else language_name(article.language),
        also_published=also,
        actors=actors,
        events=events,
        credits=article.credits,
    )
