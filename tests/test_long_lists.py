"""No page grows with the site: index pages show a bounded number of actors and events and link to
complete lists split into bounded pages (actors A to Z, the timeline year by year).

The site is made in memory (no analysis): many actors and events, with small bounds so the lists
are split several times over.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import builder.pages.actors
import builder.pages.events
from builder.model import Actor, DateRef, EntityType, Event, Precision
from builder.pages.actors import initial
from builder.render import render_site
from tests.linkcheck import check_links
from tests.test_render import make_article, make_site, settings_for, write_pages

INDEX_ITEMS = 12
LIST_ITEMS = 40
MAX_PAGE_BYTES = 400_000
TYPES = (EntityType.PERSON, EntityType.ORGANISATION, EntityType.PLACE)


def many_actors(count: int) -> list[Actor]:
    """Names under every initial, most of them under A (more than one page), some under no letter."""
    actors = []
    for number in range(count):
        if number % 3 == 0:
            first = "A"
        elif number % 17 == 0:
            first = "9"  # a digit: the 'other' page
        elif number % 19 == 0:
            first = "Ö"  # an accent: listed under O
        else:
            first = chr(ord("A") + number % 26)
        name = f"{first}ctor {number:05d}"
        actors.append(Actor(f"actor-{number}", name, TYPES[number % 3], f"actor-{number:05d}",
                            prominence=number % 50))
    return actors


def many_events(count: int) -> list[Event]:
    """Events over three years (2016 with more than one page), some undated, some background."""
    events = []
    for number in range(count):
        if number % 11 == 0:
            when = None
        else:
            year = (2014, 2015, 2016, 2016, 2016)[number % 5]
            when = DateRef(date(year, 1 + number % 12, 1 + number % 28), Precision.DAY, "on a day", 0)
        events.append(Event(f"event-{number}", f"Event number {number}", ("meeting", "attack", "vote")[number % 3],
                            f"event-{number:05d}", date=when, participants=[f"actor-{number % 97}"],
                            background=number % 7 == 0, sources=["a.txt"] * (1 + number % 4)))
    events.sort(key=lambda e: (e.date is None, -(e.date.value.toordinal()) if e.date else 0, e.key))
    return events


@pytest.fixture(scope="module")
def long_site(tmp_path_factory) -> Path:
    patch = pytest.MonkeyPatch()
    for module in (builder.pages.actors, builder.pages.events):
        patch.setattr(module, "INDEX_ITEMS", INDEX_ITEMS)
        patch.setattr(module, "LIST_ITEMS", LIST_ITEMS)
    try:
        tmp_path = tmp_path_factory.mktemp("long-lists")
        article = make_article("a.txt", "A story", ["Something happened."], datetime(2016, 3, 1, tzinfo=UTC))
        site = make_site([article], actors=many_actors(400))
        site.events = many_events(400)
        write_pages(render_site(site, settings_for(tmp_path)), tmp_path / "out")
    finally:
        patch.undo()
    return tmp_path / "out"


def links_from(page: Path, site: Path) -> set[str]:
    """The pages a page links to, relative to the site folder."""
    found = set()
    for href in re.findall(r'href="([^"#]+)', page.read_text()):
        if "://" not in href:
            found.add((page.parent / href).resolve().relative_to(site.resolve()).as_posix())
    return found


def crawl(site: Path, start: list[str]) -> set[str]:
    """The pages reachable from `start` by following links, staying within the actor, event and timeline pages."""
    seen, queue = set(start), list(start)
    while queue:
        page = queue.pop()
        for link in links_from(site / page, site):
            if link not in seen and link.endswith(".html") and link.startswith(("actors/", "events/", "timeline")):
                seen.add(link)
                queue.append(link)
    return seen


def test_every_page_is_bounded(long_site):
    for page in long_site.rglob("*.html"):
        html = page.read_text()
        assert len(html.encode()) <= MAX_PAGE_BYTES, page
        assert html.count('class="article-item"') <= 50, page
    index = (long_site / "actors" / "index.html").read_text()
    for css in ("person", "organisation", "place"):
        group = index[index.index(f'<ol class="actor-list {css}">'):]
        assert group[: group.index("</ol>")].count("<li>") == INDEX_ITEMS
    for page in [*long_site.glob("actors/all/*.html")]:
        assert page.read_text().count('<li><a href="../actor-') <= LIST_ITEMS, page
    for page in [long_site / "timeline.html", *long_site.glob("timeline/*.html")]:
        assert page.read_text().count("<li data-type=") <= max(INDEX_ITEMS, LIST_ITEMS), page
    events = (long_site / "events" / "index.html").read_text()
    assert events.count('<a href="event-') <= 3 * INDEX_ITEMS


def test_long_lists_are_split_into_pages(long_site):
    assert (long_site / "actors" / "all" / "a--2.html").is_file()
    assert (long_site / "actors" / "all" / "other.html").is_file()
    assert (long_site / "timeline" / "2016--2.html").is_file()
    assert (long_site / "timeline" / "undated.html").is_file()
    assert not (long_site / "timeline" / "2013.html").exists()
    a_to_z = (long_site / "actors" / "all" / "o.html").read_text()
    assert "Öctor 00019" in a_to_z  # listed under its letter, accent aside
    assert initial("«Öl»") == "o" and initial("3M") == "other" and initial("Ωmega") == "other"


def test_every_actor_and_event_is_linked_from_an_index_and_every_link_resolves(long_site):
    assert check_links(long_site) == []
    listed: set[str] = set()
    for page in [long_site / "actors" / "index.html", *long_site.glob("actors/all/*.html")]:
        listed |= links_from(page, long_site)
    assert {p.relative_to(long_site).as_posix() for p in long_site.glob("actors/actor-*.html")} <= listed
    listed = set()
    for page in [long_site / "events" / "index.html", long_site / "timeline.html", *long_site.glob("timeline/*.html")]:
        listed |= links_from(page, long_site)
    assert {p.relative_to(long_site).as_posix() for p in long_site.glob("events/event-*.html")} <= listed
    # every page of the complete lists can be reached from the navigation's index pages
    reachable = crawl(long_site, ["actors/index.html", "events/index.html", "timeline.html"])
    for pattern in ("actors/all/*.html", "timeline/*.html", "actors/actor-*.html", "events/event-*.html"):
        assert {p.relative_to(long_site).as_posix() for p in long_site.glob(pattern)} <= reachable, pattern

def test_filters_work_on_every_list_page(long_site):
    for page in long_site.glob("actors/all/*.html"):
        html = page.read_text()
        assert "data-actor-filter" in html and "actors.js" in html and 'class="actor-list' in html, page
    for page in [long_site / "timeline.html", *long_site.glob("timeline/*.html")]:
        html = page.read_text()
        assert 'data-timeline="timeline-list"' in html and "timeline.js" in html, page
        shown = set(re.findall(r'data-actors="([^"]*)"', html))
        options = set(re.findall(r'<option value="(actor-[^"]+)"', html))
        assert options == {key for keys in shown for key in keys.split()}, page  # this page's actors only
    assert 'data-filter="event-index"' in (long_site / "events" / "index.html").read_text()
