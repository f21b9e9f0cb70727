"""How builder.search splits the pages to index into shards, and indexes them one at a time beside the writer."""

from __future__ import annotations

import itertools
import json
import subprocess
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder import search
from builder.errors import BuildError
from tests.search_pages import index_folder


def write(folder, relative, marked=True):
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "<article data-pagefind-body>x</article>" if marked else "<main>x</main>"
    path.write_text(f"<!doctype html><html><body>{body}</body></html>", encoding="utf-8")


def test_only_marked_pages_in_balanced_shards_within_the_budget(tmp_path):
    for number in range(6):
        write(tmp_path, f"articles/{number}.html")
    for number in range(8):
        write(tmp_path, f"actors/{number}.html")  # 0.25 unit each
    write(tmp_path, "actors/7-2.html", marked=False)  # page 2 of an actor, an index page: not indexed
    write(tmp_path, "index.html", marked=False)
    write(tmp_path, "pagefind/old.html")  # the bundle itself is never indexed
    groups = search.shards(tmp_path, budget=3)
    assert [page for group in groups for page in group] == sorted(
        [f"actors/{n}.html" for n in range(8)] + [f"articles/{n}.html" for n in range(6)])
    assert len(groups) in (3, 4)  # 8 units in shards of at most 3 (balanced, then whole pages)
    for group in groups:
        assert sum(search.PAGE_WEIGHTS[page.split("/")[0]] for page in group) <= 3


def test_one_shard_when_it_fits_and_none_without_marked_pages(tmp_path):
    write(tmp_path, "index.html", marked=False)
    assert search.shards(tmp_path) == []  # Pagefind then indexes every page, its own rule
    write(tmp_path, "articles/a.html")
    assert search.shards(tmp_path) == [["articles/a.html"]]


def plan(pages: list[str], budget: float) -> list[tuple[str, ...]]:
    planner = search.ShardPlanner(budget)
    shards = [tuple(shard.pages) for page in pages for shard in planner.add(page, b"<article data-pagefind-body>")]
    rest = planner.rest()
    return [*shards, tuple(rest.pages)] if rest else shards


KINDS = ["articles", "actors", "events", "graphs", "feeds"]  # (weights 1, 0.25, 0.33, and 1 for the others)


@settings(max_examples=200, deadline=None)
@given(pages=st.lists(st.tuples(st.sampled_from(KINDS), st.booleans()), max_size=80),
       cuts=st.lists(st.integers(0, 80)), budget=st.sampled_from([1.0, 2.0, 3.5, 7.0]))
def test_runs_of_pages_given_whole_make_the_shards_of_the_pages_given_one_by_one(pages, cuts, budget):
    """`ShardPlanner.add_entries` (a run of kept pages, builder.write) cuts the shards that `add_entry` page by page
    does, whatever runs the pages come in, and pages given alone between them."""
    named = [(f"{kind}/{number}.html", f"{number:064x}" if indexed else "")
             for number, (kind, indexed) in enumerate(pages)]
    one_by_one = search.ShardPlanner(budget)
    expected = [shard for path, entry in named
                for shard in one_by_one.add_entry(path, bytes.fromhex(entry) if entry else None)]
    expected.append(one_by_one.rest())
    in_runs = search.ShardPlanner(budget)
    found = []
    bounds = sorted({0, len(named), *(cut for cut in cuts if cut < len(named))})
    for number, (start, end) in enumerate(itertools.pairwise(bounds)):
        if number % 3 == 2 and end - start == 1:  # (now and then a page alone, as a page made is)
            path, entry = named[start]
            found += in_runs.add_entry(path, bytes.fromhex(entry) if entry else None)
        else:
            run = named[start:end]
            found += in_runs.add_entries([path for path, _ in run], [entry for _, entry in run])
    found.append(in_runs.rest())
    assert found == expected


def test_an_added_or_removed_page_changes_only_the_shard_it_falls_in():
    """Shards end where their pages say, not where the budget fills: the other shards keep their pages
    (and a rebuild reuses their index). Filling each shard in order shifted every shard after the page.
    (A change whose shard's cut moves reaches the next shard too: rare at the real budget, none here.)"""
    pages = [f"articles/{number:05}.html" for number in range(12_000)]
    before = plan(pages, budget=search.SHARD_BUDGET)
    # 12,000 units in shards of MIN_FILL of the budget to the whole of it (760 to 950 article pages)
    assert 12_000 / search.SHARD_BUDGET < len(before) < 12_000 / (search.MIN_FILL * search.SHARD_BUDGET) + 1
    for at in range(0, 12_000, 701):
        added = plan([*pages[:at], f"articles/{at:05}-new.html", *pages[at:]], budget=search.SHARD_BUDGET)
        removed = plan(pages[:at] + pages[at + 1:], budget=search.SHARD_BUDGET)
        assert len(set(added) - set(before)) == 1, at
        assert len(set(removed) - set(before)) == 1, at


