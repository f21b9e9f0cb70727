"""Under `build-site serve`: the time from a seed edit to the browser's reload, and to the search index's catch-up.

    .venv/bin/python bench/serve_reload.py --project /tmp/NAME-p10k [--rounds 2] [--tree T] [--after-only] \\
        [--add A.md ...]

The project (a copy of a built one: seeds, warm analysis cache, output made with the same tree) is served
with `serve --into-output --port 0` by a subprocess with --tree on PYTHONPATH (the first build is then the
no-change check). A livereload client (what an open tab runs: the websocket handshake, then it waits for
"reload") measures, for each edit (the middle seed gets one more sentence, a new word each time), the
seconds from writing the file to the reload message, and, with the index made after, to the message that
the index was swapped in. The server's CPU seconds over each interval (user + system of the process and
of its waited children, Pagefind: /proc/PID/stat) are printed beside them.

Two modes, alternated edit by edit in the same server (index first, index after, index first, ...) so that
both see the same load and a warm process: "index first" is the previous behaviour, `build()` making the
search index before the reload (the launcher wraps `build` to ignore `defer_search` while a mode file says
so, as main's serve called it); "index after" is the current one. A first edit, not counted, warms the server
(its first rebuild imports the analysis and linking libraries). The reload time includes the watcher's
poll (0.2 s) and the settle time (0.3 s): `serve`'s own delay before a rebuild starts.

--after-only: every edit "index after" (serve as it is), `--rounds` of them after the warming one: to compare two
trees, run it for each in turn (on copies of the project each built by its tree). Each row also gives the
server's resident memory once the index caught up (VmRSS) and its peak so far (VmHWM), in MB, and the peak of
the server's process tree during the edit (the sum of the RSS of the server and of its children, Pagefind,
sampled every 50 ms from /proc).

--add A.md ...: after the edits, one round ("added", index after) for each file, copied into the seeds as a new
article: a new article's event and actor pages change, so its catch-up indexes an event or actor shard again,
the largest Pagefind runs a catch-up makes (session 18).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PYTHON = "/work/main/.venv/bin/python"
SEARCH_UPDATED = "build-site:search-index"  # builder.serve.SEARCH_UPDATED
LAUNCH = """
import sys
from pathlib import Path
import builder.build
mode_file, project = Path(sys.argv[1]), sys.argv[2]
whole_build = builder.build.build

def build(settings, progress=None, defer_search=False, **more):  # "index first": the previous behaviour
    if mode_file.read_text().strip() == "index first":
        return whole_build(settings, progress, **more)
    return whole_build(settings, progress, defer_search, **more)

builder.build.build = build
from builder.cli import main
main(["serve", "--project", project, "--into-output", "--port", "0"])
"""
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process and of its children it waited for (Pagefind runs)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(fields[index]) for index in (11, 12, 13, 14)) / TICKS  # utime stime cutime cstime


class Served:
    def __init__(self, tree: Path, project: Path, mode_file: Path) -> None:
        self.mode_file = mode_file
        self.process = subprocess.Popen([PYTHON, "-c", LAUNCH, str(mode_file), str(project)], cwd=tree,
                                        env={**os.environ, "PYTHONPATH": str(tree), "PYTHONUNBUFFERED": "1"},
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(line.rstrip()) for line in self.process.stdout],
                         daemon=True).start()
        self.url = re.search(r"Serving (http://\S+)", self.line_matching(r"^Serving ")).group(1)
        self.tree_peak = TreePeak(self.process.pid)

    def line_matching(self, pattern: str, timeout: float = 1800) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if re.search(pattern, line):
                return line
            if line.startswith(("Traceback", "Build failed", "Search index not updated")):
                sys.exit(f"server: {line}")
        sys.exit(f"the server never printed {pattern!r}")

    def stop(self) -> None:
        # SIGTERM, not SIGINT: a script started in the background has SIGINT ignored, and so has the server
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=600)


async def connect(url: str):
    from tornado.websocket import websocket_connect

    host = url.split("/")[2]
    socket = await websocket_connect(f"ws://{host}/livereload")
    await socket.write_message(json.dumps({"command": "hello", "protocols": [
        "http://livereload.com/protocols/official-7"]}))
    await socket.read_message()  # the server's hello
    await socket.write_message(json.dumps({"command": "info", "url": url, "plugins": {}}))
    return socket


async def next_reload(socket) -> str:
    while True:
        message = await socket.read_message()
        if message is None:
            sys.exit("the livereload connection closed")
        data = json.loads(message)
        if data.get("command") == "reload":
            return data["path"]


def memory_mb(pid: int) -> tuple[float, float]:
    """The process's resident memory now and at its peak so far (VmRSS, VmHWM), in MB."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return (int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024)


