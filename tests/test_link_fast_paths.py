"""The link stage's fast paths give exactly what the plain versions they replaced gave (same floats, same order)."""

from __future__ import annotations

import hashlib
import heapq
import random
import re
from collections import Counter, defaultdict
from operator import itemgetter

from builder.link.actors import MAX_CO_ACTORS, _co_actors
from builder.link.duplicates import shingles
from builder.link.events import ClusterParams, Vector, _blocked_pairs, _pair_cosines
from builder.model import Actor, EntityType


def random_vectors(seed: int, count: int = 60) -> list[dict[str, float]]:
    rng = random.Random(seed)
    vocabulary = [f"w{n}" for n in range(400)]
    vectors = []
    for _ in range(count):
        terms = rng.sample(vocabulary, rng.randint(0, 40))
        vectors.append({t: rng.random() for t in terms})
    vectors.append(dict(vectors[0]))  # two vectors of one length: the first of the pair leads
    return vectors


def plain_cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum([v * b[t] for t, v in a.items() if t in b])


def plain_candidate_pairs(vectors: list[dict[str, float]], params: ClusterParams) -> list[tuple[int, int]]:
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
    params = ClusterParams(neighbours=5, max_postings=8)
    for seed in range(5):
        vectors = random_vectors(seed)
        expected = list(dict.fromkeys(plain_candidate_pairs(vectors, params)))
        assert list(_blocked_pairs([[Vector.of(v.items()) for v in vectors]], params)) == list(set(expected))
        assert _blocked_pairs([[Vector.of(v.items()) for v in vectors]], params) == set(expected)


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
        assert _co_actors(key, positions, articles, actors) == expected


def test_blocked_pairs_over_two_kinds_are_the_plain_candidates_of_the_joined_vectors():
    """Blocking on words and names at once is blocking on one vector per article holding both kinds (a kind's
    features never meeting the other's), its kinds' features in table order."""
    params = ClusterParams(neighbours=4, max_postings=6)
    for seed in range(4):
        words, names = random_vectors(seed), random_vectors(seed + 100)
        joined = [{**{f"w:{t}": x for t, x in w.items()}, **{f"n:{t}": x for t, x in n.items()}}
                  for w, n in zip(words, names, strict=True)]
        expected = set(plain_candidate_pairs(joined, params))
        tables = [[Vector.of(v.items()) for v in words], [Vector.of(v.items()) for v in names]]
        assert _blocked_pairs(tables, params) == expected
