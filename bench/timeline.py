"""Where a build's CPU goes over time: per process and per thread of the whole process tree, by stage.

    .venv/bin/python bench/timeline.py -- --project /tmp/p10k --output /tmp/p10k/out-x

Runs `python -m builder build -v <args>` with its stderr on a pseudo-terminal (so the CLI prints its stage
progress line, as bench/peak_rss.py does) and samples every 0.5 s, from /proc, the CPU seconds (user+system)
of every thread of the builder and of every process below it (analysis workers, render workers, Pagefind),
and the RSS of the tree (summed VmRSS, as bench/peak_rss.py and bench/scale.py count it) and its PSS (each
shared page counted once: /proc/PID/smaps_rollup), and the state of the builder's main thread (running or
runnable, R; asleep, S or D: waiting for a child, a pipe, the disk), which tells even on a loaded machine
how long the builder stood waiting. Prints, per stage: the wall seconds, the CPU seconds of
each kind of thread or process, how many cores the tree used on average, and the peaks of RSS and PSS;
with --series, every sample's line as well.

On a shared machine the tree may get less than its two cores: the CPU seconds, not the idle time, tell
what ran at the same time.
"""

from __future__ import annotations

import argparse
import os
import pty
import re
import resource
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

PYTHON = sys.executable
INTERVAL = 0.5
TICK = os.sysconf("SC_CLK_TCK")


def _stat_cpu(text: str) -> tuple[str, int, float]:
    """(name, parent pid, CPU seconds) of a /proc/…/stat line."""
    name = text[text.index("(") + 1: text.rindex(")")]
    fields = text.rsplit(")", 1)[1].split()
    return name, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def _processes() -> dict[int, tuple[int, str]]:
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                name, parent, _ = _stat_cpu(Path(f"/proc/{entry}/stat").read_text())
            except (OSError, ValueError, IndexError):
                continue
            found[int(entry)] = (parent, name)
    return found


def _tree(root: int) -> list[int]:
    table = _processes()
    members, frontier = [root], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _) in table.items() if ppid == parent and pid not in members]
        members += children
        frontier += children
    return members


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in KB."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def _kind(root: int, pid: int, name: str, tid: int, thread: str) -> str:
    if pid == root:
        return "builder main thread" if tid == pid else f"builder thread {thread}"
    return "pagefind" if "pagefind" in name.lower() else f"child {name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build_args", nargs="*", help="arguments for `python -m builder build -v` (after --)")
    parser.add_argument("--series", action="store_true", help="print every sample")
    args = parser.parse_args()

    leader, follower = pty.openpty()
    load_at_start = os.getloadavg()[0]
    started = time.monotonic()
    process = subprocess.Popen([PYTHON, "-m", "builder", "build", "-v", *args.build_args],
                               stdout=subprocess.PIPE, stderr=follower, text=True)
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

    threading.Thread(target=read_stderr, daemon=True).start()
    stdout_parts: list[str] = []
    out_reader = threading.Thread(target=lambda: stdout_parts.append(process.stdout.read()), daemon=True)
    out_reader.start()

    last: dict[tuple[int, int], float] = {}  # (pid, tid) → CPU seconds at the previous sample
    names: dict[tuple[int, int], str] = {}
    per_stage: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    stage_wall: dict[str, float] = defaultdict(float)
    stage_rss: dict[str, int] = defaultdict(int)
    stage_pss: dict[str, int] = defaultdict(int)
    main_state: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))  # stage → state → samples
    series = []
    previous_time = time.monotonic()
    while process.poll() is None:
        now = time.monotonic()
        label = stage[0]
        used: dict[str, float] = defaultdict(float)
        rss_total = pss_total = 0
        for pid in _tree(process.pid):
            try:
                pname = _stat_cpu(Path(f"/proc/{pid}/stat").read_text())[0]
                tids = os.listdir(f"/proc/{pid}/task")
            except (OSError, ValueError):
                continue
            rss, pss = _memory(pid)
            rss_total += rss
            pss_total += pss
            for tid_text in tids:
                try:
                    text = Path(f"/proc/{pid}/task/{tid_text}/stat").read_text()
                    tname, _, cpu = _stat_cpu(text)
                except (OSError, ValueError):
                    continue
                if pid == process.pid and int(tid_text) == pid:  # the main thread: sleeping (S, D) or not
                    main_state[label][text.rsplit(")", 1)[1].split()[0]] += 1
                key = (pid, int(tid_text))
                kind = names.setdefault(key, _kind(process.pid, pid, pname, int(tid_text), tname))
                used[kind] += cpu - last.get(key, 0.0)
                last[key] = cpu
        step = now - previous_time
        previous_time = now
        stage_wall[label] += step
        for kind, seconds in used.items():
            per_stage[label][kind] += seconds
        stage_rss[label] = max(stage_rss[label], rss_total)
        stage_pss[label] = max(stage_pss[label], pss_total)
        series.append((now - started, label, dict(used), rss_total, pss_total))
        time.sleep(INTERVAL)
    out_reader.join()
    seconds = time.monotonic() - started
    if process.returncode != 0:
        print("".join(stderr_text)[-3000:], file=sys.stderr)
        raise SystemExit(f"build failed ({process.returncode})")
    print("".join(stdout_parts).strip())
    print(re.sub(r"\r\x1b\[K\[[^\n]*?…", "", "".join(stderr_text)).strip())
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # (the builder and every descendant it waited for)
    print(f"\nwall {seconds:.1f} s, CPU {usage.ru_utime + usage.ru_stime:.1f} s (user {usage.ru_utime:.1f} + system "
          f"{usage.ru_stime:.1f}); load average at the start {load_at_start:.1f}, at the end {os.getloadavg()[0]:.1f}")
    total: dict[str, float] = defaultdict(float)
    for label, kinds in per_stage.items():
        cpu = sum(kinds.values())
        print(f"{label}: {stage_wall[label]:.1f} s wall, {cpu:.1f} s CPU ({cpu / max(stage_wall[label], 1e-9):.2f} "
              f"cores); peak RSS {stage_rss[label] / 1024:,.0f} MB, PSS {stage_pss[label] / 1024:,.0f} MB")
        states = main_state[label]
        if states:
            print(f"    main thread states (samples): {dict(sorted(states.items()))}: asleep (S, D) "
                  f"{(states.get('S', 0) + states.get('D', 0)) / max(sum(states.values()), 1):.0%} of the samples")
        for kind, used in sorted(kinds.items(), key=lambda item: -item[1]):
            if used >= 0.05:
                print(f"    {used:7.1f} s  {kind}")
            total[kind] += used
    print("whole build, CPU s: " + ", ".join(f"{kind} {used:.1f}" for kind, used in
                                               sorted(total.items(), key=lambda item: -item[1])))
    print(f"peak RSS of the tree {max(stage_rss.values()) / 1024:,.0f} MB, "
          f"PSS {max(stage_pss.values()) / 1024:,.0f} MB")
    if args.series:
        for when, label, used, rss, pss in series:
            parts = " ".join(f"{kind.split()[-1][:10]}={value:.2f}" for kind, value in sorted(used.items()) if value)
            print(f"{when:7.1f} {label[:30]:<30} rss {rss / 1024:6,.0f} pss {pss / 1024:6,.0f}  {parts}")


if __name__ == "__main__":
    main()
