"""Actor pages: actors/index.html, actors/<slug>.html, actors/report.html and redirects.

- actors/index.html: the most prominent actors of each type (at most builder.pages.INDEX_ITEMS each),
  most articles first, with counts, links to the A to Z pages and an offline filter box
  (static/actors.js; the lists are complete without JS);
- actors/all/<letter>.html (a … z, and other.html for names that begin with anything else): every
  actor by initial, A to Z, grouped by type, with the same filter box; a letter with more than
  builder.pages.LIST_ITEMS actors continues on actors/all/<letter>--2.html … (a folder of its own:
  no actor's page name can clash with these);
- actors/<slug>.html: name, type, description, aliases, roles with their source sentences,
  quotes, the actors seen with it most, and every article that mentions it with the mentioning
  sentence (long lists continue on actors/<slug>--2.html …); with `excerpts_only` a sentence the
  article's own page does not show is never quoted: a role or quote links to the article instead,
  a mentioning sentence is left out;
- actors/report.html: what resolution left to the user — likely merges not made, each with the
  line for site/curation.toml that would confirm it, and curation entries that matched nothing;
- actors/<old-slug>.html: a redirect page for every address an actor had before a curated rename
  or merge.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import islice

from markupsafe import Markup

from builder.config import Config
from builder.model import Actor, Article, EntityType, Event, KeptPage, OutputPage, Pairs, Site
from builder.page_keys import Fingerprints
from builder.pages import INDEX_ITEMS, LIST_ITEMS, feed_and_graph, mention_files, paginate
from builder.render import PageRenderer, escape_text, mention_places, sentence_bounds
from builder.seo import QuotableSentences

TYPE_HEADINGS = (
    (EntityType.PERSON, "People", "person"),
    (EntityType.ORGANISATION, "Organisations", "organisation"),
    (EntityType.PLACE, "Places", "place"),
)
MAX_QUOTES = 50
MAX_ROLES = 20
MAX_SENTENCES_PER_ARTICLE = 3


@dataclass(frozen=True)
class Citation:
    """A sentence from an article, with the link to it."""

    html: Markup  # the sentence, the actor's mention marked; empty if it may not be quoted (excerpts_only)
    href: str  # output-root-relative: articles/<slug>.html#s<N> (no #s<N> when not quoted)
    article_title: str


@dataclass(frozen=True)
class Appearance:
    """One article mentioning the actor, with its mentioning sentences."""

    article: Article
    sentences: tuple[Citation, ...]


def _sentence(article: Article, index: int, page: str, marks: list[tuple[int, int]]) -> Citation:
    start, end = sentence_bounds(article, index)
    text = article.text
    out: list[str] = []
    position = start
    for mark_start, mark_end in sorted(marks):
        if mark_start < position or mark_end > end:
            continue
        out.append(escape_text(text[position:mark_start]))
        out.append(f"<mark>{escape_text(text[mark_start:mark_end])}</mark>")
        position = mark_end
    out.append(escape_text(text[position:end]))
    return Citation(Markup("".join(out)), f"{page}#s{index}", article.title)


@dataclass(frozen=True)
class Lookups:
    """Built once per site, shared by every actor page."""

    by_file: dict[str, Article]
    order: dict[str, int]  # source_file → position in site.articles (newest first)
    actors: dict[str, Actor]
    quotable: QuotableSentences = field(default_factory=lambda: QuotableSentences(Config()))

    @classmethod
    def of(cls, site: Site, config: Config | None = None) -> Lookups:
        return cls({a.source_file: a for a in site.articles},
                   {a.source_file: i for i, a in enumerate(site.articles)}, {a.key: a for a in site.actors},
                   QuotableSentences(config or Config()))


def actor_context(
    actor: Actor, site: Site, renderer: PageRenderer, lookups: Lookups | None = None
) -> dict[str, object]:
    """What an actor page shows, in the order the template shows it."""
    lookups = lookups or Lookups.of(site, renderer.config)
    by_file = lookups.by_file
    marks: dict[tuple[str, int], list[tuple[int, int]]] = {}
    mentions = actor.mentions  # (read from its columns: no tuple made per mention)
    pairs = zip(mentions.names, mentions.numbers, strict=True) if isinstance(mentions, Pairs) else mentions
    last_file, places = None, None
    for source_file, index in pairs:
        if source_file != last_file:  # (an actor's mentions come article by article: each looked up once)
            last_file = source_file
            article = by_file.get(source_file)
            places = None if article is None or source_file not in lookups.order else mention_places(article)
        if places is None or not 0 <= index < len(places[0]):
            continue
        starts, ends, sentences = places
        marks.setdefault((source_file, sentences[index]), []).append((starts[index], ends[index]))

    def cite(source_file: str, index: int) -> Citation | None:
        article = by_file.get(source_file)
        page = renderer.article_pages.get(source_file)
        if article is None or page is None or not 0 <= index < len(article.sentences):
            return None
        if not lookups.quotable(article, index):  # excerpts_only: a link to the article, no text
            return Citation(Markup(""), page, article.title)
        return _sentence(article, index, page, marks.get((source_file, index), []))

    seen: dict[str, list] = {}  # each role once (case aside), most often first, with its first source sentence
    for role, source_file, index in actor.roles:
        entry = seen.setdefault(role.casefold(), [role, None, 0])
        entry[2] += 1
        if entry[1] is None:
            entry[1] = cite(source_file, index)
    ranked = sorted((e for e in seen.values() if e[1] is not None), key=lambda e: (-e[2], e[0].casefold()))
    roles = [(role, citation, count) for role, citation, count in ranked[:MAX_ROLES]]
    quotes = []
    for source_file, index, text in actor.quotes[:MAX_QUOTES]:
        citation = cite(source_file, index)
        if citation and citation.html:
            quotes.append((text, citation))
        elif citation and all(c.href != citation.href for _, c in quotes):  # one link per article
            quotes.append((None, citation))
    sentences_in: dict[str, list[int]] = {}
    for source_file, sentence in sorted(marks):
        sentences_in.setdefault(source_file, []).append(sentence)
    appearances = []
    for source_file in sorted(sentences_in, key=lookups.order.__getitem__):  # newest first
        cited = (cite(source_file, i) for i in sentences_in[source_file])  # the first that may be quoted
        shown = tuple(islice((c for c in cited if c and c.html), MAX_SENTENCES_PER_ARTICLE))
        appearances.append(Appearance(by_file[source_file], shown))
    actors = lookups.actors
    with_most = [(actors[key], count) for key, count in actor.co_actors if key in actors]
    return {"roles": roles, "quotes": quotes, "appearances": appearances, "with_most": with_most}


def actor_timelines(site: Site, renderer: PageRenderer) -> dict[str, list[tuple[str, Event, str]]]:
    """Each actor's events (as a participant, or the place they happened), oldest first: (when, event, page)."""
    from builder.pages.events import involved_keys, ordered_events

    timelines: dict[str, list[tuple[str, Event, str]]] = {}
    for _, when, event in ordered_events(renderer, site):  # (sorted and dated once for this and the timeline)
        page = renderer.event_pages.get(event.key)
        if page is None:
            continue
        entry = (when, event, page)  # (one per event, not per actor: 25,000 dates at 10k)
        for key in involved_keys(event):
            timelines.setdefault(key, []).append(entry)
    return timelines


