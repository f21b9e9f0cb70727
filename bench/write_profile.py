"""The writer alone on an edit-like rebuild: every page of a built site handed back unchanged.

An edit rebuild at 10k keeps ~58,000 pages: the writer hard-links each previous file into the staging
folder, swaps it with the output and deletes the old tree.  This times `write_site` on exactly that, apart
from rendering, keys and the search index.  The built site is never touched: a hard-linked copy of it
(`cp -al`) is made under --workdir and written over.

    .venv/bin/python bench/write_profile.py /tmp/bench/project-10000/output
    .venv/bin/python bench/write_profile.py /tmp/bench/project-10000/output --profile 15
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from builder.config import Paths
from builder.model import KeptPage
from builder.write import MARKER, write_site


def kept_pages(output: Path) -> list[KeptPage]:
    """Every page of `output` (not its search index) as a page whose inputs did not change."""
    pages = []
    for where, _, names in os.walk(output):
        for name in names:
            full = os.path.join(where, name)
            relative = os.path.relpath(full, output)
            if relative != MARKER and not relative.startswith("pagefind"):
                state = os.stat(full)
                pages.append(KeptPage(path=relative, state=(state.st_size, state.st_mtime_ns), search=""))
    return sorted(pages, key=lambda page: page.path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a built output folder (it is copied with hard links, not changed)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/write-profile"))
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions (cProfile)")
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    for name in ("seeds", "site", "templates"):
        (args.workdir / name).mkdir(parents=True)
    output = args.workdir / "output"
    subprocess.run(["cp", "-al", str(args.site.resolve()), str(output)], check=True)
    paths = Paths(seeds=args.workdir / "seeds", output=output, site=args.workdir / "site",
                  templates=args.workdir / "templates", cache=args.workdir / ".cache")
    pages = kept_pages(output)
    profiler = cProfile.Profile() if args.profile else None
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    report = write_site(pages, paths, page_written=lambda *_: None)
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{len(pages):,} kept pages written in {wall:.2f} s wall, {cpu:.2f} s CPU "
          f"({report.unchanged:,} unchanged, {report.deleted:,} files of the copy not handed back)")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
    shutil.rmtree(args.workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
