"""events/index.html, events/<slug>.html (one per event), timeline.html and timeline/<year>.html (every
event by date); events/<old-slug>.html redirects for the addresses events had before site/curation.toml
changed their label or date or merged them.

No index grows with the site: events/index.html shows the latest and the most reported events and the
background events mentioned most (at most builder.pages.INDEX_ITEMS each), timeline.html the latest
INDEX_ITEMS dated events, and both link to the full timeline, one page per year (timeline/<year>.html,
undated events on timeline/undated.html), a year of more than builder.pages.LIST_ITEMS events continuing
on timeline/<year>--2.html ….

Each event page shows the label, the date with its wording and how it was
found, the place and participants (linked to actor pages when those exist), a
combined summary whose every sentence links to the sentence it came from, the
coverage (which sources reported it, when, and what each reports that the
others do not) and related events.  The timeline pages list their events, background
ones included, as plain HTML; static/timeline.js adds actor and type filters (the actors and
types of the page's own events).

With `excerpts_only` an event page quotes only sentences the article's own page shows (its
summary and first paragraph: builder.seo.published_sentences); the summary and "only this report"
keep to those, and every other sentence that reports the event is a link to its article.

`actor_timeline(site, key)` gives the dated events of one actor, oldest first,
for the actor pages.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
from operator import itemgetter

from builder.link.event_words import content_words
from builder.link.events import normalise_key
from builder.model import Article, DateRef, Event, KeptPage, Mentions, OutputPage, Precision, Site
from builder.page_keys import Fingerprints
from builder.pages import INDEX_ITEMS, LIST_ITEMS, paginate
from builder.render import PageRenderer, month_name, sentence_bounds
from builder.seo import QuotableSentences

UNIQUE_FACTS = 3  # per source, at most
NOVELTY = 0.5  # share of a sentence's content words that no other report of the event uses


@dataclass
class Named:
    key: str
    name: str
    path: str | None  # actors/<slug>.html, when the actor page exists


@dataclass
class SentenceLink:
    text: str  # "" when the sentence may not be quoted (excerpts_only): a link to the article only
    path: str  # articles/<slug>.html#s<N> (no #s<N> when not quoted)
    source: str  # the publisher
    article_title: str
    quote: bool = False


@dataclass
class Coverage:
    article: Article
    path: str | None
    published: date | None
    basis: str  # what the article's date was taken from (DateBasis)
    unique: list[SentenceLink] = field(default_factory=list)


@dataclass
class TimelineEntry:
    event: Event
    when: str  # "26 July 2023", "June 1950", "1950–1953"
    sort_key: tuple
    actors: list[Named]
    path: str


def date_text(ref: DateRef | None) -> str:
    """The date at its own precision: '26 July 2023' (a Wednesday), 'June 1950', '1950', '1950–1953'."""
    if ref is None or not ref.resolved:
        return "undated"
    value = ref.value
    if ref.precision == Precision.DAY:
        return f"{_day_name(value.weekday())}, {value.day} {month_name(value.month)} {value.year}"
    if ref.precision == Precision.MONTH:
        return f"{month_name(value.month)} {value.year}"
    if ref.precision == Precision.YEAR:
        return str(value.year)
    end = ref.end_value or value
    if end.year != value.year:
        return f"{value.year}–{end.year}"
    return f"{value.day} {month_name(value.month)} – {end.day} {month_name(end.month)} {end.year}"


@lru_cache(maxsize=7)
def _day_name(weekday: int) -> str:
    """calendar.day_name[weekday], made once: calendar formats a date for each one asked (7,000 events a render)."""
    return calendar.day_name[weekday]


def iso_text(ref: DateRef | None) -> str:
    if ref is None or not ref.resolved:
        return ""
    if ref.precision == Precision.YEAR or (ref.precision == Precision.SPAN and ref.end_value
                                           and ref.end_value.year != ref.value.year):
        return str(ref.value.year)  # a span of years (1950–1953) starts in a year, not on 1 January
    if ref.precision == Precision.MONTH:
        return f"{ref.value.year:04d}-{ref.value.month:02d}"
    return ref.value.isoformat()


class Names:
    """Display names for actor keys: the actor's name, or the surface form the articles use most."""

    def __init__(self, site: Site, renderer: PageRenderer | None = None) -> None:
        self.site = site
        self.actors = {actor.key: actor for actor in site.actors}
        self.pages = renderer.actor_pages if renderer is not None else {}
        self._surface: dict[str, str] | None = None
        # Each key's fields and Named, made once: a key is named on the timeline and again by its events' pages
        # and reads (every event's in an edit). Shared: nothing changes a Named once made.
        self._fields: dict[str, tuple[str, str, str | None]] = {}
        self._named: dict[str, Named] = {}

    @property
    def surface(self) -> dict[str, str]:
        """Each key's most used surface form, counted over every mention of every article when first asked
        for: only a key that names no actor needs it (an edit rebuild names only a few keys)."""
        if self._surface is None:
            self._surface = _surface_forms(self.site)
        return self._surface

    def __call__(self, key: str) -> Named:
        named = self._named.get(key)
        if named is None:
            named = self._named[key] = Named(*self.fields(key))
        return named

    def fields(self, key: str) -> tuple[str, str, str | None]:
        """What `self(key)` is made of (key, name, page), made once per key: what an event page's reads name of
        each of its actors, for every event of an edit."""
        found = self._fields.get(key)
        if found is None:
            actor = self.actors.get(key)
            name = actor.name if actor else self.surface.get(key) or key.replace("-", " ").title()
            found = self._fields[key] = (key, name, self.pages.get(key))
        return found


