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
import struct
import tempfile
from array import array
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path

import builder
from builder.model import Problem, Severity
from builder.read.discover import read_regular_file

CACHE_FORMAT = 1


# The code and data one article's analysis depends on (read → clean → analyse, the per-article part of
# linking, and the types they fill): editing a template or the actor linker must not throw away every
# article's analysis.  The per-article part of linking (link/prepare.py) runs the code of shingles.py and
# event_words.py (shingles, content words, trigger words with the built-in event types table), so editing
# those does; duplicates.py and events.py compare articles and import what they share with it from there,
# so editing them does not.  The pipeline (build.py) is not listed: it calls the per-article stages
# (article_stages.py) but makes nothing of one article itself.  tests/test_cache.py runs the per-article stage
# in a fresh interpreter and checks that every module and data file of the builder it loads is listed here.
ANALYSIS_CODE = ("__init__.py", "read", "clean", "analyse", "model.py", "config.py", "errors.py", "cache.py",
                 "article_stages.py", "link/__init__.py", "link/prepare.py", "link/shingles.py", "link/event_words.py",
                 "link/event_types.toml")


CODE_SUFFIXES = (".py", ".toml", ".txt", ".json", ".html", ".css", ".js")


def code_files(names: tuple[str, ...] | None) -> list[Path]:
    """The builder's files a code hash reads, in order: those of `names` (files and folders, relative to the
    builder package), or all of them (None)."""
    root = Path(builder.__file__).parent
    if names is None:
        paths = list(root.rglob("*"))
    else:
        paths = [path for name in names
                 for path in ([root / name] if (root / name).suffix else (root / name).rglob("*"))]
    return [path for path in sorted(paths) if path.suffix in CODE_SUFFIXES and path.is_file()]


def _hash_code(names: tuple[str, ...] | None) -> str:
    digest = hashlib.sha256(str(CACHE_FORMAT).encode())
    root = Path(builder.__file__).parent
    for path in code_files(names):
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
        self.folder_name = str(self.folder)
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
        try:  # (the path as a string: an edit looks up 10,000 entries, and pathlib's joins cost 0.1-0.2 s of them)
            with open(f"{self.folder_name}/{key[:2]}/{key}.pickle", "rb") as handle:
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
                    digest = hashlib.sha256(read_regular_file(seed.path)).hexdigest()
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


MEMO_MAGIC = b"build-site link memo 2\n"
OLD_MEMO_NAME = "link-memo.pickle"  # the memo as one pickle, loaded whole (before session 12): removed when met


class StoredEntries(Mapping[bytes, bytes]):
    """A link memo file's entries, read one by one when asked for (os.pread), not loaded: the builder holds
    their keys and where each lies, not their 100 MB of bytes (at 10,000 articles they were most of what an
    edit's linking held beyond the site, at its memory peak).

    The file: MEMO_MAGIC, the values one after another, then a pickle of (the memo's key, the entry keys,
    where each one's value starts and where it ends: two arrays "Q"), then that pickle's offset as 8 bytes
    (little-endian)."""

    def __init__(self, handle=None, keys: list[bytes] = (), starts: array | None = None,
                 ends: array | None = None) -> None:
        self.handle = handle
        self.position = {key: number for number, key in enumerate(keys)}
        self.starts = starts if starts is not None else array("Q")
        self.ends = ends if ends is not None else array("Q")

    @classmethod
    def read(cls, path: Path, memo_key: str) -> StoredEntries:
        """The entries of the memo file at `path` if it is one and was kept under `memo_key`; else none."""
        handle = None
        try:
            handle = open(path, "rb")  # noqa: SIM115 (kept open: entries are read from it until close())
            size = os.fstat(handle.fileno()).st_size
            if size < len(MEMO_MAGIC) + 8 or handle.read(len(MEMO_MAGIC)) != MEMO_MAGIC:
                raise ValueError("not a link memo file")
            (index_at,) = struct.unpack("<Q", os.pread(handle.fileno(), 8, size - 8))
            key, keys, starts, ends = pickle.loads(os.pread(handle.fileno(), size - 8 - index_at, index_at))
            if key != memo_key or not len(keys) == len(starts) == len(ends) or max(ends, default=0) > index_at:
                raise ValueError("another memo")
            return cls(handle, keys, starts, ends)
        except (OSError, ValueError, TypeError, struct.error, pickle.UnpicklingError, EOFError, AttributeError,
                ImportError):
            if handle is not None:
                handle.close()
            return cls()

    def __getitem__(self, key: bytes) -> bytes:
        number = self.position[key]
        start, end = self.starts[number], self.ends[number]
        data = os.pread(self.handle.fileno(), end - start, start)
        if len(data) != end - start:
            raise KeyError(key)  # (the file was cut short under the build: as if the entry were not kept)
        return data

    def get(self, key: bytes, default: bytes | None = None) -> bytes | None:
        return self[key] if key in self.position else default  # (a miss is common: no exception for it)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.position)

    def __len__(self) -> int:
        return len(self.position)

    def __contains__(self, key: object) -> bool:
        return key in self.position

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


