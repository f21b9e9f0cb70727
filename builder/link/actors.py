"""Actor resolution: one Actor per real-world person, organisation or place, across all articles.

`resolve_actors(articles, config, curation) -> (actors, articles, report)` is the linking step.

1. Every mention gets a *name key* (builder.link.names): honorifics stripped, case, accents, dots
   and hyphens ignored, people's middle initials dropped, short forms looked up ("U.S." → "united
   states").  Spellings that give one key are one name ("Kim Jong-un" = "Kim Jong Un").
2. Within an article: a lone surname ("Kim", "Mr. Shoigu") resolves to the full name in the same
   article whose last (or, failing that, first) word it is — the nearest one before it when two
   people share it; an acronym ("KCNA") resolves to the multi-word name in the same article whose
   initials it is ("Korean Central News Agency").
3. Across articles, by keyed blocking (no all-pairs comparison):
   - an acronym joins the expansion it was given elsewhere, when it was only ever given one;
   - a person's name joins the one longer name with the same first and last words that contains it
     ("Sergei Shoigu" → "Sergei Kuzhugetovich Shoigu");
   - a name that contains exactly one better-known person's name of two words or more is that name
     with extra words caught by the recogniser ("Moviemaker Gary Ross", "Ellen DeGeneres To Host");
   - a lone word typed as an organisation joins the one organisation whose last word it is ("Saints");
   - a lone surname left over joins a full name through the surname index only when exactly one
     person has that surname, or one of them is in five times more articles than all the others
     together (and in three at least); otherwise it stays apart and goes to the report.
   Two different people who share a surname ("George Bush", "Laura Bush") never meet.
4. The user's curation (builder.link.curation) merges, keeps apart, renames, retypes, drops and
   describes actors; entries that matched nothing go to the report.

Keys are stable across builds: "<type>/<canonical name key>" ("person/kim-jong-un"), whatever
the order of the articles.  Slugs come from the display name; two actors wanting one slug are
told apart by type, then by a hash of the key, and the clash is reported (never a silent merge).
"""

from __future__ import annotations

import gc
import hashlib
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import NamedTuple

from builder.link.article_links import (
    ArticleLinks,
    LazyColumn,
    LinksState,
    keep_state,
    previous_state,
    stale_articles,
    state_parts,
)
from builder.link.co_actors import all_co_actors
from builder.link.curation import Curation, keep_apart_entry, merge_entry
from builder.link.memo import LinkMemo, memo_key, recall
from builder.link.names import CORPORATE_SUFFIXES, acronym_of, compact, looks_like_acronym, name_key, strip_title
from builder.link.rejoin import Spoken, name_nodes, rejoin, spoken, within_parts
from builder.link.roles import appositive_after, title_before
from builder.link.similar import similar_pairs
from builder.link.slugs import slugify
from builder.model import Actor, Article, EntityType, Mention, Mentions, Pairs, ResolutionReport, Site

TYPE_ORDER = (EntityType.PERSON, EntityType.ORGANISATION, EntityType.PLACE)
SPEECH_RE = re.compile(r"^\s*(?:has |had )?(?:said|says|told|added|reported|stated|announced)\b")
MAX_LIKELY_MERGES = 300
DOMINANCE = 5  # a lone surname goes to the one full name in this many times more articles than all others together
MIN_DOMINANT_ARTICLES = 3


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        parent = self.parent.setdefault(item, item)
        if parent != item:
            root = self.find(parent)
            self.parent[item] = root
            return root
        return item

    def union(self, keep: str, other: str) -> None:
        a, b = self.find(keep), self.find(other)
        if a != b:
            self.parent[b] = a


class Counts(Counter):
    """A Counter unpickled as a dict is, in C: a Counter's own pickle calls its class, whose __init__ and update run
    in Python (the names' statistics hold some 40,000 of them at 10,000 articles, read back in each edit)."""

    __slots__ = ()
    __reduce__ = object.__reduce__  # (the default for a dict's subclass: a bare object, then its items set)


@dataclass
class Node:
    """One name (a name key) and everything seen of it."""

    key: str  # name key: tokens joined by spaces (that of the first article naming it: `first_keys`)
    types: Counts = field(default_factory=Counts)
    surfaces: Counts = field(default_factory=Counts)
    articles: set = field(default_factory=set)  # the source files of the articles naming it
    seen_as: Counts = field(default_factory=Counts)  # short spellings resolved to it in their article
    acronym_count: int = 0  # mentions written as an acronym ("KCNA", "U.N.")
    # each naming article's (source file's) first name key for it: the key is the first article's, so that an
    # article taken out of the names' sums (builder.link.rejoin) gives the node the key a cold link gives it
    first_keys: dict = field(default_factory=dict)

    @property
    def acronym(self) -> bool:
        return 2 * self.acronym_count > sum(self.surfaces.values())

    @property
    def tokens(self) -> list[str]:
        return self.key.split()

    def majority_type(self) -> EntityType:
        return max(TYPE_ORDER, key=lambda t: (self.types[t], -TYPE_ORDER.index(t)))


def _is_person(mention: Mention) -> bool:
    return mention.type == EntityType.PERSON


class Forbidden:
    """Pairs of names the user keeps apart; checked before every automatic union."""

    def __init__(self, groups: list[set[str]]) -> None:
        self.groups = groups

    def pair(self, a: str, b: str) -> bool:
        return any(a in g and b in g and a != b for g in self.groups)


def _reference_keys(reference: str) -> set[str]:
    """The node ids a curation reference may mean: by name, slug or key ("person/kim-jong-un")."""
    text = reference.split("/", 1)[1] if re.match(r"^(person|organisation|place)/", reference) else reference
    return {compact(name_key(text, True)), compact(name_key(text, False))} - {""}


