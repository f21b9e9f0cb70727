"""The actors seen with each actor (Actor.co_actors), worked out again after an edit only for the actors whose
list may have changed: the same lists as a cold link.

An actor's list reads the articles naming it (each article's set of actor keys) and the names of the actors named
with it (the ties' order).  Against the previous build's lists (kept with its actors in the link memo:
builder.link.kept_actors), an actor's list is worked out again when

- an article naming it (now or in the previous build) was added, removed, or names another set of actors (an
  edit, or an article naming an actor whose names were grouped otherwise: its key changed);
- an actor named with it changed its name (a tie may break the other way);
- it is new;

every other actor reads the very same articles and names as before, so it keeps its list.  Which articles name
another set of actors than before is the caller's to say (`moved`: actors.resolve_actors reads it off the previous
build's actor keys of each article, which it holds anyway), and the previous build's names and lists too
(builder.link.kept_actors keeps them with each actor).  Without them, every list is worked out
(tests/test_rejoin.py checks edits, additions and deletions against a cold link).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import chain

from builder.model import Actor

MAX_CO_ACTORS = 10


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
                  moved: set[str] | None = None,
                  names_before: Mapping[str, str] | None = None) -> dict[str, list[tuple[str, int]]]:
    """The co-actors (`co_actors`) of the actors whose list may differ from the previous build's (see the module's
    docstring), of every actor without `names_before` or `moved`.  `article_actors`: the actor keys each article
    names; `articles_of`: each actor's articles, as positions in that list; `moved`: the actors named (now or in the
    previous build) by an article added, removed or naming another set of actors since; `names_before`: each
    actor's name in the previous build (its actors)."""
    again: Iterable[str] = actors
    if moved is not None and names_before is not None:
        again = _to_work_out(actors, article_actors, articles_of, moved, names_before)
    return {key: co_actors(key, articles_of.get(key, []), article_actors, actors) for key in again}


def _to_work_out(actors: dict[str, Actor], article_actors: list[set[str]], articles_of: dict[str, list[int]],
                 moved: set[str], names_before: Mapping[str, str]) -> set[str]:
    """The actors whose co-actors may differ from the previous build's (see the module's docstring)."""
    again = {key for key in actors if key not in names_before}
    again |= moved
    for key, actor in actors.items():
        if names_before.get(key, actor.name) != actor.name:
            for position in articles_of.get(key, []):
                again |= article_actors[position]
    return again & actors.keys()
