"""An edit's render stage in what the edit changed (session 17): the units whose objects changed found in one pass
(`PageKeys._readers_of_changed`), the fingerprints derived from unchanged objects taken as they were
(`PageKeys._fingerprints_now`), export parts keyed by their objects' fingerprints under one recorded global part,
the site graph's links counted by intersections, names and feed articles made once or only when asked.  Each is
held here to what it replaces, and whole series of edits to a cold build."""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_feeds import make_site
from test_key_recall import EDITS, as_previous, edited, render

from builder.build import build
from builder.config import Config, Paths, Settings
from builder.page_keys import PageKeys, pack, unpack
from builder.pages import Once
from builder.pages.graphs import _by_article, _neighbours_of

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
