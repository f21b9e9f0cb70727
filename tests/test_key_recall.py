"""Page keys recalled from what each unit reads (builder.page_keys.PageKeys): after any edit of a small linked
site, every unit's key is the key a cold build computes, although only the units that read a changed object
(or whose reads changed) work theirs out; and every page kept is, byte for byte, the page a cold build makes."""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_feeds import make_site

from builder.config import Config, Paths, Settings
from builder.errors import BuildError
from builder.model import Site, Source
from builder.page_keys import PageKeys, unpack
from builder.render import iter_site_pages
from builder.write import KeptRun

KINDS = ["retitle", "redate", "move source", "delete", "add", "describe actor", "rename actor", "drop actor",
         "involve actor", "relabel event", "drop event", "redate event", "date event from", "nothing"]
EDITS = st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 5)), min_size=1, max_size=4)


def edited(site: Site, edits: list[tuple[str, int]]) -> Site:
    """The site after the edits, its sources regrouped as linking groups them (site order within each)."""
    articles, actors, events = list(site.articles), list(site.actors), list(site.events)
    for number, (edit, at) in enumerate(edits):
        if edit in ("retitle", "redate", "move source", "delete", "add") and articles:
            index = at % len(articles)
            article = articles[index]
            changed = f"{article.content_hash}+{number}"  # (an edited file: its analysis is another)
            if edit == "retitle":
                articles[index] = dataclasses.replace(article, title=f"{article.title} ({number})",
                                                      content_hash=changed)
            elif edit == "redate":
                published = dataclasses.replace(article.published, value=datetime(2023, 1 + at, 1, tzinfo=UTC))
                articles[index] = dataclasses.replace(article, published=published, content_hash=changed)
            elif edit == "move source":
                articles[index] = dataclasses.replace(article, source=f"Source {at % 2}", content_hash=changed)
            elif edit == "delete":
                del articles[index]
            else:
                name = f"new-{number}"
                while any(other.slug == name for other in articles):  # (a second series adds under new names)
                    name += "-again"
                articles.append(dataclasses.replace(article, source_file=f"{name}.md", slug=name,
                                                    content_hash=changed))
        elif edit in ("describe actor", "rename actor", "drop actor") and actors:
            index = at % len(actors)
            if edit == "drop actor":
                del actors[index]
            elif edit == "rename actor":
                actors[index] = dataclasses.replace(actors[index], name=f"Renamed {number}")
            else:
                actors[index] = dataclasses.replace(actors[index], description=f"Described ({number})")
        elif edit in ("involve actor", "relabel event", "drop event", "redate event", "date event from") and events:
            index = at % len(events)
            event = events[index]
            if edit == "drop event":
                del events[index]
            elif edit == "involve actor" and actors:
                key = actors[at % len(actors)].key
                events[index] = dataclasses.replace(event, participants=[k for k in event.participants if k != key]
                                                    if key in event.participants else [*event.participants, key])
            elif edit == "date event from" and articles:  # (the report it is dated from need not be a source)
                events[index] = dataclasses.replace(event, date_how="dated from its report",
                                                    date_from=articles[at % len(articles)].source_file)
            elif edit == "redate event" and event.date is not None:
                events[index] = dataclasses.replace(event, date=dataclasses.replace(event.date, value=event.date.value
                                                                                    .replace(year=2020 + at)))
            else:
                events[index] = dataclasses.replace(event, label=f"Relabelled {number}")
    from builder.link.site import newest_first

    articles.sort(key=newest_first)
    by_source: dict[str, list] = {}
    for article in articles:
        by_source.setdefault(article.source, []).append(article)
    sources = [Source(name, name.lower().replace(" ", "-"), members) for name, members in by_source.items()]
    return dataclasses.replace(site, articles=articles, actors=actors, events=events, sources=sources)


def render(site: Site, folder: Path, keys: PageKeys | None) -> dict[str, bytes | None]:
    """Each page's bytes (None: kept, not made) as a build renders the site with these keys."""
    settings_ = Settings(config=Config(), paths=Paths.from_project(folder), jobs=1)
    return {page.path: page.content for page in iter_site_pages(site, settings_, keys)}


