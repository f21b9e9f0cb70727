"""The page keys written as a delta of the keys file (builder.page_keys.PageKeys.save): after any series of
builds, each recording what it changed beside the file a build before wrote whole, the keys loaded are those
of the same build's keys written whole; and an edit's delta names the units it changed, not every unit."""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_feeds import make_site
from test_key_recall import EDITS, edited

from builder import page_keys
from builder.config import Config, Paths, Settings
from builder.model import Site
from builder.page_keys import PageKeys, delta_file, keys_file, recorded_keys
from builder.render import iter_site_pages
from builder.write import write_site


@contextmanager
def patched(module, name: str, value: object):
    before = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, before)


def build_with_keys(site: Site, folder: Path, fingerprint: str, delta: bool = True) -> PageKeys:
    """Render and write `site` into `folder`/output as a build does, with the keys the previous one left."""
    paths = Paths.from_project(folder)
    keys = PageKeys.load(paths)
    write_site(iter_site_pages(site, Settings(config=Config(), paths=paths, jobs=1), keys), paths,
               fingerprint=fingerprint)
    keys.save(paths, fingerprint, delta=delta)
    return keys


def loaded(paths: Paths) -> tuple:
    """The keys as recorded (every unit, before its files are checked) and as the next build loads them."""
    recorded, keys = recorded_keys(paths), PageKeys.load(paths)
    return (recorded.fingerprint, recorded.units, recorded.objects, recorded.exports, keys.previous,
            list(zip(keys.objects, keys._then, strict=True)), keys.previous_exports)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rounds=st.lists(EDITS, min_size=1, max_size=4), minimum=st.sampled_from([page_keys.DELTA_MINIMUM, 8]))
def test_keys_loaded_with_their_delta_are_the_keys_written_whole(rounds, minimum):
    with tempfile.TemporaryDirectory() as where, patched(page_keys, "DELTA_MINIMUM", minimum):  # (8: some fold)
        folder = Path(where)
        paths = Paths.from_project(folder)
        whole = dataclasses.replace(paths, cache=folder / "whole-cache")  # (the same output's keys, written whole)
        site = make_site()
        build_with_keys(site, folder, "build 0")
        for number, edits in enumerate(rounds, start=1):
            site = edited(site, edits)
            keys = build_with_keys(site, folder, f"build {number}")
            keys.save(whole, f"build {number}", delta=False)
            assert loaded(paths) == loaded(whole)


def test_an_edits_delta_names_what_it_changed_and_leaves_the_keys_file_be(tmp_path):
    site = make_site()
    first = build_with_keys(site, tmp_path, "build 0")
    paths = Paths.from_project(tmp_path)
    base = keys_file(paths).stat()
    build_with_keys(edited(site, [("describe actor", 0)]), tmp_path, "build 1")
    delta = json.loads(delta_file(paths).read_text(encoding="utf-8"))
    assert keys_file(paths).stat().st_mtime_ns == base.st_mtime_ns
    assert f"actor:{site.actors[0].key}" in delta["units"]
    assert 0 < len(delta["units"]) < len(first.current) // 2
    build_with_keys(edited(site, [("describe actor", 0), ("relabel event", 0)]), tmp_path, "build 2")
    again = json.loads(delta_file(paths).read_text(encoding="utf-8"))
    assert set(delta["units"]) < set(again["units"])  # (one delta since the keys file, growing)
    assert keys_file(paths).stat().st_mtime_ns == base.st_mtime_ns


def test_a_delta_of_another_keys_file_is_not_read(tmp_path):
    site = make_site()
    build_with_keys(site, tmp_path, "build 0")
    build_with_keys(edited(site, [("describe actor", 0)]), tmp_path, "build 1")
    paths = Paths.from_project(tmp_path)
    stale = delta_file(paths).read_bytes()  # (made for build 0's keys file)
    build_with_keys(edited(site, [("describe actor", 1)]), tmp_path, "build 2", delta=False)
    assert not delta_file(paths).exists()
    whole = recorded_keys(paths)
    delta_file(paths).write_bytes(stale)  # (left beside the newer keys file, as by a restored backup)
    recorded = recorded_keys(paths)
    assert (recorded.fingerprint, recorded.units) == ("build 2", whole.units)
    assert PageKeys.load(paths).previous


def test_a_copied_or_moved_project_keeps_its_keys_and_their_delta(tmp_path):
    """A delta names its keys file by what the file holds, not by where it lies on the disk (its inode): a
    project copied (cp -a), moved to another disk or restored from a CI cache renders only what changed."""
    site = make_site()
    build_with_keys(site, tmp_path / "project", "build 0")
    build_with_keys(edited(site, [("describe actor", 0)]), tmp_path / "project", "build 1")
    shutil.copytree(tmp_path / "project", tmp_path / "copy")  # (copy2: sizes and times kept, new inodes)
    original, copy = Paths.from_project(tmp_path / "project"), Paths.from_project(tmp_path / "copy")
    assert delta_file(copy).exists()
    assert recorded_keys(copy).fingerprint == "build 1"
    assert PageKeys.load(copy).previous == PageKeys.load(original).previous != {}
