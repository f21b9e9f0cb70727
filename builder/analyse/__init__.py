"""Analyse: per-article components (sentences, language, summary, entities, quotes, dates).

`analyse_article(article, config) -> Article` runs the components listed in
`builder.analyse.pipeline.COMPONENTS`, in order.
"""

from __future__ import annotations

from builder.analyse.language import detect_language, guess_language, language_notice
from builder.analyse.pipeline import COMPONENTS, Component, analyse_article, join_blocks, run_component
from builder.analyse.quotes import find_quotes
from builder.analyse.sentences import split_sentences, split_text
from builder.analyse.summary import summarise

__all__ = [
    "COMPONENTS",
    "Component",
    "analyse_article",
    "detect_language",
    "find_quotes",
    "guess_language",
    "join_blocks",
    "language_notice",
    "run_component",
    "split_sentences",
    "split_text",
    "summarise",
]
