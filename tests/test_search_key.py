"""A page's search entry leaves out only what Pagefind cannot read (builder.search.searchable_bytes): two pages
with the same entry give the same index, and a shard kept because its entries did not change is byte for byte
the bundle a fresh Pagefind run over its new pages makes."""

from __future__ import annotations

import shutil

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from builder import search
from builder.search import SearchIndex, page_entry, searchable_bytes
from tests.search_pages import index_folder

WORDS = st.sampled_from(["council", "mayor", "zebracorn", "library", "Arden", "2016", "reports", "quoth"])
TEXT = st.lists(WORDS, min_size=0, max_size=4).map(" ".join)


PLAIN = ["text", "link", "heading", "list"]
READ = ["filter", "meta", "h1", "img", "comment"]  # what Pagefind may read inside an ignored element


@st.composite
def inside(draw, depth: int = 0, kinds: tuple[str, ...] = (*PLAIN, *READ)) -> str:
    """What an ignored element may hold: text, links, lists, headings with ids, and (`kinds` READ) what Pagefind
    may read there (a filter, a meta, an <h1>, an <img>, a comment), which the entry must keep."""
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(kinds))
        text = draw(TEXT)
        if kind == "text":
            parts.append(text)
        elif kind == "link":
            parts.append(f'<a href="../articles/a.html#s{draw(st.integers(0, 30))}">{text}</a>')
        elif kind == "heading":
            parts.append(f'<h2 id="h{draw(st.integers(0, 3))}">{text}</h2>')
        elif kind == "list" and depth < 2:
            parts.append(f"<ul><li>{text}</li><li>{draw(inside(depth + 1, kinds))}</li></ul>")
        elif kind == "filter":
            parts.append(f'<span data-pagefind-filter="source" hidden>{text or "x"}</span>')
        elif kind == "meta":
            parts.append(f'<span data-pagefind-meta="note">{text or "x"}</span>')
        elif kind == "h1":
            parts.append(f"<h1>{text or 'x'}</h1>")
        elif kind == "img":
            parts.append(f'<img src="/{text.replace(" ", "-") or "x"}.png" alt="{text}">')
        elif kind == "comment":
            parts.append(f"<!-- {text} -->")
    return " ".join(parts)


def page(title: str, ignored: str) -> str:
    return ('<!doctype html><html lang="en"><head><title>t</title></head><body><nav>Site</nav>'
            '<article data-pagefind-body><span data-pagefind-filter="type" hidden>Event</span>'
            f'<h1>{title}</h1><p>The council met.</p><section data-pagefind-ignore><h2 id="coverage">Coverage</h2>'
            f'<ul class="coverage"><li>{ignored}</li></ul></section><h2 id="related">Related</h2>'
            '<p>Other events.</p></article></body></html>')


def bundle_files(bundle) -> dict[str, bytes]:
    return {p.relative_to(bundle).as_posix(): p.read_bytes() for p in sorted(bundle.rglob("*"))
            if p.is_file() and p.name != search.SHARD_KEY}


def fresh_bundle(site, where) -> dict[str, bytes]:
    """A Pagefind run over `site`'s pages, made canonical (as every bundle of the index is)."""
    search.run_pagefind(site, ["--site", str(site), "--output-path", str(where)])
    search.make_canonical(where)
    return bundle_files(where)


def test_the_searchable_bytes_of_a_page_leave_out_a_plain_ignored_inside_only():
    plain = page("Flood", '<a href="x.html#s7">A sentence.</a> <span class="meta">May</span>')
    assert b"A sentence" not in searchable_bytes(plain.encode())
    assert b"Other events" in searchable_bytes(plain.encode())
    for kept in ('<span data-pagefind-filter="source">x</span>', "<h1>x</h1>", '<img src="/x.png">', "<!-- x -->",
                 "<script>x</script>"):
        content = page("Flood", f"A sentence. {kept}").encode()
        assert searchable_bytes(content) == content
    # the mark's words in another attribute's value mark nothing
    quoted = b'<article data-pagefind-body><section title="a data-pagefind-ignore b"><p>x</p></section></article>'
    assert searchable_bytes(quoted) == quoted
    marked = b'<section class="c" data-pagefind-ignore="all" id="s"><p>x</p></section>'
    assert searchable_bytes(marked) == b'<section class="c" data-pagefind-ignore="all" id="s"></section>'
    # a <p> or <li> marked ignored is closed early by some content in HTML: never left out
    marked_p = b'<article data-pagefind-body><p data-pagefind-ignore>x<div>y</div></p></article>'
    assert searchable_bytes(marked_p) == marked_p


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=inside(kinds=tuple(PLAIN)), second=st.one_of(inside(kinds=tuple(PLAIN)), inside()), title=TEXT)
def test_pages_with_the_same_entry_give_pagefind_the_same_index(tmp_path_factory, first, second, title):
    """Pagefind run over the page with either ignored inside: equal bundles whenever the entries are equal."""
    one, two = page(title or "Flood", first), page(title or "Flood", second)
    entries_equal = page_entry("events/e.html", one.encode()) == page_entry("events/e.html", two.encode())
    event(f"entries equal: {entries_equal}, pages equal: {one == two}")
    if not entries_equal:
        return
    work = tmp_path_factory.mktemp("key")
    bundles = []
    for name, content in (("one", one), ("two", two)):
        site = work / f"site-{name}"
        (site / "events").mkdir(parents=True)
        (site / "events" / "e.html").write_text(content, encoding="utf-8")
        (site / "events" / "other.html").write_text(page("Other", "fixed"), encoding="utf-8")
        bundles.append(fresh_bundle(site, work / f"out-{name}"))
    assert bundles[0] == bundles[1]


def index(site, previous=None) -> SearchIndex:
    return index_folder(site, search.PAGE_WEIGHTS["events"], previous)  # one event page a shard


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=inside(kinds=tuple(PLAIN)), after=st.one_of(inside(kinds=tuple(PLAIN)), inside()))
def test_a_shard_kept_for_its_entries_is_a_fresh_runs_bundle(tmp_path_factory, before, after):
    """An event page edited only inside its ignored section: its shard is kept (linked from the previous site)
    when its entry did not change, and that bundle equals a fresh Pagefind run over the new page."""
    work = tmp_path_factory.mktemp("kept")
    first = work / "first"
    (first / "events").mkdir(parents=True)
    for name in ("a", "b", "c"):
        (first / "events" / f"{name}.html").write_text(page(f"Event {name}", before), encoding="utf-8")
    index(first)
    second = work / "second"
    shutil.copytree(first, second, ignore=shutil.ignore_patterns(search.BUNDLE))
    (second / "events" / "b.html").write_text(page("Event b", after), encoding="utf-8")
    again = index(second, previous=first)
    same_entry = page_entry("events/b.html", page("Event b", before).encode()) == page_entry(
        "events/b.html", page("Event b", after).encode())
    assert (again.runs, again.reused) == ((0, 3) if same_entry else (1, 2))
    alone = work / "alone"
    (alone / "events").mkdir(parents=True)
    shutil.copy(second / "events" / "b.html", alone / "events" / "b.html")
    kept = second / search.BUNDLE / "shard-1"
    fresh = fresh_bundle(alone, work / "fresh")
    for name in search.UI_FILES:  # (a merged shard's bundle has none: the first bundle's are loaded)
        fresh.pop(name, None)
    assert bundle_files(kept) == fresh