class References:
    """What a curation reference names, as node ids: an actor's key or page name (the slug the current groups
    of names would give it, as on its page and the report) names all its names; otherwise the names whose
    name key it has; failing that, a spelling listed on one actor's page (resolved there, or a user alias)."""

    def __init__(self, nodes: dict[str, Node], groups: UnionFind) -> None:
        self.nodes, self.groups = nodes, groups
        self.forms: dict[str, set[str]] = defaultdict(set)  # key or slug → node ids
        self.spellings: dict[str, set[str]] = defaultdict(set)  # compact name key of a spelling → node ids
        grouped: dict[str, list[str]] = defaultdict(list)
        for nid in sorted(nodes):
            grouped[groups.find(nid)].append(nid)
        stand_ins: list[tuple[Actor, list[str]]] = []
        for ids in sorted(grouped.values()):  # as resolve_actors names them
            group_nodes = [nodes[i] for i in ids]
            kind = _type_of(group_nodes)
            best, name = _pick_name(group_nodes, kind == EntityType.PERSON)
            key = f"{kind.value}/{slugify(best.key, 'actor')}"
            while key in self.forms:
                key = f"{key}-{hashlib.sha256(','.join(ids).encode()).hexdigest()[:6]}"
            self.forms[key].update(ids)
            stand_ins.append((Actor(key=key, name=name, type=kind, slug=""), ids))
            for i in ids:
                for surface in nodes[i].seen_as:
                    self.add_spelling(i, surface)
        _assign_slugs([actor for actor, _ in stand_ins], ResolutionReport())
        for actor, ids in stand_ins:
            self.forms[actor.slug].update(ids)

    def add_spelling(self, node_id: str, spelling: str) -> None:
        for k in _reference_keys(spelling):
            self.spellings[k].add(node_id)

    def add_page_name(self, node_id: str, name: str) -> None:
        """A rename: the actor's new page name names it too (as the next report shows it)."""
        root = self.groups.find(node_id)
        self.forms[slugify(name, "actor")].update(i for i in self.nodes if self.groups.find(i) == root)
        self.add_spelling(node_id, name)

    def __call__(self, reference: str) -> list[str]:
        text = reference.strip()
        hits = self.forms.get(text) or self.forms.get(text.lower())
        if hits:
            return sorted(hits)
        found = [k for k in sorted(_reference_keys(text)) if k in self.nodes]
        if found:
            return found
        spelled = {i for k in _reference_keys(text) for i in self.spellings.get(k, ())}
        return sorted(spelled) if len({self.groups.find(i) for i in spelled}) == 1 else []


NameKeys = dict[tuple[str, bool], tuple[str, str]]  # (surface, person) → (name key, compact name key)


def mention_keys(mentions: list[Mention], known: NameKeys) -> list[tuple[str, str]]:
    """Each mention's (name key, compact name key), worked out once per spelling (`known` is shared)."""
    found = []
    for mention in mentions:
        spelling = (mention.text, mention.type == EntityType.PERSON)
        keys = known.get(spelling)
        if keys is None:
            key = name_key(*spelling)
            keys = known[spelling] = (key, compact(key))
        found.append(keys)
    return found


def _local_resolution(article: Article, forbidden: Forbidden, names: list[tuple[str, str]] | None = None,
                      mentions: list[Mention] | None = None) -> tuple[list[str | None], dict[str, str]]:
    """Each mention's node id within its article, and the acronyms it defines (acronym → expansion node).
    `names`: mention_keys(article.mentions), and `mentions`: list(article.mentions), when the caller has them."""
    mentions = list(article.mentions) if mentions is None else mentions
    names = mention_keys(mentions, {}) if names is None else names
    keys: list[str | None] = [own if key else None for key, own in names]
    full_people: dict[str, list[tuple[int, str]]] = defaultdict(list)  # last word → (start, node)
    first_people: dict[str, list[tuple[int, str]]] = defaultdict(list)
    full_orgs: dict[str, list[tuple[int, str]]] = defaultdict(list)  # last word → (start, node): "Saints"
    expansions: dict[str, str] = {}
    for mention, key, (name, _) in zip(mentions, keys, names, strict=True):
        if key is None:
            continue
        tokens = name.split()
        if _is_person(mention) and len(tokens) >= 2:
            full_people[tokens[-1]].append((mention.start, key))
            first_people[tokens[0]].append((mention.start, key))
        if mention.type == EntityType.ORGANISATION and len(tokens) >= 2:
            full_orgs[tokens[-1]].append((mention.start, key))
        if len(tokens) >= 2 and not looks_like_acronym(mention.text):
            initials = acronym_of(mention.text)
            if initials:
                expansions.setdefault(initials, key)
    resolved = list(keys)
    defined: dict[str, str] = {}
    for i, (mention, key, (name, _)) in enumerate(zip(mentions, keys, names, strict=True)):
        if key is None:
            continue
        tokens = name.split()
        if looks_like_acronym(mention.text) and key in expansions and not forbidden.pair(key, expansions[key]):
            resolved[i] = expansions[key]
            defined[key] = expansions[key]
            continue
        if len(tokens) != 1 or mention.type == EntityType.PLACE:
            continue
        candidates = full_people.get(tokens[0]) or first_people.get(tokens[0]) or (
            full_orgs.get(tokens[0]) if mention.type == EntityType.ORGANISATION else None)
        if not candidates:
            continue
        names = {node for _, node in candidates if not forbidden.pair(node, key)}
        if not names:
            continue
        if len(names) == 1:
            resolved[i] = names.pop()
            continue
        before = [(start, node) for start, node in candidates if start < mention.start and node in names]
        resolved[i] = max(before)[1] if before else min(c for c in candidates if c[1] in names)[1]
    return resolved, defined


