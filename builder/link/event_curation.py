"""The user corrects events: the [event_*] sections of site/curation.toml.

`curate_events(events, articles, curation) -> (events, articles, unmatched)` runs right after
`group_events` and returns new lists (the inputs are not changed); `unmatched` lists the entries
that matched no event ("event_label.some-page-name"), for the report.

An event is named by
- its page name before curation: the slug of events/<page name>.html as a build without the
  event sections gives it (so a line keeps working after the label or date change it causes),
- its key (Event.key, stable across builds; data/events.csv lists them as event_id),
- the file of an article that reports it as its main event ("wire/ap-0412.txt"; after a split,
  the file names the event it was split into).
The path of the page ("events/<page name>.html") works too; case does not count.  Once events are
merged, every name of a merged one names the merged event.

The sections apply in this order:
1. [event_split] event = [files]: each file leaves the event for an event of its own (key and
   page name from the file; label the article's title; the event's type; its date when the
   event was dated by that article, else the article's own date).  Participants and place stay
   on each side where its reports name them.
2. [event_merge] label = [events]: one event keeps the first one's key, label, type and address;
   sources, evidence and participants are the union; the date is the best of theirs (the most
   precise, then the earliest).  The others' addresses redirect to it.
3. [event_type], [event_date] ("2023-07-26" day, "2023-07" month, "1950" year), [event_label].
An event whose label or date changed (its page name is made from both) gets the page name of its
new label and date; the old one redirects (Event.redirect_from).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

from builder.link.curation import Curation
from builder.link.events import (
    PRECISION_ORDER,
    _stable_key,
    article_names,
    combined_summary,
    event_order,
    link_related,
    slug_text,
)
from builder.link.slugs import slugify, with_clash_suffix
from builder.model import Article, DateRef, Event, Precision


def split_key(source_file: str) -> str:
    """The key of the event an article is split out into: from its file, stable across builds."""
    return _stable_key("split", source_file)


def wanted_slug(event: Event) -> str:
    """The page name an event's label and date ask for (as group_events makes them)."""
    return slugify(slug_text(event))


def _name(text: str) -> str:
    name = text.strip().casefold()
    name = name.removeprefix("events/")
    return name.removesuffix(".html")


def _copy(event: Event) -> Event:
    return replace(event, participants=list(event.participants), evidence=list(event.evidence),
                   sources=list(event.sources), summary=list(event.summary), related=list(event.related),
                   redirect_from=list(event.redirect_from))


def _date_key(ref: DateRef | None) -> tuple:
    """Best first: resolved, most precise, earliest."""
    if ref is None or not ref.resolved:
        return (1, 0, 0)
    return (0, PRECISION_ORDER[ref.precision], ref.value.toordinal())


def _date_by_report(event: Event, article: Article | None, sentence: int, how: str) -> None:
    """Date the event by the day its report was published (undated if there is none)."""
    if article is None or article.published.value is None:
        event.date, event.date_how, event.date_from = None, "undated", None
        return
    day = article.published.value.date()
    event.date = DateRef(day, Precision.DAY, f"reported on {day.isoformat()}", sentence, rule="report-date")
    event.date_how, event.date_from = how, article.source_file


