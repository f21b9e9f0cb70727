"""Static co-occurrence graphs: which actors appear in the same articles.

Pages: `graphs/index.html` (the most-mentioned actors of the whole site and the
strongest links between them) and `graphs/<actor-slug>.html` for every actor
(the actors most often in the same articles as it). Each page draws an inline SVG
(no script; a role="img" picture with a title and description) and, beside it,
the same facts as an ordered list of links, which is what screen readers and
keyboard users follow.

Two actors co-occur when both are mentioned in one article; the weight of a link
is the number of such articles. Layouts are circles in a fixed order, so the
same site gives the same bytes.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from markupsafe import Markup, escape

from builder.model import Actor, EntityType, KeptPage, OutputPage, Site
from builder.page_keys import Fingerprints, no_other_reads
from builder.pages import Once, feed_and_graph, has_feed_and_graph, mention_files
from builder.render import PageRenderer

SITE_NODES = 24  # actors drawn on the site-wide graph
SITE_EDGES = 40  # strongest links drawn between them
ACTOR_NEIGHBOURS = 15  # actors drawn around one actor
SIZE = 640
LABEL_CHARS = 24
TYPE_CLASS = {EntityType.PERSON: "person", EntityType.ORGANISATION: "organisation", EntityType.PLACE: "place"}
TYPE_LABEL = {EntityType.PERSON: "person", EntityType.ORGANISATION: "organisation", EntityType.PLACE: "place"}

# Colours that read on light and dark backgrounds; text uses the page's own colour (currentColor).
SVG_STYLE = (
    ".edge{stroke:currentColor;stroke-opacity:.35}"
    ".node{stroke:currentColor;stroke-width:1.5}"
    ".person{fill:#3b82c4}.organisation{fill:#c4703b}.place{fill:#3ba36b}"
    ".label{fill:currentColor;font:19px system-ui,sans-serif}"
    ".centre .label{font-weight:bold}"
)


@dataclass(frozen=True)
class Link:
    """One line of the accessible list: an actor (or a pair) and the articles they share."""

    name: str
    page: str | None  # output-root-relative page of the actor, when actor pages exist
    count: int
    other_name: str | None = None
    other_page: str | None = None


def actor_articles(site: Site) -> dict[str, set[str]]:
    """Actor.key → the source files of the articles mentioning it."""
    return {actor.key: set(mention_files(actor)) for actor in site.actors}


def _by_article(files_of: dict[str, set[str]]) -> dict[str, list[str]]:
    by_article: dict[str, list[str]] = {}
    for key, files in files_of.items():
        for source_file in files:
            by_article.setdefault(source_file, []).append(key)
    return by_article


def _neighbours_of(key: str, files_of: dict[str, set[str]], by_article: dict[str, list[str]]) -> Counter[str]:
    """The other actors' keys → how many articles each shares with the actor `key`."""
    counter: Counter[str] = Counter()
    for source_file in files_of[key]:
        counter.update(by_article[source_file])  # counted in C: fast even for thousands of actors
    counter.pop(key, None)
    return counter


def neighbours(site: Site) -> dict[str, Counter[str]]:
    """Actor.key → Counter of the other actors' keys: how many articles each shares with it."""
    files_of = actor_articles(site)
    by_article = _by_article(files_of)
    return {key: _neighbours_of(key, files_of, by_article) for key in files_of}


def cooccurrence(site: Site, around: dict[str, Counter[str]] | None = None) -> Counter[tuple[str, str]]:
    """(key_a, key_b) with key_a < key_b → number of articles mentioning both."""
    around = neighbours(site) if around is None else around
    return Counter({(a, b): count for a, counter in around.items() for b, count in counter.items() if a < b})


def _ranked(counter: Counter[str], names: dict[str, str], limit: int) -> list[tuple[str, int]]:
    """The `limit` first by count (then name, key): as sorting them all, without sorting them all.

    Only the items counted at least as often as the `limit`-th highest count can be among them (that many
    come before any other), so only those are compared by name: a well-known actor has thousands of
    companions, most of them seen with it once."""
    if len(counter) > limit > 0:
        lowest = sorted(counter.values(), reverse=True)[limit - 1]
        items = [item for item in counter.items() if item[1] >= lowest]
    else:
        items = counter.items()
    return heapq.nsmallest(limit, items, key=lambda item: (-item[1], names.get(item[0], item[0]), item[0]))


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1].rstrip() + "…"


