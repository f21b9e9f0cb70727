"""events._nearest for many articles at once: each article's candidates for event grouping, in blocks of articles.

A cold grouping asks _nearest once per article (10,000 calls at 10k, ~0.5 ms each: numpy's per-call overhead on
arrays of a few hundred postings, and a sort-based unique per article).  `nearest_rows` lays the postings of a
block of articles end to end, each posting tagged with its article's row, and does in one pass what _nearest does
per article, with the same floats and the same order:

- an article's postings are in _nearest's order (its kinds in table order, its rare features in vector order, each
  feature's postings in time order): they are gathered kind by kind for the block, then stably sorted by row;
- a candidate's score is the sum of its postings' weights added in that order from 0.0 (np.bincount adds in array
  order, for any number of bins: grouping the (row, candidate) pairs does not change the order of the additions);
- candidates are ranked by score, most first, ties in first-seen order (what a stable argsort of the scores of
  the candidates in first-seen order gives), the article itself left out, the first `count` kept.
"""

from __future__ import annotations

import numpy as np

from builder.link.events import _spans

BLOCK = 512  # articles a pass: ~60 postings × 60 places each, a few MB of arrays a block at most


def nearest_rows(indices: list[int], kinds: list[tuple], count: int, window: int | None,
                 block: int = BLOCK) -> list[np.ndarray]:
    """[events._nearest(i, kinds, count, window) as an np.intp array for i in indices], in that order."""
    chosen = np.asarray(indices, dtype=np.intp)
    rows: list[np.ndarray] = []
    for begin in range(0, len(chosen), block):
        rows.extend(_block(chosen[begin : begin + block], kinds, count, window))
    return rows


def _block(chosen: np.ndarray, kinds: list[tuple], count: int, window: int | None) -> list[np.ndarray]:
    tagged, postings, weights = [], [], []
    for flat, rare, frequency, first, place, docs in kinds:
        entries = _spans(flat.starts[chosen], flat.lengths[chosen])  # the block's vector entries, article by article
        row = np.repeat(np.arange(len(chosen), dtype=np.intp), flat.lengths[chosen])
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
    row = np.concatenate(tagged)
    order = np.argsort(row, kind="stable")  # each article's postings together, in _nearest's order
    row, others, weight = row[order], np.concatenate(postings)[order], np.concatenate(weights)[order]
    # One bin per (article, candidate), numbered in sorted order; the first of a bin in the stable sort is where
    # the candidate was first seen.
    codes = row.astype(np.int64) * (int(others.max()) + 1 if len(others) else 1) + others
    by_code = np.argsort(codes, kind="stable")
    sorted_codes = codes[by_code]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]) if len(codes) else by_code
    bin_of = np.empty(len(codes), dtype=np.intp)
    bin_of[by_code] = np.cumsum(np.r_[False, sorted_codes[1:] != sorted_codes[:-1]]) if len(codes) else by_code
    totals = np.bincount(bin_of, weights=weight, minlength=len(starts))
    seen = by_code[starts]  # each bin's first posting
    bin_row, candidate = row[seen], others[seen]
    own = candidate != chosen[bin_row]
    seen, bin_row, candidate, totals = seen[own], bin_row[own], candidate[own], totals[own]
    ranked = np.lexsort((seen, -totals, bin_row))
    bin_row, candidate = bin_row[ranked], candidate[ranked]
    bounds = np.searchsorted(bin_row, np.arange(len(chosen) + 1))
    return [candidate[low : min(high, low + count)] for low, high in zip(bounds[:-1].tolist(), bounds[1:].tolist(),
                                                                         strict=True)]
