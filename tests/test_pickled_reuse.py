"""`page_keys._pickled` uses one pickler per thread again for every value: each value's bytes must be those a
new memo-less pickler writes for it alone, whatever was pickled before (a longer value, a value sharing
objects, a dump that failed half-way), and in any thread.  A stale byte left in the buffer, a memo kept from
one dump to the next or a pickler shared across threads would give a page key that depends on what was hashed
before it: a kept page whose inputs changed, or a page rendered for nothing."""

from __future__ import annotations

import io
import pickle
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.page_keys import _pickled

plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.binary(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner),
    max_leaves=20)


def alone(value: object) -> bytes:
    """What a pickler made for this value alone writes: no memo."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return out.getvalue()


@settings(max_examples=200, deadline=None)
@given(st.lists(plain, min_size=1, max_size=6))
def test_each_value_pickles_as_alone_whatever_came_before(values):
    for value in values:
        assert _pickled(value) == alone(value)


def test_a_shared_part_is_written_each_time_it_is_met():
    # (the memo would write the second "shared" as a reference to the first: bytes that depend on sharing)
    shared = "shared" * 3
    assert _pickled([shared, shared]) == _pickled(["shared" * 3, "shared" * 3]) == alone([shared, shared])
    assert _pickled(shared) == alone(shared)  # (and no memo carried over into the next dump)


def test_a_failed_dump_leaves_nothing_behind():
    long_value = ["x" * 1000, list(range(100))]
    assert _pickled(long_value) == alone(long_value)
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        _pickled(["half", "way", lambda: None])  # (a lambda does not pickle: the dump stops half-way)
    assert _pickled("short") == alone("short")
    assert _pickled(long_value) == alone(long_value)


def test_threads_do_not_share_a_pickler():
    values = [[str(number) * number, number] for number in range(1, 60)]
    expected = [alone(value) for value in values]
    failures = []

    def pickle_all() -> None:
        for _ in range(200):
            if [_pickled(value) for value in values] != expected:
                failures.append(True)
                return

    threads = [threading.Thread(target=pickle_all) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
