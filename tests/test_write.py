"""The writer: atomic swap, safety refusals, unchanged pages keep their files, one build at a time."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from builder.config import Paths
from builder.errors import BuildError, UnsafeOutputError
from builder.model import OutputPage
from builder.write import MARKER, temporary_sibling, write_site


def paths_for(tmp_path: Path, output: Path | None = None) -> Paths:
    (tmp_path / "seeds").mkdir(exist_ok=True)
    return Paths(
        seeds=tmp_path / "seeds",
        output=output or tmp_path / "output",
        site=tmp_path / "site",
        templates=tmp_path / "templates",
        cache=tmp_path / ".cache",
    )


def pages(**files: str) -> list[OutputPage]:
    return [OutputPage(name.replace("__", "/").replace("_", "."), text.encode()) for name, text in files.items()]


def test_first_write_creates_marked_folder(tmp_path):
    paths = paths_for(tmp_path)
    report = write_site(pages(index_html="hello", articles__a_html="a"), paths)
    assert (paths.output / "index.html").read_text() == "hello"
    assert (paths.output / "articles" / "a.html").read_text() == "a"
    assert (paths.output / MARKER).is_file()
    assert report.written == 2
    assert not temporary_sibling(paths.output).exists()


def test_unchanged_pages_keep_their_file_and_mtime(tmp_path):
    paths = paths_for(tmp_path)
    write_site(pages(index_html="hello", b_html="b"), paths)
    before = (paths.output / "index.html").stat()
    os.utime(paths.output / "index.html", ns=(before.st_atime_ns, before.st_mtime_ns - 10**9))
    old_mtime = (paths.output / "index.html").stat().st_mtime_ns
    report = write_site(pages(index_html="hello", b_html="changed"), paths)
    assert (paths.output / "index.html").stat().st_mtime_ns == old_mtime
    assert (paths.output / "b.html").read_text() == "changed"
    assert (report.written, report.unchanged) == (1, 1)


def test_pages_of_a_previous_build_that_are_gone_are_removed(tmp_path):
    paths = paths_for(tmp_path)
    write_site(pages(index_html="x", old_html="old"), paths)
    report = write_site(pages(index_html="x"), paths)
    assert not (paths.output / "old.html").exists()
    assert report.deleted == 1


@pytest.mark.parametrize("where", ["root", "home", "seeds", "seeds-parent", "inside-seeds"])
def test_refuses_dangerous_output_folders(tmp_path, where):
    paths = paths_for(tmp_path)
    output = {
        "root": Path("/"),
        "home": Path.home(),
        "seeds": paths.seeds,
        "seeds-parent": tmp_path,
        "inside-seeds": paths.seeds / "site",
    }[where]
    with pytest.raises(UnsafeOutputError):
        write_site(pages(index_html="x"), Paths(paths.seeds, output, paths.site, paths.templates, paths.cache))


def test_refuses_a_non_empty_folder_it_did_not_create(tmp_path):
    paths = paths_for(tmp_path)
    paths.output.mkdir()
    (paths.output / "thesis.docx").write_text("years of work")
    with pytest.raises(UnsafeOutputError, match="not empty"):
        write_site(pages(index_html="x"), paths)
    assert (paths.output / "thesis.docx").read_text() == "years of work"


def test_refuses_page_paths_that_leave_the_output(tmp_path):
    paths = paths_for(tmp_path)
    with pytest.raises(BuildError):
        write_site([OutputPage("../escape.html", b"x")], paths)
    assert not (tmp_path / "escape.html").exists()


def test_refuses_to_write_one_path_twice(tmp_path):
    paths = paths_for(tmp_path)
    with pytest.raises(BuildError, match="two pages"):
        write_site([OutputPage("a.html", b"1"), OutputPage("a.html", b"2")], paths)


def test_a_failed_write_leaves_the_previous_site(tmp_path):
    paths = paths_for(tmp_path)
    write_site(pages(index_html="good"), paths)

    def exploding():
        yield OutputPage("index.html", b"half")
        raise RuntimeError("render failed mid-way")

    with pytest.raises(RuntimeError):
        write_site(exploding(), paths)
    assert (paths.output / "index.html").read_text() == "good"


def test_sigkill_mid_write_keeps_the_previous_site_and_next_build_succeeds(tmp_path):
    paths = paths_for(tmp_path)
    write_site(pages(index_html="good"), paths)
    started = tmp_path / "started"
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from builder.config import Paths
        from builder.model import OutputPage
        from builder.write import write_site

        def slow():
            for i in range(100000):
                if i == 10:
                    Path({str(started)!r}).write_text("yes")
                    time.sleep(60)
                yield OutputPage(f"p{{i}}.html", b"new")

        write_site(slow(), Paths(Path({str(paths.seeds)!r}), Path({str(paths.output)!r}),
                   Path({str(paths.site)!r}), Path({str(paths.templates)!r}), Path({str(paths.cache)!r})))
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script])
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
    assert (paths.output / "index.html").read_text() == "good"
    assert sorted(p.name for p in paths.output.iterdir()) == [MARKER, "index.html"]
    write_site(pages(index_html="next"), paths)
    assert (paths.output / "index.html").read_text() == "next"
    # the sibling was staged anew (the killed build left no record of it), and now holds the previous site
    assert (temporary_sibling(paths.output) / "index.html").read_text() == "good"


def test_two_writers_on_one_output_never_mix(tmp_path):
    paths = paths_for(tmp_path)
    errors: list[BaseException] = []

    def writer(tag: str) -> None:
        try:
            write_site([OutputPage(f"p{i}.html", tag.encode()) for i in range(200)], paths)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(tag,)) for tag in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    contents = {(paths.output / f"p{i}.html").read_text() for i in range(200)}
    assert len(contents) == 1