def inner_names(tokens: list[str]) -> set[str]:
    """The node ids of the names of two words or more inside a name of 3 to 10 words (not the whole name)."""
    if not 3 <= len(tokens) <= 10:
        return set()
    return {compact(" ".join(tokens[i:j])) for i in range(len(tokens)) for j in range(i + 2, len(tokens) + 1)
            if (i, j) != (0, len(tokens))}


def join_across_articles(nodes: dict[str, Node], definitions: dict[str, Counter], join: Callable[[str, str], bool],
                         groups: UnionFind, members_of: Callable[[str], set[str]],
                         likely: list[tuple[str, str, str, str]]) -> None:
    """Step 3 (the module's docstring): `join` the names of `nodes` that are one actor; a lone word left apart
    from its candidates goes to `likely` (the report's likely merges), in the order of the names.  Every decision
    reads only names sharing a block key with the one decided (builder.link.rejoin relies on it): run on a
    connected part of that graph alone, it makes the joins (and the roots) it makes among all the names."""
    for acronym, expansions in sorted(definitions.items()):
        if len(expansions) == 1 and acronym in nodes and next(iter(expansions)) in nodes:
            join(next(iter(expansions)), acronym)
    by_ends: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_last: dict[str, list[str]] = defaultdict(list)
    by_first: dict[str, list[str]] = defaultdict(list)
    for nid, node in sorted(nodes.items()):
        tokens = node.tokens
        if node.majority_type() == EntityType.PERSON and len(tokens) >= 2:
            by_ends[(tokens[0], tokens[-1])].append(nid)
            by_last[tokens[-1]].append(nid)
            by_first[tokens[0]].append(nid)
    for block in by_ends.values():
        for nid in block:
            mine = set(nodes[nid].tokens)
            supersets = [o for o in block if o != nid and mine < set(nodes[o].tokens)]
            if len(supersets) == 1:
                join(supersets[0], nid)
    for nid, node in sorted(nodes.items()):  # "Moviemaker Gary Ross", "Ellen DeGeneres To Host": extra words
        tokens = node.tokens
        known = sorted(o for o in inner_names(tokens) if o in nodes and nodes[o].majority_type() == EntityType.PERSON
                       and len(nodes[o].articles) >= len(node.articles))
        if len({groups.find(o) for o in known}) == 1 and not any(k in known[0] and k != known[0] for k in known):
            join(known[0], nid)
    org_last: dict[str, list[str]] = defaultdict(list)
    for nid, node in sorted(nodes.items()):
        if node.majority_type() == EntityType.ORGANISATION and len(node.tokens) >= 2 and not node.acronym:
            org_last[node.tokens[-1]].append(nid)
    for nid, node in sorted(nodes.items()):
        tokens = node.tokens
        kind = node.majority_type()
        if len(tokens) != 1 or node.acronym or kind == EntityType.PLACE:
            continue
        candidates = sorted({groups.find(o) for o in by_last.get(tokens[0], [])})
        if kind == EntityType.PERSON and not candidates:  # family name first: "Kim" → "Kim Jong Un"
            candidates = sorted({groups.find(o) for o in by_first.get(tokens[0], [])})
        if kind == EntityType.ORGANISATION and not candidates:
            candidates = sorted({groups.find(o) for o in org_last.get(tokens[0], [])})
        if groups.find(nid) in candidates:
            continue
        if len(candidates) > 1:  # one far better known than all the others together is what the lone word means
            reach = {root: len(set().union(*(nodes[i].articles for i in members_of(root)))) for root in candidates}
            top = max(candidates, key=lambda root: (reach[root], root))
            if reach[top] >= DOMINANCE * (sum(reach.values()) - reach[top]) and reach[top] >= MIN_DOMINANT_ARTICLES:
                candidates = [top]
        # a lone word typed as an organisation joins a person only if it is not far more widespread than them
        plausible = len(candidates) == 1 and (
            kind == EntityType.PERSON or len(node.articles) <= 2 * len(nodes[candidates[0]].articles))
        if not (plausible and join(candidates[0], nid)):
            for root in candidates[:5]:
                likely.append((root, nid, f"“{node.key}” alone, in other articles", ""))


def _display(surface: str, person: bool) -> str:
    return " ".join(strip_title(surface, person).split())


def _pick_name(nodes: list[Node], person: bool) -> tuple[Node, str]:
    """The canonical node (full names before short ones and acronyms) and its most used spelling."""

    def node_rank(node: Node) -> tuple:
        return (node.acronym, -(len(node.tokens) >= 2), -len(node.articles), -sum(node.surfaces.values()),
                -len(node.tokens), node.key)

    best = min(nodes, key=node_rank)
    spellings: Counter = Counter()
    for surface, count in best.surfaces.items():
        spellings[_display(surface, person)] += count

    def spelling_rank(item: tuple[str, int]) -> tuple:
        text, count = item
        corporate = text.split()[-1].lower().strip(".") in CORPORATE_SUFFIXES if " " in text else False
        return (looks_like_acronym(text), corporate, -count, text.count("."), -len(text), text)

    name = min(spellings.items(), key=spelling_rank)[0] if spellings else best.key
    return best, name


def _type_of(nodes: list[Node]) -> EntityType:
    total: Counter = Counter()
    for node in nodes:
        total.update(node.types)
    return max(TYPE_ORDER, key=lambda t: (total[t], -TYPE_ORDER.index(t)))


