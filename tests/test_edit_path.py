"""The edit path: what a rebuild after one edit takes from the previous build instead of making it again.

Kept pages' search entries come from the page keys (not from their files), the exports are spliced from
their previous files' unchanged parts, and each search shard's words come from the cache folder: each
gives the bytes a full making gives."""

from __future__ import annotations

import dataclasses
import gzip
import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_feeds import make_renderer, make_site
from test_search_reuse import TOWNS, article, bundle_files

from builder import search
from builder.build import build
from builder.model import Site
from builder.page_keys import Fingerprints, PageKeys
from builder.pages import export
from builder.write import write_site
from tests.test_build_e2e import seed, settings_for

FINGERPRINT = "test"


def exports(site: Site, folder: Path) -> tuple[dict[str, bytes], export._Exports | None]:
    """The export files of `site` made as a build makes them into `folder`/output (with the keys that the
    previous such build left), written there with their keys; and the full files made without keys."""
    renderer = make_renderer(folder, site)
    paths = renderer.settings.paths
    keys = PageKeys.load(paths)
    keys.start(renderer)
    renderer.keys, renderer.fingerprints = keys, Fingerprints(site)
    made = {page.path: page.content for page in export.plan(renderer, site)}
    write_site([export.OutputPage(path, content) for path, content in made.items()], paths, fingerprint=FINGERPRINT)
    keys.save(paths, FINGERPRINT)
    return made, keys


def full_exports(site: Site, folder: Path) -> dict[str, bytes]:
    return {page.path: page.content for page in export.plan(make_renderer(folder, site), site)}


EDITS = st.lists(st.tuples(st.sampled_from(["retitle", "delete", "add", "same slug", "describe actor",
                                            "drop actor", "relabel event", "drop event"]),
                           st.integers(0, 5)), min_size=1, max_size=4)


def edited(site: Site, edits: list[tuple[str, int]]) -> Site:
    articles, actors, events = list(site.articles), list(site.actors), list(site.events)
    for number, (edit, at) in enumerate(edits):
        if edit in ("retitle", "delete", "add", "same slug") and articles:
            index = at % len(articles)
            if edit == "retitle":
                articles[index] = dataclasses.replace(articles[index], title=f"{articles[index].title} ({number})")
            elif edit == "delete":
                del articles[index]
            else:
                copy = articles[index]
                slug = copy.slug if edit == "same slug" else f"{copy.slug}-{number}"
                articles.append(dataclasses.replace(copy, source_file=f"new-{number}.md", slug=slug))
        elif edit in ("describe actor", "drop actor") and actors:
            index = at % len(actors)
            if edit == "drop actor":
                del actors[index]
            else:
                actors[index] = dataclasses.replace(actors[index], description=f"Described ({number})")
        elif events:
            index = at % len(events)
            if edit == "drop event":
                del events[index]
            else:
                events[index] = dataclasses.replace(events[index], label=f"Relabelled {number}")
    return dataclasses.replace(site, articles=articles, actors=actors, events=events)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_spliced_exports_are_the_full_exports_after_any_edits(edits):
    with tempfile.TemporaryDirectory() as where:
        folder = Path(where)
        site = make_site()
        first, _ = exports(site, folder)
        assert first == full_exports(site, folder)
        changed = edited(site, edits)
        again, keys = exports(changed, folder)
        assert keys.previous_exports  # (the parts of the first build were there to splice from)
        assert again == full_exports(changed, folder)


