"""An edit's search shard starts early: the article pages are told to the search index before the export and the
other kinds are made (`SearchIndex.foresee`, `builder.render.iter_site_pages(foresee=)`), and the shards, their
pages' bytes and the site are those of a build that told nothing ahead."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_search_reuse import TOWNS, article, site_files

from builder import render, search
from builder.build import build
from builder.errors import BuildError
from builder.model import KeptPage, OutputPage
from builder.write import KeptRun
from tests.test_build_e2e import seed, settings_for


@pytest.fixture
def small_shards(monkeypatch):
    monkeypatch.setattr(search, "SHARD_BUDGET", 3)  # about three article pages a shard


def test_the_edited_articles_shard_runs_before_the_other_pages_are_made(project, tmp_path, small_shards, monkeypatch):
    """Recorded, in one list: each page rendering hands to the writer, and each Pagefind run as it starts (the pages
    of its shard). In an edit, the run over the edited article's shard starts before the export's first page and
    every page of another kind is made (it used to start once the writer reached the article's shard, after the
    export: then its run outlasted the build, bench/RESULTS-scale.md, session 19); and the site is a cold build's."""
    for number in range(len(TOWNS)):
        seed(project, f"{number:02}.txt", article(number))
    build(settings_for(project))
    build(settings_for(project))  # (a rebuild: the previous generation kept beside the output)
    events: list[tuple[str, object]] = []
    pages_of, start_pagefind = render.iter_site_pages, search.start_pagefind
    launched = threading.Event()

    def recorded_pages(*args, **kwargs):
        for page in pages_of(*args, **kwargs):
            paths = page.paths if isinstance(page, KeptRun) else [page.path]  # (a run of kept pages: each of them)
            if "data/digest.json" in paths:  # (the gate: the writer waits here for a Pagefind run to start)
                events.append(("waited for a run", launched.wait(30)))
            events.extend(("page", path) for path in paths)
            yield page

    def recorded_pagefind(folder, where):
        site = where[where.index("--site") + 1]
        events.append(("pagefind", sorted(os.path.relpath(os.path.join(top, name), site)
                                          for top, _, names in os.walk(site) for name in names)))
        launched.set()
        return start_pagefind(folder, where)

    monkeypatch.setattr(render, "iter_site_pages", recorded_pages)
    monkeypatch.setattr(search, "start_pagefind", recorded_pagefind)
    seed(project, "05.txt", article(5) + "A zebracorn statue stands at its door.\n")
    edited = build(settings_for(project))
    assert edited.search_runs == 1 and edited.search_words == "indexed"
    assert ("waited for a run", True) in events  # (a run started while the writer stood at the export)
    runs = [(at, pages) for at, (kind, pages) in enumerate(events) if kind == "pagefind"]
    shard_at, shard_pages = runs[0]
    edited_page = next(page for page in shard_pages if "fenwick" in page)  # (TOWNS[5]'s article)
    assert edited_page.startswith("articles/")
    handed = [path for kind, path in events[:shard_at] if kind == "page"]
    assert "data/digest.json" not in handed and not any(path.startswith(("actors/", "events/", "sources/"))
                                                        for path in handed)
    assert handed == []  # (nothing handed to the writer yet: the edited page's bytes went to its shard directly)
    assert len(runs) == 2  # (and the words index's, after the last page)
    assert ("page", "data/digest.json") in events[shard_at:]
    cold = tmp_path / "cold"
    build(settings_for(project, output=cold / "output", cache=cold / "cache"))
    assert site_files(project / "output") == site_files(cold / "output")


