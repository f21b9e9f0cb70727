"""Actors with similar names, for the actors report's likely merges ("similar names", "same surname, same
initial"): compared again after an edit only in the blocks whose actors changed, with the same pairs as a cold
resolution.

An actor's name key gives it its block tokens (the words longer than two letters); a block of at most
SIMILAR_BLOCK_LIMIT actors compares each pair of its actors of one type, in the actors' order (`block_pairs`).  A
block's pairs read only its actors' keys, names and types, in order.  So against the previous build's (a
SimilarState kept in the link memo, builder/link/memo.py) a block holding the same actors in the same order, each
with the name and type it had, keeps its pairs; only the others are compared again, and only the actors whose name
or type is new have their name keys worked out.  Which pairs become hints, and in which order, is decided from the
pairs each time (actors._likely_merges: it reads the slugs and the prominence, which an edit moves anywhere).
"""

from __future__ import annotations

from typing import NamedTuple

from rapidfuzz import fuzz

from builder.link.memo import LinkMemo
from builder.link.names import name_key
from builder.model import Actor, EntityType

STATE_FORMAT = 1
SIMILAR_BLOCK_LIMIT = 40  # name tokens shared by more actors than this are too common to block on
SIMILARITY = 90  # rapidfuzz ratio of two names in one block reported as a likely merge
Pair = tuple[str, str, str]  # (the key of the actor first in the block's order, the other's, why)


class SimilarState(NamedTuple):
    """What the blocks keep for the next build."""

    tokens: dict[str, tuple[str, str, tuple[str, ...]]]  # actor key → (name, type's value, its block tokens)
    blocks: dict[str, tuple[tuple[str, ...], list[Pair]]]  # token → (its actors' keys in order, their pairs), for the
    # blocks of two actors to SIMILAR_BLOCK_LIMIT (the others have no pairs)


def block_tokens(actor: Actor) -> tuple[str, ...]:
    """The tokens of the blocks an actor is in: the words of its name's key longer than two letters."""
    return tuple(sorted({token for token in name_key(actor.name, actor.type == EntityType.PERSON).split()
                         if len(token) > 2}))


def block_pairs(block: list[Actor], token: str) -> list[Pair]:
    """The pairs of one block's actors (in its order) that may be one actor: of one type, with similar name keys
    (as people's: titles off, middle initials dropped), or people with the block's word as their surname and the
    same initial."""
    found: list[Pair] = []
    keys = [name_key(actor.name, True) for actor in block]
    for i, a in enumerate(block):
        ka = keys[i]
        for b, kb in zip(block[i + 1 :], keys[i + 1 :], strict=True):
            if a.type != b.type:
                continue
            same_surname = a.type == EntityType.PERSON and ka.split()[-1] == kb.split()[-1] == token
            score = fuzz.ratio(ka, kb)
            if score >= SIMILARITY or (same_surname and min(len(ka.split()), len(kb.split())) >= 2
                                       and ka.split()[0][0] == kb.split()[0][0]):
                found.append((a.key, b.key, "similar names" if score >= SIMILARITY else
                              f"same surname “{token}”, same initial"))
    return found


def similar_pairs(actors: list[Actor], memo: LinkMemo | None) -> list[Pair]:
    """Every block's pairs, the blocks in the order of their tokens: with `memo`, the previous build's for a block
    none of whose actors changed (see the module's docstring), and this build's kept for the next."""
    parts = ("similar names", STATE_FORMAT)
    previous = memo.previous_value(parts) if memo is not None else None
    if not isinstance(previous, SimilarState):
        previous = SimilarState({}, {})
    tokens: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    same: set[str] = set()  # the actors with the name and type they had
    blocks: dict[str, list[Actor]] = {}
    for actor in actors:
        before = previous.tokens.get(actor.key)
        kind = actor.type.value
        if before is not None and before[0] == actor.name and before[1] == kind:
            entry = before
            same.add(actor.key)
        else:
            entry = (actor.name, kind, block_tokens(actor))
        tokens[actor.key] = entry
        for token in entry[2]:
            block = blocks.get(token)
            if block is None:
                blocks[token] = [actor]
            else:
                block.append(actor)
    kept: dict[str, tuple[tuple[str, ...], list[Pair]]] = {}
    pairs: list[Pair] = []
    for token in sorted(blocks):
        block = blocks[token]
        if not 2 <= len(block) <= SIMILAR_BLOCK_LIMIT:  # (no pairs: not kept)
            continue
        members = tuple(actor.key for actor in block)
        before = previous.blocks.get(token)
        if before is not None and before[0] == members and same.issuperset(members):
            found = before[1]
        else:
            found = block_pairs(block, token)
        kept[token] = (members, found)
        pairs.extend(found)
    if memo is not None:
        memo.keep(parts, SimilarState(tokens, kept))
    return pairs