def _circle(count: int, radius: float) -> list[tuple[float, float, float]]:
    """(x, y, angle) of `count` points on a circle around the picture's centre, starting at the top."""
    centre = SIZE / 2
    points = []
    for i in range(count):
        angle = -math.pi / 2 + 2 * math.pi * i / max(count, 1)
        points.append((centre + radius * math.cos(angle), centre + radius * math.sin(angle), angle))
    return points


def _node(x: float, y: float, r: float, actor: Actor, angle: float | None, centre: bool = False) -> str:
    kind = TYPE_CLASS.get(actor.type, "person")
    if angle is None:  # the centre node: label below it
        lx, ly, anchor = x, y + r + 22, "middle"
    else:
        cos = math.cos(angle)
        lx = x + (r + 8) * (1 if cos >= 0 else -1) if abs(cos) > 0.2 else x
        below = math.sin(angle) > 0
        ly = (y + (r + 26 if below else -(r + 10))) if abs(cos) <= 0.2 else y + 6
        anchor = "middle" if abs(cos) <= 0.2 else ("start" if cos > 0 else "end")
    group = ' class="centre"' if centre else ""
    return (
        f'<g{group}><circle class="node {kind}" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>'
        f'<text class="label" x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}">{escape(_short(actor.name))}</text></g>'
    )


def _svg(title: str, description: str, body: list[str], ident: str) -> Markup:
    return Markup(
        f'<svg class="graph-svg" viewBox="-190 -30 {SIZE + 380} {SIZE + 60}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(description)}</desc>'
        f"<style>{SVG_STYLE}</style>" + "".join(body) + "</svg>"
    )


def _radius(count: int, largest: int) -> float:
    return 6 + 14 * math.sqrt(count / max(largest, 1))


def actor_graph(actor: Actor, ranked: list[tuple[str, int]], actors: dict[str, Actor]) -> Markup:
    """One actor in the centre, its most frequent companions around it; line width = shared articles."""
    largest = max((count for _, count in ranked), default=1)
    points = _circle(len(ranked), SIZE / 2 - 90)
    centre = SIZE / 2
    body = []
    for (_key, count), (x, y, _) in zip(ranked, points, strict=True):
        width = 1 + 5 * count / largest
        body.append(f'<line class="edge" x1="{centre}" y1="{centre}" x2="{x:.1f}" y2="{y:.1f}" '
                    f'stroke-width="{width:.1f}"/>')
    for (key, count), (x, y, angle) in zip(ranked, points, strict=True):
        body.append(_node(x, y, _radius(count, largest), actors[key], angle))
    body.append(_node(centre, centre, 20, actor, None, centre=True))
    names = ", ".join(f"{actors[key].name} ({count})" for key, count in ranked) or "none"
    description = f"{actor.name} in the centre, linked to the actors that share articles with it: {names}."
    return _svg(f"Actors appearing with {actor.name}", description, body, "graph")


