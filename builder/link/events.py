"""Events: reported happenings, within an article and across articles.

`group_events(articles, actors, config) -> (events, articles)` is the linking step.

1. Within each article, a *happening* is a sentence with a trigger word of an
   event type (the data table `event_types.toml`), its participants (mentions
   resolved to actors; until actors exist, normalised surface forms), a place
   and a date when the sentence gives them.  The article's *main event* is its
   most newsworthy happening among the lead sentences (or the headline).
2. Across articles, `cluster_articles(features)` groups the articles that report
   the same happening: who (names), what (content words), when (article dates,
   years mentioned).  Candidate pairs come from an inverted index over rare
   features (blocking: never all pairs), then average-link clustering over the
   candidate graph.  The same function is measured by bench/events_ecb.py.
3. Each group becomes one Event (type, label, date from its best-dated report,
   place, participants, evidence, sources); dated happenings outside the main
   event (the armistice of July 27, 1953; the 1950–53 war) become background
   events, merged across articles on (type, date, shared participants).
   Undated articles of a group are dated through the event, and say so.

Event keys are stable across builds: a hash of the event's type, date and
sorted participants (main events: of its first report's file path).
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache, partial
from itertools import chain, pairwise
from sys import intern
from typing import NamedTuple

import numpy as np

from builder.analyse.dates import MONTHS, WEEKDAYS, resolve_against, weekday_distance
from builder.link.event_words import (
    STOPWORDS,
    TYPES,
    EventType,
    SentenceTriggers,
    TriggerMatch,
    content_words,
    triggers_for,
    types_key,
    word_list,
    words_of,
)
from builder.link.memo import LinkMemo, Shards, keep_shards, load_shards, memo_key, merged, recall
from builder.link.reference import ARTICLE_WORDS, IDF_FLOOR, NAME_ARTICLE_WORDS, RARE_FREQUENCY, Reference
from builder.link.slugs import unique_slugs
from builder.model import Actor, Article, DateRef, EntityType, Event, Mentions, Precision

NOT_NAMES = frozenset(
    word_list("""The A An He She It They We I In On At For But And Or If As After Before When While This That These
    Those His Her Its Their Our My Your There Here What Who Why How Mr Mrs Ms Dr Sir Some Many Most More Also Yet So
    According During Since Until From With Without Under Over Into Than Then Now Not No One Two Three Both Each
    Every Other Another Such Meanwhile However Still Even Just Only Today Yesterday Tomorrow Later Earlier""")
) | {m.capitalize() for m in MONTHS} | {w.capitalize() for w in WEEKDAYS}
_NAME = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:of|de|del|al|bin|van|von|la|le|da)?\s*[A-Z][\w'’-]*)*")


# ---------------------------------------------------------------- names (stand-in actors)


@lru_cache(maxsize=1 << 16)
def normalise_key(name: str) -> str:
    """A stand-in actor key from a surface form: "Kim Jong-un" → "kim-jong-un"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"^(?:mr|mrs|ms|dr|the)\.?\s+", "", ascii_name.strip(), flags=re.I)
    ascii_name = re.sub(r"['’]s$", "", ascii_name)
    return intern(re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-"))


@dataclass(slots=True)  # hundreds of thousands at 10,000 articles
class Name:
    key: str
    text: str
    sentence: int
    start: int
    type: EntityType | None


def article_names(article: Article) -> list[Name]:
    """The names in an article: its mentions (resolved to actors when linking did so), or, when the article
    has no mentions, capitalised word runs.  Short forms ("Kim", "Mr. Shoigu") take the key of the longest
    name in the article that contains them."""
    names: list[Name] = []
    mentions = article.mentions
    if isinstance(mentions, Mentions):  # read from its columns (a Mention made for each costs a third of this)
        for text, actor_key, sentence, start, kind in zip(mentions.texts, mentions.actor_keys, mentions.sentences,
                                                          mentions.starts, mentions.types, strict=True):
            names.append(Name(actor_key or normalise_key(text), text, sentence, start, kind))
    elif mentions:
        for mention in mentions:
            key = mention.actor_key or normalise_key(mention.text)
            names.append(Name(key, mention.text, mention.sentence, mention.start, mention.type))
    if not mentions:
        for sentence in article.sentences:
            text = article.text[sentence.start : sentence.end]
            for m in _NAME.finditer(text):
                words = [w for w in m.group(0).split() if w.strip(".") not in NOT_NAMES]
                if not words:
                    continue
                surface = strip_titles(" ".join(words).rstrip("."))
                key = normalise_key(surface)
                if len(key) < 2:
                    continue
                before = text[max(0, m.start() - 4) : m.start()].lower()
                kind = EntityType.PLACE if before.endswith(("in ", "to ")) else None
                names.append(Name(key, surface, sentence.index, sentence.start + m.start(), kind))
    longest: dict[str, str] = {}
    for name in sorted(names, key=lambda n: -len(n.key)):
        for part in name.key.split("-"):
            if len(part) > 2:
                longest.setdefault(part, name.key)
    for name in names:
        if "-" not in name.key and name.key in longest:
            name.key = longest[name.key]
    return names


NAMES_FORMAT = 1


class NameColumns(NamedTuple):
    """An article's names (article_names) as the event steps that run on every article read them: each name's
    key and its text, in order (two lists of strings: cheap to keep in the link memo and to read back)."""

    keys: list[str]
    texts: list[str]
    # What the names are made of, as a memo key (the article and its mentions' actor keys: name_columns): the
    # steps whose memo keys name the article's names name them by it, not by hashing the keys once more each.
    digest: bytes = b""


class LazyNames(dict):
    """Source file → article_names of its article, worked out the first time it is asked for (in an edit
    rebuild, only for the articles whose results the link memo does not hold)."""

    def __init__(self, articles: list[Article]) -> None:
        super().__init__()
        self.articles = {article.source_file: article for article in articles}

    def __missing__(self, source_file: str) -> list[Name]:
        names = self[source_file] = article_names(self.articles[source_file])
        return names


class LazyHappenings(dict):
    """Source file → the article's happenings, recalled or found the first time they are asked for (in an edit
    rebuild only for the groups whose event is made again).  An article's happenings read the article, its names
    (the actor keys of its mentions), the types and the publishers: all in the memo's key (the article by its
    content hash; the names by what they are made of, their digest; `site_part`: the types and publishers)."""

    def __init__(self, memo: LinkMemo | None, columns_of: LazyColumns, site_part: bytes,
                 make: Callable[[Article], list[Happening]]) -> None:
        super().__init__()
        self.memo, self.columns_of, self.site_part, self.make = memo, columns_of, site_part, make

    def __missing__(self, source_file: str) -> list[Happening]:
        article = self.columns_of.articles[source_file]
        parts = ("happenings", source_file, article.content_hash, self.site_part, self.columns_of.digest(source_file))
        found = self[source_file] = recall(self.memo, parts, partial(self.make, article))
        return found


def names_digest(article: Article) -> bytes:
    """What the article's names (article_names) are made of, as a memo key: the article and the actor keys linking
    gave its mentions.  The steps whose memo keys read the names name them by it (NameColumns.digest)."""
    mentions = article.mentions  # (their column of actor keys, not a Mention made for each to read its key)
    actor_keys = mentions.actor_keys if isinstance(mentions, Mentions) else [m.actor_key for m in mentions]
    # The keys joined, not repr'd: repr escapes every string, and this runs on every article of an edit (~40 keys
    # each).  The repr where joining could be ambiguous (a key holding the separator, or no key: None).
    try:
        joined = "\x1f".join(actor_keys)
    except TypeError:
        joined = None
    if joined is None or joined.count("\x1f") != max(len(actor_keys) - 1, 0):
        body = b"r" + repr(actor_keys).encode("utf-8", "surrogatepass")
    else:
        body = b"j%d:" % len(actor_keys) + joined.encode("utf-8", "surrogatepass")
    head = repr((NAMES_FORMAT, article.source_file, article.content_hash)).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(head + b"\x00" + body, digest_size=16, person=b"article names").digest()


def name_columns(article: Article, names_of: LazyNames, digest: bytes = b"") -> NameColumns:
    """The article's NameColumns (`digest`: its names_digest, when a memo is used)."""
    names = names_of[article.source_file]
    return NameColumns([n.key for n in names], [n.text for n in names], digest)


class LazyColumns(dict):
    """Source file → the article's NameColumns, made the first time they are asked for: in an edit rebuild only
    the events made again read them (two lists made from article_names: cheaper to make than to recall).  What
    every article needs is their digest (`digest`), worked out for every article when a memo is used."""

    def __init__(self, articles: list[Article], names_of: LazyNames, memo: LinkMemo | None) -> None:
        super().__init__()
        self.names_of = names_of
        self.articles = {article.source_file: article for article in articles}
        self.digests = {a.source_file: names_digest(a) for a in articles} if memo is not None else {}

    def __missing__(self, source_file: str) -> NameColumns:
        columns = self[source_file] = name_columns(self.articles[source_file], self.names_of,
                                                   self.digests.get(source_file, b""))
        return columns

    def digest(self, source_file: str) -> bytes:
        return self.digests.get(source_file, b"")


# ---------------------------------------------------------------- features and clustering


@dataclass(slots=True)  # hundreds of thousands at 10,000 articles
class ArticleFeatures:
    """What the grouping compares: what (content words), who (name tokens), when (dates)."""

    words: Counter
    names: Counter
    published: date | None = None
    years: frozenset[int] = frozenset()


def article_features(article: Article, names_found: list[Name] | None = None) -> ArticleFeatures:
    """`names_found`: article_names(article), when the caller has them already."""
    words = words_of(article)
    names: Counter = Counter()
    for name in article_names(article) if names_found is None else names_found:
        for token in name.key.split("-"):
            if len(token) > 2 and token not in STOPWORDS:
                names[intern(token)] += 1
    for m in _NAME.finditer(article.title):
        for token in normalise_key(m.group(0)).split("-"):
            if len(token) > 2 and token not in STOPWORDS and token.capitalize() not in NOT_NAMES:
                names[intern(token)] += 2
    return ArticleFeatures(words, names, *article_when(article))


def article_when(article: Article) -> tuple[date | None, frozenset[int]]:
    """What article_features reads of when the article tells: its date, and the years of its resolved dates."""
    published = article.published.value.date() if article.published.value else None
    return published, frozenset(ref.value.year for ref in article.dates if ref.resolved and ref.rule != "relative-day")


@dataclass(frozen=True)
class ClusterParams:
    threshold: float = 0.26  # average similarity needed to merge two groups
    words: float = 1.0  # weight of the content-word cosine
    names: float = 2.0  # weight of the name cosine
    when: float = 0.5  # weight of the date agreement (-1 … 1)
    neighbours: int = 30  # candidates kept per article from the inverted index
    # How features are weighed and which find candidates: "site" (idf from document frequencies over the
    # site's articles; features in at most max_postings articles of the site find candidates, among all
    # the articles holding them) or "reference" (reference.py: idf and rarity from general English word
    # frequencies, so that an article's vector depends on the article alone; a rare feature finds, for an
    # article, only the `window` articles on either side of it in time order among those holding it).
    weights: str = "site"
    max_postings: int = 60
    window: int = 30
    rare_frequency: float = RARE_FREQUENCY  # "reference": features this rare in general English find candidates
    article_words: float = ARTICLE_WORDS  # "reference": a content word's frequency read as its share of articles
    name_article_words: float = NAME_ARTICLE_WORDS  # "reference": the same for a name token

    @property
    def reference(self) -> Reference | None:
        """The content words' idf and every feature's rarity ("reference" weights; None for "site")."""
        return _reference(self.article_words, self.rare_frequency) if self.weights == "reference" else None

    @property
    def name_reference(self) -> Reference | None:
        """The name tokens' idf ("reference" weights; None for "site")."""
        return _reference(self.name_article_words, self.rare_frequency) if self.weights == "reference" else None


# The parameters of "reference" weights, measured by bench/events_ecb.py --reference-weights (threshold raised
# with them: their scores run higher).  Not the default: on ECB+ they group slightly worse (RESULTS-scale.md).
REFERENCE_PARAMS = ClusterParams(threshold=0.28, weights="reference")


@lru_cache(maxsize=8)
def _reference(article_words: float, rare_frequency: float) -> Reference:
    return Reference(article_words, rare_frequency)


class Vector(NamedTuple):
    """A unit tf-idf vector, its weights as plain doubles: `position` maps each term to its place in
    `weights` (the order the terms were counted in).  A dict of float objects took three times the memory."""

    position: dict[str, int]
    weights: array

    @classmethod
    def of(cls, items) -> Vector:
        terms = list(items)
        return cls({term: n for n, (term, _) in enumerate(terms)}, array("d", [weight for _, weight in terms]))

    def items(self):
        return zip(self.position, self.weights, strict=True)


def _tfidf(counts: list[Counter], empty_counts: bool = False, reference: Reference | None = None) -> list[Vector]:
    """Unit tf-idf vectors; `empty_counts`: each counter is emptied once weighed (the vectors replace them).
    Each term's idf from its document frequency over `counts`, or from `reference` (reference.py) when given:
    then each vector depends on its own counter alone."""
    if reference is None:
        df: Counter = Counter()
        for c in counts:
            df.update(c.keys())
        n = len(counts)
        idf = {t: math.log((1 + n) / (1 + d)) + IDF_FLOOR for t, d in df.items()}
    else:
        idf = {t: reference.idf(t) for t in dict.fromkeys(chain.from_iterable(counts))}
    # Each term's idf and each count's weight once (the same expressions as per term, so the same floats).
    tf = {v: 1 + math.log(v) for v in {v for c in counts for v in c.values()}}
    vectors = []
    for c in counts:
        vector = [tf[v] * idf[t] for t, v in c.items()]
        norm = math.sqrt(sum([x * x for x in vector])) or 1.0
        vectors.append(Vector.of((t, x / norm) for t, x in zip(c, vector, strict=True) if x > 0))
        if empty_counts:
            c.clear()
    return vectors


class FlatVectors(NamedTuple):
    """Vectors end to end, for numpy: each vector's terms (numbered in first-seen order) and weights, in its
    own order, at starts[i] : starts[i] + lengths[i] of `terms` and `weights`; `vocabulary`: terms numbered;
    `words`: the terms, in the order of their numbers."""

    lengths: np.ndarray
    starts: np.ndarray
    terms: np.ndarray
    weights: np.ndarray
    vocabulary: int
    words: list[str]

    @classmethod
    def of(cls, vectors: list[Vector]) -> FlatVectors:
        # One pass over all the terms, in C: numbered, then each vector's read as numbers.
        ids = {term: n for n, term in enumerate(dict.fromkeys(chain.from_iterable(v.position for v in vectors)))}
        lengths = np.array([len(v.position) for v in vectors], dtype=np.intp)
        terms = np.fromiter(map(ids.__getitem__, chain.from_iterable(v.position for v in vectors)), np.intp,
                            int(lengths.sum()))
        weights = np.frombuffer(b"".join(map(bytes, (v.weights for v in vectors))), dtype=np.float64)
        return cls(lengths, np.cumsum(lengths) - lengths, terms, weights, len(ids), list(ids))

    def entries(self, indices: np.ndarray) -> np.ndarray:
        """The places in `terms` of the vectors `indices`, one vector after the other."""
        return _spans(self.starts[indices], self.lengths[indices])


def _spans(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """starts[0] … starts[0] + counts[0] - 1, then starts[1] …, as one array (the ranges laid end to end)."""
    return np.arange(int(counts.sum())) + np.repeat(starts - (np.cumsum(counts) - counts), counts)


def _pair_cosines(vectors: list[Vector], pairs: list[tuple[int, int]]) -> list[float]:
    return _flat_pair_cosines(FlatVectors.of(vectors), pairs)


def _flat_pair_cosines(flat: FlatVectors, pairs: list[tuple[int, int]]) -> list[float]:
    """The cosine of every pair (in the order of `pairs`): the sum of the products of the shared terms'
    weights in the smaller vector's order (of the first when both are as large), so the same sum on every
    run.  Computed per smaller vector, for all its pairs at once: a matrix of its partners' weights at its
    terms (0 where a partner lacks one) times its weights, summed along each row by a running sum (np.cumsum
    adds left to right as sum() does, and adding 0.0 leaves a sum as it was: the same floats)."""
    if not pairs:
        return []
    lengths, starts, terms, weights = flat.lengths, flat.starts, flat.terms, flat.weights
    first, second = np.array(pairs, dtype=np.intp).reshape(-1, 2).T
    smaller = np.where(lengths[first] > lengths[second], second, first)
    partner = first + second - smaller
    order = np.argsort(smaller, kind="stable")
    bounds = [0, *(np.flatnonzero(np.diff(smaller[order])) + 1).tolist(), len(pairs)]
    place = np.full(flat.vocabulary, -1, dtype=np.intp)  # a term's place in the smaller vector at hand, or -1
    cosines = np.zeros(len(pairs))
    for begin, end in pairwise(bounds):
        numbers = order[begin:end]
        mine = int(smaller[numbers[0]])
        size = int(lengths[mine])
        if not size:
            continue
        own = slice(starts[mine], starts[mine] + size)
        place[terms[own]] = np.arange(size)
        others = partner[numbers]
        row = np.repeat(np.arange(len(others)), lengths[others])
        entries = flat.entries(others)
        column = place[terms[entries]]
        shared = column >= 0
        matrix = np.zeros((len(others), size))
        matrix[row[shared], column[shared]] = weights[entries[shared]]
        matrix *= weights[own]
        cosines[numbers] = np.cumsum(matrix, axis=1)[:, -1]
        place[terms[own]] = -1
    return cosines.tolist()


def when_agreement(a: ArticleFeatures, b: ArticleFeatures) -> float:
    """1 for reports a few days apart, -1 for reports far apart in time, 0 when unknown."""
    if a.published and b.published:
        days = abs((a.published - b.published).days)
        return 1.0 if days <= 3 else 0.5 if days <= 10 else 0.0 if days <= 45 else -1.0
    if a.years and b.years:
        return 0.5 if a.years & b.years else -0.5
    return 0.0


def candidate_pairs(vectors: list[dict[str, float]], params: ClusterParams,
                    ranks: np.ndarray | None = None) -> set[tuple[int, int]]:
    """For each article, the articles sharing the most (idf-weighted) rare features: linear in the articles."""
    return _blocked_pairs([[Vector.of(vector.items()) for vector in vectors]], params, ranks)


def _blocked_pairs(tables: list[list[Vector]], params: ClusterParams,
                   ranks: np.ndarray | None = None) -> set[tuple[int, int]]:
    return _flat_blocked_pairs([FlatVectors.of(vectors) for vectors in tables], params, ranks)


def time_ranks(features: list[ArticleFeatures]) -> np.ndarray:
    """Each article's place in time order (dated articles by date, then undated; ties in article order)."""
    order = sorted(range(len(features)), key=lambda i: (features[i].published is None,
                                                        features[i].published or date.min, i))
    ranks = np.empty(len(features), dtype=np.intp)
    ranks[order] = np.arange(len(features))
    return ranks


def _flat_blocked_pairs(tables: list[FlatVectors], params: ClusterParams,
                        ranks: np.ndarray | None = None) -> set[tuple[int, int]]:
    """candidate_pairs over several kinds of features (`tables`: one vector per article for each kind), as if
    each article's vectors were one, its kinds' features in table order and a feature never meeting
    another kind's.  Features too common to block on are dropped before scoring: they add nothing.
    "site" weights: a feature in at most params.max_postings articles is rare, and finds all of them.
    "reference" weights: a feature rare in general English (reference.py) is rare, whatever the site, and
    finds the params.window articles on either side of the article in time order (`ranks`: each article's
    place in it; default the articles' own order) among those holding it: an article's candidates then
    depend on the articles near it only, and blocking stays linear however many articles share a feature."""
    count = len(tables[0].lengths)
    kinds = posting_kinds(tables, params, ranks)
    window = params.window if params.reference is not None else None
    pairs: set[tuple[int, int]] = set()
    for index in range(count):
        for other in _nearest(index, kinds, params.neighbours, window):
            pairs.add((min(index, other), max(index, other)))
    return pairs


def posting_kinds(tables: list[FlatVectors], params: ClusterParams, ranks: np.ndarray | None = None,
                  rare_terms: list[np.ndarray] | None = None) -> list[tuple]:
    """Per kind of feature (`tables`, as _flat_blocked_pairs takes them): its vectors, which of its entries are
    rare, each term's number of postings, where its postings start, each entry's place in its term's postings
    ("reference" weights; else None) and the postings (articles, each term's in time order): what _nearest reads.
    `rare_terms`: per kind, reference.rare of each term of its vocabulary, when the caller knows it already."""
    count = len(tables[0].lengths)
    reference = params.reference
    ranks = np.arange(count) if ranks is None or reference is None else ranks
    kinds = []
    for number, flat in enumerate(tables):
        owner = np.repeat(np.arange(count), flat.lengths)  # the article of each entry
        frequency = np.bincount(flat.terms, minlength=flat.vocabulary)  # a term is in a vector once
        by_term = np.lexsort((ranks[owner], flat.terms))  # postings: each term's articles, in time order
        first = np.cumsum(frequency) - frequency
        if reference is None:
            rare, place = frequency[flat.terms] <= params.max_postings, None
        else:
            rare = (reference.rare_mask(flat.words) if rare_terms is None else rare_terms[number])[flat.terms]
            place = np.empty(len(flat.terms), dtype=np.intp)  # each entry's place in its term's postings
            place[by_term] = np.arange(len(by_term)) - first[flat.terms[by_term]]
        kinds.append((flat, rare, frequency, first, place, owner[by_term]))
    return kinds


def _nearest(index: int, kinds: list[tuple], count: int, window: int | None) -> list[int]:
    """The `count` articles sharing the most weight of rare features with article `index` (`kinds`: each kind's
    FlatVectors, rare entries, postings and places in them, as _flat_blocked_pairs makes them; of each feature's
    postings, all, or the `window` articles on either side of `index`), most first.  The same as summing the
    weights into a dict in feature order and taking heapq.nlargest of its items: bincount adds each article's
    weights in the same order, and a stable sort keeps first-seen order among equal scores."""
    postings: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for flat, rare, frequency, first, place, docs in kinds:
        own = slice(flat.starts[index], flat.starts[index] + flat.lengths[index])
        kept = rare[own]
        features = flat.terms[own][kept]
        counts = frequency[features]
        if window is None:
            postings.append(docs[_spans(first[features], counts)])
        else:
            at = place[own][kept]
            low = np.maximum(at - window, 0)
            counts = np.minimum(at + window + 1, counts) - low
            postings.append(docs[_spans(first[features] + low, counts)])
        weights.append(np.repeat(flat.weights[own][kept], counts))
    others = np.concatenate(postings)
    if not len(others):
        return []
    totals = np.bincount(others, weights=np.concatenate(weights))
    candidates, first_seen = np.unique(others, return_index=True)
    candidates = candidates[np.argsort(first_seen, kind="stable")]
    candidates = candidates[candidates != index]
    return candidates[np.argsort(-totals[candidates], kind="stable")[:count]].tolist()


@dataclass(frozen=True)
class PairEvidence:
    """Per candidate pair: content-word cosine, name cosine, date agreement."""

    words: float
    names: float
    when: float


def _vectors(features: list[ArticleFeatures], params: ClusterParams,
             empty_counts: bool = False) -> tuple[list[Vector], list[Vector]]:
    return (_tfidf([f.words for f in features], empty_counts, params.reference),
            _tfidf([f.names for f in features], empty_counts, params.name_reference))


def pair_evidence(features: list[ArticleFeatures], params: ClusterParams) -> dict[tuple[int, int], PairEvidence]:
    words, names = _vectors(features, params)
    flats = [FlatVectors.of(words), FlatVectors.of(names)]
    pairs = list(_flat_blocked_pairs(flats, params, time_ranks(features)))
    word_cosines, name_cosines = _flat_pair_cosines(flats[0], pairs), _flat_pair_cosines(flats[1], pairs)
    return {(i, j): PairEvidence(word, name, when_agreement(features[i], features[j]))
            for (i, j), word, name in zip(pairs, word_cosines, name_cosines, strict=True)}


def combine(evidence: dict[tuple[int, int], PairEvidence], params: ClusterParams) -> dict[tuple[int, int], float]:
    total = params.words + params.names
    return {pair: (params.words * e.words + params.names * e.names + params.when * e.when) / total
            for pair, e in evidence.items()}


def pair_scores(features: list[ArticleFeatures], params: ClusterParams,
                empty_counts: bool = False) -> dict[tuple[int, int], float]:
    """combine(pair_evidence(…)) without a PairEvidence per pair held at once (the same floats).
    `empty_counts`: the features' word and name counters are emptied as they are weighed."""
    words, names = _vectors(features, params, empty_counts)
    flats = [FlatVectors.of(words), FlatVectors.of(names)]  # the vectors as numpy reads them
    del words, names
    pairs = list(_flat_blocked_pairs(flats, params, time_ranks(features)))
    word_cosines = _flat_pair_cosines(flats[0], pairs)
    name_cosines = _flat_pair_cosines(flats[1], pairs)
    del flats
    total = params.words + params.names
    return {pair: (params.words * word + params.names * name
                   + params.when * when_agreement(features[pair[0]], features[pair[1]])) / total
            for pair, word, name in zip(pairs, word_cosines, name_cosines, strict=True)}


def average_link(count: int, scores: dict[tuple[int, int], float], threshold: float,
                 merges: list[tuple[float, int, int]] | None = None) -> list[list[int]]:
    """Average-link agglomerative clustering over a sparse similarity graph (missing pairs count as 0).
    A group made by a merge gets the next number; the heap breaks equal averages by the groups' numbers, and a
    merged group's sums add the first group's total, then the second's, to 0.0 (the same floats every run).
    `merges`, when given, gets each merge in order: its average and one article of each of the two groups
    (what builder.link.regions replays after an edit)."""
    members: dict[int, list[int]] = {i: [i] for i in range(count)}
    size: dict[int, int] = dict.fromkeys(range(count), 1)
    links: dict[int, dict[int, float]] = defaultdict(dict)
    for (i, j), score in scores.items():
        links[i][j] = links[j][i] = score
    heap = [(-score, i, j) for (i, j), score in scores.items() if score > threshold]
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    next_id = count
    while heap:
        negative, a, b = pop(heap)
        if a not in size or b not in size:
            continue
        average = links[a].get(b, 0.0) / (size[a] * size[b])
        if abs(-negative - average) > 1e-12:
            continue  # stale entry
        if average <= threshold:
            break
        if merges is not None:
            merges.append((average, members[a][0], members[b][0]))
        merged = next_id
        next_id += 1
        members[merged] = members.pop(a) + members.pop(b)
        merged_size = size[merged] = size.pop(a) + size.pop(b)
        combined: dict[int, float] = {}
        for other, total in links.pop(a).items():
            if other != b:
                combined[other] = 0.0 + total
                del links[other][a]
        for other, total in links.pop(b).items():
            if other != a:
                known = combined.get(other)
                combined[other] = (0.0 if known is None else known) + total
                del links[other][b]
        own = links[merged]
        for other, total in combined.items():
            own[other] = links[other][merged] = total
            average = total / (merged_size * size[other])
            if average > threshold:
                push(heap, (-average, other, merged))  # other < merged: made before it
    return sorted((sorted(group) for group in members.values()), key=lambda g: g[0])


def scored_parts(count: int, scores: dict[tuple[int, int], float], threshold: float) -> list[list[int]]:
    """The connected parts of the graph of the pairs scoring above `threshold` (each article in one part, in
    order of its first article).  average_link merges two groups only when one of their pairs scores above the
    threshold, so no group spans two parts: each part can be grouped alone (average_link_by_parts)."""
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for (i, j), score in scores.items():
        if score > threshold:
            a, b = root(i), root(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    parts: dict[int, list[int]] = defaultdict(list)
    for i in range(count):
        parts[root(i)].append(i)
    return list(parts.values())


def average_link_by_parts(count: int, scores: dict[tuple[int, int], float], threshold: float) -> list[list[int]]:
    """average_link, run on each part of scored_parts alone: what an incremental grouping does (keep the groups
    of the parts an edit did not touch, group the others again).  The same groups as average_link over the
    whole graph, but where two merges of one part tie exactly (equal averages: average_link breaks the tie by
    the order its groups were made in, which counts the other parts' merges too)."""
    groups: list[list[int]] = []
    by_part: dict[int, dict[tuple[int, int], float]] = defaultdict(dict)
    parts = scored_parts(count, scores, threshold)
    part_of = {i: number for number, part in enumerate(parts) for i in part}
    for (i, j), score in scores.items():
        if part_of[i] == part_of[j]:
            by_part[part_of[i]][(i, j)] = score
    for number, part in enumerate(parts):
        local = {i: n for n, i in enumerate(part)}
        found = average_link(len(part), {(local[i], local[j]): s for (i, j), s in by_part[number].items()},
                             threshold)
        groups.extend([part[n] for n in group] for group in found)
    return sorted((sorted(group) for group in groups), key=lambda g: g[0])


def cluster_articles(features: list[ArticleFeatures], params: ClusterParams | None = None,
                     empty_counts: bool = False) -> list[list[int]]:
    """Groups of article indices that report the same happening (every article in exactly one group).
    `empty_counts`: the features' word and name counters are emptied on the way (for a caller that has
    no more use for them: at 10,000 articles they are a hundred megabytes)."""
    params = params or ClusterParams()
    # "reference" weights group each part of the scores alone, as an edit rebuild does (builder.link.regroup):
    # the same groups but for exact ties, and then a rebuild's groups are a cold build's in those too.
    link = average_link_by_parts if params.reference is not None else average_link
    return link(len(features), pair_scores(features, params, empty_counts), params.threshold)


# ---------------------------------------------------------------- happenings within an article

TITLE_WORDS = frozenset(word_list(
    """president minister defense defence foreign prime secretary general gen leader chairman chairwoman king
    queen prince princess pope senator sen rep representative governor gov mayor judge justice chief coach director
    ambassador vice deputy commander spokesman spokeswoman actress actor singer star officer lt col capt sgt
    interior commerce state attorney former acting supreme head premier chancellor emperor"""
))
_NATIONALITY = re.compile(r"^[A-Z][a-z]+(?:an|ese|ish|i)$")
REPORT_VERBS = re.compile(r"\b(?:said|says|reported|announced|told|added|stated)\s*(?:on\s+)?$", re.I)


@lru_cache(maxsize=1 << 16)
def strip_titles(surface: str) -> str:
    """"Russian Defense Minister Sergei Shoigu" → "Sergei Shoigu" (titles and nationalities before a name)."""
    words = surface.split()
    while len(words) > 1 and (words[0].lower().strip(".") in TITLE_WORDS or (
            _NATIONALITY.match(words[0]) and words[1].lower().strip(".") in TITLE_WORDS)):
        words = words[1:]
    return " ".join(words)


# Who does it and to whom, read from the trigger sentence's own words (not from anywhere in it).
NEWS_ORGANISATIONS = frozenset(word_list("""ap afp upi dpa xinhua reuters bloomberg cnn bbc nbc cbs abc msnbc cnbc npr
    pbs yonhap tass kcna politico newsweek forbes axios vox buzzfeed""")) | frozenset(
    {"associated press", "the associated press", "thomson reuters", "thomson reuters foundation",
     "agence france-presse",
     "fox news", "nbc news", "cbs news", "abc news", "bbc news", "cnn money", "the new york times", "new york times",
     "the washington post", "washington post", "usa today", "the wall street journal", "wall street journal",
     "the guardian", "the independent", "the telegraph", "daily mail", "the hill", "al jazeera", "sky news",
     "ria novosti", "interfax", "kyodo", "kyodo news", "financial times", "the financial times", "the times",
     "los angeles times", "chicago tribune", "the atlantic", "huffington post", "the huffington post", "espn",
     "variety", "the hollywood reporter", "hollywood reporter", "business insider", "techcrunch", "the verge",
     "seattlepi.com", "yahoo news", "daily beast", "the daily beast", "nikkei", "der spiegel", "le monde"})
# a name in parentheses that is a ticker or a short form of the name before it: "Apple Inc (AAPL.O)", "(FB.O)"
_TICKER = re.compile(r"[A-Z0-9][A-Za-z0-9&]{0,7}(?:\.[A-Z]{1,3})?")
_DETERMINER_BEFORE = re.compile(
    r"(?:\b(?:the|a|an|his|her|its|their|our|this|that|of|last|first|latest|new)|['’]s)\s+$", re.I)
_CLAUSE_BREAK = re.compile(
    r"[;:\"“”()]|\b(?:which|who|whom|whose|that|where|when|while|because|although|after|before)\b"
    r"|,\s+(?:and|but|as|if)\b", re.I)
_PASSIVE_BEFORE = re.compile(r"\b(?:was|were|been|being|is|are|be|get|got)\s+(?:\w+ly\s+)?$", re.I)
_PREPOSITION_BEFORE = re.compile(r"\b(?:in|at|of|from|for|to|near|into|on|by|with|against|about|over|under|between"
                                 r"|among|including|like|than|via|across|outside|inside|toward|towards)\s+(?:the\s+)?$",
                                 re.I)
_OBJECT_GAP = re.compile(
    r"^\s+(?:(?:with|on|against|to)\s+)?(?:(?:the|a|an|its|his|her|their)\s+)?(?:[a-z][\w-]*\s+){0,1}"
    r"(?:(?:with|on|against|to)\s+)?(?:the\s+)?$")
SYMMETRIC = frozenset({"meeting", "agreement", "summit", "war"})  # "Kim and Shoigu talked": one meets the other
_NOUN_OBJECT_GAP = re.compile(r"^\s+(?:on|against|of|with|at|targeting)\s+(?:the\s+)?$", re.I)
_BY_GAP = re.compile(r"^\s+by\s+(?:the\s+)?$", re.I)
_POSSESSIVE_GAP = re.compile(r"^['’]s?\s+(?:[a-z][\w-]*\s+)?$")


def news_organisation(text: str, publishers: frozenset[str] = frozenset()) -> bool:
    """A news organisation (an agency or a publisher): the source of a report, never a doer in it."""
    lowered = text.lower().strip()
    return lowered in NEWS_ORGANISATIONS or lowered in publishers or lowered.removeprefix("the ") in publishers


_COMPASS = frozenset(word_list("North South East West Central Northern Southern Eastern Western Greater Downtown"))


def place_like(text: str) -> bool:
    """A name that is a place even when typed otherwise ("Malheur National Wildlife Refuge", "South Los Angeles")."""
    from builder.analyse.entities import lexicon

    lex = lexicon()
    words = text.split()
    return text in lex.places or (len(words) > 1 and (words[-1] in lex.place_words or words[-1] in ("Refuge", "Forest")
                                                      or (words[0] in _COMPASS and " ".join(words[1:]) in lex.places)))


def trigger_is_noun(text: str, trigger: TriggerMatch) -> bool:
    """Whether a trigger reads as a noun ("the attack", "the San Bernardino shooters") rather than a verb."""
    word = trigger.group(0).lower()
    if word.endswith(("er", "ers")) and word not in ("murder", "murders"):
        return True  # "the shooters", "attackers": the doers, not the deed
    if not trigger.noun:
        return False
    before = text[: trigger.start()]
    if _DETERMINER_BEFORE.search(before):
        return True
    # "the San Bernardino attack": capitalised words between a determiner and the trigger
    return bool(re.search(r"\b(?:the|a|an|its|his|her|their)\s+(?:[A-Z][\w'’.-]*\s+){1,4}$", before))


def sentence_roles(text: str, offset: int, trigger: TriggerMatch, names: list[Name], kind: EventType,
                   ) -> tuple[str | None, str | None]:
    """The doer and the one done to, from the trigger's own arguments in its sentence (`names`: the sentence's
    names that may take part, with offsets `offset`-based): the subject right before a verb trigger (or the
    agent after "by" in the passive), the object right after it; for a noun trigger "X's attack on Y",
    "the arrest of Y by X".  A place never does what needs an agent."""
    spans = sorted(((n.start - offset, n.start - offset + len(n.text), n) for n in names), key=lambda s: s[0])
    start, end = trigger.start(), trigger.end()
    left = [(s, e, n) for s, e, n in spans if e <= start]
    right = [(s, e, n) for s, e, n in spans if s >= end]

    def subject() -> Name | None:
        for s, e, n in reversed(left):
            gap = re.sub(r"\s*\([^()]{0,15}\)", "", text[e:start])  # "Apple Inc (AAPL.O) said"
            if len(gap.split()) > 6 or _CLAUSE_BREAK.search(gap):
                return None
            if _PREPOSITION_BEFORE.search(text[:s]):
                continue  # "the refuge in Oregon": not a subject
            return n
        return None

    def after(gap_pattern: re.Pattern) -> Name | None:
        for s, _, n in right:
            gap = text[end:s]
            # titles and nationalities before a name belong to it: "met with Russian Defense Minister X"
            words = gap.split()
            while words and (words[-1].lower().strip(".") in TITLE_WORDS or _NATIONALITY.match(words[-1])):
                words.pop()
            if gap[:1] not in (" ", "") or "," in gap:
                return None
            return n if gap_pattern.match(f" {' '.join(words)} " if words else " ") else None
        return None

    def partner(n: Name) -> Name | None:
        """"Kim and Shoigu talked": the name joined to the subject by "and"."""
        s = n.start - offset
        for _, pe, p in reversed(left):
            if pe <= s:
                return p if re.fullmatch(r"\s+and\s+", text[pe:s]) else None
        return None

    doer = done_to = None
    if trigger_is_noun(text, trigger):
        near = left[-1] if left else None
        if near and _POSSESSIVE_GAP.match(text[near[1]:start]):
            doer = near[2]
        following = right[0] if right else None
        if following and _NOUN_OBJECT_GAP.match(text[end:following[0]]):
            done_to = following[2]
            by = next(((s, n) for s, _, n in right[1:3] if _BY_GAP.match(text[following[1]:s])), None)
            doer = doer or (by[1] if by else None)
        elif following and _BY_GAP.match(text[end:following[0]]):
            doer = following[2]
    elif _PASSIVE_BEFORE.search(text[:start]):
        done_to = subject()
        doer = after(_BY_GAP)
    else:
        doer = subject()
        done_to = after(_OBJECT_GAP)
        if doer is not None and done_to is None and kind.name in SYMMETRIC:
            other = partner(doer)
            if other is not None:
                doer, done_to = other, doer
    if doer is not None and kind.takes_object and doer.type != EntityType.PERSON and place_like(doer.text):
        doer = None  # a place does not arrest, sign or meet
    if done_to is not None and doer is not None and done_to.key == doer.key:
        done_to = None
    return (doer.key if doer else None), (done_to.key if done_to else None)


@dataclass(slots=True)  # hundreds of thousands at 10,000 articles
class Happening:
    """One reported happening: a sentence with a trigger word, and who, where and when it names."""

    source_file: str
    sentence: int
    type: str
    trigger: str
    rank: int
    participants: list[str] = field(default_factory=list)  # actor keys, in order of appearance
    place: str | None = None  # actor key
    dates: list[DateRef] = field(default_factory=list)  # dates of the sentence that may date the happening
    trigger_start: int = 0  # offset of the trigger in the sentence
    before: list[str] = field(default_factory=list)  # participants named before the trigger (the doers)
    doer: str | None = None  # who does it, read from the trigger's own arguments (sentence_roles)
    done_to: str | None = None  # to whom


def find_happenings(article: Article, names: list[Name] | None = None,
                    types: list[EventType] | None = None, publishers: frozenset[str] = frozenset()) -> list[Happening]:
    """Every sentence with a trigger word and at least a participant, a place or a date.  News organisations
    (agencies, `publishers` and the article's own source) and tickers ("Apple Inc (AAPL.O)") take no part."""
    types = types or TYPES
    triggers = SentenceTriggers(article, types)
    names = article_names(article) if names is None else names
    publishers = publishers | {article.source.lower()}
    by_sentence: dict[int, list[Name]] = defaultdict(list)
    for name in names:
        if news_organisation(name.text, publishers) or (
                article.text[name.start - 1 : name.start] == "(" and _TICKER.fullmatch(name.text)):
            continue
        by_sentence[name.sentence].append(name)
    dates_by_sentence: dict[int, list[DateRef]] = defaultdict(list)
    for ref in article.dates:
        dates_by_sentence[ref.sentence].append(ref)
    happenings = []
    for position, sentence in enumerate(article.sentences):
        text = article.text[sentence.start : sentence.end]
        matches = triggers.of(position, text)
        if not matches:
            continue
        kinds = [(m.kind, m) for m in matches]
        # The first trigger of the sentence is most often its main verb; statements yield to any other kind.
        kind, m = min(kinds, key=lambda km: (km[0].rank >= WEAK_RANK, km[1].start()))
        participants: list[str] = []
        before: list[str] = []
        place = None
        for name in sorted(by_sentence.get(sentence.index, []), key=lambda n: n.start):
            if name.type == EntityType.PLACE:
                place = place or name.key
            elif name.key not in participants:
                participants.append(name.key)
                if name.start < sentence.start + m.start():
                    before.append(name.key)
        if re.match(r"\s+by\b", text[m.end():]) or re.search(r"\b(?:was|were|been|being|is|are)\s+$",
                                                             text[: m.start()]):
            # passive ("were seized by the Iranian authorities"): the doers are named after the trigger
            after = [p for p in participants if p not in before]
            before = after
            participants = [*after, *[p for p in participants if p not in after]]
        dates = [ref for ref in dates_by_sentence.get(sentence.index, [])
                 if not REPORT_VERBS.search(article.text[max(sentence.start, _start_of(article, ref) - 20):
                                                        _start_of(article, ref)])]
        if participants or place or dates:
            takers = [n for n in by_sentence.get(sentence.index, []) if n.type != EntityType.PLACE]
            doer, done_to = sentence_roles(text, sentence.start, m, takers, kind)
            happenings.append(Happening(article.source_file, sentence.index, kind.name, m.group(0).lower(),
                                        kind.rank, participants, place, dates, m.start(), before, doer, done_to))
    return happenings


def _start_of(article: Article, ref: DateRef) -> int:
    sentence = article.sentences[ref.sentence]
    bare = ref.wording.removeprefix("on ").removeprefix("On ").removeprefix("in ").removeprefix("In ")
    position = article.text.find(bare, sentence.start, sentence.end + 1)
    return position if position >= 0 else sentence.start


LEAD_SENTENCES = 3
WEAK_RANK = 5  # kinds of this rank or more (statements) are the main event only when nothing else happens


def main_happening(happenings: list[Happening]) -> Happening | None:
    """The most newsworthy happening of the lead (or the first one of the article)."""
    lead = [h for h in happenings if h.sentence < LEAD_SENTENCES]
    if lead:
        return min(lead, key=lambda h: (h.rank >= WEAK_RANK, h.sentence))
    return happenings[0] if happenings else None


# ---------------------------------------------------------------- across articles: events


def _stable_key(*parts: str) -> str:
    return "e" + hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


PRECISION_ORDER = {Precision.DAY: 0, Precision.SPAN: 1, Precision.MONTH: 2, Precision.YEAR: 3}
BACKGROUND_DAYS = 60  # a dated happening this long before its report is background


@dataclass(slots=True)  # hundreds of thousands at 10,000 articles
class Report:
    article: Article
    happening: Happening | None
    names: NameColumns
    related: list[Happening] = field(default_factory=list)  # other happenings of the article told about it


def _display_names(reports: list[Report], actors: dict[str, Actor], wanted: set | None = None) -> dict[str, str]:
    """How the reports' names are shown: an actor's name, else the surface form most names of the key take.
    `wanted`: the keys a label will show (a key's name reads only that key's names): only those are worked out."""
    shown: dict[str, Counter] = defaultdict(Counter)
    for report in reports:
        for key, text in zip(report.names.keys, report.names.texts, strict=True):
            if wanted is None or key in wanted:
                shown[key][strip_titles(text)] += 1
    result = {}
    for key, counts in shown.items():
        if key in actors:
            result[key] = actors[key].name
        else:
            result[key] = max(counts.items(), key=lambda kv: (len(kv[0].split()) > 1, kv[1], len(kv[0])))[0]
    return result


def event_label(kind: EventType, participants: list[str], place: str | None, names: dict[str, str],
                roles: tuple[str | None, str | None] | None = None) -> str:
    """"Kim Jong Un meets Sergei Shoigu in Pyongyang".  With `roles` (doer, done to), only a doer is the subject:
    "Arrest: Ammon Bundy in Oregon" when the sentences name no one doing it."""
    shown = [names.get(p, p) for p in participants]
    where = f" in {names.get(place, place)}" if place else ""
    if roles is not None:
        doer, done_to = (names.get(k, k) if k else None for k in roles)
        if doer and (done_to or not kind.takes_object):
            return f"{doer} {kind.label} {done_to}{where}" if kind.takes_object else f"{doer} {kind.label}{where}"
        if not (done_to or doer) and not where and shown and all(place_like(n) for n in shown):
            where = f" in {shown[0]}"  # "A storm flooded Lisbon": Disaster in Lisbon
        shown = [done_to or doer] if (done_to or doer) else [n for n in shown if not place_like(n)][:1]
    if len(shown) >= 2 and kind.takes_object:
        return f"{shown[0]} {kind.label} {shown[1]}{where}"
    if shown and not kind.takes_object:
        return f"{shown[0]} {kind.label}{where}"
    if len(shown) == 1:
        return f"{kind.name.capitalize()}: {shown[0]}{where}"
    return f"{kind.name.capitalize()}{where}"


def _best_date(reports: list[Report],
               published: dict[str, date | None]) -> tuple[DateRef | None, str, str | None]:
    """The event's date (the most precise, most agreed date its reports give for it, not background),
    how it was found, and the report it was found in."""
    candidates: list[tuple[DateRef, str, bool]] = []
    for report in reports:
        if report.happening is None:
            continue
        for ref, in_main in [(d, h is report.happening) for h in [report.happening, *report.related] for d in h.dates]:
            if not ref.resolved:
                continue
            anchor = published.get(report.article.source_file)
            if anchor and (ref.end_value or ref.value) < anchor - timedelta(days=BACKGROUND_DAYS):
                continue
            candidates.append((ref, report.article.source_file, in_main))
    if candidates:
        # The best-dated report: the most precise date, the one most reports agree on (in the sentence that
        # tells the main happening before any other), then the earliest report.
        order = {r.article.source_file: n for n, r in enumerate(reports)}
        agreement = Counter((ref.value, ref.precision) for ref, _, _ in candidates)
        ref, source, _ = min(candidates, key=lambda c: (PRECISION_ORDER[c[0].precision], not c[2],
                                                        -agreement[(c[0].value, c[0].precision)], order[c[1]],
                                                        c[0].value))
        return ref, f"reported as '{ref.wording}'", source
    dated = sorted((published[r.article.source_file], r.article.source_file) for r in reports
                   if published.get(r.article.source_file))
    if dated:
        day, source = dated[0]
        sentence = next(r.happening.sentence if r.happening else 0 for r in reports if r.article.source_file == source)
        return DateRef(day, Precision.DAY, f"reported on {day.isoformat()}", sentence, rule="report-date"), \
            "the date of its earliest report", source
    return None, "undated", None


def _date_through(article: Article, report: Report, event_date: date) -> tuple[date, str] | None:
    """The article date that makes the article's own wording for the event ("on Wednesday") fall on the
    event's date, closest after the weekdays it names."""
    wording = [ref for ref in (report.happening.dates if report.happening else []) if not ref.resolved]
    named = [(ref.wording, WEEKDAYS[ref.wording.split()[-1].lower()]) for ref in article.dates
             if ref.rule == "weekday" and ref.wording.split()[-1].lower() in WEEKDAYS]
    best = None
    for lag in range(0, 7):
        day = event_date + timedelta(days=lag)
        trial = resolve_against(_copy_for_dates(article), day, "")
        own = [ref for ref in trial.dates if ref.sentence == (report.happening.sentence if report.happening else -1)]
        misses = sum(1 for ref in own if ref.precision == Precision.DAY and ref.value != event_date) if wording else 0
        score = (misses, weekday_distance(day, named), lag)
        if best is None or score < best[0]:
            best = (score, day)
    return (best[1], "") if best else None


def _copy_for_dates(article: Article) -> Article:
    return Article(article.source_file, article.content_hash, article.title, article.blocks, article.published,
                   text=article.text, sentences=article.sentences, dates=article.dates)


def group_events(articles: list[Article], actors: list[Actor] | None = None, config: object = None,
                 params: ClusterParams | None = None,
                 types: list[EventType] | None = None,
                 memo: LinkMemo | None = None) -> tuple[list[Event], list[Article]]:
    """Events reported by the articles; articles get `main_event`/`events` (and undated ones a date).
    `params`: the grouping's parameters (default: ClusterParams(), or REFERENCE_PARAMS when the config's
    event_weights is "reference").  `types`: the event types (default the built-in table; a site's own:
    load_event_types(site/event_types.toml)).  `memo`: the previous build's happenings and summaries
    (builder.link.memo), recalled where their inputs did not change."""
    type_list = types or TYPES
    if params is None:
        params = REFERENCE_PARAMS if getattr(config, "event_weights", "site") == "reference" else ClusterParams()
    actor_by_key = {actor.key: actor for actor in actors or []}
    names_of = LazyNames(articles)  # the Name objects: only where something not recalled reads them
    columns_of = LazyColumns(articles, names_of, memo)  # the names' digests; their columns where read
    publishers = frozenset(a.source.lower() for a in articles if a.source != "Unknown source")
    site_part = memo_key((types_key(type_list), sorted(publishers))) if memo is not None else b""
    happenings_of = LazyHappenings(memo, columns_of, site_part,
                                   partial(_happenings, names_of=names_of, types=type_list, publishers=publishers))
    if memo is not None and params.reference is not None:  # only what an edit touched is grouped again
        from builder.link.regroup import grouping_identity, regroup

        # The words and names of an article are read only if its vectors are not in the memo.
        unread = Counter()  # (the same empty counter for every article: regroup reads `full` for the words)
        features = [ArticleFeatures(unread, unread, *article_when(a)) for a in articles]
        identities = [grouping_identity(a.source_file, a.content_hash, columns_of.digest(a.source_file), f)
                      for a, f in zip(articles, features, strict=True)]
        groups = regroup(features, [a.source_file for a in articles], identities, params, memo,
                         full=lambda i: article_features(articles[i], names_of[articles[i].source_file]))
        identity_of = {a.source_file: identity for a, identity in zip(articles, identities, strict=True)}
        _drop_words(articles)
    else:
        features = [article_features(a, names_of[a.source_file]) for a in articles]
        identity_of = {}
        _drop_words(articles)
        groups = cluster_articles(features, params, empty_counts=True)
    del features
    main_state = _MainEvents(memo, site_part) if memo is not None and identity_of else None
    types_by_name = {kind.name: kind for kind in type_list}
    published = {a.source_file: (a.published.value.date() if a.published.value else None) for a in articles}

    events: list[Event] = []
    for group in groups:
        members = sorted((articles[i] for i in group), key=lambda a: (published[a.source_file] is None,
                                                                      published[a.source_file] or date.min,
                                                                      a.source_file))
        make = partial(_main_event, members, happenings_of, columns_of, types_by_name, published=published, memo=memo)
        if memo is None:
            made = MadeEvent(*make(actor_by_key), {})
        elif main_state is not None:
            made = main_state.made(b"".join(identity_of[a.source_file] for a in members), make, actor_by_key)
        else:
            # What the event reads: its reports (each by its content, names and date: with the types and the
            # publishers, what its happenings are made of) and, of the actors, what MadeEvent.actors lists: checked.
            parts = ("main event", EVENT_FORMAT, site_part,
                     [(a.source_file, a.content_hash, columns_of.digest(a.source_file),
                       published[a.source_file].toordinal() if published[a.source_file] else None) for a in members])
            made = memo.recall(parts, partial(_reading_actors, make, actor_by_key))
            if not _same_actors(made.actors, actor_by_key):  # an actor it names was renamed: made again
                made = _reading_actors(make, actor_by_key)
                memo.keep(parts, made)
        event = made.event
        if event is None:
            continue
        events.append(event)
        for article in members:
            article.main_event = event.key
            article.events = [event.key]
            day = made.dated.get(article.source_file)
            if day is None:
                continue
            resolve_against(article, day, f"dated through the event '{event.label}' ({event.date_how} in "
                                          f"{event.date_from}): its report of it is read as falling on "
                                          f"{event.date.value.isoformat()}")
            published[article.source_file] = day

    anew = None
    if main_state is not None:
        main_state.keep()
        anew = main_state.anew
    events.extend(background_events(articles, happenings_of, names_of, published, actor_by_key, events, publishers,
                                    type_list, memo, columns_of, anew))
    if memo is not None:
        memo.events_made_anew = frozenset(anew) if anew is not None else None
    slugs = unique_slugs([(e.key, slug_text(e)) for e in events])
    for event in events:
        event.slug = slugs[event.key]
    link_related(events, memo=memo, anew=anew)
    events.sort(key=event_order)
    return events, articles


EVENT_FORMAT = 1


class MadeEvent(NamedTuple):
    """A group's event (None: one article telling of no happening), the undated reports it dates (source file →
    day) and what its making read of the actors (key → (name, type), or None where there is none)."""

    event: Event | None
    dated: dict[str, date]
    actors: dict[str, tuple[str, EntityType] | None]


MAIN_EVENTS_SHARDS = 64


class _MainEvents:
    """Each group's MadeEvent, kept for the next build as one state in shards (memo.keep_shards), by the group's
    members: their grouping identities (regroup.grouping_identity: source file, content, names digest, date,
    years: all that a member gives its event, with `site_part`, the types and publishers, in the state's key), in
    report order.  An edit then recalls the 3,000 unchanged events of 10,000 articles with the few shards it did not
    touch, and pickles again only the shards of the groups it changed, where recalling each event as an entry of
    its own (a memo key made, an entry read and written each) cost it ~0.1-0.2 s.  An event whose actors changed
    (_same_actors) is made again, as with the entries."""

    def __init__(self, memo: LinkMemo, site_part: bytes) -> None:
        self.memo = memo
        self.parts = ("main events", EVENT_FORMAT, site_part)
        keys = memo.previous_value(self.parts)
        self.previous = load_shards(memo, keys) if isinstance(keys, list) else None
        self.old: dict[str, MadeEvent] = merged(self.previous) if self.previous is not None else {}
        self.now: dict[str, MadeEvent] = {}
        self.anew: set[str] = set()  # the keys of the events made (not recalled): all of them in a cold build

    def made(self, identities: bytes, make: Callable, actors: dict[str, Actor]) -> MadeEvent:
        """The group's MadeEvent (`identities`: its members', joined in report order): the previous build's when
        its members and the actors it read are the same, else made."""
        key = hashlib.blake2b(identities, digest_size=16).hexdigest()
        made = self.old.get(key)
        if made is None or not _same_actors(made.actors, actors):
            made = _reading_actors(make, actors)
            if made.event is not None:
                self.anew.add(made.event.key)
        else:
            self.memo.reused += 1  # (counted as a recalled entry is)
        self.now[key] = made
        return made

    def keep(self) -> None:
        """Keep this build's events for the next (before they get their slugs and related events: the values kept
        are the events as made)."""
        self.memo.keep(self.parts, keep_shards(self.memo, self.now, MAIN_EVENTS_SHARDS, self.previous))


class _ReadActors:
    """The site's actors as _main_event reads them (`key in`, `[key]`), each key it read noted with what it found."""

    def __init__(self, actors: dict[str, Actor]) -> None:
        self.actors = actors
        self.read: dict[str, tuple[str, EntityType] | None] = {}

    def __contains__(self, key: object) -> bool:
        actor = self.actors.get(key)
        self.read[key] = None if actor is None else (actor.name, actor.type)
        return actor is not None

    def __getitem__(self, key: str) -> Actor:
        actor = self.actors[key]
        self.read[key] = (actor.name, actor.type)
        return actor


def _same_actors(read: dict[str, tuple[str, EntityType] | None], actors: dict[str, Actor]) -> bool:
    return all(((actor.name, actor.type) if (actor := actors.get(key)) is not None else None) == found
               for key, found in read.items())


def _reading_actors(make: Callable, actors: dict[str, Actor]) -> MadeEvent:
    reading = _ReadActors(actors)
    event, dated = make(reading)
    return MadeEvent(event, dated, reading.read)


def _main_event(members: list[Article], happenings_of: dict[str, list[Happening]],
                columns_of: dict[str, NameColumns], types_by_name: dict[str, EventType], actor_by_key,
                published: dict[str, date | None] | None = None,
                memo: LinkMemo | None = None) -> tuple[Event | None, dict[str, date]]:
    """The event the articles of a group report (`members`, in report order) and the day each undated report is
    dated through it (the articles are left as they are: group_events dates them).  (A recalled event does not
    carry its reports' happenings and summary to the next build: one made again finds them again, at well under
    a millisecond a report, where carrying every event's entries cost an edit ~0.2 s.)"""
    reports = [Report(a, main_happening(happenings_of[a.source_file]), columns_of[a.source_file]) for a in members]
    main = [r.happening for r in reports if r.happening]
    kind = _kind_of(main, types_by_name)
    people: Counter = Counter()
    places: Counter = Counter()
    for h in main:
        people.update(h.participants[:4])
        if h.place:
            places[h.place] += 1
    participants = [k for k, _ in sorted(people.items(), key=lambda kv: (-kv[1], _first_seen(kv[0], main)))][:6]
    place = min(places, key=lambda p: (-places[p], p)) if places else None
    participants = [p for p in participants if p != place]
    doer, done_to = _roles(main, kind.name) if kind else (None, None)
    if kind and kind.takes_object and doer in actor_by_key and actor_by_key[doer].type == EntityType.PLACE:
        doer = None  # a place does not arrest, sign or meet
    participants = list(dict.fromkeys([*(k for k in (doer, done_to) if k and k != place), *participants]))[:6]
    names = _display_names(reports, actor_by_key, {*participants, place, doer, done_to})
    first = reports[0].article
    if kind is None and (len(reports) < 2 or not any(r.article.sentences for r in reports)):
        return None, {}  # one article that tells of no happening: no event of its own
    if kind is None:
        label = first.title or first.source_file
        type_name = "report"
    else:
        label = event_label(kind, participants, place, names, (doer, done_to))
        type_name = kind.name
    evidence = []
    for report in reports:
        source_file = report.article.source_file
        if report.happening:
            evidence.append((source_file, report.happening.sentence))
            for h in happenings_of[source_file]:
                if h is not report.happening and h.type == report.happening.type and (
                        set(h.participants) & set(participants)) and (source_file, h.sentence) not in evidence:
                    evidence.append((source_file, h.sentence))
                    report.related.append(h)
        elif report.article.sentences:
            evidence.append((source_file, 0))
    event_date, how, dated_from = _best_date(reports, published)
    event = Event(
        key=_stable_key("main", first.source_file),
        label=label,
        type=type_name,
        slug="",
        date=event_date,
        place=place,
        participants=participants,
        evidence=sorted(evidence, key=lambda e: ([r.article.source_file for r in reports].index(e[0]), e[1])),
        date_how=how,
        date_from=dated_from,
        sources=[r.article.source_file for r in reports],
    )
    summary = ("summary", [(r.article.source_file, r.article.content_hash) for r in reports], evidence)
    event.summary = recall(memo, summary, partial(combined_summary, [r.article for r in reports], evidence))
    dated = {}
    for report in reports:
        if report.article.published.value is None and event.date is not None and event.date.resolved \
                and event.date.precision == Precision.DAY:
            found = _date_through(report.article, report, event.date.value)
            if found:
                dated[report.article.source_file] = found[0]
    return event, dated


def _happenings(article: Article, names_of: LazyNames, types: list[EventType],
                publishers: frozenset[str]) -> list[Happening]:
    return find_happenings(article, names_of[article.source_file], types, publishers)


def _drop_words(articles: list[Article]) -> None:
    for article in articles:  # read into the counters: not to be held through the rest of linking
        if article.link_features is not None:
            article.link_features.words = article.link_features.word_counts = None


def date_slug(ref: DateRef | None) -> str:
    """The date in an event's address, at its own precision: 2023-07-26, 1950-06, 1950, 1950-1953."""
    if ref is None or not ref.resolved:
        return ""
    value = ref.value
    if ref.precision == Precision.YEAR:
        return str(value.year)
    if ref.precision == Precision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    if ref.precision == Precision.SPAN and ref.end_value:
        end = ref.end_value
        if end.year != value.year:
            return f"{value.year}-{end.year}"
        return f"{value.isoformat()}-{end.isoformat()}" if value != end else value.isoformat()
    return value.isoformat()


def slug_text(event: Event) -> str:
    """What an event's page name is made of: its label (without a date in brackets: the date follows) and date."""
    label = re.sub(r"\s*\([^()]*\)$", "", event.label) if event.date else event.label
    return f"{label} {date_slug(event.date)}".strip()


def _kind_of(main: list[Happening], types: dict[str, EventType]) -> EventType | None:
    counts = Counter(h.type for h in main)
    return types[min(counts, key=lambda t: (-counts[t], types[t].rank, t))] if main else None


def _roles(main: list[Happening], type_name: str) -> tuple[str | None, str | None]:
    """Who does it and to whom, by vote over the happenings' own roles (read by sentence_roles)."""
    doers: Counter = Counter()
    objects: Counter = Counter()
    for h in main:
        if h.type != type_name:
            continue
        if h.doer:
            doers[h.doer] += 1
        if h.done_to:
            objects[h.done_to] += 1
    doer = min(doers, key=lambda k: (-doers[k], k)) if doers else None
    objects.pop(doer, None)
    done_to = min(objects, key=lambda k: (-objects[k], k)) if objects else None
    return doer, done_to


def _first_seen(key: str, happenings: list[Happening]) -> tuple[int, int]:
    for number, h in enumerate(happenings):
        if key in h.participants:
            return number, h.participants.index(key)
    return len(happenings), 0


def event_order(event: Event) -> tuple:
    """Newest first; undated last; ties on the key so the order is stable."""
    return (event.date is None, -(event.date.value.toordinal()) if event.date else 0, event.key)


def _date_span(ref: DateRef) -> tuple[date, date]:
    if ref.end_value:
        return ref.value, ref.end_value
    if ref.precision == Precision.YEAR:
        return ref.value, date(ref.value.year, 12, 31)
    if ref.precision == Precision.MONTH:
        following = date(ref.value.year + ref.value.month // 12, ref.value.month % 12 + 1, 1)
        return ref.value, following - timedelta(days=1)
    return ref.value, ref.value


def nearest_trigger(text: str, start: int, end: int, types: list[EventType] | None = None,
                    matches: list[TriggerMatch] | None = None) -> tuple[EventType, TriggerMatch] | None:
    """The trigger word closest to a date in a sentence (within a few words of it).  `matches`: the
    sentence's triggers (triggers_for(types).finditer(text)), when the caller has them already."""
    types = types or TYPES
    best = None
    for m in triggers_for(types).finditer(text) if matches is None else matches:
        distance = max(m.start() - end, start - m.end(), 0) + (10 if m.end() <= start else 0)  # "1950-53 war"
        if distance > 60:
            continue
        kind = m.kind
        if best is None or (distance, kind.rank) < best[0]:
            best = ((distance, kind.rank), kind, m)
    return (best[1], best[2]) if best else None


@dataclass(slots=True)  # hundreds of thousands at 10,000 articles
class DatedMention:
    article: Article
    sentence: int
    kind: EventType
    trigger: TriggerMatch
    ref: DateRef
    participants: list[str]
    place: str | None
    roles: tuple[str | None, str | None] = (None, None)  # doer, done to (sentence_roles)


MENTIONS_FORMAT = 1


def _packed_mentions(article: Article, main: DateRef | None, main_type: str | None, names_of: dict[str, list[Name]],
                     publishers: frozenset[str], anchor: date | None, types: list[EventType]) -> list[tuple]:
    """An article's dated mentions (background_events), each as (sentence, type name, trigger start, end and
    text, is-noun, the date's place in article.dates, participants, place, roles): small to keep in the memo."""
    triggers = SentenceTriggers(article, types)
    by_sentence: dict[int, list[Name]] = defaultdict(list)
    own = publishers | {article.source.lower()}
    for name in names_of[article.source_file]:
        if not news_organisation(name.text, own) and not (
                article.text[name.start - 1 : name.start] == "(" and _TICKER.fullmatch(name.text)):
            by_sentence[name.sentence].append(name)
    packed = []
    for number, ref in enumerate(article.dates):
        if not ref.resolved or (main and ref.value == main.value) or ref.rule in ("relative-day",):
            continue
        sentence = article.sentences[ref.sentence]
        text = article.text[sentence.start : sentence.end]
        position = _start_of(article, ref) - sentence.start
        bare = ref.wording.removeprefix("on ").removeprefix("On ").removeprefix("in ").removeprefix("In ")
        found = nearest_trigger(text, position, position + len(bare), types, triggers.of(ref.sentence, text))
        if found is None or found[0].name in ("statement", "accusation", "denial"):
            continue
        kind, trigger = found
        far_back = anchor and _date_span(ref)[1] < anchor - timedelta(days=BACKGROUND_DAYS)
        if main and not far_back and (kind.name == main_type or abs((ref.value - main.value).days) <= 1):
            continue  # the main event itself, told again
        near = (sentence.start + trigger.start() - 60, sentence.start + trigger.end() + 60)
        people = [n for n in sorted(by_sentence[ref.sentence], key=lambda n: n.start)
                  if near[0] <= n.start <= near[1]]
        place = next((n.key for n in people if n.type == EntityType.PLACE), None)
        participants = list(dict.fromkeys(n.key for n in people if n.type != EntityType.PLACE))
        if not far_back and not participants and not place:
            continue  # a recent happening with no one and nowhere named: too vague to stand alone
        roles = sentence_roles(text, sentence.start, trigger, [n for n in people if n.type != EntityType.PLACE],
                               kind)
        packed.append((ref.sentence, kind.name, trigger.begin, trigger.finish, trigger.text, trigger.noun, number,
                       participants, place, roles))
    return packed


def _unpacked_mentions(article: Article, packed: list[tuple], types: dict[str, EventType]) -> list[DatedMention]:
    mentions = []
    for sentence, type_name, begin, finish, text, noun, number, participants, place, roles in packed:
        kind = types[type_name]
        mentions.append(DatedMention(article, sentence, kind, TriggerMatch(kind, begin, finish, text, noun),
                                     article.dates[number], participants, place, roles))
    return mentions


class Bucket(NamedTuple):
    """One bucket of dated mentions (background_events: same type, event word and year), as the next build recalls
    it: its items in order (source file, the item's place in its article's dated mentions, the packed item), the
    events its groups made (before the whole site's events drop a key seen before) and what making them read of the
    actors (key → (name, type), or None where there is none)."""

    key: tuple[str, str, int]
    items: list[tuple[str, int, tuple]]
    events: list[Event]
    actors: dict[str, tuple[str, EntityType] | None]


class BackgroundState(NamedTuple):
    """What background_events keeps for the next build, both dicts in shards (memo.keep_shards): each article's
    dated mentions' digest (what they read, as their memo key) and the names of the buckets they fall in; each
    bucket (Bucket) by its name."""

    articles: list[bytes]
    buckets: list[bytes]


BACKGROUND_FORMAT = 1
BACKGROUND_SHARDS = 64


def _bucket_name(type_name: str, trigger_text: str, year: int) -> str:
    return f"{type_name}\x1f{trigger_text.lower().rstrip('s')}\x1f{year}"


def _bucket_events(items: list[DatedMention], actors: dict[str, Actor], published: dict[str, date | None],
                   columns_of: LazyColumns, type_name: str) -> tuple[list[Event], dict]:
    """The events of one bucket's dated mentions (in article order), and what their labels read of the actors."""
    reading = _ReadActors(actors)
    events = []
    for group in group_dated_mentions(items):
        best = min(group, key=lambda i: (PRECISION_ORDER[i.ref.precision], i.article.source_file, i.sentence))
        reports = [Report(i.article, None, columns_of[i.article.source_file]) for i in group]
        names = _display_names(reports, reading, {*best.participants, best.place, *best.roles})
        label = nominal_label(best.article.sentence_text(best.sentence), best.trigger, best.ref, best.kind,
                              best.participants, best.place, names, best.roles)
        key = _stable_key("dated", type_name, best.ref.value.isoformat(), label)
        latest = [published.get(i.article.source_file) or max(
            (r.value for r in i.article.dates if r.resolved), default=None) for i in group]
        latest = [d for d in latest if d]
        background = bool(latest and _date_span(best.ref)[1] < min(latest) - timedelta(days=BACKGROUND_DAYS))
        evidence = sorted({(i.article.source_file, i.sentence) for i in group})
        event = Event(key=key, label=label, type=type_name, slug="", date=best.ref, place=best.place,
                      participants=list(dict.fromkeys(p for i in group for p in i.participants))[:6],
                      evidence=evidence, date_how=f"given as '{best.ref.wording}'",
                      date_from=best.article.source_file,
                      background=background, sources=sorted({i.article.source_file for i in group}))
        event.summary = evidence[:3]
        events.append(event)
    return events, reading.read


def background_events(articles: list[Article], happenings_of: dict[str, list[Happening]],
                      names_of: dict[str, list[Name]], published: dict[str, date | None],
                      actors: dict[str, Actor], main_events: list[Event],
                      publishers: frozenset[str] = frozenset(),
                      types: list[EventType] | None = None, memo: LinkMemo | None = None,
                      columns_of: LazyColumns | None = None, anew: set[str] | None = None) -> list[Event]:
    """Happenings with their own date other than an article's main event ("the armistice of July 27, 1953",
    "the 1950-53 Korean War"): each resolved date with an event word next to it.  Across articles they merge
    when type and event word agree and their dates overlap (blocking on type, word and year).  `columns_of`:
    each article's names as NameColumns and their digests (made from `names_of` when not given).

    `memo`: the previous build's BackgroundState.  An article's dated mentions read the article, its names, its
    date, its main event's date and type, the types and the publishers (their digest); a bucket's events read its
    dated mentions in article order, their articles' dates and the names and types of the actors their labels
    show.  So only the articles whose digest changed (added, edited, renamed, dated otherwise) are scanned again,
    only the buckets they fall in now or fell in before are grouped again, and the other buckets' events are the
    previous build's, unless an actor they read changed or their articles' order did.  `anew`, when given, gets
    the keys of the events of the buckets grouped again, as they are now and as they were (all, with no previous
    state): any other event is the previous build's event of its key, as made.  (A key two buckets make is the
    first one's: a bucket grouped again that makes it, or made it, names it.)"""
    types = types or TYPES
    if columns_of is None:
        columns_of = LazyColumns(articles, names_of, memo)
    main_dates = {e.key: e.date for e in main_events}
    main_types = {e.key: e.type for e in main_events}
    types_by_name = {kind.name: kind for kind in types}
    site_part = memo_key((types_key(types), sorted(publishers))) if memo is not None else b""
    state_parts = ("background events", BACKGROUND_FORMAT)
    previous = _previous_background(memo, state_parts) if memo is not None else None
    old_articles, old_buckets = (merged(previous[0]), merged(previous[1])) if previous is not None else ({}, {})
    by_source = {article.source_file: article for article in articles}
    position = {article.source_file: n for n, article in enumerate(articles)}
    kept_articles: dict[str, tuple[bytes, tuple[str, ...]]] = {}
    touched: set[str] = set()  # the source files whose dated mentions are not the previous build's
    new_items: dict[str, list[tuple[str, int, tuple]]] = defaultdict(list)
    for article in articles:
        source_file = article.source_file
        main = main_dates.get(article.main_event or "")
        main_type = main_types.get(article.main_event or "") if main else None
        anchor = published.get(source_file)
        digest = b""
        if memo is not None:
            # What the mentions read: the article, its names (their digest), its main event's date and type, its
            # date, the types and the publishers.  The article's dates are its content's, or, when it is undated
            # and an event dated it, its content's resolved against that day: its date, so its content and its date
            # name them.
            # (The names' digest names the article by its source file and content hash: names_digest.)
            digest = memo_key(("dated mentions", MENTIONS_FORMAT, site_part,
                               columns_of.digest(source_file) or names_digest(article),
                               main.value.toordinal() if main else None, main_type,
                               anchor.toordinal() if anchor else None))
            old = old_articles.get(source_file)
            if old is not None and old[0] == digest:
                kept_articles[source_file] = old
                continue
        touched.add(source_file)
        packed = _packed_mentions(article, main, main_type, names_of, publishers, anchor, types)
        names = []
        for number, item in enumerate(packed):
            name = _bucket_name(item[1], item[4], article.dates[item[6]].value.year)
            new_items[name].append((source_file, number, item))
            names.append(name)
        kept_articles[source_file] = (digest, tuple(dict.fromkeys(names)))
    touched.update(source for source in old_articles if source not in kept_articles)
    redo = set(new_items)
    for source in touched:
        if source in old_articles:
            redo.update(old_articles[source][1])
    buckets: dict[str, Bucket] = {}
    for name in {*old_buckets, *new_items}:
        old = old_buckets.get(name)
        if old is not None and name not in redo and _same_actors(old.actors, actors) and all(
                position[a] < position[b] for (a, _, _), (b, _, _) in pairwise(old.items) if a != b):
            buckets[name] = old
            continue
        if anew is not None and old is not None:
            anew.update(event.key for event in old.events)
        items = [item for item in old.items if item[0] not in touched] if old is not None else []
        items += new_items.get(name, [])
        if not items:
            continue
        items.sort(key=lambda item: (position[item[0]], item[1]))
        mentions = [mention for source, _, item in items
                    for mention in _unpacked_mentions(by_source[source], [item], types_by_name)]
        type_name = items[0][2][1]
        year = by_source[items[0][0]].dates[items[0][2][6]].value.year
        made, read = _bucket_events(mentions, actors, published, columns_of, type_name)
        if anew is not None:
            anew.update(event.key for event in made)
        buckets[name] = Bucket((type_name, mentions[0].trigger.group(0).lower().rstrip("s"), year), items, made, read)
    if memo is not None:
        before = previous if previous is not None else (None, None)
        memo.keep(state_parts, BackgroundState(
            keep_shards(memo, kept_articles, BACKGROUND_SHARDS, before[0], touched),
            keep_shards(memo, buckets, BACKGROUND_SHARDS, before[1])))
    events = []
    seen_keys: set[str] = set()
    for bucket in sorted(buckets.values(), key=lambda b: b.key):
        for event in bucket.events:
            key = event.key
            if key in seen_keys:
                continue
            seen_keys.add(key)
            events.append(event)
            for source in event.sources:
                article_events = by_source[source].events
                if key not in article_events:
                    article_events.append(key)
    return events


def _previous_background(memo: LinkMemo, parts: tuple) -> tuple[Shards, Shards] | None:
    kept = memo.previous_value(parts)
    if not isinstance(kept, BackgroundState):
        return None
    shards = load_shards(memo, kept.articles), load_shards(memo, kept.buckets)
    return None if None in shards else shards


def _spans_overlap(one: tuple[date, date], other: tuple[date, date]) -> bool:
    return one[0] <= other[1] and other[0] <= one[1]


def group_dated_mentions(items: list[DatedMention]) -> list[list[DatedMention]]:
    """One bucket's dated mentions in groups, each of one happening: an item joins the first group holding an
    item whose date overlaps its own and which names one of its participants or its place (any item whose date
    overlaps, when it names no one and nowhere); else it starts a group.

    A bucket grows with the site (every "attack" of 2016), and asking every item already grouped would be
    quadratic in its size.  Its items have few distinct date spans, though (the days and months of one year,
    the year, a few spans of years), so an item asks those instead: for each span, the first group holding an
    item of that span, among all items and among those naming each participant or place.  Same groups, in the
    same order; at most (names + 1) x (distinct spans) comparisons an item."""
    groups: list[list[DatedMention]] = []
    first_of_span: dict[tuple[date, date], int] = {}  # span → the first group with an item of that span
    first_naming: dict[str, dict[tuple[date, date], int]] = defaultdict(dict)  # the same, of the items naming…
    for item in items:
        span = _date_span(item.ref)
        who = {*item.participants, *([item.place] if item.place else [])}
        tables = [first_naming[name] for name in who if name in first_naming] if who else [first_of_span]
        found = min((group for table in tables for other, group in table.items() if _spans_overlap(span, other)),
                    default=len(groups))
        if found == len(groups):
            groups.append([])
        groups[found].append(item)
        for table in (first_of_span, *(first_naming[name] for name in who)):
            if table.get(span, found) >= found:
                table[span] = found
    return groups


def nominal_label(sentence: str, trigger: TriggerMatch, ref: DateRef, kind: EventType, participants: list[str],
                  place: str | None, names: dict[str, str],
                  roles: tuple[str | None, str | None] = (None, None)) -> str:
    """A label for a dated happening: "Korean War (1950–53)", "Armistice (July 27, 1953)"."""
    before = sentence[: trigger.start()].split()
    words: list[str] = []
    for word in reversed(before):
        if word[:1].isupper() and word.strip(",.;:") == word and word not in NOT_NAMES:
            words.insert(0, word)
        else:
            break
    head = trigger.group(0)
    if words:
        phrase = " ".join([*words, head[:1].upper() + head[1:]])
    elif roles[0] and (roles[1] or not kind.takes_object):
        phrase = event_label(kind, participants, place, names, roles)
    else:
        phrase = head[:1].upper() + head[1:]
        if participants:
            phrase += f": {names.get(participants[0], participants[0])}"
    when = ref.wording.removeprefix("in ").removeprefix("on ").removeprefix("In ").removeprefix("On ")
    if ref.precision == Precision.SPAN and ref.end_value:
        last = ref.end_value.year
        when = f"{ref.value.year}–{str(last)[-2:] if last // 100 == ref.value.year // 100 else last}"
    return f"{phrase} ({when})"


# ---------------------------------------------------------------- combined summary and related events

SUMMARY_SENTENCES = 5
POSITION_WEIGHT = 0.0  # extra score for early sentences; 0.1-0.6 lowered ROUGE on wikinewssum (candidates are
# already only the first 8 sentences of each report)


def combined_summary(reports: list[Article], evidence: list[tuple[str, int]],
                     count: int = SUMMARY_SENTENCES) -> list[tuple[str, int]]:
    """Sentences from all reports, central to what they share and not repeating each other (greedy, MMR-like):
    each candidate is scored by its cosine with the reports' shared word profile and its position."""
    if not reports:
        return []
    profile: Counter = Counter()
    for article in reports:
        profile.update(set(content_words(article.text)))
    shared = {w: c for w, c in profile.items() if c > 1} if len(reports) > 1 else dict(profile)
    norm = math.sqrt(sum(c * c for c in shared.values())) or 1.0
    evidence_set = set(evidence)
    candidates = []
    for article in reports:
        for sentence in article.sentences[:8]:
            words = set(content_words(article.sentence_text(sentence.index)))
            if len(words) < 4:
                continue
            centrality = sum(shared.get(w, 0) for w in words) / (norm * math.sqrt(len(words)))
            bonus = 0.15 if (article.source_file, sentence.index) in evidence_set else 0.0
            score = centrality + bonus + POSITION_WEIGHT / (1 + sentence.index)
            candidates.append((score, article.source_file, sentence.index, words))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    chosen: list[tuple[str, int, set]] = []
    for _, source_file, index, words in candidates:
        if any(len(words & other) / len(words | other) > 0.35 for _, _, other in chosen):
            continue
        chosen.append((source_file, index, words))
        if len(chosen) == count:
            break
    order = {a.source_file: n for n, a in enumerate(reports)}
    return sorted(((s, i) for s, i, _ in chosen), key=lambda e: (order[e[0]], e[1]))


RELATED_DAYS = 45  # events this close in time that share a participant or the place are related


RELATED_FORMAT = 2
RELATED_SHARDS = 64


class RelatedState(NamedTuple):
    """What link_related keeps for the next build: each event's signature (what of it link_related reads: the
    actor keys it names, its reports, its date span) and its related events, by event key: (signature, related)
    in shards (memo.keep_shards: an edit pickles again only the shards of the events whose entries changed)."""

    shards: list[bytes]


def _related_signature(event: Event) -> tuple:
    span = _date_span(event.date) if event.date is not None else None
    return (sorted({*event.participants, *([event.place] if event.place else [])}), sorted(set(event.sources)),
            span)


def _unaffected(signatures: dict[str, tuple], previous: dict[str, tuple[tuple, list[str]]],
                anew: frozenset[str] | set[str] | None = None) -> set[str]:
    """The events whose related events are the previous build's (`previous`: its (signature, related) by key): an
    event's related events read its own signature and, through the postings of its actor keys and reports, the
    signatures of the events sharing one with it (and how many do).  So an event that is the same and shares no
    actor key or report with an event that is new, gone or changed (as it is now or as it was) reads the same
    postings: same related events.  `anew`: the keys of the events that may differ from the previous build's (the
    others' signatures are the previous ones: not compared)."""
    old = {key: entry[0] for key, entry in previous.items()}
    asked = signatures if anew is None else [key for key in signatures if key in anew or key not in old]
    changed = [key for key in asked if old.get(key) != signatures[key]]
    changed += [key for key in old if key not in signatures]
    touched_actors: set[str] = set()
    touched_reports: set[str] = set()
    for key in changed:
        for signature in (signatures.get(key), old.get(key)):
            if signature is not None:
                touched_actors.update(signature[0])
                touched_reports.update(signature[1])
    changed_set = set(changed)
    return {key for key, (names, sources, _) in signatures.items()
            if key not in changed_set and key in previous
            and touched_actors.isdisjoint(names) and touched_reports.isdisjoint(sources)}


def _previous_related(memo: LinkMemo, parts: tuple) -> tuple[Shards, dict[str, tuple[tuple, list[str]]]] | None:
    kept = memo.previous_value(parts)
    shards = load_shards(memo, kept.shards) if isinstance(kept, RelatedState) else None
    return None if shards is None else (shards, merged(shards))


def link_related(events: list[Event], limit: int = 5, memo: LinkMemo | None = None,
                 anew: frozenset[str] | set[str] | None = None) -> None:
    """Related events: those reported by the same article (a main event and the background it cites), and those
    sharing participants or the place within RELATED_DAYS of each other (or undated), found through inverted
    indexes; most shared first, then nearest in time.  `memo`: the previous build's related events, kept for
    the events an edit did not reach (_unaffected); this build's are kept in it for the next.  `anew`: the keys of
    the events that may differ from the previous build's event of the same key (group_events: those made again,
    not recalled whole), when known: the others' signatures are the previous build's, not worked out again."""
    keep: set[str] = set()
    state_parts = ("related events", RELATED_FORMAT, limit)
    signatures = {}
    previous = None
    entries: dict[str, tuple[tuple, list[str]]] = {}
    if memo is not None and len({event.key for event in events}) == len(events):
        previous = _previous_related(memo, state_parts)
        entries = previous[1] if previous is not None else {}
        if previous is not None and anew is not None:
            signatures = {event.key: entries[event.key][0] if event.key not in anew and event.key in entries
                          else _related_signature(event) for event in events}
        else:
            signatures = {event.key: _related_signature(event) for event in events}
        if previous is not None:
            keep = _unaffected(signatures, entries, anew)
            for event in events:
                if event.key in keep:
                    event.related = list(entries[event.key][1])
    by_actor: dict[str, list[int]] = defaultdict(list)
    by_source: dict[str, list[int]] = defaultdict(list)
    if signatures:  # what the postings and spans are made of, worked out once (the events in the same order)
        read = [signatures[event.key] for event in events]
        if len(keep) < len(events):  # (an unchanged build reads no postings)
            # Only the postings the events ranked below read: of their actor keys and reports (each whole, so its
            # length is what a cold run sees).  An edit ranks a few dozen events of thousands: appending every
            # event to the postings of all its keys was most of its link_related.
            actors_read: set[str] = set()
            reports_read: set[str] = set()
            for event, (names, sources, _) in zip(events, read, strict=True):
                if event.key not in keep:
                    actors_read.update(names)
                    reports_read.update(sources)
            for index, (names, sources, _) in enumerate(read):
                if not actors_read.isdisjoint(names):
                    for key in names:
                        by_actor[key].append(index)
                if not reports_read.isdisjoint(sources):
                    for source_file in sources:
                        by_source[source_file].append(index)
        spans = [span for _, _, span in read]
    else:
        for index, event in enumerate(events):
            for key in {*event.participants, *([event.place] if event.place else [])}:
                by_actor[key].append(index)
            for source_file in set(event.sources):
                by_source[source_file].append(index)
        spans = [_date_span(event.date) if event.date is not None else None for event in events]

    def apart(first: int, second: int) -> int:
        a, b = spans[first], spans[second]
        if a is None or b is None:
            return 0
        (a_start, a_end), (b_start, b_end) = a, b
        return max((b_start - a_end).days, (a_start - b_end).days, 0)

    for index, event in enumerate(events):
        if event.key in keep:
            continue
        shared: Counter = Counter()
        for key in {*event.participants, *([event.place] if event.place else [])}:
            postings = by_actor[key]
            if len(postings) > 200:
                continue
            for other in postings:
                if other != index and apart(index, other) <= RELATED_DAYS:
                    shared[other] += 1
        for source_file in set(event.sources):
            postings = by_source[source_file]
            if len(postings) > 200:
                continue
            for other in postings:
                if other != index:
                    shared[other] += 2
        ranked = sorted(shared.items(), key=lambda kv: (-kv[1], apart(index, kv[0]), events[kv[0]].key))
        event.related = [events[o].key for o, _ in ranked[:limit]]
    if signatures:  # (an event whose related events were kept keeps its previous entry: its shard is carried)
        now = {event.key: entries[event.key] if event.key in keep else (signatures[event.key], event.related)
               for event in events}
        memo.keep(state_parts, RelatedState(keep_shards(memo, now, RELATED_SHARDS,
                                                        previous[0] if previous is not None else None)))