def resolve_actors(
    articles: list[Article], config: object = None, curation: Curation | None = None,
    memo: LinkMemo | None = None,
) -> tuple[list[Actor], list[Article], ResolutionReport]:
    """Actors (sorted by key), the articles with Mention.actor_key filled, and what is left to the user.
    `memo`: the previous build's resolutions within each article (builder.link.memo), recalled for the
    articles that did not change, and its names' statistics, joins and co-actors, redone only where the changed
    articles touch them (builder.link.rejoin, builder.link.co_actors)."""
    collecting = gc.isenabled()
    try:
        return _resolve_actors(articles, config, curation, memo)
    finally:  # (_resolve_actors turns the collector off in an edit)
        if collecting:
            gc.enable()


def _resolve_actors(articles: list[Article], config: object, curation: Curation | None,
                    memo: LinkMemo | None) -> tuple[list[Actor], list[Article], ResolutionReport]:
    curation = curation or Curation()
    report = ResolutionReport()
    used: set[str] = set()
    forbidden = Forbidden([set().union(*(_reference_keys(r) for r in refs)) for _, refs in curation.keep_apart])

    # 1–2. names, and resolution within each article
    # Within an article, resolution reads the article and the pairs kept apart (as they stand before any name
    # is joined to another: References adds to them below, so it reads a copy), all in the memo's key.
    apart_part = memo_key([sorted(group) for group in forbidden.groups]) if memo is not None else b""
    forbidden_within = Forbidden([set(group) for group in forbidden.groups])
    links_parts = state_parts(apart_part, curation)
    if memo is not None and memo_key(links_parts) in memo.previous:
        # An edit: what it reads back (~1.5 million objects of the states) and makes lives on or is freed by
        # reference counting (no cycles), and the young collections walking it took ~0.1 s of its ~1.3 s.
        gc.disable()
    previous = previous_state(memo, links_parts)
    before = previous.articles if previous is not None else {}
    known: NameKeys = {}
    worked_out: dict[int, tuple[list[tuple[str, str]], list[str | None], dict[str, str], Spoken]] = {}

    def within(k: int) -> tuple[list[tuple[str, str]], list[str | None], dict[str, str], Spoken]:
        """The k-th article's resolution within itself (recalled, or made from its mentions as objects)."""
        found = worked_out.get(k)
        if found is None:
            article = articles[k]

            def make() -> tuple:
                mentions = list(article.mentions)
                names = mention_keys(mentions, known)
                return (names, *_local_resolution(article, forbidden_within, names, mentions), spoken(mentions))

            found = worked_out[k] = recall(memo, within_parts(article.source_file, article.content_hash,
                                                              apart_part), make)
        return found

    # An unchanged article's resolution comes from the previous build's state; its names and spellings (and
    # its own memo entry) are read only if something asks for them: the cold paths of the names' statistics.
    kept_before: list[ArticleLinks | None] = []
    per_article: list[list[str | None]] = []
    defined_of: list[dict[str, str]] = []
    definitions: dict[str, Counter] = defaultdict(Counter)
    for k, article in enumerate(articles):
        old = before.get(article.source_file)
        old = old if old is not None and old.content_hash == article.content_hash else None
        kept_before.append(old)
        resolved, defined = (old.resolved, old.defined) if old is not None else within(k)[1:3]
        per_article.append(resolved)
        defined_of.append(defined)
        for acronym, expansion in defined.items():
            definitions[acronym][expansion] += 1
    names_of = LazyColumn(len(articles), lambda k: within(k)[0])
    identities = [(article.source_file, article.content_hash) for article in articles]
    nodes, touched = name_nodes(identities, names_of, per_article, LazyColumn(len(articles), lambda k: within(k)[3]),
                                memo, apart_part)
    naming = GroupNames(nodes, touched, memo, (*links_parts, "group names"))

    groups = UnionFind()
    members: dict[str, set[str]] = {}
    if curation.keep_apart:  # page names and spellings too, before any name is joined to another
        refs = References(nodes, groups)
        for group, (_, apart) in zip(forbidden.groups, curation.keep_apart, strict=True):
            group.update(k for r in apart for k in refs(r))

    def members_of(root: str) -> set[str]:
        return members.setdefault(root, {root})

    def join(keep: str, other: str, force: bool = False) -> bool:
        a, b = groups.find(keep), groups.find(other)
        if a == b:
            return True
        if not force and any(forbidden.pair(x, y) for x in members_of(a) for y in members_of(b)):
            return False
        union = members_of(a) | members_of(b)
        groups.union(a, b)
        members[a] = union
        members.pop(b, None)
        return True

    # 3. across articles, by keyed blocking: only the parts of the names an edit touched, with the memo
    likely: list[tuple[str, str, str, str]] = []
    if memo is not None and not curation.keep_apart:
        rejoin(nodes, definitions, identities, names_of, per_article,
               memo, apart_part, partial(join_across_articles, join=join, groups=groups, members_of=members_of),
               groups, likely)
    else:
        join_across_articles(nodes, definitions, join, groups, members_of, likely)
    report.likely_merges.extend(likely)
    if memo is not None:  # the unread resolutions within articles, kept for the next build's removals
        memo.carry([memo_key(within_parts(*identities[k], apart_part)) for k in range(len(articles))
                    if k not in worked_out])
    worked_out.clear()
    known.clear()

    # 4a. the user's merges and aliases act on names
    provisional = _provisional_slugs(nodes, groups, naming)
    refs = References(nodes, groups) if any(_all_entries(curation)) else References({}, groups)
    for actor_ref, new_name in curation.rename:
        if renamed := refs(actor_ref):
            refs.add_page_name(renamed[0], new_name)
    preferred: set[str] = set()
    for label, names in curation.merge:
        matched = [found for found in map(refs, names) if found]
        if len(matched) >= 2:
            used.add(f"merge.{label}")
            for other in (k for found in matched for k in found):
                join(matched[0][0], other, force=True)
            preferred.update(matched[0])
    alias_names: dict[str, list[str]] = defaultdict(list)
    for actor_ref, names in curation.aliases:
        targets = refs(actor_ref)
        if targets:
            used.add(f"aliases.{actor_ref}")
            alias_names[targets[0]].extend(names)
            for alias in names:
                refs.add_spelling(targets[0], alias)
                for k in sorted(_reference_keys(alias)):
                    if k in nodes:
                        join(targets[0], k, force=True)

    # actors, one per group of names
    grouped: dict[str, list[str]] = defaultdict(list)
    for nid in sorted(nodes):
        grouped[groups.find(nid)].append(nid)
    actors: dict[str, Actor] = {}
    actor_of_node: dict[str, str] = {}
    for ids in sorted(grouped.values()):
        named = naming(ids, [i for i in ids if i in preferred])
        actor_type, name = named.type, named.name
        key = f"{actor_type.value}/{named.canonical_slug}"
        while key in actors:  # two groups with one canonical name (kept apart): told apart, stably
            key = f"{key}-{hashlib.sha256(','.join(ids).encode()).hexdigest()[:6]}"
        aliases = [a for a in named.spellings if a != name]
        aliases += [a for i in ids for a in alias_names.get(i, []) if a not in aliases and a != name]
        actors[key] = Actor(key=key, name=name, type=actor_type, slug="", aliases=aliases,
                            redirect_from=sorted({provisional[i] for i in ids if i in provisional}),
                            mentions=_SET_BELOW, co_actors=_SET_BELOW)
        for i in ids:
            actor_of_node[i] = key

    # 4b. the user's renames, types, descriptions and drops act on actors
    def lookup(reference: str) -> Actor | None:
        if reference in actors:
            return actors[reference]
        hits = {actor_of_node[k] for k in refs(reference) if k in actor_of_node}
        return actors[hits.pop()] if len(hits) == 1 else None

    for actor_ref, new_type in curation.retype:
        if actor := lookup(actor_ref):
            used.add(f"type.{actor_ref}")
            actor.type = new_type
    for actor_ref, new_name in curation.rename:
        if actor := lookup(actor_ref):
            used.add(f"rename.{actor_ref}")
            actor.redirect_from.append(slugify(actor.name, "actor"))
            actor.aliases = [a for a in [actor.name, *actor.aliases] if a != new_name]
            actor.name = new_name
    for actor_ref, text in curation.description:
        if actor := lookup(actor_ref):
            used.add(f"description.{actor_ref}")
            actor.description = text
    dropped: set[str] = set()
    for actor_ref in curation.drop:
        if actor := lookup(actor_ref):
            used.add(f"drop.{actor_ref}")
            dropped.add(actor.key)
    for label, names in curation.keep_apart:
        if sum(1 for r in names if refs(r)) >= 2:
            used.add(f"keep_apart.{label}")
    report.unmatched_curation = [entry for entry in _all_entries(curation) if entry not in used]

    # mentions → actors; roles, quotes, prominence, actors seen with
    final = {k: a for k, a in actors.items() if k not in dropped}
    actor_of_name = {name: key if key in final else None for name, key in actor_of_node.items()}
    types = {key: actor.type for key, actor in final.items()}
    stale = stale_articles(previous, actor_of_name, nodes) if previous is not None else set()
    retyped = {key for key, kind in types.items() if previous is None or previous.types.get(key) != kind}
    links: dict[str, ArticleLinks] = {}
    out_articles: list[Article] = []
    keys_of: list[list[str | None]] = []
    article_actors: list[set[str]] = []
    # The actors some article names or says something else of than in the previous build (now or then): only
    # their mentions and descriptions are worked out again.  And those some article names now and not then, or then
    # and not now: only their co-actors are worked out again.
    redone: set[str] = set()
    moved: set[str] | None = set() if previous is not None else None
    for article, resolved, defined, old in zip(articles, per_article, defined_of, kept_before, strict=True):
        if old is not None and article.source_file not in stale:
            keys = old.keys
        else:
            keys = [actor_of_name.get(node_id) if node_id else None for node_id in resolved]
        present = set(keys)
        present.discard(None)
        if moved is not None and (old is None or keys is not old.keys):
            then = before.get(article.source_file)
            was = set(then.keys) if then is not None else set()
            was.discard(None)
            if was != present:
                moved |= present | was
        linked = _linked(article, keys)
        # What the article says of its actors reads the article, its mentions' actors and their types only.
        if old is not None and (keys is old.keys or old.keys == keys) and present.isdisjoint(retyped):
            said = old.said
        else:
            said = _said_in(linked, list(linked.mentions), keys, {key: types[key] for key in present})
            redone |= present
            if (then := before.get(article.source_file)) is not None:
                redone.update(then.keys)
        for key, roles, quotes in said:
            final[key].roles.extend(roles)
            final[key].quotes.extend(quotes)
        out_articles.append(linked)
        keys_of.append(keys)
        article_actors.append(present)
        # (An article whose part is the previous one's keeps that very entry: keep_state then need not pickle it.)
        links[article.source_file] = old if old is not None and keys is old.keys and said is old.said else \
            ArticleLinks(article.content_hash, resolved, defined, keys, said)
    order = [article.source_file for article in articles]
    if previous is not None:
        for source_file in before.keys() - links.keys():  # removed
            redone.update(before[source_file].keys)
            moved.update(before[source_file].keys)
        moved.discard(None)
        now_order = [source_file for source_file in order if source_file in before]
        if now_order != [source_file for source_file in previous.order if source_file in links]:
            redone = set(final)  # (the articles in another order: every actor's mentions are in another order)
    del kept_before, per_article, defined_of
    articles_of: dict[str, list[int]] = defaultdict(list)  # actor key → positions of the articles naming it
    for position, present in enumerate(article_actors):
        for key in present:
            articles_of[key].append(position)
    kept_mentions = previous.mentions if previous is not None else {}
    kept_descriptions = previous.descriptions if previous is not None else {}
    descriptions: dict[str, str | None] = {}
    for key, actor in final.items():
        actor.prominence = len(articles_of.get(key, ()))
        if key in kept_mentions and key not in redone:
            actor.mentions = kept_mentions[key]
            descriptions[key] = kept_descriptions[key]
        else:
            actor.mentions = _mentions_of(key, articles_of.get(key, ()), order, keys_of)
            descriptions[key] = _described_as(actor.roles)
        if actor.description is None:
            actor.description = descriptions[key]
    if memo is not None:
        keep_state(memo, links_parts, LinksState(links, actor_of_name, types, order,
                                                 {key: actor.mentions for key, actor in final.items()}, descriptions),
                   previous)
    del links, keys_of
    naming.keep()
    other_lists: set[str] = set()
    lists = all_co_actors(final, article_actors, articles_of, memo, moved, changed=other_lists)
    for key, actor in final.items():
        actor.co_actors = _pairs(lists[key])

    result = [a for a in final.values() if a.mentions]
    clashing: set[str] = set()
    _assign_slugs(result, report, clashing)
    if memo is not None:
        memo.actors_made_anew = _made_anew(memo, links_parts, result, clashing, previous, curation,
                                           redone | other_lists)
    _likely_merges(result, actor_of_node, report, memo)
    if curation.keep_apart:  # a pair the user keeps apart is no longer suggested
        by_name = {**{a.key: a.key for a in result}, **{a.slug: a.key for a in result}}

        def actors_named(reference: str) -> set[str]:
            known = by_name.get(reference.strip()) or by_name.get(reference.strip().lower())
            return {known} if known else {actor_of_node[k] for k in refs(reference) if k in actor_of_node}

        apart = [set().union(*map(actors_named, names)) for _, names in curation.keep_apart]
        report.likely_merges = [h for h in report.likely_merges if not any(h[0] in g and h[1] in g for g in apart)]
    return sorted(result, key=lambda a: a.key), out_articles, report


