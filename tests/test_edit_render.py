"""An edit's render stage in what the edit changed (session 17): the units whose objects changed found in one pass
(`PageKeys._readers_of_changed`), the fingerprints derived from unchanged objects taken as they were
(`PageKeys._fingerprints_now`), export parts keyed by their objects' fingerprints under one recorded global part,
the site graph's links counted by intersections, names and feed articles made once or only when asked.  Each is
held here to what it replaces, and whole series of edits to a cold build."""

from __future__ import annotations

import calendar
import shutil
import tempfile
from collections import Counter
from dataclasses import FrozenInstanceError
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_feeds import make_site
from test_key_recall import EDITS, as_previous, edited, render

from builder.build import build
from builder.config import Config, Paths, Settings
from builder.model import Actor, DateRef, EntityType, Event, KeptPage, Precision, Site
from builder.page_keys import PageKeys, kept_page, pack, unpack
from builder.pages import Once
from builder.pages.actors import TYPE_HEADINGS, index_groups
from builder.pages.events import Names, date_text, ordered_events, timeline_entries, timeline_order
from builder.pages.graphs import _by_article, _neighbours_of
from builder.render import month_name

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def readers_one_by_one(keys: PageKeys) -> set[str]:
    """What each unit's check did before (session 16's `_none_changed`), unit by unit: a unit read a changed
    object, or one out of the previous table."""
    found = set()
    for unit, entry in keys.previous.items():
        read = entry[3] if len(entry) > 3 else None
        if not read:
            continue
        numbers = unpack(read)
        if numbers[-1] >= len(keys._then) or not keys.changed.isdisjoint(numbers):
            found.add(unit)
    return found


@settings(max_examples=200, deadline=None)
@given(reads=st.dictionaries(st.text("uvwxyz", min_size=1, max_size=3),
                             st.one_of(st.none(), st.sets(st.integers(0, 40), max_size=12)), max_size=12),
       table=st.integers(0, 41), changed=st.sets(st.integers(0, 45), max_size=6))
@example(reads={"u": {0, 1, 2}, "v": {3}}, table=3, changed=set())  # (a number out of the table only)
@example(reads={"u": set(range(9)), "v": {9, 10}}, table=40, changed={10})  # (base64 padded: 36 and 8 bytes)
def test_the_readers_of_changed_objects_are_those_a_check_of_each_unit_finds(reads, table, changed):
    previous = {unit: ("key", (), "reads", None if numbers is None else pack(sorted(numbers)))
                for unit, numbers in reads.items()}
    keys = PageKeys(previous, objects=[(f"a:{number}", "fingerprint") for number in range(table)])
    keys.changed = {number for number in changed if number < table}
    assert keys._readers_of_changed() == readers_one_by_one(keys)


SERIES = st.lists(EDITS, min_size=1, max_size=3)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(series=SERIES)
@example(series=[[("drop actor", 0)], [("add", 1)], [("rename actor", 2)]])
def test_each_build_of_a_series_recalls_a_cold_builds_keys_and_keeps_its_bytes(series):
    """Builds one after the other, each recalling from the last one's keys (not only from a first build's): every
    unit's key is a cold build's, every kept page a cold build's bytes, and the units worked out are at most those
    that read a changed object or whose reads changed.  Each object's fingerprint as taken (a cast or what is
    shown of an actor or event taken as it was while what it is derived from did not change) is the one worked
    out."""
    with tempfile.TemporaryDirectory() as where:
        folder = Path(where)
        site = make_site()
        keys = PageKeys()
        pages = render(site, folder, keys)
        for edits in series:
            site = edited(site, edits)
            cold = PageKeys()
            cold_pages = render(site, folder, cold)
            again = as_previous(keys)
            made = render(site, folder, again)
            assert {unit: entry[0] for unit, entry in again.current.items()} == {
                unit: entry[0] for unit, entry in cold.current.items()}
            assert sorted(made) == sorted(cold_pages)
            for path, content in made.items():
                assert (pages[path] if content is None else content) == cold_pages[path], path
            assert again._affected == readers_one_by_one(again)
            worked_out = again._fingerprints  # (each object's fingerprint worked out, none taken as it was)
            assert again.fingerprints_now == [worked_out.of(reference) for reference in again.objects]
            keys, pages = again, {path: cold_pages[path] for path in made}


@settings(max_examples=200, deadline=None)
@given(files_of=st.dictionaries(st.sampled_from("abcdefgh"), st.sets(st.sampled_from("pqrstuvw"), max_size=6),
                                max_size=8))
def test_two_actors_share_as_many_articles_as_the_companions_count_says(files_of):
    """The site graph's links (builder.pages.graphs.plan) count two actors' shared articles as the intersection of
    their articles: what counting every companion of one of them (`_neighbours_of`) gives, and no link of 0."""
    by_article = _by_article(files_of)
    counted = Counter({(a, b): count for a in files_of for b, count in _neighbours_of(a, files_of, by_article).items()
                       if a < b})
    intersected = Counter({(a, b): len(files_of[a] & files_of[b]) for a in files_of for b in files_of
                           if a < b and files_of[a] & files_of[b]})
    assert counted == intersected


