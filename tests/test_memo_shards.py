"""A whole-site state kept in shards (builder.link.memo.keep_shards): read back, it is the dict that was kept, and
an edit pickles again only the shards where a value is not the very object the build loaded."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.link.memo import LinkMemo, keep_shards, load_shards, merged

KEYS = st.text(alphabet="abcdefgh", min_size=1, max_size=3)
VALUES = st.lists(st.integers(0, 3), max_size=3)
# A build's changes to the previous state: a key's value set anew (a new object, maybe an equal one), a key removed,
# a value changed in place (then named in `changed`).
CHANGES = st.lists(st.tuples(st.sampled_from(["set", "remove", "in place"]), KEYS, VALUES), max_size=4)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=20), st.lists(CHANGES, min_size=1, max_size=4),
       st.integers(1, 5))
def test_shards_kept_build_after_build_read_back_as_the_state_and_pickle_only_what_changed(first, builds, count):
    memo = LinkMemo()
    keys = keep_shards(memo, first, count, None)
    expected = dict(first)
    for changes in builds:
        memo = LinkMemo(memo.kept)
        shards = load_shards(memo, keys)
        state = merged(shards)
        assert state == expected
        changed: set[str] = set()
        for action, key, value in changes:
            if action == "set":
                state[key] = list(value)  # a new object, even when equal to the old one
                expected[key] = list(value)
            elif action == "in place":
                if key not in state:
                    continue
                state[key].append(9)
                expected[key] = [*expected[key], 9]
            elif key in state:
                del state[key]
                del expected[key]
            changed.add(key)
        made_before = dict(memo.kept)
        in_place = {key for action, key, _ in changes if action == "in place"}
        keys = keep_shards(memo, state, count, shards, in_place)
        fresh = {key for key in keys if key not in made_before}
        for number, key in enumerate(keys):  # a shard is pickled again exactly when one of its keys changed
            holds_change = any(shard_key in changed for shard_key in pickle.loads(memo.kept[key]).keys()
                               | shards.values[number].keys())
            if not holds_change:
                assert key == shards.keys[number]
            else:
                assert pickle.loads(memo.kept[key]) == {k: v for k, v in expected.items() if k in
                                                        pickle.loads(memo.kept[key])}
        assert len(fresh) <= len(keys)
    memo = LinkMemo(memo.kept)
    assert merged(load_shards(memo, keys)) == expected


def test_a_missing_shard_reads_as_no_state():
    memo = LinkMemo()
    keys = keep_shards(memo, {"a": [1], "b": [2]}, 2, None)
    del memo.kept[keys[0]]
    assert load_shards(LinkMemo(memo.kept), keys) is None