def test_unchanged_parts_are_copied_from_the_previous_file(tmp_path, monkeypatch):
    site = make_site()
    exports(site, tmp_path)
    made: list[str] = []
    records, mention_rows = export._Exports.records, export._Exports.mention_rows

    def counted(self, table, item):
        made.append(table)
        return records(self, table, item)

    def counted_mentions(self, item):
        made.append("mentions")
        return mention_rows(self, item)

    monkeypatch.setattr(export._Exports, "records", counted)
    monkeypatch.setattr(export._Exports, "mention_rows", counted_mentions)
    title = dataclasses.replace(site.articles[0], title="Another title")
    exports(dataclasses.replace(site, articles=[title, *site.articles[1:]]), tmp_path)
    # one article's parts made again: its record in the digest and in articles.csv, its mentions in both
    assert sorted(made) == ["articles", "articles", "mentions", "mentions"]
    made.clear()
    (tmp_path / "output" / "data" / "actors.csv").write_bytes(b"changed by hand\r\n")
    exports(dataclasses.replace(site, articles=[title, *site.articles[1:]]), tmp_path)
    assert made == ["actors"] * len(site.actors)  # a file not as the build left it is made in full


def test_a_kept_pages_search_entry_is_that_of_its_file_and_it_is_not_read(project, monkeypatch):
    for number in range(6):
        seed(project, f"{number:02}.txt", article(number))
    build(settings_for(project))
    seed(project, "03.txt", article(3) + "A zebracorn statue stands at its door.\n")
    told: list[tuple[str, bool]] = []
    written, kept_run = search.SearchIndex.page_written, search.SearchIndex.pages_kept

    def spy(self, folder, relative, content, entry=None):
        told.append((relative, content is None))
        return written(self, folder, relative, content, entry)

    def spy_run(self, folder, relatives, entries):  # (a run of kept pages: their entries as recorded)
        told.extend((relative, True) for relative in relatives)
        return kept_run(self, folder, relatives, entries)

    monkeypatch.setattr(search.SearchIndex, "page_written", spy)
    monkeypatch.setattr(search.SearchIndex, "pages_kept", spy_run)
    build(settings_for(project))
    kept = {relative for relative, by_entry in told if by_entry}
    assert any(path.startswith("articles/") for path in kept) and "articles/03.html" not in kept
    settings_ = settings_for(project)
    keys = PageKeys.load(settings_.paths)
    output = project / "output"
    entries = {path: entry for _, files, *_ in keys.previous.values() for path, _, _, entry in files}
    assert len(entries) > 10 and all(entry is not None for entry in entries.values())
    for path, entry in entries.items():
        found = search.page_entry(path, (output / path).read_bytes())
        assert entry == (found.hex() if found is not None else ""), path
    assert any(entry for entry in entries.values())


def test_each_shards_words_come_from_the_cache_unless_it_changed(project, tmp_path, monkeypatch):
    monkeypatch.setattr(search, "SHARD_BUDGET", 3)
    for number in range(len(TOWNS)):
        seed(project, f"{number:02}.txt", article(number))
    extracted: list[Path] = []
    derived: list[Path] = []
    counts, update = search.shard_word_counts, search.updated_word_counts
    monkeypatch.setattr(search, "shard_word_counts", lambda bundle: extracted.append(bundle) or counts(bundle))
    monkeypatch.setattr(search, "updated_word_counts",
                        lambda before, previous, bundle: derived.append(bundle) or update(before, previous, bundle))
    first = build(settings_for(project))
    shards = first.search_runs  # (the words index's run is not counted)
    assert shards >= 4 and len(extracted) == shards and not derived
    cached = sorted(path.name for path in (settings_for(project).paths.cache / search.WORDS_CACHE).glob("*.json"))
    assert len(cached) == shards
    extracted.clear()
    seed(project, "05.txt", article(5) + "A zebracorn statue stands at its door.\n")
    again = build(settings_for(project))
    assert (again.search_runs, again.search_reused, again.search_words) == (1, shards - 1, "indexed")
    assert not extracted and len(derived) == 1  # the changed shard's words only, from its previous version's
    assert bundle_files(project / "output") == cold_bundle(project, tmp_path)


