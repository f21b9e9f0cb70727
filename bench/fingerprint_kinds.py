"""Every object's fingerprint of a linked site, by kind, with the page keys of two source trees, alternated.

What an edit's `PageKeys.start` works out (builder.page_keys.Fingerprints: articles, actors, what is shown of
each actor and event, events, articles' casts), timed in one process (thread CPU, best of --repeat), each
tree's builder/page_keys.py loaded beside the other, on the same site:

    .venv/bin/python bench/render_profile.py --project /tmp/p10k --save /tmp/site10k.pickle   # once
    .venv/bin/python bench/fingerprint_kinds.py /tmp/site10k.pickle --tree /work/main --tree /tmp/w-render-edit

The analysis key is stood in for by a hash of the content hash and the file (the same for both trees); the
rest of the builder (the casts of builder.pages.graphs among it) is the last tree's for both.
Then checks that a copy of the site (equal objects, made anew) gets the same fingerprints with the last tree.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import pickle
import sys
import time
from pathlib import Path

KINDS = {"a": "articles", "A": "actors", "s": "actors shown", "E": "events", "t": "events shown",
         "c": "casts (with the actors shown they read)"}


def load_page_keys(tree: Path, number: int):
    name = f"page_keys_{number}"
    spec = importlib.util.spec_from_file_location(name, tree / "builder" / "page_keys.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def references(site) -> dict[str, list[str]]:
    files = [article.source_file for article in site.articles]
    return {"a": [f"a:{f}" for f in files], "A": [f"A:{a.key}" for a in site.actors],
            "s": [f"s:{a.key}" for a in site.actors], "E": [f"E:{e.key}" for e in site.events],
            "t": [f"t:{e.key}" for e in site.events], "c": [f"c:{f}" for f in files]}


def analysis_key(content_hash: str, suffix: str) -> str:
    return hashlib.sha256(f"salt\0{content_hash}\0{suffix}".encode()).hexdigest()


def seconds(module, site, refs: list[str], kind: str) -> float:
    fingerprints = module.Fingerprints(site, analysis_key, {})
    if kind == "c":
        fingerprints.article_actors()  # (the graph pages work it out too: not counted)
    begun = time.thread_time()
    for reference in refs:
        fingerprints.of(reference)
    return time.thread_time() - begun


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, help="a linked site pickled by bench/render_profile.py --save")
    parser.add_argument("--tree", type=Path, action="append", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    sys.setrecursionlimit(100000)
    sys.path.insert(0, str(options.tree[-1]))  # (builder.model and the rest: the last tree's)
    modules = [load_page_keys(tree, number) for number, tree in enumerate(options.tree)]
    with open(options.site, "rb") as handle:
        site = pickle.load(handle)
    refs = references(site)
    totals = [0.0] * len(modules)
    for kind, label in KINDS.items():
        best = [float("inf")] * len(modules)
        for _ in range(options.repeat):
            for number, module in enumerate(modules):
                best[number] = min(best[number], seconds(module, site, refs[kind], kind))
        totals = [total + found for total, found in zip(totals, best, strict=True)]
        print(f"{label:42s} " + "  ".join(f"{found * 1000:7.1f} ms" for found in best), flush=True)
    print(f"{'all':42s} " + "  ".join(f"{total * 1000:7.1f} ms" for total in totals))
    copy = pickle.loads(pickle.dumps(site, protocol=5))
    last = modules[-1]
    every = [reference for kind in refs.values() for reference in kind]
    first, second = last.Fingerprints(site, analysis_key, {}), last.Fingerprints(copy, analysis_key, {})
    assert [first.of(r) for r in every] == [second.of(r) for r in every], "a copy of the site changed fingerprints"
    print("a copy of the site: the same fingerprints")


if __name__ == "__main__":
    main()