def index_groups(site: Site) -> list[tuple[str, str, list[Actor]]]:
    """(heading, css class, actors ranked by prominence) for each type that has actors."""
    groups = []
    of_type: dict[object, list[Actor]] = {}
    for actor in site.actors:  # (one pass over the actors, not one per type)
        of_type.setdefault(actor.type, []).append(actor)
    for actor_type, heading, css in TYPE_HEADINGS:
        members = list(of_type.get(actor_type, ()))
        members.sort(key=lambda a: (-a.prominence, -len(a.mentions), a.name.lower(), a.key))
        if members:
            groups.append((heading, css, members))
    return groups


def _folded(name: str) -> str:
    """The name as the A to Z pages sort it: accents and case aside, leading punctuation ignored."""
    if name.isascii():  # (most names: NFKD leaves ASCII as it is, and no ASCII character is combining)
        return name.casefold().lstrip("\"'“”‘’«»(.-–— ")
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()
    return plain.lstrip("\"'“”‘’«»(.-–— ")


def initial(name: str) -> str:
    """The A to Z page an actor is listed on: 'a' … 'z', or 'other' (digits, other scripts)."""
    first = _folded(name)[:1]
    return first if "a" <= first <= "z" else "other"


def _by_folded_name(entry: tuple[str, str, str, Actor]) -> tuple[str, str, str]:
    return entry[:3]  # (folded name, name, key: the key tells any two actors apart)


