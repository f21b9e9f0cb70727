"""builder/link/regions.py: grouping again only the region an edit touched gives the groups of grouping every
part (events.average_link_by_parts), on any graph and any sequence of changes to its pairs and articles
(hypothesis); and the logged grouping is events.average_link's."""

from __future__ import annotations

from random import Random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.link.events import average_link, average_link_by_parts
from builder.link.regions import PreviousGrouping, grouped_by_parts, logged_average_link, regrouped

TIED = [1.0, 0.9, 0.6, 0.5, 0.35, 0.3, 0.1, -0.2]  # equal averages are common


def made_up_scores(rng: Random, count: int, tied: bool) -> dict[tuple[int, int], float]:
    """Pairs mostly between articles close in number (as candidates near in time are): long chains of parts."""
    scores = {}
    for _ in range(count * 3):
        i = rng.randrange(count)
        j = min(count - 1, max(0, i + rng.randint(-4, 4)))
        if i != j:
            scores[(min(i, j), max(i, j))] = rng.choice(TIED) if tied else round(rng.uniform(-0.3, 1.0), 3)
    return scores


def as_arrays(count: int, scores: dict[tuple[int, int], float]) -> tuple[np.ndarray, np.ndarray]:
    pairs = sorted(scores)
    return (np.array([i * count + j for i, j in pairs], dtype=np.int64),
            np.array([scores[pair] for pair in pairs], dtype=np.float64))


def changed(rng: Random, count: int, scores: dict, change: str, tied: bool) -> tuple[int, dict, np.ndarray]:
    """The site after one change: (its article count, its pairs, each previous article's index now or -1)."""
    new_of_old = np.arange(count)
    scores = dict(scores)
    if change == "rescore":  # an edited article: its pairs scored again, some gone, some new
        article = rng.randrange(count)
        for pair in [p for p in scores if article in p]:
            if rng.random() < 0.3:
                del scores[pair]
            else:
                scores[pair] = rng.choice(TIED) if tied else round(rng.uniform(-0.3, 1.0), 3)
        for _ in range(rng.randint(0, 4)):
            other = min(count - 1, max(0, article + rng.randint(-5, 5)))
            if other != article:
                scores[(min(article, other), max(article, other))] = rng.choice(TIED)
    elif change == "remove" and count > 1:
        gone = rng.randrange(count)
        new_of_old = np.array([i - (i > gone) if i != gone else -1 for i in range(count)])
        scores = {(i - (i > gone), j - (j > gone)): s for (i, j), s in scores.items() if gone not in (i, j)}
        count -= 1
    else:  # an added article, between two others
        at = rng.randrange(count + 1)
        new_of_old = np.array([i + (i >= at) for i in range(count)])
        scores = {(i + (i >= at), j + (j >= at)): s for (i, j), s in scores.items()}
        count += 1
        for _ in range(rng.randint(0, 5)):
            other = min(count - 1, max(0, at + rng.randint(-5, 5)))
            if other != at:
                scores[(min(at, other), max(at, other))] = rng.choice(TIED)
    return count, scores, new_of_old


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 100_000), count=st.integers(1, 120), tied=st.booleans(),
       changes=st.lists(st.sampled_from(["rescore", "rescore", "remove", "add"]), min_size=1, max_size=4),
       threshold=st.sampled_from([0.28, 0.3, 0.5]))
def test_regrouping_the_touched_region_groups_as_every_part(seed, count, tied, changes, threshold):
    rng = Random(seed)
    scores = made_up_scores(rng, count, tied)
    codes, values = as_arrays(count, scores)
    groups, merges = grouped_by_parts(count, codes, values, threshold)
    assert groups == average_link_by_parts(count, scores, threshold)
    for change in changes:
        count, scores, new_of_old = changed(rng, count, scores, change, tied)
        previous = PreviousGrouping(codes, values, groups, merges)
        codes, values = as_arrays(count, scores)
        cold_groups, cold_merges = grouped_by_parts(count, codes, values, threshold)
        found = regrouped(count, codes, values, threshold, new_of_old, previous)
        if found is not None:
            groups, merges = found
            assert groups == cold_groups, change
            # The same merges as grouping every part (two of equal averages in different parts may come in either
            # order: compared as sets).
            assert _same_sets(merges, cold_merges)
        else:
            groups, merges = cold_groups, cold_merges


def _same_sets(merges, cold) -> bool:
    return sorted(merges.averages.tolist()) == sorted(cold.averages.tolist()) and len(merges.firsts) == len(cold.firsts)


def test_an_edit_in_a_long_chain_groups_only_a_few_articles_again(monkeypatch):
    """One rescored article in a site of 2,000: the region grouped again is a few groups around it."""
    import builder.link.regions as regions

    rng = Random(5)
    count = 2000
    scores = made_up_scores(rng, count, tied=False)
    codes, values = as_arrays(count, scores)
    groups, merges = grouped_by_parts(count, codes, values, 0.28)
    sizes: list[int] = []
    real = regions._grouped_alone
    monkeypatch.setattr(regions, "_grouped_alone", lambda articles, *rest: sizes.append(len(articles))
                        or real(articles, *rest))
    previous = PreviousGrouping(codes, values, groups, merges)
    count, scores, new_of_old = changed(rng, count, scores, "rescore", tied=False)
    codes, values = as_arrays(count, scores)
    found = regrouped(count, codes, values, 0.28, new_of_old, previous)
    assert 0 < max(sizes) < 100, sizes
    assert found is not None and found[0] == grouped_by_parts(count, codes, values, 0.28)[0]


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 100_000), count=st.integers(1, 40), tied=st.booleans(),
       threshold=st.sampled_from([0.28, 0.3, 0.5]))
def test_the_logged_grouping_is_average_link(seed, count, tied, threshold):
    scores = made_up_scores(Random(seed), count, tied)
    groups, merges = logged_average_link(count, scores, threshold)
    assert groups == average_link(count, scores, threshold)
    assert len(merges) == count - len(groups)
    assert all(average > threshold for average, _, _ in merges)
