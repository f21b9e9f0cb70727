"""The actors seen with each actor (Actor.co_actors), worked out again after an edit only for the actors whose
list may have changed: the same lists as a cold link.

An actor's list reads the articles naming it (each article's set of actor keys) and the names of the actors named
with it (the ties' order).  Against the previous build's lists (a CoActorState kept in the link memo,
builder/link/memo.py), an actor's list is worked out again when

- an article naming it (now or in the previous build) was added, removed, or names another set of actors (an
  edit, or an article naming an actor whose names were grouped otherwise: its key changed);
- an actor named with it changed its name (a tie may break the other way);
- it is new;

every other actor reads the very same articles and names as before, so it keeps its list.  Which articles name
another set of actors than before is the caller's to say (`moved`: actors.resolve_actors reads it off the previous
build's actor keys of each article, which it holds anyway): the state keeps only the names and the lists.  Without
a state, or without `moved`, every list is worked out (tests/test_rejoin.py checks edits, additions and deletions
against a cold link).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from itertools import chain
from typing import NamedTuple

from builder.link.memo import LinkMemo, Shards, keep_shards, load_shards, merged
from builder.model import Actor

STATE_FORMAT = 3  # 3: no article's actor keys (`moved` says which changed)
MAX_CO_ACTORS = 10


class CoActorState(NamedTuple):
    """What the co-actor lists keep for the next build: the lists in shards (builder.link.memo.keep_shards), so that an
    edit pickles again only the shards holding an actor whose list changed."""

    names: dict[str, str]  # each actor's name
    lists: list[bytes]  # the shards of: each actor's co-actors


SHARDS = 64


def co_actors(key: str, positions: list[int], article_actors: list[set[str]],
              actors: dict[str, Actor]) -> list[tuple[str, int]]:
    """The actors named most often in the articles naming `key`: the first MAX_CO_ACTORS of the full sort
    (the sort key has no ties), counted for one actor at a time (never a count for every pair of actors
    held at once), and sorted among those that can make the cut only."""
    seen_with = Counter(chain.from_iterable(map(article_actors.__getitem__, positions)))  # one counting pass, in C
    seen_with.pop(key, None)
    items = list(seen_with.items())
    if len(items) > MAX_CO_ACTORS:
        cutoff = heapq.nlargest(MAX_CO_ACTORS, seen_with.values())[-1]
        items = [item for item in items if item[1] >= cutoff]
    return heapq.nsmallest(MAX_CO_ACTORS, items, key=lambda kv: (-kv[1], actors[kv[0]].name, kv[0]))


def all_co_actors(actors: dict[str, Actor], article_actors: list[set[str]], articles_of: dict[str, list[int]],
                  memo: LinkMemo | None, moved: set[str] | None = None,
                  tag: bytes = b"", changed: set[str] | None = None) -> dict[str, list[tuple[str, int]]]:
    """Each actor's co-actors (`co_actors`); with `memo`, the previous build's where they cannot have changed
    (see the module's docstring), and this build's kept for the next.  `article_actors`: the actor keys each
    article names; `articles_of`: each actor's articles, as positions in that list; `moved`: the actors named (now
    or in the build that kept the memo's state) by an article added, removed or naming another set of actors since
    (None: not known); `tag`: what else the lists depend on (the curation); `changed` gets the actors whose list is
    not the previous build's (or that had none)."""
    state_parts = ("co-actors", STATE_FORMAT, tag)
    previous = _previous_state(memo, state_parts) if moved is not None else None
    again: Iterable[str] = actors
    if previous is not None:
        again = _to_work_out(actors, article_actors, articles_of, moved, previous)
    lists = dict(previous.lists) if previous is not None else {}
    for key in again:
        made = co_actors(key, articles_of.get(key, []), article_actors, actors)
        if changed is not None and lists.get(key) != made:
            changed.add(key)
        lists[key] = made
    lists = {key: lists[key] for key in actors}
    if memo is not None:
        memo.keep(state_parts, CoActorState(
            {key: actor.name for key, actor in actors.items()},
            keep_shards(memo, lists, SHARDS, previous.lists_shards if previous is not None else None)))
    return lists


class _Previous(NamedTuple):
    """The previous build's CoActorState, its shards read (and the shards as loaded, for keep_shards)."""

    names: dict[str, str]
    lists: dict[str, list[tuple[str, int]]]
    lists_shards: Shards


def _previous_state(memo: LinkMemo | None, parts: tuple) -> _Previous | None:
    kept = memo.previous_value(parts) if memo is not None else None
    if not isinstance(kept, CoActorState):
        return None
    lists = load_shards(memo, kept.lists)
    if lists is None:
        return None
    return _Previous(kept.names, merged(lists), lists)


def _to_work_out(actors: dict[str, Actor], article_actors: list[set[str]], articles_of: dict[str, list[int]],
                 moved: set[str], previous: _Previous) -> set[str]:
    """The actors whose co-actors may differ from `previous`'s (see the module's docstring)."""
    again = {key for key in actors if key not in previous.lists}
    again |= moved
    for key, actor in actors.items():
        if previous.names.get(key, actor.name) != actor.name:
            for position in articles_of.get(key, []):
                again |= article_actors[position]
    return again & actors.keys()
