"""Actor resolution across articles (step 3 of builder.link.actors), redoing only what an edit touched: the same
groups of names, with the same roots, and the same likely merges as a cold resolution.

Each decision of step 3 (actors.join_across_articles) reads only the names sharing a block key with the name
decided: an acronym and the one expansion it was given; the people of one (first, last) block; a name and the
names inside it; a lone word and the full names it may stand for (by last word, or failing that by first word or
organisation last word, as the decision reads them).  So the names fall into the connected parts of that "reads"
graph (`name_parts`), and a part decides alone, in the order of its names, what it decides among all the names.
Against the previous build's state (a JoinState kept in the link memo, builder/link/memo.py, like
builder.link.regroup's):

1. the *touched* names are those the changed articles name (their own name keys and what they were resolved
   to, in the new version of an added or edited article and in the previous version of a removed or edited
   one, as the memo's resolution within the article kept it): every other name has the same statistics
   (types, spellings, articles, acronym counts: sums over the articles), the same block keys, and its acronym
   the same expansions;
2. a part holding no touched name, whose names were a whole part of the previous build, reads the same names
   with the same statistics now as then, so it keeps its groups (their roots) and its likely merges; every other
   part is decided again.

What the state cannot tell (no state, the previous version of a removed article missing from the memo) is worked
out again whole: the result never depends on the memo (tests/test_rejoin.py checks edits, additions and
deletions against a cold resolution).  The pairs site/curation.toml keeps apart widen with the names' page names
(actors.References, read over every name), so with any of them the resolution is always cold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from builder.link.memo import LinkMemo, keep_shards, load_shards, merged
from builder.model import EntityType, Mention

if TYPE_CHECKING:
    from builder.link.actors import Node, UnionFind

STATE_FORMAT = 3  # 3: Node.first_keys
Likely = tuple[str, str, str, str]  # (candidate's root, lone word, why, "") as report.likely_merges holds them
Spoken = tuple[str, list[str]]  # each mention's type (a letter of KIND_LETTERS) and text: small in the memo
KINDS = tuple(EntityType)
KIND_LETTERS = {kind: str(number) for number, kind in enumerate(KINDS)}


def spoken(mentions: list[Mention]) -> Spoken:
    """The mentions' types and texts, as an article's part of the names' statistics reads them."""
    return "".join(KIND_LETTERS[mention.type] for mention in mentions), [mention.text for mention in mentions]


def within_parts(source_file: str, content_hash: str, tag: bytes) -> tuple:
    """The memo's parts for an article's resolution within itself (each mention's (name key, own name key), each
    mention's name, the acronyms it defines, each mention's type and text: `spoken`); `tag`: the pairs kept apart."""
    return ("within", STATE_FORMAT, source_file, content_hash, tag)


class NameSums(NamedTuple):
    """The names' statistics, kept for the next build: sums over the articles (each name's seen_as apart).  The
    memo holds the two dicts in shards (builder.link.memo.keep_shards): an edit pickles again only the shards of
    the names it touched."""

    articles: list[tuple[str, str]]  # each article's (source file, content hash)
    nodes: list[bytes]  # the shards of: name → Node, their seen_as empty
    seen: list[bytes]  # the shards of what each name was seen as (name → spelling → count), names or not


NAME_SHARDS = 64


def name_nodes(articles: list[tuple[str, str]], names: list[list[tuple[str, str]]],
               resolved: list[list[str | None]], spoken: list[Spoken], memo: LinkMemo | None,
               tag: bytes) -> tuple[dict[str, Node], set[str] | None]:
    """Every name the articles give their mentions (a name: a mention's own name key, that it was resolved
    to) with its statistics: the previous build's sums, less the removed articles' part, plus the added ones',
    when `memo` holds them (and the removed articles' resolutions); else summed over every article.  And the
    names whose statistics (seen_as too) may differ from the previous build's: None when they were summed anew."""
    state_parts = ("name sums", STATE_FORMAT, tag)
    previous = memo.previous_value(state_parts) if memo is not None else None
    shards = None
    if isinstance(previous, NameSums):
        shards = load_shards(memo, previous.nodes), load_shards(memo, previous.seen)
        if None in shards:
            shards = None
    changes = _changes(articles, previous, memo, tag) if shards is not None else None
    touched: set[str] | None = None
    if changes is None:
        shards = None
        nodes: dict[str, Node] = {}
        seen: dict[str, Counter] = {}
        for (source_file, _), *mentions in zip(articles, names, resolved, spoken, strict=True):
            _add_article(nodes, seen, source_file, *mentions, 1)
    else:
        nodes, seen = merged(shards[0]), merged(shards[1])
        added, removed = changes
        touched = set()
        for source_file, *mentions in removed:
            touched |= _add_article(nodes, seen, source_file, *mentions, -1)
        for k in added:
            touched |= _add_article(nodes, seen, articles[k][0], names[k], resolved[k], spoken[k], 1)
        for nid in touched:
            _drop_zeros(nodes, seen, nid)
            node = nodes.get(nid)
            if node is not None:  # (the articles are in source file order: the first naming it has the least)
                node.key = node.first_keys[min(node.first_keys)]
    if memo is not None:  # (the touched names' nodes and counts were changed in place)
        memo.keep(state_parts, NameSums(
            articles, keep_shards(memo, nodes, NAME_SHARDS, shards and shards[0], touched or ()),
            keep_shards(memo, seen, NAME_SHARDS, shards and shards[1], touched or ())))
    for nid, node in nodes.items():
        node.seen_as = seen.get(nid) or Counter()  # (read only: shared with the sums, already kept)
    return nodes, touched