def rendered_in_order(site: Site, folder: Path, keys: PageKeys) -> list[tuple[str, bytes | None]]:
    """Each page (path, bytes or None: kept) in the order the writer gets it, a run of kept pages (`KeptRun`) as
    its pages."""
    settings_ = Settings(config=Config(), paths=Paths.from_project(folder), jobs=1)
    found = []
    for page in iter_site_pages(site, settings_, keys):
        if isinstance(page, KeptRun):
            assert page.files, "an empty run"
            found += [(kept.path, None) for kept in page.pages()]
        else:
            found.append((page.path, page.content))
    return found


def as_previous(keys: PageKeys, runs: bool = False) -> PageKeys:
    """The keys a build recorded, as the next build loads them (files as they were left)."""
    previous = {unit: (key, tuple((path, 0, 0, None) for path in paths), reads, read)
                for unit, (key, paths, reads, read) in keys.current.items()}
    return PageKeys(previous, objects=list(zip(keys.objects, keys.fingerprints_now, strict=True)), runs=runs)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first_edits=EDITS, edits=EDITS)
@example(first_edits=[("date event from", 0)], edits=[("retitle", 0)])  # (its date line names that report)
@example(first_edits=[("add", 0)], edits=[("add", 0)])  # (two series, each adding an article)
def test_recalled_keys_are_a_cold_builds_and_kept_pages_its_bytes(first_edits, edits):
    with tempfile.TemporaryDirectory() as where:
        folder = Path(where)
        before = edited(make_site(), first_edits)
        first = PageKeys()
        previous_pages = render(before, folder, first)
        after = edited(before, edits)
        cold = PageKeys()
        cold_pages = render(after, folder, cold)
        again = as_previous(first)
        in_order = rendered_in_order(after, folder, again)
        pages = dict(in_order)
        assert {unit: entry[0] for unit, entry in again.current.items()} == {
            unit: entry[0] for unit, entry in cold.current.items()}
        assert sorted(pages) == sorted(cold_pages)
        for path, content in pages.items():
            assert (previous_pages[path] if content is None else content) == cold_pages[path], path
        # The kept pages gathered into runs: the same pages in the same order (the sitemap listing them the same),
        # the same keys recorded.
        in_runs = as_previous(first, runs=True)
        assert rendered_in_order(after, folder, in_runs) == in_order
        assert in_runs.current == again.current and in_runs.kept_files == again.kept_files


def test_only_the_units_that_read_a_changed_object_work_their_inputs_out(tmp_path):
    site = make_site()
    first = PageKeys()
    render(site, tmp_path, first)
    again = as_previous(first)
    render(site, tmp_path, again)
    assert again.recalled == len(first.current) and again.changed == set()
    renamed = edited(site, [("describe actor", 0)])  # the mayor's description: her page, her feed, her graph
    again = as_previous(first)
    render(renamed, tmp_path, again)
    worked_out = sorted(unit for unit in again.current if unit not in _recalled_units(first, again))
    mayor = site.actors[0].key
    assert f"actor:{mayor}" in worked_out and f"article:{site.articles[0].source_file}" in worked_out
    assert len(worked_out) < len(first.current) // 2


def _recalled_units(first: PageKeys, again: PageKeys) -> set[str]:
    """The units whose previous reads were unchanged and read no changed object."""
    return {unit for unit, (_, _, reads, read) in first.current.items()
            if unit in again.current and again.current[unit][2] == reads and read is not None
            and again.changed.isdisjoint(unpack(read))}


def test_verification_names_a_unit_whose_reads_miss_an_input(tmp_path, monkeypatch):
    """An actor page's timeline is found among all events: reads that leave it out recall a stale key when an
    event loses the actor, and verifying, the build stops, naming the unit."""
    import builder.pages.actors as actors

    monkeypatch.setattr(actors, "actor_reads", lambda timeline, graph_page, fingerprints: graph_page)
    site = make_site()
    first = PageKeys()
    render(site, tmp_path, first)
    participant = next(actor for actor in site.actors if actor.key in site.events[0].participants)
    left_out = edited(site, [("involve actor", site.actors.index(participant))])  # (taken out of the event)
    again = as_previous(first)
    again.verify = True
    with pytest.raises(BuildError, match=rf"actor:{participant.key} .* what it reads misses an input"):
        render(left_out, tmp_path, again)
