"""Memory and time of the search index (Pagefind) on an already built site, without touching it.

    .venv/bin/python bench/search_index.py SITE [--work DIR] [--budget UNITS] [--keep]

Links SITE's files (hard links; SITE itself is only read, its pagefind/ is left out) into WORK/site,
runs builder.search.index_site on that copy and prints the wall time, the number of Pagefind runs
(shards), the peak resident set size of the largest Pagefind process (getrusage of the children),
and the size of the bundle. With --keep the copy stays, to be served by
`bench/search_bytes.py --site WORK/site`. The copy's files ARE the site's files (hard links):
replace a file of the copy (write a new one, or sed -i), never write into one in place.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from builder import search  # noqa: E402


def link_tree(source: Path, target: Path) -> None:
    for root, folders, files in os.walk(source):
        relative = Path(root).relative_to(source)
        if relative == Path("."):
            folders[:] = [name for name in folders if name != search.BUNDLE]
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            try:
                os.link(Path(root) / name, target / relative / name)
            except OSError:
                shutil.copyfile(Path(root) / name, target / relative / name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/search-index-bench"))
    parser.add_argument("--budget", type=float, default=search.SHARD_BUDGET)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    site = args.work / "site"
    if args.work.exists():
        shutil.rmtree(args.work)
    link_tree(args.site.resolve(), site)
    search.SHARD_BUDGET = args.budget
    started = time.perf_counter()
    search.index_site(site)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    bundle = site / search.BUNDLE
    files = [p for p in bundle.rglob("*") if p.is_file()]
    shards = 1 + len(list(bundle.glob("shard-*")))
    print(f"{args.site}: index in {seconds:.1f} s, {shards} Pagefind run(s) of at most {args.budget:g} units, "
          f"largest Pagefind peak RSS {peak:,.0f} MB; bundle {len(files):,} files, "
          f"{sum(p.stat().st_size for p in files) / 1e6:,.1f} MB")
    if not args.keep:
        shutil.rmtree(args.work)


if __name__ == "__main__":
    main()