@dataclass(frozen=True)
class Letter:
    """One initial of the A to Z list: its label, first page and how many actors it has."""

    key: str  # 'a' … 'z', 'other'
    label: str  # 'A' … 'Z', 'Other'
    path: str  # actors/all/<key>.html
    count: int


def letters(site: Site) -> list[tuple[Letter, list[Actor]]]:
    """Every actor under its initial, A to Z (the fallback 'other' last), each list by name."""
    by_initial: dict[str, list[tuple[str, str, str, Actor]]] = {}
    for actor in site.actors:  # (each name folded once: for its initial and for its place)
        folded = _folded(actor.name)
        first = folded[:1]
        by_initial.setdefault(first if "a" <= first <= "z" else "other", []).append(
            (folded, actor.name, actor.key, actor))
    result = []
    for key in sorted(by_initial, key=lambda k: (k == "other", k)):
        members = [actor for *_, actor in sorted(by_initial[key], key=_by_folded_name)]
        label = "Other" if key == "other" else key.upper()
        result.append((Letter(key, label, f"actors/all/{key}.html", len(members)), members))
    return result


def grouped(members: list[Actor]) -> list[tuple[str, str, list[Actor], int]]:
    """(heading, css class, actors, how many) for each type among members, in the order given."""
    groups = []
    for actor_type, heading, css in TYPE_HEADINGS:
        of_type = [a for a in members if a.type == actor_type]
        if of_type:
            groups.append((heading, css, of_type, len(of_type)))
    return groups


def index_pages(renderer: PageRenderer, site: Site) -> Iterator[OutputPage | KeptPage]:
    """actors/index.html (the most prominent of each type) and the A to Z pages (every actor); each page whose
    inputs did not change is kept (builder.page_keys)."""
    alphabet = letters(site)
    letter_list = [letter for letter, _ in alphabet]
    letters_shown = repr(letter_list)
    index = [(heading, css, members[:INDEX_ITEMS], len(members)) for heading, css, members in index_groups(site)]
    yield from renderer.keyed(
        "page:actors/index.html", "actors.html",
        partial(list_inputs, index, (len(site.actors), letters_shown)),
        lambda: [renderer.page("actors/index.html", "actors.html", groups=index, actor_count=len(site.actors),
                               has_report=True, letters=letter_list, shown=INDEX_ITEMS)],
        reads=partial(list_reads, index, (len(site.actors), letters_shown)))
    for letter, members in alphabet:
        for pagination in paginate(letter.path, members, LIST_ITEMS):
            groups = [("", "", pagination.items, 0)]
            shown = (repr(letter), letters_shown, len(site.actors), pagination.number, pagination.paths)
            yield from renderer.keyed(
                f"page:{pagination.path}", "actors_all.html", partial(list_inputs, groups, shown),
                partial(_letter_page, renderer, letter, letter_list, pagination, len(site.actors)),
                reads=partial(list_reads, groups, shown))


def _letter_page(renderer: PageRenderer, letter: Letter, letter_list: list[Letter], pagination, actor_count: int
                 ) -> list[OutputPage]:
    return [renderer.page(
        pagination.path, "actors_all.html", letter=letter, letters=letter_list,
        groups=grouped(list(pagination.items)), pagination=pagination, actor_count=actor_count,
        previous_label="← Previous", next_label="Next →",
    )]


def list_inputs(groups: list[tuple[str, str, list[Actor], int]], shown: tuple, fingerprints: Fingerprints) -> tuple:
    """What a list of actors (templates/_actor_groups.html) shows: `shown` (counts, the letters, its place among
    the list's pages), and each group's heading and size, and each actor it lists: its name, address, type,
    aliases and description, and in how many articles it is named."""
    return shown, [(heading, css, total, [(fingerprints.actor_shown(actor.key), actor.prominence) for actor in members])
                   for heading, css, members, total in groups]


def list_reads(groups: list[tuple[str, str, list[Actor], int]], shown: tuple, fingerprints: Fingerprints) -> tuple:
    """What `list_inputs` is worked out from beside the actors' fingerprints: which actors it lists, and the
    count of each."""
    return shown, [(heading, css, total, [(actor.key, actor.prominence) for actor in members])
                   for heading, css, members, total in groups]


