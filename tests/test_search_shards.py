"""How builder.search splits the pages to index into shards (no Pagefind run)."""

from __future__ import annotations

from builder import search


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
