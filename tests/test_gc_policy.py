"""When the garbage collector runs (builder.gc_policy): what a build changes of it, it puts back."""

import gc

import pytest

from builder.gc_policy import ONLY_WHEN_ASKED, fewer_collections, lasting_objects, no_collections


def test_lasting_objects_freezes_what_is_settled_and_puts_the_collector_back():
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with lasting_objects() as settle:
        assert gc.get_threshold()[2] == ONLY_WHEN_ASKED
        held = [[index] for index in range(1000)]
        settle()
        assert gc.get_freeze_count() >= frozen + len(held)
        with fewer_collections():  # (linking's, inside)
            assert gc.get_threshold() == (100_000, before[1], ONLY_WHEN_ASKED)
        assert gc.get_threshold()[2] == ONLY_WHEN_ASKED
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_lasting_objects_puts_the_collector_back_when_the_build_fails():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), lasting_objects() as settle:
        settle()
        raise RuntimeError("a stage failed")
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_cyclic_garbage_made_after_settling_is_still_collected_when_asked():
    class Node:
        pass

    with lasting_objects() as settle:
        settle()
        node = Node()
        node.itself = node
        del node
        assert gc.collect() >= 1


def test_no_collections_puts_back_what_it_found():
    assert gc.isenabled()
    with no_collections():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with no_collections():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_build_leaves_the_collector_as_it_found_it(tmp_path):
    """`serve` builds again and again in one process: a build must not leave its site frozen."""
    from builder.build import build
    from builder.config import Config, Paths, Settings

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.md").write_text("One\n\nAlice Smith met Bob Jones in Paris on Monday.\n")
    before = gc.get_threshold()
    report = build(Settings(config=Config(), paths=Paths.from_project(tmp_path), jobs=1))
    assert report.articles_built == 1
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
