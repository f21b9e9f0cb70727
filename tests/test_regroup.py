"""Event grouping on "reference" weights after edits, additions and deletions, with the previous build's grouping
(builder.link.regroup), gives the groups of a cold grouping: on made-up articles (hypothesis: any sequence of
changes) and on real news (news-2016: the whole linked Site)."""

from __future__ import annotations

import pickle
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from random import Random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.config import Config
from builder.link import link_site
from builder.link.events import REFERENCE_PARAMS, ArticleFeatures, cluster_articles
from builder.link.memo import LinkMemo
from builder.link.regroup import GroupingState, grouping_identity, regroup
from builder.model import Article

PARAMS = replace(REFERENCE_PARAMS, window=3, neighbours=6)
FEW = replace(REFERENCE_PARAMS, window=2, neighbours=2, threshold=0.2)  # candidate lists that change often


def made_up(rng: Random) -> ArticleFeatures:
    common = ["government", "police", "minister", "election", "storm", "company", "court", "market"]
    rare = [f"zq{n}" for n in range(30)]
    names = ["kim", "obama", "shoigu", "merkel"] + [f"zqname{n}" for n in range(12)]
    undated = rng.random() < 0.1
    return ArticleFeatures(Counter({w: rng.randint(1, 3) for w in rng.sample(common + rare, 10)}),
                           Counter({n: rng.randint(1, 2) for n in rng.sample(names, 3)}),
                           None if undated else date(2016, 1, 1) + timedelta(days=rng.randint(0, 40)),
                           frozenset({2016}) if undated and rng.random() < 0.5 else frozenset())


def grouped(site: dict[str, tuple[str, ArticleFeatures]], memo: LinkMemo | None, params=PARAMS) -> list[list[str]]:
    names = sorted(site)
    features = [site[name][1] for name in names]
    if memo is None:
        groups = cluster_articles(features, params)
    else:
        identities = [grouping_identity(name, site[name][0], [], site[name][1]) for name in names]
        groups = regroup(features, names, identities, params, memo)
    return [[names[i] for i in group] for group in groups]


CHANGE = st.sampled_from(["edit", "retouch", "add", "delete"])


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 10_000), builds=st.lists(st.lists(CHANGE, min_size=1, max_size=3), min_size=1, max_size=3),
       few=st.booleans())
def test_a_regrouping_after_changes_is_a_cold_grouping(seed, builds, few):
    """Each build after the first changes one to three articles (the next one is grouped with its memo)."""
    import builder.link.regroup as regroup_module

    made: list[ArticleFeatures] = []
    real = regroup_module._own_vectors
    regroup_module._own_vectors = lambda features, params: made.append(features) or real(features, params)
    try:
        _changes_regrouped(seed, builds, few, made)
    finally:
        regroup_module._own_vectors = real


def _changes_regrouped(seed: int, builds: list[list[str]], few: bool, made: list) -> None:
    rng = Random(seed)
    params = FEW if few else PARAMS
    site = {f"{n:03d}.md": ("v0", made_up(rng)) for n in range(0, 160, 2)}
    memo = LinkMemo()
    assert grouped(site, memo, params) == grouped(site, None, params)
    assert_postings_are_a_cold_sites(memo)
    for step, changes in enumerate(builds, 1):
        for change in changes:
            name = rng.choice(sorted(site))
            if change == "edit":
                site[name] = (f"v{step}", made_up(rng))
            elif change == "retouch":  # a word or name more or fewer, the same date: it stays where it was in time
                old = site[name][1]
                other = made_up(rng)
                words, names = Counter(old.words), Counter(old.names)
                words.pop(rng.choice(sorted(words)))
                words.update(rng.sample(sorted(other.words), 2))
                names.update(rng.sample(sorted(other.names), 1))
                site[name] = (f"v{step}", ArticleFeatures(words, names, old.published, old.years))
            elif change == "add":
                site[f"{rng.randrange(160):03d}a.md"] = (f"v{step}", made_up(rng))
            else:
                del site[name]
        memo = LinkMemo(memo.kept)
        made.clear()
        assert grouped(site, memo, params) == grouped(site, None, params), (step, changes)
        assert len(made) <= len(changes)  # only the edited and added articles' vectors were made again
        assert_postings_are_a_cold_sites(memo)


