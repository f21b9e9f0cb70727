"""Render stage alone on a linked site: pages/s, seconds per page kind, peak memory, a per-page digest.

The linked Site comes from a pickle (made once with --save, so profiling the render stage
does not pay for reading, analysing and linking again) or from a project (seeds analysed
through the project's cache, then linked).  Nothing is written into the project.

    .venv/bin/python bench/render_profile.py --project /tmp/s3/p10k /tmp/s3/site10k.pickle
    .venv/bin/python bench/render_profile.py --project /tmp/renderwork/p1k --save /tmp/renderwork/site1k.pickle
    .venv/bin/python bench/render_profile.py ... --dump /tmp/renderwork/before.txt   # sha256 per page path
    .venv/bin/python bench/render_profile.py ... --write /tmp/renderwork/out        # also write the files
    .venv/bin/python bench/render_profile.py ... --profile 30                       # cProfile, 30 costliest
    .venv/bin/python bench/render_profile.py ... --as-built                          # as a cold build renders

--as-edited renders as an edit rebuild that changed nothing any page shows: a first pass (not counted) makes
every page with its key, then the counted pass renders with those keys as the previous build's, so every unit
is kept and what is left is the keys' cost and the pages that have no key (the exports are made in full:
there are no previous files to splice them from).

--as-built renders as a cold `build()` does: every page's input key computed (builder.page_keys, with no
previous keys, so every page is rendered) and the linked site frozen out of the garbage collector's walks
(gc.freeze); without it, no key is computed.

Seconds per kind: the CPU time spent inside each page module's `plan` generator (and, when the module
has one, its `planned_paths`); "other" is what iter_site_pages does itself (404, static files).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import hashlib
import pickle
import pstats
import shutil
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from builder.cli import _settings  # noqa: E402
from builder.model import Site  # noqa: E402
from builder.render import available_page_modules, iter_site_pages  # noqa: E402

SCRATCH = Path("/tmp/renderwork")


class PeakMemory:
    """Samples this process's resident memory (VmRSS) in a thread; keeps the highest seen."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak_mb = self.now_mb()
        self.doing = "other"  # what the render is doing (a page kind), set by the timed plans
        self.peak_while: dict[str, float] = defaultdict(float)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def now_mb() -> float:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            now = self.now_mb()
            self.peak_mb = max(self.peak_mb, now)
            self.peak_while[self.doing] = max(self.peak_while[self.doing], now)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self.now_mb())


def load_site(source: Path, settings) -> Site:
    if source.suffix == ".pickle":
        sys.setrecursionlimit(100000)  # a linked site pickles as a deep graph
        with open(source, "rb") as handle:
            return pickle.load(handle)
    from builder.build import analyse_all
    from builder.link import link_site
    from builder.link.curation import CURATION_NAME, load_curation
    from builder.read import list_seeds, read_seed_files

    found, _ = list_seeds(settings.paths.seeds)
    sources, _ = read_seed_files(found)
    articles, problems = analyse_all(sources, settings)
    curation = load_curation(settings.paths.site / CURATION_NAME)
    return link_site(articles, problems, settings.config, curation,
                     event_types=settings.paths.site / "event_types.toml")


MEMORY = PeakMemory()


def timed_plans(seconds: dict[str, float]) -> None:
    """Wrap each page module's plan (and planned_paths) so the time spent in it is added to seconds[kind]."""
    for kind, module in available_page_modules().items():
        plan = module.plan
        if getattr(plan, "__wrapped__", None) is None:
            module.plan = _timed_generator(plan, kind, seconds)
        planned = getattr(module, "planned_paths", None)
        if planned is not None and getattr(planned, "__wrapped__", None) is None:
            module.planned_paths = _timed_call(planned, kind, seconds)


def _timed_generator(function, kind: str, seconds: dict[str, float]):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        MEMORY.doing = kind
        begun = time.thread_time()
        pages = iter(function(*args, **kwargs))  # a list (eager module) or a generator (lazy one)
        seconds[kind] += time.thread_time() - begun
        MEMORY.doing = "other"
        while True:
            MEMORY.doing = kind
            begun = time.thread_time()
            try:
                page = next(pages)
            except StopIteration:
                seconds[kind] += time.thread_time() - begun
                MEMORY.doing = "other"
                return
            seconds[kind] += time.thread_time() - begun
            MEMORY.doing = "other"
            yield page

    return wrapper


