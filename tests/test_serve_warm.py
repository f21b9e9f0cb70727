"""What a `serve` process keeps between rebuilds (builder.warm): used only where it is what the disk would give,
so that any sequence of rebuilds, edits and changes behind the server's back gives what a cold build gives."""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import pickle
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_feeds import make_site
from test_key_recall import edited

from builder import model, page_keys
from builder.analysis_pack import PACK_NAME, AnalysisPack
from builder.cache import AnalysisCache
from builder.config import Config, Paths, Settings
from builder.page_keys import PageKeys, delta_file, keys_file, recorded_keys, warm_recorded_keys
from builder.parallel import map_articles
from builder.render import iter_site_pages
from builder.warm import WarmAnalyses, WarmKeys, WarmState, file_state, fresh_copy
from builder.write import write_site

# -- the analyses, at the level of builder.parallel (a made-up analysis: fast) --------------------------------


def analysed(source: model.SourceFile, context: object) -> model.Article | model.Problem:
    """A made-up analysis, a function of the bytes (a file whose bytes start with "!" is refused), with link
    features as the per-article stage leaves them."""
    text = source.data.decode()
    if text.startswith("!"):
        return model.Problem(source.relpath, "refused", model.Severity.ERROR, True)
    article = model.Article(source_file=source.relpath, content_hash=source.content_hash, title=text[:10],
                            blocks=[], published=model.ArticleDate(None, "undated"), text=text,
                            block_starts=[0, len(text) + 1000])
    article.link_features = model.LinkFeatures(signature=text.encode(), words=text, word_counts=b"",
                                               triggers=[], types_key="")
    return article


def source(name: str, text: str) -> model.SourceFile:
    return model.SourceFile(name, text.encode(), hashlib.sha256(text.encode()).hexdigest())


def run(folder: Path, sources: list[model.SourceFile], warm: WarmAnalyses | None, calls: list[str]) -> list:
    cache = AnalysisCache(folder, "context")

    def function(one, context):
        calls.append(one.relpath)
        return analysed(one, context)

    return list(map_articles(function, sources, "context", cache, pack=AnalysisPack(folder, cache.salt), warm=warm))


def link_as_a_build_does(results: list) -> None:
    """What linking does to the articles it is handed: sets their fields, drops what it read of their features."""
    for result in results:
        if isinstance(result, model.Article):
            result.slug = "linked"
            result.also_published_as = ["elsewhere.md"]
            result.events = ["an event"]
            result.link_features.signature = None
            result.link_features = None


def unnamed(entry: object) -> bytes:
    """An entry's pickle, its name aside (the cache's entries are used under any name: builder.parallel._named)."""
    if isinstance(entry, model.Article):
        entry = fresh_copy(entry)
        entry.source_file = ""
    elif isinstance(entry, model.Problem):
        entry = dataclasses.replace(entry, path="")
    return pickle.dumps(entry)


def assert_warm_is_the_pack(folder: Path, warm: WarmAnalyses) -> None:
    """The kept entries are the pack file's, as the cache gave them (not as the build changed its copies)."""
    on_disk = AnalysisPack(folder, AnalysisCache(folder, "context").salt).load()
    assert {key: unnamed(entry) for key, entry in warm.entries.items()} == \
        {key: unnamed(entry) for key, entry in on_disk.items()}


texts = st.sampled_from(["one", "two", "three", "!refused", "four", "one"])
# Between two runs, behind the server's back: nothing, the pack deleted, the cache emptied (`build-site clean`),
# the pack written by another process (a `build-site build` of other files).
meddling = st.sampled_from(["none", "none", "pack deleted", "cache emptied", "another process"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.lists(st.tuples(st.sampled_from("abcdefgh"), texts), max_size=8), meddling),
                min_size=1, max_size=6))
