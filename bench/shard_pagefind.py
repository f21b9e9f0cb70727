"""One Pagefind run over the pages of one shard of a built site's search bundle: its peak RSS and CPU.

    PYTHONPATH=. .venv/bin/python bench/shard_pagefind.py OUTPUT SHARD [PAGES]

SHARD is a shard's folder in OUTPUT/pagefind ("shard-12"; "0" for the first bundle). The shard's pages (read
from the URLs of its fragments; the first PAGES of them in fragment order if given) are hard-linked into a
temporary folder and indexed by Pagefind with the builder's options under /usr/bin/time: what a rebuild's or a
`serve` catch-up's run over that shard holds in memory (bench/RESULTS-scale.md, session 18).
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from builder.search import PAGEFIND_OPTIONS, pagefind_executable
from builder.search_files import SIGNATURE


def main() -> None:
    output, shard = Path(sys.argv[1]), sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    bundle = output / "pagefind" / (shard if shard != "0" else "")
    pages = [json.loads(gzip.decompress(path.read_bytes())[len(SIGNATURE):])["url"].lstrip("/")
             for path in sorted((bundle / "fragment").glob("*.pf_fragment"))]
    pages = pages[:limit] if limit else pages
    with tempfile.TemporaryDirectory(prefix="shard-pagefind-") as work:
        site = Path(work) / "site"
        for page in pages:
            (site / page).parent.mkdir(parents=True, exist_ok=True)
            os.link(output / page, site / page)
        started = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M KB peak, %U s user, %S s system",
                               str(pagefind_executable()), "--site", str(site), "--output-path",
                               str(Path(work) / "out"), *PAGEFIND_OPTIONS], capture_output=True, text=True)
        wall = time.perf_counter() - started
    print(f"{shard}: {len(pages)} pages: {done.stderr.strip().splitlines()[-1]}, {wall:.1f} s wall")


if __name__ == "__main__":
    main()