def cold_bundle(project: Path, tmp_path: Path) -> dict[str, bytes]:
    """The search bundle of a cold build of `project`'s input (fresh output and cache)."""
    cold = build(settings_for(project, output=tmp_path / "cold", cache=tmp_path / "cold-cache"))
    assert cold.search_words == "indexed"
    files = bundle_files(tmp_path / "cold")
    shutil.rmtree(tmp_path / "cold")
    shutil.rmtree(tmp_path / "cold-cache")
    return files


def test_an_edit_that_changes_no_shards_words_keeps_the_words_index(project, tmp_path, monkeypatch):
    """The words index is a function of each shard's words: an edit that brings no word into its shard
    and takes none out (a sentence of words the article already has) links the previous words index
    instead of running Pagefind over the words again; one that brings a new word makes it again. (An added
    sentence would not do here: the article page shows its word count, a new word to a shard of 3 pages.)"""
    monkeypatch.setattr(search, "SHARD_BUDGET", 3)
    for number in range(len(TOWNS)):
        seed(project, f"{number:02}.txt", article(number))
    first = build(settings_for(project))
    words = (project / "output" / search.BUNDLE / search.WORDS_DIR / search.SHARD_KEY).read_text()
    seed(project, "05.txt", article(5).replace("its mayor said", "its council said"))
    same_words = build(settings_for(project))
    assert (same_words.search_runs, same_words.search_reused, same_words.search_words) == (
        1, first.search_runs - 1, "reused")
    assert (project / "output" / search.BUNDLE / search.WORDS_DIR / search.SHARD_KEY).read_text() == words
    assert bundle_files(project / "output") == cold_bundle(project, tmp_path)
    seed(project, "05.txt", article(5) + "A zebracorn statue stands at its door.\n")
    new_word = build(settings_for(project))
    assert (new_word.search_runs, new_word.search_words) == (1, "indexed")
    assert bundle_files(project / "output") == cold_bundle(project, tmp_path)


FRAGMENT_WORDS = st.lists(st.sampled_from(["Arden", "arden", "council.", "the", "a", "mayor", "é", "x-y", "7"]),
                          max_size=6)


def write_fragments(bundle: Path, fragments: dict[str, tuple[str, list[str]]]) -> None:
    """Pagefind fragments by name: each (language, words) as its content, the first word also as its title."""
    folder = bundle / "fragment"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, (language, words) in fragments.items():
        data = {"url": f"/{name}.html", "content": " ".join(words), "meta": {"title": words[0] if words else ""}}
        (folder / f"{language}_{name}.pf_fragment").write_bytes(
            gzip.compress(search.SIGNATURE + json.dumps(data).encode(), mtime=0))


@settings(max_examples=60, deadline=None)
@given(before=st.dictionaries(st.sampled_from("abcdefgh"), st.tuples(st.sampled_from(["en", "fr"]), FRAGMENT_WORDS),
                              max_size=6),
       after=st.dictionaries(st.sampled_from("abcdefgh"), st.tuples(st.sampled_from(["en", "fr"]), FRAGMENT_WORDS),
                             max_size=6),
       kept=st.sets(st.sampled_from("abcdefgh")))
def test_word_counts_updated_from_a_previous_shard_are_those_counted_anew(before, after, kept):
    """A shard's words worked out from its previous version's (its fragments that differ taken out and
    added, a fragment of the same name but other bytes included) are those read from all its fragments."""
    after = {**after, **{name: before[name] for name in kept if name in before}}
    with tempfile.TemporaryDirectory() as scratch:
        previous, bundle = Path(scratch, "previous"), Path(scratch, "bundle")
        write_fragments(previous, before)
        write_fragments(bundle, after)
        counted = search.shard_word_counts(bundle)
        assert search.updated_word_counts(search.shard_word_counts(previous), previous, bundle) == counted
        expected: dict[str, set[str]] = {}
        for language, words in after.values():
            expected.setdefault(language, set()).update(words)
        assert search.shard_words(bundle) == {language: sorted(words) for language, words in expected.items()}