_SET_BELOW = Pairs()  # an actor's mentions and co-actors until they are set (for every actor not dropped): two
# Pairs made for each of 10,000 actors and thrown away cost as much as the rest of making the actor


_new = object.__new__


def _pairs_of(names: list[str], numbers: array) -> Pairs:
    """Pairs holding these two columns (as Pairs._from_columns makes it, without its loop over the slots: some
    20,000 of them an edit, an actor's mentions and co-actors)."""
    made = _new(Pairs)
    made.names = names
    made.numbers = numbers
    return made


def _pairs(items: list[tuple[str, int]]) -> Pairs:
    """Pairs(items), its two columns made at once (Pairs() appends pair by pair: 0.1-0.2 s for 10,000 actors)."""
    return _pairs_of([name for name, _ in items], array("i", [number for _, number in items]))


def _mentions_of(key: str, positions: list[int], order: list[str], keys_of: list[list[str | None]]) -> Pairs:
    """The actor's mentions: (source file, index) of each, in the order of the articles (at `positions`)."""
    files: list[str] = []
    indices = array("i")
    for position in positions:
        found = [index for index, mention_key in enumerate(keys_of[position]) if mention_key == key]
        files.extend([order[position]] * len(found))
        indices.extend(found)
    return _pairs_of(files, indices)


