"""Assemble the Site: one article per duplicate group, slugs, actors, events, sources."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from builder.gc_policy import fewer_collections
from builder.link.actors import resolve_actors
from builder.link.curation import Curation
from builder.link.duplicates import find_duplicates
from builder.link.event_curation import curate_events
from builder.link.event_words import load_event_types
from builder.link.events import group_events
from builder.link.memo import LinkMemo
from builder.link.prepare import release_link_features
from builder.link.slugs import unique_slugs
from builder.model import Article, Problem, Site, Source

_OLDEST = datetime.min.replace(tzinfo=UTC)


def newest_first(article: Article) -> tuple:
    value = article.published.value
    # Undated articles sort last; ties break on the file path so order is stable.
    return (value is None, -(value or _OLDEST).timestamp() if value else 0, article.source_file)


def link_site(articles: list[Article], problems: list[Problem], config, curation: Curation | None = None,
              event_types: Path | None = None, memo: LinkMemo | None = None) -> Site:
    """`event_types`: a site's own event types file (site/event_types.toml), added to the built-in table.
    `memo`: what the previous build's linking worked out (builder.link.memo): recalled where its inputs did
    not change, and filled with this build's (the Site is the same with or without it).

    The articles' LinkFeatures (builder.link.prepare) are dropped once linked, from the given articles
    and from the site's copies of them: rendering has no use for them."""
    with fewer_collections():
        site = _link(articles, problems, config, curation, event_types, memo)
    release_link_features(articles)
    release_link_features(site.articles)
    return site


def _link(articles: list[Article], problems: list[Problem], config, curation: Curation | None,
          event_types: Path | None, memo: LinkMemo | None) -> Site:
    articles = find_duplicates(sorted(articles, key=lambda a: a.source_file), memo)
    slugs = unique_slugs([(a.source_file, a.title) for a in articles])
    for article in articles:
        article.slug = slugs[article.source_file]
    actors, articles, actor_report = resolve_actors(articles, config, curation, memo)
    # Events can date an undated article (through the event its report tells of), so sort after them.
    types = load_event_types(event_types) if event_types is not None and event_types.is_file() else None
    events, articles = group_events(articles, actors, config, types=types, memo=memo)
    events, articles, unmatched = curate_events(events, articles, curation)  # site/curation.toml [event_*]
    actor_report.unmatched_curation += unmatched
    articles = sorted(articles, key=newest_first)

    by_source: dict[str, list[Article]] = {}
    for article in articles:
        by_source.setdefault(article.source, []).append(article)
    source_slugs = unique_slugs([(name, name) for name in by_source])
    sources = [
        Source(name=name, slug=source_slugs[name], articles=items)
        for name, items in sorted(by_source.items(), key=lambda kv: kv[0].lower())
    ]
    return Site(title=config.title, articles=articles, sources=sources, actors=actors, events=events,
                problems=problems, actor_report=actor_report)