def fake_pagefind(snapshots: list[dict[str, bytes]]):
    """start_pagefind that notes the pages of each run's folder (path → bytes) and makes an empty bundle."""
    def start(folder, where):
        site = where[where.index("--site") + 1]
        snapshots.append({os.path.relpath(os.path.join(top, name), site): Path(top, name).read_bytes()
                          for top, _, names in os.walk(site) for name in names})
        os.makedirs(where[where.index("--output-path") + 1], exist_ok=True)
        return subprocess.Popen(["true"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return start


PAGE = st.tuples(st.sampled_from(["articles", "actors", "events", "archive"]), st.integers(0, 3), st.booleans())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pages=st.lists(PAGE, min_size=1, max_size=30), told=st.integers(0, 30), seed_text=st.integers(0, 9))
def test_pages_told_ahead_make_the_shards_the_writer_alone_makes(tmp_path_factory, monkeypatch, pages, told,
                                                                 seed_text):
    """Any pages, kept (the previous site's file, its entry recorded) or made, any first `told` of them told
    ahead: every shard holds the same pages with the same bytes, in the same order, and every page's entry is the
    same, as when the writer alone hands them over; the pages told ahead are indexed before any is written."""
    monkeypatch.setattr(search, "make_canonical", lambda bundle: None)
    root = tmp_path_factory.mktemp("early")
    previous = root / "previous"
    listed = []
    for number, (kind, variant, kept) in enumerate(pages):
        relative = f"{kind}/{number:02}.html"
        marked = kind != "archive"
        body = f"<article data-pagefind-body>{kind} {variant} {seed_text}</article>" if marked else "<main>x</main>"
        content = f"<!doctype html><html><body>{body}</body></html>".encode()
        if kept:
            (previous / relative).parent.mkdir(parents=True, exist_ok=True)
            (previous / relative).write_bytes(content)
            page = KeptPage(relative, None, search=search.search_entry(relative, content, None))
        else:
            page = OutputPage(relative, content)
        listed.append(page)
    told = min(told, len(listed))
    results = []
    for ahead in (False, True):
        snapshots: list[dict[str, bytes]] = []
        monkeypatch.setattr(search, "start_pagefind", fake_pagefind(snapshots))
        staging = root / f"staging-{ahead}"
        index = search.SearchIndex(budget=1, previous=previous)
        try:
            if ahead:
                index.foresee(staging, listed[:told])
                started = index.started
            for page in listed:  # (the writer: a kept page linked from the previous site, a made one written)
                target = staging / page.path
                target.parent.mkdir(parents=True, exist_ok=True)
                if page.content is None:
                    os.link(previous / page.path, target)
                else:
                    target.write_bytes(page.content)
                index.page_written(staging, page.path, page.content, page.search if page.content is None else None)
            index._wait()
            rest = index.planner.rest()
        finally:
            index.close()
        results.append((snapshots, [*(list(s) for s in snapshots), rest.pages if rest else None], index.entries))
        if ahead:  # every shard the pages told ahead complete started before any page was written
            units = sum(search.page_weight(page.path) for page in listed[:told] if page.path.startswith(
                ("articles/", "actors/", "events/")))
            assert started >= (1 if units > 1 else 0)
        shutil.rmtree(staging)
    assert results[0] == results[1]


def test_a_page_written_out_of_the_order_told_is_an_error(tmp_path):
    index = search.SearchIndex(budget=5, previous=tmp_path)
    content = b"<article data-pagefind-body>x</article>"
    told = [OutputPage("articles/a.html", content), OutputPage("articles/b.html", content)]
    index.foresee(tmp_path / "staging", told)
    try:
        index.page_written(tmp_path / "staging", "data/digest.json", b"{}")  # (not indexed: it may come between)
        with pytest.raises(BuildError, match="before the pages told ahead"):
            index.page_written(tmp_path / "staging", "articles/b.html", content)
    finally:
        index.close()


def test_the_spare_shards_no_shard_took_are_removed_before_the_last_shards_run_is_waited_for(project, small_shards,
                                                                                             monkeypatch):
    """In a rebuild that patches the previous generation (builder.write), the older index set aside there holds
    the edited shard's older bundle, which no shard takes: it is gone by the time `finish` waits for the last
    Pagefind run (not removed by the writer after it); the spare words index is left for `_index_words`."""
    for number in range(len(TOWNS)):
        seed(project, f"{number:02}.txt", article(number))
    build(settings_for(project))
    seed(project, "05.txt", article(5) + "A zebracorn statue stands at its door.\n")
    build(settings_for(project))
    retired = project / ".output.build-site-tmp" / search.RETIRED
    left: list[list[str]] = []
    wait = search.SearchIndex._wait

    def noting(index):
        left.append(sorted(path.name for path in retired.iterdir()) if retired.is_dir() else [])
        wait(index)

    monkeypatch.setattr(search.SearchIndex, "_wait", noting)
    seed(project, "05.txt", article(5) + "A zebracorn statue stands at its gate.\n")
    report = build(settings_for(project))
    assert report.write.patched and report.search_runs == 1
    assert left[-1] == [f"spare-{search.WORDS_DIR}"]  # (the older first bundle and shards: taken or removed)