def _described_as(roles: list[tuple[str, str, int]]) -> str | None:
    """An actor's description when the curation gives none: its most given role (a longer one of equal standing)."""
    if not roles:
        return None
    counts = Counter(role.casefold() for role, _, _ in roles)
    return max((role for role, _, _ in roles),
               key=lambda r: (min(counts[r.casefold()], 3), len(r.split()), counts[r.casefold()], len(r),
                              sum(c.isupper() for c in r), r))


def _said_in(article: Article, mentions: list[Mention], keys: list[str | None],
             types: dict[str, EntityType]) -> list[tuple[str, list, list]]:
    """The roles, statements and quotes the article gives its actors (`keys`: each mention's actor, `types`:
    each actor's type), per actor in order of its first mention: what _collect_role, _collect_statement and
    _collect_quotes add to the actors' lists for this article (they only ever read and change its own entries,
    so an article's part is the same whatever the other articles say)."""
    stand_ins = {key: Actor(key=key, name="", type=kind, slug="") for key, kind in types.items()}
    collected: set[tuple] = set()  # (actor key, role or None for a statement, source file, sentence) listed
    for mention, key in zip(mentions, keys, strict=True):
        if key:
            _collect_role(stand_ins[key], article, mention, collected)
            _collect_statement(stand_ins[key], article, mention, collected)
    _collect_quotes(article, stand_ins)
    order = list(dict.fromkeys(key for key in keys if key))
    return [(key, stand_ins[key].roles, stand_ins[key].quotes) for key in order
            if stand_ins[key].roles or stand_ins[key].quotes]


def _linked(article: Article, keys: list[str | None]) -> Article:
    """A copy of the article whose mentions carry these actor keys: a new Article with the same fields, as
    copy.copy (and dataclasses.replace) makes it, without its generic machinery (10,000 articles an edit)."""
    linked = _new(Article)
    linked.__dict__.update(article.__dict__)
    linked.mentions = _with_actors(article.mentions, keys)
    return linked


