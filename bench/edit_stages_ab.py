"""Alternated edits on two warm copies of a project, each built with its own source tree: each stage's CPU.

    .venv/bin/python bench/edit_stages_ab.py OLD_TREE OLD_COPY NEW_TREE NEW_COPY ROUNDS

Each copy must already have been built once by its tree (the page keys and the link memo are keyed on the
builder's code: the first build with another tree relinks and re-renders cold).  Each round appends one sentence
to the middle seed of each copy and rebuilds it through the tree's bench/edit_sample.py with a sparse sampler
(every 50 ms), printing the process tree's CPU (rusage: Pagefind included), each stage's CPU (process_time) and
the load.  Whole-edit CPU varies by ±1 s at a loaded machine; the stage figures, paired round by round, show
a few tenths (bench/RESULTS-scale.md, session 19).
"""
import ast
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

PYTHON = "/work/main/.venv/bin/python"


def edit(project: Path, number: int) -> None:
    seeds = sorted(path for path in (project / "seeds").iterdir() if path.is_file())
    with seeds[len(seeds) // 2].open("a", encoding="utf-8") as handle:
        handle.write(f"\nAn edited sentence, round {number}, about the council and its mayor.\n")


def main() -> None:
    pairs = [(Path(sys.argv[1]), Path(sys.argv[2])), (Path(sys.argv[3]), Path(sys.argv[4]))]
    for number in range(int(sys.argv[5])):
        for tree, project in pairs:
            edit(project, 100 + number)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            done = subprocess.run([PYTHON, str(tree / "bench/edit_sample.py"), str(project), "--out",
                                   f"/tmp/edit-stages-ab-{tree.name}-{number}.pickle", "--every", "50"],
                                  cwd=tree, env={**os.environ, "PYTHONPATH": f"{tree}:{tree}/bench"},
                                  capture_output=True, text=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            lines = done.stdout.splitlines() + done.stderr.splitlines()
            line = next((line for line in lines if line.startswith("CPU stages")), "?")
            found = re.search(r"CPU stages (\{.*?\})", line)
            stages = ast.literal_eval(found.group(1)) if found else {}
            wall = time.perf_counter() - started
            print(f"round {number + 1} {tree.name:18} tree CPU {cpu:5.2f} s  wall {wall:5.1f} s"
                  f"  read+write {stages.get('read', 0) + stages.get('write', 0):.3f}  {line[11:]}"
                  f"  load {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