def _surface_forms(site: Site) -> dict[str, str]:
    """Actor key (or, for a mention linked to none, its normalised text) → the form most mentions use."""
    surface: dict[str, str] = {}
    counts: dict[str, dict[str, int]] = {}
    for article in site.articles:
        mentions = article.mentions
        pairs = (zip(mentions.actor_keys, mentions.texts, strict=True) if isinstance(mentions, Mentions)
                 else ((mention.actor_key, mention.text) for mention in mentions))  # (no Mention object each)
        for actor_key, text in pairs:
            key = actor_key or normalise_key(text)
            forms = counts.setdefault(key, {})
            forms[text] = forms.get(text, 0) + 1
    for key, forms in counts.items():
        surface[key] = max(forms.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0]
    return surface


def _article_path(renderer: PageRenderer, source_file: str, sentence: int | None = None) -> str | None:
    path = renderer.article_pages.get(source_file)
    if path and sentence is not None:
        return f"{path}#s{sentence}"
    return path


def _quotable(renderer: PageRenderer, quotable: QuotableSentences | None) -> QuotableSentences:
    return quotable or QuotableSentences(renderer.config)


def summary_links(renderer: PageRenderer, event: Event, articles: dict[str, Article],
                  quotable: QuotableSentences | None = None) -> list[SentenceLink]:
    quotable = _quotable(renderer, quotable)
    links = []
    for source_file, index in event.summary:
        article = articles.get(source_file)
        if article is None or index >= len(article.sentences) or not quotable(article, index):
            continue
        path = _article_path(renderer, source_file, index)
        if path:
            links.append(SentenceLink(article.sentence_text(index).strip(), path, article.source, article.title))
    return links


def report_words(article: Article, evidence: dict[str, set[int]] | None = None) -> set[str]:
    """The content words a report brings to the comparison: its whole text, or with `evidence` only the
    sentences that tell of the event."""
    if evidence is None:
        return set(content_words(article.text))
    words: set[str] = set()
    for index in evidence.get(article.source_file, ()):
        words.update(content_words(article.sentence_text(index)))
    return words


def unique_facts(article: Article, others: list[Article], limit: int = UNIQUE_FACTS,
                 quotable: QuotableSentences | None = None,
                 evidence: dict[str, set[int]] | None = None) -> list[tuple[int, bool]]:
    """Sentences (index, is a quote) of one report that the other reports do not share: most of their content
    words appear in no other report.  Quotes and sentences with figures or names come first.
    With `quotable`, only sentences it allows.  With `evidence` (source file → sentences that tell of the
    event: a background event mentioned in passing), only those sentences, compared with the others' own."""
    if not others:
        return []
    seen: set[str] = set()
    for other in others:
        seen.update(report_words(other, evidence))
    return _unique_facts(article, seen.__contains__, limit, quotable, evidence)