def _with_actors(mentions: list[Mention] | Mentions, keys: list[str | None]) -> list[Mention] | Mentions:
    """The mentions with these actor keys (one per mention), held as they were (columns or a list): no
    Mention object is made for the columns, and a list's mention is made anew only if its key changes
    (dataclasses.replace's cost, for hundreds of thousands of mentions).  The columns are Mentions.with_actors's,
    each set by name (its loop over the slots cost as much again, for 10,000 articles an edit)."""
    if isinstance(mentions, Mentions):
        if len(keys) != len(mentions.starts):
            raise ValueError("one actor key per mention")
        linked = _new(Mentions)
        linked.starts, linked.ends, linked.sentences = mentions.starts, mentions.ends, mentions.sentences
        linked.texts, linked.types = mentions.texts, mentions.types
        linked.actor_keys = keys
        return linked
    return [mention if mention.actor_key == key else
            Mention(mention.start, mention.end, mention.text, mention.type, mention.sentence, key)
            for mention, key in zip(mentions, keys, strict=True)]


def link_actors(site: Site, config: object = None, curation: Curation | None = None) -> Site:
    """The site with its actors resolved: actors, actor_report, and every article (in site.articles and in
    each source) replaced by its copy whose mentions carry actor keys."""
    actors, articles, report = resolve_actors(site.articles, config, curation)
    by_file = {article.source_file: article for article in articles}
    sources = [replace(source, articles=[by_file.get(a.source_file, a) for a in source.articles])
               for source in site.sources]
    return replace(site, articles=articles, sources=sources, actors=actors, actor_report=report)


def _provisional_slugs(nodes: dict[str, Node], groups: UnionFind, naming: GroupNames) -> dict[str, str]:
    """Each name's slug before the user's merges (so a merged-away actor's old address redirects)."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for nid in sorted(nodes):
        grouped[groups.find(nid)].append(nid)
    slugs: dict[str, str] = {}
    for ids in grouped.values():
        slug = naming(ids).slug
        for i in ids:
            slugs[i] = slug
    return slugs


class GroupName(NamedTuple):
    """What a group of names is called: read from the names' statistics only."""

    type: EntityType
    canonical_slug: str  # of the canonical name's key: the actor key's
    name: str  # the most used spelling of the canonical name
    slug: str  # slugify(name)
    spellings: list[str]  # every spelling of its names, most used first


def _group_name(nodes: list[Node], chosen: list[Node]) -> GroupName:
    """`chosen`: the names a curated merge prefers (the canonical name is one of them), or none."""
    actor_type = _type_of(nodes)
    person = actor_type == EntityType.PERSON
    best, name = _pick_name(chosen or nodes, person)
    spellings: Counter = Counter()
    for node in nodes:
        for surface, count in (node.surfaces + node.seen_as).items():
            spellings[_display(surface, person)] += count
    return GroupName(actor_type, slugify(best.key, "actor"), name, slugify(name),
                     [a for a, _ in sorted(spellings.items(), key=lambda kv: (-kv[1], kv[0]))])


class GroupNames:
    """Each group of names' GroupName, the previous build's (kept in the link memo) for a group of the very same
    names none of whose statistics changed (name_nodes says which did): it reads nothing else."""

    def __init__(self, nodes: dict[str, Node], touched: set[str] | None, memo: LinkMemo | None,
                 parts: tuple) -> None:
        self.nodes, self.touched, self.memo, self.parts = nodes, touched, memo, parts
        previous = memo.previous_value(parts) if memo is not None and touched is not None else None
        self.before: dict[tuple[str, ...], GroupName] = previous if isinstance(previous, dict) else {}
        self.now: dict[tuple[str, ...], GroupName] = {}

    def __call__(self, ids: list[str], chosen: list[str] = ()) -> GroupName:
        if chosen:
            return _group_name([self.nodes[i] for i in ids], [self.nodes[i] for i in chosen])
        group = tuple(ids)
        found = self.now.get(group)
        if found is None:
            found = self.before.get(group)
            if found is None or not self.touched.isdisjoint(group):
                found = _group_name([self.nodes[i] for i in ids], [])
            self.now[group] = found
        return found

    def keep(self) -> None:
        """Keep this build's names of groups for the next build."""
        if self.memo is not None:
            self.memo.keep(self.parts, self.now)
        self.before = {}


def _all_entries(curation: Curation) -> list[str]:
    return (
        [f"merge.{label}" for label, _ in curation.merge]
        + [f"keep_apart.{label}" for label, _ in curation.keep_apart]
        + [f"rename.{a}" for a, _ in curation.rename]
        + [f"type.{a}" for a, _ in curation.retype]
        + [f"drop.{a}" for a in curation.drop]
        + [f"aliases.{a}" for a, _ in curation.aliases]
        + [f"description.{a}" for a, _ in curation.description]
    )


def _collect_role(actor: Actor, article: Article, mention: Mention, seen: set | None = None) -> None:
    """Roles given to the actor by this mention; `seen` (shared across calls) answers "already listed?"
    without scanning the list (a much-mentioned actor has thousands)."""
    seen = {(actor.key, *role) for role in actor.roles} if seen is None else seen
    if not 0 <= mention.sentence < len(article.sentences):
        return
    sentence = article.sentences[mention.sentence]
    person = actor.type == EntityType.PERSON  # the actor's type, not this mention's ("Captain America")
    for role in (title_before(article.text, sentence.start, mention.start, person, mention.end),
                 appositive_after(article.text, mention.end, sentence.end, person, actor.type == EntityType.PLACE)):
        if role and (actor.key, role, article.source_file, mention.sentence) not in seen:
            seen.add((actor.key, role, article.source_file, mention.sentence))
            actor.roles.append((role, article.source_file, mention.sentence))


