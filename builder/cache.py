"""Analysis cache: one entry per article, keyed by content hash + what analysis depends on.

The key covers the article's bytes, the builder's own code, the cleaning rules
and the configuration, so any change to one of them invalidates exactly the
entries it could affect (here: all of them for code/rules/config changes).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path

import builder
from builder.model import Problem, Severity

CACHE_FORMAT = 1


# The code and data one article's analysis depends on (read → clean → analyse, the per-article part of
# linking, and the types they fill): editing a template or the actor linker must not throw away every
# article's analysis.  The per-article part of linking (link/prepare.py) runs code of duplicates.py and
# events.py (shingles, content words, trigger words with the built-in event types table), so editing
# those two does.
ANALYSIS_CODE = ("read", "clean", "analyse", "model.py", "config.py", "errors.py", "cache.py", "build.py",
                 "link/prepare.py", "link/duplicates.py", "link/events.py", "link/event_types.toml")


def _hash_code(names: tuple[str, ...] | None) -> str:
    digest = hashlib.sha256(str(CACHE_FORMAT).encode())
    root = Path(builder.__file__).parent
    if names is None:
        paths = list(root.rglob("*"))
    else:
        paths = [path for name in names
                 for path in ([root / name] if (root / name).suffix else (root / name).rglob("*"))]
    for path in sorted(paths):
        if path.suffix in (".py", ".toml", ".txt", ".json", ".html", ".css", ".js") and path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def code_fingerprint() -> str:
    """Hash of the per-article stages' source and data files: changing them invalidates the analysis cache."""
    return _hash_code(ANALYSIS_CODE)


@cache
def builder_fingerprint() -> str:
    """Hash of all the builder's code and data: changing any of it means the site must be rebuilt."""
    return _hash_code(None)


class AnalysisCache:
    def __init__(self, folder: Path, context: object) -> None:
        self.folder = folder / "analysis"
        self.salt = hashlib.sha256(
            (code_fingerprint() + repr(context)).encode("utf-8")
        ).hexdigest()

    def key(self, content_hash: str, suffix: str) -> str:
        """The entry of a file's bytes read as a file of kind `suffix` (".md": which reader reads it).

        The file's name is not part of the key: the per-article stages depend on the bytes and on the reader the
        suffix chooses, and the name only labels what they make (Article.source_file, Problem.path), which
        `builder.parallel` puts right when an entry made for one name is used for another.  So the same article
        saved twice under two names, or moved, is analysed once."""
        return hashlib.sha256(f"{self.salt}\0{content_hash}\0{suffix}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> object | None:
        try:
            with open(self._path(key), "rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def put(self, key: str, value: object) -> None:
        _pickle_to(self._path(key), value)


def _pickle_to(path: Path, value: object) -> None:
    """`value` pickled into `path`, whole or not at all (a temporary file renamed over it)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written only costs time


def _problems_file(folder: Path) -> Path:
    return folder / "last-build-problems.json"


def remember_problems(folder: Path, fingerprint: str, problems: list[Problem]) -> None:
    """Keep the last build's problems, so an up-to-date rebuild can still report them."""
    record = {"fingerprint": fingerprint, "problems": [[p.path, p.reason, p.severity.value, p.skipped]
                                                        for p in problems]}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _problems_file(folder).write_text(json.dumps(record), encoding="utf-8")
    except OSError:
        pass


def recall_problems(folder: Path, fingerprint: str) -> list[Problem]:
    try:
        record = json.loads(_problems_file(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if record.get("fingerprint") != fingerprint:
        return []
    return [
        Problem(path, reason, Severity(severity), skipped) for path, reason, severity, skipped in record["problems"]
    ]


class SeedHashes:
    """Content hashes of the seed files, remembered with what `stat` said of each file.

    A file whose size, modification time and inode are unchanged is not read again, so checking
    whether ten thousand articles changed costs a walk of the folder, not reading every byte."""

    def __init__(self, folder: Path) -> None:
        self.file = folder / "seed-hashes.json"
        try:
            self.known: dict[str, list] = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}

    def hashes(self, found: list) -> list[tuple[str, str]]:
        """(relpath, sha256 of the bytes) for each SeedFile; unreadable files are left out."""
        result: list[tuple[str, str]] = []
        fresh: dict[str, list] = {}
        for seed in found:
            stamp = [seed.size, seed.mtime_ns, seed.inode]
            entry = self.known.get(seed.relpath)
            if entry is not None and entry[:3] == stamp:
                digest = entry[3]
            else:
                try:
                    digest = hashlib.sha256(Path(seed.path).read_bytes()).hexdigest()
                except OSError:
                    continue
            fresh[seed.relpath] = [*stamp, digest]
            result.append((seed.relpath, digest))
        if fresh != self.known:
            try:
                self.file.parent.mkdir(parents=True, exist_ok=True)
                self.file.write_text(json.dumps(fresh, sort_keys=True), encoding="utf-8")
            except OSError:
                pass  # a cache that cannot be written only costs time
        return result


class LinkMemoFile:
    """The link memo (builder.link.memo) of the previous build, in the cache folder: read before linking,
    written after.  It is kept whole under one key, a hash of the analysis cache's key (the per-article code,
    rules, configuration and event types: what an article's content hash stands for) and of all the builder's
    code: when either changes, the memo is not read.  The memo's own keys name the rest of what each entry
    was made from, so a memo that is read can only save work, never change the site."""

    def __init__(self, folder: Path, context: object) -> None:
        self.file = folder / "link-memo.pickle"
        self.key = hashlib.sha256((AnalysisCache(folder, context).salt + builder_fingerprint()).encode()).hexdigest()

    def load(self) -> dict[bytes, bytes]:
        try:
            with open(self.file, "rb") as handle:
                key, entries = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
            return {}
        return entries if key == self.key and isinstance(entries, dict) else {}

    def save(self, entries: dict[bytes, bytes]) -> None:
        _pickle_to(self.file, (self.key, entries))