def curate_events(events: list[Event], articles: list[Article],
                  curation: Curation | None) -> tuple[list[Event], list[Article], list[str]]:
    if curation is None or not curation.has_event_entries:
        return events, articles, []
    events = [_copy(e) for e in events]
    by_key: dict[str, Event] = {e.key: e for e in events}
    articles = [replace(a, events=list(a.events)) for a in articles]
    by_file = {a.source_file: a for a in articles}
    files = {a.source_file.casefold(): a.source_file for a in articles}
    names: dict[str, str] = {}  # a name of an event (page name before curation, key) → its key now
    for event in events:
        names.setdefault(_name(event.slug), event.key)
    for event in events:
        names[_name(event.key)] = event.key
    unmatched: list[str] = []
    moved: set[str] = set()  # events whose label or date changed, and events split out

    def lookup(reference: str) -> Event | None:
        name = _name(reference)
        if name in names:
            return by_key.get(names[name])
        source_file = files.get(name) or files.get(reference.strip().casefold())
        article = by_file.get(source_file) if source_file else None
        return by_key.get(article.main_event) if article and article.main_event else None

    def mentioned(source_files: list[str]) -> set[str]:
        return {n.key for f in source_files if f in by_file for n in article_names(by_file[f])}

    def resummarise(event: Event) -> None:
        reports = [by_file[f] for f in event.sources if f in by_file]
        event.summary = combined_summary(reports, event.evidence) if reports else []

    # 1. splits
    for reference, taken in curation.event_split:
        event = lookup(reference)
        if event is None:
            unmatched.append(f"event_split.{reference}")
            continue
        for wanted in taken:
            source_file = files.get(wanted.strip().casefold())
            if source_file not in event.sources or len(event.sources) < 2 or split_key(source_file) in by_key:
                unmatched.append(f"event_split.{reference}: {wanted} (not one of its reports, or its only one)")
                continue
            article = by_file[source_file]
            evidence = [e for e in event.evidence if e[0] == source_file] or (
                [(source_file, 0)] if article.sentences else [])
            event.sources.remove(source_file)
            event.evidence = [e for e in event.evidence if e[0] != source_file]
            own = mentioned([source_file])
            new = Event(key=split_key(source_file), label=article.title or source_file, type=event.type, slug="",
                        place=event.place if event.place in own else None,
                        participants=[p for p in event.participants if p in own], evidence=evidence,
                        background=event.background, sources=[source_file], related=[event.key])
            if event.date_from == source_file:  # the split report takes its date along
                new.date, new.date_how, new.date_from = event.date, event.date_how, event.date_from
                first = next((by_file[f] for f in event.sources if f in by_file and by_file[f].published.value), None)
                _date_by_report(event, first, 0, "the date of its earliest report")
                moved.add(event.key)
            else:
                _date_by_report(new, article, evidence[0][1] if evidence else 0, "the date of its report")
            remaining = mentioned(event.sources)
            event.participants = [p for p in event.participants if p in remaining]
            if event.place not in remaining:
                event.place = None
            resummarise(event)
            resummarise(new)
            events.append(new)
            by_key[new.key] = new
            names[_name(new.key)] = new.key
            moved.add(new.key)
            article.main_event = new.key if article.main_event == event.key else article.main_event
            article.events = list(dict.fromkeys(new.key if k == event.key else k for k in article.events))

    # 2. merges
    for label, references in curation.event_merge:
        found = [(r, lookup(r)) for r in references]
        group = list({e.key: e for _, e in found if e is not None}.values())
        if len(group) < 2:
            unmatched.append(f"event_merge.{label}")
            continue
        unmatched.extend(f"event_merge.{label}: {r} (names no event)" for r, e in found if e is None)
        keep, others = group[0], group[1:]
        best = min(group, key=lambda e: _date_key(e.date))
        if best.date != keep.date:
            keep.date, keep.date_how, keep.date_from = best.date, best.date_how, best.date_from
            moved.add(keep.key)
        gone = {e.key for e in others}
        for other in others:
            keep.sources = list(dict.fromkeys([*keep.sources, *other.sources]))
            keep.evidence = list(dict.fromkeys([*keep.evidence, *other.evidence]))
            keep.participants = list(dict.fromkeys([*keep.participants, *other.participants]))
            keep.place = keep.place or other.place
            keep.background = keep.background and other.background
            keep.related = [k for k in dict.fromkeys([*keep.related, *other.related]) if k != keep.key]
            keep.redirect_from += [other.slug, *other.redirect_from]
            for name, key in names.items():
                if key == other.key:
                    names[name] = keep.key
            del by_key[other.key]
        keep.related = [k for k in keep.related if k not in gone]
        keep.participants = [p for p in keep.participants if p != keep.place]
        resummarise(keep)
        events = [e for e in events if e.key not in gone]
        for event in events:
            event.related = list(dict.fromkeys(keep.key if k in gone else k for k in event.related if k != event.key))
        for article in articles:
            if article.main_event in gone:
                article.main_event = keep.key
            if gone & set(article.events):
                article.events = list(dict.fromkeys(keep.key if k in gone else k for k in article.events))

    # 3. type, date, label
    for reference, type_name in curation.event_type:
        if event := lookup(reference):
            event.type = type_name
        else:
            unmatched.append(f"event_type.{reference}")
    for reference, value, precision in curation.event_date:
        if event := lookup(reference):
            sentence = event.evidence[0][1] if event.evidence else 0
            event.date = DateRef(value, precision, "", sentence, rule="curation")
            event.date_how, event.date_from = f"set by hand in {PurePosixPath(curation.path).name}", None
            moved.add(event.key)
        else:
            unmatched.append(f"event_date.{reference}")
    for reference, text in curation.event_label:
        if event := lookup(reference):
            event.label = text
            moved.add(event.key)
        else:
            unmatched.append(f"event_label.{reference}")

    _new_slugs([e for e in events if e.key in moved], events)
    link_related(events)  # participants, sources and dates may have changed
    events.sort(key=event_order)
    return events, articles, unmatched


def _new_slugs(moved: list[Event], events: list[Event]) -> None:
    """Page names from the new label and date; a name another event has gets a suffix from the key
    (as unique_slugs does).  Old names redirect unless an event now has them."""
    moving = {e.key for e in moved}
    taken = {e.slug for e in events if e.key not in moving}
    wanted: dict[str, list[Event]] = {}
    for event in sorted(moved, key=lambda e: e.key):
        wanted.setdefault(wanted_slug(event), []).append(event)
    for slug, claimants in sorted(wanted.items()):
        for event in claimants:
            new = slug
            if slug in taken or len(claimants) > 1:
                new = with_clash_suffix(slug, event.key)
            if event.slug and event.slug != new:
                event.redirect_from.append(event.slug)
            event.slug = new
            taken.add(new)
    slugs = {e.slug for e in events}
    for event in events:
        event.redirect_from = sorted({s for s in event.redirect_from if s and s not in slugs})
