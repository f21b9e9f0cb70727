"""The edit path: a rebuild after one article is edited, stage by stage, with one source tree or two.

    .venv/bin/python bench/edit_path.py --project /tmp/bench/project-10000 --work /tmp/NAME-edit \\
        --tree /work/main --tree /tmp/w-edit-path [--rounds 2] [--check]

For each source tree (given in order; "old" then "new"), the project is copied (seeds, warm analysis cache,
output: `cp -a`) into --work/<n>, built once with that tree (to bring the output and the page keys to its
code; a tree whose analysis code differs re-analyses here), then for each round one article (the middle
seed, by name) gets one more sentence and the site is rebuilt with `-v`: the stage times, the summary line
(how many files were rewritten) and the CPU seconds (user + system, children included), wall seconds and
peak RSS of the process are printed. With two trees the rounds alternate between them (old, new, old, new),
so that both see the same load. --check then builds the edited input with the last tree cold into a fresh
output folder (the same analysis cache, no page keys) and compares it with its edit rebuild's output
(`diff -r`, the search bundle included).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

PYTHON = "/work/main/.venv/bin/python"


def run_build(tree: Path, project: Path, output: Path | None = None, cache: Path | None = None) -> dict:
    """One `python -m builder --project P -v` with `tree` on PYTHONPATH: its figures."""
    command = [PYTHON, "-m", "builder", "--project", str(project), "-v"]
    if output is not None:
        command += ["--output", str(output)]
    if cache is not None:
        command += ["--cache", str(cache)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"build failed with {tree}:\n{done.stdout}\n{done.stderr}")
    stages = {name: float(seconds) for name, seconds in re.findall(r"^\s+(\S+)\s+([\d.]+) s$", done.stderr, re.M)}
    summary = next((line for line in done.stdout.splitlines() if "files read" in line), "")
    search = next((line.strip() for line in done.stderr.splitlines() if "search index:" in line), "")
    return {"wall": wall, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "rss_mb": after.ru_maxrss / 1024, "stages": stages, "summary": summary, "search": search}


def edit(project: Path, round_number: int) -> Path:
    seeds = sorted(path for path in (project / "seeds").iterdir() if path.is_file())
    victim = seeds[len(seeds) // 2]
    with victim.open("a", encoding="utf-8") as handle:
        handle.write(f"\nAn edited sentence, round {round_number}, about the council and its mayor.\n")
    return victim


def show(label: str, figures: dict) -> None:
    stages = "  ".join(f"{name} {seconds:.2f}" for name, seconds in figures["stages"].items())
    print(f"{label}: wall {figures['wall']:.1f} s, CPU {figures['cpu']:.1f} s (process peak RSS of all runs so far "
          f"{figures['rss_mb']:.0f} MB)\n    stages: {stages}\n    {figures['summary']}\n    {figures['search']}",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True, help="a built project (not written to)")
    parser.add_argument("--work", type=Path, required=True, help="where the copies go (made anew)")
    parser.add_argument("--tree", type=Path, action="append", required=True, help="a source tree (1 or 2)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--check", action="store_true", help="compare each edit rebuild with a cold build")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    copies = []
    for number, tree in enumerate(args.tree):
        copy = args.work / f"p{number}"
        subprocess.run(["cp", "-a", str(args.project), str(copy)], check=True)
        show(f"[{tree}] first build of the copy", run_build(tree, copy))
        copies.append(copy)
    print(f"edited: {edit(copies[0], 0).name} (the same in each copy)")
    for round_number in range(args.rounds):
        for number, (tree, copy) in enumerate(zip(args.tree, copies, strict=True)):
            if round_number or number:
                edit(copy, round_number)
            show(f"[{tree}] edit rebuild, round {round_number + 1}", run_build(tree, copy))
    if args.check:
        for tree, copy in [(args.tree[-1], copies[-1])]:
            cold = args.work / f"cold-{copy.name}"
            show(f"[{tree}] cold build of the edited input", run_build(tree, copy, output=cold / "output"))
            same = subprocess.run(["diff", "-r", "-q", str(copy / "output"), str(cold / "output")],
                                  capture_output=True, text=True)
            differ = [line for line in same.stdout.splitlines() if ".build-site" not in line]
            print(f"[{tree}] edit rebuild vs cold build: " + ("byte-identical" if not differ else
                                                              f"{len(differ)} differences: {differ[:5]}"))


if __name__ == "__main__":
    main()