def test_any_sequence_of_runs_with_the_kept_analyses_gives_what_analysing_every_file_gives(tmp_path_factory, runs):
    folder = tmp_path_factory.mktemp("warm")
    warm = WarmAnalyses()
    for files, meddled in runs:
        if meddled == "pack deleted":
            (folder / PACK_NAME).unlink(missing_ok=True)
        elif meddled == "cache emptied":
            shutil.rmtree(folder, ignore_errors=True)
        elif meddled == "another process":
            run(folder, [source(f"other{n}.md", f"other {n}") for n in range(3)], None, [])
        sources = [source(f"{name}.md", text) for name, text in dict(files).items()]
        disk = folder.with_name(folder.name + "-disk")  # (the same cache, for a run that reads it all from the disk)
        shutil.rmtree(disk, ignore_errors=True)
        if folder.exists():
            shutil.copytree(folder, disk)
        calls: list[str] = []
        results = run(folder, sources, warm, calls)
        expected = [analysed(one, None) for one in sources]
        assert results == expected
        assert [unnamed(result) for result in results] == [unnamed(result) for result in expected]
        assert len({id(result) for result in results}) == len(results)
        # what the disk would have given: the same files analysed (those neither in the pack nor in the cache)
        disk_calls: list[str] = []
        run(disk, sources, None, disk_calls)
        assert calls == disk_calls
        salt = AnalysisCache(folder, "context").salt  # and the pack written again (or not) as it was then
        assert set(AnalysisPack(folder, salt).load()) == set(AnalysisPack(disk, salt).load())
        link_as_a_build_does(results)
        if warm.entries:
            assert_warm_is_the_pack(folder, warm)


def test_an_edit_takes_the_other_articles_from_memory_not_from_the_pack(tmp_path, monkeypatch):
    sources = [source(f"{number}.md", f"article {number}") for number in range(100)]
    warm = WarmAnalyses()
    run(tmp_path, sources, warm, [])
    assert len(warm.entries) == 100
    loads = []
    monkeypatch.setattr(AnalysisPack, "load", lambda self, sharing=None: loads.append(1) or {})
    sources[50] = source("50.md", "article 50, edited")
    calls: list[str] = []
    results = run(tmp_path, sources, warm, calls)
    assert calls == ["50.md"]
    assert loads == []
    assert results == [analysed(one, None) for one in sources]


def test_a_build_is_handed_copies_that_it_may_change(tmp_path):
    sources = [source("a.md", "article a"), source("b.md", "article b")]
    warm = WarmAnalyses()
    run(tmp_path, sources, warm, [])
    first = run(tmp_path, sources, warm, [])
    link_as_a_build_does(first)
    second = run(tmp_path, sources, warm, [])
    assert second == [analysed(one, None) for one in sources]
    assert [result.link_features.signature for result in second] == [b"article a", b"article b"]
    assert_warm_is_the_pack(tmp_path, warm)


def test_the_warm_state_starts_empty():
    state = WarmState()
    assert state.analyses.entries == {}
    assert state.keys.recorded is None


# -- the page keys (builder.page_keys: PageKeys.load and save with a WarmKeys) --------------------------------

KEYS_MEDDLING = st.sampled_from(["none", "none", "keys file deleted", "delta deleted", "keys written by another",
                                 "cache emptied"])


def build_with_warm_keys(site, folder: Path, fingerprint: str, warm) -> None:
    """Render and write `site` as a build does, with the keys the previous one left (in memory where they are
    what the disk would give)."""
    paths = Paths.from_project(folder)
    keys = PageKeys.load(paths, warm=warm)
    write_site(iter_site_pages(site, Settings(config=Config(), paths=paths, jobs=1), keys), paths,
               fingerprint=fingerprint)
    keys.save(paths, fingerprint, warm=warm)


def loaded_keys(paths, warm=None) -> tuple:
    keys = PageKeys.load(paths, warm=warm)
    return (keys.previous, list(zip(keys.objects, keys._then, strict=True)), keys.previous_exports,
            keys.base, keys.recorded_units)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rounds=st.lists(st.tuples(st.lists(st.sampled_from([("describe actor", 0), ("relabel event", 0),
                                                            ("describe actor", 1)]), max_size=3), KEYS_MEDDLING),
                       min_size=1, max_size=5),
       minimum=st.sampled_from([256, 8]))
