"""Scale benchmark: build-site against Pelican on 1k / 10k / 50k real-text articles.

    .venv/bin/python bench/scale.py --sizes 1000 10000 --runs 3 1

Builds synthetic corpora outside the repository from the real texts in
../shared/data (news-2016 and bbc-news): each synthetic article mixes paragraphs
of several different real articles, so duplicate detection cannot fold the
corpus back to a few thousand.  Every measurement is a whole process, repeated,
and the median is reported: cold build, no-change rebuild, rebuild after one
article is edited, rebuild after one is added, peak RSS, time per stage; then
Pelican (no NLP at all) on the same articles, and the physical floor (reading
the input and writing as many bytes, no processing).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import threading
import time
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from peak_rss import processes, tree  # bench/ is the script's own folder

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("BUILD_SITE_DATA", REPO.parent / "shared" / "data"))
PYTHON = sys.executable
SOURCES = ["Reuters", "Associated Press", "BBC News", "The New York Times", "CNN", "WIRED"]


@dataclass
class Text:
    title: str
    paragraphs: list[str]


def real_texts() -> list[Text]:
    """Headlines and paragraphs of every news-2016 post and bbc-news article."""
    texts: list[Text] = []
    for path in sorted((DATA / "news-2016").glob("*.md")):
        raw = path.read_text(encoding="utf-8", errors="replace")
        parts = raw.split("---", 2)
        if len(parts) < 3:
            continue
        title = re.search(r"post_title:\s*['\"]?(.*?)['\"]?\s*$", parts[1], re.M)
        paragraphs = [
            unescape(re.sub(r"<[^>]+>", " ", p)).strip()
            for p in re.findall(r"<p[^>]*>(.*?)</p>", parts[2], re.S)
        ]
        paragraphs = [" ".join(p.split()) for p in paragraphs if len(p.split()) >= 8]
        if title and paragraphs:
            texts.append(Text(unescape(title.group(1)), paragraphs))
    with tarfile.open(DATA / "bbc-news" / "bbc-news-shared.tar.gz") as archive:
        for member in sorted(archive.getmembers(), key=lambda m: m.name):
            if member.isfile() and member.name.startswith("articles/") and member.name.endswith(".txt"):
                raw = archive.extractfile(member).read().decode("utf-8", errors="replace")
                lines = [line.strip() for line in raw.splitlines() if line.strip()]
                if len(lines) > 2:
                    texts.append(Text(lines[0], lines[1:]))
    return texts


def make_corpus(size: int, folder: Path, pelican_folder: Path) -> int:
    """Write `size` synthetic articles as our Markdown posts and as Pelican posts; return distinct bodies."""
    texts = real_texts()
    rng = random.Random(size)
    for target in (folder, pelican_folder):
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
    bodies: set[int] = set()
    for number in range(size):
        head = texts[number % len(texts)]
        others = rng.sample(texts, 2)
        paragraphs = head.paragraphs[:3] + [p for other in others for p in other.paragraphs[:3]]
        title = f"{head.title} ({number})" if number >= len(texts) else head.title
        day = f"2016-{1 + number % 12:02d}-{1 + number % 28:02d} {number % 24:02d}:00:00"
        source = SOURCES[number % len(SOURCES)]
        body = "\n\n".join(paragraphs)
        bodies.add(hash(body))
        safe_title = title.replace('"', "'")
        (folder / f"{number:06d}.md").write_text(
            f'---\ntitle: "{safe_title}"\ndate: {day}\nsource: {source}\n---\n\n{body}\n', encoding="utf-8"
        )
        (pelican_folder / f"{number:06d}.md").write_text(
            f"Title: {title}\nDate: {day}\nCategory: {source}\nSlug: post-{number}\n\n{body}\n", encoding="utf-8"
        )
    return len(bodies)


def tree_rss_kb(root: int) -> int:
    """Resident memory of a process and all its descendants now, in KB (Linux /proc)."""
    return sum(rss for rss, _ in tree(root, processes()).values())


@dataclass
class Run:
    seconds: float  # wall
    cpu: float  # user + system seconds of the whole process tree (workers and Pagefind included)
    peak_mb: int  # peak resident memory of the whole process tree
    load: float  # the machine's 1-minute load average when the run ended
    output: str  # stdout + stderr


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path | None = None) -> Run:
    """Run a whole process: wall and CPU seconds, peak RSS of the whole process tree, its output.

    The tree's resident memory (the builder and its --jobs workers together) is sampled every 0.1 s.  CPU is
    what every waited-for descendant used (RUSAGE_CHILDREN): on a shared machine wall time grows with the
    load, CPU time much less, so both are printed."""
    started, cpu_before = time.perf_counter(), _children_cpu()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak_kb = 0
    output_parts: list[str] = []
    reader = threading.Thread(target=lambda: output_parts.append(process.stdout.read()), daemon=True)
    reader.start()
    while process.poll() is None:
        peak_kb = max(peak_kb, tree_rss_kb(process.pid))
        time.sleep(0.1)
    reader.join()
    seconds = time.perf_counter() - started
    output = "".join(output_parts)
    if process.returncode != 0:
        raise SystemExit(f"command failed: {' '.join(command)}\n{output[-3000:]}")
    return Run(seconds, _children_cpu() - cpu_before, peak_kb // 1024, os.getloadavg()[0], output)


def stage_times(output: str) -> dict[str, float]:
    return {name: float(value) for name, value in re.findall(r"^\s+([a-z+]+)\s+([\d.]+) s$", output, re.M)}


def ensure_pelican(workdir: Path) -> Path:
    venv = workdir / "pelican-venv"
    pelican = venv / "bin" / "pelican"
    if not pelican.exists():
        subprocess.run([PYTHON, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "pelican[markdown]"], check=True)
    return pelican


def physical_floor(corpus: Path, output: Path, files: int, total_bytes: int) -> float:
    """Read every input byte, then write `total_bytes` into `files` fresh files: the I/O alone."""
    shutil.rmtree(output, ignore_errors=True)
    output.mkdir(parents=True)
    started = time.perf_counter()
    data = b"".join(path.read_bytes() for path in sorted(corpus.iterdir()))
    size = max(1, total_bytes // max(files, 1))
    block = (data * (size // max(len(data), 1) + 1))[:size]
    for number in range(files):
        (output / f"{number}.html").write_bytes(block)
    return time.perf_counter() - started


def median(values: list[float]) -> float:
    return statistics.median(values)


def bench_size(size: int, runs: int, workdir: Path, jobs: int | None, rebuilds: bool = True) -> None:
    project = workdir / f"project-{size}"
    seeds = project / "seeds"
    pelican_content = workdir / f"pelican-{size}" / "content"
    distinct = make_corpus(size, seeds, pelican_content)
    output = project / "output"
    cache = project / ".cache"
    build = [PYTHON, "-m", "builder", "--project", str(project), "-v"] + (["--jobs", str(jobs)] if jobs else [])

    cold: list[Run] = []
    for _ in range(runs):
        shutil.rmtree(output, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(project / f".{output.name}.build-site-tmp", ignore_errors=True)  # the kept generation
        cold.append(timed(build))
    built = re.search(r"(\d+) articles built", cold[-1].output)
    nochange = [timed(build) for _ in range(runs)]
    edited: list[Run] = []
    added: list[Run] = []
    victim = sorted(seeds.iterdir())[size // 2]
    # The first edit after a cold build has no previous generation to patch (builder/write.py): it stages every
    # kept file.  An author editing again and again meets the later ones, so both are measured.
    for run in range(runs + 1 if rebuilds else 0):
        victim.write_text(victim.read_text(encoding="utf-8") + f"\nAn edited sentence number {run}.\n", "utf-8")
        edited.append(timed(build))
    first_edit, edited = edited[:1], edited[1:]
    for run in range(runs if rebuilds else 0):
        (seeds / f"added-{run}.md").write_text(
            f'---\ntitle: "Added article {run}"\ndate: 2016-03-0{run + 1}\n---\n\nA new article body, '
            f"with a sentence about Kim Jong Un in Pyongyang number {run}.\n",
            encoding="utf-8",
        )
        added.append(timed(build))

    pelican = ensure_pelican(workdir)
    settings = workdir / f"pelican-{size}" / "pelicanconf.py"
    settings.write_text('SITENAME = "bench"\nTIMEZONE = "UTC"\nDEFAULT_LANG = "en"\n'
                        'CACHE_CONTENT = True\nLOAD_CONTENT_CACHE = True\n')
    pelican_cold: list[Run] = []
    pelican_rebuilds: list[Run] = []
    for run in range(runs):
        out_dir = workdir / f"pelican-{size}" / f"output-{run}"
        shutil.rmtree(out_dir, ignore_errors=True)
        shutil.rmtree(workdir / f"pelican-{size}" / "cache", ignore_errors=True)
        pelican_build = [str(pelican), str(pelican_content), "-o", str(out_dir), "-s", str(settings), "-q"]
        pelican_cold.append(timed(pelican_build, cwd=settings.parent))
        # Like for like with our rebuilds: Pelican again into its existing output, with its content cache.
        pelican_rebuilds.append(timed(pelican_build, cwd=settings.parent))
    written = [path for path in output.rglob("*") if path.is_file()]
    pages = len(written)
    floor = physical_floor(seeds, workdir / f"floor-{size}", pages, sum(p.stat().st_size for p in written))

    print(f"\n== {size:,} articles ({distinct:,} distinct bodies; {built.group(1) if built else '?'} built; "
          f"{pages:,} output files)")
    print("  (wall s = median; cpu = user+system s of the whole process tree, median; load = 1-min load average)")
    _line("cold build", cold)
    _line("no-change rebuild", nochange)
    if rebuilds:
        rewritten = re.search(r"([\d,]+) pages written \(([\d,]+) unchanged", edited[-1].output)
        _line("one article edited", edited, f"edits after the first; last run: "
              f"{rewritten.group(1) if rewritten else '?'} files rewritten, "
              f"{rewritten.group(2) if rewritten else '?'} kept with their modification time")
        print("    stages (edited, median): " + _stages(edited))
        _line("first edit after cold", first_edit, "no previous generation kept yet: every kept file staged")
        _line("one article added", added)
    print(f"  peak RSS (cold)       {max(r.peak_mb for r in cold):8d} MB   "
          "(the whole process tree: builder, workers, Pagefind)")
    print("  stages (cold, median): " + _stages(cold))
    pelican_peak = max(r.peak_mb for r in pelican_cold)
    _line("Pelican cold", pelican_cold, f"no NLP; fresh output folder; peak RSS {pelican_peak} MB")
    _line("Pelican rebuild", pelican_rebuilds, "nothing changed; content cache, existing output folder")
    wall = median([r.seconds for r in cold]) / median([r.seconds for r in pelican_cold])
    cpu = median([r.cpu for r in cold]) / median([r.cpu for r in pelican_cold])
    print(f"  ratio ours/Pelican    {wall:8.2f}     (CPU seconds: {cpu:.2f})")
    print(f"  physical floor        {floor:8.2f} s   (read input, write the same output bytes and files)")


def _line(label: str, runs: list[Run], note: str = "") -> None:
    wall = median([r.seconds for r in runs])
    cpu = median([r.cpu for r in runs])
    each = ", ".join(f"{r.seconds:.2f}" for r in runs)
    loads = ", ".join(f"{r.load:.1f}" for r in runs)
    print(f"  {label:<21} {wall:8.2f} s   cpu {cpu:8.2f} s   (runs: {each}; load {loads})"
          + (f"\n    {note}" if note else ""))


def _stages(runs: list[Run]) -> str:
    stages = [stage_times(r.output) for r in runs]
    return ", ".join(f"{name} {median([s.get(name, 0.0) for s in stages]):.2f} s" for name in stages[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, nargs="+", default=[3],
                        help="runs of each measurement, one number for every size or one per size (--runs 3 1)")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--no-rebuilds", dest="rebuilds", action="store_false",
                        help="skip the edited / added rebuilds (each costs about a cold build's link and render)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/build-site-bench"))
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"real data not found at {DATA} (set BUILD_SITE_DATA)")
    args.workdir.mkdir(parents=True, exist_ok=True)
    if len(args.runs) not in (1, len(args.sizes)):
        parser.error("--runs takes one number, or one per size")
    runs = args.runs * len(args.sizes) if len(args.runs) == 1 else args.runs
    print(f"build-site scale benchmark: {os.cpu_count()} cores, runs={runs}, workdir={args.workdir}")
    for size, size_runs in zip(args.sizes, runs, strict=True):
        bench_size(size, size_runs, args.workdir, args.jobs, args.rebuilds)


if __name__ == "__main__":
    main()
