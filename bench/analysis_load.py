"""The fixed cost of an edit's read and analysis stages: listing and hashing the seeds, then loading every
article's analysis from the cache (builder.build.analyse_all), with one or more source trees, alternated.

    .venv/bin/python bench/analysis_load.py --project /tmp/NAME-p10k --tree /work/main --tree /tmp/w-NAME \\
        [--rounds 3]

Each run is a fresh `python` with the tree on PYTHONPATH that does what `build()` does before linking (the
seeds listed and hashed, `unread_sources`, `analyse_all`) on the project, and prints the CPU seconds of each
part (time.process_time) and the peak RSS. The project is not written to but for what these stages write
into its cache (the seed hashes, the analysis pack of a tree that keeps one: written only when it has fallen
behind, so a project built with that tree is not changed). Build the project with each tree first (a tree
whose analysis code differs would analyse everything here).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
from pathlib import Path

PYTHON = "/work/main/.venv/bin/python"
RUN = """
import json, resource, sys, time
from pathlib import Path
start = time.process_time()
from builder.build import analyse_all
from builder.cache import SeedHashes
from builder.cli import _settings
from builder.gc_policy import BuildCollections
from builder.read import list_seeds, unread_sources
imported = time.process_time()
project = Path(sys.argv[1])
settings = _settings(project, None, None, None, None, False, None)
found, problems = list_seeds(settings.paths.seeds)
hashes = SeedHashes(settings.paths.cache).hashes(found)
sources, unreadable = unread_sources(found, hashes)
listed = time.process_time()
with BuildCollections() as collector:  # (as build() runs it: what is loaded is frozen, not walked again)
    articles, problems = analyse_all(sources, settings, settled=collector.settle)
    analysed = time.process_time()
print(json.dumps({"imports": imported - start, "read": listed - imported, "analyse": analysed - listed,
                  "articles": len(articles), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(tree: Path, project: Path) -> dict:
    done = subprocess.run([PYTHON, "-c", RUN, str(project)], cwd=tree, capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(tree)})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--tree", type=Path, action="append", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    figures: dict[Path, list[dict]] = {tree: [] for tree in args.tree}
    for round_number in range(args.rounds):
        for tree in args.tree:
            result = run(tree, args.project)
            figures[tree].append(result)
            load = os.getloadavg()[0]
            print(f"round {round_number + 1} {tree}: " + "  ".join(
                f"{name} {value:.2f}" for name, value in result.items()) + f"  (load {load:.1f})", flush=True)
    for tree, results in figures.items():
        print(f"median {tree}: " + "  ".join(
            f"{name} {statistics.median(result[name] for result in results):.2f}"
            for name in ("imports", "read", "analyse", "peak_mb")))


if __name__ == "__main__":
    main()
