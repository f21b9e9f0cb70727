"""The search index made after the pages (builder.search_catchup, as `serve` does): the site it leaves is
byte for byte the one `build` makes of the same input; a catch-up for a site replaced meanwhile changes
nothing; cancelling one stops Pagefind and leaves nothing behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder import search
from builder.build import build
from builder.config import Config, Paths, Settings
from builder.search_catchup import SearchCatchUp, work_folder
from builder.write import MARKER, read_marker

WORDS = ["harbour", "bridge", "council", "ferry", "library", "museum", "zebra", "quokka", "storm", "market"]


def article(number: int, variant: int) -> str:
    word = WORDS[(number + variant) % len(WORDS)]
    return (f"Headline {number} on the {word} story\n\nThe council of Townsville {number} met on Monday about "
            f"the {word}. Mayor Jane Doe said the {WORDS[variant % len(WORDS)]} plan goes ahead.\n")


def settings_for(root: Path, output: str = "output", cache: str = ".cache") -> Settings:
    return Settings(config=Config(), paths=Paths.from_project(root, output=root / output, cache=root / cache), jobs=1)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path, with its bytes; the marker without its folders' times (which
    differ between any two builds) and its fingerprint (which names the seeds folder's path)."""
    files = {}
    for where, _, names in os.walk(folder):
        for name in names:
            path = Path(where, name)
            data = path.read_bytes()
            if name == MARKER and path.parent == folder:
                data = b"\n".join(line for line in data.split(b"\n")
                                   if not line.startswith((b"folders: ", b"fingerprint: ")))
            files[path.relative_to(folder).as_posix()] = data
    return files


def assert_same_as_a_cold_build(root: Path) -> None:
    """The project's output equals a build of the same seeds into a fresh output with a fresh cache."""
    fresh = root / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(root / "seeds", fresh / "seeds")
    build(settings_for(fresh))
    made, cold = tree(root / "output"), tree(fresh / "output")
    assert sorted(made) == sorted(cold)
    assert [path for path in made if made[path] != cold[path]] == []
    assert any(path.startswith("pagefind/shard-") for path in made)  # (the test's budget makes several shards)


@pytest.fixture
def small_shards(monkeypatch):
    monkeypatch.setattr(search, "SHARD_BUDGET", 2)  # three article pages: two shards


def start_project(root: Path, articles: int = 6) -> Settings:
    (root / "seeds").mkdir(parents=True)
    for number in range(articles):
        (root / "seeds" / f"a{number}.txt").write_text(article(number, 0), encoding="utf-8")
    settings = settings_for(root)
    build(settings)
    return settings


def pagefind_words(output: Path) -> set[str]:
    bundles = [output / search.BUNDLE, *sorted((output / search.BUNDLE).glob("shard-*/"))]
    return {word.lower().strip(".,") for bundle in bundles for words in search.shard_words(bundle).values()
            for word in words}


def test_pages_go_in_with_the_previous_index_and_the_catch_up_makes_the_cold_builds(tmp_path, small_shards):
    settings = start_project(tmp_path)
    before = pagefind_words(settings.paths.output)
    (tmp_path / "seeds" / "a2.txt").write_text(article(2, 0).replace("goes ahead", "stalls in Wombatfield"),
                                               encoding="utf-8")
    report = build(settings, defer_search=True)

    assert report.pending_search is not None and report.search_runs == 0
    assert report.write.not_rendered > 0  # the page keys still work for a site whose index is pending
    assert any("Wombatfield" in page.read_text(encoding="utf-8")
               for page in (tmp_path / "output" / "articles").glob("*.html"))
    assert pagefind_words(settings.paths.output) == before  # the previous index, whole
    assert read_marker(settings.paths.output)["search"] == "pending"

    caught_up = SearchCatchUp(report.pending_search, settings.paths).run()

    assert caught_up.outcome == "updated" and caught_up.runs >= 1 and caught_up.reused >= 1
    assert "wombatfield" in pagefind_words(settings.paths.output)
    assert "search" not in read_marker(settings.paths.output)
    assert not work_folder(settings.paths.output).exists()
    assert build(settings).up_to_date
    assert_same_as_a_cold_build(tmp_path)


