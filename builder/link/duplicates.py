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

from collections import defaultdict
from collections.abc import Callable
from functools import partial

import numpy as np

from builder.link.memo import LinkMemo
from builder.link.shingles import HASHES, article_signature, duplicate_text, fingerprint_array, min_hash
from builder.model import Article

BANDS = 32  # 4 rows per band: pairs with Jaccard ≥ 0.8 share a bucket with probability > 0.999
THRESHOLD = 0.8  # exact Jaccard of shingle sets needed to call two texts the same
# A candidate pair is compared (exact Jaccard) only when its signatures agree on half the hashes or more
# (a MinHash estimate of 0.5).  A pair at Jaccard 0.8 agrees on fewer with probability 9e-15 (binomial,
# 128 hashes), ten million times less likely than the banding missing it (5e-8); candidates that share
# a band by chance (texts on one subject, at 0.2-0.5) are most of them and are no longer compared.
MIN_AGREEMENT = HASHES // 2


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def shared_count(a: np.ndarray, b: np.ndarray) -> int:
    """len(set(a) & set(b)) of two sorted arrays without repeats."""
    return int(np.intersect1d(a, b, assume_unique=True).size)


def similar_enough(a: np.ndarray, b: np.ndarray, threshold: float = THRESHOLD) -> bool:
    """Whether two fingerprint_arrays' exact Jaccard reaches `threshold`."""
    shared = shared_count(a, b)
    return shared / (len(a) + len(b) - shared) >= threshold


def duplicate_groups(texts: list[str], threshold: float = THRESHOLD) -> list[list[int]]:
    """Groups (of 2 or more indices, each sorted) of near-identical texts."""
    sets = [fingerprint_array(text) for text in texts]
    return signed_groups([min_hash(fingerprints) for fingerprints in sets], sets.__getitem__, threshold)


def signed_groups(signatures: list[np.ndarray | None], fingerprints_of: Callable[[int], np.ndarray],
                  threshold: float = THRESHOLD,
                  similar: Callable[[int, int], bool] | None = None) -> list[list[int]]:
    """duplicate_groups of texts given by their min_hash (worked out per article, before linking), with
    `fingerprints_of(i)` the fingerprint_array of text i: asked only for the texts of candidate pairs.
    `similar(i, j)`: whether texts i < j are similar enough (default: similar_enough of their fingerprints),
    asked only of candidate pairs (find_duplicates recalls it from the link memo).

    The groups are the connected parts of the candidate pairs similar enough, so a pair already joined
    through others need not be compared, and the order pairs are compared in does not matter.  A band's
    buckets are found by sorting its rows (never a dict of every article's band); a candidate pair whose
    signatures agree on fewer than MIN_AGREEMENT of the hashes is not compared (see there).  A bucket is
    worked through with numpy over its members' current parts, never as a list of its pairs: a folder
    holding a thousand copies of one page (a cookie wall, an error page) makes a bucket of a thousand,
    half a million pairs, of which only the 999 that join a copy to the first are compared."""
    signed = np.array([index for index, sig in enumerate(signatures) if sig is not None], dtype=np.intp)
    table = np.array([signatures[index] for index in signed], dtype=np.uint64).reshape(len(signed), HASHES)
    rows = HASHES // BANDS
    parts = _Parts(len(signed))
    unlike: set[tuple[int, int]] = set()  # pairs compared and not similar enough (few: they agree on half the hashes)
    if similar is None:
        def similar(first: int, second: int) -> bool:
            return similar_enough(fingerprints_of(first), fingerprints_of(second), threshold)

    def join_if_similar(i: int, j: int) -> bool:
        """Compare rows i < j unless already joined or found unlike; True if this joins them."""
        if parts.find(i) == parts.find(j) or (i, j) in unlike:
            return False
        if int((table[i] == table[j]).sum()) < MIN_AGREEMENT:
            return False
        if similar(int(signed[i]), int(signed[j])):
            parts.join(i, j)
            return True
        unlike.add((i, j))
        return False

    for band in range(BANDS):
        columns = table[:, band * rows : (band + 1) * rows]
        order = np.lexsort(columns.T[::-1])  # by the band's hashes; rows in input order within a bucket
        ordered = columns[order]
        starts = np.flatnonzero(np.r_[True, np.any(ordered[1:] != ordered[:-1], axis=1), True])
        shared = np.flatnonzero(np.diff(starts) > 1)  # buckets of two or more
        for begin, end in zip(starts[shared].tolist(), starts[shared + 1].tolist(), strict=True):
            if end - begin == 2:  # most of them
                join_if_similar(*sorted(order[begin:end].tolist()))
            else:
                members = np.sort(order[begin:end])
                labels = parts.labels(members)
                if (labels == labels[0]).all():
                    continue
                for position in range(len(members) - 1):
                    i = int(members[position])
                    # only the later members in other parts, and agreeing on enough hashes, are looked at
                    apart = members[position + 1 :][labels[position + 1 :] != labels[position]]
                    candidates = apart[(table[apart] == table[i]).sum(axis=1) >= MIN_AGREEMENT]
                    if any([join_if_similar(i, j) for j in candidates.tolist()]):
                        labels = parts.labels(members)
    groups: dict[int, list[int]] = defaultdict(list)
    for row, index in enumerate(signed.tolist()):
        groups[parts.find(row)].append(index)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0])


class _Parts:
    """Union-find over rows: which connected part each row is in so far."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        self.parent[self.find(j)] = self.find(i)

    def labels(self, rows: np.ndarray) -> np.ndarray:
        return np.array([self.find(row) for row in rows.tolist()], dtype=np.intp)


def _keep_order(article: Article) -> tuple:
    return (article.published.value is None, -len(article.text), article.source_file)


DUPLICATES_FORMAT = 1


def find_duplicates(articles: list[Article], memo: LinkMemo | None = None) -> list[Article]:
    """One article per group of near-identical texts, the others named in its `also_published_as`.
    `memo`: the previous build's comparisons of candidate pairs (builder.link.memo), recalled by the two articles
    (each by its source file and content hash: its text) so that an edit works out the fingerprints only of the
    articles in a pair it has not compared before.

    Order of the remaining articles is the input order."""
    drop: set[int] = set()
    fingerprints: dict[int, np.ndarray] = {}  # of the articles in candidate pairs (a few), each worked out once

    def fingerprints_of(index: int) -> np.ndarray:
        if index not in fingerprints:
            fingerprints[index] = fingerprint_array(duplicate_text(articles[index]))
        return fingerprints[index]

    def compared(first: int, second: int) -> bool:
        return similar_enough(fingerprints_of(first), fingerprints_of(second))

    def recalled(first: int, second: int) -> bool:
        one, other = articles[first], articles[second]
        parts = ("duplicate pair", DUPLICATES_FORMAT, THRESHOLD, one.source_file, one.content_hash,
                 other.source_file, other.content_hash)
        return memo.recall(parts, partial(compared, first, second))

    signatures = [article_signature(article) for article in articles]
    for article in articles:  # read: not to be held through the rest of linking (freed once the groups are found)
        if article.link_features is not None:
            article.link_features.signature = None
    for group in signed_groups(signatures, fingerprints_of, similar=compared if memo is None else recalled):
        members = sorted(group, key=lambda i: _keep_order(articles[i]))
        kept = articles[members[0]]
        others = set(kept.also_published_as)
        for i in members[1:]:
            others |= {articles[i].source_file, *articles[i].also_published_as}
        kept.also_published_as = sorted(others - {kept.source_file})
        drop.update(members[1:])
    return [article for index, article in enumerate(articles) if index not in drop]
