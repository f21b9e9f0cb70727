"""Full-text search: a Pagefind index of the built site, and the search page.

`SearchIndex` runs the Pagefind binary (PyPI `pagefind-bin`) over the pages as
`write_site` writes them into the staging folder (`build()` passes its `page_written`
and `finish`), so the index is made beside the pages, in the background, and swapped
in with them; `index_site(folder)` does the same for a folder already written.
It writes `pagefind/` (the index fragments, the Pagefind UI and its WebAssembly).

Memory: Pagefind holds every page it indexes, words and all, until it writes the index. Measured
on the 10k synthetic site (bench/search_index.py, /usr/bin/time): one run over the whole site
peaked at 4.1 GB; about 280 KB per article page (its full text), 85 KB per event page, 63 KB per
actor page, and even a page it skips (no data-pagefind-body) costs some 40 KB. The per-article
`actor` filter (tens of thousands of values) added only ~175 MB but was half of the bytes a reader
fetched per query at 10k (a 600 KB filter file), and a list of tens of thousands of names is no
usable filter; it is gone. So the marked pages are indexed in shards (see `SearchIndex`) of at most
SHARD_BUDGET index units, one Pagefind run at a time, merged in the browser.
What a run costs depends on the words it indexes, not on how they are fed to it (1,900 article pages
of the 10k site, /usr/bin/time: 470 MB as built, 505 MB cut down to their marked body, 478 MB without
the sentences' ids; 1,900 one-line pages 32 MB; MALLOC_ARENA_MAX=2 495 MB; 950 pages 261 MB, 1,000
273 MB): only fewer pages per run make it smaller, and then each first query fetches more (at 10k,
budget 1,000: 16 runs of at most 290 MB, 911 / 1,331 / 1,314 KB per first query instead of 688 / 962 /
917 KB, and bench/search_bytes.py's queries found 193 / 70 / 117 results instead of 191 / 65 / 116).

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
`data-pagefind-body` on the main content of article and event pages and of the first page of
actors mentioned in more than one article (only those pages are indexed then: an actor of one
article is found through that article's text, and 3 in 4 actors of news-2016 are such), and
hidden filter elements such as
`<span data-pagefind-filter="type" hidden>Article</span>` (see PAGE_ATTRIBUTES).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from builder.errors import BuildError
from builder.model import OutputPage, Site
from builder.render import PageRenderer

BUNDLE = "pagefind"
NON_DETERMINISTIC = (  # glob patterns, relative to the output folder
    "pagefind/pagefind-entry.json",
    "pagefind/pagefind.*.pf_meta",
    "pagefind/filter/*.pf_filter",
    "pagefind/shard-*/pagefind-entry.json",
    "pagefind/shard-*/pagefind.*.pf_meta",
    "pagefind/shard-*/filter/*.pf_filter",
)
TIMEOUT_SECONDS = 600  # for each Pagefind run
BODY_MARK = b"data-pagefind-body"
SHARD_LIST = "shards.json"  # in the bundle: the merged shards' folders, relative to it ([] for one index)
# Index units of a page, by its top folder (others count 1), from the memory measured per page kind
# (module docstring). One Pagefind run indexes at most SHARD_BUDGET units: 1,900 article pages are
# about 530 MB (measured shards of the 10k site: 457-526 MB).
PAGE_WEIGHTS = {"articles": 1.0, "actors": 0.25, "events": 0.33}
SHARD_BUDGET = 1900
# Files of a shard's bundle that the search page never loads (the first bundle's UI reads the shards).
UI_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
            "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")

# What article, actor and event templates add so that search can filter (documentation for
# the template owners, checked by tests/browser/test_search.py).
PAGE_ATTRIBUTES = {
    "body": '<article data-pagefind-body> … </article>  (article and event pages, page 1 of actors of 2+ articles)',
    "type": '<span data-pagefind-filter="type" hidden>Article|Actor|Event</span>',
    "source": '<span data-pagefind-filter="source" hidden>{{ article.source }}</span>',
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
  function start(shards) {
    var offline = document.getElementById("search-offline");
    if (offline) {
      offline.hidden = true;
    }
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: bundle,
      baseUrl: siteRoot,
      mergeIndex: shards.map(function (shard) { return { bundlePath: bundle + shard }; }),
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
  }
  script.onload = function () {
    // A large site's index comes in shards (shards.json lists them), merged here.
    fetch(bundle + "shards.json")
      .then(function (response) { return response.ok ? response.json() : []; })
      .catch(function () { return []; })
      .then(function (shards) { start(Array.isArray(shards) ? shards : []); });
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
    """Index the built site in `folder` with Pagefind, writing `folder/pagefind/` (see `SearchIndex`).

    A site no page of which marks its body is indexed by one run over the whole folder, every page in
    full (Pagefind's own rule)."""
    index = SearchIndex()
    try:
        for path in sorted(folder.rglob("*.html")):
            try:
                content = path.read_bytes()
            except OSError:
                continue
            index.page_written(folder, path.relative_to(folder).as_posix(), content)
        index.finish(folder)
    finally:
        index.close()


def page_weight(relative: str) -> float:
    return PAGE_WEIGHTS.get(relative.split("/", 1)[0], 1.0)


def is_indexed(relative: str, content: bytes) -> bool:
    return relative.endswith(".html") and not relative.startswith(BUNDLE + "/") and BODY_MARK in content


class ShardPlanner:
    """Groups the pages to index, in the order they come, into runs of at most `budget` index units
    (a page over the budget alone makes a shard of its own)."""

    def __init__(self, budget: float = 0.0) -> None:
        self.budget = budget or SHARD_BUDGET
        self.group: list[str] = []
        self.filled = 0.0

    def add(self, relative: str, content: bytes) -> list[str] | None:
        """Take one written page; return the shard it completes, if it does (the page starts the next)."""
        if not is_indexed(relative, content):
            return None
        weight = page_weight(relative)
        full = None
        if self.group and self.filled + weight > self.budget:
            full, self.group, self.filled = self.group, [], 0.0
        self.group.append(relative)
        self.filled += weight
        return full

    def rest(self) -> list[str] | None:
        rest, self.group, self.filled = self.group or None, [], 0.0
        return rest


def shards(folder: Path, budget: float = 0.0) -> list[list[str]]:
    """The shards `index_site` makes of `folder`: its pages with data-pagefind-body, in path order (a
    shard is a run of neighbouring pages, articles with articles), each of at most `budget` units; []
    when no page marks its body."""
    planner = ShardPlanner(budget)
    groups = [group for path in sorted(folder.rglob("*.html"))
              if (group := planner.add(path.relative_to(folder).as_posix(), path.read_bytes()))]
    rest = planner.rest()
    return [*groups, rest] if rest else groups


class SearchIndex:
    """Pagefind over the pages as the writer writes them (`page_written`), finished by `finish(folder)`.

    The pages that mark their body (data-pagefind-body) are indexed in shards of at most SHARD_BUDGET
    index units, each over a folder of hard links to its pages (so Pagefind never even parses the pages
    it would skip). A shard is indexed in the background as soon as its pages are written, while the
    builder makes the next ones: the index takes the second core instead of a stage of its own. One
    Pagefind runs at a time (each holds its shard's words in memory). The first shard's bundle is
    `pagefind/`, the others `pagefind/shard-<n>/`; `pagefind/shards.json` lists those for the search
    page, which merges them in the browser (Pagefind's mergeIndex)."""

    def __init__(self, budget: float = 0.0) -> None:
        self.planner = ShardPlanner(budget)
        self.started = 0  # shards handed to Pagefind so far
        self.work: Path | None = None
        self.running: tuple[subprocess.Popen, Path, Path, int] | None = None  # process, pages, output, number

    def page_written(self, folder: Path, relative: str, content: bytes) -> None:
        full = self.planner.add(relative, content)
        if full:
            self._start(folder, full)

    def finish(self, folder: Path) -> None:
        rest = self.planner.rest()
        if rest:
            self._start(folder, rest)
        self._wait()
        if not self.started:
            run_pagefind(folder, ["--site", str(folder), "--output-subdir", BUNDLE])
            write_shard_list(folder, [])
            return
        names = []
        for number in range(1, self.started):
            names.append(f"shard-{number}/")
            shutil.move(str(self.work / f"out-{number}"), str(folder / BUNDLE / f"shard-{number}"))
        write_shard_list(folder, names)

    def close(self) -> None:
        """Stop a Pagefind still running (the build failed) and remove the shards' working folder."""
        if self.running is not None:
            self.running[0].kill()
            self.running[0].wait()
            self.running = None
        if self.work is not None:
            shutil.rmtree(self.work, ignore_errors=True)
            self.work = None

    def _start(self, folder: Path, pages: list[str]) -> None:
        self._wait()
        if self.work is None:
            self.work = Path(tempfile.mkdtemp(prefix=".search-shards-", dir=folder.parent))
        number = self.started
        site = self.work / f"site-{number}"
        for page in pages:
            link_or_copy(folder / page, site / page)
        output = folder / BUNDLE if number == 0 else self.work / f"out-{number}"
        self.running = (start_pagefind(folder, ["--site", str(site), "--output-path", str(output)]),
                        site, output, number)
        self.started += 1

    def _wait(self) -> None:
        if self.running is None:
            return
        process, site, output, number = self.running
        self.running = None
        finish_pagefind(process, site)
        shutil.rmtree(site)
        for name in UI_FILES if number else ():  # a merged shard is read by the first bundle's pagefind.js
            (output / name).unlink(missing_ok=True)


def link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def write_shard_list(folder: Path, names: list[str]) -> None:
    (folder / BUNDLE / SHARD_LIST).write_text(json.dumps(names) + "\n", encoding="utf-8")


def start_pagefind(folder: Path, where: list[str]) -> subprocess.Popen:
    command = [
        str(pagefind_executable()),
        *where,
        "--keep-index-url",  # results link to .../index.html: every link names a file
        "--silent",
    ]
    try:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except OSError as exc:
        raise BuildError(f"search index: could not run Pagefind on {folder}: {exc}") from None


def finish_pagefind(process: subprocess.Popen, folder: Path) -> None:
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise BuildError(f"search index: Pagefind took over {TIMEOUT_SECONDS} s on {folder}") from None
    if process.returncode != 0:
        details = (stderr or stdout).strip().splitlines()[-5:]
        raise BuildError(f"search index: Pagefind failed on {folder}: " + " / ".join(details))


def run_pagefind(folder: Path, where: list[str]) -> None:
    finish_pagefind(start_pagefind(folder, where), folder)


def plan(renderer: PageRenderer, site: Site) -> list[OutputPage]:
    return [
        renderer.page("search.html", "search.html", page_title="Search"),
        OutputPage("static/search.js", SEARCH_JS.encode("utf-8")),
    ]
