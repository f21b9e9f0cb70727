"""Article, actor and event pages in shards of their own weights (builder.search.PAGE_WEIGHTS): after any
edits, additions and removals, a rebuild's search bundle is a cold indexing's, byte for byte; an edited page
sends only its own shard to Pagefind; the previous site's bundle is never written to; and the filter counts
(`filters.json`) are those of the shards' filter files."""

from __future__ import annotations

import json
import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder import search
from builder.search import SearchIndex, index_site
from tests.search_pages import index_folder

BUDGET = 2  # two article pages a shard; 8 actor pages, 6 event pages (the real weights)
WORDS = ["council", "mayor", "library", "harbour", "ferry", "storm", "market", "sailors", "zebracorn", "Arden"]
KINDS = {"articles": ("Article", 4), "actors": ("Actor", 9), "events": ("Event", 7)}  # type, pages at first


def page(kind: str, number: int, words: list[str], language: str = "en") -> str:
    type_, _ = KINDS[kind]
    return (f'<!doctype html><html lang="{language}"><head><title>{kind} {number}</title></head><body>'
            f'<article data-pagefind-body><h1>{type_} {number}</h1>'
            f'<span data-pagefind-filter="type" hidden>{type_}</span>'
            f'<span data-pagefind-filter="source" hidden>Source {number % 3}</span>'
            f'<p>{" ".join(words)}</p></article></body></html>')


def first_pages() -> dict[str, str]:
    return {f"{kind}/{number:02}.html": page(kind, number, [WORDS[number % len(WORDS)], "report"])
            for kind, (_, count) in KINDS.items() for number in range(count)}


CHANGE = st.tuples(st.sampled_from(["edit", "add", "remove"]), st.sampled_from(sorted(KINDS)),
                   st.integers(0, 40), st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
                   st.sampled_from(["en", "en", "fr"]))


def apply(pages: dict[str, str], change) -> str:
    """Change `pages` in place; returns the path changed ("" when nothing was)."""
    action, kind, number, words, language = change
    paths = sorted(path for path in pages if path.startswith(kind + "/"))
    if action == "add":
        path = f"{kind}/{number:02}-new.html"
        pages[path] = page(kind, number, words, language)
        return path
    if not paths:
        return ""
    path = paths[number % len(paths)]
    if action == "remove":
        del pages[path]
    else:
        pages[path] = page(kind, number, words, language)
    return path


def write_site(folder, pages: dict[str, str]) -> None:
    for path, content in pages.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(content, encoding="utf-8")


def index(site, previous=None) -> SearchIndex:
    return index_folder(site, BUDGET, previous)


def bundle_files(site) -> dict[str, bytes]:
    bundle = site / search.BUNDLE
    return {p.relative_to(bundle).as_posix(): p.read_bytes() for p in sorted(bundle.rglob("*")) if p.is_file()}


def shard_keys(site) -> list[str]:
    bundle = site / search.BUNDLE
    folders = [bundle, *(bundle / name for name in json.loads((bundle / search.SHARD_LIST).read_text()))]
    return [(folder / search.SHARD_KEY).read_text().strip() for folder in folders]


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(CHANGE, min_size=1, max_size=3))
def test_any_edits_reindex_only_their_shard_and_give_a_cold_bundle(tmp_path_factory, monkeypatch, changes):
    monkeypatch.setattr(search, "SHARD_BUDGET", BUDGET)  # (index_site's budget: the cold indexing)
    work = tmp_path_factory.mktemp("sharding")
    pages = first_pages()
    previous = work / "build-0"
    write_site(previous, pages)
    index(previous)
    assert len(shard_keys(previous)) == 5  # 4 articles, 9 actors, 7 events at their weights: 8.6 units
    for step, change in enumerate(changes, 1):
        changed = apply(pages, change)
        site = work / f"build-{step}"
        write_site(site, pages)
        before = bundle_files(previous)
        made = index(site, previous=previous)
        assert bundle_files(previous) == before  # (its files are linked into the new bundle, never rewritten)
        cold = work / f"cold-{step}"
        write_site(cold, pages)
        index_site(cold)
        assert bundle_files(site) == bundle_files(cold), (step, change)
        new_keys = set(shard_keys(site)) - set(shard_keys(previous))
        assert made.runs == len(new_keys)  # (the words index is not counted in runs)
        assert made.reused == len(shard_keys(site)) - len(new_keys)
        if change[0] == "edit" and changed:  # (cuts depend on the paths and their weights: an edit moves none)
            assert len(new_keys) <= 1, change
        previous = site


def test_filter_counts_are_the_shards_pages_by_language(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "SHARD_BUDGET", BUDGET)
    pages = first_pages()
    pages["articles/00.html"] = page("articles", 0, ["conseil"], language="fr")
    write_site(tmp_path, pages)
    index_site(tmp_path)
    counts = json.loads((tmp_path / search.BUNDLE / search.FILTER_COUNTS).read_text(encoding="utf-8"))
    assert len(counts) == len(shard_keys(tmp_path))
    summed: dict[tuple[str, str, str, str], int] = {}
    for shard in counts:
        for language, index_ in shard.items():
            assert index_["page_count"] == sum(index_["filters"]["type"].values())
            for name, values in index_["filters"].items():
                for value, number in values.items():
                    summed[language, name, value] = summed.get((language, name, value), 0) + number
    expected: dict[tuple[str, str, str], int] = {}
    for path in pages:
        kind, number = path.split("/")[0], int(path.split("/")[1][:2])
        language = "fr" if path == "articles/00.html" else "en"
        for name, value in (("type", KINDS[kind][0]), ("source", f"Source {number % 3}")):
            expected[language, name, value] = expected.get((language, name, value), 0) + 1
    assert summed == expected


def test_a_format_it_cannot_read_leaves_no_filter_counts(tmp_path, monkeypatch):
    """The search module then merges every shard to count the filters, as before filters.json."""
    monkeypatch.setattr(search, "SHARD_BUDGET", BUDGET)
    write_site(tmp_path, first_pages())
    monkeypatch.setattr(search, "read_chunk", lambda path: (_ for _ in ()).throw(search.UnknownFormat("new")))
    index_site(tmp_path)
    assert not (tmp_path / search.BUNDLE / search.FILTER_COUNTS).exists()
    assert (tmp_path / search.BUNDLE / search.SHARD_LIST).is_file()


def test_shards_json_and_filters_of_a_site_in_one_piece(tmp_path):
    write_site(tmp_path, {"articles/a.html": page("articles", 0, ["ferry"])})
    index_site(tmp_path)
    assert json.loads((tmp_path / search.BUNDLE / search.SHARD_LIST).read_text()) == []
    assert not (tmp_path / search.BUNDLE / search.FILTER_COUNTS).exists()  # (one index: Pagefind counts)
    shutil.rmtree(tmp_path / search.BUNDLE)
