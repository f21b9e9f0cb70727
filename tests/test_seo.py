"""Page metadata: canonical links, OpenGraph/Twitter, schema.org JSON-LD, robots; the excerpt helper."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_feeds import make_site

from builder import seo
from builder.config import Config
from builder.model import BlockKind
from builder.render import make_environment, relative_url

BASE = "https://me.example/digest/"


class HeadParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            self.meta[attrs.get("property") or attrs.get("name")] = attrs.get("content")
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def render_meta(page_path: str, config: Config, **subject) -> HeadParser:
    site = make_site()
    env = make_environment(Path("/nonexistent"))
    env.globals.update(seo.template_globals())
    html = env.get_template("_meta.html").render(
        site=site, config=config, page_path=page_path, url=lambda target: relative_url(page_path, target),
        **{key: value(site) for key, value in subject.items()},
    )
    parser = HeadParser()
    parser.feed(html)
    return parser


def first_article(site):
    return next(a for a in site.articles if a.slug == "bridge")


def test_article_head_with_base_url():
    head = render_meta("articles/bridge.html", Config(base_url=BASE), article=first_article)
    canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
    assert canonical == [BASE + "articles/bridge.html"]
    assert head.meta["og:url"] == BASE + "articles/bridge.html"
    assert head.meta["og:type"] == "article"
    assert head.meta["og:title"] == "Harbour bridge reopens <after> repairs & tests"
    assert head.meta["twitter:card"] == "summary"
    assert head.meta["description"].startswith("Ana Ruiz said")
    assert head.meta["article:published_time"] == "2024-03-04T09:30:00+00:00"
    assert "robots" not in head.meta
    feeds = [link["href"] for link in head.links if link.get("type") == "application/atom+xml"]
    assert feeds == ["../feed.xml"]


def test_article_json_ld_is_a_news_article_with_recommended_properties():
    head = render_meta("articles/bridge.html", Config(base_url=BASE), article=first_article)
    (data,) = [json.loads(script) for script in head.scripts]
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    for key in ("headline", "datePublished", "dateModified", "author", "publisher", "description", "url",
                "mainEntityOfPage"):
        assert data.get(key), key
    assert data["author"][0] == {"@type": "Organization", "name": "Daily Example"}
    assert data["isBasedOn"] == "https://news.example/bridge.md"
    assert {m["@type"] for m in data["mentions"]} == {"Person", "Organization", "Place"}
    assert data["mentions"][0]["url"].startswith(BASE + "actors/")


def test_without_base_url_no_canonical_and_no_absolute_urls():
    head = render_meta("articles/bridge.html", Config(), article=first_article)
    assert not [link for link in head.links if link.get("rel") == "canonical"]
    assert "og:url" not in head.meta
    data = json.loads(head.scripts[0])
    assert "url" not in data and "mainEntityOfPage" not in data


def test_noindex_writes_robots_meta():
    head = render_meta("index.html", Config(noindex=True))
    assert head.meta["robots"] == "noindex, nofollow"


@pytest.mark.parametrize(
    ("slug", "schema_type"),
    [("ana-ruiz", "Person"), ("city-council", "Organization"), ("harbour", "Place")],
)
def test_actor_json_ld_types(slug, schema_type):
    head = render_meta(f"actors/{slug}.html", Config(base_url=BASE),
                       actor=lambda site: next(a for a in site.actors if a.slug == slug))
    data = json.loads(head.scripts[0])
    assert data["@type"] == schema_type
    assert data["name"] and data["url"] == f"{BASE}actors/{slug}.html"
    feeds = [link["href"] for link in head.links if link.get("type") == "application/atom+xml"]
    assert f"{slug}.xml" in feeds


def test_person_aliases_and_description():
    data = seo.actor_ld(make_site().actors[0], Config())
    assert data["alternateName"] == ["Ruiz"]
    assert data["description"] == "Mayor of the city"


def test_event_json_ld_has_required_name_start_date_and_location():
    site = make_site()
    data = seo.event_ld(site.events[0], site, Config(base_url=BASE))
    assert data["@type"] == "Event"
    assert data["name"] == "Harbour bridge reopens"
    assert data["startDate"] == "2024-03-04"
    assert data["location"]["@type"] == "Place" and data["location"]["name"] == "Harbour"
    assert data["location"]["address"]
    assert [p["@type"] for p in data["performer"]] == ["Person", "Organization"]


def test_json_ld_cannot_close_its_script_element():
    site = make_site()
    article = first_article(site)
    article.title = "Evil </script><script>alert(1)</script>"
    meta = seo.page_meta(site, Config(), "articles/bridge.html", article=article)
    assert "</script" not in meta.json_ld.lower()
    assert json.loads(meta.json_ld)["headline"].startswith("Evil </script>")


def test_home_page_describes_the_website():
    head = render_meta("index.html", Config(base_url=BASE, description="Local news, linked."))
    data = json.loads(head.scripts[0])
    assert data["@type"] == "WebSite" and data["url"] == BASE
    assert head.meta["description"] == "Local news, linked."


def test_long_descriptions_are_cut_at_a_word():
    text = "word " * 100
    short = seo.shorten(text, 50)
    assert len(short) <= 50 and short.endswith("…") and not re.search(r"\s…$", short)


def test_published_blocks_respects_excerpts_only():
    article = first_article(make_site())
    assert seo.published_blocks(article, Config()) == [0, 1]
    assert seo.published_blocks(article, Config(excerpts_only=True)) == [0]
    article.blocks[0].kind = BlockKind.HEADING
    assert seo.published_blocks(article, Config(excerpts_only=True)) == [1]
