"""site/curation.toml for events: [event_merge] [event_split] [event_date] [event_label] [event_type].

The articles are made up (places and people that do not exist); group_events makes the events
the corrections then act on, as link_site does.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from builder.link.curation import Curation, CurationError, load_curation, parse_curation
from builder.link.event_curation import curate_events, split_key
from builder.link.events import group_events
from builder.model import Precision
from tests.test_events import make_article


def curation(text: str) -> Curation:
    return parse_curation(tomllib.loads(text))


def articles():
    return [
        make_article("harbour/one.txt", "Mayor Ruiz meets Governor Berg",
                     "Mayor Ana Ruiz met Governor Tom Berg in Port Elan on Tuesday, the city hall said Wednesday. "
                     "Ana Ruiz and Tom Berg discussed the new harbour bridge and its cost.", date(2031, 3, 5)),
        make_article("harbour/two.txt", "Berg and Ruiz talk bridge",
                     "Governor Tom Berg met Mayor Ana Ruiz during a meeting on Tuesday in Port Elan. "
                     "Tom Berg and Ana Ruiz discussed the harbour bridge, officials said.", date(2031, 3, 5)),
        make_article("river/flood.txt", "River floods Dunmore",
                     "The river Vell flooded Dunmore on Monday, cutting power to thousands of homes. "
                     "Firefighters in Dunmore rescued residents from flooded streets.", date(2031, 3, 4)),
        make_article("river/later.txt", "Dunmore counts flood damage",
                     "Officials in Dunmore counted the damage on Friday after the river Vell flood. "
                     "Residents of Dunmore returned to flooded homes to clear mud.", date(2031, 3, 8)),
    ]


def grouped():
    events, linked = group_events(articles())
    by_file = {a.source_file: a for a in linked}
    meeting = next(e for e in events if e.key == by_file["harbour/one.txt"].main_event)
    flood = next(e for e in events if e.key == by_file["river/flood.txt"].main_event)
    assert meeting.key != flood.key and {"harbour/one.txt", "harbour/two.txt"} <= set(meeting.sources)
    return events, linked, meeting, flood


def by_key(events):
    return {e.key: e for e in events}


# --- the file ------------------------------------------------------------------------------------


def test_every_mistake_in_the_event_sections_is_reported_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "curation.toml"
    path.write_text('[event_merge]\nm = ["only-one"]\n[event_split]\ns = "not-a-list.txt"\n'
                    '[event_date]\nd = "26 July 2023"\nbad-day = "2023-02-30"\n'
                    '[event_label]\nl = ""\n[event_type]\nt = "picnic"\n[events]\nx = 1\n')
    with pytest.raises(CurationError) as caught:
        load_curation(path)
    message = str(caught.value.message)
    assert str(path) in message
    for expected in ("event_merge.m", "event_split.s", "event_date.'d'", "event_date.'bad-day'", "event_label.'l'",
                     "event_type.'t': 'picnic'", "unknown section [events]"):
        assert expected in message


def test_date_precision_comes_from_its_form() -> None:
    found = curation('[event_date]\na = "2023-07-26"\nb = "2023-07"\nc = "1950"\nd = 2023-07-27\n').event_date
    assert found == (("a", date(2023, 7, 26), Precision.DAY), ("b", date(2023, 7, 1), Precision.MONTH),
                     ("c", date(1950, 1, 1), Precision.YEAR), ("d", date(2023, 7, 27), Precision.DAY))


def test_a_sites_own_event_types_are_accepted(tmp_path: Path) -> None:
    (tmp_path / "event_types.toml").write_text('[picnic]\nlabel = "picnics with"\nverbs = ["picnicked"]\n')
    (tmp_path / "curation.toml").write_text('[event_type]\nt = "Picnic"\nu = "meeting"\n')
    assert load_curation(tmp_path / "curation.toml").event_type == (("t", "picnic"), ("u", "meeting"))


# --- each correction -----------------------------------------------------------------------------


def test_no_event_entries_change_nothing() -> None:
    events, linked, _, _ = grouped()
    assert curate_events(events, linked, None) == (events, linked, [])
    assert curate_events(events, linked, curation('[rename]\nx = "y"')) == (events, linked, [])


def test_label_keeps_the_key_and_the_old_address_redirects() -> None:
    events, linked, meeting, _ = grouped()
    old_slug, old_label = meeting.slug, meeting.label
    curated, _, unmatched = curate_events(events, linked, curation(f'[event_label]\n"{old_slug}" = "Bridge talks"'))
    assert unmatched == []
    renamed = by_key(curated)[meeting.key]
    assert renamed.label == "Bridge talks" and renamed.slug == "bridge-talks-2031-03-04"
    assert renamed.redirect_from == [old_slug]
    assert meeting.label == old_label and meeting.slug == old_slug  # the inputs are not changed


def test_key_page_path_and_article_file_name_the_event() -> None:
    events, linked, meeting, flood = grouped()
    text = (f'[event_type]\n"{meeting.key}" = "summit"\n'
            f'[event_label]\n"events/{flood.slug}.html" = "Dunmore flood"\n'
            '[event_date]\n"harbour/TWO.txt" = "2031-03"\n')
    curated, _, unmatched = curate_events(events, linked, curation(text))
    assert unmatched == []
    found = by_key(curated)
    assert found[meeting.key].type == "summit"
    assert found[flood.key].label == "Dunmore flood" and found[flood.key].redirect_from == [flood.slug]
    dated = found[meeting.key].date
    assert (dated.value, dated.precision) == (date(2031, 3, 1), Precision.MONTH)
    assert "by hand" in found[meeting.key].date_how and found[meeting.key].slug.endswith("-2031-03")


def test_merge_unites_sources_evidence_participants_and_keeps_the_best_date() -> None:
    events, linked, meeting, flood = grouped()
    text = f'[event_merge]\nweek = ["{meeting.slug}", "{flood.key}"]\n[event_label]\n"{flood.slug}" = "One week"\n'
    curated, after, unmatched = curate_events(events, linked, curation(text))
    assert unmatched == []
    assert flood.key not in by_key(curated) and len(curated) == len(events) - 1
    merged = by_key(curated)[meeting.key]
    assert set(merged.sources) == {*meeting.sources, *flood.sources}
    assert set(merged.evidence) == {*meeting.evidence, *flood.evidence}
    assert set(merged.participants) | {merged.place} >= {*meeting.participants, *flood.participants}
    assert merged.date == min(meeting.date, flood.date, key=lambda d: d.value)  # both to the day: the earlier
    assert merged.label == "One week"  # a merged-away event's name names the merged one
    assert {flood.slug, meeting.slug} <= set(merged.redirect_from)
    for article in after:
        assert article.main_event == meeting.key and flood.key not in article.events
    assert all(flood.key not in e.related for e in curated)


def test_split_takes_an_article_out_into_its_own_event() -> None:
    events, linked, meeting, _ = grouped()
    text = f'[event_split]\n"{meeting.slug}" = ["harbour/two.txt"]\n[event_type]\n"harbour/two.txt" = "visit"\n'
    curated, after, unmatched = curate_events(events, linked, curation(text))
    assert unmatched == []
    found = by_key(curated)
    kept, alone = found[meeting.key], found[split_key("harbour/two.txt")]
    assert "harbour/two.txt" not in kept.sources and all(f != "harbour/two.txt" for f, _ in kept.evidence)
    assert alone.sources == ["harbour/two.txt"] and alone.evidence and alone.type == "visit"
    assert alone.label == "Berg and Ruiz talk bridge" and alone.slug == "berg-and-ruiz-talk-bridge-2031-03-05"
    assert kept.slug == meeting.slug and kept.date == meeting.date  # dated by the report that stays
    files = {a.source_file: a for a in after}
    assert files["harbour/two.txt"].main_event == alone.key and meeting.key not in files["harbour/two.txt"].events
    assert files["harbour/one.txt"].main_event == meeting.key


def test_a_split_report_that_dated_the_event_takes_its_date_along() -> None:
    events, linked, meeting, _ = grouped()
    dating = meeting.date_from
    other = next(f for f in meeting.sources if f != dating)
    assert dating in meeting.sources and meeting.date.rule != "report-date"
    curated, _, unmatched = curate_events(events, linked, curation(f'[event_split]\n"{meeting.slug}" = ["{dating}"]\n'))
    assert unmatched == []
    kept, alone = by_key(curated)[meeting.key], by_key(curated)[split_key(dating)]
    assert (alone.date, alone.date_how, alone.date_from) == (meeting.date, meeting.date_how, dating)
    # the event left behind is dated by the day its remaining report was published, and names it
    assert kept.date.rule == "report-date" and kept.date.value == date(2031, 3, 5)
    assert (kept.date_how, kept.date_from) == ("the date of its earliest report", other)


def test_the_event_page_names_the_report_its_date_came_from_by_title() -> None:
    from types import SimpleNamespace

    from builder.pages.events import dated_from

    events, linked, meeting, _ = grouped()
    curated, after, _ = curate_events(events, linked, curation(
        f'[event_split]\n"{meeting.slug}" = ["harbour/two.txt"]\n[event_date]\n"{meeting.slug}" = "2031-03-04"\n'))
    renderer = SimpleNamespace(article_pages={a.source_file: f"articles/{a.slug}.html" for a in after})
    articles = {a.source_file: a for a in after}
    alone, kept = by_key(curated)[split_key("harbour/two.txt")], by_key(curated)[meeting.key]
    line = dated_from(renderer, alone, articles)
    assert (line.words, line.title) == ("the date of its report,", "Berg and Ruiz talk bridge")
    assert line.path == f"articles/{articles['harbour/two.txt'].slug}.html"
    assert dated_from(renderer, kept, articles).words.startswith("set by hand in ")
    assert dated_from(renderer, kept, articles).path is None

def test_entries_that_match_nothing_are_listed() -> None:
    events, linked, meeting, _ = grouped()
    text = (f'[event_merge]\nghost = ["no-such-event", "{meeting.slug}"]\n'
            f'[event_split]\n"{meeting.slug}" = ["river/flood.txt"]\nnowhere = ["harbour/one.txt"]\n'
            '[event_date]\nnowhere = "2020"\n[event_label]\nnowhere = "X"\n[event_type]\nnowhere = "war"\n')
    curated, _, unmatched = curate_events(events, linked, curation(text))
    assert unmatched == [
        f"event_split.{meeting.slug}: river/flood.txt (not one of its reports, or its only one)",
        "event_split.nowhere", "event_merge.ghost", "event_type.nowhere", "event_date.nowhere",
        "event_label.nowhere",
    ]
    assert sorted(e.key for e in curated) == sorted(e.key for e in events)


# --- the built site ------------------------------------------------------------------------------


SEEDS = {
    "harbour/one.md": ("Mayor Ruiz meets Governor Berg", "2031-03-05", articles()[0].text),
    "harbour/two.md": ("Berg and Ruiz talk bridge", "2031-03-05", articles()[1].text),
    "river/flood.md": ("River floods Dunmore", "2031-03-04", articles()[2].text),
}


def build_into(project: Path, curation_text: str | None) -> Path:
    from builder.build import build
    from builder.config import Config, Paths, Settings

    for name, (title, day, text) in SEEDS.items():
        path = project / "seeds" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: {title}\ndate: {day}\nsource: Elan Courier\n---\n\n{text}\n", encoding="utf-8")
    (project / "site").mkdir(exist_ok=True)
    if curation_text is not None:
        (project / "site" / "curation.toml").write_text(curation_text, encoding="utf-8")
    settings = Settings(config=Config(), paths=Paths.from_project(project), jobs=1)
    build(settings)
    return settings.paths.output


def test_built_site_old_address_of_a_relabelled_event_redirects_and_links_resolve(tmp_path: Path) -> None:
    import csv

    from tests.linkcheck import check_links

    output = build_into(tmp_path, None)
    with (output / "data" / "events.csv").open(encoding="utf-8") as handle:
        rows = {row["page"]: row for row in csv.DictReader(handle)}
    page = next(p for p, row in rows.items()
                if "mayor-ruiz-meets-governor-berg" in row["article_ids"].split("|"))
    old_slug = page.removeprefix("events/").removesuffix(".html")
    output = build_into(tmp_path, f'[event_label]\n"{old_slug}" = "Harbour bridge talks"\n'
                                  '[event_type]\nnowhere = "war"\n')
    moved = output / page
    new = next(output.glob("events/harbour-bridge-talks-*.html"))
    redirect = moved.read_text(encoding="utf-8")
    assert f'<meta http-equiv="refresh" content="0; url={new.name}">' in redirect
    assert f'<a href="{new.name}">Harbour bridge talks</a>' in redirect
    assert "<h1>Harbour bridge talks</h1>" in new.read_text(encoding="utf-8")
    assert "event_type.nowhere" in (output / "actors" / "report.html").read_text(encoding="utf-8")
    assert check_links(output) == []
