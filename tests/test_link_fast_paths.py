"""The link stage's fast paths give exactly what the plain versions they replaced gave (same floats, same order)."""

from __future__ import annotations

import hashlib
import heapq
import random
import re
from collections import Counter, defaultdict
from operator import itemgetter

import numpy as np

from builder.link.co_actors import MAX_CO_ACTORS, co_actors
from builder.link.events import ClusterParams, Vector, _blocked_pairs, _pair_cosines
from builder.link.shingles import shingles
from builder.model import Actor, EntityType

# Made-up words the reference table does not know (rare), and common English words (not rare): blocking uses
# only the first.
VOCABULARY = [f"zq{n}x" for n in range(300)] + ["government", "house", "people", "water", "police", "city", "week",
                                                "world", "family", "school", "money", "night", "party", "market"] * 7


def random_vectors(seed: int, count: int = 60) -> list[dict[str, float]]:
    rng = random.Random(seed)
    vectors = []
    for _ in range(count):
        terms = list(dict.fromkeys(rng.sample(VOCABULARY, rng.randint(0, 40))))
        vectors.append({t: rng.random() for t in terms})
    vectors.append(dict(vectors[0]))  # two vectors of one length: the first of the pair leads
    return vectors


def random_ranks(seed: int, count: int) -> np.ndarray:
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return np.array(order, dtype=np.intp)


def plain_cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum([v * b[t] for t, v in a.items() if t in b])


def plain_candidate_pairs(vectors: list[dict[str, float]], params: ClusterParams, ranks: np.ndarray,
                          rare=None) -> list[tuple[int, int]]:
    """Each article's candidates: of each rare feature's articles in time order, the params.window on either side
    of it, scored by the summed weight of the shared features, the params.neighbours best."""
    rare = rare or params.reference.rare
    postings: dict[str, list[int]] = defaultdict(list)
    for index, vector in enumerate(vectors):
        for feature in vector:
            postings[feature].append(index)
    for docs in postings.values():
        docs.sort(key=lambda i: ranks[i])
    pairs = []
    for index, vector in enumerate(vectors):
        scores: dict[int, float] = defaultdict(float)
        for feature, weight in vector.items():
            if not rare(feature):
                continue
            docs = postings[feature]
            at = docs.index(index)
            for other in docs[max(0, at - params.window) : at + params.window + 1]:
                scores[other] += weight
        scores.pop(index, None)
        for other, _ in heapq.nlargest(params.neighbours, scores.items(), key=itemgetter(1)):
            pairs.append((min(index, other), max(index, other)))
    return pairs


def plain_site_candidate_pairs(vectors: list[dict[str, float]], params: ClusterParams) -> list[tuple[int, int]]:
    """"site" weights: a feature in at most params.max_postings articles finds all of them."""
    postings: dict[str, list[int]] = defaultdict(list)
    for index, vector in enumerate(vectors):
        for feature in vector:
            postings[feature].append(index)
    rare = {feature: docs for feature, docs in postings.items() if len(docs) <= params.max_postings}
    pairs = []
    for index, vector in enumerate(vectors):
        scores: dict[int, float] = defaultdict(float)
        for feature, weight in vector.items():
            for other in rare.get(feature, ()):
                scores[other] += weight
        scores.pop(index, None)
        for other, _ in heapq.nlargest(params.neighbours, scores.items(), key=itemgetter(1)):
            pairs.append((min(index, other), max(index, other)))
    return pairs


def test_pair_cosines_are_the_plain_sums():
    for seed in range(5):
        vectors = random_vectors(seed)
        pairs = [(i, j) for i in range(len(vectors)) for j in range(i + 1, len(vectors))]
        fast = _pair_cosines([Vector.of(v.items()) for v in vectors], pairs)
        assert fast == [plain_cosine(vectors[i], vectors[j]) for i, j in pairs]


def test_blocked_pairs_are_the_plain_candidates_in_the_same_order():
    params = ClusterParams(neighbours=5, window=4, weights="reference")
    for seed in range(5):
        vectors = random_vectors(seed)
        ranks = random_ranks(seed, len(vectors))
        expected = list(dict.fromkeys(plain_candidate_pairs(vectors, params, ranks)))
        assert list(_blocked_pairs([[Vector.of(v.items()) for v in vectors]], params, ranks)) == list(set(expected))
        assert _blocked_pairs([[Vector.of(v.items()) for v in vectors]], params, ranks) == set(expected)


def test_site_weights_block_as_before():
    """"site" weights (the default) block on the features in at most max_postings articles, whatever the time
    order: the plain candidates, in the same order."""
    params = ClusterParams(neighbours=5, max_postings=8)
    for seed in range(5):
        vectors = random_vectors(seed)
        ranks = random_ranks(seed, len(vectors))
        expected = list(dict.fromkeys(plain_site_candidate_pairs(vectors, params)))
        assert list(_blocked_pairs([[Vector.of(v.items()) for v in vectors]], params, ranks)) == list(set(expected))


