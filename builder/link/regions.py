"""Average-link grouping (events.average_link, part by part) redone only where an edit changed the pairs: the
same groups as grouping every part again, at the cost of the few groups the edit touched.

average_link merges, each time, the two groups of the highest average score (equal averages: the older groups
first).  Average link is *reducible*: the average between a merged group A+B and any C is a weighted mean of
A-C's and B-C's (a missing pair counting 0), never above the higher of the two.  The grouping of a set of
articles R is therefore the same alone as within the whole site as long as no average across R's edge is
ever the one merged: the merges inside R and those outside it then never read each other (they only
interleave), and ties inside R are broken alike (the groups' numbers keep their order).  So, given the
previous build's merges (a MergeLog) and groups and this build's pairs:

1. the articles whose pairs changed (a pair added, gone or scored differently) are *touched*;
2. the region R starts as the previous groups holding a touched or removed article, and the added articles;
3. R is grouped alone (its own pairs); outside R every previous merge holds: no pair there changed, and in
   the previous build nothing crossed R's edge either (R is a union of previous groups);
4. both sequences of merges are replayed together in the order the whole grouping makes them (the higher
   average first), keeping every sum across R's edge as average_link adds it up (the same floats): when one of
   those averages is above the threshold and not below the next merge's, the whole grouping could merge
   across the edge there: R takes in the previous group on the other side and is grouped again (when R
   grows past half the site, every part is grouped again).

builder/link/regroup.py keeps the MergeLog in its GroupingState; tests/test_regions.py checks the result
against grouping every part (hypothesis: any graph, any change of its pairs).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from typing import NamedTuple

import numpy as np

from builder.link.events import average_link, scored_parts

Merge = tuple[float, int, int]  # (average, an article of one group, an article of the other)
MAX_ROUNDS = 12  # regions grown before grouping every part again


class MergeLog(NamedTuple):
    """Every merge of a grouping, in the order grouping the whole site at once makes them (parts interleaved
    by their averages): each as its average and one article of each of the two groups it joins."""

    averages: np.ndarray  # float64
    firsts: np.ndarray  # int64: article indices
    seconds: np.ndarray

    @classmethod
    def of(cls, merges: list[Merge]) -> MergeLog:
        averages, firsts, seconds = zip(*merges, strict=True) if merges else ((), (), ())
        return cls(np.array(averages, dtype=np.float64), np.array(firsts, dtype=np.int64),
                   np.array(seconds, dtype=np.int64))


def logged_average_link(count: int, scores: dict[tuple[int, int], float],
                        threshold: float) -> tuple[list[list[int]], list[Merge]]:
    """events.average_link(count, scores, threshold), and its merges in order."""
    merges: list[Merge] = []
    return average_link(count, scores, threshold, merges), merges


def _interleaved(logs: list[list[Merge]]) -> list[Merge]:
    """Independent sequences of merges in the order one heap over all of them pops them: the highest average
    first (each sequence keeps its own order)."""
    return list(heapq.merge(*logs, key=lambda merge: -merge[0]))


def grouped_by_parts(count: int, codes: np.ndarray, values: np.ndarray,
                     threshold: float) -> tuple[list[list[int]], MergeLog]:
    """events.average_link_by_parts over the pairs (codes i * count + j, i < j, and their scores), and the merges
    it made (a MergeLog)."""
    first, second = np.divmod(codes, count) if count else (codes, codes)
    scores = dict(zip(zip(first.tolist(), second.tolist(), strict=True), values.tolist(), strict=True))
    part_of = np.zeros(count, dtype=np.int64)
    parts = scored_parts(count, scores, threshold)
    for number, part in enumerate(parts):
        part_of[part] = number
    del scores
    inside = part_of[first] == part_of[second]
    groups: list[list[int]] = []
    logs: list[list[Merge]] = []
    order = np.argsort(part_of[first[inside]], kind="stable")
    firsts, seconds, kept = first[inside][order], second[inside][order], values[inside][order]
    bounds = np.searchsorted(part_of[firsts], np.arange(len(parts) + 1))
    for number, part in enumerate(parts):
        found, merges = _grouped_alone(np.array(part, dtype=np.int64), firsts[bounds[number]:bounds[number + 1]],
                                       seconds[bounds[number]:bounds[number + 1]],
                                       kept[bounds[number]:bounds[number + 1]], threshold)
        groups.extend(found)
        logs.append(merges)
    return sorted(groups, key=lambda g: g[0]), MergeLog.of(_interleaved(logs))


def _grouped_alone(articles: np.ndarray, first: np.ndarray, second: np.ndarray, values: np.ndarray,
                   threshold: float) -> tuple[list[list[int]], list[Merge]]:
    """average_link over the articles (sorted) and their pairs alone, in article indices."""
    local = np.searchsorted(articles, first).tolist(), np.searchsorted(articles, second).tolist()
    found, merges = logged_average_link(len(articles), dict(zip(zip(*local, strict=True), values.tolist(),
                                                                strict=True)), threshold)
    back = articles.tolist()
    return ([[back[n] for n in group] for group in found],
            [(average, back[a], back[b]) for average, a, b in merges])


class PreviousGrouping(NamedTuple):
    """What regrouped reads of the previous build (indices: its articles)."""

    pairs: np.ndarray  # codes i * len(new_of_old) + j, sorted
    scores: np.ndarray
    groups: list[list[int]]
    merges: MergeLog


def regrouped(count: int, codes: np.ndarray, values: np.ndarray, threshold: float, new_of_old: np.ndarray,
              previous: PreviousGrouping) -> tuple[list[list[int]], MergeLog] | None:
    """grouped_by_parts(count, codes, values, threshold), from the previous build's grouping where the pairs did not
    change (new_of_old: each previous article's index now, -1 for a removed one; the articles keep their order);
    None when the region to group again grew past half the articles (then group every part)."""
    old_count = len(new_of_old)
    group_of = np.zeros(old_count, dtype=np.int64)
    for number, group in enumerate(previous.groups):
        group_of[group] = number
    old_of_new = np.full(count, -1, dtype=np.int64)
    old_of_new[new_of_old[new_of_old >= 0]] = np.flatnonzero(new_of_old >= 0)
    touched = _touched(count, codes, values, new_of_old, previous)
    region_groups = np.zeros(len(previous.groups), dtype=bool)
    region_groups[group_of[old_of_new[touched & (old_of_new >= 0)]]] = True
    region_groups[group_of[new_of_old < 0]] = True
    # The previous merges by the group they made, so that those of a group outside the region can be read.
    merged_group = group_of[previous.merges.firsts]
    first, second = np.divmod(codes, count) if count else (codes, codes)
    for _ in range(MAX_ROUNDS):
        region = (old_of_new < 0) | region_groups[group_of[np.maximum(old_of_new, 0)]]
        if region.sum() * 2 > count:
            return None
        articles = np.flatnonzero(region)
        inside = region[first] & region[second]
        found, merges = _grouped_alone(articles, first[inside], second[inside], values[inside], threshold)
        outside = ~region_groups[merged_group]
        outer = list(zip(previous.merges.averages[outside].tolist(),
                         new_of_old[previous.merges.firsts[outside]].tolist(),
                         new_of_old[previous.merges.seconds[outside]].tolist(), strict=True))
        across = region[first] != region[second]
        ends = np.where(region[first[across]], first[across], second[across]), \
            np.where(region[first[across]], second[across], first[across])
        # Only the merges of a group holding an article with a pair across the edge change a sum across it; the
        # others are replayed for their averages alone.
        linked_groups = np.zeros(len(previous.groups), dtype=bool)
        linked_groups[group_of[old_of_new[ends[1]]]] = True
        replay = _Replay(zip(*(end.tolist() for end in ends), values[across].tolist(), strict=True), threshold)
        crossed = replay.run(merges, outer, linked_groups[merged_group[outside]].tolist())
        if crossed is None:
            kept = [[int(new_of_old[k]) for k in group] for number, group in enumerate(previous.groups)
                    if not region_groups[number]]
            return sorted(found + kept, key=lambda g: g[0]), MergeLog.of(replay.order)
        region_groups[group_of[old_of_new[crossed]]] = True
    return None


def _touched(count: int, codes: np.ndarray, values: np.ndarray, new_of_old: np.ndarray,
             previous: PreviousGrouping) -> np.ndarray:
    """Which articles (this build's indices) have a pair that is new, gone or scored differently, or are new."""
    touched = np.ones(count, dtype=bool)
    touched[new_of_old[new_of_old >= 0]] = False  # (the added articles stay touched)
    before_first, before_second = np.divmod(previous.pairs, len(new_of_old))
    now_first, now_second = new_of_old[before_first], new_of_old[before_second]
    both = (now_first >= 0) & (now_second >= 0)
    touched[now_first[~both & (now_first >= 0)]] = True  # a pair with a removed article
    touched[now_second[~both & (now_second >= 0)]] = True
    before = now_first[both] * count + now_second[both]  # sorted still: the same articles keep their order
    scored = previous.scores[both]
    at = np.minimum(np.searchsorted(before, codes), max(len(before) - 1, 0))
    same = (before[at] == codes) & (scored[at] == values) if len(before) else np.zeros(len(codes), dtype=bool)
    changed = codes[~same]
    at = np.minimum(np.searchsorted(codes, before), max(len(codes) - 1, 0))
    gone = before[codes[at] != before] if len(codes) else before
    for changes in (changed, gone):
        touched[changes // count] = True
        touched[changes % count] = True
    return touched


class _Replay:
    """The merges inside the region and outside it, replayed in the order grouping the whole site makes them,
    with every sum across the region's edge (an article inside, one outside) kept as average_link adds it up."""

    def __init__(self, across, threshold: float) -> None:
        self.threshold = threshold
        self.parent: dict[int, int] = {}
        self.size: dict[int, int] = {}
        self.links: dict[tuple[int, int], float] = {}  # (group inside, group outside), each by its root article
        self.linked: dict[int, set[int]] = defaultdict(set)  # a root → the roots across the edge it has a sum with
        self.heap: list[tuple[float, int, int]] = []  # (-average, inside, outside): the highest, checked lazily
        self.order: list[Merge] = []
        for inner, outer, score in across:
            self.links[(inner, outer)] = score
            self.linked[inner].add(outer)
            self.linked[outer].add(inner)
            self._weigh(inner, outer)

    def run(self, inner: list[Merge], outer: list[Merge], linked: list[bool]) -> int | None:
        """Replay both sequences (`linked`: whether each outer merge can change a sum across the edge); None when
        no average across the edge was ever merged, else an article outside the region whose group an average
        across the edge could have joined."""
        i = j = 0
        highest = self._highest()
        while True:
            inner_next = inner[i][0] if i < len(inner) else None
            outer_next = outer[j][0] if j < len(outer) else None
            take_inner = outer_next is None or (inner_next is not None and inner_next >= outer_next)
            following = inner_next if take_inner else outer_next
            if highest is not None and (following is None or highest[0] >= following):
                return highest[2]
            if following is None:
                return None
            if take_inner:
                self._merge(*inner[i][1:], inside=True)
                self.order.append(inner[i])
                i += 1
                highest = self._highest()
            else:
                if linked[j]:
                    self._merge(*outer[j][1:], inside=False)
                    highest = self._highest()
                self.order.append(outer[j])
                j += 1

    def _root(self, article: int) -> int:
        parent = self.parent
        root = article
        while parent.get(root, root) != root:
            root = parent[root]
        while article != root:  # (path halving would do too: the trees are small)
            parent[article], article = root, parent.get(article, article)
        return root

    def _merge(self, a: int, b: int, inside: bool) -> None:
        first, second = self._root(a), self._root(b)
        self.parent[second] = first
        self.size[first] = self.size.pop(first, 1) + self.size.pop(second, 1)
        for other in self.linked.pop(first, set()) | self.linked.pop(second, set()):
            total = None
            for old in (first, second):
                known = self.links.pop((old, other) if inside else (other, old), None)
                if known is not None:  # as average_link adds the two groups' sums up
                    total = (0.0 if total is None else total) + known
                self.linked[other].discard(old)
            self.links[(first, other) if inside else (other, first)] = total
            self.linked[other].add(first)
            self.linked[first].add(other)
            self._weigh(*((first, other) if inside else (other, first)))

    def _average(self, inner: int, outer: int) -> float | None:
        total = self.links.get((inner, outer))
        return None if total is None else total / (self.size.get(inner, 1) * self.size.get(outer, 1))

    def _weigh(self, inner: int, outer: int) -> None:
        average = self._average(inner, outer)
        if average is not None and average > self.threshold:
            heapq.heappush(self.heap, (-average, inner, outer))

    def _highest(self) -> tuple[float, int, int] | None:
        """The highest average across the edge above the threshold (average, inside root, outside root)."""
        while self.heap:
            negative, inner, outer = self.heap[0]
            if self._root(inner) == inner and self._root(outer) == outer and self._average(inner, outer) == -negative:
                return -negative, inner, outer
            heapq.heappop(self.heap)
        return None
