"""Where a cold render's CPU goes, by sampling: a thread reads the main thread's stack every 5 ms.

    .venv/bin/python bench/render_sample.py /tmp/site10k.pickle --project /tmp/p10k --out /tmp/samples.pickle
    .venv/bin/python bench/render_sample.py --report /tmp/samples.pickle

The site is a pickled linked Site (bench/render_profile.py --save), rendered as a cold build renders it (every
page's key computed, the site gc.freeze'd).  cProfile doubles the render's CPU and charges most of it to Jinja's
generators (a call per resumed `yield`); a sampler thread is cheaper, but only gets the GIL when the main thread
lets it go, which it does at once inside hashlib (blake2b of more than 2 KB) and otherwise only every switch
interval: at the default 5 ms a third of the samples landed in blake2b.  The switch interval is set to 10 µs here,
so the main thread hands the GIL over at its next instruction boundary.  The report sorts each sample by the
innermost frame of the builder's own code (data), of a template, Jinja or markupsafe (Jinja), or the page keys.
"""

from __future__ import annotations

import argparse
import gc
import pickle
import sys
from collections import Counter
from pathlib import Path

from render_timing import StackSampler

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

KEYS = ("page_keys.py:_worked_out", "page_keys.py:key", "page_keys.py:start", "page_keys.py:_reads_key")


def sample(site_pickle: Path, project: Path, out: Path) -> None:
    from builder.cli import _settings
    from builder.page_keys import PageKeys
    from builder.render import iter_site_pages

    settings = _settings(project, None, None, None, None, False, 1)
    sys.setrecursionlimit(100000)  # (a linked site pickles as a deep graph)
    with open(site_pickle, "rb") as handle:
        site = pickle.load(handle)
    keys = PageKeys()
    gc.freeze()
    sampler = StackSampler(0.005).start()
    pages = sum(1 for _ in iter_site_pages(site, settings, keys=keys))
    stacks = sampler.stop()
    with open(out, "wb") as handle:
        pickle.dump(stacks, handle)
    print(f"{pages} pages, {sum(stacks.values())} samples in {out}")


def category(stack: tuple[str, ...]) -> str:
    if any(frame.endswith(KEYS) for frame in stack):
        return "keys"
    for frame in reversed(stack):
        if frame.startswith("builder/render.py:output_escape") or frame.startswith(("templates/", "jinja2/",
                                                                                     "markupsafe/")):
            return "jinja"
        if frame.startswith("builder/"):
            return "data"
    return "other"


def report(samples: Path, rows: int = 60) -> None:
    with open(samples, "rb") as handle:
        stacks: Counter[tuple[str, ...]] = pickle.load(handle)
    stacks = Counter({stack: n for stack, n in stacks.items() if any("_site_pages" in f for f in stack)})
    total = sum(stacks.values())
    kinds: Counter[tuple[str, str]] = Counter()
    inclusive: Counter[str] = Counter()
    for stack, n in stacks.items():
        kind = next((frame.split(":")[0] for frame in stack if frame.startswith("pages/")), "other")
        kinds[(kind, category(stack))] += n
        for frame in set(stack):
            inclusive[frame] += n
    print(f"{total} samples while rendering; share per page module and what it was doing:")
    for kind in sorted({kind for kind, _ in kinds}):
        parts = {what: n for (k, what), n in kinds.items() if k == kind}
        print(f"  {kind:24}", "  ".join(f"{what} {100 * n / total:4.1f} %" for what, n in sorted(parts.items())))
    print("inclusive:")
    for frame, n in inclusive.most_common(rows):
        print(f"  {100 * n / total:5.1f} %  {frame}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, nargs="?", help="a pickled linked Site")
    parser.add_argument("--project", type=Path, help="the project whose settings to render with")
    parser.add_argument("--out", type=Path, help="where to keep the samples")
    parser.add_argument("--report", type=Path, help="print the report of samples kept so")
    args = parser.parse_args()
    if args.report:
        report(args.report)
    elif args.site and args.project and args.out:
        sample(args.site, args.project, args.out)
        report(args.out)
    else:
        parser.error("give a site pickle with --project and --out, or --report")


if __name__ == "__main__":
    main()