def actor_pages(renderer: PageRenderer, site: Site, actor: Actor, lookups: Lookups,
                timeline: list[tuple[str, Event, str]], graph_page: str | None, per_page: int) -> Iterator[OutputPage]:
    """actors/<slug>.html, and its continuations when the actor's articles are many."""
    context = actor_context(actor, site, renderer, lookups)
    for pagination in paginate(f"actors/{actor.slug}.html", context["appearances"], per_page):
        first = pagination.number == 1
        yield renderer.page(
            pagination.path, "actor.html", actor=actor, pagination=pagination,
            appearances=pagination.items, roles=context["roles"] if first else [],
            quotes=context["quotes"] if first else [],
            with_most=context["with_most"] if first else [],
            timeline=timeline if first else [],
            graph_page=graph_page,
        )


def actor_inputs(renderer: PageRenderer, actor: Actor, lookups: Lookups, timeline: list[tuple[str, Event, str]],
                 graph_page: str | None, fingerprints: Fingerprints) -> tuple:
    """What an actor's pages show: the actor (mentions, roles, quotes, counts), every article it cites in
    the order the pages list them (newest first), the actors seen most with it, its timeline, its graph."""
    files = set(mention_files(actor)) | {f for _, f, _ in actor.roles} | {f for f, _, _ in actor.quotes}
    unknown = len(lookups.order)
    cited = sorted(files, key=lambda f: (lookups.order.get(f, unknown), f))
    return (
        fingerprints.actor(actor.key),
        [(f, fingerprints.article(f), renderer.article_pages.get(f)) for f in cited],
        [fingerprints.actor_shown(key) for key, _ in actor.co_actors],
        [(when, fingerprints.event_shown(event.key), page) for when, event, page in timeline],
        graph_page,
    )


def actor_reads(timeline: list[tuple[str, Event, str]], graph_page: str | None, fingerprints: Fingerprints) -> tuple:
    """What `actor_inputs` is worked out from beside the fingerprints it reads (the actor's own names the
    articles it cites, whose fingerprints name their order and pages, and the actors seen with it): the events
    of its timeline (found among all events), its graph page."""
    return [event.key for _, event, _ in timeline], graph_page


def _makes_pages(site: Site) -> bool:
    """Actors were resolved (a linking step ran); without them: no actor pages, no "Actors" in the navigation."""
    return bool(site.actors) or site.actor_report is not None


def planned_paths(renderer: PageRenderer, site: Site) -> set[str]:
    """The index, the report and one page per actor (what other pages link to), without rendering them."""
    if not _makes_pages(site):
        return set()
    return {"actors/index.html", "actors/report.html", *(f"actors/{actor.slug}.html" for actor in site.actors)}


def plan(renderer: PageRenderer, site: Site) -> Iterable[OutputPage | KeptPage]:
    if not _makes_pages(site):
        return []
    return _pages(renderer, site)


def _pages(renderer: PageRenderer, site: Site) -> Iterator[OutputPage | KeptPage]:
    actors = {a.key: a for a in site.actors}
    report = site.actor_report
    yield from index_pages(renderer, site)
    graph_pages = "graphs" in renderer.kinds
    per_page = renderer.config.articles_per_page
    slugs = {a.slug for a in site.actors}
    redirects: dict[str, Actor] = {}
    lookups = Lookups.of(site, renderer.config)
    timelines = actor_timelines(site, renderer)
    with_graph = feed_and_graph(renderer, site) if graph_pages else frozenset()  # (builder.pages.graphs.has_graph_page)
    for actor in site.actors:
        timeline = timelines.get(actor.key, [])
        graph_page = f"graphs/{actor.slug}.html" if actor.key in with_graph else None
        yield from renderer.keyed(
            f"actor:{actor.key}", "actor.html", partial(actor_inputs, renderer, actor, lookups, timeline, graph_page),
            partial(actor_pages, renderer, site, actor, lookups, timeline, graph_page, per_page),
            reads=partial(actor_reads, timeline, graph_page))
        for old in actor.redirect_from:
            if old not in slugs and old not in redirects:
                redirects[old] = actor
    for old, actor in sorted(redirects.items()):
        yield renderer.page(f"actors/{old}.html", "redirect.html", actor=actor, target=f"actors/{actor.slug}.html")
    hints = []
    if report is not None:
        for key_a, key_b, why, entry in report.likely_merges:
            if key_a in actors and key_b in actors:
                hints.append((actors[key_a], actors[key_b], why, entry))
    yield renderer.page(
        "actors/report.html", "actors_report.html", hints=hints,
        unmatched=report.unmatched_curation if report else [],
        clashes=report.slug_clashes if report else [],
    )
