"""What makes an edit's actor resolution cheaper changes nothing of its result: the articles' copies with their actor
keys (builder.link.actors._linked, _with_actors), the actors' Pairs (_pairs_of), and the collector turned off
through an edit's resolution and back on after it, whatever happens."""

from __future__ import annotations

import gc
import pickle
from array import array
from copy import copy
from dataclasses import replace
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import builder.link.actors as actors_module
from builder.link.actors import _linked, _mentions_of, _pairs, _with_actors, resolve_actors
from builder.link.memo import LinkMemo
from builder.model import Article, EntityType, Mention, Mentions, Pairs
from tests.test_actors import make_article
from tests.test_rejoin import made_up

PER, ORG = EntityType.PERSON, EntityType.ORGANISATION


def an_article(columns: bool) -> Article:
    article = make_article("a.md", "Kim Jong Un met KCNA. Kim said so. Moon Jae-in left.",
                           {"Kim Jong Un": PER, "KCNA": ORG, "Kim": PER, "Moon Jae-in": PER})
    if columns:
        article.mentions = Mentions(article.mentions)
    return article


@pytest.mark.parametrize("columns", [True, False])
def test_an_articles_linked_copy_is_its_copy_with_the_mentions_keys(columns):
    article = an_article(columns)
    before = pickle.dumps(article)
    keys = ["person/kim-jong-un", "organisation/kcna", "person/kim-jong-un", None]
    linked = _linked(article, keys)
    expected = copy(article)
    expected.mentions = (article.mentions.with_actors(keys) if columns else
                         [replace(m, actor_key=k) for m, k in zip(article.mentions, keys, strict=True)])
    assert type(linked) is Article and linked is not article
    assert vars(linked) == vars(expected)
    assert [m.actor_key for m in linked.mentions] == keys
    assert pickle.dumps(article) == before  # the article handed in is not changed
    if columns:  # every column set, each the very column the model's own with_actors holds
        assert type(linked.mentions) is Mentions
        for name in Mentions.__slots__:
            assert getattr(linked.mentions, name) is getattr(expected.mentions, name), name
        with pytest.raises(ValueError):
            _with_actors(article.mentions, keys[:-1])


def test_an_actors_pairs_are_the_models_pairs():
    items = [("b.md", 3), ("a.md", 1), ("a.md", 7)]
    made = _pairs(items)
    assert type(made) is Pairs and made == Pairs(items) and list(made) == items
    assert made.names == Pairs(items).names and made.numbers == array("i", [3, 1, 7])
    assert _pairs([]) == Pairs()
    keys_of = [["x", None, "x"], ["y"], [None, "x"]]
    assert list(_mentions_of("x", [0, 2], ["0.md", "1.md", "2.md"], keys_of)) == [("0.md", 0), ("0.md", 2),
                                                                                   ("2.md", 1)]


def site_of(size: int, rng: Random, version: str = "v0") -> dict[str, Article]:
    site = {f"{n:03d}.md": made_up(f"{n:03d}.md", version, rng) for n in range(size)}
    for article in site.values():
        article.mentions = Mentions(article.mentions)  # held as a build holds them
    return site


def resolved(site: dict[str, Article], memo: LinkMemo | None) -> str:
    return repr(resolve_actors([pickle.loads(pickle.dumps(site[name])) for name in sorted(site)], None, None, memo))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), size=st.integers(3, 25), edits=st.integers(1, 3))
def test_an_edit_of_articles_held_as_columns_resolves_as_a_cold_resolution(seed, size, edits):
    rng = Random(seed)
    site = site_of(size, rng)
    memo = LinkMemo()
    assert resolved(site, memo) == resolved(site, None)
    for step in range(1, edits + 1):
        name = rng.choice(sorted(site))
        site[name] = made_up(name, f"v{step}", rng)
        site[name].mentions = Mentions(site[name].mentions)
        memo = LinkMemo(memo.kept)
        assert resolved(site, memo) == resolved(site, None)


def test_the_collector_is_off_through_an_edits_resolution_only_and_back_on_after_it(monkeypatch):
    rng = Random(5)
    site = site_of(8, rng)
    seen: list[bool] = []
    loading = actors_module.previous_state

    def previous_state(*args):
        seen.append(gc.isenabled())
        return loading(*args)

    monkeypatch.setattr(actors_module, "previous_state", previous_state)
    assert gc.isenabled()
    memo = LinkMemo()
    resolved(site, memo)  # cold: no previous state
    assert seen == [True] and gc.isenabled()
    site["000.md"] = made_up("000.md", "v1", rng)
    resolved(site, LinkMemo(memo.kept))  # an edit
    assert seen == [True, False] and gc.isenabled()

    def failing(*args):
        raise RuntimeError("a state that cannot be read")

    monkeypatch.setattr(actors_module, "previous_state", failing)
    with pytest.raises(RuntimeError):
        resolved(site, LinkMemo(memo.kept))
    assert gc.isenabled()  # back on when the resolution fails too
    gc.disable()
    try:  # and left off when the caller had turned it off
        monkeypatch.setattr(actors_module, "previous_state", loading)
        resolved(site, LinkMemo(memo.kept))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_mention_list_keeps_its_unchanged_mentions():
    mentions = [Mention(0, 3, "Kim", PER, 0, "person/kim"), Mention(4, 8, "KCNA", ORG, 0)]
    linked = _with_actors(mentions, ["person/kim", "organisation/kcna"])
    assert linked[0] is mentions[0] and linked[1] == replace(mentions[1], actor_key="organisation/kcna")