def _unique_facts(article: Article, said_elsewhere: Callable[[str], bool], limit: int,
                  quotable: QuotableSentences | None, evidence: dict[str, set[int]] | None) -> list[tuple[int, bool]]:
    """unique_facts, given whether another report uses a word."""
    quoted = {quote.sentence for quote in article.quotes}
    found = []
    own = None if evidence is None else evidence.get(article.source_file, set())
    for index in range(len(article.sentences)):  # (by index, from the columns: no Sentence object each)
        if quotable is not None and not quotable(article, index):
            continue
        if own is not None and index not in own:
            continue
        start, end = sentence_bounds(article, index)
        text = article.text[start:end]
        words = set(content_words(text))
        if len(words) < 5:
            continue
        novelty = sum(1 for word in words if not said_elsewhere(word)) / len(words)
        if novelty < NOVELTY:
            continue
        weight = novelty + (0.3 if index in quoted else 0) + (0.2 if re.search(r"\d", text) else 0)
        found.append((-weight, index, index in quoted))
    return sorted((index, quote) for _, index, quote in sorted(found)[:limit])


def coverage(renderer: PageRenderer, event: Event, articles: dict[str, Article],
             quotable: QuotableSentences | None = None) -> list[Coverage]:
    quotable = _quotable(renderer, quotable)
    reports = [articles[f] for f in event.sources if f in articles]
    evidence: dict[str, set[int]] | None = None
    if not any(article.main_event == event.key for article in reports):  # told in passing: its own sentences
        evidence = defaultdict(set)
        for source_file, index in event.evidence:
            evidence[source_file].add(index)
    # Each report's words once, and in how many reports each word is: another report uses a word when
    # more reports have it than this one's own count (0 or 1), as unique_facts would find comparing all.
    distinct = {id(article): article for article in reports}  # (a report listed twice is not "another")
    words = {ident: report_words(article, evidence) for ident, article in distinct.items()} if len(distinct) > 1 else {}
    reports_with: Counter[str] = Counter(word for own in words.values() for word in own)
    rows = []
    for article in reports:
        unique = []
        if words:
            own = words[id(article)]
            facts = _unique_facts(article, lambda word, own=own: reports_with[word] > (word in own), UNIQUE_FACTS,
                                  quotable, evidence)
        else:
            facts = []
        for index, quote in facts:
            path = _article_path(renderer, article.source_file, index)
            if path:
                unique.append(SentenceLink(article.sentence_text(index).strip(), path, article.source, article.title,
                                           quote))
        value = article.published.value
        rows.append(Coverage(article, _article_path(renderer, article.source_file),
                             value.date() if value else None, article.published.basis, unique))
    return rows


def evidence_links(renderer: PageRenderer, event: Event, articles: dict[str, Article],
                   quotable: QuotableSentences | None = None) -> list[SentenceLink]:
    """Every sentence that reports the event; one that may not be quoted is a link to its article (once)."""
    quotable = _quotable(renderer, quotable)
    links = []
    linked: set[str] = set()
    for source_file, index in event.evidence:
        article = articles.get(source_file)
        path = _article_path(renderer, source_file, index)
        if not (article and path and index < len(article.sentences)):
            continue
        if quotable(article, index):
            links.append(SentenceLink(article.sentence_text(index).strip(), path, article.source, article.title))
        elif source_file not in linked:
            linked.add(source_file)
            links.append(SentenceLink("", _article_path(renderer, source_file) or path, article.source,
                                      article.title))
    return links


def timeline_order(event: Event) -> tuple:
    """Oldest first; undated last; ties on the label then key."""
    if event.date is None or not event.date.resolved:
        return (1, date.max, event.label.lower(), event.key)
    return (0, event.date.value, event.label.lower(), event.key)