def test_no_shard_holds_more_of_pagefind_memory_than_a_shard_of_article_pages():
    """At the real weights and budget, a shard of actor or event pages (or of any mix) costs Pagefind no more
    memory (PAGE_MEMORY_KB, measured at 10k) than one of SHARD_BUDGET article pages: a `serve` catch-up that
    indexes one again stays as small as one over an edited article's shard (bench/RESULTS-scale.md, session
    18: shards of 7,123 actor pages took 473 MB, and the server's tree over 1 GB)."""
    pages = ([f"articles/{number:05}.html" for number in range(3_000)] + [f"actors/{n:05}.html" for n in range(20_000)]
             + [f"events/{number:05}.html" for number in range(12_000)])
    most = search.SHARD_BUDGET * search.PAGE_MEMORY_KB["articles"]
    shards = plan(pages, budget=search.SHARD_BUDGET)
    for shard in shards:
        assert sum(search.PAGE_MEMORY_KB[page.split("/")[0]] for page in shard) <= most, (len(shard), shard[0])
    # and each still holds a good part of that (not shards of a handful of pages)
    assert all(sum(search.PAGE_MEMORY_KB[page.split("/")[0]] for page in shard) > 0.7 * most for shard in shards[:-1])


def test_shards_are_indexed_while_later_pages_are_written(tmp_path):
    site = tmp_path / "site"
    index = search.SearchIndex(budget=2)
    try:
        for number in range(5):
            relative = f"articles/{number}.html"
            write(site, relative)
            index.page_written(site, relative, (site / relative).read_bytes())
            if number == 2:  # the first two pages fill a shard: Pagefind already works on it (or is done)
                assert index.started == 1 and running_or_done(index)
        write(site, "index.html", marked=False)
        index.finish(site)
    finally:
        index.close()
    assert json.loads((site / "pagefind" / search.SHARD_LIST).read_text()) == ["shard-1/", "shard-2/"]
    assert (site / "pagefind" / "shard-2" / "pagefind-entry.json").is_file()
    assert not list(tmp_path.glob(".search-shards-*"))  # the working folder is gone


