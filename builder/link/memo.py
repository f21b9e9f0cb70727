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
import zlib
from collections.abc import Callable, Collection, Mapping, MutableMapping
from typing import NamedTuple, TypeVar

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
        # The keys of the events (builder.link.events.group_events, before curation) that may differ from the
        # previous build's event of the same key, as made (label, type, date, place, participants, evidence,
        # sources, summary): those made again, not recalled whole; None when not known (no previous state, "site"
        # weights).  Slugs and related events are assigned afterwards to every event, and may change for others.
        self.events_made_anew: frozenset[str] | None = None
        # The actors resolve_actors made this build that may differ from the previous build's actor with their key
        # (actors._made_anew): every other actor is equal to it.  None: not known (a cold resolution, a curation).
        self.actors_made_anew: frozenset[str] | None = None

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


class Shards(NamedTuple):
    """A dict of a whole-site state kept as shards (`keep_shards`): each shard's memo key, and the values a build
    loaded it with, by which `keep_shards` tells a shard that did not change."""

    keys: list[bytes]
    values: list[dict]


def shard_of(key: str, count: int) -> int:
    """The shard of a dict key (a string): stable from build to build (not Python's salted hash)."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % count


def load_shards(memo: LinkMemo, keys: list[bytes]) -> Shards | None:
    """The previous build's shards under `keys` (none recalled for the next build: keep_shards carries them), or
    None when one is missing."""
    values = []
    for key in keys:
        packed = memo.previous.get(key)
        if packed is None:
            return None
        values.append(pickle.loads(packed))
    return Shards(list(keys), values)


def merged(shards: Shards) -> dict:
    """The dict the shards were split from (in another order: a state's reader looks keys up)."""
    whole: dict = {}
    for values in shards.values:
        whole.update(values)
    return whole


def keep_shards(memo: LinkMemo, mapping: dict[str, object], count: int, previous: Shards | None,
                changed: Collection[str] = ()) -> list[bytes]:
    """Keep `mapping` for the next build in `count` shards (shard_of) and return their memo keys.  A shard whose keys
    are the same as in `previous`, whose every value *is* the value `previous` was loaded with and none of whose
    keys is in `changed` is carried, its bytes unread (memo.carry); only the others are pickled, under a digest of
    their bytes.  An edit changes a few shards of a state of 10,000 articles, and so pickles a few per cent of it.
    (A value changed in place since it was loaded must have its key in `changed`: the identity check cannot see
    it.)"""
    split: list[dict] = [{} for _ in range(count)]
    crc32 = zlib.crc32
    for key, value in mapping.items():  # (shard_of, inlined: its call cost as much as its work, ~50,000 keys an edit)
        split[crc32(key.encode("utf-8", "surrogatepass")) % count][key] = value
    same = previous is not None and len(previous.keys) == count
    changed_keys = changed if isinstance(changed, (set, frozenset)) else set(changed)
    keys: list[bytes] = []
    for number, values in enumerate(split):
        before = previous.values[number] if same else None
        if before is not None and before.keys() == values.keys() and all(
                value is before[key] for key, value in values.items()) and changed_keys.isdisjoint(values):
            memo.carry([previous.keys[number]])
            keys.append(previous.keys[number])
            continue
        packed = pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL)
        key = hashlib.blake2b(packed, digest_size=16, person=b"memo shard").digest()
        memo.kept[key] = packed
        keys.append(key)
    return keys