def _changes(articles: list[tuple[str, str]], previous: JoinState | NameSums, memo: LinkMemo,
             tag: bytes) -> tuple[list[int], list[tuple]] | None:
    """The added articles (their places) and the removed ones (source file and what their resolution within
    them kept in the memo) since `previous`; None when the memo does not hold a removed one's."""
    before = set(previous.articles)
    added = [k for k, article in enumerate(articles) if article not in before]
    removed = []
    for source_file, content_hash in sorted(before - set(articles)):
        kept = memo.previous_value(within_parts(source_file, content_hash, tag))
        if kept is None:
            return None
        old_names, old_resolved, _, old_spoken = kept
        removed.append((source_file, old_names, old_resolved, old_spoken))
    return added, removed


def _add_article(nodes: dict[str, Node], seen: dict[str, Counter], source_file: str,
                 names: list[tuple[str, str]], resolved: list[str | None], spoken: Spoken, sign: int) -> set[str]:
    """Add (`sign` 1) or take out (-1) an article's part of the names' statistics; returns the names it has."""
    from builder.link.actors import Counts, Node
    from builder.link.names import looks_like_acronym

    found = set()
    for (key, own), node_id, letter, text in zip(names, resolved, *spoken, strict=True):
        if node_id is None:
            continue
        found.add(node_id)
        if own != node_id:
            counts = seen.get(node_id)
            if counts is None:
                counts = seen[node_id] = Counts()
            counts[text] += sign
            continue
        node = nodes.get(node_id)
        if node is None:
            node = nodes[node_id] = Node(key)
        node.types[KINDS[int(letter)]] += sign
        node.surfaces[text] += sign
        node.acronym_count += sign * looks_like_acronym(text)
        if sign > 0:
            node.articles.add(source_file)
            node.first_keys.setdefault(source_file, key)
        else:
            node.articles.discard(source_file)
            node.first_keys.pop(source_file, None)
    return found


def _drop_zeros(nodes: dict[str, Node], seen: dict[str, Counter], nid: str) -> None:
    """After articles were taken out: no spelling or type counted zero times, no name no mention has."""
    node = nodes.get(nid)
    if node is not None:
        for counts in (node.types, node.surfaces):
            for item in [item for item, count in counts.items() if count <= 0]:
                del counts[item]
        if not node.surfaces:
            del nodes[nid]
    counts = seen.get(nid)
    if counts is not None:
        for item in [item for item, count in counts.items() if count <= 0]:
            del counts[item]
        if not counts:
            del seen[nid]


class JoinState(NamedTuple):
    """What step 3 keeps for the next build (indices: the names' places in `names`)."""

    articles: list[tuple[str, str]]  # each article's (source file, content hash)
    names: list[str]  # every name (node id), sorted
    part: np.ndarray  # each name's part, as the index of the part's first name
    root: np.ndarray  # each name's group root after step 3, as an index
    likely: dict[str, list[Likely]]  # a lone word's likely merges, by the lone word


def name_parts(nodes: dict[str, Node], definitions: dict[str, Counter]) -> dict[str, str]:
    """Each name's part of the "reads" graph of step 3 (see the module's docstring), named by its first name."""
    from builder.link.actors import UnionFind, inner_names

    parts = UnionFind()
    for acronym, expansions in definitions.items():
        if len(expansions) == 1 and acronym in nodes and next(iter(expansions)) in nodes:
            parts.union(acronym, next(iter(expansions)))
    by_ends: dict[tuple[str, str], str] = {}  # the block's first name: joining to it joins the block
    by_last: dict[str, list[str]] = {}
    by_first: dict[str, list[str]] = {}
    org_last: dict[str, list[str]] = {}
    lone: list[tuple[str, str, EntityType]] = []
    for nid, node in nodes.items():
        tokens = node.tokens
        kind = node.majority_type()
        if len(tokens) >= 2:
            if kind == EntityType.PERSON:
                parts.union(by_ends.setdefault((tokens[0], tokens[-1]), nid), nid)
                by_last.setdefault(tokens[-1], []).append(nid)
                by_first.setdefault(tokens[0], []).append(nid)
            elif kind == EntityType.ORGANISATION and not node.acronym:
                org_last.setdefault(tokens[-1], []).append(nid)
        elif not node.acronym and kind != EntityType.PLACE:
            lone.append((nid, tokens[0], kind))
        for inner in inner_names(tokens):
            if inner in nodes:
                parts.union(nid, inner)
    for nid, word, kind in lone:  # the full names the lone word's decision reads
        block = by_last.get(word)
        if block is None and kind == EntityType.PERSON:
            block = by_first.get(word)
        if block is None and kind == EntityType.ORGANISATION:
            block = org_last.get(word)
        for other in block or ():
            parts.union(nid, other)
    first: dict[str, str] = {}
    for nid in sorted(nodes):
        first.setdefault(parts.find(nid), nid)
    return {nid: first[parts.find(nid)] for nid in nodes}


