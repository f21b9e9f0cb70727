"""The likely merges of similar names (builder.link.similar) compared again only in the blocks an edit changed
give the pairs a cold comparison gives, after any sequence of actors added, removed, renamed, retyped or moved."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.link.memo import LinkMemo
from builder.link.similar import SIMILAR_BLOCK_LIMIT, similar_pairs
from builder.model import Actor, EntityType

# Names that meet in blocks: similar spellings, shared surnames with the same or another initial, one word shared
# by many (a block over the limit when most of them are there).
NAMES = ["Sergei Shoigu", "Sergey Shoigu", "Sergei Kuzhugetovich Shoigu", "Shoigu", "Laura Bush", "Lara Bush",
         "George Bush", "George W. Bush", "Kim Jong Un", "Kim Jong-un", "Kim Yo Jong", "Kim Jong Il",
         "United Nations", "United Nation", "Nations League", "Bank of Korea", "Bank of Korean"]
MANY = [f"Korea Team {n}" for n in range(SIMILAR_BLOCK_LIMIT + 3)]  # the block "korea" goes over the limit
TYPES = [EntityType.PERSON, EntityType.ORGANISATION]
CHANGE = st.tuples(st.sampled_from(["add", "remove", "rename", "retype", "move", "many"]), st.integers(0, 10_000))


def pairs(actors: list[Actor], memo: LinkMemo | None) -> list:
    return similar_pairs([Actor(a.key, a.name, a.type, a.slug) for a in actors], memo)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(TYPES)), min_size=1, max_size=12),
       st.lists(st.lists(CHANGE, min_size=1, max_size=4), min_size=1, max_size=4))
def test_pairs_compared_again_only_where_an_edit_changed_a_block_are_a_cold_comparisons(first, builds):
    actors = [Actor(f"k{n}", name, kind, "") for n, (name, kind) in enumerate(first)]
    memo = LinkMemo()
    assert pairs(actors, memo) == pairs(actors, None)
    made = len(actors)
    for changes in builds:
        for change, number in changes:
            at = number % len(actors) if actors else 0
            if change == "add" or not actors:
                actors.insert(at, Actor(f"k{made}", NAMES[number % len(NAMES)], TYPES[number % 2], ""))
                made += 1
            elif change == "remove" and len(actors) > 1:
                del actors[at]
            elif change == "rename":
                actors[at] = Actor(actors[at].key, NAMES[number % len(NAMES)], actors[at].type, "")
            elif change == "retype":
                actors[at] = Actor(actors[at].key, actors[at].name, TYPES[actors[at].type == TYPES[0]], "")
            elif change == "move":
                actors.insert(number % len(actors), actors.pop(at))
            elif change == "many":
                actors += [Actor(f"k{made + n}", name, EntityType.ORGANISATION, "") for n, name in enumerate(MANY)]
                made += len(MANY)
        memo = LinkMemo(memo.kept)
        assert pairs(actors, memo) == pairs(actors, None), changes


def test_a_block_none_of_whose_actors_changed_is_not_compared_again(monkeypatch):
    import builder.link.similar as similar

    actors = [Actor(f"k{n}", name, EntityType.PERSON, "") for n, name in enumerate(NAMES)]
    memo = LinkMemo()
    cold = pairs(actors, memo)
    assert ("k0", "k1", "similar names") in cold
    compared: list[str] = []
    real = similar.block_pairs
    monkeypatch.setattr(similar, "block_pairs", lambda block, token: compared.append(token) or real(block, token))
    actors[4] = Actor("k4", "Laura Bushe", EntityType.PERSON, "")
    warm = pairs(actors, LinkMemo(memo.kept))
    assert compared == ["bush"]  # the block it left ("bushe" and "laura" are its alone: no pairs)
    assert warm == pairs(actors, None)
