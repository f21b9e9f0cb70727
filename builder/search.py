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
Why more: Pagefind answers a word a shard lacks with the shard's longest indexed prefix of it (Pagefind
PR #315), so every shard without the word added pages matched by its first letters, and more shards added
more such pages (bench/search_matches.py lists what each result was matched by). Fixed below.

Searching the shards as one index: the search page finds what one Pagefind index over the whole site would
find. Pagefind 1.5 has no option for it: the fallback to the longest prefix (`find_word_extensions` in its
WebAssembly) is unconditional, `exactDiacritics` and `ranking` do not touch it, a quoted search matches whole
words only (no prefixes while typing) and `mergeIndex` searches each index on its own. So after the shards,
`SearchIndex._index_words` makes a small **words index** (`pagefind/words/`): one page per shard holding every word of
that shard's pages (`shard_words`, read from the fragments Pagefind wrote), filtered by the shard's number.
Searched for a query, it finds exactly the shards that hold an extension of every query word, and for a
word the site lacks, those holding the longest prefix of it that the site holds: Pagefind's own stemming
and fallback, applied to the site's words as one index would. The search page's Pagefind
(`pagefind/exact/pagefind.js`, SEARCH_MODULE, a stand-in for Pagefind's module that the Pagefind UI loads)
searches the words index first, merges the shards it found that are not merged yet (each with a synthetic
filter naming it), searches with the user's filters and "only these shards", and hides both filters from
the UI; the filters it shows before a query are FILTER_COUNTS' (each shard's counts, `filter_counts`), so a
shard none of the page's queries may find pages in is never fetched. A result
therefore always holds the query's words (news-2016 sharded and in one index give the same results).
Costs, measured (bench/RESULTS-scale.md, session 6): one more Pagefind run over the shards' words after the
last shard (made again when some shard's set of words changes, linked from the previous site when none
does: since session 15 the words index is keyed by the shards' words, not by their pages); its chunk for each
query word (~35 KB at news-2016) on every first query; no change to the shards, their runs or their reuse.
Rejected: a hidden page of the whole site's words in every shard (every shard would change with any new
word, so an edit would index every shard again; each run would hold the site's vocabulary on top of its
pages; and the page would still need a filter the UI cannot set); dropping results in the browser by their
highlighted words (needs every result's fragment: hundreds of requests for `lethargic` at 10k).

Determinism: Pagefind 1.5 names its files by content hash, and writes the pages' fragments, the word
index, the UI files and the WebAssembly identically run after run; but it writes filter values, filter
names and languages in hash-map order, so the filter files, the meta file and the entry file naming them
varied between runs over the same pages. builder.search_files rewrites those in a canonical order after
each run: the whole bundle is then the same, byte for byte (tests/browser/test_search_index.py,
`bench/search_bytes.py --determinism`).

Rebuilds: a shard whose pages are the same, path for path and byte for byte as far as Pagefind reads them
(`searchable_bytes`: a page less the plain inside of its data-pagefind-ignore elements), as one of the
previous site's is not indexed again but linked from there (`SearchIndex`), and shards are cut where the
pages say (`ShardPlanner`), so that an edited, added or removed page changes one shard, not all those after
it. An edited article changes the coverage and evidence lists of its events' pages, which are ignored: at
10k that alone made the shard of 6,421 actor and event pages run again (8.9 s CPU) for an identical bundle.
What the planner takes of a page (`page_entry`: the digest of its path and searchable bytes) is recorded
with the page keys, so a page kept from the previous site (builder.page_keys) is never read again; and each shard's
words, each with the number of the shard's fragments holding it (`shard_word_counts`), and their digest
are kept in the cache folder (WORDS_CACHE) under the shard's key. An edit's changed shard gets its counts
from its previous version's (`updated_word_counts`: only the fragments that differ are decoded, 2 of ~1,600
at 10k), and the words index is linked from the previous site when every shard's words digest is the same
(`words_index_key`): an edit whose words its shard already held runs Pagefind once, not twice.

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

import functools
import gzip
import hashlib
import html
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from importlib import metadata
from itertools import chain
from pathlib import Path

from builder.errors import BuildError
from builder.model import KeptPage, OutputPage, Site
from builder.render import PageRenderer
from builder.search_files import SIGNATURE, UnknownFormat, canonicalise, language_of, read_chunk
from builder.write import RETIRED, KeptRun

BUNDLE = "pagefind"
TIMEOUT_SECONDS = 600  # for each Pagefind run
# --keep-index-url: results link to .../index.html, so every link names a file
PAGEFIND_OPTIONS = ("--keep-index-url", "--silent")
BODY_MARK = b"data-pagefind-body"
# What a page's search entry leaves out (`searchable_bytes`): the inside of elements marked IGNORE_MARK made of
# PLAIN_TAGS only (text, links, lists, lesser headings: what Pagefind takes nothing of there), none with a
# data-pagefind-* attribute (PAGEFIND_MARK). <h1> (the title Pagefind takes), <img>, <script>, <style>, <svg>,
# comments and any other tag keep the inside as it is.
IGNORE_MARK = b"data-pagefind-ignore"
PAGEFIND_MARK = b"data-pagefind"
PLAIN_TAGS = frozenset(b"a abbr b blockquote br cite dd div dl dt em footer h2 h3 h4 h5 h6 i li ol p q section "
                       b"small span strong time ul".split())
