"""Atom feeds, sitemap and robots.txt, planned from a small linked site built by hand."""

from __future__ import annotations

import posixpath
from datetime import UTC, date, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from builder.config import Config, Paths, Settings
from builder.model import (
    Actor,
    Article,
    ArticleDate,
    Block,
    BlockKind,
    DateRef,
    EntityType,
    Event,
    Mention,
    Precision,
    Sentence,
    Site,
    Source,
)
from builder.pages import feeds
from builder.render import PageRenderer, render_site

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def make_article(name: str, title: str, paragraphs: list[str], published: datetime | None, source: str,
                 names: list[tuple[str, EntityType, str]] = ()) -> Article:
    """An analysed article: one sentence per paragraph, mentions of `names` (surface, type, actor key)."""
    text = "\n\n".join(paragraphs)
    starts, sentences, offset = [], [], 0
    for index, paragraph in enumerate(paragraphs):
        starts.append(offset)
        sentences.append(Sentence(index, offset, offset + len(paragraph), index))
        offset += len(paragraph) + 2
    mentions = []
    for surface, kind, key in names:
        at = text.find(surface)
        assert at >= 0, surface
        sentence = next(s.index for s in sentences if s.start <= at < s.end)
        mentions.append(Mention(at, at + len(surface), surface, kind, sentence, key))
    return Article(
        source_file=name, content_hash=name, title=title,
        blocks=[Block(BlockKind.PARAGRAPH, p) for p in paragraphs],
        published=ArticleDate(published, "metadata" if published else "undated"),
        source=source, original_url=f"https://news.example/{name}", text=text, block_starts=starts,
        sentences=sentences, summary=[0], mentions=mentions,
        slug=posixpath.splitext(name)[0],
    )


def make_site() -> Site:
    mayor, council, harbour = "person:ana-ruiz", "org:city-council", "place:harbour"
    a1 = make_article(
        "bridge.md", "Harbour bridge reopens <after> repairs & tests",
        ["Ana Ruiz said the harbour bridge reopened on Monday.", "The City Council paid for new cables."],
        datetime(2024, 3, 4, 9, 30, tzinfo=UTC), "Daily Example",
        [("Ana Ruiz", EntityType.PERSON, mayor), ("City Council", EntityType.ORGANISATION, council),
         ("harbour", EntityType.PLACE, harbour)],
    )
    a2 = make_article(
        "budget.md", "Council passes budget",
        ["The City Council passed the budget on Tuesday.", "Ana Ruiz voted against it."],
        datetime(2024, 3, 5, 18, 0, tzinfo=UTC), "Evening Example",
        [("City Council", EntityType.ORGANISATION, council), ("Ana Ruiz", EntityType.PERSON, mayor)],
    )
    a3 = make_article(
        "old.md", "An undated note about the harbour",
        ["The harbour is busy in summer."], None, "Daily Example",
        [("harbour", EntityType.PLACE, harbour)],
    )
    articles = [a2, a1, a3]
    actors = [
        Actor(mayor, "Ana Ruiz", EntityType.PERSON, "ana-ruiz", aliases=["Ruiz"], description="Mayor of the city",
              mentions=[("bridge.md", 0), ("budget.md", 1)]),
        Actor(council, "City Council", EntityType.ORGANISATION, "city-council",
              mentions=[("bridge.md", 1), ("budget.md", 0)]),
        Actor(harbour, "Harbour", EntityType.PLACE, "harbour", mentions=[("bridge.md", 2), ("old.md", 0)]),
    ]
    event = Event(
        "event:bridge-reopens", "Harbour bridge reopens", "opening", "harbour-bridge-reopens",
        date=DateRef(date(2024, 3, 4), Precision.DAY, "on Monday", 0), place=harbour,
        participants=[mayor, council], evidence=[("bridge.md", 0)], sources=["bridge.md"],
    )
    sources = [Source("Daily Example", "daily-example", [a1, a3]), Source("Evening Example", "evening-example", [a2])]
    return Site("Test digest", articles, sources, actors=actors, events=[event])


def make_renderer(tmp_path: Path, site: Site, **config) -> PageRenderer:
    settings = Settings(config=Config(**config), paths=Paths.from_project(tmp_path))
    return PageRenderer(site, settings)


def planned(tmp_path: Path, **config) -> dict[str, bytes]:
    site = make_site()
    return {page.path: page.content for page in feeds.plan(make_renderer(tmp_path, site, **config), site)}


def entries(document: bytes) -> list[ET.Element]:
    return ET.fromstring(document).findall(f"{ATOM}entry")