def test_the_keys_kept_in_memory_are_what_the_keys_files_read_back(tmp_path_factory, rounds, minimum, monkeypatch):
    """After any builds (deltas, keys files written whole, files deleted or rewritten behind the server's back),
    the keys a build takes from memory are those it would read from the disk."""
    monkeypatch.setattr(page_keys, "DELTA_MINIMUM", minimum)  # (8: some rounds write the keys file whole)
    folder = tmp_path_factory.mktemp("keys")
    paths = Paths.from_project(folder)
    warm = WarmKeys()
    site = make_site()
    build_with_warm_keys(site, folder, "build 0", warm)
    for number, (edits, meddled) in enumerate(rounds, start=1):
        if meddled == "keys file deleted":
            keys_file(paths).unlink(missing_ok=True)
        elif meddled == "delta deleted":
            delta_file(paths).unlink(missing_ok=True)
        elif meddled == "cache emptied":
            shutil.rmtree(paths.cache, ignore_errors=True)
        elif meddled == "keys written by another":  # (a `build-site build` of the same output, its keys whole)
            PageKeys.load(paths).save(paths, f"build {number - 1}", delta=False)
        assert loaded_keys(paths, warm) == loaded_keys(paths)
        site = edited(site, edits)
        build_with_warm_keys(site, folder, f"build {number}", warm)
        kept = warm_recorded_keys(paths, warm)
        assert kept is not None  # (what the next build takes)
        assert kept == recorded_keys(paths)


def test_keys_whose_delta_was_deleted_are_read_from_the_disk(tmp_path):
    paths = Paths.from_project(tmp_path)
    warm = WarmKeys()
    site = make_site()
    build_with_warm_keys(site, tmp_path, "build 0", warm)
    build_with_warm_keys(edited(site, [("describe actor", 0)]), tmp_path, "build 1", warm)
    assert delta_file(paths).is_file() and PageKeys.load(paths, warm=warm).previous
    delta_file(paths).unlink()  # (the keys file alone names build 0: not the output's build)
    assert warm_recorded_keys(paths, warm) is None
    assert not PageKeys.load(paths, warm=warm).previous


# -- whole rebuilds as `serve` makes them, against cold builds -------------------------------------------------

from test_search_catchup import article, tree  # noqa: E402

from builder.build import build  # noqa: E402
from builder.search_catchup import SearchCatchUp  # noqa: E402
from builder.theme import builtin_template_dirs  # noqa: E402

CHANGES = ["edit a seed", "add a seed", "delete a seed", "template changed", "config changed", "cache deleted",
           "pack deleted", "keys deleted", "nothing"]


def serve_settings(root: Path, title: str) -> Settings:
    return Settings(config=Config(title=title), paths=Paths.from_project(root), jobs=1)


def change(root: Path, what: str, number: int, title: str) -> str:
    """Make one change to the project behind the server (as a user, or `build-site clean`); the site's title."""
    seeds = sorted((root / "seeds").iterdir())
    cache = root / ".cache" / "build-site"
    if what == "edit a seed":
        seeds[number % len(seeds)].write_text(article(number, number + 1), encoding="utf-8")
    elif what == "add a seed":
        (root / "seeds" / f"added{number}.txt").write_text(article(number + 20, 1), encoding="utf-8")
    elif what == "delete a seed" and len(seeds) > 2:
        seeds[number % len(seeds)].unlink()
    elif what == "template changed":
        (root / "templates").mkdir(exist_ok=True)
        source = builtin_template_dirs()[0] / "article.html"
        (root / "templates" / "article.html").write_text(
            source.read_text(encoding="utf-8") + f"\n<!-- edited {number} -->\n", encoding="utf-8")
    elif what == "config changed":
        title = f"Digest {number}"
    elif what == "cache deleted":  # (`build-site clean`)
        shutil.rmtree(cache, ignore_errors=True)
    elif what == "pack deleted":
        (cache / PACK_NAME).unlink(missing_ok=True)
    elif what == "keys deleted":
        for path in cache.glob("page-keys-*"):
            path.unlink()
    return title


def assert_same_as_a_cold_build(root: Path, title: str) -> None:
    """The project's output equals a build of the same seeds, site and templates into a fresh output and cache."""
    fresh = root.with_name(root.name + "-cold")
    shutil.rmtree(fresh, ignore_errors=True)
    for folder in ("seeds", "site", "templates"):
        if (root / folder).is_dir():
            shutil.copytree(root / folder, fresh / folder)
    build(serve_settings(fresh, title))
    made, cold = tree(root / "output"), tree(fresh / "output")
    assert sorted(made) == sorted(cold)
    assert [path for path in made if made[path] != cold[path]] == []
    shutil.rmtree(fresh)


