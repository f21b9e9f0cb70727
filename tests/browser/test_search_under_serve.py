"""`serve` in Chromium: an edit reloads the open tabs at once while search still answers from the previous
index; once the index caught up, the open search page reloads by itself (keeping its query) and finds the
edit, and the other tabs stay as they are."""

from __future__ import annotations

import re

from conftest import copy_project
from test_serve import WAIT

from tests.test_serve_search import start

WORD = "Quokkaville"


def errors_of(page, into: list[str]) -> None:
    page.on("console", lambda m: m.type == "error" and into.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: into.append(f"page error: {e}"))
    page.on("response", lambda r: r.status >= 400 and into.append(f"HTTP {r.status}: {r.url}"))


def results_for(page) -> int:
    message = page.locator(".pagefind-ui__message").filter(has_text=re.compile("result"))
    message.wait_for()
    return int(re.match(r"(\d+|No) result", message.inner_text()).group(1).replace("No", "0"))


def test_search_answers_from_the_previous_index_until_the_catch_up_then_finds_the_edit(browser, tmp_path):
    project, gate = copy_project(tmp_path / "project"), tmp_path / "gate"
    server = start(project, gate)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT * 1000)
    errors: list[str] = []
    try:
        reading, searching = context.new_page(), context.new_page()
        errors_of(reading, errors)
        errors_of(searching, errors)
        reading.goto(server.url + "index.html")
        searching.goto(server.url + "search.html")
        searching.locator(".pagefind-ui__search-input").wait_for()
        for page in (reading, searching):
            page.wait_for_function("() => window.LiveReload !== undefined")
            page.evaluate("window.__before_reload = true")

        seed = sorted((project / "seeds").glob("*.txt"))[0]
        lines = seed.read_text(encoding="utf-8").split("\n")
        lines[0] = f"{WORD} lighthouse keepers vote to strike"
        seed.write_text("\n".join(lines), encoding="utf-8")
        server.wait_for(r"pages written")

        # both tabs reload with the new site at once, while the index is still held back
        reading.wait_for_function("() => window.__before_reload === undefined"
                                  f" && document.body.innerText.includes('{WORD}')")
        searching.wait_for_function("() => window.__before_reload === undefined")
        server.wait_for(r"^Search index: updating in the background")
        box = searching.locator(".pagefind-ui__search-input")
        box.fill("Shoigu")
        assert results_for(searching) >= 1  # the previous index answers, whole
        box.fill(WORD)
        searching.locator(".pagefind-ui__message", has_text="No results").wait_for()  # not found yet
        reading.evaluate("window.__kept = true")
        searching.evaluate("window.__kept = true")

        gate.touch()
        server.wait_for(r"^Search index updated")
        # the search page reloads by itself with its query, and finds the edited article
        searching.wait_for_function("() => window.__kept === undefined")
        searching.wait_for_url(re.compile(rf"search\.html\?q={WORD}$"))
        assert results_for(searching) >= 1  # the article, and the pages listing it by its title
        searching.locator(".pagefind-ui__result-link", has_text=f"{WORD} lighthouse keepers").first.wait_for()
        assert reading.evaluate("window.__kept") is True  # the other tab was not reloaded
        assert not errors, "\n".join(errors)
    finally:
        context.close()
        assert server.stop() == 0
