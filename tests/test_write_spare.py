"""The previous generation kept beside the output (builder.write: `SpareRecord`, `PatchedSpare`).

Whatever the sequence of builds, edits, additions, removals, failures mid-write (at any file operation),
SIGKILLs and files added or removed by hand in either folder, every build leaves exactly the site a fresh
staging folder would (the same files, bytes, folders; the marker telling the truth), a page whose bytes did
not change keeps its file and modification time, and the output is never anything but a complete site."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder import write
from builder.config import Paths
from builder.model import KeptPage, OutputPage
from builder.write import (
    MARKER,
    KeptRun,
    read_marker,
    site_is_current,
    spare_record_file,
    temporary_sibling,
    write_site,
)

PATHS = ["index.html", "a/1.html", "a/2.html", "a/b/3.html", "a/b/4.html", "c/5.html", "c/d/e/6.html", "7.xml"]
INDEX = "idx"  # the folder finish_staging writes, as the search index writes pagefind/


def paths_for(root: Path) -> Paths:
    (root / "seeds").mkdir(parents=True, exist_ok=True)
    return Paths(seeds=root / "seeds", output=root / "output", site=root / "site", templates=root / "templates",
                 cache=root / ".cache")


def index_files(pages: dict[str, bytes]) -> dict[str, bytes]:
    """A stand-in search index: one file that never changes, one per folder of pages, one over all of them."""
    files = {f"{INDEX}/ui.js": b"ui"}
    for path, content in pages.items():
        folder = path.rpartition("/")[0] or "top"
        files[f"{INDEX}/by-folder/{folder}.txt"] = files.get(f"{INDEX}/by-folder/{folder}.txt", b"") + content
    files[f"{INDEX}/all.txt"] = hashlib.sha256(repr(sorted(pages.items())).encode()).hexdigest().encode()
    return files


def finish_with_index(pages: dict[str, bytes], previous: Path):
    """finish_staging: writes `index_files(pages)`, linking from the previous site those it had the same
    (as a reused shard is linked)."""
    def finish(folder: Path) -> None:
        for path, content in index_files(pages).items():
            target, old = folder / path, previous / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if path == f"{INDEX}/ui.js" and old.is_file() and old.read_bytes() == content:
                os.link(old, target)
            else:
                target.write_bytes(content)
    return finish


def site_files(folder: Path) -> dict[str, bytes]:
    found = {}
    for where, _, names in os.walk(folder):
        for name in names:
            path = Path(where, name)
            found[path.relative_to(folder).as_posix()] = path.read_bytes()
    found.pop(MARKER, None)
    return found


def file_states(folder: Path) -> dict[str, tuple[int, int, int]]:
    states = {}
    for where, _, names in os.walk(folder):
        for name in names:
            found = os.stat(Path(where, name))
            states[Path(where, name).relative_to(folder).as_posix()] = (found.st_ino, found.st_size, found.st_mtime_ns)
    return states


class Builder:
    """Builds one small site again and again as build() does: pages whose file is as the last build left it
    go as KeptPage (as builder.page_keys would keep them), the others rendered."""

    def __init__(self, root: Path) -> None:
        self.paths = paths_for(root)
        self.pages: dict[str, bytes] = {}  # the site the output holds
        self.recorded: dict[str, tuple[int, int]] = {}  # each page's (size, mtime) after the last build
        self.generation = 0

    def build(self, pages: dict[str, bytes], kept_as: int = 0) -> write.WriteReport:
        """Build `pages`; `kept_as`: which of them go as kept (bit `number % 8` of a page kept as it is), and with
        bit 8 the kept pages made in a row go as one `KeptRun`, the writer told the output's marker as the keys
        would (`kept_from`: their states taken, not checked again)."""
        output = self.paths.output
        before = ({path: (state, (output / path).read_bytes()) for path, state in file_states(output).items()}
                  if output.is_dir() else {})
        runs = bool(kept_as & 0x100)
        kept_from = write.marker_state(output) if runs else None
        made = []
        for number, (path, content) in enumerate(sorted(pages.items())):
            state = self.recorded.get(path)
            try:
                found = os.stat(output / path)
                still = state == (found.st_size, found.st_mtime_ns)
            except OSError:
                still = False
            if still and self.pages.get(path) == content and (kept_as >> (number % 8)) & 1:
                if runs and made and isinstance(made[-1], KeptRun):
                    made[-1].files.append((path, *state, ""))
                    made[-1].paths.append(path)
                elif runs:
                    made.append(KeptRun([(path, *state, "")], [path]))
                else:
                    made.append(KeptPage(path, state=state, search=""))
            else:
                made.append(OutputPage(path, content))
        self.generation += 1
        report = write_site(made, self.paths, finish_staging=finish_with_index(pages, output.resolve()),
                            finish_folder=INDEX, fingerprint=f"gen-{self.generation}", kept_from=kept_from)
        assert report.pages == len(pages) and report.not_rendered == sum(
            len(page.files) if isinstance(page, KeptRun) else isinstance(page, KeptPage) for page in made)
        self.check(pages, before)
        self.pages = dict(pages)
        self.recorded = {path: (state[1], state[2]) for path, state in file_states(output).items()}
        return report

    def check(self, pages: dict[str, bytes], before: dict[str, tuple[tuple[int, int, int], bytes]]) -> None:
        output = self.paths.output
        expected = {**pages, **index_files(pages)}
        assert site_files(output) == expected
        folders = {Path(where).relative_to(output).as_posix() for where, _, _ in os.walk(output)}
        wanted = {"."} | {str(Path(path).parent) for path in expected}
        wanted |= {str(parent) for path in wanted for parent in Path(path).parents}
        assert folders == wanted, "a folder left over, or missing"
        after = file_states(output)
        for path, (state, content) in before.items():
            if path != MARKER and expected.get(path) == content:
                assert after[path] == state, f"{path} did not change but its file did"
        marker = read_marker(output)
        files, folder_times = write._files_and_folder_times(output)
        assert (int(marker["files"]), json.loads(marker["folders"])) == (files, folder_times)
        assert site_is_current(self.paths, f"gen-{self.generation}")


class Killed(Exception):
    """Stands for a SIGKILL at one file operation of the writer."""


class FailingOs:
    """`os` for builder.write, failing at the `after`-th operation that changes a folder or a file."""

    CHANGES = frozenset({"link", "unlink", "open", "rename", "rmdir", "makedirs", "replace", "mkdir"})

    def __init__(self, after: int) -> None:
        self.left = after

    def __getattr__(self, name: str):
        real = getattr(os, name)
        if name not in self.CHANGES:
            return real

        def counted(*args, **kwargs):
            self.left -= 1
            if self.left < 0:
                raise Killed(name)
            return real(*args, **kwargs)
        return counted


def changed(pages: dict[str, bytes], changes: list[tuple[int, int]], step: int) -> dict[str, bytes]:
    pages = dict(pages)
    for number, (at, what) in enumerate(changes):
        path = PATHS[at % len(PATHS)]
        if what == 0 or path not in pages:
            pages[path] = f"{path} v{step}.{number}".encode()
        elif what == 1:
            del pages[path]
        else:  # (same length, new bytes)
            pages[path] = bytes(reversed(pages[path]))
    return pages


def hand_change(paths: Paths, kind: int, at: int) -> None:
    """What a user might do between builds: add or remove a file in the output or in its sibling."""
    folder = paths.output if kind in (0, 1) else temporary_sibling(paths.output.resolve())
    if not folder.is_dir():
        return
    if kind in (0, 2):
        target = folder / PATHS[at % len(PATHS)].replace(".", "-hand.")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"by hand")
    else:
        files = sorted(path for path in site_files(folder) if not path.startswith(INDEX))
        if files:
            (folder / files[at % len(files)]).unlink()


STEPS = st.lists(st.one_of(
    st.tuples(st.just("build"), st.lists(st.tuples(st.integers(0, 50), st.integers(0, 2)), max_size=4),
              st.integers(0, 511)),
    st.tuples(st.just("fail"), st.lists(st.tuples(st.integers(0, 50), st.integers(0, 2)), max_size=4),
              st.integers(0, 40)),
    st.tuples(st.just("hand"), st.integers(0, 3), st.integers(0, 50)),
), min_size=1, max_size=8)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_any_sequence_of_builds_failures_and_hand_changes_gives_the_fresh_sites(tmp_path_factory, steps):
    builder = Builder(tmp_path_factory.mktemp("spare"))
    builder.build({path: f"{path} v0".encode() for path in PATHS[:5]})
    for number, (kind, first, second) in enumerate(steps, 1):
        if kind == "build":
            builder.build(changed(builder.pages, first, number), kept_as=second)
        elif kind == "fail":
            before = site_files(builder.paths.output)
            pages = changed(builder.pages, first, number)
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(write, "os", FailingOs(second))
                try:
                    builder.build(pages, kept_as=0xAA | (0x100 if number % 2 else 0))
                except Killed:
                    # the previous site, whole, or (killed after the swap) the new one
                    now = site_files(builder.paths.output)
                    assert now in (before, {**pages, **index_files(pages)})
                    builder.pages = dict(pages) if now != before else builder.pages
                    builder.recorded = {path: state[1:] for path, state in file_states(builder.paths.output).items()}
        else:
            hand_change(builder.paths, first, second)
    builder.build(changed(builder.pages, [(1, 2)], 99), kept_as=0x155)  # (and once more after the last step)


def test_an_edit_patches_the_previous_generation_and_touches_only_what_changed(tmp_path):
    builder = Builder(tmp_path)
    pages = {path: f"{path} v0".encode() for path in PATHS}
    assert not builder.build(pages).patched  # (the first: nothing beside the output)
    assert not builder.build(changed(pages, [(1, 2)], 1)).patched  # (no generation kept yet: a fresh staging)
    assert temporary_sibling(builder.paths.output.resolve()).is_dir()
    for step in range(2, 6):
        report = builder.build(changed(builder.pages, [(step, 2)], step), kept_as=0xFF)
        assert report.patched
        assert (report.written, report.deleted) == (1 + 2, 0)  # the page, its folder's index file, all.txt
    report = builder.build(changed(builder.pages, [(6, 1), (40, 0)], 7), kept_as=0xFF)
    assert report.patched and report.deleted == 2  # (a page and its folder's index file)


def test_a_record_that_no_longer_describes_the_folders_is_not_used(tmp_path):
    builder = Builder(tmp_path)
    pages = {path: f"{path} v0".encode() for path in PATHS}
    builder.build(pages)
    builder.build(changed(pages, [(1, 2)], 1))
    spare = temporary_sibling(builder.paths.output.resolve())
    (spare / "a" / "stray.html").write_bytes(b"left by hand in the sibling")
    assert not builder.build(changed(builder.pages, [(2, 2)], 2)).patched
    assert builder.build(changed(builder.pages, [(3, 2)], 3)).patched
    (builder.paths.output / "c" / "mine.html").write_bytes(b"added by hand to the output")
    assert not builder.build(changed(builder.pages, [(4, 2)], 4)).patched  # (the spare would hold it)
    assert builder.build(changed(builder.pages, [(5, 2)], 5)).patched
    record = spare_record_file(builder.paths)
    record.write_text(record.read_text().replace('"dirty": "', '"dirty": "x'))  # (the checksum no longer fits)
    assert not builder.build(changed(builder.pages, [(6, 2)], 6)).patched


def test_sigkill_while_the_spare_is_patched_leaves_the_site_and_the_next_build_makes_it_whole(tmp_path):
    builder = Builder(tmp_path)
    pages = {f"p/{number}.html": f"page {number}".encode() for number in range(40)}
    builder.build(pages)
    builder.build(changed(pages, [(0, 0)], 1))
    assert spare_record_file(builder.paths).exists()
    before = site_files(builder.paths.output)
    started = tmp_path / "started"
    paths = builder.paths
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from builder.config import Paths
        from builder.model import OutputPage
        from builder.write import write_site

        def slow():
            for number in range(40):
                if number == 20:
                    Path({str(started)!r}).write_text("yes")
                    time.sleep(60)
                yield OutputPage(f"p/{{number}}.html", b"half-built")

        write_site(slow(), Paths(Path({str(paths.seeds)!r}), Path({str(paths.output)!r}), Path({str(paths.site)!r}),
                   Path({str(paths.templates)!r}), Path({str(paths.cache)!r})), finish_staging=lambda folder: None,
                   finish_folder="idx")
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        for _ in range(600):
            if started.exists() or process.poll() is not None:
                break
            threading.Event().wait(0.05)
        assert started.exists(), "the writer never started"
        process.kill()
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
    assert site_files(builder.paths.output) == before
    assert not spare_record_file(builder.paths).exists()  # (the journal was opened: the spare is unknown)
    assert not builder.build(changed(builder.pages, [(3, 2)], 3)).patched
    assert builder.build(changed(builder.pages, [(4, 2)], 4)).patched