def touched_names(names: list[list[tuple[str, str]]], resolved: list[list[str | None]]) -> set[str]:
    """The names some articles name: their mentions' own name keys and what they were resolved to."""
    found: set[str] = set()
    for keys, ids in zip(names, resolved, strict=True):
        found.update(own for key, own in keys if key)
        found.update(i for i in ids if i)
    return found


def rejoin(nodes: dict[str, Node], definitions: dict[str, Counter], articles: list[tuple[str, str]],
           names: list[list[tuple[str, str]]], resolved: list[list[str | None]], memo: LinkMemo, tag: bytes,
           join_across: Callable[..., None], groups: UnionFind, likely: list[Likely]) -> None:
    """Step 3 over `nodes`: join_across(nodes, definitions) on the parts an edit touched (see the module's
    docstring), the previous build's groups (set in `groups`) and likely merges elsewhere; `likely` gets every
    part's in the order of the lone words, as a cold step 3 lists them.  Keeps this build's state in `memo`.
    `articles`: each article's (source file, content hash); `names`, `resolved`: each article's mentions'
    (name key, own name key) and names resolved within it (what the memo's "within" entries hold, under `tag`)."""
    part_of = name_parts(nodes, definitions)
    state_parts = ("actor joins", STATE_FORMAT, tag)
    previous = memo.previous_value(state_parts)
    redo = set(nodes)
    if isinstance(previous, JoinState):
        touched = _touched(articles, names, resolved, previous, memo, tag)
        if touched is not None:
            redo = _parts_to_redo(part_of, touched, previous)
    found: list[Likely] = []
    join_across({nid: nodes[nid] for nid in sorted(redo)}, definitions, likely=found)
    by_word: dict[str, list[Likely]] = {}
    for entry in found:
        by_word.setdefault(entry[1], []).append(entry)
    if len(redo) < len(nodes):
        old_index = {nid: k for k, nid in enumerate(previous.names)}
        old_names, old_root = previous.names, previous.root.tolist()
        for nid in nodes:
            if nid not in redo:
                root = old_names[old_root[old_index[nid]]]
                if root != nid:
                    groups.parent[nid] = root
        for word, entries in previous.likely.items():
            if word in nodes and word not in redo:
                by_word[word] = entries
    for word in sorted(by_word):
        likely.extend(by_word[word])
    ordered = sorted(nodes)
    index = {nid: k for k, nid in enumerate(ordered)}
    memo.keep(state_parts, JoinState(
        articles=articles, names=ordered,
        part=np.array([index[part_of[nid]] for nid in ordered], dtype=np.int32),
        root=np.array([index[groups.find(nid)] for nid in ordered], dtype=np.int32),
        likely=by_word))


def _touched(articles: list[tuple[str, str]], names: list[list[tuple[str, str]]],
             resolved: list[list[str | None]], previous: JoinState, memo: LinkMemo, tag: bytes) -> set[str] | None:
    """The names the articles added, edited or removed since `previous` name (now or then); None when the memo
    does not hold a removed article's resolution."""
    changes = _changes(articles, previous, memo, tag)
    if changes is None:
        return None
    added, removed = changes
    return touched_names([names[k] for k in added] + [old[1] for old in removed],
                         [resolved[k] for k in added] + [old[2] for old in removed])


def _parts_to_redo(part_of: dict[str, str], touched: set[str], previous: JoinState) -> set[str]:
    """The names of the parts to decide again: those holding a touched name, or other than a whole previous part."""
    old_index = {nid: k for k, nid in enumerate(previous.names)}
    old_part = previous.part.tolist()
    old_size = Counter(old_part)
    members: dict[str, list[str]] = {}
    for nid, part in part_of.items():
        members.setdefault(part, []).append(nid)
    redo: set[str] = set()
    for inside in members.values():
        olds = {old_part[old_index[nid]] if nid in old_index else -1 for nid in inside}
        if (len(olds) != 1 or -1 in olds or old_size[next(iter(olds))] != len(inside)
                or not touched.isdisjoint(inside)):
            redo.update(inside)
    return redo
