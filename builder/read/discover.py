"""Find article files under the seeds folder, without following links out of it."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from builder.errors import BuildError
from builder.model import Problem, SeedSource, SourceFile

ARTICLE_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
# Files that sit beside articles but are not articles: ignored without a word.
NOT_ARTICLES = {"readme", "source", "license", "licence", "copying", "changelog", "notice"}
# No news article comes near this; larger files are data dumps or mistakes, and would stall analysis.
MAX_FILE_BYTES = 8 * 1024 * 1024
# Entries of the seeds folder that are not regular files, by what they are: they are never read (a named
# pipe blocks its reader until something writes to it, a device such as /dev/zero never ends).
NOT_REGULAR_FILES = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a folder",
}
NOT_REGULAR = "not a regular file"
UNREADABLE = "cannot be read"


def not_regular_file(mode: int) -> str | None:
    """What a file of this `st_mode` is, if it is not a regular file (the reason it is not read)."""
    if stat.S_ISREG(mode):
        return None
    return f"{NOT_REGULAR} ({NOT_REGULAR_FILES.get(stat.S_IFMT(mode), 'a special file')})"


def read_regular_file(path: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them; OSError with a reader's reason if it
    is no regular file or holds more.

    The file was listed as a regular file of a fitting size, but may have been replaced or grown since: it
    is opened without blocking (a named pipe put in its place must not stall the build) and checked again
    on the open descriptor, and no more than `limit` bytes are ever read (a device must not fill memory)."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(descriptor)
        reason = not_regular_file(info.st_mode)
        if reason is not None:
            raise OSError(errno.EINVAL, reason, path)
        data = _read_at_most(descriptor, info.st_size, limit + 1)
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"file too large (it grew past the limit of {limit:,} bytes)", path)
    return data


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
    path: str  # absolute (a string: tens of thousands are listed on every build, even an unchanged one)
    size: int
    mtime_ns: int
    inode: int


def _read_at_most(descriptor: int, expected: int, most: int) -> bytes:
    """Up to `most` bytes from `descriptor`: one read for a file of the `expected` size (asking for `most` at
    once would allocate it each time: 8 MB per article), more only if the file grew since."""
    parts: list[bytes] = []
    total = 0
    size = min(expected + 1, most)
    while total < most:
        chunk = os.read(descriptor, min(size, most - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        size = max(size, 1 << 16)
    return b"".join(parts)


def _article_entries(folder: str, problems: list[Problem], relative: str = "") -> Iterator[tuple[str, os.DirEntry]]:
    """(relpath, entry) of every article file under `folder`, as os.walk orders them (a folder's own
    files by name, then its sub-folders by name), without entering hidden or linked folders; a sub-folder
    that cannot be listed becomes a problem in `problems`."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as exc:
        if not relative:
            raise BuildError(f"the seeds folder {folder} cannot be read: {exc.strerror or exc}") from None
        problems.append(Problem(_shown_name(relative), f"folder {UNREADABLE}: {exc.strerror or exc}"))
        return
    subfolders = []
    for entry in entries:
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        if is_folder:
            if not entry.name.startswith(".") and not entry.is_symlink():
                subfolders.append(entry)
        elif is_article_name(entry.name):
            yield relative + entry.name, entry
    for entry in subfolders:
        yield from _article_entries(entry.path, problems, f"{relative}{entry.name}/")


def _is_utf8(name: str) -> bool:
    """False for a name with bytes that are not UTF-8 (Python hands them over as lone surrogates, which no
    page, hash or JSON file of the site can hold)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown_name(name: str) -> str:
    """`name` with its bytes that are not UTF-8 written as escapes (`bad\\xff.txt`), to name it in a problem."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def list_seeds(seeds: Path) -> tuple[list[SeedFile], list[Problem]]:
    """Every article file under `seeds`, in os.walk order, without reading it; and the files refused."""
    found: list[SeedFile] = []
    problems: list[Problem] = []
    root = seeds.resolve()
    if not root.is_dir():
        raise BuildError(f"seeds folder not found: {seeds} (give --seeds PATH, or --project with a seeds/ folder)")
    for relpath, entry in _article_entries(str(root), problems):
        if not _is_utf8(relpath):
            problems.append(Problem(_shown_name(relpath), "file name is not valid UTF-8 (rename the file): not read"))
            continue
        if entry.is_symlink():
            target = Path(os.path.realpath(entry.path))  # (not resolve(): a link loop would raise)
            if not target.is_relative_to(root):
                problems.append(Problem(relpath, "symbolic link to a file outside the seeds folder: not followed"))
                continue
        try:
            info = entry.stat()
        except OSError as exc:
            problems.append(Problem(relpath, f"{UNREADABLE}: {exc.strerror or exc}"))
            continue
        not_regular = not_regular_file(info.st_mode)
        if not_regular is not None:
            problems.append(Problem(relpath, f"{not_regular}: not read"))
            continue
        if info.st_size > MAX_FILE_BYTES:
            limit = f"{MAX_FILE_BYTES:,}"
            problems.append(Problem(relpath, f"file too large ({info.st_size:,} bytes; the limit is {limit})"))
            continue
        found.append(SeedFile(relpath, entry.path, info.st_size, info.st_mtime_ns, info.st_ino))
    return found, problems


def is_unreadable(problem: Problem) -> bool:
    """A file that could not be read (read_seed_files's problem), not one refused for what it holds."""
    return problem.reason.startswith(f"{UNREADABLE}: ")


def read_seed_files(found: Sequence[SeedFile | SeedSource]) -> tuple[list[SourceFile], list[Problem]]:
    """The bytes of each listed file, with their hash; files that cannot be read become problems."""
    sources: list[SourceFile] = []
    problems: list[Problem] = []
    for seed in found:
        try:
            data = read_regular_file(seed.path)
        except OSError as exc:
            problems.append(Problem(seed.relpath, f"{UNREADABLE}: {exc.strerror or exc}"))
            continue
        sources.append(SourceFile(seed.relpath, data, hashlib.sha256(data).hexdigest()))
    return sources, problems


def unread_sources(found: list[SeedFile], hashes: list[tuple[str, str]]) -> tuple[list[SeedSource], list[Problem]]:
    """Each listed file as a SeedSource with its content hash (`hashes`: (relpath, hash) of the files that could
    be hashed, builder.cache.SeedHashes), in the order listed; a file that could not be hashed is tried once
    more as read_seed_files tries it, and becomes its problem if it still cannot be read (rare: read again)."""
    known = dict(hashes)
    sources: list[SeedSource] = []
    problems: list[Problem] = []
    for seed in found:
        content_hash = known.get(seed.relpath)
        if content_hash is None:
            read, unreadable = read_seed_files([seed])
            problems += unreadable
            if not read:
                continue
            content_hash = read[0].content_hash
        sources.append(SeedSource(seed.relpath, seed.path, content_hash))
    return sources, problems


def read_seeds(seeds: Path) -> tuple[list[SourceFile], list[Problem]]:
    """Every article file under `seeds`, sorted by path, and the files that could not be read."""
    found, problems = list_seeds(seeds)
    sources, unreadable = read_seed_files(found)
    return sources, problems + unreadable