def site_graph(top: list[tuple[str, int]], edges: list[tuple[str, str, int]], actors: dict[str, Actor]) -> Markup:
    largest_node = max((count for _, count in top), default=1)
    largest_edge = max((count for _, _, count in edges), default=1)
    points = {key: point for (key, _), point in zip(top, _circle(len(top), SIZE / 2 - 70), strict=True)}
    body = []
    for a, b, count in edges:
        (x1, y1, _), (x2, y2, _) = points[a], points[b]
        body.append(f'<line class="edge" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                    f'stroke-width="{1 + 5 * count / largest_edge:.1f}"/>')
    for key, count in top:
        x, y, angle = points[key]
        body.append(_node(x, y, _radius(count, largest_node), actors[key], angle))
    description = (f"The {len(top)} most-mentioned actors on a circle, joined when they appear in the same "
                   f"articles; {len(edges)} links, thicker for more shared articles.")
    return _svg("Actors that appear together", description, body, "graph")


def has_graph_page(actor: Actor) -> bool:
    """Only an actor seen in 2+ articles has one (the rule it shares with feeds: has_feed_and_graph)."""
    return has_feed_and_graph(actor)


def planned_paths(renderer: PageRenderer, site: Site) -> set[str]:
    """The index and one page per actor seen in 2+ articles, without rendering them."""
    with_graph = feed_and_graph(renderer, site)  # (has_graph_page of each, asked once per render)
    return {"graphs/index.html", *(f"graphs/{actor.slug}.html" for actor in site.actors if actor.key in with_graph)}


def plan(renderer: PageRenderer, site: Site) -> Iterator[OutputPage | KeptPage]:
    actors = {actor.key: actor for actor in site.actors}
    names = {key: actor.name for key, actor in actors.items()}
    actor_pages = "actors" in getattr(renderer, "kinds", ("actors",))

    addresses = {key: f"actors/{actor.slug}.html" for key, actor in actors.items()}  # (each made once)

    def page_of(key: str) -> str | None:
        return addresses[key] if actor_pages else None

    # Each actor's neighbours are counted when its page is made (all of them at once would hold a
    # counter per actor for the whole render).  Which articles each actor is in, and which actors each article
    # names, are found only when a page is made or its key worked out: an edit recalls most graph pages' keys,
    # and the site graph's while no actor changed.
    fingerprints = getattr(renderer, "fingerprints", None)  # (they have worked them out when keys are kept)
    if fingerprints is not None:
        files_of, by_article = fingerprints.actor_files, lambda: fingerprints.article_actors()[1]
    else:
        files_of = Once(partial(actor_articles, site))
        by_article = Once(lambda: _by_article(files_of()))
    keys = list(actors)
    yield from renderer.keyed(
        "page:graphs/index.html", "graph.html", partial(_site_graph_inputs, keys),
        partial(_site_graph_page, renderer, actors, names, page_of, files_of), reads=partial(_site_graph_reads, keys))
    with_graph = feed_and_graph(renderer, site)
    for actor in site.actors:
        if actor.key not in with_graph:
            continue
        # The neighbours are counted for the page's key too (they are what the page shows of the whole site),
        # unless the key is recalled: what they are counted from (`_graph_reads`) is as the last build found it.
        ranked = Once(partial(_ranked_around, actor.key, files_of, by_article, names))
        yield from renderer.keyed(
            f"graph:{actor.key}", "graph.html", partial(_read_graph_inputs, actor, ranked, page_of, files_of),
            partial(_actor_graph_page, renderer, actor, ranked, actors, names, page_of), reads=no_other_reads)


def _site_graph_reads(keys: list[str], fingerprints: Fingerprints) -> list[str]:
    """What the site graph is worked out from beside the fingerprints of the actors: which actors the site has."""
    return keys


def _site_graph_inputs(keys: list[str], fingerprints: Fingerprints) -> list[str | None]:
    """What the site graph shows is a function of the site's actors alone (which articles each is in, its name,
    type and address): the whole of each."""
    return [fingerprints.actor(key) for key in keys]


def _site_graph_page(renderer: PageRenderer, actors: dict[str, Actor], names: dict[str, str],
                     page_of: Callable[[str], str | None], files_of: Callable[[], dict[str, set[str]]]
                     ) -> list[OutputPage]:
    """graphs/index.html: the actors in the most articles, and the strongest links between them."""
    files_of = files_of()
    article_counts = Counter({key: len(files) for key, files in files_of.items()})
    top = _ranked(article_counts, names, SITE_NODES)
    top_keys = {key for key, _ in top}
    # (two top actors' shared articles counted as the intersection of their articles: what _neighbours_of counts,
    # without counting every companion of the site's most mentioned actors)
    edges = sorted(
        ((a, b, count) for a in top_keys for b in top_keys if a < b
         for count in (len(files_of[a] & files_of[b]),) if count),
        key=lambda edge: (-edge[2], names[edge[0]], names[edge[1]], edge[0], edge[1]),
    )[:SITE_EDGES]
    rows = [Link(names[a], page_of(a), count, names[b], page_of(b)) for a, b, count in edges]
    return [renderer.page(
        "graphs/index.html", "graph.html",
        page_title="Actors that appear together",
        heading="Actors that appear together",
        intro=(f"The {len(top)} actors mentioned in the most articles, joined when they appear in the same "
               "articles. Thicker lines: more articles in common."),
        svg=site_graph(top, edges, actors) if top else None,
        list_title="Strongest links",
        rows=rows,
        graph_actor=None,
        subject_page=None,
    )]


def _ranked_around(key: str, files_of: Callable[[], dict[str, set[str]]],
                   by_article: Callable[[], dict[str, list[str]]], names: dict[str, str]) -> list[tuple[str, int]]:
    """The ACTOR_NEIGHBOURS actors most often in the same articles as the actor `key`, with how often."""
    files_of = files_of()
    around = _neighbours_of(key, files_of, by_article()) if key in files_of else Counter()
    return _ranked(around, names, ACTOR_NEIGHBOURS)


class ArticleCasts:
    """Each article's cast as the graph pages see it: one digest of what the pages show of every actor it
    mentions (`Fingerprints.actor_shown`: key, name, type, address…), made once per article when first asked."""

    def __init__(self, by_article: dict[str, list[str]]) -> None:
        self.by_article = by_article
        self._made: dict[str, str] = {}
        self._shown: dict[str, str] = {}  # actor key → str(its actor_shown), as first asked

    def __call__(self, source_file: str, fingerprints: Fingerprints) -> str:
        cast = self._made.get(source_file)
        if cast is None:
            keys = self.by_article.get(source_file, ())
            try:  # (each actor's text read from a dict in C: 200,000 reads at 10k articles)
                shown = sorted(map(self._shown.__getitem__, keys))
            except KeyError:
                for key in keys:
                    if key not in self._shown:
                        self._shown[key] = str(fingerprints.actor_shown(key))
                shown = sorted(map(self._shown.__getitem__, keys))
            cast = self._made[source_file] = hashlib.blake2b("\0".join(shown).encode(), digest_size=16).hexdigest()
        return cast


def _graph_reads(actor: Actor, files_of: dict[str, set[str]], casts: ArticleCasts,
                 page_of: Callable[[str], str | None], fingerprints: Fingerprints) -> tuple:
    """What an actor's graph page is worked out from (builder.page_keys: its key is recalled while these are
    unchanged): the actor as shown, and, for each article mentioning it, the cast of that article.  The
    companions, their counts and their order (by count, then name) are a function of these alone."""
    return (fingerprints.actor_shown(actor.key), page_of(actor.key),
            [(source_file, casts(source_file, fingerprints)) for source_file in sorted(files_of.get(actor.key, ()))])


def _read_graph_inputs(actor: Actor, ranked: Callable[[], list[tuple[str, int]]],
                       page_of: Callable[[str], str | None], files_of: Callable[[], dict[str, set[str]]],
                       fingerprints: Fingerprints) -> tuple:
    """`_graph_inputs`, once what they are a function of (`_graph_reads`) is read through the fingerprints, so
    that the key is recalled while none of it changed (builder.page_keys.PageKeys): the casts of the actor's
    articles, and the actor itself (its mentions name its articles)."""
    fingerprints.actor(actor.key)
    _graph_reads(actor, files_of(), lambda source_file, fingerprints: fingerprints.cast(source_file), page_of,
                 fingerprints)
    return _graph_inputs(actor, ranked, page_of, fingerprints)


def _actor_graph_page(renderer: PageRenderer, actor: Actor, ranked_around: Callable[[], list[tuple[str, int]]],
                      actors: dict[str, Actor], names: dict[str, str], page_of: Callable[[str], str | None]
                      ) -> list[OutputPage]:
    ranked = ranked_around()
    return [renderer.page(
        f"graphs/{actor.slug}.html", "graph.html",
        page_title=f"Actors appearing with {actor.name}",
        heading=f"Actors appearing with {actor.name}",
        intro=(f"The actors most often mentioned in the same articles as {actor.name} "
               f"({TYPE_LABEL.get(actor.type, 'actor')}). Thicker lines: more articles in common."),
        svg=actor_graph(actor, ranked, actors) if ranked else None,
        list_title=f"Most often with {actor.name}",
        rows=[Link(names[key], page_of(key), count) for key, count in ranked],
        graph_actor=actor,
        subject_page=page_of(actor.key),
    )]


def _graph_inputs(actor: Actor, ranked: Callable[[], list[tuple[str, int]]], page_of: Callable[[str], str | None],
                  fingerprints: Fingerprints) -> tuple:
    """What an actor's graph page shows: the actor, and its most frequent companions with their counts."""
    return (fingerprints.actor_shown(actor.key), page_of(actor.key),
            [(count, fingerprints.actor_shown(key), page_of(key)) for key, count in ranked()])
