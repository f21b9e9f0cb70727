"""What linking worked out last time, kept by everything it was worked out from: an edit rebuild redoes only
the part of that work whose inputs changed.

Linking's costliest parts read one article (or one event's reports) and a few small things of the whole
site: an article's happenings (events.find_happenings) read the article, the actor keys its mentions were
resolved to, the event types and the site's publishers; an article's resolution within itself
(actors._local_resolution) reads the article and the pairs site/curation.toml keeps apart; an event's
combined summary reads its reports and its evidence sentences.  `LinkMemo.recall(parts, make)` returns
make()'s value, or the value it had for the very same `parts` in the previous build: `parts` must name
everything make() reads (an article by its source file and content hash: what the analysis made of it,
given the analysis code and configuration, which the memo as a whole is keyed by: builder.cache).

Values are kept as pickled bytes, made when the value is first made: linking may change the objects it is
handed afterwards (it empties and dates some), and what is recalled is then what make() returned, not what
became of it.  So a recalled value equals a made one, and a link with a memo equals a cold link
(tests/test_link_memo.py).  Only entries recalled or made by this build are kept for the next (`kept`):
the memo does not grow with the edits.  Linking stays a pure function: the memo is read and written by
builder.cache (LinkMemoFile) in the first and last stages of build().
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Mapping, MutableMapping
from typing import TypeVar

T = TypeVar("T")


def memo_key(parts: tuple) -> bytes:
    """A short digest of `parts` (their repr: strings, numbers, tuples of them)."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest()


class LinkMemo:
    """Linking's per-article and per-event results: the previous build's (read only) and this build's."""

    def __init__(self, previous: Mapping[bytes, bytes] | None = None,
                 kept: MutableMapping[bytes, bytes] | None = None) -> None:
        # Plain dicts, or (a build) the previous memo file read entry by entry and this build's entries written
        # to the next one as they are kept (builder.cache.LinkMemoFile): then neither is held in memory.
        self.previous = previous if previous is not None else {}
        self.kept = kept if kept is not None else {}
        self.reused = 0
        self.made = 0

    def recall(self, parts: tuple, make: Callable[[], T], key: bytes | None = None) -> T:
        """`key`: memo_key(parts), when the caller has it already (builder.link.events.NameColumns.digest)."""
        key = memo_key(parts) if key is None else key
        packed = self.kept.get(key)
        if packed is None:
            packed = self.previous.get(key)
            if packed is not None:
                self.kept[key] = packed
        if packed is not None:
            self.reused += 1
            return pickle.loads(packed)
        value = make()
        self.kept[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self.made += 1
        return value

    def carry(self, keys: list[bytes]) -> None:
        """Keep the previous build's entries under `keys` for the next build, unread: the entries a recalled value
        was made from (builder.link.events.MadeEvent.entries), needed again only when it is made again."""
        for key in keys:
            packed = self.previous.get(key)
            if packed is not None:
                self.kept.setdefault(key, packed)

    def previous_value(self, parts: tuple) -> object | None:
        """The value the previous build kept for `parts` (recalled or made there, or kept by `keep`), or None;
        not kept for the next build unless recalled or kept again."""
        packed = self.previous.get(memo_key(parts))
        return None if packed is None else pickle.loads(packed)

    def keep(self, parts: tuple, value: object) -> None:
        """Keep `value` for the next build under `parts`: a whole-site state (builder.link.regroup) whose
        reader checks, part by part, what it still holds (unlike recall's values, it is not its key's function)."""
        self.kept[memo_key(parts)] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def recall(memo: LinkMemo | None, parts: tuple, make: Callable[[], T]) -> T:
    """make(), through `memo` when there is one."""
    return make() if memo is None else memo.recall(parts, make)