def test_plans_site_actor_and_event_feeds_and_robots(tmp_path):
    pages = planned(tmp_path)
    assert set(pages) == {
        "feed.xml", "actors/ana-ruiz.xml", "actors/city-council.xml", "actors/harbour.xml",
        "events/harbour-bridge-reopens.xml", "robots.txt",
    }


def test_site_feed_is_atom_newest_first_without_undated_articles(tmp_path):
    feed = ET.fromstring(planned(tmp_path)["feed.xml"])
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert titles == ["Council passes budget", "Harbour bridge reopens <after> repairs & tests"]
    assert feed.findtext(f"{ATOM}updated") == "2024-03-05T18:00:00Z"  # the newest article, not the build time
    for entry in feed.findall(f"{ATOM}entry"):
        assert entry.findtext(f"{ATOM}id").startswith("urn:uuid:")
        assert entry.findtext(f"{ATOM}updated")
        assert entry.findtext(f"{ATOM}summary")


def test_links_are_absolute_with_base_url(tmp_path):
    feed = ET.fromstring(planned(tmp_path, base_url="https://me.example/digest/")["feed.xml"])
    links = [link.get("href") for link in feed.iter(f"{ATOM}link") if link.get("rel") != "via"]
    assert links and all(href.startswith("https://me.example/digest/") for href in links)
    assert "https://me.example/digest/feed.xml" in links
    assert "https://me.example/digest/articles/budget.html" in links


def test_links_without_base_url_are_relative_to_the_feed_and_name_real_pages(tmp_path):
    pages = planned(tmp_path)
    for path in ("feed.xml", "actors/ana-ruiz.xml"):
        document = ET.fromstring(pages[path])
        for link in document.iter(f"{ATOM}link"):
            href = link.get("href")
            if link.get("rel") == "via":
                continue
            assert "://" not in href
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), href))
            assert resolved in {path, "index.html", "actors/ana-ruiz.html"} or resolved.startswith("articles/")


def test_ids_do_not_depend_on_base_url(tmp_path):
    def ids(document: bytes) -> list[str]:
        return [e.findtext(f"{ATOM}id") for e in entries(document)]

    plain = planned(tmp_path)
    published = planned(tmp_path, base_url="https://me.example/")
    assert ids(plain["feed.xml"]) == ids(published["feed.xml"])
    assert len(set(ids(plain["feed.xml"]))) == 2


def test_actor_and_event_feeds_hold_their_articles(tmp_path):
    pages = planned(tmp_path)
    assert [e.findtext(f"{ATOM}title") for e in entries(pages["actors/ana-ruiz.xml"])] == [
        "Council passes budget", "Harbour bridge reopens <after> repairs & tests"]
    assert [e.findtext(f"{ATOM}title") for e in entries(pages["events/harbour-bridge-reopens.xml"])] == [
        "Harbour bridge reopens <after> repairs & tests"]
    # the harbour's only dated article is the bridge one; the undated note is left out of feeds
    assert len(entries(pages["actors/harbour.xml"])) == 1


def test_same_input_same_bytes(tmp_path):
    assert planned(tmp_path) == planned(tmp_path)


def whole_site(tmp_path: Path, **config) -> dict[str, bytes]:
    """Every page of the hand-built site, as the build makes them (the sitemap is made last, from them)."""
    site = make_site()
    settings = Settings(config=Config(**config), paths=Paths.from_project(tmp_path))
    return {page.path: page.content for page in render_site(site, settings)}


def test_sitemap_lists_every_html_page_but_the_unlisted_ones(tmp_path):
    pages = whole_site(tmp_path, base_url="https://me.example/")
    root = ET.fromstring(pages["sitemap.xml"])
    locs = [url.findtext(f"{SITEMAP}loc") for url in root.findall(f"{SITEMAP}url")]
    assert all(loc.startswith("https://me.example/") for loc in locs)
    assert len(locs) == len(set(locs))
    unlisted = {"404.html", "search.html"}
    expected = {path for path in pages if path.endswith(".html")} - unlisted
    assert {loc.removeprefix("https://me.example/") for loc in locs} == expected
    for page in ("index.html", "articles/old.html", "actors/harbour.html", "events/harbour-bridge-reopens.html",
                 "sources/daily-example.html", "timeline.html", "graphs/index.html"):
        assert page in expected  # every page kind, the timeline and graphs included
    lastmods = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in root}
    assert lastmods["https://me.example/articles/budget.html"] == "2024-03-05"


def test_sitemap_leaves_out_redirect_pages(tmp_path):
    site = make_site()
    site.actors[0].redirect_from = ["old-mayor"]
    settings = Settings(config=Config(base_url="https://me.example/"), paths=Paths.from_project(tmp_path))
    pages = {page.path: page.content for page in render_site(site, settings)}
    assert "actors/old-mayor.html" in pages
    assert b"actors/old-mayor.html" not in pages["sitemap.xml"]
    assert b"actors/ana-ruiz.html" in pages["sitemap.xml"]