def test_a_site_whose_index_is_pending_is_not_up_to_date_and_build_indexes_it(tmp_path, small_shards):
    settings = start_project(tmp_path)
    (tmp_path / "seeds" / "a1.txt").write_text(article(1, 3), encoding="utf-8")
    assert build(settings, defer_search=True).pending_search is not None
    report = build(settings)  # e.g. `build-site build --output` of the folder `serve --into-output` left
    assert not report.up_to_date and report.search_runs >= 1 and report.pending_search is None
    assert build(settings).up_to_date
    assert_same_as_a_cold_build(tmp_path)


def test_a_catch_up_for_a_site_replaced_since_changes_nothing(tmp_path, small_shards):
    settings = start_project(tmp_path)
    (tmp_path / "seeds" / "a1.txt").write_text(article(1, 4), encoding="utf-8")
    first = build(settings, defer_search=True).pending_search
    (tmp_path / "seeds" / "a4.txt").write_text(article(4, 7), encoding="utf-8")
    second = build(settings, defer_search=True).pending_search
    bundle = settings.paths.output / search.BUNDLE
    files = {path: path.stat().st_ino for path in bundle.rglob("*")}

    assert SearchCatchUp(first, settings.paths).run().outcome == "superseded"
    assert {path: path.stat().st_ino for path in bundle.rglob("*")} == files
    assert read_marker(settings.paths.output)["search"] == "pending"

    assert SearchCatchUp(second, settings.paths).run().outcome == "updated"
    assert_same_as_a_cold_build(tmp_path)


def test_a_site_replaced_while_its_index_is_made_keeps_its_own(tmp_path, small_shards, monkeypatch):
    settings = start_project(tmp_path)
    (tmp_path / "seeds" / "a1.txt").write_text(article(1, 5), encoding="utf-8")
    pending = build(settings, defer_search=True).pending_search
    real_finish = search.SearchIndex.finish

    def newer_build_meanwhile(index, folder):
        real_finish(index, folder)
        (tmp_path / "seeds" / "a5.txt").write_text(article(5, 2), encoding="utf-8")
        with monkeypatch.context() as inner:
            inner.setattr(search.SearchIndex, "finish", real_finish)
            build(settings)  # (a whole build, index and all: `build-site build` of the same folder)

    monkeypatch.setattr(search.SearchIndex, "finish", newer_build_meanwhile)
    assert SearchCatchUp(pending, settings.paths).run().outcome == "superseded"
    monkeypatch.setattr(search.SearchIndex, "finish", real_finish)
    assert build(settings).up_to_date
    assert_same_as_a_cold_build(tmp_path)


