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
    assert shards >= 4 and first.search_reused == 0 and first.search_words == "indexed"
    output = project / "output"
    assert len((output / search.BUNDLE / search.SHARD_LIST).read_text().split(",")) == shards - 1

    seed(project, "05.txt", article(5) + "A zebracorn statue stands at its door.\n")
    again = build(settings_for(project))
    assert (again.search_runs, again.search_reused, again.search_words) == (1, shards - 1, "indexed")
    cold = build(settings_for(project, output=tmp_path / "cold", cache=tmp_path / "cold-cache"))
    assert (cold.search_runs, cold.search_reused) == (shards, 0)
    assert bundle_files(output) == bundle_files(tmp_path / "cold")


def test_the_words_index_is_reused_only_when_every_shard_is(tmp_path, small_shards):
    """The words index of a sharded site (one page per shard) is made again when a shard changes, and linked
    from the previous site when none did; either way it is the one a cold indexing makes."""
    import shutil

    from builder.search import index_site
    from tests.search_pages import index_folder as index

    page = ('<!doctype html><html lang="en"><head><title>{0}</title></head><body><main data-pagefind-body>'
            '<h1>{0}</h1><p>{1}</p></main></body></html>')
    first = tmp_path / "first"
    (first / "articles").mkdir(parents=True)
    for number in range(len(TOWNS)):
        (first / "articles" / f"{number:02}.html").write_text(page.format(TOWNS[number], article(number)))
    made = index(first)
    assert made.words == "indexed" and made.runs >= 4
    same = tmp_path / "same"
    shutil.copytree(first, same, ignore=shutil.ignore_patterns(search.BUNDLE))
    again = index(same, previous=first)
    assert (again.runs, again.words) == (0, "reused")
    assert bundle_files(same) == bundle_files(first)
    (same / "articles" / "05.html").write_text(page.format("Fenwick", article(5) + " A zebracorn statue."))
    shutil.rmtree(same / search.BUNDLE)  # a build indexes into a new folder
    edited = index(same, previous=first)
    assert (edited.runs, edited.words) == (1, "indexed")
    cold = tmp_path / "cold"
    shutil.copytree(same, cold, ignore=shutil.ignore_patterns(search.BUNDLE))
    index_site(cold)
    assert bundle_files(same) == bundle_files(cold)
    assert bundle_files(same)[f"{search.WORDS_DIR}/{search.SHARD_KEY}"] != bundle_files(first)[
        f"{search.WORDS_DIR}/{search.SHARD_KEY}"]


def site_files(output) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*"))
            if p.is_file() and p.name != ".build-site"}


def test_edits_patch_the_kept_previous_generation_and_give_cold_builds(project, tmp_path, small_shards, monkeypatch):
    """Edits, additions and removals in a row: each build after the second patches the previous generation
    (builder.write), taking its search shards back whole (`SearchIndex.spare_bundles`), and gives a cold
    build's files; a shard that did not change keeps its files (inode and modification time)."""
    taken = []
    spare_bundles = search.SearchIndex.spare_bundles

    def counting(index, folder):
        found = spare_bundles(index, folder)
        taken.append(index)
        return found

    monkeypatch.setattr(search.SearchIndex, "spare_bundles", counting)
    for number in range(len(TOWNS)):
        seed(project, f"{number:02}.txt", article(number))
    output = project / "output"
    steps = [("01.txt", article(1) + "A zebracorn statue stands at its door.\n"),
             ("09.txt", article(9) + "Its roof is of green copper.\n"),
             ("20.txt", article(12).replace("Marlow", "Otley")),
             ("03.txt", None),
             ("09.txt", article(9))]
    for step, (name, text) in enumerate([("00.txt", article(0)), *steps]):
        if text is None:
            (project / "seeds" / name).unlink()
        else:
            seed(project, name, text)
        before = {p: (p.read_bytes(), p.stat()) for p in output.rglob("*") if p.is_file()} if step else {}
        taken.clear()
        report = build(settings_for(project))
        assert report.write.patched == (step >= 2)
        if step >= 2:
            assert sum(index.taken for index in taken) >= 2  # (shards taken back whole, and the words index)
        cold = tmp_path / f"cold-{step}"
        build(settings_for(project, output=cold / "output", cache=cold / "cache"))
        assert site_files(output) == site_files(cold / "output"), f"step {step}"
        unchanged = [(path, found) for path, (content, found) in before.items()
                     if path.is_file() and path.read_bytes() == content and path.name != ".build-site"]
        assert all((path.stat().st_ino, path.stat().st_mtime_ns) == (found.st_ino, found.st_mtime_ns)
                   for path, found in unchanged), "a file whose bytes did not change was replaced"
        if step:
            assert len([path for path, _ in unchanged if search.BUNDLE in path.parts]) > 10
