"""Peak resident memory of one build, as a whole process tree, and when it happened.

    .venv/bin/python bench/peak_rss.py -- --project /tmp/p10k --output /tmp/p10k/output

Runs `python -m builder build -v <args>` as a subprocess with its stderr on a pseudo-terminal
(so the CLI prints its stage progress line) and samples every 0.1 s, from /proc, the RSS of the
builder and all its descendants (analysis workers, Pagefind) as bench/scale.py does. Prints the
peak of the tree, the stage it fell in and the processes that made it up, each process's own peak,
and the peak of the tree within each stage.
"""

from __future__ import annotations

import argparse
import os
import pty
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

PYTHON = sys.executable
INTERVAL = 0.1
SERIES_STEP = 10.0


def processes() -> dict[int, tuple[int, int, str]]:
    """Every process now: pid → (parent pid, RSS in KB, short name)."""
    found: dict[int, tuple[int, int, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        rss = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        found[int(entry)] = (parent, int(rss.group(1)) if rss else 0, name)
    return found


def tree(root: int, table: dict[int, tuple[int, int, str]]) -> dict[int, tuple[int, str]]:
    """The process `root` and its descendants: pid → (RSS in KB, name)."""
    members, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _, _) in table.items() if ppid == parent and pid not in members]
        members.update(children)
        frontier.extend(children)
    return {pid: (table[pid][1], table[pid][2]) for pid in members if pid in table}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build_args", nargs="*", help="arguments for `python -m builder build -v` (after --)")
    parser.add_argument("--shard-budget", type=float, help="search shards of at most this many units "
                        "(builder.search.SHARD_BUDGET) instead of the builder's own")
    args = parser.parse_args()

    leader, follower = pty.openpty()
    started = time.monotonic()
    command = [PYTHON, "-m", "builder", "build", "-v", *args.build_args]
    if args.shard_budget:
        command[1:3] = ["-c", "import sys, builder.search, builder.cli; "
                        f"builder.search.SHARD_BUDGET = {args.shard_budget}; "
                        "sys.argv[0] = 'build-site'; builder.cli.main()"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=follower, text=True)
    os.close(follower)
    stage = ["starting"]
    stderr_text: list[str] = []

    def read_stderr() -> None:
        buffer = ""
        while True:
            try:
                chunk = os.read(leader, 4096).decode("utf-8", "replace")
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            stderr_text.append(chunk)
            for label in re.findall(r"\] (.*?)…", buffer):
                stage[0] = label
            buffer = buffer[-400:]

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    stdout_parts: list[str] = []
    out_reader = threading.Thread(target=lambda: stdout_parts.append(process.stdout.read()), daemon=True)
    out_reader.start()

    peak_kb, peak_at, peak_stage, peak_members = 0, 0.0, "", {}
    per_process: dict[int, tuple[int, str]] = {}
    per_stage: dict[str, int] = {}
    series: list[tuple[float, str, int, int]] = []  # every SERIES_STEP s: time, stage, builder, the rest
    while process.poll() is None:
        members = tree(process.pid, processes())
        total = sum(rss for rss, _ in members.values())
        now = time.monotonic() - started
        per_stage[stage[0]] = max(per_stage.get(stage[0], 0), total)
        for pid, (rss, name) in members.items():
            if rss > per_process.get(pid, (0, ""))[0]:
                per_process[pid] = (rss, name)
        if not series or now - series[-1][0] >= SERIES_STEP:
            builder_kb = members.get(process.pid, (0, ""))[0]
            series.append((now, stage[0], builder_kb, total - builder_kb))
        if total > peak_kb:
            peak_kb, peak_at, peak_stage, peak_members = total, now, stage[0], members
        time.sleep(INTERVAL)
    out_reader.join()
    seconds = time.monotonic() - started
    if process.returncode != 0:
        print("".join(stderr_text)[-3000:], file=sys.stderr)
        raise SystemExit(f"build failed ({process.returncode})")

    print("".join(stdout_parts).strip())
    print(re.sub(r"\r\x1b\[K\[[^\n]*?…", "", "".join(stderr_text)).strip())
    print(f"\nwall {seconds:.1f} s")
    print(f"peak tree RSS {peak_kb / 1024:,.0f} MB at {peak_at:.1f} s, during: {peak_stage}")
    for pid, (rss, name) in sorted(peak_members.items(), key=lambda item: -item[1][0]):
        print(f"    {pid:>8} {name:<16} {rss / 1024:8,.0f} MB")
    print("peak of each process:")
    for pid, (rss, name) in sorted(per_process.items(), key=lambda item: -item[1][0])[:12]:
        print(f"    {pid:>8} {name:<16} {rss / 1024:8,.0f} MB")
    print("peak tree RSS per stage:")
    for label, kb in per_stage.items():
        print(f"    {kb / 1024:8,.0f} MB  {label}")
    print(f"every {SERIES_STEP:.0f} s: builder + its children (MB)")
    for when, label, main_kb, rest_kb in series:
        print(f"    {when:6.0f} s {main_kb / 1024:6,.0f} + {rest_kb / 1024:5,.0f}  {label}")


if __name__ == "__main__":
    main()
