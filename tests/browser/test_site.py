"""The built site in a real browser: navigation from disk and under a sub-path, search, accessibility,
screenshots. Every wait is for an explicit condition, never a fixed sleep."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import TIMEOUT_MS

SERIOUS = {"serious", "critical"}


def first_page(site: Path, folder: str) -> str | None:
    pages = sorted(p for p in (site / folder).glob("*.html") if p.name != "index.html") if (site / folder).is_dir() \
        else []
    return f"{folder}/{pages[0].name}" if pages else None


def page_kinds(site: Path) -> dict[str, str]:
    """One page of each kind the site has (actor and event pages once they exist)."""
    candidates = {
        "home": "index.html",
        "articles": "articles/index.html",
        "article": first_page(site, "articles"),
        "sources": "sources/index.html",
        "source": first_page(site, "sources"),
        "actors": "actors/index.html",
        "actor": first_page(site, "actors"),
        "events": "events/index.html",
        "event": first_page(site, "events"),
        "graphs": "graphs/index.html",
        "search": "search.html",
    }
    return {kind: path for kind, path in candidates.items() if path and (site / path).is_file()}


def click_through(watched, start: str) -> list[str]:
    """Index → article → actor (from a mention) → event → back; returns the steps that could not run yet."""
    page = watched.page
    page.goto(start)
    article_link = page.locator("main a[href*='articles/']:not([href$='index.html'])").first
    article_link.wait_for()
    article_link.click()
    page.wait_for_url(re.compile(r"/articles/[^/]+\.html$"))
    page.locator("main h1").wait_for()
    pending = []
    mention = page.locator("main a[href*='actors/']:not([href$='index.html'])").first
    if mention.count() == 0:
        return ["article → actor (no actor links yet)", "actor → event", "event → back"]
    mention.click()
    page.wait_for_url(re.compile(r"/actors/[^/]+\.html$"))
    actor_url = page.url
    event = page.locator("main a[href*='events/']:not([href$='index.html'])").first
    if event.count() == 0:
        return ["actor → event (no event links on the actor page yet)", "event → back"]
    event.click()
    page.wait_for_url(re.compile(r"/events/[^/]+\.html$"))
    page.locator("main h1").wait_for()
    page.go_back()
    page.wait_for_url(actor_url)
    return pending


def test_navigation_from_disk(watched, built_site):
    pending = click_through(watched, (built_site / "index.html").as_uri())
    watched.assert_clean()
    assert not pending, "navigation steps that could not run: " + "; ".join(pending)


def test_navigation_served_under_a_sub_path(watched, static_server):
    pending = click_through(watched, static_server + "index.html")
    assert watched.page.url.startswith(static_server)
    watched.assert_clean()
    assert not pending, "navigation steps that could not run: " + "; ".join(pending)


def article_to_find(site: Path) -> tuple[str, str]:
    """A word of an article's title that the search must find, and that article's title."""
    data = json.loads((site / "data" / "digest.json").read_text(encoding="utf-8"))
    article = data["articles"][0]
    words = sorted(re.findall(r"[A-Za-z]{5,}", article["title"]), key=len, reverse=True)
    return words[0], article["title"]


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    # preload off: axe would re-fetch the stylesheets with XHR, which file:// refuses (its errors, not ours)
    results = Axe().run(page, options={"resultTypes": ["violations"], "preload": False})
    return [f"{v['id']} {v['impact']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in SERIOUS]


def test_search_served_finds_the_article(watched, built_site, static_server):
    word, title = article_to_find(built_site)
    page = watched.page
    page.goto(static_server + "search.html")
    box = page.locator(".pagefind-ui__search-input")
    box.wait_for()
    assert page.locator("#search-offline").is_hidden()
    box.fill(word)
    result = page.locator(".pagefind-ui__result-link", has_text=title)
    result.first.wait_for()
    for scheme in ("light", "dark"):  # the search UI with its results, in both themes
        page.emulate_media(color_scheme=scheme)
        assert not serious_violations(page), scheme
    href = result.first.get_attribute("href")
    assert href.startswith("/digest/articles/") and href.endswith(".html")
    result.first.click()
    page.wait_for_url(re.compile(r"/digest/articles/[^/]+\.html$"))
    assert page.locator("main h1").inner_text().strip() == title
    watched.assert_clean()


def test_search_from_disk_explains_how_to_get_it(watched, built_site):
    page = watched.page
    page.goto((built_site / "search.html").as_uri())
    message = page.locator("#search-offline")
    message.wait_for()
    text = message.inner_text()
    assert "build-site serve" in text and "GitHub Pages" in text
    filters = message.locator("a[href$='articles/index.html']")
    assert filters.count() == 1
    filters.click()
    page.wait_for_url(re.compile(r"articles/index\.html$"))
    watched.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_kind_accessible_without_errors_with_screenshots(browser, built_site, artifacts, scheme):
    problems = []
    context = browser.new_context(color_scheme=scheme)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error on {page.url}: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error on {page.url}: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    try:
        for kind, path in page_kinds(built_site).items():
            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto((built_site / path).as_uri())
            page.locator("main").wait_for()
            problems += [f"{kind} ({path}, {scheme}): {problem}" for problem in serious_violations(page)]
            page.screenshot(path=str(artifacts / f"{kind}-desktop-{scheme}.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(artifacts / f"{kind}-phone-{scheme}.png"), full_page=True)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
