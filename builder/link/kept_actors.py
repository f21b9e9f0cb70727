"""The actors an edit recalls whole from the previous build: an Actor is made again only when its names, its
articles, what they say of it or its co-actors changed.

builder.link.actors.resolve_actors makes every actor's own fields from its group of names and the curation
(name, type, aliases, redirect_from, a description given by hand: `own`, cheap) and the rest from the articles
naming it: roles and quotes (what each says of it), prominence, mentions, the description its roles give it, and
its co-actors.  Against the previous build's actors (a sharded state kept in the link memo, as
builder.link.article_links's) an actor is recalled whole when

- its own fields are equal to the ones it had (compared, not inferred: the curation may name it otherwise);
- it is neither `redone` (no article naming it, now or then, says something else of it, names it otherwise, was
  added or removed, and the articles are in the same order) nor `moved` (the same articles name it);

and keeps its recalled co-actors unless builder.link.co_actors works them out again.  Its slug and the slugs it
redirects from are assigned with every actor's after (they read every actor's name).  So a recalled actor equals
a made one, and an edit equals a cold resolution (tests/test_rejoin.py).

An actor's mentions are not in this state: builder.link.article_links keeps them (an actor recalled takes that
state's very Pairs, so that neither state pickles them again).
"""

from __future__ import annotations

from typing import NamedTuple

from builder.link.memo import LinkMemo, Shards, keep_shards, load_shards, merged
from builder.model import Actor, Pairs

STATE_FORMAT = 1
SHARDS = 512  # an edit makes anew a few dozen actors: the shards holding them are pickled again, ~20 actors each

Own = tuple  # (name, type, aliases, redirect_from, description given by hand): what the names and curation give


def own_fields(actor: Actor) -> Own:
    """The fields an actor gets from its group of names and the curation, before its articles are read."""
    return actor.name, actor.type, actor.aliases, actor.redirect_from, actor.description


_NO_MENTIONS = Pairs()


class KeptActor(NamedTuple):
    """One actor as the state keeps it: its own fields as made, the description its roles gave it, and the actor
    before its slug was assigned (its mentions left out: builder.link.article_links keeps them)."""

    own: Own
    described: str | None
    actor: Actor

    def __reduce__(self):
        fields = dict(self.actor.__dict__)
        fields["mentions"] = _NO_MENTIONS
        return _kept_actor, (self.own, self.described, fields)


def _kept_actor(own: Own, described: str | None, fields: dict) -> KeptActor:
    actor = object.__new__(Actor)
    actor.__dict__.update(fields)
    return KeptActor(own, described, actor)


class ActorState(NamedTuple):
    """The previous build's actors, by key, and their shards as loaded (for keep_shards)."""

    actors: dict[str, KeptActor]
    shards: Shards


def previous_actors(memo: LinkMemo | None, parts: tuple) -> ActorState | None:
    kept = memo.previous_value((*parts, "actors", STATE_FORMAT)) if memo is not None else None
    if not isinstance(kept, list):
        return None
    shards = load_shards(memo, kept)
    return None if shards is None else ActorState(merged(shards), shards)


def keep_actors(memo: LinkMemo, parts: tuple, actors: dict[str, KeptActor], previous: ActorState | None) -> None:
    """Keep this build's actors for the next: a recalled actor's entry must be the very one `previous` loaded (its
    shard is then carried, unread) and must not have changed since."""
    memo.keep((*parts, "actors", STATE_FORMAT),
              keep_shards(memo, actors, SHARDS, previous.shards if previous is not None else None))