def timeline_entries(site: Site, names: Names, events: list[Event] | None = None,
                     ordered: list[tuple[tuple, str, Event]] | None = None) -> list[TimelineEntry]:
    """The events (the site's, or `events`) on a timeline, oldest first.  `ordered`: the site's events as
    `ordered_events` gives them, when the render has them already."""
    if ordered is None:
        ordered = _in_timeline_order(site.events if events is None else events)
    entries = []
    for order, when, event in ordered:
        actors = [names(key) for key in [*event.participants, *([event.place] if event.place else [])]]
        entries.append(TimelineEntry(event, when, order, actors, f"events/{event.slug}.html"))
    return entries


def _in_timeline_order(events: Sequence[Event]) -> list[tuple[tuple, str, Event]]:
    """(timeline_order, date_text, event) of each event, in timeline order: what sorting the events by
    timeline_order gives (a stable sort on the same keys), each key and date made once."""
    return sorted([(timeline_order(event), date_text(event.date), event) for event in events], key=itemgetter(0))


def ordered_events(renderer: PageRenderer, site: Site) -> list[tuple[tuple, str, Event]]:
    """The site's events in timeline order with their order keys and dates (`_in_timeline_order`), made once per
    render: the actors' timelines and the timeline's pages both ask (7,000 events at 10k articles, in every
    edit).  Kept on the renderer with the site they are of."""
    found = getattr(renderer, "ordered_events", None)
    if found is not None and found[0] is site:
        return found[1]
    ordered = _in_timeline_order(site.events)
    if hasattr(renderer, "ordered_events"):
        renderer.ordered_events = (site, ordered)
    return ordered


def involved_keys(event: Event) -> list[str]:
    """The actors an event belongs to on a timeline: its participants, then its place."""
    return list(dict.fromkeys([*event.participants, *([event.place] if event.place else [])]))


def actor_timeline(site: Site, key: str) -> list[TimelineEntry]:
    """The events one actor took part in (or that happened at that place), oldest first, for actor pages."""
    involved = [e for e in site.events if key in involved_keys(e)]
    return timeline_entries(site, Names(site), involved)


@dataclass(frozen=True)
class Year:
    """One page of the full timeline: a year's events (or the undated ones)."""

    key: str  # '2016', 'undated'
    label: str  # '2016', 'Undated'
    path: str  # timeline/<key>.html
    count: int


def timeline_years(entries: list[TimelineEntry]) -> list[tuple[Year, list[TimelineEntry]]]:
    """The entries (in timeline order) split by the year they start in, oldest first, undated last."""
    by_year: dict[str, list[TimelineEntry]] = {}
    for entry in entries:
        dated = entry.sort_key[0] == 0
        by_year.setdefault(f"{entry.sort_key[1].year:04d}" if dated else "undated", []).append(entry)
    return [(Year(key, "Undated" if key == "undated" else str(int(key)), f"timeline/{key}.html", len(items)), items)
            for key, items in by_year.items()]


def _filter_options(entries: list[TimelineEntry]) -> tuple[list[tuple[str, str]], list[str]]:
    """The timeline filter's choices for these entries: (actor key, name) by name, and the event types."""
    actors = sorted({(a.key, a.name) for entry in entries for a in entry.actors}, key=lambda kv: (kv[1].lower(), kv[0]))
    return actors, sorted({entry.event.type for entry in entries})