class SpilledEntries(MutableMapping[bytes, bytes]):
    """The entries this build keeps for the next (LinkMemo.kept), written to a new memo file as they are kept
    instead of held: `LinkMemoFile.save` then only writes their index and puts the file in place. A key kept
    again points at its newest value. Reading one back (a value recalled twice) reads it from the file."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix="link-memo.", suffix=".tmp")
        self.path = Path(name)
        self.handle = os.fdopen(fd, "w+b", buffering=1 << 20)
        self.handle.write(MEMO_MAGIC)
        self.end = len(MEMO_MAGIC)
        self.spans: dict[bytes, tuple[int, int]] = {}

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.handle.write(value)
        self.spans[key] = (self.end, self.end + len(value))
        self.end += len(value)

    def __getitem__(self, key: bytes) -> bytes:
        start, end = self.spans[key]
        self.handle.flush()
        return os.pread(self.handle.fileno(), end - start, start)

    def get(self, key: bytes, default: bytes | None = None) -> bytes | None:
        return self[key] if key in self.spans else default  # (a miss is common: no exception for it)

    def __delitem__(self, key: bytes) -> None:
        del self.spans[key]

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.spans)

    def __len__(self) -> int:
        return len(self.spans)

    def __contains__(self, key: object) -> bool:
        return key in self.spans

    def finish(self, memo_key: str) -> Path:
        """Write the index and close the file: a memo file, still under its temporary name. (A value kept
        again leaves its previous one unread in the file: rare, and gone with the next build's file.)"""
        keys = list(self.spans)
        starts = array("Q", [self.spans[key][0] for key in keys])
        ends = array("Q", [self.spans[key][1] for key in keys])
        self.handle.write(pickle.dumps((memo_key, keys, starts, ends), protocol=pickle.HIGHEST_PROTOCOL))
        self.handle.write(struct.pack("<Q", self.end))
        self.handle.close()
        return self.path

    def discard(self) -> None:
        """Close and remove the file unless it was finished and put in place."""
        if not self.handle.closed:
            self.handle.close()
        with suppress(OSError):
            self.path.unlink()


class LinkMemoFile:
    """The link memo (builder.link.memo) of the previous build, in the cache folder: read during linking, and
    this build's written as linking keeps it.  It is kept whole under one key, a hash of the analysis cache's
    key (the per-article code, rules, configuration and event types: what an article's content hash stands
    for) and of all the builder's code: when either changes, the memo is not read.  The memo's own keys name
    the rest of what each entry was made from, so a memo that is read can only save work, never change the site.

    `entries()` gives the previous build's entries (StoredEntries: read from the file as asked for) and where
    this build's go (SpilledEntries: a new file, written as they are kept); `save` puts the new file in place."""

    def __init__(self, folder: Path, context: object) -> None:
        self.folder = folder
        self.file = folder / "link-memo.entries"
        self.key = hashlib.sha256((AnalysisCache(folder, context).salt + builder_fingerprint()).encode()).hexdigest()

    def load(self) -> StoredEntries:
        """The previous build's entries, read from the file as they are asked for (close() them when done)."""
        return StoredEntries.read(self.file, self.key)

    @contextmanager
    def entries(self) -> Iterator[tuple[StoredEntries, SpilledEntries]]:
        """(the previous build's entries, this build's, spilled to a new file): both closed at the end, the new
        file removed unless `save` put it in place."""
        previous = self.load()
        try:
            kept = SpilledEntries(self.folder)
        except OSError:
            previous.close()
            raise
        try:
            yield previous, kept
        finally:
            previous.close()
            kept.discard()

    def save(self, entries: Mapping[bytes, bytes]) -> None:
        """Put `entries` in place as the memo the next build reads (a cache that cannot be written only costs
        time)."""
        try:
            if not isinstance(entries, SpilledEntries):
                spilled = SpilledEntries(self.folder)
                for key, value in entries.items():
                    spilled[key] = value
                entries = spilled
            os.replace(entries.finish(self.key), self.file)
        except OSError:
            if isinstance(entries, SpilledEntries):
                entries.discard()
            return
        with suppress(OSError):
            (self.folder / OLD_MEMO_NAME).unlink()
