"""Analyse: per-article components (sentences, summary, entities, quotes, dates)."""

from __future__ import annotations

import re

from builder.model import Article, Sentence

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")


def join_blocks(article: Article) -> Article:
    starts, parts, offset = [], [], 0
    for block in article.blocks:
        starts.append(offset)
        parts.append(block.text)
        offset += len(block.text) + 2
    article.text = "\n\n".join(parts)
    article.block_starts = starts
    return article


def split_sentences(article: Article) -> Article:
    sentences = []
    for number, (block, start) in enumerate(zip(article.blocks, article.block_starts, strict=True)):
        position = 0
        for match in [*_SENTENCE_END.finditer(block.text), None]:
            end = match.start() if match else len(block.text)
            if block.text[position:end].strip():
                sentences.append(Sentence(len(sentences), start + position, start + end, number))
            if match:
                position = match.end()
    article.sentences = sentences
    return article


def lead_summary(article: Article, count: int = 3) -> Article:
    article.summary = [s.index for s in article.sentences[:count]]
    return article


def analyse_article(article: Article, config: object) -> Article:
    article = join_blocks(article)
    article = split_sentences(article)
    return lead_summary(article, getattr(config, "summary_sentences", 3))