def assert_postings_are_a_cold_sites(memo: LinkMemo) -> None:
    """The postings the state keeps (updated by each build's changes: regroup._kept_postings) are those of its
    vectors made at once: each rare term's articles, in time order."""
    state = next(value for value in map(pickle.loads, memo.kept.values()) if isinstance(value, GroupingState))
    rank = {i: r for r, i in enumerate(sorted(range(len(state.times)), key=state.times.__getitem__))}
    for kind, postings in zip(state.vectors, state.postings, strict=True):
        flat = kind.flat
        expected: dict[str, list[int]] = {}
        for i in range(len(flat.lengths)):
            for term in flat.terms[flat.starts[i] : flat.starts[i] + flat.lengths[i]].tolist():
                if kind.rare[term]:
                    expected.setdefault(flat.words[term], []).append(i)
        found: dict[str, list[int]] = {}
        at = 0
        for term, held in enumerate(postings.counts.tolist()):
            if held:
                found[flat.words[term]] = postings.docs[at : at + held].tolist()
                at += held
        assert at == len(postings.docs) and len(postings.counts) == flat.vocabulary
        assert found == {term: sorted(docs, key=rank.__getitem__) for term, docs in expected.items()}


def test_an_untouched_site_keeps_every_candidate_list_and_group():
    rng = Random(7)
    site = {f"{n:03d}.md": ("v0", made_up(rng)) for n in range(120)}
    memo = LinkMemo()
    cold = grouped(site, memo)
    again = LinkMemo(memo.kept)
    assert grouped(site, again) == cold
    state = next(pickle.loads(value) for value in again.kept.values()
                 if isinstance(pickle.loads(value), GroupingState))
    assert len(state.ids) == 120 and sum(map(len, state.groups)) == 120
    assert len(state.nearest_starts) == 121 and len(state.vectors[0].flat.lengths) == 120


def test_an_edit_far_in_time_leaves_most_candidates_as_they_were(monkeypatch):
    """Only the articles near the edited one in time (within the window of a rare feature) look for their
    candidates again."""
    import builder.link.regroup as regroup_module

    rng = Random(3)
    site = {f"{n:03d}.md": ("v0", made_up(rng)) for n in range(200)}
    memo = LinkMemo()
    grouped(site, memo)
    looked: list[int] = []
    real = regroup_module.nearest_rows  # (builder.link.nearest: the candidates of the articles asked, at once)
    monkeypatch.setattr(regroup_module, "nearest_rows",
                        lambda indices, *rest: looked.extend(indices) or real(indices, *rest))
    site["050.md"] = ("v1", made_up(rng))
    memo = LinkMemo(memo.kept)
    assert grouped(site, memo) == grouped(site, None)
    assert 0 < len(looked) < 100


# ---------------------------------------------------------------- real news, the whole Site



NEWS = "2016-02-1[2-8]-*.md"  # a week of news-2016: Scalia's death, Syria, the pope in Mexico, the primaries


def link(articles: list[Article], memo: LinkMemo | None = None):
    return link_site(articles, [], Config(event_weights="reference"), None,
                     event_types=Path("/nonexistent/event_types.toml"), memo=memo)


def articles_of(analysed: dict[str, bytes], extra: dict[str, Article], without: set[str]) -> list[Article]:
    chosen = {name: pickle.loads(data) for name, data in analysed.items() if name not in without}
    chosen.update({name: pickle.loads(pickle.dumps(article)) for name, article in extra.items()})
    return [chosen[name] for name in sorted(chosen)]


