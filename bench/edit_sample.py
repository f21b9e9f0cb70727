"""Where one build's CPU goes (an edit rebuild, typically): the build of PROJECT as `python -m builder --project
PROJECT -v` runs it, in this process, with:
- each stage's CPU (process_time: all threads of this process; children apart),
- a stack sampler of the main thread (every --every ms), samples tagged with the current stage,
- the process's total CPU from rusage (self + children), and the CPU before build() (imports, CLI).

    PYTHONPATH=TREE .venv/bin/python bench/edit_sample.py PROJECT --out samples.pickle [--every 2]
    .venv/bin/python bench/edit_sample.py --report samples.pickle [--stage STAGE] [--top 40]

The stage CPU figures are exact (process_time around each stage; "render" summed page by page as build.timed_pages
does); the samples only say where the main thread was when the sampler got the GIL, so a long C call (json.loads
of the keys file, pickle.load of a pack chunk) gets fewer samples than its CPU.  What the process spends after
build() returns (the interpreter's exit) is not seen here: compare the parent's RUSAGE_CHILDREN with the printed
self + children (/tmp/edit-fixed-tools/ab.py did, bench/RESULTS-scale.md session 17).  PROF_EXIT_NOW=1 ends the
process with os._exit once the figures are written (to measure that exit).
"""
import argparse
import os
import pickle
import resource
import sys
import threading
import time
from collections import Counter

from render_timing import stack_of

T_START = time.process_time()


def report(path, stage_filter, top, depth_filter):
    with open(path, "rb") as handle:
        data = pickle.load(handle)
    samples, every = data["samples"], data["every"]
    print(f"stage CPU: {data['stage_cpu']}")
    print(f"before build: {data['before_build']:.2f} s CPU; build(): {data['build_cpu']:.2f}; process self "
          f"{data['self']:.2f}, children {data['children']:.2f}; samples {len(samples)}")
    by_stage = Counter(stage for stage, _ in samples)
    print("samples by stage (s):", {k: round(v * every, 2) for k, v in by_stage.most_common()})
    chosen = [stack for stage, stack in samples if stage_filter in (None, stage)]
    inclusive, leaf, leaf_builder = Counter(), Counter(), Counter()
    for stack in chosen:
        for frame in set(stack):
            inclusive[frame] += 1
        leaf[stack[-1]] += 1
        own = [frame for frame in stack if frame.startswith(("builder/", "link/", "pages/", "analyse/", "read/"))
               or "/builder/" in frame]
        leaf_builder[own[-1] if own else stack[-1]] += 1
    print(f"\n== inclusive ({len(chosen)} samples, {len(chosen) * every:.2f} s)")
    for frame, count in inclusive.most_common(top):
        print(f"{count * every:8.3f} s  {frame}")
    print("\n== leaf")
    for frame, count in leaf.most_common(top):
        print(f"{count * every:8.3f} s  {frame}")
    print("\n== innermost builder frame")
    for frame, count in leaf_builder.most_common(top):
        print(f"{count * every:8.3f} s  {frame}")


def run(project, out, every_ms):
    import builder.build as build_module
    stage = ["(start)"]
    stage_cpu = Counter()
    real_timer = build_module.StageTimer

    class CpuTimer(real_timer):
        from contextlib import contextmanager

        @contextmanager
        def __call__(self, name, what=""):
            before, stage[0] = stage[0], name
            begun = time.process_time()
            try:
                with real_timer.__call__(self, name, what):
                    yield
            finally:
                stage_cpu[name] += time.process_time() - begun
                stage[0] = before
                marks["last stage end"] = time.process_time()

    build_module.StageTimer = CpuTimer
    marks = {}
    real_build = build_module.build

    def build(*args, **kwargs):
        marks["build start"] = time.process_time()
        try:
            return real_build(*args, **kwargs)
        finally:
            marks["build end"] = time.process_time()

    build_module.build = build
    render_cpu = [0.0]

    def timed_pages(pages, timer):
        """build.timed_pages, also counting the process's CPU while a page is made."""
        pages = iter(pages)
        clock = time.process_time
        while True:
            with timer.quietly("render"):
                begun = clock()
                page = next(pages, None)
                render_cpu[0] += clock() - begun
            if page is None:
                return
            yield page

    build_module.timed_pages = timed_pages
    main_id = threading.get_ident()
    samples = []
    stop = threading.Event()

    def sampler():
        while not stop.wait(every_ms / 1000):
            stack = stack_of(sys._current_frames().get(main_id))
            where = stage[0]
            if where == "write":
                if "builder/render.py:iter_site_pages" in stack:
                    where = "render"
                elif "builder/build.py:finish_index" in stack:
                    where = "index"
            samples.append((where, stack))

    sys.setswitchinterval(every_ms / 1000 / 10)
    thread = threading.Thread(target=sampler, daemon=True)
    from builder.cli import main
    before_build = time.process_time() - T_START
    thread.start()
    begun = time.process_time()
    try:
        main(["--project", project, "-v"], standalone_mode=False)
    finally:
        build_cpu = time.process_time() - begun
        stop.set()
        thread.join()
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        marks["main end"] = time.process_time()
        stage_cpu["render"] = render_cpu[0]
        stage_cpu["write"] -= stage_cpu["render"] + stage_cpu.get("index", 0.0)  # (nested in write)
        rounded = {k: round(v, 3) for k, v in stage_cpu.items()}
        data = {"samples": samples, "every": every_ms / 1000, "stage_cpu": rounded,
                "before_build": before_build, "build_cpu": build_cpu,
                "self": own.ru_utime + own.ru_stime, "children": children.ru_utime + children.ru_stime,
                "maxrss_mb": own.ru_maxrss / 1024, "marks": marks}
        with open(out, "wb") as handle:
            pickle.dump(data, handle)
        print("marks", {k: round(v - marks.get("last stage end", 0), 3) for k, v in marks.items()}, file=sys.stderr)
        print(f"CPU stages {data['stage_cpu']}; before build {before_build:.2f}; build {build_cpu:.2f}; "
              f"self {data['self']:.2f}; children {data['children']:.2f}; rss {data['maxrss_mb']:.0f} MB",
              file=sys.stderr)
        if os.environ.get("PROF_EXIT_NOW"):
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("project", nargs="?")
    parser.add_argument("--out")
    parser.add_argument("--every", type=float, default=2.0)
    parser.add_argument("--report")
    parser.add_argument("--stage")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    if args.report:
        report(args.report, args.stage, args.top, None)
    else:
        run(args.project, args.out, args.every)
