"""Reference weights for event grouping: how telling a word is, from general English, not from the site.

Event grouping weighs the words and name tokens two articles share by how rare they are (tf-idf).  The
document frequencies come from a fixed reference table, the English word frequencies of the `wordfreq`
package (its "large" list: 321,180 words from Wikipedia, subtitles, news, books, web text, Twitter and
Reddit), not from the site's own articles.  So an article's vector depends on the article alone, and the
score of a pair of articles on the two articles alone: adding, editing or deleting another article changes
no weight (the condition for re-grouping only the part of the site an edit touches).

A word's frequency f (its share of all running words) is read as the share of articles that hold it,
p = 1 - exp(-A * f) (as if an article were A running words drawn independently; A is a scale, tuned on the
ECB+ dev topics by bench/events_ecb.py: ARTICLE_WORDS for content words, NAME_ARTICLE_WORDS for name tokens,
so that only names rare in general English weigh much), and its idf is log(1 / p) + IDF_FLOOR, as the
site-counted idf was log(n / df) + IDF_FLOOR.  A hyphenated
word ("north-korean") is as rare as its parts together (1/f = the sum of 1/f of its parts: the way
wordfreq combines the tokens of a phrase); a word or a part the table does not know (most surnames of the
news, "shoigu" aside) counts as rarer than any word it knows: UNKNOWN_FREQUENCY.

Licence: wordfreq's code is under the Apache License 2.0; its data under Creative Commons
Attribution-ShareAlike 4.0 (both stated in the package's README).  The builder only reads the table.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

ARTICLE_WORDS = 3000  # A for content words: a word's frequency read as its share of articles
UNKNOWN_FREQUENCY = 5e-9  # a word the table does not know: half the frequency of the rarest words it lists
IDF_FLOOR = 1.0  # added to every idf (smoothing): the commonest words still count a little
NAME_ARTICLE_WORDS = 10_000  # A for name tokens
RARE_FREQUENCY = 3e-5  # a word or name token this rare or rarer finds candidate pairs (blocking), whatever the site


@cache
def _table() -> dict[str, float]:
    """wordfreq's English "large" list: word → frequency (loaded once per process, about 0.8 s)."""
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en", wordlist="large")


def frequency(word: str) -> float:
    """The word's frequency in general English (its share of running words), UNKNOWN_FREQUENCY if unknown."""
    table = _table()
    known = table.get(word)
    if known is not None:
        return known
    parts = [part for part in word.replace("'", "-").split("-") if part]
    if len(parts) < 2:
        return UNKNOWN_FREQUENCY
    return 1.0 / sum(1.0 / table.get(part, UNKNOWN_FREQUENCY) for part in parts)


class Reference:
    """idf and rarity of terms, memoised (a pure function of the term: one instance may serve every build)."""

    def __init__(self, article_words: float = ARTICLE_WORDS, rare_frequency: float = RARE_FREQUENCY) -> None:
        self.article_words = article_words
        self.rare_frequency = rare_frequency
        self._idf: dict[str, float] = {}
        self._rare: dict[str, bool] = {}

    def idf(self, term: str) -> float:
        known = self._idf.get(term)
        if known is None:
            share = -math.expm1(-self.article_words * frequency(term))
            known = self._idf[term] = math.log(1.0 / share) + IDF_FLOOR
        return known

    def remember(self, terms: list[str], idfs: list[float]) -> None:
        """idf values worked out before (by a previous build: builder.link.regroup), so that an edit rebuild does
        not load the frequency table for terms it knows."""
        for term, idf in zip(terms, idfs, strict=True):
            self._idf.setdefault(term, idf)

    def rare(self, term: str) -> bool:
        known = self._rare.get(term)
        if known is None:
            known = self._rare[term] = frequency(term) <= self.rare_frequency
        return known

    def rare_mask(self, terms: list[str]) -> np.ndarray:
        """rare(term) for each term, as a numpy array of booleans."""
        return np.fromiter(map(self.rare, terms), dtype=bool, count=len(terms))

