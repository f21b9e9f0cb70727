"""builder.link.nearest: the candidates of many articles at once are events._nearest's, article by article (the same
articles, in the same order), on either weighting, with or without a window, in blocks of any size."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from random import Random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.link.events import (
    REFERENCE_PARAMS,
    ClusterParams,
    FlatVectors,
    _nearest,
    _vectors,
    posting_kinds,
    time_ranks,
)
from builder.link.nearest import nearest_rows
from builder.link.regroup import _posting_kinds as wanted_posting_kinds
from builder.link.regroup import _terms_of
from tests.test_regroup import made_up


def tied(rng: Random):
    """Articles whose rare words carry equal weights: many candidates with equal scores (first-seen order decides)."""
    features = made_up(rng)
    words = Counter({w: 1 for w in features.words})
    return replace(features, words=words)


def kinds_of(features, params: ClusterParams) -> list[tuple]:
    words, names = _vectors(features, params)
    return posting_kinds([FlatVectors.of(words), FlatVectors.of(names)], params, time_ranks(features))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), count=st.integers(0, 40), reference=st.booleans(), ties=st.booleans(),
       window=st.integers(1, 4), neighbours=st.integers(1, 8), block=st.integers(1, 50))
def test_nearest_rows_are_nearest_per_article(seed, count, reference, ties, window, neighbours, block):
    rng = Random(seed)
    features = [(tied if ties else made_up)(rng) for _ in range(count)]
    params = replace(REFERENCE_PARAMS if reference else ClusterParams(max_postings=6), window=window,
                     neighbours=neighbours)
    kinds = kinds_of(features, params)
    window_or_none = window if reference else None
    indices = list(range(count))
    rng.shuffle(indices)  # any order of articles
    rows = nearest_rows(indices, kinds, neighbours, window_or_none, block=block)
    assert [row.tolist() for row in rows] == [_nearest(i, kinds, neighbours, window_or_none) for i in indices]
    assert all(row.dtype == np.intp for row in rows)


def test_nearest_rows_over_wanted_postings_only():
    """regroup's postings are made only for the terms of the articles asked about (an edit's near ones)."""
    from builder.link.regroup import KindVectors

    rng = Random(7)
    features = [made_up(rng) for _ in range(60)]
    params = replace(REFERENCE_PARAMS, window=3, neighbours=6)
    flats = [FlatVectors.of(v) for v in _vectors(features, params)]
    vectors = [KindVectors(flat, reference.rare_mask(flat.words), np.zeros(flat.vocabulary))
               for flat, reference in zip(flats, [params.reference, params.name_reference], strict=True)]
    asked = [3, 17, 18, 40, 59]
    kinds = wanted_posting_kinds(vectors, time_ranks(features), [_terms_of(kind, asked) for kind in vectors])
    rows = nearest_rows(asked, kinds, params.neighbours, params.window)
    assert [row.tolist() for row in rows] == [_nearest(i, kinds, params.neighbours, params.window) for i in asked]
    assert any(len(row) for row in rows)
