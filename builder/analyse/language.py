"""Language detection with py3langid (offline, fast).

Only texts with enough words are judged; shorter ones keep the site's
configured language.  The decision is made on the article's text (its first
few thousand characters are plenty) and stored in article.language as an
ISO 639-1 code ("en", "fr", …).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from builder.config import Config
from builder.model import Article, Problem

MIN_WORDS = 20  # fewer words than this: too little evidence, keep the configured language
MIN_CONFIDENCE = 0.9  # below this normalised probability the configured language is kept
SAMPLE_CHARS = 1000  # the classifier is linear in the text: ~170 words are plenty


# Where the language model's uncompressed copy is kept (builder.analyse.language_model.load_identifier): the
# build's cache folder, set before the articles are analysed; None: no copy, the shipped model every time.
_model_copy_folder: list[Path | None] = [None]


def keep_model_copy_in(folder: Path | None) -> None:
    """Read the language model from an uncompressed copy in `folder` (made there on first use)."""
    _model_copy_folder[0] = folder


def release_model() -> None:
    """Let this process's language model (~70 MB) go; it is loaded again (from the copy) if asked for."""
    _identifier.cache_clear()


@cache
def _identifier():
    from builder.analyse.language_model import load_identifier  # numpy and the model: on first use

    return load_identifier(_model_copy_folder[0])


def guess_language(text: str, default: str = "en") -> str:
    """The language code of `text`, or `default` when there are too few words or the guess is unsure."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.split()) < MIN_WORDS:
        return default
    language, probability = _identifier().classify(sample)
    return language if probability >= MIN_CONFIDENCE else default


def detect_language(article: Article, config: Config | None = None) -> Article:
    """Component: article.language from the title and body text."""
    default = getattr(config, "language", "en") or "en"
    article.language = guess_language(f"{article.title}\n\n{article.text}", default)
    return article


def language_notice(article: Article, config: Config) -> Problem | None:
    """A notice (not a skip) for an article not in the site's language, for the build report."""
    if article.language == config.language:
        return None
    return Problem(
        article.source_file,
        f"not {config.language} ({article.language}): entities, quotes and dates not analysed",
        skipped=False,
    )
