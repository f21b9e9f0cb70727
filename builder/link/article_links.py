"""What actor resolution made of each article last time, recalled in bulk: an edit reads it whole from one memo
entry instead of one entry per article, and an unchanged article whose names still go to the same actors is not
read again at all (its mentions are never made into objects).

Per article (by source file) the state keeps its content hash, its mentions' names resolved within it and the
acronyms it defines (actors._local_resolution, read with the pairs kept apart: in the state's memo parts), each
mention's actor key and what it says of its actors (actors._said_in).
An article's actor keys read only its resolved names and which actor each of those names went to; what it says
reads the article, those keys and the types of those actors.  (What is kept is what is cheap to read back:
lists of strings the pickle shares, few small containers.)  So against the previous build's state
(`LinksState`, kept in the link memo like builder.link.rejoin's) an article keeps

- its resolution within it when its content hash is the same;
- its actor keys (and their positions) when, moreover, none of its names now goes to another actor (or to a
  dropped one): `stale_articles` finds the articles holding such a name through the names' article sets;
- what it says when, moreover, none of its actors changed type.

An actor's mentions and the description its roles give it read only the articles naming it (their actor keys
and what they say), in order: an actor no added, removed or redone article names (now or then) keeps them.

Everything else is worked out again, so the result never depends on the memo (tests/test_rejoin.py checks edits,
additions and deletions against a cold resolution).  The curation is part of the state's memo parts: another
curation starts afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from builder.link.memo import LinkMemo, Shards, keep_shards, load_shards, memo_key, merged
from builder.model import EntityType, Pairs

if TYPE_CHECKING:
    from builder.link.actors import Node

STATE_FORMAT = 2
Said = list[tuple[str, list, list]]  # (actor key, roles, quotes) per actor, as actors._said_in gives them


class ArticleLinks(NamedTuple):
    """One article's part of actor resolution."""

    content_hash: str
    resolved: list[str | None]  # each mention's name, resolved within the article
    defined: dict[str, str]  # acronym → expansion it defines
    keys: list[str | None]  # each mention's actor key
    said: Said


class LinksState(NamedTuple):
    """What the articles' links keep for the next build."""

    articles: dict[str, ArticleLinks]  # by source file
    actor_of_name: dict[str, str | None]  # each name's actor key (None: dropped by the curation)
    types: dict[str, EntityType]  # each actor's type
    order: list[str]  # the articles (source files), in order
    mentions: dict[str, Pairs]  # each actor's mentions
    descriptions: dict[str, str | None]  # each actor's description from its roles (what it has if curation gives none)
    shards: tuple[Shards, Shards] | None = None  # articles' and mentions' shards as loaded (previous_state)


class _KeptLinks(NamedTuple):
    """A LinksState as the memo keeps it: its two big dicts in shards (builder.link.memo.keep_shards), so that an
    edit pickles again only the shards holding an article or an actor it changed."""

    article_shards: list[bytes]
    actor_of_name: dict[str, str | None]
    types: dict[str, EntityType]
    order: list[str]
    mention_shards: list[bytes]
    descriptions: dict[str, str | None]


ARTICLE_SHARDS = 64  # ~160 articles each at 10k
MENTION_SHARDS = 256  # an edit redoes the mentions of the few dozen actors its article names


def state_parts(tag: bytes, curation: object) -> tuple:
    """The memo parts of the state: `tag` (the pairs kept apart, as within-article resolution reads them) and the
    whole curation (what it does to actors: drops, types, merges)."""
    return ("article links", STATE_FORMAT, tag, memo_key((repr(curation),)))


def previous_state(memo: LinkMemo | None, parts: tuple) -> LinksState | None:
    kept = memo.previous_value(parts) if memo is not None else None
    if not isinstance(kept, _KeptLinks):
        return None
    articles, mentions = load_shards(memo, kept.article_shards), load_shards(memo, kept.mention_shards)
    if articles is None or mentions is None:
        return None
    return LinksState(merged(articles), kept.actor_of_name, kept.types, kept.order, merged(mentions),
                      kept.descriptions, (articles, mentions))


def keep_state(memo: LinkMemo, parts: tuple, state: LinksState, previous: LinksState | None) -> None:
    """Keep `state` for the next build: of its articles and mentions, only the shards where some value is not the
    very object `previous` loaded are pickled again (so an unchanged article's entry must be the previous one)."""
    before = previous.shards if previous is not None and previous.shards is not None else (None, None)
    memo.keep(parts, _KeptLinks(keep_shards(memo, state.articles, ARTICLE_SHARDS, before[0]), state.actor_of_name,
                                state.types, state.order,
                                keep_shards(memo, state.mentions, MENTION_SHARDS, before[1]), state.descriptions))


def stale_articles(previous: LinksState, actor_of_name: dict[str, str | None], nodes: dict[str, Node]) -> set[str]:
    """The articles (source files) holding a name whose actor is not the one it had in `previous`.  A name an
    unchanged article resolves to is one of its mentions' own names, so the name's article set holds it."""
    stale: set[str] = set()
    before = previous.actor_of_name
    for name, key in actor_of_name.items():
        if before.get(name, "") != key:
            stale |= nodes[name].articles
    return stale


class LazyColumn(Sequence):
    """A per-article list whose items are worked out (or recalled) only when read: the names and spellings of
    unchanged articles, which an edit reads only for the articles it added or removed."""

    def __init__(self, length: int, item: Callable[[int], object]) -> None:
        self.length, self.item = length, item

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.item(i) for i in range(*index.indices(self.length))]
        return self.item(index)

    def __iter__(self) -> Iterator:
        return map(self.item, range(self.length))
