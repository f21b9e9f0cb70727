"""The whole per-article stage of a cold build (builder.build.analyse_all: parse, clean, analyse, the per-article
part of linking, cache writes) over SEEDS with an empty cache, on JOBS processes: CPU of this process and of
its workers, and wall time.

    .venv/bin/python bench/analyse_all_cpu.py SEEDS [--jobs N] [--profile FILE]

The settings and rules are this repository's (site/), as in bench/analysis_speed.py. With --jobs 1 and
--profile, the cProfile covers every stage (with workers it sees only the main process).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from builder.build import analyse_all  # noqa: E402
from builder.cli import _settings  # noqa: E402
from builder.read import list_seeds, read_seed_files  # noqa: E402


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("seeds", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--profile", type=Path, default=None, help="save a cProfile of the run here")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="analyse-all-cache-") as cache:
        settings = _settings(REPO, options.seeds, Path(cache) / "output", Path(cache), None, False, options.jobs)
        sources, _unreadable = read_seed_files(list_seeds(options.seeds)[0])
        profiler = None
        if options.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        main_before, workers_before = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
        begun = time.perf_counter()
        articles, _problems = analyse_all(sources, settings)
        wall = time.perf_counter() - begun
        main_cpu = _cpu(resource.RUSAGE_SELF) - main_before
        workers_cpu = _cpu(resource.RUSAGE_CHILDREN) - workers_before
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(options.profile)
    print(f"{len(sources)} files, {len(articles)} articles, -j{options.jobs}: wall {wall:.2f} s, "
          f"CPU {main_cpu + workers_cpu:.2f} s (main {main_cpu:.2f} + workers {workers_cpu:.2f})")


if __name__ == "__main__":
    main()
