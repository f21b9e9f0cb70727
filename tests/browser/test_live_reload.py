"""Live preview: `serve()` on a temporary project; editing a seed reloads the open tab by itself."""

from __future__ import annotations

from conftest import copy_project
from test_serve import WAIT, Server


def test_editing_a_seed_reloads_the_open_tab(watched, tmp_path):
    project = copy_project(tmp_path)
    server = Server(project)
    try:
        page = watched.page
        page.goto(server.url + "index.html")
        page.locator("main").wait_for()
        page.wait_for_function("() => window.LiveReload !== undefined")  # the injected client is running
        page.evaluate("window.__before_reload = true")

        seed = sorted((project / "seeds").glob("*.txt"))[0]
        lines = seed.read_text(encoding="utf-8").split("\n")
        lines[0] = "Lighthouse keepers vote to strike over night shifts"
        seed.write_text("\n".join(lines), encoding="utf-8")

        page.wait_for_function(
            "() => window.__before_reload === undefined"
            " && document.body.innerText.includes('Lighthouse keepers vote to strike')",
            timeout=WAIT * 1000,
        )
        assert page.url.startswith(server.url)
        watched.assert_clean()
    finally:
        assert server.stop() == 0
