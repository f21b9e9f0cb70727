"""Event grouping on "reference" weights, redoing only what an edit touched: the same groups as a cold grouping.

With reference weights (builder/link/reference.py) an article's vectors depend on that article alone, so the
score of a pair of articles on those two alone; a rare feature finds, for an article, only the `window` articles
on either side of it in time order among those holding it.  So, against the previous build's grouping (a
GroupingState kept in the link memo, builder/link/memo.py):

1. an article is *the same* when its identity is: its source file, content hash, name keys (what linking
   resolved its mentions to), date and years (all that events.article_features reads);
2. the candidates (events._nearest) of a same article are the previous ones unless it is *near* a changed one:
   within `window` places of an added article (a new or edited one) in the time order of a rare feature that
   article holds, or of a removed one (a deleted or edited one's previous version) in the previous time order of
   a rare feature that one held — of an edited article that kept its date, only the rare features it gained or
   lost (it stands where it stood in the others' postings).  Farther away, the window of the feature around the
   article holds the same articles, in the same order (the order of two same articles in time does not change),
   so _nearest finds the same candidates; the near articles' candidates are found again;
3. a pair of same articles found before keeps its score; every other pair is scored;
4. each connected part of the pairs scoring above the threshold is grouped alone (average link never merges
   two groups without such a pair between them: events.average_link_by_parts, which a cold grouping on
   reference weights uses too); a part of same articles, none of them near a changed one, that was a part of
   the previous build with the same articles has the same pairs and scores, so it keeps its groups; every
   other part is grouped again.

The previous build's vectors of a removed article come from the memo too (each article's vectors are kept
under its identity).  When something the state needs is missing, everything is worked out again: the result
never depends on the memo (tests/test_regroup.py checks edits, additions and deletions against a cold grouping).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import numpy as np

from builder.link.events import (
    ArticleFeatures,
    ClusterParams,
    FlatVectors,
    Vector,
    _flat_pair_cosines,
    _nearest,
    _tfidf,
    average_link,
    posting_kinds,
    scored_parts,
    time_ranks,
    when_agreement,
)
from builder.link.memo import LinkMemo, memo_key

STATE_FORMAT = 1


class GroupingState(NamedTuple):
    """What a grouping keeps for the next build (indices: the articles' places in `ids`)."""

    ids: list[bytes]  # each article's identity (grouping_identity), in article order
    times: list[tuple]  # each article's key in time order: (undated, day number, source file)
    nearest: list[list[int]]  # each article's candidates (events._nearest)
    pairs: np.ndarray  # every candidate pair (i < j), as codes i * len(ids) + j, sorted
    scores: np.ndarray  # their scores, in the same order
    part: list[int]  # each article's part (its first article)
    groups: list[list[int]]


def grouping_identity(source_file: str, content_hash: str, name_keys: list[str], features: ArticleFeatures) -> bytes:
    """All that an article's grouping features are made of (events.article_features)."""
    return memo_key(("grouped article", STATE_FORMAT, source_file, content_hash, name_keys,
                     features.published.toordinal() if features.published else None, sorted(features.years)))


def _own_vectors(features: ArticleFeatures, params: ClusterParams) -> tuple[Vector, Vector]:
    """The article's word and name vectors on reference weights: a function of the article alone (the same
    floats as events._vectors over any list of articles holding it)."""
    return (_tfidf([features.words], reference=params.reference)[0],
            _tfidf([features.names], reference=params.name_reference)[0])


def _vectors_of(full: Callable[[int], ArticleFeatures], index: int, params: ClusterParams) -> tuple[Vector, Vector]:
    return _own_vectors(full(index), params)


def _time_key(features: ArticleFeatures, source_file: str) -> tuple:
    # events.time_ranks' order, ties broken by source file (the articles are in source-file order)
    return (features.published is None, features.published.toordinal() if features.published else 0, source_file)


def _parts(count: int, scores: dict[tuple[int, int], float], threshold: float) -> list[int]:
    """Each article's part (events.scored_parts), named by the part's first article."""
    part_of = [0] * count
    for part in scored_parts(count, scores, threshold):
        for i in part:
            part_of[i] = part[0]
    return part_of


def regroup(features: list[ArticleFeatures], source_files: list[str], identities: list[bytes],
            params: ClusterParams, memo: LinkMemo,
            full: Callable[[int], ArticleFeatures] | None = None) -> list[list[int]]:
    """events.cluster_articles(features, params) on "reference" weights (params.reference), with the previous
    build's grouping from `memo` where an edit did not touch it; keeps this build's in `memo` for the next.
    `full`: article i's features with their words and names, when `features` hold only the dates (then the
    words and names are read only for the articles whose vectors the memo does not hold)."""
    count = len(features)
    tag = repr(params)
    vectors = [memo.recall(("event vectors", STATE_FORMAT, identity, tag),
                           partial(_own_vectors, f, params) if full is None else partial(_vectors_of, full, i, params))
               for i, (f, identity) in enumerate(zip(features, identities, strict=True))]
    flats = [FlatVectors.of([v[0] for v in vectors]), FlatVectors.of([v[1] for v in vectors])]
    del vectors
    kinds = posting_kinds(flats, params, time_ranks(features))
    times = [_time_key(f, s) for f, s in zip(features, source_files, strict=True)]
    state_parts = ("event grouping", STATE_FORMAT, tag)
    previous = memo.previous_value(state_parts)
    if not isinstance(previous, GroupingState) or source_files != sorted(source_files):
        previous = None
    old_of: dict[int, int] = {}  # a same article's index → its index in the previous build
    edited: dict[int, int] = {}
    near: set[int] = set(range(count))
    if previous is not None:
        old_index = {identity: k for k, identity in enumerate(previous.ids)}
        old_of = {i: old_index[identity] for i, identity in enumerate(identities) if identity in old_index}
        near, edited = _near(kinds, params, times, old_of, previous, memo, tag)
    new_of_old = {k: i for i, k in old_of.items()}
    found_at = {**new_of_old, **{k: i for i, k in edited.items()}}  # an edited article is found where it was

    pairs: set[tuple[int, int]] = set()
    nearest: list[list[int]] = []
    for index in range(count):
        found = None
        if index not in near:
            found = [found_at.get(k) for k in previous.nearest[old_of[index]]]
            if None in found:  # not expected (a removed article is near all it found); found again
                found = None
        if found is None:
            found = _nearest(index, kinds, params.neighbours, params.window)
        nearest.append(found)
        for other in found:
            pairs.add((min(index, other), max(index, other)))
    del kinds
    scores = _scores(sorted(pairs), features, flats, params, old_of, previous)
    part = _parts(count, scores, params.threshold)
    groups = _groups(part, scores, params.threshold, near, old_of, new_of_old, previous)
    codes = np.array([i * count + j for i, j in scores], dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    memo.keep(state_parts, GroupingState(
        ids=list(identities), times=times, nearest=nearest, pairs=codes[order],
        scores=np.array(list(scores.values()), dtype=np.float64)[order],
        part=part, groups=groups))
    return groups


def _near(kinds: list[tuple], params: ClusterParams, times: list[tuple], old_of: dict[int, int],
          previous: GroupingState, memo: LinkMemo, tag: str) -> tuple[set[int], dict[int, int]]:
    """The articles whose candidates may have changed since `previous`, and the edited ones (an added article →
    its previous version, when that one had the same source file and date: then it is where it was in every time
    order).  Near: the added ones, and the same ones within params.window places of an added or a removed one in
    the (new or previous) postings of a rare feature it holds; of an edited one, only of a rare feature it gained
    or lost (in the windows of the features it kept it stands where it stood, and what it adds to an article's
    candidate score there is that article's own weight)."""
    window = params.window
    count = len(times)
    added = [i for i in range(count) if i not in old_of]
    kept_old = set(old_of.values())
    removed = [k for k in range(len(previous.ids)) if k not in kept_old]
    old_vectors = {}
    for k in removed:
        found = memo.previous_value(("event vectors", STATE_FORMAT, previous.ids[k], tag))
        if found is None:  # the previous vectors are not known: every article's candidates again
            return set(range(count)), {}
        old_vectors[k] = found
    by_time = {previous.times[k]: k for k in removed}
    edited = {i: by_time[times[i]] for i in added if times[i] in by_time}
    rare = params.reference.rare
    # per kind, each edited article's rare features before (of its previous version's vectors)
    had = [{i: {t for t in old_vectors[k][kind].position if rare(t)} for i, k in edited.items()} for kind in (0, 1)]
    near = set(added)
    for kind, (flat, is_rare, frequency, first, place, docs) in enumerate(kinds):
        for index in added:  # the window around it in each of its rare features' postings (as _nearest reads them)
            own = slice(flat.starts[index], flat.starts[index] + flat.lengths[index])
            kept = is_rare[own]
            before = had[kind].get(index, ())
            for term, at in zip(flat.terms[own][kept].tolist(), place[own][kept].tolist(), strict=True):
                if flat.words[term] in before:
                    continue
                low = max(at - window, 0)
                high = min(at + window + 1, int(frequency[term]))
                near.update(docs[first[term] + low : first[term] + high].tolist())
    if not removed:
        return near, edited
    for kind, (flat, _, frequency, first, _, docs) in enumerate(kinds):
        number = {term: n for n, term in enumerate(flat.words)}
        has = {k: _rare_terms(kinds[kind], i) for i, k in edited.items()}  # an edited one's rare features now
        held: dict[str, list[int]] = {}  # rare term → the removed articles holding it, whose window matters
        for k in removed:
            for term in old_vectors[k][kind].position:
                if rare(term) and term not in has.get(k, ()):
                    held.setdefault(term, []).append(k)
        for term, holders in held.items():
            # The term's previous postings: the same articles holding it now (an edited one where it held it before
            # too), and the removed ones, in time order.
            at = number.get(term)
            now = docs[first[at] : first[at] + frequency[at]].tolist() if at is not None else []
            before = sorted([(times[i], i) for i in now if i in old_of or term in had[kind].get(i, ())]
                            + [(previous.times[k], -1) for k in holders])
            keys = [key for key, _ in before]
            for k in holders:
                position = bisect.bisect_left(keys, previous.times[k])
                near.update(i for _, i in before[max(position - window, 0) : position + window + 1] if i >= 0)
    return near, edited


def _rare_terms(kind: tuple, index: int) -> set[str]:
    flat, is_rare = kind[0], kind[1]
    own = slice(flat.starts[index], flat.starts[index] + flat.lengths[index])
    return {flat.words[term] for term in flat.terms[own][is_rare[own]].tolist()}


def _scores(pairs: list[tuple[int, int]], features: list[ArticleFeatures], flats: list[FlatVectors],
            params: ClusterParams, old_of: dict[int, int],
            previous: GroupingState | None) -> dict[tuple[int, int], float]:
    """Each candidate pair's score (events.pair_scores): a pair of same articles scored before keeps its score."""
    known: dict[tuple[int, int], float] = {}
    fresh = pairs
    if previous is not None and len(previous.pairs):
        size = len(previous.ids)
        both = [(i, j) for i, j in pairs if i in old_of and j in old_of]
        codes = np.array([old_of[i] * size + old_of[j] for i, j in both], dtype=np.int64)
        at = np.searchsorted(previous.pairs, codes)
        at[at >= len(previous.pairs)] = 0
        hit = previous.pairs[at] == codes
        known = {pair: score for pair, score in zip((p for p, h in zip(both, hit.tolist(), strict=True) if h),
                                                    previous.scores[at[hit]].tolist(), strict=True)}
        fresh = [pair for pair in pairs if pair not in known]
    word_cosines = _flat_pair_cosines(flats[0], fresh)
    name_cosines = _flat_pair_cosines(flats[1], fresh)
    total = params.words + params.names
    made = {pair: (params.words * word + params.names * name
                   + params.when * when_agreement(features[pair[0]], features[pair[1]])) / total
            for pair, word, name in zip(fresh, word_cosines, name_cosines, strict=True)}
    return {pair: known[pair] if pair in known else made[pair] for pair in pairs}


def _groups(part: list[int], scores: dict[tuple[int, int], float], threshold: float, near: set[int],
            old_of: dict[int, int], new_of_old: dict[int, int], previous: GroupingState | None) -> list[list[int]]:
    """events.average_link_by_parts(len(part), scores, threshold), given each article's part (_parts), a part
    the edit did not touch keeping its groups."""
    members: dict[int, list[int]] = {}
    for i, root in enumerate(part):
        members.setdefault(root, []).append(i)
    old_size: dict[int, int] = {}
    old_groups: dict[int, list[list[int]]] = {}
    if previous is not None:
        for root in previous.part:
            old_size[root] = old_size.get(root, 0) + 1
        for group in previous.groups:
            old_groups.setdefault(previous.part[group[0]], []).append(group)
    groups: list[list[int]] = []
    again: set[int] = set()
    for root, inside in members.items():
        olds = {previous.part[old_of[i]] if i in old_of else -1 for i in inside} if previous is not None else {-1}
        if len(olds) == 1 and -1 not in olds and old_size[next(iter(olds))] == len(inside) and near.isdisjoint(inside):
            groups.extend([new_of_old[k] for k in group] for group in old_groups[next(iter(olds))])
        else:
            again.add(root)
    local: dict[int, dict[tuple[int, int], float]] = {root: {} for root in again}
    for (i, j), score in scores.items():
        if part[i] == part[j] and part[i] in again:
            local[part[i]][(i, j)] = score
    for root in again:
        inside = members[root]
        number = {i: n for n, i in enumerate(inside)}
        found = average_link(len(inside), {(number[i], number[j]): s for (i, j), s in local[root].items()}, threshold)
        groups.extend([inside[n] for n in group] for group in found)
    return sorted((sorted(group) for group in groups), key=lambda g: g[0])
