"""Full-text search: a Pagefind index of the built site, and the search page.

`index_site(folder)` runs the Pagefind binary (PyPI `pagefind-bin`) over a
built site folder; `build()` passes it to `write_site(..., finish_staging=index_site)`
so the index is made in the staging folder and swapped in with the pages.
It writes `pagefind/` (the index fragments, the Pagefind UI and its WebAssembly).

Determinism: the one exception to byte-identical rebuilds. Pagefind 1.5 names
its files by content hash. Measured (tests/browser/test_search_index.py, and
`bench/search_bytes.py --determinism`): the pages' fragments, the word index,
the UI files and the WebAssembly come out identical run after run, but as soon as
pages carry data-pagefind-filter attributes, the filter files, the meta file and
the entry file naming them vary between runs over the same pages (Pagefind writes
filter values in hash-map order): `pagefind/pagefind-entry.json`,
`pagefind/pagefind.<lang>_<hash>.pf_meta` and `pagefind/filter/<lang>_<hash>.pf_filter`
(NON_DETERMINISTIC). Search results are the same either way. Without filters
(the news-2016 build before templates carried them) the whole bundle was identical.

`plan(renderer, site)` plans `search.html` and `static/search.js`. Served over
http(s) the page loads the Pagefind UI; opened from disk (file://, where the
browser refuses the index's requests) it says how to get full search and points
to the filter boxes of the list pages.

Filters and metadata come from data-pagefind-* attributes in the page templates:
`data-pagefind-body` on the main content of article, actor and event pages (only
those pages are indexed then), and hidden filter elements such as
`<span data-pagefind-filter="type" hidden>Article</span>` (see PAGE_ATTRIBUTES).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from builder.errors import BuildError
from builder.model import OutputPage, Site
from builder.render import PageRenderer

BUNDLE = "pagefind"
NON_DETERMINISTIC = (  # glob patterns, relative to the output folder
    "pagefind/pagefind-entry.json",
    "pagefind/pagefind.*.pf_meta",
    "pagefind/filter/*.pf_filter",
)
TIMEOUT_SECONDS = 600

# What article, actor and event templates add so that search can filter (documentation for
# the template owners, checked by tests/browser/test_search.py).
PAGE_ATTRIBUTES = {
    "body": '<article data-pagefind-body> … </article>  (article, actor and event pages only)',
    "type": '<span data-pagefind-filter="type" hidden>Article|Actor|Event</span>',
    "source": '<span data-pagefind-filter="source" hidden>{{ article.source }}</span>',
    "actor": '<span data-pagefind-filter="actor" hidden>{{ actor.name }}</span>  (one per actor mentioned)',
    "date": '<span data-pagefind-filter="date" hidden>{{ value.strftime("%Y-%m") }}</span>'
            ' and data-pagefind-sort="date:{{ value.date().isoformat() }}" on the <article>',
}

SEARCH_JS = """\
// Loads the Pagefind search UI when the site is served over http(s).
// Opened from disk (file://) the page keeps its explanation: browsers refuse the index's requests there.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box || (location.protocol !== "http:" && location.protocol !== "https:")) {
    return;
  }
  var bundle = new URL(box.getAttribute("data-bundle"), location.href).href;
  var siteRoot = new URL(box.getAttribute("data-root"), location.href).pathname;
  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = bundle + "pagefind-ui.css";
  document.head.appendChild(style);
  var script = document.createElement("script");
  script.src = bundle + "pagefind-ui.js";
  script.onload = function () {
    var offline = document.getElementById("search-offline");
    if (offline) {
      offline.hidden = true;
    }
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: bundle,
      baseUrl: siteRoot,
      showSubResults: true,
      showImages: false,
      autofocus: true
    });
    var input = box.querySelector("input[type=text], input[type=search]");
    if (input) {
      input.setAttribute("aria-label", box.getAttribute("data-label"));
    }
    var query = new URLSearchParams(location.search).get("q");
    if (query) {
      ui.triggerSearch(query);
    }
  };
  document.head.appendChild(script);
})();
"""


def pagefind_executable() -> Path:
    try:
        from pagefind_bin import get_executable
    except ImportError:  # pragma: no cover - declared dependency
        raise BuildError("search index: the pagefind-bin package is not installed") from None
    return get_executable()


def index_site(folder: Path) -> None:
    """Index the built site in `folder` with Pagefind, writing `folder/pagefind/`."""
    command = [
        str(pagefind_executable()),
        "--site", str(folder),
        "--output-subdir", BUNDLE,
        "--keep-index-url",  # results link to .../index.html: every link names a file
        "--silent",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"search index: could not run Pagefind on {folder}: {exc}") from None
    if result.returncode != 0:
        details = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise BuildError(f"search index: Pagefind failed on {folder}: " + " / ".join(details))


def plan(renderer: PageRenderer, site: Site) -> list[OutputPage]:
    return [
        renderer.page("search.html", "search.html", page_title="Search"),
        OutputPage("static/search.js", SEARCH_JS.encode("utf-8")),
    ]
