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
   reference weights uses too); after an edit only the previous groups whose pairs changed are grouped again,
   with as many groups around them as it takes to show that nothing outside them changes
   (builder/link/regions.py: the previous build's merges are kept for that).

The state holds every article's vectors (KindVectors: a same article's are copied from it, only an added one's
are made; a removed one's previous vectors are there for step 2) and each article's candidates and each pair's
score as numpy arrays, so that carrying the unchanged ones over is a few array copies, not a step per article.
When the state is missing, everything is worked out again: the result never depends on the memo
(tests/test_regroup.py checks edits, additions and deletions against a cold grouping).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from builder.link.events import (
    ArticleFeatures,
    ClusterParams,
    FlatVectors,
    Vector,
    _flat_pair_cosines,
    _spans,
    _tfidf,
    time_ranks,
    when_agreement,
)
from builder.link.memo import LinkMemo, memo_key
from builder.link.nearest import nearest_rows
from builder.link.reference import Reference
from builder.link.regions import MergeLog, PreviousGrouping, grouped_by_parts, regrouped

STATE_FORMAT = 5


class KindVectors(NamedTuple):
    """Every article's vector of one kind of feature (words or names), in article order, and whether each term of
    their vocabulary is rare (Reference.rare).  Carried from build to build: a term keeps its number (new terms
    are numbered after the known ones), so an article's vector is copied, not made or looked up again.  The
    numbers are not a cold build's (first seen), but nothing reads them but to tell terms apart."""

    flat: FlatVectors
    rare: np.ndarray
    idf: np.ndarray  # each term's idf (the kind's Reference.idf), so that an edit need not load the frequency table


class KindPostings(NamedTuple):
    """The postings of one kind's rare terms (what _near and _nearest read of them): each term's number of
    articles holding it (0 for a term that is not rare), and those articles, term after term (in term number
    order), each term's in time order.  Kept from build to build and updated by the edit's changes
    (_kept_postings): making them again meant sorting every rare entry of the site by term and time each edit."""

    counts: np.ndarray  # per term number
    docs: np.ndarray  # int32 article indices


class GroupingState(NamedTuple):
    """What a grouping keeps for the next build (indices: the articles' places in `ids`)."""

    ids: list[bytes]  # each article's identity (grouping_identity), in article order
    times: list[tuple]  # each article's key in time order: (undated, day number, source file)
    vectors: list[KindVectors]  # per kind: words, names
    postings: list[KindPostings]  # per kind, its rare terms' postings (numbered as `vectors`' terms)
    nearest_starts: np.ndarray  # article i's candidates (events._nearest): nearest[nearest_starts[i] : …[i + 1]]
    nearest: np.ndarray
    pairs: np.ndarray  # every candidate pair (i < j), as codes i * len(ids) + j, sorted
    scores: np.ndarray  # their scores, in the same order
    groups: list[list[int]]
    merges: MergeLog  # the merges that made the groups (builder/link/regions.py)


def grouping_identity(source_file: str, content_hash: str, names: object, features: ArticleFeatures) -> bytes:
    """All that an article's grouping features are made of (events.article_features): `names` stands for the
    names article_features reads (their keys, or a digest of what they are made from: NameColumns.digest, which
    names the source file and content hash too: then they are not hashed again)."""
    named = (names,) if isinstance(names, bytes) and names else (source_file, content_hash, names)
    return memo_key(("grouped article", STATE_FORMAT, *named,
                     features.published.toordinal() if features.published else None, sorted(features.years)))


def _own_vectors(features: ArticleFeatures, params: ClusterParams) -> tuple[Vector, Vector]:
    """The article's word and name vectors on reference weights: a function of the article alone (the same
    floats as events._vectors over any list of articles holding it)."""
    return (_tfidf([features.words], reference=params.reference)[0],
            _tfidf([features.names], reference=params.name_reference)[0])


def _time_key(features: ArticleFeatures, source_file: str) -> tuple:
    # events.time_ranks' order, ties broken by source file (the articles are in source-file order)
    return (features.published is None, features.published.toordinal() if features.published else 0, source_file)


def regroup(features: list[ArticleFeatures], source_files: list[str], identities: list[bytes],
            params: ClusterParams, memo: LinkMemo,
            full: Callable[[int], ArticleFeatures] | None = None) -> list[list[int]]:
    """events.cluster_articles(features, params) on "reference" weights (params.reference), with the previous
    build's grouping from `memo` where an edit did not touch it; keeps this build's in `memo` for the next.
    `full`: article i's features with their words and names, when `features` hold only the dates (then the
    words and names are read only for the articles the previous grouping does not hold)."""
    count = len(features)
    state_parts = ("event grouping", STATE_FORMAT, repr(params))
    previous = memo.previous_value(state_parts)
    if not isinstance(previous, GroupingState) or source_files != sorted(source_files):
        previous = None
    old_of: dict[int, int] = {}  # a same article's index → its index in the previous build
    if previous is not None:
        old_index = {identity: k for k, identity in enumerate(previous.ids)}
        old_of = {i: old_index[identity] for i, identity in enumerate(identities) if identity in old_index}
    added = [i for i in range(count) if i not in old_of]
    references = [params.reference, params.name_reference]
    made = {}
    numbers = [{term: n for n, term in enumerate(kind.flat.words)} for kind in previous.vectors] \
        if previous is not None and added else []
    for i in added:
        article = features[i] if full is None else full(i)
        if previous is not None:
            _remember_idf(previous.vectors, numbers, references, [article.words, article.names])
        made[i] = _own_vectors(article, params)
    vectors = [_carried(previous.vectors[kind] if previous is not None else None, old_of, count,
                        {i: pair[kind] for i, pair in made.items()}, params.reference, references[kind],
                        numbers[kind] if numbers else None)
               for kind in (0, 1)]
    del made
    flats = [kind.flat for kind in vectors]
    ranks = time_ranks(features)
    times = [_time_key(f, s) for f, s in zip(features, source_files, strict=True)]
    near: set[int] = set(range(count))
    edited: dict[int, int] = {}
    new_of_old = {k: i for i, k in old_of.items()}
    if previous is not None:
        new_index = np.full(len(previous.ids), -1, dtype=np.int64)
        for k, i in new_of_old.items():
            new_index[k] = i
        postings = [_kept_postings(kind, ranks, before, new_index, added)
                    for kind, before in zip(vectors, previous.postings, strict=True)]
        near, edited = _near(_asked_kinds(vectors, postings, ranks, added), params, times, old_of, added, previous)
        kinds = _asked_kinds(vectors, postings, ranks, sorted(near))
    else:  # every article asks for its candidates: every rare term's postings, made at once
        kinds = _posting_kinds(vectors, ranks, [_terms_of(kind, list(range(count))) for kind in vectors])
        postings = [(KindPostings(np.where(wanted, frequency, 0), docs.astype(np.int32)), None)
                    for (_, _, frequency, _, _, docs), wanted in zip(kinds, [kind.rare for kind in vectors],
                                                                       strict=True)]
    found_at = np.full(len(previous.ids) if previous is not None else 0, -1, dtype=np.intp)
    for k, i in [*new_of_old.items(), *((k, i) for i, k in edited.items())]:  # an edited one is found where it was
        found_at[k] = i

    rows = _kept_candidates(near, old_of, found_at, previous) if previous is not None else {}
    missing = [index for index in range(count) if index not in rows]  # (a cold grouping: all of them)
    rows.update(zip(missing, nearest_rows(missing, kinds, params.neighbours, params.window), strict=True))
    del kinds
    lengths = np.array([len(rows[i]) for i in range(count)], dtype=np.intp)
    nearest = np.concatenate([rows[i] for i in range(count)]) if count else np.zeros(0, dtype=np.intp)
    del rows
    owner = np.repeat(np.arange(count, dtype=np.int64), lengths)
    codes = _sorted_unique(np.minimum(owner, nearest) * count + np.maximum(owner, nearest))  # every pair, sorted
    same_old = np.full(count, -1, dtype=np.int64)
    for i, k in old_of.items():
        same_old[i] = k
    values = _scores(codes, count, features, flats, params, same_old, previous)
    grouping = None
    if previous is not None:
        grouping = regrouped(count, codes, values, params.threshold, new_index,
                             PreviousGrouping(previous.pairs, previous.scores, previous.groups, previous.merges))
    groups, merges = grouping if grouping is not None else grouped_by_parts(count, codes, values, params.threshold)
    compacted = [_compacted(kind, kept) for kind, (kept, _) in zip(vectors, postings, strict=True)]
    memo.keep(state_parts, GroupingState(
        ids=list(identities), times=times, vectors=[kind for kind, _ in compacted],
        postings=[kept for _, kept in compacted],
        nearest_starts=np.concatenate([[0], np.cumsum(lengths)]).astype(np.intp), nearest=nearest,
        pairs=codes, scores=values, groups=groups, merges=merges))
    return groups


def _sorted_unique(codes: np.ndarray) -> np.ndarray:
    """np.unique(codes) by a sort (numpy's hash-based unique then sorts as well: several times slower here)."""
    codes = np.sort(codes)
    return codes[np.concatenate(([True], codes[1:] != codes[:-1]))] if len(codes) else codes


def _remember_idf(vectors: list[KindVectors], numbers: list[dict[str, int]], references: list[Reference],
                  counts: list) -> None:
    """Tell each kind's Reference the idf the previous build kept for the terms of `counts` it knew (`numbers`:
    each kind's term → its number)."""
    for kind, number, reference, counted in zip(vectors, numbers, references, counts, strict=True):
        known = [term for term in counted if term in number]
        reference.remember(known, kind.idf[[number[term] for term in known]].tolist())


def _removed(old_of: dict[int, int], previous: GroupingState) -> list[int]:
    kept_old = set(old_of.values())
    return [k for k in range(len(previous.ids)) if k not in kept_old]


def _terms_of(vectors: KindVectors, indices: list[int], before: KindVectors | None = None,
              removed: list[int] = ()) -> np.ndarray:
    """Which terms are rare terms of the articles `indices` (and of the `removed` articles' vectors in
    `before`), as a mask over the vocabulary: the postings _near and _nearest read of them."""
    wanted = np.zeros(vectors.flat.vocabulary, dtype=bool)
    for flat, rare, chosen in [(vectors.flat, vectors.rare, indices)] + (
            [(before.flat, before.rare, removed)] if before is not None else []):
        chosen = np.asarray(chosen, dtype=np.intp)
        terms = flat.terms[_spans(flat.starts[chosen], flat.lengths[chosen])]
        wanted[terms[rare[terms]]] = True
    return wanted


def _posting_kinds(vectors: list[KindVectors], ranks: np.ndarray, wanted: list[np.ndarray]) -> list[tuple]:
    """events.posting_kinds on reference weights, but the postings made only for the terms `wanted` (per kind, a
    mask over its vocabulary): the terms _near and _nearest read; sorting every term's postings was most of
    the cost of finding an edit's candidates."""
    kinds = []
    for kind, chosen in zip(vectors, wanted, strict=True):
        flat = kind.flat
        frequency = np.bincount(flat.terms, minlength=flat.vocabulary)
        owner = np.repeat(np.arange(len(flat.lengths)), flat.lengths)
        entries = np.flatnonzero(chosen[flat.terms])
        by_term = entries[np.lexsort((ranks[owner[entries]], flat.terms[entries]))]
        counted = np.where(chosen, frequency, 0)
        first = np.cumsum(counted) - counted
        place = np.zeros(len(flat.terms), dtype=np.intp)  # each wanted entry's place in its term's postings
        place[by_term] = np.arange(len(by_term)) - first[flat.terms[by_term]]
        kinds.append((flat, kind.rare[flat.terms], frequency, first, place, owner[by_term]))
    return kinds


def _kept_postings(vectors: KindVectors, ranks: np.ndarray, before: KindPostings, new_index: np.ndarray,
                   added: list[int]) -> tuple[KindPostings, np.ndarray]:
    """This build's postings of one kind's rare terms (KindPostings), from the previous build's (`before`;
    new_index: each previous article's index now, -1 for a removed one): the removed articles' postings
    dropped, the kept ones numbered as now, the added articles' inserted where their times put them.  Also
    each posting's code, term * articles + place in time order (`ranks`): sorted, the order of the postings.
    Two kept articles keep their order in time (they keep their dates, and ties go by source file), so the kept
    postings stay in order; the added ones are found their places by a binary search."""
    flat = vectors.flat
    count = len(flat.lengths)
    chosen = np.asarray(added, dtype=np.intp)
    entries = _spans(flat.starts[chosen], flat.lengths[chosen])
    rare = vectors.rare[flat.terms[entries]]
    owners = np.repeat(chosen, flat.lengths[chosen])[rare]
    codes = flat.terms[entries][rare].astype(np.int64) * count + ranks[owners]
    order = np.argsort(codes)  # (no two alike: a term is in a vector once)
    codes, owners = codes[order], owners[order]
    terms_before = np.repeat(np.arange(len(before.counts), dtype=np.int64), before.counts)
    mapped = new_index[before.docs]
    kept = mapped >= 0
    kept_docs = mapped[kept]
    kept_codes = terms_before[kept] * count + ranks[kept_docs]
    if len(kept_codes) > 1 and not (kept_codes[1:] > kept_codes[:-1]).all():  # (not expected: sorted again)
        order = np.argsort(kept_codes)
        kept_codes, kept_docs = kept_codes[order], kept_docs[order]
    at = np.searchsorted(kept_codes, codes)
    codes = np.insert(kept_codes, at, codes)
    docs = np.insert(kept_docs, at, owners).astype(np.int32)
    return KindPostings(np.bincount(codes // max(count, 1), minlength=flat.vocabulary), docs), codes


def _asked_kinds(vectors: list[KindVectors], postings: list[tuple[KindPostings, np.ndarray]], ranks: np.ndarray,
                 indices: list[int]) -> list[tuple]:
    """events.posting_kinds on reference weights as _near and _nearest read them for the articles `indices`, from
    the postings (_kept_postings: each kind's, and their codes): which entries are rare and their places in
    their terms' postings are worked out for those articles' entries only (the others are never read)."""
    chosen = np.asarray(indices, dtype=np.intp)
    kinds = []
    for kind, (kept, codes) in zip(vectors, postings, strict=True):
        flat = kind.flat
        count = len(flat.lengths)
        first = np.cumsum(kept.counts) - kept.counts
        entries = _spans(flat.starts[chosen], flat.lengths[chosen])
        terms = flat.terms[entries]
        is_rare = np.zeros(len(flat.terms), dtype=bool)
        rare = kind.rare[terms]
        is_rare[entries] = rare
        owners = np.repeat(chosen, flat.lengths[chosen])[rare]
        entries, terms = entries[rare], terms[rare]
        place = np.zeros(len(flat.terms), dtype=np.intp)
        place[entries] = np.searchsorted(codes, terms.astype(np.int64) * count + ranks[owners]) - first[terms]
        kinds.append((flat, is_rare, kept.counts, first, place, kept.docs))
    return kinds


def _carried(before: KindVectors | None, old_of: dict[int, int], count: int, made: dict[int, Vector],
             rarity: Reference, reference: Reference, number: dict[str, int] | None = None) -> KindVectors:
    """This build's vectors of one kind: a same article's copied from `before` (its place there: old_of), an
    added one's from `made`.  `rarity`: which terms are rare; `reference`: the kind's idf.  `number`: each term of
    `before`'s vocabulary → its number, when the caller has it (it is extended with the new terms)."""
    if before is None:
        flat = FlatVectors.of([made[i] for i in range(count)])
        return KindVectors(flat, rarity.rare_mask(flat.words), np.array([reference.idf(t) for t in flat.words]))
    old = before.flat
    words = list(old.words)
    if number is None:
        number = {term: n for n, term in enumerate(words)}
    for vector in made.values():
        for term in vector.position:
            if term not in number:
                number[term] = len(words)
                words.append(term)
    rare = np.concatenate([before.rare, rarity.rare_mask(words[len(old.words):])])
    idf = np.concatenate([before.idf, [reference.idf(t) for t in words[len(old.words):]]])
    source = np.full(count, -1, dtype=np.intp)
    for i, k in old_of.items():
        source[i] = k
    lengths = np.zeros(count, dtype=np.intp)
    kept = np.flatnonzero(source >= 0)
    lengths[kept] = old.lengths[source[kept]]
    for i, vector in made.items():
        lengths[i] = len(vector.position)
    starts = np.cumsum(lengths) - lengths
    terms = np.empty(int(lengths.sum()), dtype=old.terms.dtype)
    weights = np.empty(len(terms), dtype=np.float64)
    for at, begin, end in _runs(kept, old.starts[source[kept]], lengths[kept], starts[kept]):
        terms[at : at + end - begin] = old.terms[begin:end]
        weights[at : at + end - begin] = old.weights[begin:end]
    for i, vector in made.items():
        own = slice(starts[i], starts[i] + lengths[i])
        terms[own] = [number[term] for term in vector.position]
        weights[own] = vector.weights
    return KindVectors(FlatVectors(lengths, starts, terms, weights, len(words), words), rare, idf)


def _runs(kept: np.ndarray, old_starts: np.ndarray, lengths: np.ndarray,
          new_starts: np.ndarray) -> list[tuple[int, int, int]]:
    """The kept articles' vectors as runs to copy whole: (where in the new arrays, begin, end in the old ones).
    A run is consecutive kept articles whose previous vectors lay end to end: after an edit, the articles before
    it and those after it, so carrying 10,000 vectors over is a few slice copies, not a gather of every entry
    through index arrays of every entry (most of an edit's _carried)."""
    if not len(kept):
        return []
    ends = old_starts + lengths
    breaks = np.flatnonzero((np.diff(kept) != 1) | (old_starts[1:] != ends[:-1])) + 1
    firsts = np.concatenate(([0], breaks))
    lasts = np.concatenate((breaks, [len(kept)])) - 1
    return list(zip(new_starts[firsts].tolist(), old_starts[firsts].tolist(), ends[lasts].tolist(), strict=True))


def _compacted(vectors: KindVectors, postings: KindPostings) -> tuple[KindVectors, KindPostings]:
    """The same vectors and postings, their terms numbered again when the terms no article holds any more (of
    deleted or edited articles) have grown to half the vocabulary: the vocabulary does not grow with the edits."""
    flat = vectors.flat
    used = np.flatnonzero(np.bincount(flat.terms, minlength=flat.vocabulary))
    if len(used) * 2 >= flat.vocabulary:
        return vectors._replace(flat=flat._replace(terms=flat.terms.astype(np.int32))), postings  # (half the bytes)
    renumber = np.full(flat.vocabulary, -1, dtype=np.int32)
    renumber[used] = np.arange(len(used), dtype=np.int32)
    words = [flat.words[t] for t in used.tolist()]
    # (a term no article holds has no postings: its postings keep their order, numbered as the terms are)
    return (KindVectors(flat._replace(terms=renumber[flat.terms], vocabulary=len(words), words=words),
                        vectors.rare[used], vectors.idf[used]),
            postings._replace(counts=postings.counts[used]))


def _rare_terms(vectors: KindVectors, index: int) -> set[int]:
    """The numbers of the rare terms of article `index`'s vector."""
    flat = vectors.flat
    own = flat.terms[flat.starts[index] : flat.starts[index] + flat.lengths[index]]
    return set(own[vectors.rare[own]].tolist())


def _kept_candidates(near: set[int], old_of: dict[int, int], found_at: np.ndarray,
                     previous: GroupingState) -> dict[int, np.ndarray]:
    """The candidates of the articles not near a change: their previous ones, at their places in this build (a
    list holding a removed article is not expected, a removed article being near all it found; then found
    again)."""
    kept = [i for i in sorted(old_of) if i not in near]
    olds = np.array([old_of[i] for i in kept], dtype=np.intp)
    starts = previous.nearest_starts
    lengths = (starts[1:] - starts[:-1])[olds]
    mapped = found_at[previous.nearest[_spans(starts[olds], lengths)]]
    ends = np.cumsum(lengths)
    missing = set(np.repeat(np.arange(len(kept)), lengths)[mapped < 0].tolist())
    rows = zip(kept, ends.tolist(), lengths.tolist(), strict=True)
    return {i: mapped[end - length : end] for n, (i, end, length) in enumerate(rows) if n not in missing}


def _near(kinds: list[tuple], params: ClusterParams, times: list[tuple], old_of: dict[int, int], added: list[int],
          previous: GroupingState) -> tuple[set[int], dict[int, int]]:
    """The articles whose candidates may have changed since `previous`, and the edited ones (an added article →
    its previous version, when that one had the same source file and date: then it is where it was in every time
    order).  Near: the added ones, and the same ones within params.window places of an added or a removed one in
    the (new or previous) postings of a rare feature it holds; of an edited one, only of a rare feature it gained
    or lost (in the windows of the features it kept it stands where it stood, and what it adds to an article's
    candidate score there is that article's own weight).  Terms by their numbers, which this build's vectors
    share with the previous build's (_carried)."""
    window = params.window
    removed = _removed(old_of, previous)
    by_time = {previous.times[k]: k for k in removed}
    edited = {i: by_time[times[i]] for i in added if times[i] in by_time}
    # per kind, each edited article's rare features before (of its previous version's vector)
    had = [{i: _rare_terms(previous.vectors[kind], k) for i, k in edited.items()} for kind in (0, 1)]
    near = set(added)
    for kind, (flat, is_rare, frequency, first, place, docs) in enumerate(kinds):
        for index in added:  # the window around it in each of its rare features' postings (as _nearest reads them)
            own = slice(flat.starts[index], flat.starts[index] + flat.lengths[index])
            kept = is_rare[own]
            before = had[kind].get(index, ())
            for term, at in zip(flat.terms[own][kept].tolist(), place[own][kept].tolist(), strict=True):
                if term in before:
                    continue
                low = max(at - window, 0)
                high = min(at + window + 1, int(frequency[term]))
                near.update(docs[first[term] + low : first[term] + high].tolist())
    if not removed:
        return near, edited
    for kind, (flat, is_rare, frequency, first, _, docs) in enumerate(kinds):
        has = {k: set(flat.terms[flat.starts[i] : flat.starts[i] + flat.lengths[i]][
            is_rare[flat.starts[i] : flat.starts[i] + flat.lengths[i]]].tolist()) for i, k in edited.items()}
        held: dict[int, list[int]] = {}  # rare term → the removed articles holding it, whose window matters
        for k in removed:
            for term in _rare_terms(previous.vectors[kind], k):
                if term not in has.get(k, ()):
                    held.setdefault(term, []).append(k)
        for term, holders in held.items():
            # The term's previous postings: the same articles holding it now (an edited one where it held it before
            # too), and the removed ones, in time order.
            now = docs[first[term] : first[term] + frequency[term]].tolist()
            before = sorted([(times[i], i) for i in now if i in old_of or term in had[kind].get(i, ())]
                            + [(previous.times[k], -1) for k in holders])
            keys = [key for key, _ in before]
            for k in holders:
                position = bisect.bisect_left(keys, previous.times[k])
                near.update(i for _, i in before[max(position - window, 0) : position + window + 1] if i >= 0)
    return near, edited


def _scores(codes: np.ndarray, count: int, features: list[ArticleFeatures], flats: list[FlatVectors],
            params: ClusterParams, same_old: np.ndarray, previous: GroupingState | None) -> np.ndarray:
    """Each candidate pair's score (events.pair_scores; the pairs as codes i * count + j): a pair of same
    articles (same_old: each one's place in the previous build, -1 for an added one) scored before keeps its
    score."""
    first, second = np.divmod(codes, count) if count else (codes, codes)
    scores = np.zeros(len(codes), dtype=np.float64)
    known = np.zeros(len(codes), dtype=bool)
    if previous is not None and len(previous.pairs) and len(codes):
        before, after = same_old[first], same_old[second]
        both = np.flatnonzero((before >= 0) & (after >= 0))
        old_codes = before[both] * len(previous.ids) + after[both]  # same articles keep their order
        at = np.searchsorted(previous.pairs, old_codes)
        at[at >= len(previous.pairs)] = 0
        hit = previous.pairs[at] == old_codes
        scores[both[hit]] = previous.scores[at[hit]]
        known[both[hit]] = True
    fresh = np.flatnonzero(~known)
    pairs = list(zip(first[fresh].tolist(), second[fresh].tolist(), strict=True))
    word_cosines = _flat_pair_cosines(flats[0], pairs)
    name_cosines = _flat_pair_cosines(flats[1], pairs)
    total = params.words + params.names
    scores[fresh] = [(params.words * word + params.names * name
                      + params.when * when_agreement(features[i], features[j])) / total
                     for (i, j), word, name in zip(pairs, word_cosines, name_cosines, strict=True)]
    return scores
