"""Where a `serve` process's memory goes, rebuild after rebuild: the server's own threads, in one process.

    PYTHONPATH=TREE .venv/bin/python bench/serve_memory.py --project P [--rounds 8] [--tracemalloc]

Does what `build-site serve --into-output` does with a project (P: a copy of a built one, seeds, warm cache and
output made by the same tree), without the HTTP side: a `DevServer`, its first build (the no-change check) and
its page keys written, then for each round the middle seed edited (one more sentence, a new word), the rebuild
in the server's rebuild thread (`build_once`), then, as after a reload, the page keys written in that thread
(`finish_writing`) while the search index catches up in the index thread (`SearchCatchUp`). After each round,
once both are done:

- rss / peak: VmRSS, VmHWM of this process (MB); tree peak: the highest sum of the RSS of this process and its
  children (Pagefind) sampled every 50 ms during the round;
- cpu: user + system seconds of the rebuild (this process, its children waited for), and of the catch-up;
- blocks: `sys.getallocatedblocks()` (objects Python holds: a growing count is a Python-level leak), and the
  bytes of them (pymalloc's "bytes in allocated blocks");
- pymalloc: its arenas now (1 MiB each, given back only when empty), and the bytes free inside them;
- malloc: glibc's `mallinfo2()`: bytes taken from the system in its heaps (arena), in use there (used), free
  there (free), and in mmapped chunks (mmap);
- with --tracemalloc, the lines whose live allocations grew most since the round before.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import re
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

from serve_reload import tree_rss_mb


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def mallinfo2() -> dict[str, int]:
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    return {"arena": info.arena, "mmap": info.hblkhd, "used": info.uordblks, "free": info.fordblks}


def pymalloc_stats() -> dict[str, int]:
    """What sys._debugmallocstats() writes to the C stderr, read back from a temporary file."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as out:
        os.dup2(out.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read().decode(errors="replace")
    found = {}
    for label, pattern in (("arenas", r"# arenas allocated current\s*=\s*([\d,]+)"),
                           ("allocated", r"# bytes in allocated blocks\s*=\s*([\d,]+)"),
                           ("available", r"# bytes in available blocks\s*=\s*([\d,]+)"),
                           ("unused pools", r"(\d+) unused pools \* (\d+) bytes")):
        match = re.search(pattern, text)
        if match is None:
            found[label] = -1
        elif label == "unused pools":
            found[label] = int(match.group(1)) * int(match.group(2))
        else:
            found[label] = int(match.group(1).replace(",", ""))
    return found


def status_mb(field: str, pid: int | str = "self") -> float:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(rf"^{field}:\s+(\d+)", text, re.M)
    return int(match.group(1)) / 1024 if match else 0.0


class TreePeak:
    """The highest RSS sum of this process and its descendants, sampled every 50 ms in a thread, and what the
    server was doing then (`doing`: the build's stage, the catch-up)."""

    def __init__(self) -> None:
        self.peak, self.at, self.doing = 0.0, "", "starting"
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True, name="tree-peak")
        self.thread.start()

    def _sample(self) -> None:
        me = os.getpid()
        while not self.stop.is_set():
            total = tree_rss_mb(me)  # (a vforked child not yet exec'd is not counted: see there)
            children = total - status_mb("VmRSS")
            if total > self.peak:
                self.peak, self.at = total, f"{self.doing} (children {children:.0f} MB)"
            time.sleep(0.05)

    def take(self) -> tuple[float, str]:
        found, self.peak = (self.peak, self.at), 0.0
        return found


def rollup_mb() -> tuple[float, float]:
    """This process's resident memory as anonymous and file-backed (MB), from /proc/self/smaps_rollup."""
    text = Path("/proc/self/smaps_rollup").read_text()
    rss = int(re.search(r"^Rss:\s+(\d+)", text, re.M).group(1))
    anonymous = int(re.search(r"^Anonymous:\s+(\d+)", text, re.M).group(1))
    return anonymous / 1024, (rss - anonymous) / 1024


def resident_mappings() -> dict[str, float]:
    """Resident MB by mapping (start address, size and name), from /proc/self/smaps."""
    found, name = {}, ""
    for line in Path("/proc/self/smaps").read_text().splitlines():
        first = line.split(maxsplit=5)
        if "-" in first[0] and len(first) >= 5 and not first[0].endswith(":"):
            start, end = (int(part, 16) for part in first[0].split("-"))
            name = f"{first[0].split('-')[0]} {(end - start) / (1 << 20):8.1f} MB {first[5] if len(first) > 5 else ''}"
        elif line.startswith("Rss:"):
            found[name] = int(line.split()[1]) / 1024
    return found


def cpu() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def alive_model_objects() -> str:
    """How many of the site's objects are alive (a previous site kept shows as twice as many)."""
    from builder import model

    gc.collect()
    kinds = (model.Article, model.Actor, model.Event, model.Site)
    counts = dict.fromkeys(kinds, 0)
    for found in gc.get_objects():
        kind = type(found)
        if kind in counts:
            counts[kind] += 1
    return ", ".join(f"{kind.__name__} {count:,}" for kind, count in counts.items())


