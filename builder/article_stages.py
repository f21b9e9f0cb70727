"""The per-article stages: one file's bytes parsed, cleaned, analysed and prepared for linking.

A pure function of the file and its ArticleContext, run on every core and cached by content hash
(builder.parallel, builder.cache).  It lives apart from builder/build.py, which only strings the stages
together: the analysis cache is keyed by this module's code (cache.ANALYSIS_CODE), not by the pipeline's,
so changing how build() orders, times or frees things does not throw away every article's analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from builder.model import Article, Problem, SourceFile


def process_source(source: SourceFile, context: ArticleContext) -> Article | Problem:
    """Parse, clean and analyse one file: a pure function of its bytes and the context."""
    from builder.analyse import analyse_article
    from builder.clean import clean_article
    from builder.link.prepare import prepare_for_linking
    from builder.read import parse_source

    parsed = parse_source(source, context.config)
    if isinstance(parsed, Problem):
        return parsed
    cleaned = clean_article(parsed, context.rules)
    if isinstance(cleaned, Problem):
        return cleaned
    return prepare_for_linking(analyse_article(cleaned, context.config), context.event_types).hold_compactly()


@dataclass(frozen=True)
class ArticleContext:
    """What the per-article stages depend on (and so what the cache key covers: its repr)."""

    config: object
    rules: object
    # the event types table (built-in, and the site's own event_types.toml) the per-article part of linking
    # finds trigger words with; empty: the built-in table
    event_types: list = field(default_factory=list)


def article_context(site: Path, config: object) -> ArticleContext:
    """The context of a project's per-article stages: its config, cleaning rules and event types (site/)."""
    from builder.clean import load_rules
    from builder.link.event_words import EVENT_TYPES_NAME, load_event_types

    return ArticleContext(config=config, rules=load_rules(site), event_types=load_event_types(site / EVENT_TYPES_NAME))
