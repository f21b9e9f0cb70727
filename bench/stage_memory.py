"""Where a build's memory peak is: one build run in-process, RSS, CPU and the peak RSS of each interval between
stage starts and the entries and exits of chosen calls (VmHWM from /proc/self/status, reset through
/proc/self/clear_refs at each point, so each interval's own peak shows), and the highest RSS samples (every
20 ms) with the main thread's stack at that moment. Linux only.

    PYTHONPATH=TREE .venv/bin/python bench/stage_memory.py PROJECT [--profile FILE]

Builds PROJECT (its seeds, cache and output, --jobs 2) as `build-site --project PROJECT` would; for an edit
rebuild, append a sentence to one seed first (as bench/edit_path.py does).
"""

import argparse
import functools
import re
import resource
import sys
import time
from pathlib import Path

points: list[tuple[str, float, int, int, float]] = []  # (label, t, rss KB, peak since previous point KB)
T0 = time.perf_counter()


def status() -> tuple[int, int]:
    text = Path("/proc/self/status").read_text()
    rss = int(re.search(r"^VmRSS:\s+(\d+)", text, re.M).group(1))
    hwm = int(re.search(r"^VmHWM:\s+(\d+)", text, re.M).group(1))
    return rss, hwm


def mark(label: str) -> None:
    rss, hwm = status()
    points.append((label, time.perf_counter() - T0, rss, hwm, time.process_time()))
    Path("/proc/self/clear_refs").write_text("5")


def wrap(module, name: str) -> None:
    original = getattr(module, name)

    @functools.wraps(original)
    def wrapped(*args, **kwargs):
        mark(f"> {name}")
        try:
            return original(*args, **kwargs)
        finally:
            mark(f"< {name}")

    setattr(module, name, wrapped)


samples: list[tuple[float, int, str]] = []


def sampler(main_id: int, stop) -> None:
    import traceback
    while not stop.is_set():
        rss = int(re.search(r"^VmRSS:\s+(\d+)", Path("/proc/self/status").read_text(), re.M).group(1))
        frame = sys._current_frames().get(main_id)
        stack = traceback.extract_stack(frame)[-8:] if frame is not None else []
        where = " < ".join(f"{Path(f.filename).stem}.{f.name}:{f.lineno}" for f in reversed(stack))
        samples.append((time.perf_counter() - T0, rss, where))
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("project", type=Path)
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    import builder.build as build_module
    import builder.cache as cache_module
    import builder.link as link_module
    from builder.config import Paths, Settings, load_config

    wrap(build_module, "analyse_all")
    wrap(build_module, "unread_sources" if hasattr(build_module, "unread_sources") else "read_seed_files")
    wrap(build_module.PageKeys, "load")
    wrap(link_module, "link_site")
    wrap(cache_module.LinkMemoFile, "load")
    wrap(cache_module.LinkMemoFile, "save")
    wrap(build_module, "write_site")
    wrap(build_module, "return_free_memory")
    import builder.render as render_module
    wrap(render_module, "iter_site_pages")
    import builder.link.site as site_module
    for name in ("find_duplicates", "resolve_actors", "group_events", "curate_events"):
        wrap(site_module, name)
    wrap(build_module.PageKeys, "save")
    paths = Paths.from_project(args.project)
    settings = Settings(config=load_config(paths.site, {"base_url": None}), paths=paths, jobs=2,
                        overrides={"base_url": None})
    import threading
    stop = threading.Event()
    thread = threading.Thread(target=sampler, args=(threading.get_ident(), stop), daemon=True)
    thread.start()
    mark("start")
    started = time.perf_counter()
    cpu0 = time.process_time()
    if args.profile:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    report = build_module.build(settings, progress=lambda what: mark(f"stage: {what[:40]}"))
    if args.profile:
        profiler.disable()
        profiler.dump_stats(args.profile)
    mark("end")
    stop.set()
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    print(report.summary_line())
    print("stages:", "  ".join(f"{k} {v:.2f}" for k, v in report.stage_seconds.items()))
    print(f"wall {wall:.2f} s, CPU (this process) {cpu:.2f} s, "
          f"ru_maxrss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"{'point':<52} {'t s':>7} {'CPU s':>7} {'RSS MB':>8} {'peak since prev MB':>19}")
    for label, t, rss, hwm, cpu in points:
        print(f"{label:<52} {t:7.2f} {cpu:7.2f} {rss / 1024:8.0f} {hwm / 1024:19.0f}")
    print("top samples by RSS (one per 2 s window):")
    best = {}
    for t, rss, where in samples:
        window = int(t // 2)
        if window not in best or rss > best[window][1]:
            best[window] = (t, rss, where)
    for t, rss, where in sorted(best.values(), key=lambda s: -s[1])[:12]:
        print(f"  {t:7.2f} {rss / 1024:6.0f} MB  {where}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
