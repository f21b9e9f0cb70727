"""When the garbage collector runs (builder.gc_policy): what a build changes of it, it puts back."""

import gc

import pytest

from builder.gc_policy import ONLY_WHEN_ASKED, BuildCollections, fewer_collections, no_collections


def test_a_build_s_collections_freeze_what_is_settled_and_put_the_collector_back():
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with BuildCollections() as collector:
        held = [[index] for index in range(1000)]
        collector.settle()
        collector.only_asked_full_collections()
        assert gc.get_threshold()[2] == ONLY_WHEN_ASKED
        assert gc.get_freeze_count() >= frozen + len(held)
        with fewer_collections():  # (linking's, inside)
            assert gc.get_threshold() == (100_000, before[1], ONLY_WHEN_ASKED)
        assert gc.get_threshold()[2] == ONLY_WHEN_ASKED
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_build_s_collections_put_the_collector_back_when_the_build_fails():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), BuildCollections() as collector:
        collector.settle()
        collector.only_asked_full_collections()
        raise RuntimeError("a stage failed")
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_cyclic_garbage_made_after_settling_is_still_collected_when_asked():
    class Node:
        pass

    with BuildCollections() as collector:
        collector.settle()
        collector.only_asked_full_collections()
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


def test_what_the_cache_held_is_settled_before_anything_is_analysed(tmp_path):
    """map_articles' `cached_loaded` comes once, after the cached entries are loaded and before the rest is analysed
    (and so before any worker is forked): the build freezes what it loaded there."""
    from builder.cache import AnalysisCache
    from builder.model import SourceFile
    from builder.parallel import map_articles

    events: list[str] = []

    def analyse(source, context):
        events.append(f"analysed {source.relpath}")
        return f"analysis of {source.relpath}"

    cache = AnalysisCache(tmp_path, "context")
    first = [SourceFile("a.md", b"a", "hash-a")]
    assert list(map_articles(analyse, first, "context", cache, cached_loaded=lambda: events.append("loaded"))) == [
        "analysis of a.md"]
    events.clear()
    both = [*first, SourceFile("b.md", b"b", "hash-b")]
    assert list(map_articles(analyse, both, "context", cache, cached_loaded=lambda: events.append("loaded"))) == [
        "analysis of a.md", "analysis of b.md"]
    assert events == ["loaded", "analysed b.md"]