def test_a_failed_build_stops_pagefind_and_leaves_no_working_folder(tmp_path, monkeypatch):
    """A Pagefind still running when the build fails is killed. (Its run is made a minute long: a real one on a
    page could end before the test looked at it, and CI once saw no process running.)"""
    processes: list[subprocess.Popen] = []

    def endless_pagefind(folder, where):
        processes.append(subprocess.Popen(["sleep", "60"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        return processes[-1]

    monkeypatch.setattr(search, "start_pagefind", endless_pagefind)
    site = tmp_path / "site"
    index = search.SearchIndex(budget=1)
    for number in range(2):
        write(site, f"articles/{number}.html")
        index.page_written(site, f"articles/{number}.html", (site / f"articles/{number}.html").read_bytes())
    assert running_or_done(index) and index.running is not None
    process = index.running[0]
    assert processes == [process] and process.poll() is None
    begun = time.monotonic()
    index.close()  # what build() does when rendering fails half-way
    assert process.poll() is not None and time.monotonic() - begun < 30
    assert not list(tmp_path.glob(".search-shards-*"))


def test_a_close_while_a_shards_run_ends_leaves_the_shards_thread_without_an_error(tmp_path, monkeypatch):
    """`close` (a failed build) empties the queue while the shards' thread is finishing a run that succeeded: the
    thread ends quietly (it used to take the finished shard off the emptied queue: an IndexError told on stderr
    after the build's own error)."""
    errors = []
    monkeypatch.setattr(threading, "excepthook", errors.append)
    index = search.SearchIndex(budget=1)
    finished, index_shard = threading.Event(), index._index_shard

    def index_shard_until_closed() -> None:
        index_shard()
        finished.set()
        until = time.monotonic() + 10
        while not index._stopping and time.monotonic() < until:  # (close comes now)
            time.sleep(0.01)

    monkeypatch.setattr(index, "_index_shard", index_shard_until_closed)
    site = tmp_path / "site"
    for number in range(2):
        write(site, f"articles/{number}.html")
        index.page_written(site, f"articles/{number}.html", (site / f"articles/{number}.html").read_bytes())
    assert finished.wait(60)
    index.close()
    assert errors == []


def running_or_done(index: search.SearchIndex, seconds: float = 10.0) -> bool:
    """Whether the shards' thread started a Pagefind (or finished one) within `seconds`."""
    until = time.monotonic() + seconds
    while index.running is None and not index.indexed and time.monotonic() < until:
        time.sleep(0.01)
    return index.running is not None or bool(index.indexed)


def slow_pagefind(seconds: float, started: list[float], processes: list | None = None):
    """start_pagefind, each run taking `seconds` longer (and noting when it started, and its process)."""
    def start(folder, where):
        started.append(time.monotonic())
        command = [str(search.pagefind_executable()), *where, *search.PAGEFIND_OPTIONS]
        process = subprocess.Popen(["sh", "-c", f'sleep {seconds}; exec "$@"', "sh", *command],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if processes is not None:
            processes.append(process)
        return process
    return start


def gated_pagefind(gate, processes: list, overlapped: list):
    """start_pagefind whose runs wait until the file `gate` exists (noting each process, and whether an earlier
    one still ran when it started)."""
    def start(folder, where):
        overlapped.append(any(process.poll() is None for process in processes))
        command = [str(search.pagefind_executable()), *where, *search.PAGEFIND_OPTIONS]
        processes.append(subprocess.Popen(
            ["sh", "-c", 'while [ ! -e "$0" ]; do sleep 0.02; done; exec "$@"', str(gate), *command],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        return processes[-1]
    return start


def test_the_builder_does_not_wait_for_pagefind_between_shards(tmp_path, monkeypatch):
    """Three shards written while the first one's Pagefind cannot end: the writer goes on (the shards wait their
    turn, one Pagefind at a time), and finish() has every shard indexed. (A gate, not a clock: CI's load.)"""
    gate, processes, overlapped = tmp_path / "gate", [], []
    monkeypatch.setattr(search, "start_pagefind", gated_pagefind(gate, processes, overlapped))
    site = tmp_path / "site"
    index = search.SearchIndex(budget=1)
    opener = threading.Timer(30, gate.touch)  # a writer that waits for Pagefind fails below instead of hanging
    opener.start()
    try:
        for number in range(4):
            write(site, f"articles/{number}.html")
            index.page_written(site, f"articles/{number}.html", (site / f"articles/{number}.html").read_bytes())
        assert index.started == 3 and len(processes) <= 1  # the writer did not wait for the gated first run
        opener.cancel()
        gate.touch()
        write(site, "index.html", marked=False)
        index.finish(site)
    finally:
        gate.touch()
        index.close()
    assert index.runs == 4 and len(index.indexed) == 4
    assert len(processes) >= 4 and not any(overlapped)  # one at a time (and the words index after)
    assert json.loads((site / "pagefind" / search.SHARD_LIST).read_text()) == ["shard-1/", "shard-2/", "shard-3/"]
    assert not list(tmp_path.glob(".search-shards-*"))


def test_a_failed_pagefind_run_fails_the_index(tmp_path, monkeypatch):
    """A shard's Pagefind that fails in the shards' thread: the builder's next call raises its error."""
    def failing(folder, where):
        return subprocess.Popen(["sh", "-c", "echo broken index >&2; exit 3"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    monkeypatch.setattr(search, "start_pagefind", failing)
    site = tmp_path / "site"
    index = search.SearchIndex(budget=1)
    try:
        for number in range(3):
            write(site, f"articles/{number}.html")
            index.page_written(site, f"articles/{number}.html", (site / f"articles/{number}.html").read_bytes())
        with pytest.raises(BuildError, match=r"Pagefind failed on .*broken index"):
            index.finish(site)
    finally:
        index.close()
    assert not list(tmp_path.glob(".search-shards-*"))


def test_words_read_while_the_last_shards_wait_are_the_words_read_after(tmp_path, monkeypatch):
    """The words index of a cold build is the same whether its shards' words are read while the last shards are
    indexed or after (each shard's words read once either way, and while the last Pagefind still ran)."""
    started: list[float] = []
    processes: list[subprocess.Popen] = []
    monkeypatch.setattr(search, "start_pagefind", slow_pagefind(0.5, started, processes))
    read_while_running = []
    original = search.shard_word_counts

    def spied(bundle):
        read_while_running.append(any(process.poll() is None for process in processes))
        return original(bundle)

    monkeypatch.setattr(search, "shard_word_counts", spied)
    sites = {}
    for early in (True, False):
        read_while_running.clear()
        site = tmp_path / f"site-{early}"
        for number in range(6):
            path = site / f"articles/{number}.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"<!doctype html><html><body><article data-pagefind-body>word{number} common "
                            f"{'shared' if number % 2 else 'other'}</article></body></html>", encoding="utf-8")
        if not early:  # (the words read only after the last shard, as before the early read)
            monkeypatch.setattr(search.SearchIndex, "_read_words_while_waiting", lambda self: None)
        index = index_folder(site, budget=2, cache=tmp_path / f"cache-{early}")
        assert index.words == "indexed" and index.words_extracted == 3
        assert read_while_running == ([True, True, False] if early else [False, False, False])
        sites[early] = {path.relative_to(site).as_posix(): path.read_bytes()
                        for path in sorted((site / "pagefind").rglob("*")) if path.is_file()}
    assert sites[True] == sites[False]