def timeline_pages(renderer: PageRenderer, entries: list[TimelineEntry],
                   years: list[tuple[Year, list[TimelineEntry]]]) -> Iterator[OutputPage | KeptPage]:
    """timeline.html (the latest dated events and the years) and timeline/<year>.html (every event); each page
    whose inputs did not change is kept (builder.page_keys)."""
    year_list = [year for year, _ in years]
    years_shown = repr(year_list)
    dated = [entry for entry in entries if entry.sort_key[0] == 0]
    latest = dated[-INDEX_ITEMS:]
    yield from renderer.keyed(
        "page:timeline.html", "timeline.html",
        partial(timeline_inputs, latest, (None, years_shown, len(entries))),
        partial(_timeline_page, renderer, "timeline.html", latest, year_list=year_list, year=None,
                event_count=len(entries)),
        reads=partial(timeline_reads, latest, (None, years_shown, len(entries))))
    for year, items in years:
        for pagination in paginate(year.path, items, LIST_ITEMS):
            shown = (repr(year), years_shown, len(entries), pagination.number, pagination.paths)
            yield from renderer.keyed(
                f"page:{pagination.path}", "timeline.html", partial(timeline_inputs, pagination.items, shown),
                partial(_timeline_page, renderer, pagination.path, pagination.items, year_list=year_list, year=year,
                        event_count=len(entries), pagination=pagination, previous_label="← Earlier",
                        next_label="Later →"),
                reads=partial(timeline_reads, pagination.items, shown))


def _timeline_page(renderer: PageRenderer, path: str, entries: Sequence[TimelineEntry], **context) -> list[OutputPage]:
    actor_options, type_options = _filter_options(list(entries))
    year_list = context.pop("year_list")
    return [renderer.page(path, "timeline.html", entries=entries, actor_options=actor_options,
                          type_options=type_options, years=year_list, **context)]


def timeline_inputs(entries: Sequence[TimelineEntry], shown: tuple, fingerprints: Fingerprints) -> tuple:
    """What a page of the timeline shows: `shown` (its year, the years, how many events, its place among the
    year's pages) and each event it lists (label, address, type, date), with the actors named beside it."""
    return shown, [(fingerprints.event_shown(entry.event.key), entry.path,
                    [(actor.key, actor.name, actor.path) for actor in entry.actors]) for entry in entries]


def timeline_reads(entries: Sequence[TimelineEntry], shown: tuple, fingerprints: Fingerprints) -> tuple:
    """What `timeline_inputs` is worked out from beside the events' fingerprints: which events it lists, and
    the actors beside each."""
    return shown, [(entry.event.key, entry.path, [(actor.key, actor.name, actor.path) for actor in entry.actors])
                   for entry in entries]


def index_reads(sections: dict[str, list[Event]], shown: tuple, fingerprints: Fingerprints) -> tuple:
    """What `index_inputs` is worked out from beside the events' fingerprints: which events each section lists."""
    return shown, [(name, [event.key for event in events]) for name, events in sections.items()]


def index_inputs(sections: dict[str, list[Event]], shown: tuple, fingerprints: Fingerprints) -> tuple:
    """What events/index.html shows: `shown` (the counts, the years) and the events of each section."""
    return shown, [(name, [fingerprints.event_shown(event.key) for event in events])
                   for name, events in sections.items()]


def index_sections(site: Site) -> dict[str, list[Event]]:
    """What events/index.html shows: the latest and (when not all are among them) the most reported current
    events, and the background events mentioned most, at most INDEX_ITEMS each."""
    current = [e for e in site.events if not e.background]  # newest first, undated last
    background = [e for e in site.events if e.background]
    position = {e.key: i for i, e in enumerate(site.events)}

    def most_reported(events: list[Event]) -> list[Event]:
        return sorted(events, key=lambda e: (-len(e.sources), position[e.key]))[:INDEX_ITEMS]

    return {"events": current[:INDEX_ITEMS],
            "most_reported": most_reported(current) if len(current) > INDEX_ITEMS else [],  # else: all above
            "background": most_reported(background)}


@dataclass
class DatedFrom:
    """How an event's page says its date was found: a few words and the report it came from (a link)."""

    words: str
    title: str = ""
    path: str | None = None


def dated_from(renderer: PageRenderer, event: Event, articles: dict[str, Article]) -> DatedFrom | None:
    """How the event was dated, for a reader: the report it came from by its title, with a link; None if undated."""
    if not event.date_how or event.date_how == "undated":
        return None
    article = articles.get(event.date_from or "")
    if article is None:
        return DatedFrom(event.date_how)
    # A date read in a report's text is "dated from" it; a report's publication day is named as such.
    words = f"{event.date_how}," if event.date and event.date.rule == "report-date" else "dated from"
    return DatedFrom(words, article.title or article.source_file, _article_path(renderer, article.source_file))


