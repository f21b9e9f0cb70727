"""Find article files under the seeds folder, without following links out of it."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from builder.errors import BuildError
from builder.model import Problem, SourceFile

ARTICLE_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
# Files that sit beside articles but are not articles: ignored without a word.
NOT_ARTICLES = {"readme", "source", "license", "licence", "copying", "changelog", "notice"}
# No news article comes near this; larger files are data dumps or mistakes, and would stall analysis.
MAX_FILE_BYTES = 8 * 1024 * 1024


def is_article_name(name: str) -> bool:
    if name.startswith(".") or name.startswith("~"):
        return False
    stem, _, suffix = name.rpartition(".")
    if not stem or f".{suffix.lower()}" not in ARTICLE_SUFFIXES:
        return False
    return stem.lower() not in NOT_ARTICLES


@dataclass(frozen=True)
class SeedFile:
    """An article file found under the seeds folder, not yet read: its path and what `stat` says of it."""

    relpath: str
    path: Path
    size: int
    mtime_ns: int
    inode: int


def list_seeds(seeds: Path) -> tuple[list[SeedFile], list[Problem]]:
    """Every article file under `seeds`, sorted by path, without reading it; and the files refused."""
    found: list[SeedFile] = []
    problems: list[Problem] = []
    root = seeds.resolve()
    if not root.is_dir():
        raise BuildError(f"seeds folder not found: {seeds} (give --seeds PATH, or --project with a seeds/ folder)")
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not is_article_name(name):
                continue
            path = Path(folder) / name
            relpath = path.relative_to(root).as_posix()
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(root):
                    problems.append(Problem(relpath, "symbolic link to a file outside the seeds folder: not followed"))
                    continue
            try:
                stat = path.stat()
            except OSError as exc:
                problems.append(Problem(relpath, f"cannot be read: {exc.strerror or exc}"))
                continue
            if stat.st_size > MAX_FILE_BYTES:
                limit = f"{MAX_FILE_BYTES:,}"
                problems.append(Problem(relpath, f"file too large ({stat.st_size:,} bytes; the limit is {limit})"))
                continue
            found.append(SeedFile(relpath, path, stat.st_size, stat.st_mtime_ns, stat.st_ino))
    return found, problems


def read_seed_files(found: list[SeedFile]) -> tuple[list[SourceFile], list[Problem]]:
    """The bytes of each listed file, with their hash; files that cannot be read become problems."""
    sources: list[SourceFile] = []
    problems: list[Problem] = []
    for seed in found:
        try:
            data = seed.path.read_bytes()
        except OSError as exc:
            problems.append(Problem(seed.relpath, f"cannot be read: {exc.strerror or exc}"))
            continue
        sources.append(SourceFile(seed.relpath, data, hashlib.sha256(data).hexdigest()))
    return sources, problems


def read_seeds(seeds: Path) -> tuple[list[SourceFile], list[Problem]]:
    """Every article file under `seeds`, sorted by path, and the files that could not be read."""
    found, problems = list_seeds(seeds)
    sources, unreadable = read_seed_files(found)
    return sources, problems + unreadable
