"""`serve` with the search index catching up in the background: the real server on 127.0.0.1, in a subprocess.

The server is started with a gate before each catch-up (`serve(before_index=...)`: it waits until the test
creates a file), so that "the page is served before the index caught up" is seen without racing a clock;
and with a Pagefind that starts slowly, so that a change can come while an index run is on."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from builder.search import BUNDLE, shard_words
from builder.write import MARKER
from tests.test_search_catchup import tree
from tests.test_serve import Server, make_project, wait_until

LAUNCH_HELD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from builder import search
    from builder.config import Paths, Settings, load_config
    from builder.serve import serve
    project, gate = Path(sys.argv[1]), Path(sys.argv[3])
    slow = float(sys.argv[4])
    start_pagefind = search.start_pagefind

    def slow_start(folder, where):  # a Pagefind that takes `slow` s more, so that a change can come meanwhile
        import subprocess
        command = ["sh", "-c", f"sleep {slow}; exec \\"$0\\" \\"$@\\"",
                   str(search.pagefind_executable()), *where, *search.PAGEFIND_OPTIONS]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    if slow:
        search.start_pagefind = slow_start

    def hold():  # each catch-up waits until the test opens the gate (creates the file)
        deadline = time.monotonic() + 120
        while not gate.exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    paths = Paths.from_project(project)
    config = load_config(paths.site, {"base_url": None})
    serve(Settings(config=config, paths=paths, jobs=1, overrides={"base_url": None}), port=0, settle=0.2,
          before_index=hold)
    """
)


def start(project: Path, gate: Path, slow: float = 0.0) -> Server:
    return Server(project, "", LAUNCH_HELD, str(gate), str(slow))


def indexed_words(site: Path) -> set[str]:
    """Every word the served site's search index holds (its fragments, as Pagefind wrote them)."""
    bundles = [site / BUNDLE, *sorted((site / BUNDLE).glob("shard-*/"))]
    return {word.strip(".,;:").lower() for bundle in bundles for words in shard_words(bundle).values()
            for word in words}


def edit(project: Path, old: str, new: str) -> None:
    seed = project / "seeds" / "harbour.txt"
    seed.write_text(seed.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def article_text(server: Server) -> str:
    return "\n".join(server.get(f"/articles/{page.name}")[1] for page in (server.folder / "articles").glob("*.html"))


def search_pending(site: Path) -> bool:
    return b"search: pending" in (site / MARKER).read_bytes()


def assert_same_as_build(served: Path, project: Path, scratch: Path) -> None:
    """The served folder is what `build` makes of the same project, byte for byte (the marker's folder times and
    the fingerprint, which names the seeds folder, aside), search bundle included."""
    from builder.build import build
    from builder.config import Paths, Settings, load_config

    fresh = scratch / "fresh"
    shutil.copytree(project / "seeds", fresh / "seeds")
    paths = Paths.from_project(fresh)
    build(Settings(config=load_config(paths.site, {"base_url": None}), paths=paths, jobs=1))
    made, cold = tree(served), tree(fresh / "output")
    assert sorted(made) == sorted(cold)
    assert [path for path in made if made[path] != cold[path]] == []


def test_an_edit_is_served_at_once_and_found_by_search_after_the_catch_up(tmp_path):
    project, gate = make_project(tmp_path / "project"), tmp_path / "gate"
    server = start(project, gate)
    try:
        assert "quokkaville" not in indexed_words(server.folder)
        edit(project, "two months", "two months in Quokkaville")
        server.wait_for(r"pages written")
        server.wait_for(r"^Search index: updating in the background")

        # the catch-up is held: the page is the new one, the index still the previous one, whole
        assert "Quokkaville" in article_text(server)
        assert "quokkaville" not in indexed_words(server.folder) and search_pending(server.folder)
        assert server.get("/pagefind/pagefind-entry.json")[0] == 200

        gate.touch()
        line = server.wait_for(r"^Search index updated in \d+\.\d s")
        assert "Pagefind runs" in line
        assert "quokkaville" in indexed_words(server.folder) and not search_pending(server.folder)
        assert_same_as_build(server.folder, project, tmp_path)
    finally:
        assert server.stop() == 0
    assert not any(line.startswith(("Traceback", "Search index not updated")) for line in server.seen)


def test_two_quick_changes_the_index_of_the_newest_is_made_once(tmp_path):
    project, gate = make_project(tmp_path / "project"), tmp_path / "gate"
    server = start(project, gate)
    try:
        edit(project, "two months", "two months in Aardvarkia")
        server.wait_for(r"pages written")
        server.wait_for(r"^Search index: updating")  # the first catch-up, held
        edit(project, "in Aardvarkia", "in Bandicootia")
        server.wait_for(r"^Change detected")
        server.wait_for(r"pages written")
        server.wait_for(r"^Search index: updating")
        assert "Bandicootia" in article_text(server)
        gate.touch()
        server.wait_for(r"^Search index updated")
        words = indexed_words(server.folder)
        assert "bandicootia" in words and "aardvarkia" not in words
        assert_same_as_build(server.folder, project, tmp_path)
    finally:
        assert server.stop() == 0
    assert sum(line.startswith("Search index updated") for line in server.seen) == 1  # the first was cancelled
    assert not any(line.startswith(("Traceback", "Search index not updated")) for line in server.seen)


def test_a_change_while_pagefind_runs_cancels_it_and_the_newest_site_gets_its_index(tmp_path):
    project, gate = make_project(tmp_path / "project"), tmp_path / "gate"
    gate.touch()  # not held: each Pagefind run starts 3 s late instead
    server = start(project, gate, slow=3.0)
    try:
        edit(project, "two months", "two months in Capybarton")
        server.wait_for(r"pages written")
        server.wait_for(r"^Search index: updating")
        edit(project, "in Capybarton", "in Dugongville")  # while the first catch-up's Pagefind runs
        server.wait_for(r"^Change detected")
        server.wait_for(r"pages written")
        server.wait_for(r"^Search index updated")
        words = indexed_words(server.folder)
        assert "dugongville" in words and "capybarton" not in words and not search_pending(server.folder)
        assert_same_as_build(server.folder, project, tmp_path)
        assert not list(server.folder.parent.glob(".*build-site-search*"))  # no work folder left
    finally:
        assert server.stop() == 0
    assert sum(line.startswith("Search index updated") for line in server.seen) == 1
    assert not any(line.startswith(("Traceback", "Search index not updated")) for line in server.seen)


def test_a_failed_rebuild_keeps_the_site_and_its_index_still_catches_up(tmp_path):
    project, gate = make_project(tmp_path / "project"), tmp_path / "gate"
    server = start(project, gate)
    try:
        edit(project, "two months", "two months in Echidnaburg")
        server.wait_for(r"pages written")
        server.wait_for(r"^Search index: updating")  # held
        (project / "templates").mkdir()
        (project / "templates" / "base.html").write_text("{% block main %}{% broken tag %}", encoding="utf-8")
        server.wait_for(r"^Build failed: ")
        server.wait_for(r"^Search index: updating")  # the served site's index, again (the first was cancelled)
        gate.touch()
        server.wait_for(r"^Search index updated")
        assert "echidnaburg" in indexed_words(server.folder)
        wait_until(lambda: not search_pending(server.folder), "the index to be in place")
    finally:
        assert server.stop() == 0
