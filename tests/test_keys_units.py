"""The page keys' work over every kept unit at once (builder.page_keys): which units' files are intact when the keys
load, and which units' search entries are the ones loaded when they are saved, each the same as unit by unit."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.page_keys import PageKeys, _intact_at_once, _intact_one_by_one

# Each unit: how many files it has (0 to 3), and for each what happens to it after the keys are recorded.
FATES = st.sampled_from(["kept", "kept", "kept", "rewritten", "touched", "removed"])
UNITS = st.lists(st.lists(FATES, max_size=3), max_size=12)


@settings(max_examples=150, deadline=None)
@given(units=UNITS)
def test_the_units_found_intact_at_once_are_those_found_one_by_one(units):
    with tempfile.TemporaryDirectory() as where:
        output = Path(where)
        recorded: dict[str, list] = {}
        for number, fates in enumerate(units):
            files = []
            for page, fate in enumerate(fates):
                path = output / f"u{number}" / f"{page}.html"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(b"page")
                os.utime(path, ns=(1_000_000_000, 1_000_000_000))
                found = os.stat(path)
                files.append([path.relative_to(output).as_posix(), found.st_size, found.st_mtime_ns, ""])
                if fate == "rewritten":  # (by hand: other bytes)
                    path.write_bytes(b"changed by hand")
                elif fate == "touched":  # (the same size, another time)
                    os.utime(path, ns=(2_000_000_000, 2_000_000_000))
                elif fate == "removed":
                    path.unlink()
            recorded[f"unit:{number}"] = ["key", files, "reads", None if number % 2 else "AAAAAA=="]
        expected = _intact_one_by_one(recorded, str(output) + os.sep)
        found = _intact_at_once(recorded, str(output) + os.sep)
        if found is None:  # (a file gone: then the units are told one by one)
            assert any("removed" in fates for fates in units)
        else:
            assert {unit: (entry[0], tuple(map(tuple, entry[1])), entry[2], entry[3]) for unit, entry in found.items()
                    } == expected
        assert set(expected) == {f"unit:{number}" for number, fates in enumerate(units)
                                 if all(fate == "kept" for fate in fates)}


SEARCH_FATES = st.sampled_from(["same", "same", "same", "other", "missing", "none"])


@settings(max_examples=300, deadline=None)
@given(units=st.lists(st.tuples(st.lists(SEARCH_FATES, max_size=3), st.booleans()), max_size=12),
       taken=st.integers(0, 12))
def test_the_units_whose_search_entries_are_as_loaded_are_those_found_one_by_one(units, taken):
    """Units recalled (some gathered into runs, `taken` of those runs taken, the others not) with files whose
    search entry this build recorded (`search`) is the one loaded, another, none, or None."""
    keys = PageKeys()
    search: dict[str, str] = {}
    for number, (fates, runs) in enumerate(units):
        files = []
        for page, fate in enumerate(fates):
            path = f"u{number}/{page}.html"
            entry = None if fate == "none" else f"entry {number} {page}"
            files.append((path, 4, 5, entry))
            if fate == "same":
                search[path] = entry
            elif fate == "other" or fate == "none":
                search[path] = "another entry" if fate == "other" else ""
        keys.previous[f"unit:{number}"] = ("key", tuple(files), "reads", "")
        keys.runs = runs
        assert keys._recalled_kept(f"unit:{number}", "reads") is not None
        if number < taken:
            keys.take_run()
    expected = {unit for unit in keys.same_entries
                if all(search.get(path) == entry for path, _, _, entry in keys.kept_files[unit])}
    assert keys._same_search(search) == expected