def test_cancel_kills_pagefind_and_leaves_the_served_site_as_it_was(tmp_path, small_shards, monkeypatch):
    settings = start_project(tmp_path)
    (tmp_path / "seeds" / "a3.txt").write_text(article(3, 6), encoding="utf-8")
    pending = build(settings, defer_search=True).pending_search
    marker = (settings.paths.output / MARKER).read_bytes()
    started = threading.Event()
    processes = []

    def slow_pagefind(folder, where):  # a Pagefind that would take a minute
        processes.append(subprocess.Popen(["sleep", "60"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        started.set()
        return processes[-1]

    monkeypatch.setattr(search, "start_pagefind", slow_pagefind)
    catch_up = SearchCatchUp(pending, settings.paths)
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(catch_up.run()))
    begun = time.monotonic()
    thread.start()
    assert started.wait(30)
    catch_up.cancel()
    thread.join(30)

    assert outcome[0].outcome == "superseded" and time.monotonic() - begun < 30
    assert processes[0].poll() is not None  # killed
    assert (settings.paths.output / MARKER).read_bytes() == marker
    assert not work_folder(settings.paths.output).exists()
    monkeypatch.undo()
    monkeypatch.setattr(search, "SHARD_BUDGET", 2)
    assert SearchCatchUp(pending, settings.paths).run().outcome == "updated"
    assert_same_as_a_cold_build(tmp_path)


# One step of an editing session under `serve`: a seed edited, added or removed, then the site rebuilt the
# way `serve` does (index deferred) and caught up or not (a change came first), or built by `build-site build`.
steps = st.lists(st.tuples(st.sampled_from(["edit", "add", "remove"]), st.integers(0, 7), st.integers(1, 9),
                           st.sampled_from(["caught up", "left pending", "built whole"])), min_size=1, max_size=4)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_any_session_of_deferred_builds_and_catch_ups_ends_as_a_cold_build(tmp_path_factory, small_shards, steps):
    root = tmp_path_factory.mktemp("session")
    settings = start_project(root, articles=5)
    pending = None
    for action, number, variant, how in steps:
        seed = root / "seeds" / f"a{number}.txt"
        if action == "remove" and len(list((root / "seeds").iterdir())) > 1:
            seed.unlink(missing_ok=True)
        elif action != "remove":
            seed.write_text(article(number, variant), encoding="utf-8")
        if how == "built whole":
            build(settings)
            pending = None
            continue
        pending = build(settings, defer_search=True).pending_search or pending
        if how == "caught up" and pending is not None:
            assert SearchCatchUp(pending, settings.paths).run().outcome == "updated"
            pending = None
    if pending is not None:
        assert SearchCatchUp(pending, settings.paths).run().outcome == "updated"
    assert build(settings).up_to_date
    assert_same_as_a_cold_build(root)


def test_a_bundle_placed_from_an_older_index_set_aside_is_the_bundle_linked_whole(tmp_path):
    """`place_bundle` (a deferred build over a patched spare) takes the parts an older index set aside has
    (same key) whole and links the others: the files are those `link_tree` gives, byte for byte."""
    from builder.search import BUNDLE, SHARD_KEY, SHARD_LIST, WORDS_DIR, place_bundle, spare_bundles
    from builder.search_catchup import link_tree
    from builder.write import RETIRED

    def bundle(root: Path, keys: dict[str, str]) -> None:
        for part, key in keys.items():
            folder = root / part if part else root
            (folder / "fragment").mkdir(parents=True)
            (folder / "fragment" / f"{key}.pf_fragment").write_text(f"fragment of {key}")
            (folder / SHARD_KEY).write_text(key + "\n")
        (root / SHARD_LIST).write_text('["shard-1/", "shard-2/"]\n')
        (root / "exact").mkdir()
        (root / "exact" / "pagefind.js").write_text("module")

    previous = tmp_path / "output" / BUNDLE
    bundle(previous, {"": "k0", "shard-1": "k1", "shard-2": "k2", WORDS_DIR: "w1"})
    staging = tmp_path / "staging"
    bundle(staging / RETIRED / BUNDLE, {"": "k0", "shard-1": "old", "shard-2": "k1", WORDS_DIR: "w0"})
    spare = spare_bundles(staging)
    assert sorted(spare) == ["k0", "k1", "old", "w0"]
    place_bundle(previous, staging / BUNDLE, spare)
    expected = tmp_path / "expected"
    link_tree(previous, expected)
    files = {path.relative_to(expected).as_posix(): path.read_bytes() for path in expected.rglob("*") if path.is_file()}
    placed = {path.relative_to(staging / BUNDLE).as_posix(): path.read_bytes()
              for path in (staging / BUNDLE).rglob("*") if path.is_file()}
    assert placed == files
    assert sorted(spare) == ["old", "w0"]  # (k0 and k1 were taken; what is left the writer removes)
