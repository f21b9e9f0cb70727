"""Page kinds: one module per kind, each exposing `plan(renderer, site)`, which yields its OutputPages one at a
time (so that no kind's pages are all in memory at once), and, unless the kind is one whose index always
exists (builder.render.CORE_KINDS), `planned_paths(renderer, site)`: the paths of the pages other pages may
link to (its index pages, one page per actor or event), said without rendering anything.

builder.render.iter_site_pages runs them in the order of builder.render.PAGE_MODULES.
Shared here: splitting long lists into pages of a bounded size, and the bounds of the lists that grow
with the site (no page grows without limit: an index shows the first INDEX_ITEMS of such a list and
links to the complete list, split into pages of at most LIST_ITEMS).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from builder.model import Actor, Pairs, Site

T = TypeVar("T")

# An actor seen in only one article has nothing of its own to follow or to chart: that article's page
# already names everyone around it.  Such an actor (3 in 4 on news-2016) gets neither a graph page
# (builder.pages.graphs) nor an Atom feed (builder.pages.feeds), and its page links to neither.
OWN_FEED_AND_GRAPH_MIN_ARTICLES = 2

INDEX_ITEMS = 60  # an index page shows at most this many of a list (per kind of actor, per section of events)
LIST_ITEMS = 500  # one page of a complete list (actors A to Z, a year of the timeline) holds at most this many


@dataclass(frozen=True)
class Pagination(Generic[T]):
    """One page of a long list: its items and the addresses of its neighbours."""

    items: Sequence[T]
    number: int  # 1-based
    count: int  # how many pages in all
    path: str
    previous: str | None
    next: str | None
    paths: tuple[str, ...]  # every page's address, first to last


def mention_files(actor: Actor) -> list[str]:
    """The source file of each of the actor's mentions, in order (a file once per mention): read straight
    from the column when the mentions are held as one (no (file, index) tuple made per mention)."""
    mentions = actor.mentions
    return mentions.names if isinstance(mentions, Pairs) else [source_file for source_file, _ in mentions]


def has_feed_and_graph(actor: Actor) -> bool:
    """Is the actor seen in enough distinct articles for a feed and a graph page of its own?

    Asked several times per actor (its page, its graph, its feed, its page's metadata): it stops at the
    second article, not after a set of all of them (thousands for a prominent actor)."""
    seen: set[str] = set()
    for source_file in mention_files(actor):
        seen.add(source_file)
        if len(seen) >= OWN_FEED_AND_GRAPH_MIN_ARTICLES:
            return True
    return len(seen) >= OWN_FEED_AND_GRAPH_MIN_ARTICLES


class Once(Generic[T]):
    """`make()`, made when first asked for, then kept: what functools.cache of a partial gives, without copying
    the partial's attributes into a wrapper.  What a unit's inputs and pages share (an actor's companions, a
    feed's articles) is made only when its key is worked out or its pages made: an edit recalls most keys
    (builder.page_keys) and asks for neither."""

    __slots__ = ("make", "value")

    def __init__(self, make: Callable[[], T]) -> None:
        self.make: Callable[[], T] | None = make
        self.value: T | None = None

    def __call__(self) -> T:
        if self.make is not None:
            self.value, self.make = self.make(), None
        return self.value


def feed_and_graph(renderer, site: Site) -> frozenset[str]:
    """The keys of the site's actors with a feed and a graph page of their own (`has_feed_and_graph`), found once
    per render: the actor pages, the graphs and the feeds each ask of every actor (10,000 of them at 10k articles,
    in every edit).  Kept on the renderer with the site they are of."""
    found = getattr(renderer, "feed_and_graph", None)
    if found is not None and found[0] is site:
        return found[1]
    keys = frozenset(actor.key for actor in site.actors if has_feed_and_graph(actor))
    if hasattr(renderer, "feed_and_graph"):
        renderer.feed_and_graph = (site, keys)
    return keys


def page_path(base: str, number: int) -> str:
    """'sources/ap.html' → page 2: 'sources/ap--2.html' ("--" never occurs in a slug)."""
    if number == 1:
        return base
    stem = base.removesuffix(".html")
    return f"{stem}--{number}.html"


def paginate(base: str, items: Sequence[T], per_page: int) -> list[Pagination[T]]:
    """Split items into pages of at most per_page; always at least one (possibly empty) page."""
    per_page = max(1, per_page)
    count = max(1, -(-len(items) // per_page))
    paths = tuple(page_path(base, n) for n in range(1, count + 1))
    return [
        Pagination(
            items=items[(n - 1) * per_page : n * per_page],
            number=n,
            count=count,
            path=paths[n - 1],
            previous=paths[n - 2] if n > 1 else None,
            next=paths[n] if n < count else None,
            paths=paths,
        )
        for n in range(1, count + 1)
    ]
