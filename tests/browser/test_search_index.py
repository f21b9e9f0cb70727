"""The Pagefind index: what builder.search.index_site makes, queried through Pagefind's own JS API."""

from __future__ import annotations

import textwrap

import pytest

from builder import search
from builder.errors import BuildError
from builder.search import index_site

PAGE = textwrap.dedent(
    """\
    <!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
    <title>{title}</title></head><body>
    <nav>Site menu</nav>
    <article data-pagefind-body data-pagefind-sort="date:{date}"><h1>{title}</h1>
    <span data-pagefind-filter="type" hidden>{kind}</span>
    <span data-pagefind-filter="source" hidden>{source}</span>
    <span data-pagefind-filter="date" hidden>{month}</span>
    <p>{text}</p></article></body></html>
    """
)


def query(watched, url: str, script: str):
    watched.page.goto(url + "index.html")
    return watched.page.evaluate(
        "async () => { const pagefind = await import('./pagefind/pagefind.js'); await pagefind.init();"
        f" {script} }}"
    )


def test_index_has_filters_and_only_marked_bodies(tmp_path, watched, served_folder):
    site = tmp_path / "site"
    (site / "articles").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><html lang='en'><head><link rel='icon' href='data:,'>"
                                     "<title>Home</title></head><body><main><h1>Home jackpot</h1></main></body></html>")
    pages = [("jackpot.html", "Powerball jackpot grows", "Article", "Daily Example", "2016-01-10",
              "The lottery jackpot reached a record."),
             ("sailors.html", "Sailors released", "Article", "Evening Example", "2016-01-13",
              "Ten sailors were released after a day."),
             ("iran.html", "Iran", "Actor", "Daily Example", "2016-01-13", "Iran released the sailors.")]
    for name, title, kind, source, date, text in pages:
        (site / "articles" / name).write_text(PAGE.format(title=title, kind=kind, source=source, date=date,
                                                          month=date[:7], text=text), encoding="utf-8")
    index_site(site)
    assert (site / "pagefind" / "pagefind-entry.json").is_file()
    url = served_folder(site)
    filters = query(watched, url, "return await pagefind.filters();")
    assert filters["type"] == {"Article": 2, "Actor": 1}
    assert filters["source"] == {"Daily Example": 2, "Evening Example": 1}
    assert filters["date"] == {"2016-01": 3}
    found = query(watched, url, "const r = await pagefind.search('jackpot');"
                                " return await Promise.all(r.results.map(x => x.data().then(d => d.url)));")
    assert found == ["/articles/jackpot.html"]  # the home page has no data-pagefind-body: not indexed
    only_actors = query(watched, url, "const r = await pagefind.search('released', {filters: {type: 'Actor'}});"
                                      " return r.results.length;")
    assert only_actors == 1
    watched.assert_clean()


SEARCH_PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
    "<title>Search</title></head><body><main><div id='search' data-label='Search' data-bundle='pagefind/'"
    " data-root='./'></div><p id='search-offline'>Serve the site</p></main>"
    "<script src='static/search.js' defer></script></body></html>"
)


def test_sharded_index_is_searched_whole_by_the_search_page(tmp_path, watched, served_folder, monkeypatch):
    """A site larger than SHARD_BUDGET is indexed in shards; search.js merges them: every page is found."""
    site = tmp_path / "site"
    (site / "articles").mkdir(parents=True)
    (site / "static").mkdir()
    (site / "static" / "search.js").write_text(search.SEARCH_JS, encoding="utf-8")
    (site / "search.html").write_text(SEARCH_PAGE, encoding="utf-8")
    (site / "index.html").write_text("<!doctype html><html lang='en'><head><title>Home</title></head>"
                                     "<body><h1>Home sailors</h1></body></html>")  # no body mark: not indexed
    for number in range(3):
        (site / "articles" / f"a{number}.html").write_text(
            PAGE.format(title=f"Sailors story {number}", kind="Article", source=f"Source {number}",
                        date="2016-01-13", month="2016-01", text=f"Ten sailors were released, part {number}."),
            encoding="utf-8")
    monkeypatch.setattr(search, "SHARD_BUDGET", 1)  # one article page per shard
    index_site(site)
    bundle = site / "pagefind"
    assert (bundle / "shards.json").read_text(encoding="utf-8").strip() == '["shard-1/", "shard-2/"]'
    assert (bundle / "pagefind-ui.js").is_file() and not (bundle / "shard-1" / "pagefind-ui.js").exists()
    assert not list(tmp_path.glob(".search-shards-*"))  # the shards' work folder is gone
    url = served_folder(site)
    watched.page.goto(url + "search.html?q=sailors")
    results = watched.page.locator(".pagefind-ui__result")
    # (each result is shown as its fragment arrives: wait for the third one's link, not its placeholder)
    results.nth(2).locator(".pagefind-ui__result-link").wait_for()
    links = sorted(results.locator(".pagefind-ui__result-link").evaluate_all("xs => xs.map(x => x.pathname)"))
    assert links == ["/articles/a0.html", "/articles/a1.html", "/articles/a2.html"]
    watched.assert_clean()


