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


_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[int]:
    """64-bit fingerprints of every run of `size` words (lower-cased, punctuation dropped)."""
    return set(fingerprint_array(text, size).tolist())


def fingerprint_array(text: str, size: int = SHINGLE_WORDS) -> np.ndarray:
    """shingles(text) as a sorted array without repeats: 8 bytes a shingle instead of a Python int in a set."""
    words = _WORD.findall(text.lower())
    grams = set(map(" ".join, zip(*(words[i:] for i in range(size)), strict=False)))  # runs of `size` words
    blake2b = hashlib.blake2b
    digests = b"".join([blake2b(gram.encode(), digest_size=8).digest() for gram in grams])
    return np.unique(np.frombuffer(digests, dtype="<u8").astype(np.uint64))


def signature(fingerprints: set[int] | np.ndarray) -> np.ndarray:
    values = (fingerprints if isinstance(fingerprints, np.ndarray)
              else np.fromiter(fingerprints, dtype=np.uint64, count=len(fingerprints)))
    with np.errstate(over="ignore"):
        mixed = (values[:, None] ^ _XORS[None, :]) * _MULTS[None, :]
    return mixed.min(axis=0)


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def shared_count(a: np.ndarray, b: np.ndarray) -> int:
    """len(set(a) & set(b)) of two sorted arrays without repeats."""
    return int(np.intersect1d(a, b, assume_unique=True).size)


def duplicate_groups(texts: list[str], threshold: float = THRESHOLD) -> list[list[int]]:
    """Groups (of 2 or more indices, each sorted) of near-identical texts."""
    return fingerprint_groups([fingerprint_array(text) for text in texts], threshold)


def fingerprint_groups(sets: list[np.ndarray], threshold: float = THRESHOLD) -> list[list[int]]:
    """duplicate_groups of texts given by their fingerprint_array (worked out per article, before linking).

    The groups are the connected parts of the candidate pairs similar enough, so the buckets are gone
    through one band at a time (never all bands' buckets held at once) without changing them."""
    signed = [index for index, fingerprints in enumerate(sets) if len(fingerprints) >= MIN_SHINGLES]
    signatures = np.array([signature(sets[index]) for index in signed], dtype=np.uint64).reshape(len(signed), HASHES)
    rows = HASHES // BANDS

    parent = list(range(len(sets)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    checked: set[tuple[int, int]] = set()
    for band in range(BANDS):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        for index, sig in zip(signed, signatures[:, band * rows : (band + 1) * rows], strict=True):
            buckets[sig.tobytes()].append(index)
        for members in buckets.values():
            for position, i in enumerate(members):
                for j in members[position + 1 :]:
                    if (i, j) in checked or find(i) == find(j):
                        continue
                    checked.add((i, j))
                    shared = shared_count(sets[i], sets[j])
                    if shared / (len(sets[i]) + len(sets[j]) - shared) >= threshold:
                        parent[find(j)] = find(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(sets)):
        groups[find(i)].append(i)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0])


def duplicate_text(article: Article) -> str:
    """The text two articles are compared on (the blocks when analysis left no text)."""
    return article.text or " ".join(b.text for b in article.blocks)


def shingle_bytes(article: Article) -> bytes:
    """The article's fingerprint_array as raw bytes: what the per-article stage keeps for linking."""
    return fingerprint_array(duplicate_text(article)).tobytes()


def article_fingerprints(article: Article) -> np.ndarray:
    """fingerprint_array of the article's text: kept from the per-article stage when it is there."""
    features = article.link_features
    if features is not None:
        return np.frombuffer(features.shingles, dtype=np.uint64)
    return fingerprint_array(duplicate_text(article))


def _keep_order(article: Article) -> tuple:
    return (article.published.value is None, -len(article.text), article.source_file)


def find_duplicates(articles: list[Article]) -> list[Article]:
    """One article per group of near-identical texts, the others named in its `also_published_as`.

    Order of the remaining articles is the input order."""
    drop: set[int] = set()
    for group in fingerprint_groups([article_fingerprints(article) for article in articles]):
        members = sorted(group, key=lambda i: _keep_order(articles[i]))
        kept = articles[members[0]]
        others = set(kept.also_published_as)
        for i in members[1:]:
            others |= {articles[i].source_file, *articles[i].also_published_as}
        kept.also_published_as = sorted(others - {kept.source_file})
        drop.update(members[1:])
    return [article for index, article in enumerate(articles) if index not in drop]