def edit(seed: Path, number: int) -> None:
    with seed.open("a", encoding="utf-8") as handle:
        handle.write(f"\n\nThe review board of Benchmarkton{number} met again on the same question.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--tracemalloc", action="store_true", help="the lines whose allocations grew, each round")
    parser.add_argument("--trim", action="store_true",
                        help="after each round's figures, what gc.collect() and malloc_trim(0) give back (RSS after)")
    parser.add_argument("--maps", action="store_true", help="the mappings whose resident memory changed, each round")
    parser.add_argument("--objects", action="store_true",
                        help="how many actors, events and articles are alive after each round (gc.get_objects)")
    args = parser.parse_args()

    import builder
    import builder.build
    from builder.build import build
    from builder.config import Paths, Settings, load_config
    from builder.search_catchup import SearchCatchUp
    from builder.serve import DevServer

    print(f"builder: {Path(builder.__file__).parent}", flush=True)
    if args.tracemalloc:
        import tracemalloc
        tracemalloc.start(4)
    paths = Paths.from_project(args.project)
    overrides = {"base_url": None}
    settings = Settings(config=load_config(paths.site, overrides), paths=paths, jobs=args.jobs, overrides=overrides)
    server = DevServer(settings, into_output=True, echo=lambda line: None)
    seeds = sorted(path for path in paths.seeds.iterdir() if path.is_file())
    seed = seeds[len(seeds) // 2]
    peak = TreePeak()
    whole_build = builder.build.build

    def build_telling_stages(settings, progress=None, **more):  # (DevServer.build_once imports it at each call)
        return whole_build(settings, lambda what: setattr(peak, "doing", f"rebuild: {what}"), **more)

    builder.build.build = build_telling_stages
    try:
        began = cpu()
        report = build(server.settings, warm=server.warm)
        server.finish_writing()
        print(f"first build: {report.summary_line()} ({cpu() - began:.2f} s CPU)", flush=True)
        print(f"{'round':>5} {'rebuild cpu':>11} {'index cpu':>9} {'rss':>6} {'peak':>6} {'tree pk':>7} "
              f"{'blocks':>9} {'in blocks':>9} {'arenas':>6} {'free in':>7} {'malloc':>6} {'used':>6} "
              f"{'free':>6} {'mmap':>6} {'anon':>6} {'file':>6}   (MB)", flush=True)
        previous = None
        last_maps = resident_mappings() if args.maps else {}
        number = int(time.time())
        for round_number in range(args.rounds):
            peak.take()
            peak.doing = "rebuild"
            edit(seed, number + round_number)
            began = cpu()
            if not server.executor.submit(server.build_once).result():
                sys.exit("the rebuild failed")
            rebuilt = cpu()
            peak.doing = "after the reload: keys written, index caught up"
            writing = server.executor.submit(server.finish_writing)
            catch_up = SearchCatchUp(server.pending_search, server.settings.paths)
            caught = server.indexer.submit(catch_up.run).result()
            writing.result()
            indexed = cpu()
            if caught.outcome != "updated":
                sys.exit(f"the catch-up ended {caught.outcome}")
            server.pending_search = None
            tree_peak, peak_at = peak.take()
            heap = pymalloc_stats()
            info = mallinfo2()
            mb = 1 / (1 << 20)
            print(f"{round_number + 1:>5} {rebuilt - began:>11.2f} {indexed - rebuilt:>9.2f} "
                  f"{status_mb('VmRSS'):>6.0f} {status_mb('VmHWM'):>6.0f} {tree_peak:>7.0f} "
                  f"{sys.getallocatedblocks():>9,} {heap['allocated'] * mb:>9.0f} {heap['arenas']:>6} "
                  f"{(heap['available'] + heap['unused pools']) * mb:>7.0f} {info['arena'] * mb:>6.0f} "
                  f"{info['used'] * mb:>6.0f} {info['free'] * mb:>6.0f} {info['mmap'] * mb:>6.0f} "
                  f"{rollup_mb()[0]:>6.0f} {rollup_mb()[1]:>6.0f}", flush=True)
            print(f"      tree peak during: {peak_at}", flush=True)
            if args.trim:
                from builder.memory import return_free_memory

                return_free_memory()
                print(f"      after gc.collect() and malloc_trim(0): rss {status_mb('VmRSS'):.0f} MB", flush=True)
            if args.maps:
                maps = resident_mappings()
                changes = {name: maps.get(name, 0) - last_maps.get(name, 0) for name in set(maps) | set(last_maps)}
                for name in sorted(changes, key=lambda name: -abs(changes[name]))[:6]:
                    if abs(changes[name]) >= 1:
                        print(f"      {changes[name]:+7.1f} MB  {name}")
                last_maps = maps
            if args.objects:
                print("      alive:", alive_model_objects(), flush=True)
            if args.tracemalloc:
                gc.collect()
                snapshot = tracemalloc.take_snapshot()
                if previous is not None:
                    for stat in snapshot.compare_to(previous, "traceback")[:8]:
                        where = " < ".join(f"{Path(frame.filename).name}:{frame.lineno}" for frame in stat.traceback)
                        print(f"      {stat.size_diff / 1024:+9.0f} KB {stat.count_diff:+8} blocks  {where}")
                previous = snapshot
    finally:
        peak.stop.set()
        server.close()


if __name__ == "__main__":
    main()
