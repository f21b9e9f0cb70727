"""The Pagefind index: what builder.search.index_site makes, queried through Pagefind's own JS API."""

from __future__ import annotations

import functools
import http.server
import textwrap
import threading
from fnmatch import fnmatch
from pathlib import Path

import pytest

from builder import search
from builder.errors import BuildError
from builder.search import NON_DETERMINISTIC, index_site

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


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def served_folder():
    servers = []

    def serve(folder: Path) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


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
    results.nth(2).wait_for()
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


def test_only_the_named_files_vary_between_index_runs(tmp_path):
    """Pagefind writes filter values in hash-map order: only NON_DETERMINISTIC files may differ."""
    bundles = []
    for run in ("a", "b", "c"):
        site = tmp_path / run
        site.mkdir()
        for number in range(12):
            (site / f"page-{number}.html").write_text(
                PAGE.format(title=f"Page {number}", kind="Article", source=f"Source {number % 3}",
                            date="2016-02-01", month="2016-02", text=f"Words about topic {number} and more."),
                encoding="utf-8")
        index_site(site)
        bundle = site / "pagefind"
        bundles.append({
            p.relative_to(bundle).as_posix(): p.read_bytes()
            for p in bundle.rglob("*")
            if p.is_file() and not any(fnmatch(f"pagefind/{p.relative_to(bundle).as_posix()}", pattern)
                                       for pattern in NON_DETERMINISTIC)
        })
    assert any(name.startswith("fragment/") for name in bundles[0])
    assert bundles[0] == bundles[1] == bundles[2]
