"""Hostile HTML input, built and opened in Chromium: no dialog opens, no request leaves the machine.

The static check in tests/test_hostile.py reads the output's markup; this one runs it, clicking
every link of the hostile articles' pages too, so a handler or URL that slipped through would fire.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import _build
from tests.test_hostile import HOSTILE_HTML, VECTORS_HTML

FRONT_MATTER = "---\ntitle: Hostile post\nsource: Example Wire\n---\n"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("hostile-browser")
    seeds = project / "seeds"
    seeds.mkdir()
    (seeds / "hostile.html").write_text(HOSTILE_HTML, encoding="utf-8")
    (seeds / "hostile.md").write_text(FRONT_MATTER + HOSTILE_HTML, encoding="utf-8")
    (seeds / "hostile-vectors.html").write_text(VECTORS_HTML, encoding="utf-8")
    (seeds / "hostile-vectors.md").write_text(FRONT_MATTER.replace("post", "vectors") + VECTORS_HTML, encoding="utf-8")
    _build(project, project / "output", project / "cache")
    return project / "output"


def test_hostile_articles_run_nothing_and_request_nothing_outside(browser, hostile_site):
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    outside: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("popup", lambda popup: outside.append(f"popup {popup.url}"))

    def watch(request) -> None:
        scheme = urlparse(request.url).scheme
        if scheme not in ("file", "about", "data") or (scheme == "data" and "image/svg" not in request.url):
            outside.append(request.url)

    page.on("request", watch)
    pages = sorted(hostile_site.glob("articles/hostile*.html"))
    assert len(pages) == 4, pages
    for path in [*pages, hostile_site / "index.html"]:
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        page.mouse.move(5, 5)
        for handle in page.locator("main p, main img, main svg, main details").element_handles():
            handle.dispatch_event("click")
            handle.dispatch_event("load")
        hrefs = [link.get_attribute("href") or "" for link in page.locator("main a").all()]
        assert not [h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:", "vbscript:"))], hrefs
        text = page.locator("main").inner_text().lower()
        assert "bridge" in text or "pier" in text
    context.close()
    assert dialogs == [], f"a script ran: {dialogs}"
    assert outside == [], f"requests or windows outside the site: {outside}"
