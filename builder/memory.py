"""What the builder holds through a build: equal values held once, freed memory handed back.

`ValueSharing`: one object for equal numbers and names across the analysed articles, which live until the
end of the build.

Each article arrives from the analysis cache (or a worker) as a pickle, and unpickling makes a new object for
every number and string in it: at 10,000 articles, 1.3 million int objects for character offsets (5,800
distinct values, 42 MB) and 370,000 entity surface forms (12,000 distinct, 21 MB), held from analysis through
rendering, beside the search index's Pagefind. `ValueSharing.article` replaces each of those by the first equal
one seen, right after the article arrives, so that the copies are freed before the next article is unpickled
into their place.
"""

from __future__ import annotations

import ctypes
import gc
from functools import cache

from builder.model import Article, Mentions

_set = object.__setattr__  # the model's small objects are frozen: an equal value for an equal one changes nothing


class ValueSharing:
    """The values seen so far, for one run over the articles (dropped with it: nothing stays for the next build)."""

    def __init__(self) -> None:
        self.ints: dict[int, int] = {}
        self.strings: dict[str, str] = {}
        self.known: list[list] = []

    def know(self, values: list) -> None:
        """Values already shared elsewhere (the analysis pack's: builder.analysis_pack), for the articles that
        arrive later to share too; looked at only if one does (an edit: one article)."""
        self.known.append(values)

    def article(self, article: Article) -> None:
        """Make `article`'s offsets and repeated strings (mention, speaker and date wordings) the shared ones."""
        while self.known:
            for value in self.known.pop():
                if type(value) is int:
                    self.ints.setdefault(value, value)
                elif type(value) is str:
                    self.strings.setdefault(value, value)
        number = self.ints.setdefault
        string = self.strings.setdefault
        if isinstance(article.sentences, list):  # (columns hold numbers, not int objects)
            for sentence in article.sentences:
                _set(sentence, "start", number(sentence.start, sentence.start))
                _set(sentence, "end", number(sentence.end, sentence.end))
        if isinstance(article.mentions, Mentions):
            article.mentions.texts = [string(text, text) for text in article.mentions.texts]
        else:
            for mention in article.mentions:
                _set(mention, "start", number(mention.start, mention.start))
                _set(mention, "end", number(mention.end, mention.end))
                _set(mention, "text", string(mention.text, mention.text))
        for quote in article.quotes:
            _set(quote, "start", number(quote.start, quote.start))
            _set(quote, "end", number(quote.end, quote.end))
            if quote.speaker is not None:
                _set(quote, "speaker", string(quote.speaker, quote.speaker))
        for ref in article.dates:
            _set(ref, "wording", string(ref.wording, ref.wording))
            _set(ref, "rule", string(ref.rule, ref.rule))
        article.block_starts = [number(start, start) for start in article.block_starts]
        article.affiliations = [(number(start, start), number(end, end), string(text, text), sentence)
                                for start, end, text, sentence in article.affiliations]


def return_free_memory() -> None:
    """Hand the memory that the stages so far have freed back to the system.

    Python gives what it frees to the C allocator, and glibc's keeps freed memory in the middle of its
    heap for later: after linking 10,000 articles the builder held ~110 MB of freed memory that way (626
    MB resident, 514 MB after malloc_trim), and after making the exports (data/, the one part of rendering
    that makes the whole digest at once) ~35 MB more (512 MB resident, 477 MB after), beside a search
    shard's Pagefind for the rest of the build. Elsewhere than glibc there is no malloc_trim and nothing is
    done."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim():
    """glibc's malloc_trim, looked up once among the symbols the process already has: ctypes.util.find_library
    runs `ldconfig -p` each time it is asked (1 ms, a vfork of the builder: bench/peak_rss.py saw it as a
    second 500 MB process for a moment)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
