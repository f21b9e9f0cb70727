"""Duplicates: the same text published under two file names becomes one article.

Each article's text is cut into overlapping word shingles; a MinHash signature
(fixed seeds, so the same on every run and machine) is split into bands, and
only articles that share a band bucket are compared (locality-sensitive
hashing: no all-pairs comparison, linear in the number of articles).  Candidate
pairs are confirmed on the exact Jaccard similarity of their shingle sets.

The kept article of a group is chosen deterministically: a dated one before an
undated one, then the longer text, then the smaller file path; the others'
files go to `also_published_as`.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

import numpy as np

from builder.model import Article

SHINGLE_WORDS = 5
HASHES = 128
BANDS = 32  # 4 rows per band: pairs with Jaccard ≥ 0.8 share a bucket with probability > 0.999
THRESHOLD = 0.8  # exact Jaccard of shingle sets needed to call two texts the same
MIN_SHINGLES = 10  # shorter texts are never called duplicates

_MASK64 = (1 << 64) - 1
_rng = np.random.default_rng(20160110)
_XORS = _rng.integers(0, 2**63 - 1, size=HASHES, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_MULTS = _rng.integers(0, 2**63 - 1, size=HASHES, dtype=np.uint64) * np.uint64(2) + np.uint64(1)


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[int]:
    """64-bit fingerprints of every run of `size` words (lower-cased, punctuation dropped)."""
    words = re.findall(r"\w+", text.lower())
    grams = {" ".join(words[i : i + size]) for i in range(max(0, len(words) - size + 1))}
    return {int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little") for g in grams}


def signature(fingerprints: set[int]) -> np.ndarray:
    values = np.fromiter(fingerprints, dtype=np.uint64, count=len(fingerprints))
    with np.errstate(over="ignore"):
        mixed = (values[:, None] ^ _XORS[None, :]) * _MULTS[None, :]
    return mixed.min(axis=0)


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def duplicate_groups(texts: list[str], threshold: float = THRESHOLD) -> list[list[int]]:
    """Groups (of 2 or more indices, each sorted) of near-identical texts."""
    sets = [shingles(text) for text in texts]
    buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    rows = HASHES // BANDS
    for index, fingerprints in enumerate(sets):
        if len(fingerprints) < MIN_SHINGLES:
            continue
        sig = signature(fingerprints)
        for band in range(BANDS):
            buckets[(band, sig[band * rows : (band + 1) * rows].tobytes())].append(index)

    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    checked: set[tuple[int, int]] = set()
    for members in buckets.values():
        for position, i in enumerate(members):
            for j in members[position + 1 :]:
                if (i, j) in checked or find(i) == find(j):
                    continue
                checked.add((i, j))
                if jaccard(sets[i], sets[j]) >= threshold:
                    parent[find(j)] = find(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(texts)):
        groups[find(i)].append(i)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0])


def _keep_order(article: Article) -> tuple:
    return (article.published.value is None, -len(article.text), article.source_file)


def find_duplicates(articles: list[Article]) -> list[Article]:
    """One article per group of near-identical texts, the others named in its `also_published_as`.

    Order of the remaining articles is the input order."""
    drop: set[int] = set()
    for group in duplicate_groups([article.text or " ".join(b.text for b in article.blocks) for article in articles]):
        members = sorted(group, key=lambda i: _keep_order(articles[i]))
        kept = articles[members[0]]
        others = set(kept.also_published_as)
        for i in members[1:]:
            others |= {articles[i].source_file, *articles[i].also_published_as}
        kept.also_published_as = sorted(others - {kept.source_file})
        drop.update(members[1:])
    return [article for index, article in enumerate(articles) if index not in drop]