def test_a_site_beyond_the_protocols_limit_gets_a_sitemap_index(tmp_path, monkeypatch):
    monkeypatch.setattr(feeds, "SITEMAP_URLS", 10)
    pages = whole_site(tmp_path, base_url="https://me.example/")
    index = ET.fromstring(pages["sitemap.xml"])
    assert index.tag == f"{SITEMAP}sitemapindex"
    files = [node.findtext(f"{SITEMAP}loc") for node in index.findall(f"{SITEMAP}sitemap")]
    assert len(files) >= 2 and all(f.startswith("https://me.example/sitemap-") for f in files)
    listed = []
    for address in files:
        part = ET.fromstring(pages[address.removeprefix("https://me.example/")])
        locs = [url.findtext(f"{SITEMAP}loc") for url in part.findall(f"{SITEMAP}url")]
        assert 0 < len(locs) <= 10
        listed += locs
    expected = {path for path in pages if path.endswith(".html")} - {"404.html", "search.html"}
    assert sorted(loc.removeprefix("https://me.example/") for loc in listed) == sorted(expected)


def test_sitemap_without_base_url_is_relative_and_says_so(tmp_path):
    document = whole_site(tmp_path)["sitemap.xml"]
    assert b"set base_url" in document
    locs = [url.findtext(f"{SITEMAP}loc") for url in ET.fromstring(document)]
    assert "index.html" in locs and not any("://" in loc for loc in locs)


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({}, "User-agent: *\nAllow: /\n"),
        ({"base_url": "https://me.example/"}, "User-agent: *\nAllow: /\n\nSitemap: https://me.example/sitemap.xml\n"),
        ({"noindex": True, "base_url": "https://me.example/"}, "User-agent: *\nDisallow: /\n"),
    ],
)
def test_robots_txt(tmp_path, config, expected):
    assert planned(tmp_path, **config)["robots.txt"].decode() == expected


def test_naive_dates_are_taken_in_the_configured_zone():
    config = Config(timezone="Asia/Seoul")
    assert feeds.feed_time(datetime(2024, 3, 4, 9, 0), config) == "2024-03-04T00:00:00Z"
    assert feeds.feed_time(date(2024, 3, 4), Config()) == "2024-03-04T00:00:00Z"


# --- data-driven: real articles through the whole build -------------------------------------------


def test_real_articles_feeds_sitemap_and_exports_agree_with_the_pages(shared_data, tmp_path):
    """Data-driven (news-2016, first 40 files): every address in feeds, sitemap and exports is a real page."""
    import csv
    import json
    import shutil

    from builder.build import build
    from builder.config import load_config

    files = sorted((shared_data / "news-2016").glob("*.md"))[:40]
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for path in files:
        shutil.copy(path, seeds / path.name)
    base = "https://me.example/digest/"
    paths = Paths.from_project(Path(__file__).resolve().parent.parent, seeds=seeds, output=tmp_path / "out",
                               cache=tmp_path / "cache")
    build(Settings(config=load_config(paths.site, {"base_url": base}), paths=paths, jobs=1))
    out = paths.output

    def exists(url: str) -> bool:
        return url.startswith(base) and (out / url[len(base):]).is_file()

    feed = ET.fromstring((out / "feed.xml").read_bytes())
    links = [link.get("href") for link in feed.iter(f"{ATOM}link") if link.get("rel") != "via"]
    assert len(feed.findall(f"{ATOM}entry")) >= 30
    assert all(exists(url) for url in links), [url for url in links if not exists(url)][:5]
    locs = [url.findtext(f"{SITEMAP}loc") for url in ET.fromstring((out / "sitemap.xml").read_bytes())]
    assert all(exists(url) for url in locs), [url for url in locs if not exists(url)][:5]
    html_pages = {p.relative_to(out).as_posix() for p in (out / "articles").glob("*.html")} - {"articles/index.html"}
    assert {url[len(base):] for url in locs if "/articles/" in url} - {"articles/index.html"} == html_pages
    data = json.loads((out / "data" / "digest.json").read_text(encoding="utf-8"))
    assert {a["page"] for a in data["articles"]} == html_pages
    with open(out / "data" / "mentions.csv", encoding="utf-8", newline="") as handle:
        mentions = list(csv.DictReader(handle))
    article_ids = {a["article_id"] for a in data["articles"]}
    assert all(m["article_id"] in article_ids for m in mentions)
