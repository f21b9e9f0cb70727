"""The writer alone on an edit-like rebuild: every page of a built site handed back, a few of them changed.

An edit rebuild at 10k keeps ~87,000 pages and writes a few dozen.  This times `write_site` on exactly that,
apart from rendering, keys and the search index, --rounds times in a row on the same copy (each round changes
--changed pages, evenly spread, to new bytes; the others go as KeptPage).  With builder.write's kept previous
generation the first round stages the site anew (no record yet) and the later ones patch the spare.  The
built site is never touched: a hard-linked copy of it (`cp -al`) is made under --workdir and written over.

    .venv/bin/python bench/write_profile.py /tmp/bench/project-10000/output --rounds 3 --changed 60
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
from builder.model import KeptPage, OutputPage
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


def changed_pages(output: Path, pages: list[KeptPage], count: int, round_number: int) -> list[KeptPage | OutputPage]:
    """`pages` with `count` of them (evenly spread) made anew: their bytes and a line naming the round."""
    step = max(1, len(pages) // count) if count else 0
    handed: list[KeptPage | OutputPage] = []
    for number, page in enumerate(pages):
        if step and number % step == 0 and number // step < count:
            content = (output / page.path).read_bytes() + f"\n<!-- round {round_number} -->\n".encode()
            handed.append(OutputPage(page.path, content))
        else:
            handed.append(page)
    return handed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a built output folder (it is copied with hard links, not changed)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/write-profile"))
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions (cProfile)")
    parser.add_argument("--rounds", type=int, default=1, help="writes in a row on the same copy")
    parser.add_argument("--changed", type=int, default=0, help="pages handed with new bytes in each round")
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    for name in ("seeds", "site", "templates"):
        (args.workdir / name).mkdir(parents=True)
    output = args.workdir / "output"
    subprocess.run(["cp", "-al", str(args.site.resolve()), str(output)], check=True)
    paths = Paths(seeds=args.workdir / "seeds", output=output, site=args.workdir / "site",
                  templates=args.workdir / "templates", cache=args.workdir / ".cache")
    pages = kept_pages(output)
    for round_number in range(1, args.rounds + 1):
        handed = changed_pages(output, pages, args.changed, round_number)
        profiler = cProfile.Profile() if args.profile else None
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        report = write_site(handed, paths, page_written=lambda *_: None)
        if profiler:
            profiler.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        how = "patched the previous generation" if getattr(report, "patched", False) else "staged anew"
        print(f"round {round_number}: {len(pages):,} pages written in {wall:.2f} s wall, {cpu:.2f} s CPU "
              f"({report.written:,} written, {report.unchanged:,} unchanged, {report.deleted:,} files of the copy "
              f"not handed back; {how})", flush=True)
        if profiler:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
        pages = kept_pages(output)
    shutil.rmtree(args.workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
