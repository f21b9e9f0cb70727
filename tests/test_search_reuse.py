"""A rebuild indexes again only the search shards whose pages changed, and gives a cold build's bundle."""

from __future__ import annotations

import pytest

from builder import search
from builder.build import build
from tests.test_build_e2e import seed, settings_for

TOWNS = ("Arden", "Brill", "Corvey", "Dunmore", "Elstow", "Fenwick", "Garth", "Harlow", "Ilford", "Jarrow",
         "Kelso", "Lydd", "Marlow", "Norham")


def article(number: int) -> str:
    town = TOWNS[number]
    return (f"{town} council opens a new library\n\n"
            f"The council of {town} opened a new library on Monday, its mayor said. "
            f"The building in {town} holds {number + 3} thousand books and a reading room for pupils. "
            f"Residents of {town} had asked for it for years, the council added.\n")


def bundle_files(output) -> dict[str, bytes]:
    bundle = output / search.BUNDLE
    return {p.relative_to(bundle).as_posix(): p.read_bytes() for p in sorted(bundle.rglob("*")) if p.is_file()}


@pytest.fixture
def small_shards(monkeypatch):
    monkeypatch.setattr(search, "SHARD_BUDGET", 3)  # about three article pages a shard


def test_an_edit_reindexes_one_shard_and_the_bundle_is_a_cold_builds(project, tmp_path, small_shards):
    for number in range(len(TOWNS)):
        seed(project, f"{number:02}.txt", article(number))
    first = build(settings_for(project))
    shards = first.search_runs
    assert shards >= 4 and first.search_reused == 0
    output = project / "output"
    assert len((output / search.BUNDLE / search.SHARD_LIST).read_text().split(",")) == shards - 1

    seed(project, "05.txt", article(5) + "A zebracorn statue stands at its door.\n")
    again = build(settings_for(project))
    assert (again.search_runs, again.search_reused) == (1, shards - 1)
    cold = build(settings_for(project, output=tmp_path / "cold", cache=tmp_path / "cold-cache"))
    assert (cold.search_runs, cold.search_reused) == (shards, 0)
    assert bundle_files(output) == bundle_files(tmp_path / "cold")
