"""Find article files under the seeds folder, without following links out of it."""

from __future__ import annotations

import hashlib
import os
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


def read_seeds(seeds: Path) -> tuple[list[SourceFile], list[Problem]]:
    """Every article file under `seeds`, sorted by path, and the files that could not be read."""
    sources: list[SourceFile] = []
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
                size = path.stat().st_size
                if size > MAX_FILE_BYTES:
                    limit = f"{MAX_FILE_BYTES:,}"
                    problems.append(Problem(relpath, f"file too large ({size:,} bytes; the limit is {limit})"))
                    continue
                data = path.read_bytes()
            except OSError as exc:
                problems.append(Problem(relpath, f"cannot be read: {exc.strerror or exc}"))
                continue
            sources.append(SourceFile(relpath, data, hashlib.sha256(data).hexdigest()))
    return sources, problems