def test_news_linked_after_changes_with_the_memo_equals_a_cold_link(news, analysed, analyse):
    assert len(analysed) >= 120
    names = sorted(analysed)
    scalia = next(n for n in names if "scalia" in n)
    text = news[scalia] + b"\n\nAntonin Scalia and Pope Francis were mentioned by Bashar al-Assad on Monday.\n"
    steps = [  # each a whole site: (added or edited articles, deleted ones)
        ({}, set()),
        ({scalia: analyse(scalia, text)}, set()),
        ({scalia: analyse(scalia, text),
          "2016-02-15-zz-added.md": analyse("2016-02-15-zz-added.md", text)}, set()),
        ({"2016-02-15-zz-added.md": analyse("2016-02-15-zz-added.md", text)},
         {names[len(names) // 2], names[3]}),
    ]
    memo = LinkMemo()
    sites = []
    for extra, without in steps:
        memo = LinkMemo(memo.kept)
        warm = link(articles_of(analysed, extra, without), memo)
        cold = link(articles_of(analysed, extra, without))
        assert repr(warm) == repr(cold)
        sites.append(repr(cold))
    assert len(set(sites)) == len(sites)


def test_a_group_whose_pair_below_the_threshold_went_is_grouped_again():
    """A pair below the threshold may go (here (0, 2)), and with it the average that joined 2 to 0 and 1: the
    group is grouped again although no pair above the threshold changed."""
    import numpy as np

    from builder.link.regions import PreviousGrouping, grouped_by_parts, regrouped

    count = 10  # (7 articles on their own: the region grouped again is less than half the site)
    codes, values = np.array([1, 2, count + 2]), np.array([0.5, 0.1, 0.5])
    groups, merges = grouped_by_parts(count, codes, values, 0.28)
    assert groups[0] == [0, 1, 2]
    same = np.arange(count)
    previous = PreviousGrouping(codes, values, groups, merges)
    assert regrouped(count, codes, values, 0.28, same, previous)[0][0] == [0, 1, 2]
    assert regrouped(count, codes[[0, 2]], values[[0, 2]], 0.28, same, previous)[0][:2] == [[0, 1], [2]]


def test_a_site_whose_every_article_was_replaced_keeps_a_small_vocabulary_and_groups_as_cold():
    """When the terms no article holds any more outnumber the others, the state numbers its terms again
    (regroup._compacted); the builds after that still group as a cold grouping does."""
    rng = Random(11)
    site = {f"{n:03d}.md": ("v0", made_up(rng)) for n in range(60)}
    memo = LinkMemo()
    grouped(site, memo)

    def renamed(features: ArticleFeatures, mark: str) -> ArticleFeatures:
        return ArticleFeatures(Counter({w + mark: c for w, c in features.words.items()}),
                               Counter({n + mark: c for n, c in features.names.items()}),
                               features.published, features.years)

    site = {f"{n:03d}b.md": ("v1", renamed(made_up(rng), "x")) for n in range(6)}  # every term new, fewer
    memo = LinkMemo(memo.kept)
    assert grouped(site, memo) == grouped(site, None)
    state = next(pickle.loads(value) for value in memo.kept.values()
                 if isinstance(pickle.loads(value), GroupingState))
    words = state.vectors[0].flat.words
    assert all(word.endswith("x") for word in words)  # the old terms were dropped
    for step in range(2, 5):
        name = rng.choice(sorted(site))
        site[name] = (f"v{step}", renamed(made_up(rng), "x" if step % 2 else "y"))
        del site[rng.choice(sorted(site))]
        memo = LinkMemo(memo.kept)
        assert grouped(site, memo) == grouped(site, None), step
        assert_postings_are_a_cold_sites(memo)


def _vector_of(flat, index: int) -> list[tuple[str, float]]:
    span = slice(int(flat.starts[index]), int(flat.starts[index] + flat.lengths[index]))
    return [(flat.words[t], w) for t, w in zip(flat.terms[span].tolist(), flat.weights[span].tolist(), strict=True)]


@settings(max_examples=400, deadline=None)
@given(sizes=st.lists(st.integers(0, 4), min_size=0, max_size=12), data=st.data())
def test_carried_vectors_are_each_articles_own_whatever_the_previous_order(sizes, data):
    """_carried copies the kept articles' vectors in runs (_runs): each article gets exactly the vector it had (at
    its previous place, in any order: kept, moved, dropped) or the one made for it."""
    from builder.link.events import FlatVectors, Vector
    from builder.link.reference import Reference
    from builder.link.regroup import KindVectors, _carried

    vocabulary = [f"w{n}" for n in range(8)]
    def vector(seed: int, size: int) -> Vector:
        rng = Random(seed)
        return Vector.of([(term, rng.random()) for term in rng.sample(vocabulary, size)])

    old = [vector(n, size) for n, size in enumerate(sizes)]
    reference = Reference()
    flat = FlatVectors.of(old)
    before = KindVectors(flat, np.zeros(flat.vocabulary, dtype=bool), np.ones(flat.vocabulary))
    count = data.draw(st.integers(0, len(sizes) + 3))
    sources = data.draw(st.permutations(list(range(len(sizes))) + [-1] * count))[:count]
    old_of = {i: k for i, k in enumerate(sources) if k >= 0}
    made = {i: vector(100 + i, data.draw(st.integers(0, 4))) for i in range(count) if i not in old_of}
    carried = _carried(before, old_of, count, made, reference, reference)
    for i in range(count):
        expected = list(made[i].items()) if i in made else list(old[old_of[i]].items())
        assert _vector_of(carried.flat, i) == expected