def test_common_english_words_find_no_candidates():
    """Rarity is the reference table's: two articles sharing only common words are never candidates, two sharing
    a word the table does not know are, however many other articles the site has."""
    params = ClusterParams(neighbours=5, window=4, weights="reference")
    common = [{"government": 1.0, "police": 0.5} for _ in range(6)]
    assert _blocked_pairs([[Vector.of(v.items()) for v in common]], params) == set()
    rare = [{"government": 1.0, "zqshoiguzq": 0.5}, {"zqshoiguzq": 0.5}, {"police": 1.0}]
    assert _blocked_pairs([[Vector.of(v.items()) for v in rare]], params) == {(0, 1)}


def test_a_rare_feature_finds_only_the_articles_near_in_time():
    """Blocking stays bounded: a rare feature shared by many articles pairs each with the params.window articles
    on either side of it in time order, not with all of them."""
    params = ClusterParams(neighbours=50, window=2, weights="reference")
    vectors = [Vector.of([("zqzikazq", 1.0)]) for _ in range(10)]
    ranks = np.array([9, 8, 7, 6, 5, 4, 3, 2, 1, 0], dtype=np.intp)  # the last article is the earliest
    pairs = _blocked_pairs([vectors], params, ranks)
    assert pairs == {(i, j) for i in range(10) for j in range(i + 1, 10) if j - i <= 2}


def test_shingles_are_the_blake2b_fingerprints_of_every_five_words():
    text = "Élan vital: the quick brown fox jumps over the lazy dog, again and again. " * 3 + "Short end"
    words = re.findall(r"\w+", text.lower())
    grams = {" ".join(words[i : i + 5]) for i in range(max(0, len(words) - 4))}
    expected = {int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little") for g in grams}
    assert shingles(text) == expected
    assert shingles("too few words") == set()


def test_co_actors_are_the_first_of_the_full_sort():
    rng = random.Random(7)
    keys = [f"person/p{n}" for n in range(40)]
    actors = {k: Actor(key=k, name=rng.choice(["Kim", "Lee", "Park"]) + k[-1], type=EntityType.PERSON, slug=k)
              for k in keys}
    articles = [set(rng.sample(keys, rng.randint(1, 12))) for _ in range(200)]
    for key in keys:
        positions = [n for n, present in enumerate(articles) if key in present]
        shared: Counter = Counter()
        for n in positions:
            shared.update(other for other in articles[n] if other != key)
        expected = sorted(shared.items(), key=lambda kv: (-kv[1], actors[kv[0]].name, kv[0]))[:MAX_CO_ACTORS]
        assert co_actors(key, positions, articles, actors) == expected


def test_blocked_pairs_over_two_kinds_are_the_plain_candidates_of_the_joined_vectors():
    """Blocking on words and names at once is blocking on one vector per article holding both kinds (a kind's
    features never meeting the other's), its kinds' features in table order."""
    params = ClusterParams(neighbours=4, window=3, weights="reference")
    for seed in range(4):
        words, names = random_vectors(seed), random_vectors(seed + 100)
        joined = [{**{f"w:{t}": x for t, x in w.items()}, **{f"n:{t}": x for t, x in n.items()}}
                  for w, n in zip(words, names, strict=True)]
        ranks = random_ranks(seed, len(words))
        expected = set(plain_candidate_pairs(joined, params, ranks, lambda f: params.reference.rare(f[2:])))
        tables = [[Vector.of(v.items()) for v in words], [Vector.of(v.items()) for v in names]]
        assert _blocked_pairs(tables, params, ranks) == expected


def test_a_new_article_changes_only_the_candidates_of_the_articles_near_it():
    """"reference" weights: adding an article leaves the candidate pairs between the other articles as they were,
    but for the articles within params.window places of it in the time order of one of its rare features (what
    an incremental link would find again; tests/test_events.py has the scores and the groups)."""
    params = ClusterParams(neighbours=3, window=2, weights="reference")
    for seed in range(6):
        vectors = random_vectors(seed, count=80)
        ranks = random_ranks(seed, len(vectors) + 1)
        before = _blocked_pairs([[Vector.of(v.items()) for v in vectors]], params,
                                np.argsort(np.argsort(ranks[:-1])))
        added = len(vectors)
        after = _blocked_pairs([[Vector.of(v.items()) for v in [*vectors, vectors[seed + 1]]]], params, ranks)
        near = {added}
        for feature in vectors[seed + 1]:
            if params.reference.rare(feature):
                holders = sorted((i for i, v in enumerate([*vectors, vectors[seed + 1]]) if feature in v),
                                 key=lambda i: ranks[i])
                at = holders.index(added)
                near.update(holders[max(0, at - params.window) : at + params.window + 1])
        assert before != {pair for pair in after if added not in pair}  # the new article does change some
        assert {p for p in before if near.isdisjoint(p)} == {p for p in after if near.isdisjoint(p)}
        assert len(near) < len(vectors) // 2