def rebuild_as_serve_does(root: Path, title: str, warm: WarmState, written_at_once: bool) -> None:
    report = build(serve_settings(root, title), defer_search=True, warm=warm)
    if written_at_once:  # (else the next build writes what this one left: its reload came before)
        warm.finish_writing()
    if report.pending_search is not None:  # (None: nothing changed, the site is up to date)
        assert SearchCatchUp(report.pending_search, Paths.from_project(root)).run().outcome == "updated"


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(CHANGES), st.booleans()), min_size=1, max_size=4))
def test_any_sequence_of_serve_rebuilds_gives_a_cold_builds_site(tmp_path_factory, changes):
    root = tmp_path_factory.mktemp("served")
    (root / "seeds").mkdir()
    for number in range(4):
        (root / "seeds" / f"a{number}.txt").write_text(article(number, 0), encoding="utf-8")
    warm, title = WarmState(), "News digest"
    rebuild_as_serve_does(root, title, warm, True)
    for number, (what, written_at_once) in enumerate(changes):
        title = change(root, what, number, title)
        rebuild_as_serve_does(root, title, warm, written_at_once)
        assert_same_as_a_cold_build(root, title)
        assert_warm_is_the_project_pack(root, warm)


def assert_warm_is_the_project_pack(root: Path, warm: WarmState) -> None:
    """What the server keeps, where the next build would use it, is what the disk holds: the pack's entries, the
    page keys as recorded."""
    paths = Paths.from_project(root)
    warm.finish_writing()
    salt = warm.analyses.salt
    if warm.analyses.usable(salt, file_state(paths.cache / PACK_NAME)):
        on_disk = AnalysisPack(paths.cache, salt).load()
        assert {key: unnamed(entry) for key, entry in warm.analyses.entries.items()} == \
            {key: unnamed(entry) for key, entry in on_disk.items()}
    kept = warm_recorded_keys(paths, warm.keys)
    if kept is not None:
        assert kept == recorded_keys(paths)


def test_every_change_behind_the_server_gives_a_cold_builds_site(tmp_path):
    """Each change once, after two rebuilds that fill what the server keeps."""
    root = tmp_path / "served"
    (root / "seeds").mkdir(parents=True)
    for number in range(4):
        (root / "seeds" / f"a{number}.txt").write_text(article(number, 0), encoding="utf-8")
    warm, title = WarmState(), "News digest"
    rebuild_as_serve_does(root, title, warm, True)
    change(root, "edit a seed", 0, title)
    rebuild_as_serve_does(root, title, warm, True)
    assert warm.analyses.entries and warm.keys.recorded is not None
    for number, what in enumerate(CHANGES):
        title = change(root, what, number, title)
        rebuild_as_serve_does(root, title, warm, number % 2 == 0)
        assert_same_as_a_cold_build(root, title)
        assert_warm_is_the_project_pack(root, warm)


# -- what a `serve` process holds between rebuilds -------------------------------------------------------------


def alive(kind: type, besides: list = ()) -> list:
    """The objects of `kind` alive now, other than `besides` (what earlier tests of the session hold: fixtures
    and caches of analysed articles)."""
    gc.collect()
    held = {id(found) for found in besides}
    return [found for found in gc.get_objects() if type(found) is kind and id(found) not in held]


def test_a_served_site_is_freed_once_the_next_rebuild_is_done(tmp_path):
    """Between rebuilds a server holds what it keeps for the next one (the analyses, the page keys), never a
    previous site's actors, events or article copies: at 10k articles each site held on was ~60 MB more."""
    root = tmp_path / "served"
    (root / "seeds").mkdir(parents=True)
    for number in range(4):
        (root / "seeds" / f"a{number}.txt").write_text(article(number, 0), encoding="utf-8")
    # (held here, so that none of them is freed and its address taken by an object of this test)
    before = {kind: alive(kind) for kind in (model.Site, model.Actor, model.Event, model.Article)}
    warm, title = WarmState(), "News digest"
    rebuild_as_serve_does(root, title, warm, True)
    for number in range(3):
        change(root, "edit a seed", number, title)
        rebuild_as_serve_does(root, title, warm, number % 2 == 0)
        warm.finish_writing()
        assert alive(model.Site, before[model.Site]) == []
        assert alive(model.Actor, before[model.Actor]) == []
        assert alive(model.Event, before[model.Event]) == []
        kept = {id(entry) for entry in warm.analyses.entries.values()}
        assert kept and {id(found) for found in alive(model.Article, before[model.Article])} == kept
