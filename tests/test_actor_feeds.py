"""An actor seen in only one article has no Atom feed, and its page links to none (the graph pages' rule)."""

from __future__ import annotations

from builder.model import Actor, EntityType
from builder.pages import feeds, graphs
from builder.render import render_site
from tests.test_feeds import make_renderer, make_site


def site_with_a_one_article_actor():
    site = make_site()
    site.actors.append(Actor("person:tom-lee", "Tom Lee", EntityType.PERSON, "tom-lee",
                             mentions=[("bridge.md", 0), ("bridge.md", 1)]))  # two mentions, one article
    return site


def test_only_actors_seen_in_two_articles_have_a_feed_and_a_graph_page(tmp_path):
    site = site_with_a_one_article_actor()
    renderer = make_renderer(tmp_path, site)
    feed_paths = {page.path for page in feeds.plan(renderer, site)}
    graph_paths = {page.path for page in graphs.plan(renderer, site)}
    assert "actors/ana-ruiz.xml" in feed_paths and "graphs/ana-ruiz.html" in graph_paths
    assert "actors/tom-lee.xml" not in feed_paths and "graphs/tom-lee.html" not in graph_paths


def test_the_page_of_an_actor_without_a_feed_does_not_link_to_one(tmp_path):
    pages = {page.path: page.content.decode() for page in render_site(site_with_a_one_article_actor(),
                                                                      make_renderer(tmp_path, make_site()).settings)}
    assert 'type="application/atom+xml"' in pages["actors/ana-ruiz.html"]
    assert "ana-ruiz.xml" in pages["actors/ana-ruiz.html"]
    assert "tom-lee.xml" not in pages["actors/tom-lee.html"]
    assert "actors/tom-lee.xml" not in pages
