"""A sharded index finds what one index over the same pages finds: no page matched only by a prefix of a
query word that another shard holds (Pagefind's longest-prefix fallback, per shard)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from builder import search
from builder.search import index_site
from tests.browser.test_search_index import PAGE, SEARCH_PAGE

# In path order, two article pages a shard at budget 2 (ShardPlanner): a0 a1 | a2 a3 | a4 a5.
TEXTS = {
    "a0": "Officials let the ferry leave. Rescuers let divers search the bay.",
    "a1": "The council lets residents vote. It lets the market open late.",
    "a2": "A lethal storm hit the coast and the ferry stayed in port.",
    "a3": "Markets let prices rise. Traders let the rally run.",
    "a4": "Voters were lethargic about the ballot and the market.",
    "a5": "Sailors were released from the ferry after a day.",
}
QUERIES = ["lethargic", "lethal", "let", "ferry", "market", "lethargic market", "lethalz", "letharxyz",
           "zzyzx", '"lethal storm"', "ferr"]


def make_site(root: Path) -> Path:
    site = root / "site"
    (site / "articles").mkdir(parents=True)
    (site / "static").mkdir()
    (site / "static" / "search.js").write_text(search.SEARCH_JS, encoding="utf-8")
    (site / "search.html").write_text(SEARCH_PAGE, encoding="utf-8")
    for name, text in TEXTS.items():
        (site / "articles" / f"{name}.html").write_text(
            PAGE.format(title=f"Story {name}", kind="Article", source=f"Source {name[-1]}", date="2016-01-13",
                        month="2016-01", text=text), encoding="utf-8")
    return site


def found(watched, url: str, queries: list[str]) -> dict[str, list[str]]:
    """The pages the search page lists for each query (every result, by path)."""
    results = {}
    for query in queries:
        watched.page.goto(url + "search.html?q=" + quote(query))
        message = watched.page.locator(".pagefind-ui__message")
        message.filter(has_text=re.compile("result")).wait_for()
        count = int(re.match(r"(\d+|No) result", message.inner_text()).group(1).replace("No", "0"))
        links = watched.page.locator(".pagefind-ui__result-link")
        # The UI shows the count first and then each result as its fragment arrives: wait for all of them.
        watched.page.wait_for_function(
            "n => new Set([...document.querySelectorAll('.pagefind-ui__result-link')].map(x => x.pathname)).size >= n",
            arg=count)
        paths = sorted(set(links.evaluate_all("xs => xs.map(x => x.pathname)")))
        assert len(paths) == count, (query, count, paths)  # at most 5 here: all shown on the first page
        results[query] = paths
    return results


@pytest.fixture
def two_sites(tmp_path, served_folder, monkeypatch):
    """The same pages indexed in three shards and in one index, each served."""
    sharded = make_site(tmp_path / "sharded")
    whole = make_site(tmp_path / "whole")
    monkeypatch.setattr(search, "SHARD_BUDGET", 2)
    index_site(sharded)
    monkeypatch.setattr(search, "SHARD_BUDGET", 1000)
    index_site(whole)
    shards = (sharded / "pagefind" / "shards.json").read_text(encoding="utf-8").strip()
    assert shards == '["shard-1/", "shard-2/"]'
    assert (whole / "pagefind" / "shards.json").read_text(encoding="utf-8").strip() == "[]"
    return served_folder(sharded), served_folder(whole)


def test_a_word_of_one_shard_finds_only_its_pages(two_sites, watched):
    sharded, whole = two_sites
    results = found(watched, sharded, QUERIES)
    assert results["lethargic"] == ["/articles/a4.html"]  # not the pages of "let" in the other shards
    assert results["lethal"] == ["/articles/a2.html"]
    assert results["lethargic market"] == ["/articles/a4.html"]
    assert results['"lethal storm"'] == ["/articles/a2.html"]
    # a word in several shards: all its pages, from every shard
    assert results["ferry"] == ["/articles/a0.html", "/articles/a2.html", "/articles/a5.html"]
    # a prefix finds every word it starts, in every shard (lets, lethal, lethargic)
    assert results["let"] == ["/articles/a0.html", "/articles/a1.html", "/articles/a2.html", "/articles/a3.html",
                              "/articles/a4.html"]
    assert results["ferr"] == results["ferry"]  # typing: a prefix still finds the words it starts
    # a word no page holds: what one index gives (Pagefind's own fallback to the longest prefix the site
    # holds), not each shard's own longest prefix
    assert results == found(watched, whole, QUERIES), (results, found(watched, whole, QUERIES))
    assert results["lethalz"] == ["/articles/a2.html"]
    assert results["zzyzx"] == []
    watched.assert_clean()


def test_search_page_shows_only_true_matches_and_no_inner_filters(two_sites, watched):
    sharded, _ = two_sites
    watched.page.goto(sharded + "search.html?q=lethargic")
    watched.page.locator(".pagefind-ui__message").filter(has_text="result").wait_for()
    assert watched.page.locator(".pagefind-ui__message").inner_text().startswith("1 result")
    links = watched.page.locator(".pagefind-ui__result-link").evaluate_all("xs => xs.map(x => x.pathname)")
    assert set(links) == {"/articles/a4.html"}
    filters = watched.page.locator(".pagefind-ui__filter-name").all_inner_texts()
    assert filters and all(name.strip().lower() in {"type", "source", "date"} for name in filters), filters
    watched.assert_clean()


def test_words_index_is_the_same_run_after_run(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "SHARD_BUDGET", 2)
    bundles = []
    for run in ("a", "b"):
        site = make_site(tmp_path / run)
        index_site(site)
        bundle = site / "pagefind"
        bundles.append({p.relative_to(bundle).as_posix(): p.read_bytes() for p in bundle.rglob("*") if p.is_file()})
    assert any(name.startswith("words/") for name in bundles[0])
    assert bundles[0] == bundles[1]