def test_failure_names_the_folder(tmp_path):
    with pytest.raises(BuildError, match=str(tmp_path)):
        index_site(tmp_path)  # no HTML at all


def test_built_site_pages_carry_search_filters(built_site):
    html = "".join(p.read_text(encoding="utf-8") for p in (built_site / "articles").glob("*.html"))
    if "data-pagefind-body" not in html:
        pytest.skip("article pages have no data-pagefind-* attributes yet (see builder.search.PAGE_ATTRIBUTES)")
    for name in ("type", "source", "date"):
        assert f'data-pagefind-filter="{name}"' in html, name
    assert 'data-pagefind-filter="actor"' not in html  # tens of thousands of values at 10k: no filter


def test_index_runs_over_the_same_pages_give_the_same_bundle(tmp_path):
    """Pagefind writes filter values in hash-map order; builder.search_files makes every file identical."""
    bundles = []
    for run in ("a", "b", "c"):
        site = tmp_path / run
        site.mkdir()
        for number in range(12):
            (site / f"page-{number}.html").write_text(
                PAGE.format(title=f"Page {number}", kind=("Article", "Actor", "Event")[number % 3],
                            source=f"Source {number % 5}", date=f"2016-0{1 + number % 4}-01",
                            month=f"2016-0{1 + number % 4}", text=f"Words about topic {number} and more."),
                encoding="utf-8")
        index_site(site)
        bundle = site / "pagefind"
        bundles.append({p.relative_to(bundle).as_posix(): p.read_bytes() for p in bundle.rglob("*") if p.is_file()})
    assert any(name.startswith("filter/") for name in bundles[0])
    assert bundles[0] == bundles[1] == bundles[2]


def test_search_finds_an_edit_after_a_rebuild_that_reused_shards(tmp_path, watched, served_folder, monkeypatch):
    """An incremental rebuild indexes the edited article's shard again and links the others: the search page
    finds the new words, the unchanged articles, and filters over every shard."""
    from builder.build import build
    from tests.test_build_e2e import seed, settings_for
    from tests.test_search_reuse import TOWNS, article

    monkeypatch.setattr(search, "SHARD_BUDGET", 3)
    project = tmp_path / "project"
    (project / "seeds").mkdir(parents=True)
    for number in range(len(TOWNS)):
        seed(project, f"{number:02}.txt", article(number))
    first = build(settings_for(project))
    seed(project, "05.txt", article(5) + "A zebracorn statue stands at its door.\n")
    again = build(settings_for(project))
    assert (again.search_runs, again.search_reused) == (1, first.search_runs - 1)
    url = served_folder(project / "output")
    watched.page.goto(url + "search.html?q=zebracorn")
    results = watched.page.locator(".pagefind-ui__result-link")
    results.first.wait_for()
    assert set(results.evaluate_all("xs => xs.map(x => x.pathname)")) == {  # (with its sub-result's link)
        "/articles/fenwick-council-opens-a-new-library.html"}
    merged = query(watched, url, "const shards = await (await fetch('./pagefind/shards.json')).json();"
                                 " for (const shard of shards) {"
                                 "   await pagefind.mergeIndex(new URL('pagefind/' + shard, location.href).href); }"
                                 " const r = await pagefind.search('library', {filters: {type: 'Article'}});"
                                 " return [r.results.length, (await pagefind.filters()).type];")
    assert merged[0] == merged[1]["Article"] == len(TOWNS)  # every article, from every shard
    watched.assert_clean()
