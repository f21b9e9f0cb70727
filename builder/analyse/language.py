"""Language detection with py3langid (offline, fast).

Only texts with enough words are judged; shorter ones keep the site's
configured language.  The decision is made on the article's text (its first
few thousand characters are plenty) and stored in article.language as an
ISO 639-1 code ("en", "fr", …).
"""

from __future__ import annotations

from collections import Counter
from functools import cache

from builder.config import Config
from builder.model import Article, Problem

MIN_WORDS = 20  # fewer words than this: too little evidence, keep the configured language
MIN_CONFIDENCE = 0.9  # below this normalised probability the configured language is kept
SAMPLE_CHARS = 1000  # the classifier is linear in the text: ~170 words are plenty
MAX_REMEMBERED_WALKS = 100_000  # (state, word) walks kept per process: ~20 MB at most


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE

    return _identifier_class().from_model_file(MODEL_FILE, norm_probs=True)


@cache
def _identifier_class():
    """py3langid's LanguageIdentifier, with its byte-by-byte walk remembered per word.

    The classifier walks an automaton over the text's bytes in Python (about half its time); the walk
    over a word from a given state always ends in the same state with the same features, and most words
    of a text are common ones, so each (state, word) walk is made once and then looked up.  The features
    come out in the same order, so the scores are computed exactly as before.
    """
    import numpy as np
    from py3langid.langid import RAW_FLOOR, LanguageIdentifier

    class WordWalkIdentifier(LanguageIdentifier):
        __slots__ = ("_walks",)

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._walks: dict[tuple[int, bytes], tuple[int, tuple[int, ...]]] = {}

        def _features(self, data: bytes) -> list[int]:
            """The feature of every step of the walk over `data` that has one, in order (as visit_counts)."""
            walks = self._walks
            if len(walks) > MAX_REMEMBERED_WALKS:
                walks.clear()
            nextmove, rowbase, output = self.tk_nextmove, self._rowbase, self.tk_output
            state = 0
            features: list[int] = []
            for number, word in enumerate(data.split(b" ")):
                piece = b" " + word if number else word
                walk = walks.get((state, piece))
                if walk is None:
                    end, found = state, []
                    for byte in piece:
                        end = nextmove[rowbase[end] + byte]
                        if output[end] >= 0:
                            found.append(output[end])
                    walk = walks[(state, piece)] = (end, tuple(found))
                state = walk[0]
                features.extend(walk[1])
            return features

        def _raw_score(self, text):  # py3langid 0.4's _raw_score, with the walk above
            features = self._features(text)
            if features:
                return self._sparse_score(Counter(features), self.nb_ptc)
            fill = 0.0 if self._norm_probs else RAW_FLOOR
            return np.full(len(self.nb_classes), fill, dtype=np.float32)

    return WordWalkIdentifier


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