def event_page(renderer: PageRenderer, event: Event, names: Names, articles: dict[str, Article],
               quotable: QuotableSentences, by_key: dict[str, Event]) -> list[OutputPage]:
    return [renderer.page(
        f"events/{event.slug}.html", "event.html",
        event=event,
        when=date_text(event.date),
        when_iso=iso_text(event.date),
        place=names(event.place) if event.place else None,
        participants=[names(key) for key in event.participants],
        summary=summary_links(renderer, event, articles, quotable),
        coverage=coverage(renderer, event, articles, quotable),
        evidence=evidence_links(renderer, event, articles, quotable),
        related=[by_key[k] for k in event.related if k in by_key],
        date_found=dated_from(renderer, event, articles),
        date_text=date_text,
    )]


def event_inputs(renderer: PageRenderer, event: Event, names: Names, fingerprints: Fingerprints) -> tuple:
    """What an event's page shows: the event, its place and participants (as named on the page, and their
    schema.org entries), every article it quotes, lists or is dated from, and its related events."""
    involved = involved_keys(event)
    dated_from = [event.date_from] if event.date_from else []  # (its date line names that report)
    files = dict.fromkeys([*event.sources, *(f for f, _ in event.summary), *(f for f, _ in event.evidence),
                           *dated_from])
    return (
        fingerprints.event(event.key),
        [(repr(names(key)), fingerprints.actor_shown(key)) for key in involved],
        [(f, fingerprints.article(f), renderer.article_pages.get(f)) for f in files],
        [fingerprints.event_shown(key) for key in event.related],
    )


def event_reads(event: Event, names: Names, fingerprints: Fingerprints) -> list:
    """What `event_inputs` is worked out from beside the fingerprints it reads (the event's own names the
    articles it cites, its place, participants and related events): how its actors are named, a name
    worked out over all articles for an actor without a page."""
    return [names.fields(key) for key in involved_keys(event)]


def planned_paths(renderer: PageRenderer, site: Site) -> set[str]:
    """The index, the timeline and one page per event (what other pages link to), without rendering them."""
    return {"events/index.html", "timeline.html", *(f"events/{event.slug}.html" for event in site.events)}


def plan(renderer: PageRenderer, site: Site) -> Iterator[OutputPage | KeptPage]:
    names = Names(site, renderer)
    articles = {article.source_file: article for article in site.articles}
    quotable = QuotableSentences(renderer.config)
    by_key = {event.key: event for event in site.events}
    sections = index_sections(site)
    current_count = sum(1 for e in site.events if not e.background)
    entries = timeline_entries(site, names, ordered=ordered_events(renderer, site))
    years = timeline_years(entries)
    year_list = [year for year, _ in years]
    background_count = len(site.events) - current_count
    yield from renderer.keyed(
        "page:events/index.html", "events.html",
        partial(index_inputs, sections, (current_count, background_count, repr(year_list))),
        lambda: [renderer.page("events/index.html", "events.html", **sections, event_count=current_count,
                               background_count=background_count, years=year_list, date_text=date_text,
                               iso_text=iso_text)],
        reads=partial(index_reads, sections, (current_count, background_count, repr(year_list))))
    for event in site.events:
        yield from renderer.keyed(f"event:{event.key}", "event.html", partial(event_inputs, renderer, event, names),
                                  partial(event_page, renderer, event, names, articles, quotable, by_key),
                                  reads=partial(event_reads, event, names))
    slugs = {event.slug for event in site.events}
    redirects: dict[str, Event] = {}
    for event in site.events:  # old addresses (before a curated label, date or merge) lead to the event
        for old in event.redirect_from:
            if old not in slugs:
                redirects.setdefault(old, event)
    for old, event in sorted(redirects.items()):
        yield renderer.page(f"events/{old}.html", "redirect.html", name=event.label,
                            target=f"events/{event.slug}.html")
    yield from timeline_pages(renderer, entries, years)