def status_kb(pid: int, field: str) -> int:
    try:
        return int(re.search(rf"^{field}:\s+(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M).group(1))
    except (OSError, AttributeError):
        return 0


def tree_rss_mb(pid: int) -> float:
    """The RSS of the process `pid` and of all its descendants with memory of their own, in MB (a child between
    vfork and exec, subprocess starting Pagefind, shares its parent's memory and shows its RSS: not counted)."""
    total, frontier = status_kb(pid, "VmRSS"), [pid]
    while frontier:
        parent = frontier.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(child) for child in Path(f"/proc/{parent}/task/{task}/children").read_text().split()]
            except OSError:
                continue
            for child in children:
                if status_kb(child, "VmSize") != status_kb(parent, "VmSize"):
                    total += status_kb(child, "VmRSS")
                frontier.append(child)
    return total / 1024


class TreePeak:
    """The highest RSS of the server's process tree, sampled every 50 ms in a thread; `take()` starts anew."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0.0
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, tree_rss_mb(self.pid))
            time.sleep(0.05)

    def take(self) -> float:
        peak, self.peak = self.peak, 0.0
        return peak


def edit(seed: Path, number: int) -> None:
    with seed.open("a", encoding="utf-8") as handle:
        handle.write(f"\n\nThe review board of Benchmarkton{number} met again on the same question.\n")


def add(project: Path, article: Path) -> None:
    """A new article: `article` copied into the seeds (an article of its own: its page, its events' and actors'
    pages, new or changed, and their search shards)."""
    (project / "seeds" / f"serve-reload-added-{article.name}").write_bytes(article.read_bytes())


async def one_edit(served: Served, socket, mode: str, seed: Path, number: int, added: Path | None = None) -> dict:
    served.mode_file.write_text(mode)
    served.tree_peak.take()
    cpu0, began = cpu_seconds(served.process.pid), time.perf_counter()
    if added is not None:
        add(seed.parent.parent, added)
    else:
        edit(seed, number)
    path = await next_reload(socket)
    reload_at, cpu_reload = time.perf_counter(), cpu_seconds(served.process.pid)
    summary = served.line_matching(r"files read")
    label = added.name if added is not None else number
    row = {"mode": "added" if added is not None else mode, "edit": label,
           "reload": reload_at - began, "reload cpu": cpu_reload - cpu0,
           "build": float(re.search(r"in ([\d.]+) s$", summary).group(1)), "summary": summary, "path": path}
    if mode == "index after":
        path = await next_reload(socket)
        assert path == SEARCH_UPDATED, path
        row["index"] = time.perf_counter() - reload_at
        row["index cpu"] = cpu_seconds(served.process.pid) - cpu_reload
        row["catch-up line"] = served.line_matching(r"^Search index updated")
    row["rss MB"], row["peak MB"] = memory_mb(served.process.pid)
    row["tree peak MB"] = served.tree_peak.take()
    print(json.dumps(row), flush=True)
    await asyncio.sleep(1.0)
    return row


async def session(served: Served, seed: Path, rounds: int, number: int, after_only: bool = False,
                  added: tuple[Path, ...] = ()) -> list[dict]:
    socket = await connect(served.url)
    await asyncio.sleep(0.5)  # the server adds the client to its waiters on "info"
    await one_edit(served, socket, "index after", seed, number)  # warms the server: not counted
    rows = []
    modes = ("index after",) if after_only else ("index first", "index after")
    for round_number in range(rounds):
        for offset, mode in enumerate(modes):
            rows.append(await one_edit(served, socket, mode, seed, number + 1 + 2 * round_number + offset))
    for article in added:
        rows.append(await one_edit(served, socket, "index after", seed, 0, added=article))
    socket.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--tree", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--rounds", type=int, default=2, help="pairs of edits (index first, index after)")
    parser.add_argument("--after-only", action="store_true", help="every edit 'index after' (serve as it is)")
    parser.add_argument("--add", type=Path, nargs="*", default=[],
                        help="after the edits, one 'index after' round for each of these articles, added to the seeds")
    args = parser.parse_args()
    seeds = sorted(path for path in (args.project / "seeds").iterdir() if path.is_file())
    seed = seeds[len(seeds) // 2]
    mode_file = Path(tempfile.mkstemp(prefix="serve-reload-mode-")[1])
    mode_file.write_text("index after")
    served = Served(args.tree, args.project, mode_file)
    try:
        served.line_matching(r"^Watching ")
        results = asyncio.run(session(served, seed, args.rounds, int(time.time()), args.after_only,
                                      tuple(args.add)))
    finally:
        served.stop()
        mode_file.unlink()
    print("\nmode          reload s (cpu s)   build s   index after the reload s (cpu s)   RSS MB (peak)   tree pk MB")
    for row in results:
        index = f"{row['index']:.2f} ({row['index cpu']:.2f})" if "index" in row else "-"
        memory = f"{row['rss MB']:.0f} ({row['peak MB']:.0f})" if "rss MB" in row else "-"
        print(f"{row['mode']:<12}  {row['reload']:7.2f} ({row['reload cpu']:6.2f})   {row['build']:7.2f}   "
              f"{index:<32}   {memory:<13}   {row['tree peak MB']:.0f}")


if __name__ == "__main__":
    main()