def _timed_call(function, kind: str, seconds: dict[str, float]):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        MEMORY.doing = kind
        begun = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[kind] += time.thread_time() - begun
            MEMORY.doing = "other"

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, nargs="?", help="a pickled linked Site (.pickle); default: link the project")
    parser.add_argument("--project", type=Path, required=True, help="project whose settings (and seeds) to use")
    parser.add_argument("--save", type=Path, help="pickle the linked Site here (then render it)")
    parser.add_argument("--dump", type=Path, help="write 'sha256  path' for every page, sorted by path")
    parser.add_argument("--write", type=Path, help=f"also write the pages into this scratch folder under {SCRATCH}")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile the render; print N rows")
    parser.add_argument("--as-built", action="store_true",
                        help="as a cold build: compute every page's key, gc.freeze the linked site")
    parser.add_argument("--as-edited", action="store_true",
                        help="as an edit rebuild that changed nothing: every keyed page kept (see above)")
    args = parser.parse_args()

    settings = _settings(args.project, None, None, None, None, False, 1)
    begun = time.perf_counter()
    site = load_site(args.site or args.project, settings)
    print(f"site: {len(site.articles)} articles, {len(site.actors)} actors, {len(site.events)} events "
          f"(loaded in {time.perf_counter() - begun:.1f} s)")
    if args.save:
        sys.setrecursionlimit(100000)
        with open(args.save, "wb") as handle:
            pickle.dump(site, handle, protocol=5)
        print(f"saved {args.save}")
    if args.write:
        if not args.write.resolve().is_relative_to(SCRATCH):
            sys.exit(f"--write must be a folder under {SCRATCH}")
        shutil.rmtree(args.write, ignore_errors=True)
        args.write.mkdir(parents=True)

    seconds: dict[str, float] = defaultdict(float)
    timed_plans(seconds)
    digests: dict[str, str] = {}
    files_by_kind: Counter[str] = Counter()
    total_bytes = 0
    folders: set[Path] = set()
    profiler = cProfile.Profile() if args.profile else None
    keys = None
    if args.as_built:
        from builder.page_keys import PageKeys

        keys = PageKeys()
        gc.freeze()
    elif args.as_edited:
        from builder.page_keys import PageKeys

        gc.freeze()
        first = PageKeys()
        begun = time.perf_counter()
        for _ in iter_site_pages(site, settings, keys=first):
            pass
        print(f"first pass (every page made, keys learnt): {time.perf_counter() - begun:.1f} s wall")
        keys = PageKeys({unit: (key, tuple((path, 0, 0, None) for path in paths), *rest)
                         for unit, (key, paths, *rest) in first.current.items()},
                        objects=list(zip(first.objects, first.fingerprints_now, strict=True)))
        del first
        seconds.clear()
    rss_before = PeakMemory.now_mb()
    with MEMORY as memory:
        begun, cpu = time.perf_counter(), time.thread_time()
        if profiler:
            profiler.enable()
        for page in iter_site_pages(site, settings, keys=keys):
            total_bytes += len(page.content or b"")  # (a kept page has none)
            files_by_kind[page.path.split("/", 1)[0] if "/" in page.path else "(root)"] += 1
            if args.dump:
                digests[page.path] = hashlib.sha256(page.content).hexdigest()
            if args.write:
                target = args.write / page.path
                if target.parent not in folders:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    folders.add(target.parent)
                target.write_bytes(page.content)
        if profiler:
            profiler.disable()
        wall, cpu = time.perf_counter() - begun, time.thread_time() - cpu
    pages = sum(files_by_kind.values())
    if keys is not None:
        print(f"keys: {keys.kept} pages kept, {keys.rendered} keyed pages rendered, {keys.recalled} keys recalled")
    print(f"render{' + write' if args.write else ''}: {pages} files, {total_bytes / 1e6:.1f} MB "
          f"in {wall:.1f} s wall ({cpu:.1f} s CPU) = {pages / wall:.0f} pages/s wall, {pages / cpu:.0f} per CPU s")
    print(f"memory: {rss_before:.0f} MB before rendering, peak {memory.peak_mb:.0f} MB "
          f"(+{memory.peak_mb - rss_before:.0f} MB)")
    print("CPU seconds per page kind (this thread's; wall time depends on the neighbours), peak RSS while in it:")
    for kind, spent in sorted(seconds.items(), key=lambda kv: -kv[1]):
        print(f"  {kind:<15} {spent:7.1f} s  {memory.peak_while.get(kind, 0):6.0f} MB")
    print(f"  {'other':<15} {cpu - sum(seconds.values()):7.1f} s")
    print("files per top folder:", ", ".join(f"{k} {v}" for k, v in sorted(files_by_kind.items())))
    if args.dump:
        args.dump.write_text("".join(f"{digest}  {path}\n" for path, digest in sorted(digests.items())))
        print(f"wrote {len(digests)} digests to {args.dump}")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