def test_once_makes_its_value_when_first_asked_and_only_then():
    made = []
    value = Once(lambda: made.append(1) or ["value"])
    assert made == []
    assert value() == ["value"] and value() is value() and made == [1]


def settings_for(project: Path, output: Path, cache: Path, config: Config) -> Settings:
    return Settings(config=config, paths=Paths.from_project(project, output=output, cache=cache), jobs=1)


def exports(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((folder / "data").iterdir())}


def test_export_parts_are_not_copied_across_a_change_of_the_code(tmp_path, monkeypatch):
    """The exports' parts are keyed by their objects' fingerprints, and what else they depend on (the builder's
    code, the config: `PageKeys.exports_global`) is recorded once beside them.  An actor's fingerprint is the
    actor's alone: after a change of the code that writes its record, no part is copied from the previous files,
    and the exports are a cold build's (verifying, the build also makes each in full and stops if they differ)."""
    import builder.cache
    import builder.fingerprint
    import builder.pages.export as export

    project = tmp_path / "project"
    shutil.copytree(SEEDS, project / "seeds")
    cache = tmp_path / "cache"
    output = project / "output"
    build(settings_for(project, output, cache, Config()))
    record = export._actor_record
    monkeypatch.setattr(export, "_actor_record", lambda actor: {**record(actor), "new_column": actor.key.upper()})
    for module in (builder.cache, builder.fingerprint):  # (the code changed: so does its fingerprint)
        monkeypatch.setattr(module, "builder_fingerprint", lambda: "another builder")
    build(settings_for(project, output, cache, Config()))
    assert "new_column" in (output / "data" / "digest.json").read_text(encoding="utf-8")
    build(settings_for(project, tmp_path / "cold", tmp_path / "cold-cache", Config()))
    assert exports(output) == exports(tmp_path / "cold")


# Session 18 (render-walk): what an edit's render does once, or in one step, is what it replaces.

DATES = st.one_of(
    st.none(),
    st.builds(DateRef, st.dates(date(1900, 1, 1), date(2030, 12, 31)), st.sampled_from(list(Precision)),
              st.just("then"), st.just(0), st.one_of(st.none(), st.dates(date(1900, 1, 1), date(2030, 12, 31))),
              st.booleans()))
EVENTS = st.lists(st.builds(lambda key, label, when: Event(f"event:{key}", label, "meeting", key, date=when),
                            st.text("abc", min_size=1, max_size=3), st.text("Bba ", max_size=3), DATES),
                  max_size=8, unique_by=lambda event: event.key)


@settings(max_examples=200, deadline=None)
@given(events=EVENTS)
def test_events_ordered_once_are_the_events_sorted_and_dated_one_by_one(events):
    """`ordered_events` (the actors' timelines and the timeline's pages share it): each event's timeline order and
    date text, in the order sorting the events by timeline_order gives; the timeline's entries made from it are
    those made from the events."""
    site = Site(title="t", articles=[], actors=[], events=events, sources=[])
    renderer = SimpleNamespace(ordered_events=None)
    ordered = ordered_events(renderer, site)
    assert [event for _, _, event in ordered] == sorted(events, key=timeline_order)
    assert all(order == timeline_order(event) and when == date_text(event.date) for order, when, event in ordered)
    assert ordered_events(renderer, site) is ordered  # (made once per render)
    names = Names(site)
    made = timeline_entries(site, names, ordered=ordered)
    assert [(e.event, e.when, e.sort_key, e.path) for e in made] == [
        (event, date_text(event.date), timeline_order(event), f"events/{event.slug}.html")
        for event in sorted(events, key=timeline_order)]


def test_month_and_day_names_made_once_are_strftimes():
    for month in range(1, 13):
        for day in (1, 15, 28):
            value = date(2023, month, day)
            assert month_name(month) == f"{value:%B}"
    for value in (date(2024, 3, d) for d in range(1, 8)):
        assert date_text(DateRef(value, Precision.DAY, "on", 0)) == (
            f"{calendar.day_name[value.weekday()]}, {value.day} {value:%B} {value.year}")


def test_a_kept_page_made_in_one_step_is_the_dataclass():
    made = kept_page("articles/a.html", (12, 34), "entry")
    assert made == KeptPage("articles/a.html", state=(12, 34), search="entry")
    assert (made.path, made.content, made.state, made.search) == ("articles/a.html", None, (12, 34), "entry")
    with pytest.raises(FrozenInstanceError):
        made.path = "other.html"


@settings(max_examples=100, deadline=None)
@given(kinds=st.lists(st.sampled_from(list(EntityType)), max_size=12))
def test_actors_grouped_in_one_pass_are_those_of_each_type(kinds):
    actors = [Actor(f"k{number}", f"Name {number % 3}", kind, f"k{number}", mentions=[("a.md", 0)] * (number % 2 + 1))
              for number, kind in enumerate(kinds)]
    site = Site(title="t", articles=[], actors=actors, events=[], sources=[])
    expected = []
    for actor_type, heading, css in TYPE_HEADINGS:
        members = sorted([a for a in actors if a.type == actor_type],
                         key=lambda a: (-a.prominence, -len(a.mentions), a.name.lower(), a.key))
        if members:
            expected.append((heading, css, members))
    assert index_groups(site) == expected
