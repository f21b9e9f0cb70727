"""What a built site's search finds for each query: how many results, and which words they were found by.

    .venv/bin/python bench/search_matches.py SITE [--query WORDS ...] [--words N]

Serves SITE (built, with its pagefind/ bundle and shards.json) on 127.0.0.1, runs each query in Debian's
Chromium through the search page's Pagefind module (pagefind/exact/pagefind.js: it merges the shards and
lets only those holding the query's words answer) or, for a site built before it or with --raw, through
Pagefind's own JS API with every shard merged (mergeIndex), and prints the number of results and the N
words most often highlighted in their excerpts (<mark>).

Why: Pagefind searches each merged index on its own, and an index in which a query word does not occur at
all answers with the pages of the longest prefix of that word it does hold (CloudCannon/pagefind#599: a
typo finds pages by its first letters). One index over the whole site only does so for a word the site
lacks; a shard lacks many words the site has, so a sharded site answers a word of a few pages with whole
shards' worth of pages found by its first letters ("lethargic" → "let"). Highlighted words that are
shorter prefixes of the query words show it.
"""

from __future__ import annotations

import argparse
import collections
import functools
import http.server
import json
import re
import threading
from pathlib import Path

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
QUERIES = ["powerball", "iran sailors", "istanbul bombing"]
SEARCH = """async ([module, shards, queries]) => {
  const pagefind = await import(module);
  await pagefind.options({baseUrl: '/'});
  for (const shard of shards) await pagefind.mergeIndex('/pagefind/' + shard);
  const found = {};
  for (const query of queries) {
    const search = await pagefind.search(query);
    const marked = [];
    for (const result of search.results) {
      const data = await result.data();
      marked.push((data.excerpt.match(/<mark>[^<]*<\\/mark>/g) || []).map(m => m.slice(6, -7)));
    }
    found[query] = marked;
  }
  return found;
}"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--query", nargs="+", default=QUERIES)
    parser.add_argument("--words", type=int, default=6)
    parser.add_argument("--raw", action="store_true",
                        help="merge the shards with Pagefind's own module even if the site has the search page's")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    shards = json.loads((args.site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    module = "/pagefind/pagefind.js"
    if not args.raw and (args.site / "pagefind" / "exact" / "pagefind.js").is_file():
        module, merged = "/pagefind/exact/pagefind.js", shards  # the search page's: it merges the shards itself
        shards = []
    else:
        merged = shards
    handler = functools.partial(QuietHandler, directory=str(args.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/search.html")
            found = page.evaluate(SEARCH, [module, shards, args.query])
            browser.close()
    finally:
        server.shutdown()
    print(f"{args.site}: {1 + len(merged)} index(es), searched with {module}")
    for query, marked in found.items():
        words = collections.Counter(word for marks in marked for word in {re.sub(r"\W", "", m.lower()) for m in marks})
        listed = ", ".join(f"{word} {count}" for word, count in words.most_common(args.words))
        print(f"{query!r:24} {len(marked):>5} results; highlighted: {listed}")


if __name__ == "__main__":
    main()
