"""Apply the boilerplate rules to an article draft."""

from __future__ import annotations

from builder.model import Article, Problem


def clean_article(article: Article, rules: object) -> Article | Problem:
    if not any(block.text.strip() for block in article.blocks):
        return Problem(article.source_file, "nothing left after cleaning")
    return article
