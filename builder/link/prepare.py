"""The per-article part of linking: what linking compares of one article, worked out from it alone.

Linking needs every article at once, but much of its work reads one article only: the MinHash
signature of the word shingles that duplicates are found by, the content words that events are
grouped by, the trigger words that happenings are found by.  `prepare_for_linking` does that work
in the per-article stage (builder.article_stages.process_source), so it runs on every core and is cached with
the analysis: a rebuild after one article is edited does it for that article only.  Linking reads
it back through the same functions it would otherwise call itself (shingles.article_signature,
event_words.words_of, event_words.SentenceTriggers), and empties it once done.  What linking still does per
article is what reads other articles too: names (their keys come from actor resolution), the
happenings' participants and roles (they read the names, and every article's publisher), actor
resolution within an article (it reads site/curation.toml and the actors' types).

What the result depends on (and so what the analysis cache key must cover): the article, this code
(shingles.py, event_words.py, event_types.toml, in builder.cache.ANALYSIS_CODE: duplicates.py and events.py,
which compare articles, are not) and the event types table, a site's own site/event_types.toml included
(ArticleContext.event_types); no configuration.
"""

from __future__ import annotations

from collections.abc import Iterable

from builder.link.event_words import TYPES, EventType, packed_triggers, packed_words, types_key
from builder.link.shingles import signature_bytes
from builder.model import Article, LinkFeatures


def link_features(article: Article, types: list[EventType]) -> LinkFeatures:
    """`types`: the event types table linking will use (empty: the built-in one)."""
    types = types or TYPES
    words, counts = packed_words(article)
    return LinkFeatures(signature=signature_bytes(article), words=words, word_counts=counts,
                        triggers=packed_triggers(article, types), types_key=types_key(types))


def prepare_for_linking(article: Article, types: list[EventType]) -> Article:
    """The article with its LinkFeatures (`types`: the site's event types table, as linking loads it)."""
    article.link_features = link_features(article, types)
    return article


def release_link_features(articles: Iterable[Article]) -> None:
    """Drop what only linking needed (a few kilobytes an article): rendering has no use for it."""
    for article in articles:
        article.link_features = None
