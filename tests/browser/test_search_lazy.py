"""The search page's module merges a shard only when a query may find pages in it (the words index says
which), and shows the filters from the shards' counts (pagefind/filters.json): the same filters, counts and
results as Pagefind over every shard merged, fetching nothing of the shards a query's words are not in."""

from __future__ import annotations

import re

import pytest

from builder import search
from builder.search import index_site
from tests.browser.test_search_exact import found, make_site
from tests.browser.test_search_index import PAGE

MODULE = "./pagefind/exact/pagefind.js"


@pytest.fixture
def sharded(tmp_path, served_folder, monkeypatch):
    """test_search_exact's six articles in three shards (a0 a1 | a2 a3 | a4 a5), two of them in French, and
    actor and event pages of their own filter values."""
    site = make_site(tmp_path)
    for kind, folder, count in (("Actor", "actors", 9), ("Event", "events", 7)):
        (site / folder).mkdir()
        for number in range(count):
            (site / folder / f"{number}.html").write_text(
                PAGE.format(title=f"{kind} {number}", kind=kind, source=f"Source {number % 4}",
                            date=f"2016-0{1 + number % 3}-02", month=f"2016-0{1 + number % 3}",
                            text=f"A {kind.lower()} of the ferry story, part {number}."), encoding="utf-8")
    for name in ("a1", "a5"):
        path = site / "articles" / f"{name}.html"
        path.write_text(path.read_text(encoding="utf-8").replace('lang="en"', 'lang="fr"'), encoding="utf-8")
    monkeypatch.setattr(search, "SHARD_BUDGET", 2)
    index_site(site)
    assert (site / "pagefind" / search.FILTER_COUNTS).is_file()
    return served_folder(site)


def every_shard_filters(watched, url: str) -> dict:
    """Pagefind's own filters() with every shard merged (as the module did before filters.json)."""
    watched.page.goto(url + "search.html")
    return watched.page.evaluate(
        """async () => {
          const pagefind = await import('./pagefind/pagefind.js');
          const bundle = new URL('./pagefind/', location.href).href;
          const names = await (await fetch(bundle + 'shards.json')).json();
          await pagefind.options({ mergeFilter: { '@SHARD@': '0' } });
          for (const [number, name] of names.entries()) {
            await pagefind.mergeIndex(bundle + name, { mergeFilter: { '@SHARD@': String(number + 1) } });
          }
          const filters = await pagefind.filters();
          delete filters['@SHARD@'];
          return filters;
        }""".replace("@SHARD@", search.SHARD_FILTER))


def module_filters(watched, url: str) -> tuple[dict, list[str]]:
    """The module's filters() on a fresh page, and the index files it fetched for them."""
    requests: list[str] = []
    watched.page.on("request", lambda request: requests.append(request.url))
    watched.page.goto(url + "search.html")
    requests.clear()
    filters = watched.page.evaluate(f"async () => (await import('{MODULE}')).filters()")
    return filters, requests


def test_the_filters_shown_before_a_query_are_every_shards(sharded, watched, browser):
    expected = every_shard_filters(watched, sharded)
    assert set(expected) == {"type", "source", "date"} and expected["type"]["Actor"] == 9
    page = browser.new_context().new_page()
    try:
        watched.page = page
        filters, requests = module_filters(watched, sharded)
    finally:
        page.context.close()
    assert filters == expected
    fetched = [url for url in requests if "/pagefind/shard-" in url or url.endswith(".pf_filter")]
    assert not fetched, fetched  # (the counts come from filters.json)


def test_a_query_fetches_only_the_shards_holding_its_words(sharded, watched, tmp_path):
    requests: list[str] = []
    watched.page.on("request", lambda request: requests.append(request.url))
    results = found(watched, sharded, ["lethargic"])
    assert results["lethargic"] == ["/articles/a4.html"]
    shards = {match for url in requests for match in re.findall(r"/pagefind/(shard-\d+)/", url)}
    holding = [number for number, pages in enumerate(search.shards(tmp_path / "site", budget=2))
               if "articles/a4.html" in pages]
    assert holding and holding[0] > 0
    assert shards == {f"shard-{holding[0]}"}, sorted(requests)  # (the first shard, pagefind/, is the primary)
    watched.assert_clean()


def module_search(watched, url: str, queries: list[str]) -> dict[str, list[str]]:
    """Each query's results through the module's search() (their URLs, in the order given), one after the other
    on one page."""
    watched.page.goto(url + "search.html")
    return watched.page.evaluate(
        f"""async (queries) => {{
          const pagefind = await import('{MODULE}');
          const found = {{}};
          for (const query of queries) {{
            const response = await pagefind.search(query);
            found[query] = await Promise.all(response.results.map(
              async (result) => new URL((await result.data()).url, location.href).pathname));
          }}
          return found;
        }}""", queries)


def test_results_are_the_same_whatever_the_queries_before(sharded, watched):
    """Shards merged by earlier queries of the session change no later query's results or their order."""
    queries = ["ferry", "lethargic", "market", '"lethal storm"', "lethalz", "zzyzx", "let", "part", "conseil"]
    alone = {query: module_search(watched, sharded, [query])[query] for query in queries}
    assert alone["lethargic"] == ["/articles/a4.html"] and len(alone["ferry"]) > 5
    assert module_search(watched, sharded, queries) == alone
    assert module_search(watched, sharded, list(reversed(queries))) == alone
    watched.assert_clean()