def _collect_statement(actor: Actor, article: Article, mention: Mention, seen: set | None = None) -> None:
    """"… KCNA said": the sentence is something the actor said, even without quotation marks."""
    if SPEECH_RE.match(article.text[mention.end : mention.end + 30]):
        entry = (article.source_file, mention.sentence, None)
        if seen is None:
            if not any(q[0] == entry[0] and q[1] == entry[1] for q in actor.quotes):
                actor.quotes.append(entry)
        elif (actor.key, None, *entry[:2]) not in seen:  # (the article's quotes are collected after its mentions)
            seen.add((actor.key, None, *entry[:2]))
            actor.quotes.append(entry)


def _collect_quotes(article: Article, actors: dict[str, Actor]) -> None:
    """Quotes whose speaker is a mention (or a spelling of one) resolved to an actor."""
    by_name: dict[str, str] = {}
    for mention in article.mentions:
        if mention.actor_key:
            by_name.setdefault(compact(name_key(mention.text, _is_person(mention))), mention.actor_key)
    for quote in article.quotes:
        key = None
        if quote.speaker_mention is not None and 0 <= quote.speaker_mention < len(article.mentions):
            key = article.mentions[quote.speaker_mention].actor_key
        if key is None and quote.speaker:
            key = by_name.get(compact(name_key(quote.speaker, True))) or by_name.get(compact(name_key(quote.speaker)))
        if key is None or key not in actors:
            continue
        actor = actors[key]
        actor.quotes = [q for q in actor.quotes if not (q[0] == article.source_file and q[1] == quote.sentence
                                                        and q[2] is None)]
        entry = (article.source_file, quote.sentence, quote.text)
        if entry not in actor.quotes:
            actor.quotes.append(entry)


def _assign_slugs(actors: list[Actor], report: ResolutionReport, clashing: set[str] | None = None) -> None:
    """Unique slugs: from the name; a clash adds the type, then a hash of the key, and is reported (and the keys of
    the actors in it added to `clashing`)."""
    wanted: dict[str, list[Actor]] = defaultdict(list)
    for actor in actors:
        wanted[slugify(actor.name, "actor")].append(actor)
    taken: set[str] = set()
    for slug, claimants in sorted(wanted.items()):
        if len(claimants) == 1:
            claimants[0].slug = slug
            taken.add(slug)
            continue
        by_type = Counter(a.type for a in claimants)
        if clashing is not None:
            clashing.update(a.key for a in claimants)
        settled = []
        for actor in sorted(claimants, key=lambda a: a.key):
            candidate = f"{slug}-{actor.type.value}" if by_type[actor.type] == 1 else (
                f"{slug}-{hashlib.sha256(actor.key.encode()).hexdigest()[:8]}")
            actor.slug = candidate
            taken.add(candidate)
            settled.append(f"{actor.name} ({actor.key}) → {candidate}")
        report.slug_clashes.append(f"{slug}: " + "; ".join(settled))
    for actor in actors:
        actor.redirect_from = sorted({s for s in actor.redirect_from if s and s != actor.slug and s not in taken})


def _made_anew(memo: LinkMemo, parts: tuple, actors: list[Actor], clashing: set[str], previous: LinksState | None,
               curation: Curation, changed: set[str]) -> frozenset[str] | None:
    """The actors (keys) that may differ in some field from the previous build's actor with their key: every other
    one is equal to it (rendering need not read it again).  None when that is not known: a cold resolution, or a
    curation that names actors (a rename or description may move to another actor with articles not naming it).

    An actor's fields read its group of names (key, name, type, aliases), the articles naming it (roles, quotes,
    mentions, description, prominence), the other actors' names (co-actors) and, for its slug and the slugs it
    redirects from, the other actors wanting its slug.  `changed`: the actors some article names or says something
    else of than in the previous build (`redone` in _resolve_actors: an added, removed or edited article's, and
    those of an article whose names went to another actor; a group of names whose statistics changed is named by
    such an article, and a new key is some article's new key) and those whose co-actors changed.  An actor in no
    clash now or in the previous build has the slug its name gives it and redirects from none (without a
    curation, its page name before merges is that slug)."""
    clash_parts = (*parts, "slug clashes")
    clashed = memo.previous_value(clash_parts) if previous is not None else None
    memo.keep(clash_parts, sorted(clashing))
    if not isinstance(clashed, list) or any(_all_entries(curation)):
        return None
    anew = changed.union(clashing, clashed)
    return frozenset(actor.key for actor in actors if actor.key in anew)


def _likely_merges(actors: list[Actor], actor_of_node: dict[str, str], report: ResolutionReport,
                   memo: LinkMemo | None = None) -> None:
    """Pairs of actors that may be one: a lone surname left apart, similar names in one block (builder.link.similar:
    with `memo`, compared again only in the blocks an edit changed)."""
    by_key = {a.key: a for a in actors}
    hints: list[tuple[str, str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for root, nid, why, _ in report.likely_merges:
        a, b = actor_of_node.get(root), actor_of_node.get(nid)
        if a in by_key and b in by_key and a != b and (a, b) not in seen:
            seen.add((a, b))
            hints.append((a, b, why, merge_entry(by_key[a].slug, by_key[b].slug)))
    for first, second, why in similar_pairs(actors, memo):
        pair = (first, second) if first < second else (second, first)
        if pair in seen:
            continue
        seen.add(pair)
        a, b = by_key[first], by_key[second]
        keep, other = (a, b) if a.prominence >= b.prominence else (b, a)
        hints.append((keep.key, other.key, why, merge_entry(keep.slug, other.slug)))
    hints.sort(key=lambda h: (-(by_key[h[0]].prominence + by_key[h[1]].prominence), h[0], h[1]))
    report.likely_merges = hints[:MAX_LIKELY_MERGES]


__all__ = ["keep_apart_entry", "link_actors", "resolve_actors"]
