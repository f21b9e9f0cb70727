"""What a `build-site serve` process keeps from one rebuild to the next (`WarmState`), used by the next rebuild
only where it is exactly what the disk would give.

A rebuild in `serve` is an edit rebuild like `build-site build`'s, but in a process that stays: what the
previous rebuild loaded or wrote is still in memory.  At 10,000 articles a rebuild loaded every analysis from
the pack (~1 s of CPU, unpickling 10,000 articles) and parsed the page keys file (24.5 MB of JSON) and its
delta again, though the process had them a few seconds earlier.  So:

- `WarmAnalyses`: the analyses the last rebuild used, by analysis cache key (the key names everything an
  analysis is a function of: the file's bytes, the per-article code, the rules, the config), and which keys
  the pack file holds (`builder.analysis_pack`).  Used only while the pack file is the one that rebuild
  loaded or wrote (same size, time and inode, same salt); otherwise the pack is read from the disk as in any
  build.  Each build is handed copies: linking sets fields on the articles it is given (slug, copies, link
  features dropped), and the kept ones must stay as the cache gave them.
- `WarmKeys`: the page keys as the last rebuild recorded them (`builder.page_keys.RecordedKeys`), used while
  the keys file and its delta are the very files it wrote (size, time and inode of each).

The disk is still written as by any build (the pack, the keys, the memo): a later `build-site build` or a
restarted server finds the same state.  What only the next build reads (the page keys, the problems recalled
when nothing changed) is written once the browser has reloaded (`WarmState.finish_writing`, in the rebuild
thread: the next rebuild starts after it, and writes it itself if it was not written).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from builder.model import Article, LinkFeatures

FileState = tuple[int, int, int]  # size, modification time (ns), inode


def file_state(path: Path) -> FileState | None:
    """What says a file is the one seen before: its size, modification time and inode (None: no such file)."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns, found.st_ino


def fresh_copy(entry: object) -> object:
    """An analysis cache entry as a build may change it: an article's own copy (its fields are set by linking:
    slug, copies, events, its link features dropped; its link features' signature and words dropped in place),
    sharing the rest, which no stage changes in place (tests/test_serve_warm.py checks that the kept ones stay as
    the cache has them); a problem as it is (frozen)."""
    if type(entry) is not Article:
        return entry
    article = _new(Article)  # (copy.copy's result, without its __reduce_ex__: 10,000 articles each rebuild)
    article.__dict__.update(entry.__dict__)
    features = entry.link_features
    if features is not None:
        article.link_features = LinkFeatures(*_link_feature_fields(features))
    return article


_new = object.__new__
_link_feature_fields = attrgetter(*LinkFeatures.__slots__)


@dataclass
class WarmAnalyses:
    """The pack's entries as the last build left the pack file (its state), by cache key: the analyses it used
    and those it held unused; never handed to a build (`fresh_copy`)."""

    salt: str = ""
    entries: dict[str, object] = field(default_factory=dict)
    pack_state: FileState | None = None

    def usable(self, salt: str, pack_state: FileState | None) -> bool:
        """Whether the kept analyses stand for the pack file now in `pack_state`: the same salt, the same file."""
        return bool(self.entries) and self.salt == salt and pack_state is not None and pack_state == self.pack_state

    def keep(self, salt: str, entries: dict[str, object], pack_state: FileState | None) -> None:
        """`entries`: what the pack file in `pack_state` holds (each entry as the cache gave it)."""
        self.salt, self.entries, self.pack_state = salt, entries, pack_state

    def forget(self) -> None:
        self.entries, self.pack_state = {}, None


@dataclass
class WarmKeys:
    """The page keys as the last build recorded them (a `builder.page_keys.RecordedKeys`: what reading the keys
    file and its delta back gives), the keys file's path, and the states of it and of its delta (None: there is
    none) just after they were written."""

    recorded: object | None = None
    keys_path: Path | None = None
    keys_state: FileState | None = None
    delta_state: FileState | None = None

    def keep(self, keys_path: Path, recorded: object, keys_state: FileState | None,
             delta_state: FileState | None) -> None:
        self.keys_path, self.recorded, self.keys_state, self.delta_state = keys_path, recorded, keys_state, delta_state

    def forget(self) -> None:
        self.recorded, self.keys_path, self.keys_state, self.delta_state = None, None, None, None


@dataclass
class WarmState:
    """What one `serve` process keeps between its rebuilds (module docstring), and what a build left to write that
    only the next build reads (the page keys, the problems to report when nothing changes): `serve` writes it
    once the browser has reloaded (`finish_writing`), and the next build, or the server stopping, does if it
    has not been done yet."""

    analyses: WarmAnalyses = field(default_factory=WarmAnalyses)
    keys: WarmKeys = field(default_factory=WarmKeys)
    unwritten: list[Callable[[], None]] = field(default_factory=list)
    # Whether what the last build left of its site has been collected: see `finish_writing`.
    collected: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def build_starts(self) -> None:
        """Called as a build starts: what the previous one left is written and collected first."""
        self.finish_writing()
        self.collected = False

    def write_later(self, *writes: Callable[[], None]) -> None:
        with self.lock:
            self.unwritten.extend(writes)

    def finish_writing(self) -> None:
        """Write what the last build left to write (in order; once: a failure is raised, and not tried again —
        the page keys not written, the next build renders every page, as after a failed build), then collect
        what that build left: the next build freezes what is alive when it starts (builder.gc_policy), and the
        previous site's objects in reference cycles, not collected yet, were frozen with it and never freed
        (the server grew by ~60 MB an edit at 10k)."""
        from builder.memory import return_free_memory

        with self.lock:
            writes, self.unwritten = self.unwritten, []
            try:
                for write in writes:
                    write()
            finally:
                if not self.collected:
                    return_free_memory()
                    self.collected = True