IGNORED_NAMES = (b"section", b"div", b"ul", b"ol", b"dl", b"footer", b"blockquote")
# Only elements that no content closes before their end tag (not <p>, <li>, <dd>…, which HTML closes early).
# (the mark as an attribute of its own, not words in another attribute's quoted value)
ATTRIBUTE = rb"""\s+[^\s"'=<>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
IGNORED_ELEMENT = re.compile(
    rb"<(" + b"|".join(IGNORED_NAMES) + rb")(?:" + ATTRIBUTE + rb")*?\s+data-pagefind-ignore"
    rb"""(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?(?:""" + ATTRIBUTE + rb")*\s*>", re.I)
# The start and end tags of an element of each of those names (group 1: the end tag's slash).
SAME_NAME = {name: re.compile(rb"<(/?)" + name + rb"(?=[\s/>])", re.I) for name in IGNORED_NAMES}
# A "<" that does not start a tag of PLAIN_TAGS (another tag, a comment, a doctype).
NOT_PLAIN = re.compile(rb"<(?!/?(?:" + b"|".join(sorted(PLAIN_TAGS)) + rb")(?=[\s/>]))", re.I)
SHARD_LIST = "shards.json"  # in the bundle: the merged shards' folders, relative to it ([] for one index)
# In the bundle of a sharded index: each shard's filter counts by language (`filter_counts`), so that the search
# page shows the filters without loading every shard (SEARCH_MODULE merges a shard when a query needs it).
FILTER_COUNTS = "filters.json"
# Index units of a page, by its top folder (others count 1). One Pagefind run indexes at most SHARD_BUDGET
# units. A page weighs its memory in a run against an article page's (PAGE_MEMORY_KB, measured on the 10k
# site: 950 article pages 275 MB, 7,123 actor pages 473 MB and 3,560 of them 242 MB, 2,994 event pages
# 262 MB), so that every shard's run holds about what one of 950 article pages holds (~275 MB): an edit
# changes an article page, and the run over its shard costs what the shard's pages hold (2.2-2.7 s CPU at
# 10k). Until session 18 an actor or event page weighed half that (0.125, 0.165): a shard of them held
# 5,700-7,600 pages, ~470 MB in Pagefind, and a `serve` catch-up that indexed one took the server's tree
# over 1 GB (bench/RESULTS-scale.md, session 18). The price is the reader's: each query word fetches an
# index chunk (~27 KB) from each shard searched (session 16).
PAGE_MEMORY_KB = {"articles": 290, "actors": 66, "events": 87}
PAGE_WEIGHTS = {"articles": 1.0, "actors": 0.25, "events": 0.33}
SHARD_BUDGET = 950
# A shard holds at least MIN_FILL of the budget (ShardPlanner): the window where the pages choose its end.
MIN_FILL = 0.8
# In each shard's bundle: what the shard was made of (`shard_key`), for the next build to reuse it.
SHARD_KEY = "shard.key"
# Bumped when what this module does to Pagefind's files changes: bundles made before are not reused.
BUNDLE_FORMAT = "1"
# In the bundle of a sharded index: the words index (`SearchIndex._index_words`: one page per shard and
# language, holding the words of that shard's pages), and the search module the search page loads (SEARCH_MODULE).
WORDS_DIR = "words"
SEARCH_MODULE_DIR = "exact/"
# In the cache folder: each shard's words (`shard_words`), by the shard's key, for the words index of the
# next build; WORDS_FORMAT is bumped when what shard_words returns changes.
WORDS_CACHE = "search-words"
WORDS_FORMAT = "2"
WORDS_CACHE_DAYS = 7
FRAGMENTS = " "  # in a language's word counts (`shard_word_counts`): its fragments (no word holds a space)
SHARD_FILTER = "pagefind-shard"  # given by the search module to each shard's pages: "0" (the first bundle), "1", …
WORDS_FILTER = "pagefind-words"  # of the words index's pages: the shard whose words a page holds
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
  script.onload = function () {
    var offline = document.getElementById("search-offline");
    if (offline) {
      offline.hidden = true;
    }
    var ui = new window.PagefindUI({
      element: "#search",
      // Pagefind's API over every shard of the index, each page found only by words it holds
      bundlePath: bundle + "exact/",
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

# The search page's Pagefind (the Pagefind UI loads it as its bundle's pagefind.js): Pagefind's own module API
# over every shard, the words index deciding which shards may answer a query (module docstring, "Searching
# the shards as one index").
SEARCH_MODULE = """\
// Pagefind's search API over an index made in shards (../shards.json lists them), as the Pagefind UI uses it.
// Pagefind answers a word an index lacks with the pages of the longest prefix of it that the index holds, and
// searches each merged shard on its own; so the words index (../words/: one page per shard, holding the words
// of its pages) is searched first, and only the shards whose words page it finds may answer: each result then
// holds the query's words (or, for a word no page holds, the longest prefix of it the site holds), as with
// one index over the whole site. A shard is merged (its files fetched) only once a query may find pages in it,
// and the filters shown before any query are the shards' counts in ../filters.json: a query fetches the index
// of the shards holding its words, not of every shard.
import * as pagefind from "../pagefind.js";

const bundle = new URL("../", import.meta.url).href;
const SHARD = "@SHARD@";
const WORDS = "@WORDS@";
let shards = null;  // a promise of the shards' folders, by id less one ("0" is ../ itself); [] for one index
const merging = new Map();  // shard id → the promise of its mergeIndex

function prepared() {
  if (shards === null) {
    shards = fetch(bundle + "shards.json")
      .then((response) => (response.ok ? response.json() : []))
      .catch(() => [])
      .then(async (names) => {
        if (!Array.isArray(names) || !names.length) {
          return [];
        }
        await pagefind.options({ mergeFilter: { [SHARD]: "0" } });
        await pagefind.mergeIndex(bundle + "@WORDS_DIR@/", { mergeFilter: { [SHARD]: "words" } });
        return names;
      });
  }
  return shards;
}

function idsOf(names) {
  return names.length ? ["0", ...names.map((_, number) => String(number + 1))] : [];
}

// Merges the shards `ids` not merged yet (in the order given), and waits until each is.
async function merge(ids) {
  const names = await prepared();
  for (const id of ids) {
    if (id !== "0" && !merging.has(id)) {
      merging.set(id, pagefind.mergeIndex(bundle + names[Number(id) - 1], { mergeFilter: { [SHARD]: id } }));
    }
  }
  await Promise.all(ids.map((id) => merging.get(id)));
}

function hidden(filters) {
  if (filters) {
    delete filters[SHARD];
    delete filters[WORDS];
  }
  return filters;
}

// Pagefind's choice of a shard's index for the page's language (its findIndex).
function languageIndex(languages, language) {
  const index = languages[language] || languages[language.split("-")[0]];
  if (index) {
    return index;
  }
  return Object.values(languages).sort((a, b) => b.page_count - a.page_count)[0] || null;
}

// What pagefind.filters() gives with every shard merged, from ../filters.json; null without it.
async function shardFilters(count) {
  let shardCounts = null;
  try {
    const response = await fetch(bundle + "@FILTER_COUNTS@");
    shardCounts = response.ok ? await response.json() : null;
  } catch (error) {
    return null;
  }
  if (!Array.isArray(shardCounts) || shardCounts.length !== count) {
    return null;
  }
  const language = ((typeof document !== "undefined" && document.querySelector("html")?.getAttribute("lang"))
    || "unknown").toLowerCase();
  const merged = {};
  for (const languages of shardCounts) {
    const index = languageIndex(languages, language);
    for (const [name, values] of Object.entries(index ? index.filters : {})) {
      const into = merged[name] || (merged[name] = {});
      for (const [value, pages] of Object.entries(values)) {
        into[value] = (into[value] || 0) + pages;
      }
    }
  }
  return merged;
}

export async function options(settings) {
  await prepared();
  return pagefind.options(settings);
}

export async function init() {
  await prepared();
  return pagefind.init();
}

export async function mergeIndex(path, settings) {
  await prepared();
  return pagefind.mergeIndex(path, settings);
}

export async function filters() {
  const ids = idsOf(await prepared());
  if (ids.length) {
    const counts = await shardFilters(ids.length);
    if (counts) {
      return counts;
    }
    await merge(ids);
  }
  return hidden(await pagefind.filters());
}

export async function preload(term, settings) {
  await prepared();
  return pagefind.preload(term, settings);
}

export async function search(term, settings = {}) {
  const ids = idsOf(await prepared());
  if (!ids.length) {
    return pagefind.search(term, settings);
  }
  let allowed = ids;  // (a search by filters alone, term null, may find pages in every shard)
  if (term !== null && term !== undefined) {
    // A quoted search finds whole words only: the shards holding them are among those the words index finds
    // for the same words unquoted.
    const words = String(term).replace(/"/g, " ").trim();
    const found = words ? await pagefind.search(words, { filters: { [WORDS]: { any: ids } } }) : null;
    const shardsFound = (found && found.filters && found.filters[WORDS]) || {};
    allowed = ids.filter((id) => shardsFound[id] > 0);
  }
  await merge(allowed);
  const chosen = { ...(settings.filters || {}), [SHARD]: { any: allowed.length ? allowed : ["none"] } };
  const response = await pagefind.search(term, { ...settings, filters: chosen });
  if (response) {
    hidden(response.filters);
    hidden(response.totalFilters);
  }
  return response;
}

let latest = 0;

export async function debouncedSearch(term, settings, timeout = 300) {
  const mine = ++latest;
  await new Promise((resolve) => setTimeout(resolve, timeout));
  return mine === latest ? search(term, settings) : null;
}

export async function destroy() {
  shards = null;
  merging.clear();
  return pagefind.destroy();
}
""".replace("@SHARD@", SHARD_FILTER).replace("@WORDS@", WORDS_FILTER).replace("@WORDS_DIR@", WORDS_DIR).replace(
    "@FILTER_COUNTS@", FILTER_COUNTS)


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


class Cancelled(BuildError):
    """The index was cancelled (`SearchIndex.cancel`): a newer site replaces the one it was for."""


def page_entry(relative: str, content: bytes) -> bytes | None:
    """What the index takes of a page: the digest of its path and its `searchable_bytes` (SHA-256), None for a
    page it does not index.  Recorded with the page keys (hex; "" for None), so that a kept page is never read
    again."""
    if not is_indexed(relative, content):
        return None
    data = relative.encode("utf-8")
    searchable = searchable_bytes(content)
    return hashlib.sha256(b"%d %d\n%s" % (len(data), len(searchable), data) + searchable).digest()


def searchable_bytes(content: bytes) -> bytes:
    """`content` without what Pagefind cannot read of it: the inside of each element marked
    data-pagefind-ignore, when that inside is plain markup (`is_plain_markup`).

    Pagefind indexes nothing of an ignored element's text, and records none of its ids as anchors (the
    coverage and evidence lists of event pages, the article lists of actor pages: what an edited article
    changes in them). What it might still take from inside one (data-pagefind-* marks, the first <h1> as the
    title, the first <img>, a script, a comment) is never removed: an inside holding any of those is kept.
    So two pages with the same searchable bytes give Pagefind the same index (tests/test_search_key.py runs
    Pagefind on both), and an edit that changes an actor's or event's page only there indexes no shard."""
    if IGNORE_MARK not in content:
        return content
    kept, position = [], 0
    for start in IGNORED_ELEMENT.finditer(content):
        if start.start() < position:
            continue  # (inside an element already removed)
        end = matching_end(content, start.end(), start.group(1).lower())
        if end is None:
            continue
        kept.append(content[position:start.end()])
        position = end
    kept.append(content[position:])
    return b"".join(kept)


def matching_end(content: bytes, inside: int, name: bytes) -> int | None:
    """Where the end tag of the element `name` whose inside begins at `inside` starts, if that inside is plain
    markup (`is_plain_markup`); None otherwise."""
    depth = 0
    for tag in SAME_NAME[name].finditer(content, inside):
        if not tag.group(1):
            depth += 1
        elif depth:
            depth -= 1
        else:
            return tag.start() if is_plain_markup(content[inside:tag.start()]) else None
    return None


def is_plain_markup(inside: bytes) -> bool:
    """Whether Pagefind reads nothing of `inside`, an ignored element's: every "<" in it starts a tag of
    PLAIN_TAGS, and no data-pagefind-* attribute is there."""
    return PAGEFIND_MARK not in inside and NOT_PLAIN.search(inside) is None


def search_entry(relative: str, content: bytes | None, search: str | None) -> str:
    """A written page's entry as the page keys record it: `page_entry` in hex of its bytes, or (`content` None)
    the entry already recorded for it (`search`); "" for a page not indexed."""
    if content is None:
        return search or ""
    entry = page_entry(relative, content)
    return entry.hex() if entry is not None else ""


@dataclass
class Shard:
    pages: list[str]  # relative paths, in the order written
    digest: str  # of the pages' entries (`page_entry`: path and searchable bytes), in that order (hex)


class ShardPlanner:
    """Groups the pages to index, in the order they come, into shards of at most `budget` index units
    (a page over the budget alone makes a shard of its own).

    Where a shard ends depends on the pages around the cut, not on how many came before (content-defined
    chunking): once the next page would overflow the budget, the shard ends at the page whose path hashes
    lowest among those past MIN_FILL of it, and the pages after that one start the next shard. An edited,
    added or removed page thus changes the shard it falls in, and every other shard keeps exactly its
    pages (so a rebuild reuses their index, `SearchIndex`), unless the change moves the cut's window
    across its lowest page (12,000 article pages at the real budget, each 5th added or removed: 1 of
    4,800 changes reached a second shard). Filling each shard to the budget instead shifted every shard
    after an added page. The price: shards hold ~90 % of the budget on average (the 10k site: 9 shards
    instead of 8 at the budget of 1,900 before session 16)."""

    def __init__(self, budget: float = 0.0) -> None:
        self.budget = budget or SHARD_BUDGET
        self.group: list[tuple[str, float, bytes]] = []  # path, weight, digest of the path and the bytes
        self.filled = 0.0

    def add(self, relative: str, content: bytes) -> list[Shard]:
        """Take one written page; return the shards that are complete now that it came."""
        return self.add_entry(relative, page_entry(relative, content))

    def add_entry(self, relative: str, entry: bytes | None) -> list[Shard]:
        """`add` for a page whose `page_entry` is known."""
        if entry is None:
            return []
        weight = page_weight(relative)
        done = []
        while self.group and self.filled + weight > self.budget:
            done.append(self._cut())
        self.group.append((relative, weight, entry))
        self.filled += weight
        return done

    def add_entries(self, relatives: list[str], entries: list[str]) -> list[Shard]:
        """`add_entry` for each page of a run, its entry in hex ("" for a page not indexed, `search_entry`): the
        same shards, one call (a run of kept pages, builder.write)."""
        done: list[Shard] = []
        budget, group, filled = self.budget, self.group, self.filled
        weights = PAGE_WEIGHTS
        for relative, entry in zip(relatives, entries, strict=True):
            if not entry:
                continue
            weight = weights.get(relative.split("/", 1)[0], 1.0)  # (`page_weight`)
            if group and filled + weight > budget:
                self.filled = filled
                while self.group and self.filled + weight > budget:
                    done.append(self._cut())
                group, filled = self.group, self.filled
            group.append((relative, weight, bytes.fromhex(entry)))
            filled += weight
        self.filled = filled
        return done

    def rest(self) -> Shard | None:
        if not self.group:
            return None
        shard, self.group, self.filled = make_shard(self.group), [], 0.0
        return shard

    def _cut(self) -> Shard:
        filled, lowest, end = 0.0, b"", len(self.group)
        for index, (relative, weight, _) in enumerate(self.group):
            filled += weight
            if filled >= MIN_FILL * self.budget:
                rank = hashlib.sha256(relative.encode("utf-8")).digest()  # not hash(): the same every run
                if not lowest or rank < lowest:
                    lowest, end = rank, index + 1
        shard, self.group = make_shard(self.group[:end]), self.group[end:]
        self.filled = sum(weight for _, weight, _ in self.group)
        return shard


def make_shard(group: list[tuple[str, float, bytes]]) -> Shard:
    return Shard([relative for relative, _, _ in group],
                 hashlib.sha256(b"".join(digest for _, _, digest in group)).hexdigest())


def shards(folder: Path, budget: float = 0.0) -> list[list[str]]:
    """The shards `index_site` makes of `folder`: its pages with data-pagefind-body, in path order (a
    shard is a run of neighbouring pages, articles with articles), each of at most `budget` units; []
    when no page marks its body."""
    planner = ShardPlanner(budget)
    groups = [shard.pages for path in sorted(folder.rglob("*.html"))
              for shard in planner.add(path.relative_to(folder).as_posix(), path.read_bytes())]
    rest = planner.rest()
    return [*groups, rest.pages] if rest else groups


class SearchIndex:
    """Pagefind over the pages as the writer writes them (`page_written`), finished by `finish(folder)`.

    The pages that mark their body (data-pagefind-body) are indexed in shards of at most SHARD_BUDGET
    index units (`ShardPlanner`), each over a folder of hard links to its pages (so Pagefind never even
    parses the pages it would skip). A shard is indexed in the background as soon as its pages are
    written, while the builder makes the next ones: the index takes the second core instead of a stage
    of its own. One Pagefind runs at a time (each holds its shard's words in memory), one after the other in
    a thread of their own (`_runner`): a shard whose pages are written while the previous one is still being
    indexed waits its turn there, and the builder goes on making pages (it used to wait for the running
    Pagefind before it could start the next: at 10,000 articles Pagefind takes longer over a shard of article
    pages than the builder takes to make them, and the builder stood idle ~1 s of every 3). The first shard's
    bundle is `pagefind/`, the others `pagefind/shard-<n>/`; `pagefind/shards.json` lists those for the
    search page, which merges them in the browser (Pagefind's mergeIndex).

    Reuse: each shard's bundle records what it was made of (SHARD_KEY: `shard_key`, a digest of its pages'
    paths and searchable bytes). A shard whose key is that of a shard of the `previous` site (the output folder the
    new site will replace) is not indexed again: its files are hard-linked from there. Pagefind's output
    is a function of those pages alone once canonical (builder.search_files), so a reused shard is byte
    for byte the shard a cold build makes. `runs` and `reused` count the shards of each kind.

    Told ahead (`foresee`, an edit: builder.render.iter_site_pages tells the article pages before the export and
    the other kinds are made), the shards those pages complete start at once, before the writer writes them:
    the edited article's shard is indexed beside the rest of the build instead of holding its end.

    `finish` then makes the words index of a sharded site (`_index_words`; `words` says whether it was
    indexed or reused) and writes the search page's Pagefind module (SEARCH_MODULE)."""

    def __init__(self, budget: float = 0.0, previous: Path | None = None, cache: Path | None = None) -> None:
        self.planner = ShardPlanner(budget)
        self.previous = previous
        self.cache = cache  # a folder for each shard's words (WORDS_CACHE), or None
        self.entries: dict[str, str] = {}  # each page's search entry (page_written), for the page keys
        self.words_cached = 0  # shards whose words came from the cache folder (WORDS_CACHE)
        self.words_extracted = 0  # shards whose words were read from their fragments, every one
        self.words_derived = 0  # shards whose words were updated from their previous version's (`updated_word_counts`)
        self._counts: dict[str, dict[str, dict[str, int]]] = {}  # shard key → `shard_word_counts`, once worked out
        self._shard_keys: set[str] = set()  # of this site's shards (`_index_words`)
        self._pruned = False
        self.previous_shards: dict[str, Path] | None = None  # key → folder of the previous site's bundle
        self.spare: dict[str, Path] | None = None  # key → a bundle of an older site set aside in the staging folder
        self.taken = 0  # bundles taken whole from there (of `reused`, and the words index)
        self.started = 0  # shards made so far (indexed or reused)
        self.runs = 0  # Pagefind runs
        self.reused = 0  # shards linked from the previous site
        self.words = ""  # the words index: "indexed" (one more Pagefind run), "reused", "" (none: one shard)
        self.work: Path | None = None
        self.running: tuple[subprocess.Popen, Path, Path, int, str] | None = None  # process, pages, output, number, key
        # The shards waiting for Pagefind, in order (pages, output, number, key, folder), and the thread that runs
        # them one at a time (`_runner`); the first error it met, raised in the builder's thread by `_wait`.
        self._queued: list[tuple[Path, Path, int, str, Path]] = []
        self._turn = threading.Condition()
        self._runner_thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._stopping = False
        self.indexed: list[tuple[Path, str]] = []  # (bundle, key) of each shard indexed so far, in order
        # `cancel` may come from another thread: it and the start of each Pagefind run take turns
        self._cancel_lock = threading.Lock()
        self._cancelled = False
        self._process: subprocess.Popen | None = None  # the Pagefind started last
        # The pages told ahead (`foresee`) that the writer has not handed over yet, in order, and those of them
        # that are indexed by where a shard started before the writer wrote them finds their bytes: None for a
        # kept page (the previous site's file, which the writer links), else the bytes made.
        self._foreseen: deque[str] = deque()
        self._ahead: dict[str, bytes | None] = {}

    def page_written(self, folder: Path, relative: str, content: bytes | None, search: str | None = None) -> None:
        """Take a page written into `folder`: its bytes, or (None and) its search entry as recorded with its
        page key (`page_entry` in hex, "" for a page not indexed). Each page's entry is kept in `entries`.
        A page told ahead (`foresee`) was planned then: only its turn is checked."""
        if self._foreseen and self._foreseen[0] == relative:
            self._foreseen.popleft()
            self._ahead.pop(relative, None)  # (written now: a shard started later links the written file)
            return
        entry = self.entries[relative] = search_entry(relative, content, search)
        if entry and self._foreseen:  # (it would be planned out of its order)
            raise BuildError(f"internal error: search index: {relative} was written before the pages told "
                             f"ahead (the next one: {self._foreseen[0]}); a bug in builder/render")
        for shard in self.planner.add_entry(relative, bytes.fromhex(entry) if entry else None):
            self._start(folder, shard)

    def foresee(self, folder: Path, pages: list[OutputPage | KeptPage | KeptRun]) -> None:
        """Plan `pages` now, the next pages the writer will hand over (`page_written`) into the staging folder
        `folder`, in that order, although none is written yet (builder.render.iter_site_pages: an edit's article
        pages, made or kept, before the export and the other kinds are made). A shard they complete starts at
        once, its Pagefind over the previous site's file of each kept page (the file the writer links into the
        new site) and the bytes of each made one: the edited article's shard is indexed beside the rest of the
        build, not after it. Only with a previous site (`previous`); a kept page whose search entry was not
        recorded ends what is planned ahead (its bytes would be read: the writer reads them in its turn). A run of
        kept pages (builder.write.KeptRun) is told page by page."""
        if self.previous is None or self._foreseen:
            return
        for page in chain.from_iterable(item.pages() if isinstance(item, KeptRun) else (item,) for item in pages):
            relative, content = page.path, page.content
            search = page.search if isinstance(page, KeptPage) else None
            if content is None and search is None:
                return
            entry = self.entries[relative] = search_entry(relative, content, search)
            self._foreseen.append(relative)
            if not entry:
                continue
            self._ahead[relative] = content
            for shard in self.planner.add_entry(relative, bytes.fromhex(entry)):
                self._start(folder, shard)

    def pages_kept(self, folder: Path, relatives: list[str], entries: list[str]) -> None:
        """`page_written(folder, relative, None, entry)` for each page of a run of kept pages, in one call: each
        one's search entry as recorded with its page key (`page_entry` in hex, "" for a page not indexed).
        Pages told ahead (`foresee`) are taken page by page, each checked in its turn."""
        if self._foreseen:
            for relative, entry in zip(relatives, entries, strict=True):
                self.page_written(folder, relative, None, entry)
            return
        self.entries.update(zip(relatives, entries, strict=True))
        for shard in self.planner.add_entries(relatives, entries):
            self._start(folder, shard)

    def finish(self, folder: Path) -> None:
        if self._foreseen:
            raise BuildError(f"internal error: search index: {self._foreseen[0]} was told ahead but never written")
        rest = self.planner.rest()
        if rest:
            self._start(folder, rest)
        self._remove_spares_left()
        self._read_words_while_waiting()
        self._wait()
        names = [f"shard-{number}/" for number in range(1, self.started)]
        if not self.started:
            self._run(folder, ["--site", str(folder), "--output-subdir", BUNDLE])
            self.runs += 1
            make_canonical(folder / BUNDLE)
        for number, name in enumerate(names, 1):
            shutil.move(str(self.work / f"out-{number}"), str(folder / BUNDLE / name))
        write_shard_list(folder, names)
        if names:
            write_filter_counts(folder, [folder / BUNDLE, *(folder / BUNDLE / name for name in names)])
            self._index_words(folder, names)
        module = folder / BUNDLE / SEARCH_MODULE_DIR / "pagefind.js"
        module.parent.mkdir(parents=True, exist_ok=True)
        module.write_text(SEARCH_MODULE, encoding="utf-8")

    def _remove_spares_left(self) -> None:
        """Remove the spare shard bundles (`spare_bundles`) that no shard of this site took, every shard being
        started now: what the writer would remove after `finish` (builder.write.RETIRED: an edit's re-indexed
        shard in its older version, ~0.2-0.3 s at 10k, mostly in the kernel), removed while the last shard's
        Pagefind may still run. The spare words index stays: `_index_words` may take it."""
        for key, bundle in list((self.spare or {}).items()):
            if bundle.name != f"spare-{WORDS_DIR}":
                del self.spare[key]
                shutil.rmtree(bundle, ignore_errors=True)

    def _read_words_while_waiting(self) -> None:
        """While the last shards wait for their Pagefind run, read the words of those indexed (`_word_counts`),
        which the words index reads after the last one (~5 s of CPU at 10,000 articles, on the core Pagefind
        leaves idle). Only in a build with no previous site to take a shard's words from, and only the shards
        whose words digest the cache folder lacks: what `_index_words` would read of them, read earlier."""
        if self.started < 2 or self.previous_bundles():
            return
        done = 0
        while True:
            with self._turn:
                while len(self.indexed) <= done and self._queued and self._failure is None:
                    self._turn.wait()
                if len(self.indexed) <= done:
                    return
                bundle, key = self.indexed[done]
            done += 1
            if self.cache is None or not (self.cache / WORDS_CACHE / f"{WORDS_FORMAT}-{key}.digest").is_file():
                self._word_counts(bundle, key)

    def _index_words(self, folder: Path, names: list[str]) -> None:
        """Write the words index (WORDS_DIR) of the shards in `folder`'s bundle: for each shard, one page
        holding every word of its pages (`shard_words`), filtered by the shard's id (WORDS_FILTER).

        The index is a function of those pages alone, so its key (`words_index_key`) is made of each shard's
        words digest (`_words_digest`, kept in the cache folder by shard key): an edit that changes a shard
        but brings no word into it and takes none out of it (an edit in words the shard already holds: 2 of
        5 benchmark edits at 10k, bench/RESULTS-scale.md, session 15) finds the previous site's words index
        under the same key and links it, with no Pagefind run; only an edit that changes some shard's set
        of words runs Pagefind over the words."""
        bundles = [folder / BUNDLE, *(folder / BUNDLE / name for name in names)]
        keys = [(bundle / SHARD_KEY).read_text(encoding="ascii").strip() for bundle in bundles]
        self._shard_keys = set(keys)
        key = words_index_key([self._words_digest(bundle, shard) for bundle, shard in zip(bundles, keys, strict=True)])
        output = folder / BUNDLE / WORDS_DIR
        previous = self.previous / BUNDLE / WORDS_DIR if self.previous is not None else None
        if self._take_spare(folder, key, output):
            self.words = "reused"
            return
        if previous is not None and bundle_key(previous) == key:
            link_bundle(previous, output)
            self.words = "reused"
            return
        if self.work is None:
            self.work = Path(tempfile.mkdtemp(prefix=".search-shards-", dir=folder.parent))
        site = self.work / "words"
        site.mkdir()
        for number, bundle in enumerate(bundles):
            for language, words in sorted(self._shard_words(bundle, keys[number]).items()):
                (site / f"{number}-{language}.html").write_text(words_page(number, language, words),
                                                                 encoding="utf-8")
        self._run(site, ["--site", str(site), "--output-path", str(output)])
        self.words = "indexed"
        shutil.rmtree(site)
        make_canonical(output)
        for name in UI_FILES:
            (output / name).unlink(missing_ok=True)
        (output / SHARD_KEY).write_text(key + "\n", encoding="ascii")

    def _shard_words(self, bundle: Path, key: str) -> dict[str, list[str]]:
        """The words of the shard `bundle` (made of `key`), by language, sorted (`shard_words`)."""
        return words_of(self._word_counts(bundle, key))

    def _words_digest(self, bundle: Path, key: str) -> str:
        """`words_digest` of the shard `bundle` (made of `key`): from the cache folder (WORDS_CACHE), else
        worked out from its word counts (`_word_counts`, which keeps it there)."""
        if key not in self._counts and self.cache is not None:
            try:
                digest = (self.cache / WORDS_CACHE / f"{WORDS_FORMAT}-{key}.digest").read_text(encoding="ascii")
                os.utime(self.cache / WORDS_CACHE / f"{WORDS_FORMAT}-{key}.json")  # (used: not removed)
                return digest.strip()
            except OSError:
                pass
        return words_digest(self._word_counts(bundle, key))

    def _word_counts(self, bundle: Path, key: str) -> dict[str, dict[str, int]]:
        """`shard_word_counts(bundle)` (made of `key`), kept in the cache folder (WORDS_CACHE) under the key,
        with its `words_digest`: an edit works out only the shard it changed, and that from the previous
        site's version of the shard (`updated_word_counts`: the fragments that differ read, not the others).
        A cache entry no build used for WORDS_CACHE_DAYS days is removed."""
        if key in self._counts:
            return self._counts[key]
        counts = self._cached_counts(key)
        if counts is not None:
            self.words_cached += 1
        else:
            counts = self._counts_from_previous(bundle)
            if counts is not None:
                self.words_derived += 1
            else:
                counts = shard_word_counts(bundle)
                self.words_extracted += 1
            self._save_counts(key, counts)
        self._counts[key] = counts
        return counts

    def _cached_counts(self, key: str) -> dict[str, dict[str, int]] | None:
        if self.cache is None:
            return None
        path = self.cache / WORDS_CACHE / f"{WORDS_FORMAT}-{key}.json"
        try:
            counts = json.loads(path.read_text(encoding="utf-8"))
            os.utime(path)  # (used: not removed)
            return counts
        except (OSError, ValueError):
            return None

    def _counts_from_previous(self, bundle: Path) -> dict[str, dict[str, int]] | None:
        """The word counts of `bundle` updated from a shard of the previous site that this site no longer
        has (the edited shard's previous version: the one sharing the most fragments with it) whose counts
        the cache holds; None if there is none, or too little is shared for that to pay."""
        if self.cache is None:
            return None
        fragments = fragment_names(bundle)
        best: tuple[int, Path, str] | None = None
        for key, previous in self.previous_bundles().items():
            if key in self._shard_keys or not (self.cache / WORDS_CACHE / f"{WORDS_FORMAT}-{key}.json").exists():
                continue
            shared = len(fragments & fragment_names(previous))
            if best is None or shared > best[0]:
                best = (shared, previous, key)
        if best is None or best[0] < len(fragments) // 2:
            return None
        base = self._cached_counts(best[2])
        return updated_word_counts(base, best[1], bundle) if base is not None else None

    def _save_counts(self, key: str, counts: dict[str, dict[str, int]]) -> None:
        if self.cache is None:
            return
        folder = self.cache / WORDS_CACHE
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{WORDS_FORMAT}-{key}"
        for suffix, text in ((".json", json.dumps(counts, ensure_ascii=False, separators=(",", ":"), sort_keys=True)),
                             (".digest", words_digest(counts) + "\n")):
            temporary = folder / f".{stem}{suffix}.{os.getpid()}.tmp"
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, folder / f"{stem}{suffix}")
        if not self._pruned:
            self._pruned = True
            limit = time.time() - WORDS_CACHE_DAYS * 86400
            for old in folder.glob("*.json"):
                try:
                    if old.stat().st_mtime < limit:
                        old.unlink()
                        old.with_suffix(".digest").unlink(missing_ok=True)
                except OSError:
                    continue

    def cancel(self) -> None:
        """Stop soon, from any thread: the running Pagefind is killed and no other starts; the thread
        running the index gets `Cancelled`, and its `close()` cleans up."""
        with self._cancel_lock:
            self._cancelled = True
            if self._process is not None and self._process.poll() is None:
                self._process.kill()

    def _launch(self, folder: Path, where: list[str]) -> subprocess.Popen:
        with self._cancel_lock:
            if self._cancelled:
                raise Cancelled("search index: cancelled")
            self._process = start_pagefind(folder, where)
            return self._process

    def _finish(self, process: subprocess.Popen, folder: Path) -> None:
        try:
            finish_pagefind(process, folder)
        except BuildError:
            if self._cancelled:  # (killed by cancel)
                raise Cancelled("search index: cancelled") from None
            raise

    def _run(self, folder: Path, where: list[str]) -> None:
        self._finish(self._launch(folder, where), folder)

    def close(self) -> None:
        """Stop a Pagefind still running (the build failed) and remove the shards' working folder."""
        with self._turn:
            self._stopping = True
            self._queued.clear()
            running = self.running
            if running is not None and running[0].poll() is None:
                running[0].kill()
            self._turn.notify_all()
        if self._runner_thread is not None:
            self._runner_thread.join()
            self._runner_thread = None
        if self.work is not None:
            shutil.rmtree(self.work, ignore_errors=True)
            self.work = None

    def _start(self, folder: Path, shard: Shard) -> None:
        if self.work is None:
            self.work = Path(tempfile.mkdtemp(prefix=".search-shards-", dir=folder.parent))
        number = self.started
        self.started += 1
        key = shard_key(shard.digest, first=number == 0)
        output = folder / BUNDLE if number == 0 else self.work / f"out-{number}"
        previous = self.previous_bundles().get(key)
        if self._take_spare(folder, key, output):
            self.reused += 1
            return
        if previous is not None:
            link_bundle(previous, output)
            self.reused += 1
            return
        self._raise_failure()
        site = self.work / f"site-{number}"
        ahead = self._ahead
        for page in shard.pages:
            if page not in ahead:  # (written)
                link_or_copy(folder / page, site / page)
            elif ahead[page] is None:  # (told ahead, kept: the writer links the previous site's file)
                link_or_copy(self.previous / page, site / page)
            else:  # (told ahead, made)
                (site / page).parent.mkdir(parents=True, exist_ok=True)
                (site / page).write_bytes(ahead[page])
        self.runs += 1
        with self._turn:
            self._queued.append((site, output, number, key, folder))
            self._turn.notify_all()
            if self._runner_thread is None:
                self._runner_thread = threading.Thread(target=self._runner, name="pagefind-shards", daemon=True)
                self._runner_thread.start()

    def _runner(self) -> None:
        """The shards' thread: each queued shard indexed in turn, until `close`; stops at the first error."""
        while True:
            with self._turn:
                while not self._queued and not self._stopping:
                    self._turn.wait()
                if self._stopping or self._failure is not None:
                    return
                site, output, number, key, folder = self._queued[0]
                try:
                    self.running = (self._launch(folder, ["--site", str(site), "--output-path", str(output)]),
                                    site, output, number, key)
                except BaseException as exc:
                    self._failure = exc
                    self._turn.notify_all()
                    return
            try:
                self._index_shard()
            except BaseException as exc:
                with self._turn:
                    self._failure = exc if not self._stopping else None
                    self.running = None
                    self._turn.notify_all()
                return
            with self._turn:
                if self._stopping:  # (`close` emptied the queue while this shard's run was ending)
                    return
                self._queued.pop(0)
                self._turn.notify_all()

    def _index_shard(self) -> None:
        """Wait for the running Pagefind and make its bundle canonical (in the shards' thread)."""
        process, site, output, number, key = self.running
        self._finish(process, site)
        shutil.rmtree(site)
        make_canonical(output)
        for name in UI_FILES if number else ():  # a merged shard is read by the first bundle's pagefind.js
            (output / name).unlink(missing_ok=True)
        (output / SHARD_KEY).write_text(key + "\n", encoding="ascii")
        with self._turn:
            self.running = None
            self.indexed.append((output, key))

    def _wait(self) -> None:
        """Until every queued shard is indexed; the shards' thread's error, if it met one, is raised here."""
        with self._turn:
            while self._queued and self._failure is None and self._runner_thread is not None:
                self._turn.wait()
        self._raise_failure()

    def _raise_failure(self) -> None:
        """The shards' thread's error (it stopped there: raised again at each later call)."""
        if self._failure is not None:
            raise self._failure

    def _take_spare(self, folder: Path, key: str, output: Path) -> bool:
        """Move the spare bundle made of `key` to `output` (one rename), if the staging folder has one."""
        spare = self.spare_bundles(folder).pop(key, None)
        if spare is None:
            return False
        os.rename(spare, output)
        self.taken += 1
        return True

    def spare_bundles(self, folder: Path) -> dict[str, Path]:
        """`spare_bundles(folder)`, read once."""
        if self.spare is None:
            self.spare = spare_bundles(folder)
        return self.spare

    def previous_bundles(self) -> dict[str, Path]:
        """The previous site's shard bundles, by key (read once; {} without a previous site)."""
        if self.previous_shards is None:
            self.previous_shards = {}
            bundle = self.previous / BUNDLE if self.previous is not None else None
            if bundle is not None and bundle.is_dir():
                for folder in [bundle, *sorted(bundle.glob("shard-*/"))]:
                    try:
                        key = (folder / SHARD_KEY).read_text(encoding="ascii").strip()
                    except (OSError, UnicodeDecodeError):
                        continue
                    self.previous_shards.setdefault(key, folder)
        return self.previous_shards


def spare_bundles(folder: Path) -> dict[str, Path]:
    """The bundles of the index the staging folder `folder` held when the writer patches an older site in it
    (builder.write.RETIRED: that index set aside), by key, each made a folder of its own ({} for a staging
    folder made anew). A bundle is a function of its key (SHARD_KEY), as one linked from the previous site
    is, and taking it whole is one rename instead of a link per file (3,000 per shard at 10k)."""
    found: dict[str, Path] = {}
    retired = folder / RETIRED
    root = retired / BUNDLE
    if not root.is_dir():
        return found
    for inner in [*sorted(root.glob("shard-*/")), root / WORDS_DIR]:
        if inner.is_dir():
            os.rename(inner, retired / f"spare-{inner.name}")
    shutil.rmtree(root / SEARCH_MODULE_DIR, ignore_errors=True)  # (made anew, as the shard list)
    for name in (SHARD_LIST, FILTER_COUNTS):
        (root / name).unlink(missing_ok=True)
    for bundle in [root, *sorted(retired.glob("spare-*/"))]:
        key = bundle_key(bundle)
        if key:
            found.setdefault(key, bundle)
    return found


def bundle_key(bundle: Path) -> str:
    """What `bundle` was made of (its SHARD_KEY), "" if it does not say."""
    try:
        return (bundle / SHARD_KEY).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def place_bundle(previous: Path, target: Path, spare: dict[str, Path]) -> None:
    """Put a copy of the whole search bundle `previous` at `target`: each of its bundles (the first, each
    shard's, the words index) that `spare` holds (`spare_bundles`, the same key: the same bytes) moved from
    there whole, the others hard-linked file by file; the shard list and the search module linked."""
    if not bundle_key(previous):  # (an index in one piece, or none: no parts to take)
        link_bundle_tree(previous, target)
        return
    inner = [*sorted(previous.glob("shard-*/")), previous / WORDS_DIR]
    for source, into in [(previous, target), *((folder, target / folder.name) for folder in inner)]:
        taken = spare.pop(bundle_key(source), None) if source.is_dir() else None
        if taken is not None:
            os.rename(taken, into)
        elif source.is_dir():
            link_bundle(source, into)
    for name in (SHARD_LIST, FILTER_COUNTS, SEARCH_MODULE_DIR):
        if (previous / name).exists():
            link_bundle_tree(previous / name, target / name)


def link_bundle_tree(source: Path, target: Path) -> None:
    """Hard-link the file or every file under `source` to the same place under `target`."""
    if source.is_file():
        link_or_copy(source, target)
        return
    for where, _, files in os.walk(source):
        for name in files:
            link_or_copy(Path(where, name), target / Path(where, name).relative_to(source))


def shard_words(bundle: Path) -> dict[str, list[str]]:
    """The words of a shard's pages as Pagefind indexed them, by language: every whitespace-separated token
    of each page's text and metadata in its fragment (`fragment_words`), sorted, once each. Pagefind reads
    a word alone the same way wherever it stands, so a page of these words is found by every word (stem
    and all) that finds a page of the shard."""
    return words_of(shard_word_counts(bundle))


def words_of(counts: dict[str, dict[str, int]]) -> dict[str, list[str]]:
    """The sorted words of each language of `shard_word_counts` (a language of fragments without words too)."""
    return {language: sorted(word for word in words if word != FRAGMENTS) for language, words in counts.items()}


def shard_word_counts(bundle: Path) -> dict[str, dict[str, int]]:
    """Each word of `shard_words(bundle)`, by language, with the number of the shard's fragments holding it
    (so that a fragment can be taken out again: `updated_word_counts`), and under FRAGMENTS the number of
    the language's fragments (a language stays while it has one, words or none)."""
    counts: dict[str, dict[str, int]] = {}
    for path in sorted((bundle / "fragment").glob("*.pf_fragment")):
        add_fragment(counts, path, 1)
    return counts


def updated_word_counts(counts: dict[str, dict[str, int]], previous: Path, bundle: Path) -> dict[str, dict[str, int]]:
    """`shard_word_counts(bundle)` from `counts`, those of the shard bundle `previous`: the fragments of
    `previous` that `bundle` does not have with the same bytes are taken out, and those of `bundle` that
    `previous` lacks are added; a fragment in both is not decoded (only compared, byte for byte: a name
    is a short hash, not a promise)."""
    counts = {language: dict(words) for language, words in counts.items()}
    before, after = fragment_names(previous), fragment_names(bundle)
    same = {name for name in before & after
            if (previous / "fragment" / name).read_bytes() == (bundle / "fragment" / name).read_bytes()}
    for name in sorted(before - same):
        add_fragment(counts, previous / "fragment" / name, -1)
    for name in sorted(after - same):
        add_fragment(counts, bundle / "fragment" / name, 1)
    return {language: words for language, words in counts.items() if words.get(FRAGMENTS)}


def fragment_names(bundle: Path) -> set[str]:
    try:
        return {name for name in os.listdir(bundle / "fragment") if name.endswith(".pf_fragment")}
    except OSError:
        return set()


def add_fragment(counts: dict[str, dict[str, int]], path: Path, step: int) -> None:
    """Count each word of the fragment at `path` once more (`step` 1) or once less (-1; a word no fragment
    holds any more is dropped)."""
    into = counts.setdefault(language_of(path.stem), {})
    for word in (FRAGMENTS, *fragment_words(path)):
        left = into.get(word, 0) + step
        if left:
            into[word] = left
        else:
            del into[word]


def fragment_words(path: Path) -> set[str]:
    """Every whitespace-separated token of a Pagefind fragment's text and metadata (gzip of b"pagefind_dcd"
    and JSON)."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise BuildError(f"search index: {path} is not a Pagefind fragment this builder knows")
    fragment = json.loads(data[len(SIGNATURE):])
    texts = [fragment.get("content", ""), *(value for value in fragment.get("meta", {}).values()
                                           if isinstance(value, str))]
    words: set[str] = set()
    for text in texts:
        words.update(text.split())
    return words


def words_digest(counts: dict[str, dict[str, int]]) -> str:
    """A digest of a shard's words by language (what its pages in the words index are made of)."""
    digest = hashlib.sha256()
    for language, words in sorted(words_of(counts).items()):
        digest.update(f"{len(language)} {language} {len(words)}\n".encode())
        digest.update("\n".join(words).encode("utf-8", "surrogatepass") + b"\n")
    return digest.hexdigest()


def words_index_key(digests: list[str]) -> str:
    """What the words index is a function of: each shard's words (`words_digest`) in shard order, the
    Pagefind version and options, and what this module does to Pagefind's files and writes as the pages."""
    return shard_key(f"words {WORDS_FORMAT} " + " ".join(digests), first=False)


def words_page(number: int, language: str, words: list[str]) -> str:
    return (f'<!doctype html><html lang="{html.escape(language)}"><head><meta charset="utf-8"><title>{number}'
            f'</title></head><body><main data-pagefind-body data-pagefind-filter="{WORDS_FILTER}:{number}">'
            f"<p>{html.escape(' '.join(words), quote=False)}</p></main></body></html>\n")


def make_canonical(bundle: Path) -> None:
    if not canonicalise(bundle):
        logging.getLogger(__name__).warning(
            "search index: this Pagefind's filter files are not in the format builder.search_files knows; "
            "the index works but may differ between two builds of the same site")


def shard_key(digest: str, first: bool) -> str:
    """What a shard's bundle is a function of: its pages (`digest`), whether it is the first bundle (which
    keeps the UI files), the Pagefind version and options, and what this module does to Pagefind's files."""
    role = "first" if first else "merged"
    return hashlib.sha256(f"{BUNDLE_FORMAT} {pagefind_version()} {PAGEFIND_OPTIONS} {role} {digest}".encode()
                          ).hexdigest()


@functools.cache
def pagefind_version() -> str:
    """The installed Pagefind's version, looked up once a process (a lookup in the installed packages' metadata
    takes ~2 ms, and a 10k site has ~20 shards: keys-units, session 19)."""
    try:
        return metadata.version("pagefind-bin")
    except metadata.PackageNotFoundError:  # pragma: no cover - declared dependency
        return "unknown"


def link_bundle(source: Path, target: Path) -> None:
    """Hard-link a previous shard's bundle files into `target` (the first bundle's without the other
    shards' folders, the shard list, the filter counts, the words index and the search module, which are
    made anew)."""
    for where, folders, files in os.walk(source):
        here = Path(where)
        if here == source:
            folders[:] = [name for name in folders
                          if not name.startswith("shard-") and name not in (WORDS_DIR, SEARCH_MODULE_DIR.rstrip("/"))]
            files = [name for name in files if name not in (SHARD_LIST, FILTER_COUNTS)]
        for name in files:
            link_or_copy(here / name, target / (here / name).relative_to(source))


def link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def write_shard_list(folder: Path, names: list[str]) -> None:
    (folder / BUNDLE / SHARD_LIST).write_text(json.dumps(names) + "\n", encoding="utf-8")


def write_filter_counts(folder: Path, bundles: list[Path]) -> None:
    """Write FILTER_COUNTS: `filter_counts` of each shard's bundle, in shard order (what Pagefind's
    `filters()` gives for every shard merged, which the search module works out from it)."""
    try:
        counts = [filter_counts(bundle) for bundle in bundles]
    except (OSError, ValueError, UnknownFormat):  # (a Pagefind format not known: the module merges every shard)
        return
    text = json.dumps(counts, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    (folder / BUNDLE / FILTER_COUNTS).write_text(text, encoding="utf-8")


def filter_counts(bundle: Path) -> dict[str, dict[str, object]]:
    """Each language of a shard's bundle (its entry file) with its number of pages and, for each filter, the
    number of pages holding each value (the page lists of its filter files): `{"en": {"page_count": 3,
    "filters": {"type": {"Article": 3}}}}`. Synthetic filters (a merged shard's) are not in the files."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    found: dict[str, dict[str, object]] = {}
    for language, index in entry.get("languages", {}).items():
        filters: dict[str, dict[str, int]] = {}
        for path in sorted((bundle / "filter").glob(f"{language}_*.pf_filter")):
            if language_of(path.stem) != language:
                continue
            name, values = read_chunk(path)
            into = filters.setdefault(name, {})
            for value, pages in values:
                into[value] = into.get(value, 0) + len(pages)
        found[language] = {"page_count": index.get("page_count", 0), "filters": filters}
    return found


def start_pagefind(folder: Path, where: list[str]) -> subprocess.Popen:
    command = [str(pagefind_executable()), *where, *PAGEFIND_OPTIONS]
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
