"""Assemble the Site: one article per duplicate group, slugs, actors, events, sources."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import blake2b as _blake2b
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
from builder.model import Article, DateBasis, Mentions, Problem, Site, Source

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


@dataclass(frozen=True)
class LinkChanges:
    """The objects of a linked site that may differ from those of an earlier link run, `since` (that run's name:
    the build fingerprint it was given, builder.build; None: unnamed, so never matched), as exactly as linking
    can tell cheaply: every object outside these sets is, field for field, what that run made of it.  A set that
    is None: not known (every object of that kind may differ).  (Not a field of the Site: builder/model.py is
    part of the analysis cache's key, and what only rendering reads need not re-analyse every article.)"""

    since: str | None
    articles: frozenset[str] | None  # source files: the article's content, or what linking set on it, changed


CHANGES_FORMAT = 2  # 2: the actor keys as a digest, the date only where an event dated the article
_CHANGES_PARTS = ("link changes", CHANGES_FORMAT)


def link_changes(site: Site, memo: LinkMemo | None, run: str | None) -> LinkChanges | None:
    """What changed in the linked site since the link run that left the memo (`LinkChanges`), told from what that
    run kept of each article: what the article's fingerprint (builder.page_keys) reads beyond its content (its
    analysis: what the content hash stands for, the memo file being keyed by the analysis context) — its address,
    the copies folded into it, its events, its mentions' actors and its date.  (Its dates are its analysis's unless
    an event dates it: then its date, which is compared, says which day they were resolved against.)  Kept in the
    memo for the next run under this run's name (`run`: the build's fingerprint); None without a memo, or without
    a previous run's record."""
    if memo is None:
        return None
    columns = {article.source_file: _linked_column(article) for article in site.articles}
    previous = memo.previous_value(_CHANGES_PARTS)
    memo.keep(_CHANGES_PARTS, (run, columns))
    if not (isinstance(previous, tuple) and len(previous) == 2 and isinstance(previous[1], dict)):
        return None
    since, before = previous
    return LinkChanges(since, frozenset([source_file for source_file, column in columns.items()
                                         if before.get(source_file) != column]))


def _linked_column(article: Article) -> tuple:
    """An article's content hash with what linking set on it, as compared from run to run (kept in the memo for
    10,000 articles an edit: small, and cheap to make, pickle and compare).  Its mentions' actor keys as one digest
    (each key is "type/slug": never "None" nor holding a NUL, so the joined text stands for the list); its date
    only where an event dated it (any other is its analysis's, a function of its content); the rest as it is."""
    mentions = article.mentions
    keys = mentions.actor_keys if isinstance(mentions, Mentions) else [m.actor_key for m in mentions]
    published = article.published
    return (article.content_hash, article.slug, article.also_published_as, article.main_event, article.events,
            _blake2b("\0".join(map(str, keys)).encode("utf-8", "surrogatepass"), digest_size=16).digest(),
            (published.value.isoformat(), published.how) if published.basis is DateBasis.EVENT else None)
