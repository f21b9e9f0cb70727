"""events._nearest for many articles at once: each article's candidates for event grouping, in blocks of articles.

A cold grouping asked _nearest once per article (10,000 calls at 10k, ~0.45 ms each: a sort-based unique and two
argsorts of each article's ~4,700 postings, ~2,000 candidates).  `nearest_rows` lays the postings of a block of
articles end to end, kind after kind, each tagged with its article, and finds the same candidates in the same
order with no sort of the postings:

- one bin per (article, candidate): an article's own postings keep _nearest's order among themselves in the block
  (its kinds in table order, its rare features in vector order, each feature's postings in time order), and that
  is all its scores and its first-seen order read;
- where a candidate was first seen is the least position of its postings (np.minimum.at, into an array of a bin
  per article of the block and article of the site, set back after each block), and its score the sum of its
  postings' weights added in that order from 0.0 (np.bincount over the bins seen, numbered: it adds in array
  order);
- candidates are ranked by score, most first, ties in first-seen order (what _nearest's stable argsort of the
  scores of the candidates in first-seen order gives), the article itself left out, the first `count` kept: only
  those scoring at least the count-th best score (np.partition) are ranked, a few dozen an article.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from builder.link.events import _spans

BLOCK = 32  # articles a pass: a bin for each of them and each article of the site (320,000 at 10k, 2.5 MB)


def nearest_rows(indices: list[int], kinds: list[tuple], count: int, window: int | None,
                 block: int = BLOCK) -> list[np.ndarray]:
    """[events._nearest(i, kinds, count, window) as an np.intp array for i in indices], in that order."""
    chosen = np.asarray(indices, dtype=np.intp)
    articles = len(kinds[0][0].lengths)
    # Where each (article of the block, candidate) bin was first seen (the largest intp: not yet): allocated once,
    # and only the bins a block touched are set back (a fresh array a block would make the cost grow as articles²).
    seen = np.full(min(block, len(chosen)) * articles, np.iinfo(np.intp).max, dtype=np.intp)
    rows: list[np.ndarray] = []
    for begin in range(0, len(chosen), block):
        rows.extend(_block(chosen[begin : begin + block], kinds, count, window, articles, seen))
    return rows


def _block(chosen: np.ndarray, kinds: list[tuple], count: int, window: int | None, articles: int,
           seen: np.ndarray) -> list[np.ndarray]:
    tagged, postings, weights = [], [], []
    for flat, rare, frequency, first, place, docs in kinds:
        entries = _spans(flat.starts[chosen], flat.lengths[chosen])  # the block's vector entries, article by article
        row = np.repeat(np.arange(len(chosen), dtype=np.int64), flat.lengths[chosen])
        kept = rare[entries]
        entries, row = entries[kept], row[kept]
        features = flat.terms[entries]
        counts = frequency[features]
        starts = first[features]
        if window is not None:
            at = place[entries]
            low = np.maximum(at - window, 0)
            counts = np.minimum(at + window + 1, counts) - low
            starts = starts + low
        postings.append(docs[_spans(starts, counts)])
        weights.append(np.repeat(flat.weights[entries], counts))
        tagged.append(np.repeat(row, counts))
    # The block's postings kind after kind: an article's own are in _nearest's order among themselves, which is
    # all that its scores and its first-seen order read.
    owner, others = np.concatenate(tagged), np.concatenate(postings)
    codes = owner * articles + others  # its bin: (article, candidate)
    positions = np.arange(len(codes), dtype=np.intp)
    np.minimum.at(seen, codes, positions)
    first_seen = seen[codes]
    opens = first_seen == positions  # the first posting of its bin
    number = np.cumsum(opens) - 1  # a bin's number: bins in first-seen order
    totals = np.bincount(number[first_seen], weights=np.concatenate(weights))  # each bin's sum, in array order
    seen[codes[opens]] = np.iinfo(np.intp).max
    order = np.flatnonzero(opens)  # each bin's first posting
    row, candidate = owner[order], others[order]
    own = candidate != chosen[row]
    row, candidate, score, order = row[own], candidate[own], -totals[own], order[own]
    by_row = np.argsort(row.astype(np.int16), kind="stable")  # (a radix sort: blocks of at most 32,767 articles)
    row, candidate, score, order = row[by_row], candidate[by_row].astype(np.intp), score[by_row], order[by_row]
    rows = []
    # Of an article's ~2,000 candidates only the best `count` are kept: those at or above the count-th best score
    # (np.partition, no sort) are ranked, not all of them (a sort of every candidate was most of the cost).
    for low, high in pairwise(np.searchsorted(row, np.arange(len(chosen) + 1)).tolist()):
        if high - low > count:
            mine = score[low:high]
            kept = np.flatnonzero(mine <= np.partition(mine, count - 1)[count - 1]) + low
        else:
            kept = np.arange(low, high)
        rows.append(candidate[kept[np.lexsort((order[kept], score[kept]))[:count]]])
    return rows
