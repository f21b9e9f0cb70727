"""Hostile or careless files and folders around the build (not what a file says, but what it is and where
it lies): special files in seeds/, files that vanish or change while read, folders in each other's way, a
full disk, a broken template or static file. Each is named in one clear message; nothing hangs or crashes."""

from __future__ import annotations

import errno
import os
import signal
import socket

import pytest
from click.testing import CliRunner

from builder import write
from builder.cli import main
from builder.errors import BuildError, TemplateError, UnsafeOutputError
from builder.model import Problem
from builder.read import discover, list_seeds, read_seed_files
from builder.read.discover import read_regular_file
from tests.test_hostile import GOOD, problems_by_file, run_build
from tests.test_hostile import write as write_seed


@pytest.fixture
def no_hang():
    """Fail the test, instead of hanging the suite, if the build blocks (a named pipe read in earnest)."""
    def alarm(signum, frame):
        raise TimeoutError("the build blocked")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_special_files_in_seeds_are_named_and_never_read(project, no_hang):
    seeds = project / "seeds"
    write_seed(seeds, "good.txt", GOOD)
    os.mkfifo(seeds / "pipe.txt")
    listening = socket.socket(socket.AF_UNIX)
    listening.bind(str(seeds / "socket.md"))
    try:
        report = run_build(project)
    finally:
        listening.close()
    named = problems_by_file(report)
    assert named["pipe.txt"] == "not a regular file (a named pipe): not read"
    assert named["socket.md"] == "not a regular file (a socket): not read"
    assert report.articles_built == 1


def test_a_device_is_never_read_even_through_a_link(tmp_path):
    # /dev/zero never ends: read whole, it fills memory (an article named zero.txt once took 23 GB).
    with pytest.raises(OSError, match=r"not a regular file \(a character device\)"):
        read_regular_file("/dev/zero")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    with pytest.raises(OSError, match="not a regular file"):
        read_regular_file(str(tmp_path / "zero.txt"))


def test_a_file_that_grew_past_the_limit_is_not_read_whole(tmp_path):
    (tmp_path / "grown.txt").write_bytes(b"x" * 100)
    assert read_regular_file(str(tmp_path / "grown.txt"), limit=100) == b"x" * 100
    with pytest.raises(OSError, match="file too large") as error:
        read_regular_file(str(tmp_path / "grown.txt"), limit=99)
    assert error.value.errno == errno.EFBIG


def test_files_deleted_or_replaced_after_listing_become_problems(project, no_hang):
    seeds = project / "seeds"
    for name in ("kept.txt", "deleted.txt", "piped.txt"):
        write_seed(seeds, name, GOOD)
    found, problems = list_seeds(seeds)
    assert not problems
    (seeds / "deleted.txt").unlink()
    (seeds / "piped.txt").unlink()
    os.mkfifo(seeds / "piped.txt")
    sources, unreadable = read_seed_files(found)
    assert [source.relpath for source in sources] == ["kept.txt"]
    reasons = {problem.path: problem.reason for problem in unreadable}
    assert reasons["deleted.txt"] == "cannot be read: No such file or directory"
    assert reasons["piped.txt"] == "cannot be read: not a regular file (a named pipe)"


def test_a_folder_that_cannot_be_listed_is_named_and_the_rest_is_read(project, monkeypatch):
    seeds = project / "seeds"
    write_seed(seeds, "good.txt", GOOD)
    write_seed(seeds, "locked/inside.txt", GOOD)
    write_seed(seeds, "open/inside.txt", GOOD)
    real_scandir = os.scandir

    def scandir(path):  # what a folder of mode 000 does to a user other than root
        if str(path).endswith("/locked"):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(discover.os, "scandir", scandir)
    found, problems = list_seeds(seeds)
    assert [seed.relpath for seed in found] == ["good.txt", "open/inside.txt"]
    assert problems == [Problem("locked/", "folder cannot be read: Permission denied")]


@pytest.mark.parametrize("date, detail", [
    ("0000-01-01", "year 0 is out of range"),
    ("2020-01-01T10:00:00+99:00", "offset must be"),
])
def test_a_front_matter_date_that_does_not_exist_is_named(project, date, detail):
    write_seed(project / "seeds", "good.txt", GOOD)
    write_seed(project / "seeds", "odd-date.md", f"---\ntitle: Odd date\ndate: {date}\n---\n{GOOD}")
    reason = problems_by_file(run_build(project))["odd-date.md"]
    assert reason.startswith("front matter holds a date or time that does not exist (")
    assert detail in reason


def test_a_cache_inside_the_output_or_its_sibling_is_refused_before_any_work(project):
    write_seed(project / "seeds", "good.txt", GOOD)
    for cache in (project / "output", project / "output" / "cache", project / ".output.build-site-tmp" / "cache"):
        with pytest.raises(UnsafeOutputError, match=r"the cache folder .* which each build replaces"):
            run_build(project, cache=cache)
        assert not (project / "output").exists(), "refused before anything was written"


@pytest.mark.parametrize("kind", ["file", "link"])
def test_a_file_or_link_named_like_the_sibling_is_left_alone(project, tmp_path_factory, kind):
    write_seed(project / "seeds", "good.txt", GOOD)
    precious = tmp_path_factory.mktemp("precious")
    (precious / "keep.txt").write_text("mine")
    sibling = project / ".output.build-site-tmp"
    if kind == "file":
        sibling.write_text("mine")
    else:
        sibling.symlink_to(precious, target_is_directory=True)
    with pytest.raises(UnsafeOutputError, match=f"is in the way .* it is a {kind}"):
        run_build(project)
    assert (precious / "keep.txt").read_text() == "mine"
    assert sibling.is_symlink() if kind == "link" else sibling.read_text() == "mine"


def test_a_full_disk_is_told_in_one_line_and_the_previous_site_stays(project, monkeypatch):
    write_seed(project / "seeds", "good.txt", GOOD)
    run_build(project)
    before = (project / "output" / "index.html").read_bytes()
    write_seed(project / "seeds", "second.txt", GOOD.replace("budget", "harbour"))

    def full(path, content):
        raise OSError(errno.ENOSPC, "No space left on device", path)

    monkeypatch.setattr(write, "_write_new", full)
    result = CliRunner().invoke(main, ["--project", str(project), "--jobs", "1"])
    assert result.exit_code == 1
    assert "Error: the build stopped: No space left on device: " in result.output
    assert "Traceback" not in result.output
    assert (project / "output" / "index.html").read_bytes() == before


@pytest.mark.parametrize("cache", [".", "seeds", "output", ".."])
def test_clean_refuses_a_cache_that_holds_the_users_folders(project, cache):
    write_seed(project / "seeds", "good.txt", GOOD)
    (project / "output").mkdir()
    result = CliRunner().invoke(main, ["clean", "--project", str(project), "--cache", str(project / cache)])
    assert result.exit_code == 1
    assert "refusing to empty" in result.output
    assert (project / "seeds" / "good.txt").is_file()


def test_file_names_cannot_forge_message_lines():
    problem = Problem("x\nskipped: other.md\x1b[2K\u202e.txt", "empty file")
    assert str(problem) == "x\\nskipped: other.md\\x1b[2K\\u202e.txt: empty file"
    assert "\n" not in str(problem)


def test_a_link_out_of_site_static_is_not_published(project):
    write_seed(project / "seeds", "good.txt", GOOD)
    static = project / "site" / "static"
    static.mkdir(parents=True)
    (static / "inside.css").write_text("body{}")
    (static / "alias.css").symlink_to(static / "inside.css")
    (static / "passwd.txt").symlink_to("/etc/passwd")
    with pytest.raises(BuildError, match=r"passwd\.txt: a link to /etc/passwd, outside .*not copied"):
        run_build(project)
    (static / "passwd.txt").unlink()
    run_build(project)
    assert (project / "output" / "static" / "alias.css").read_text() == "body{}"


def test_a_named_pipe_in_site_static_is_named(project, no_hang):
    write_seed(project / "seeds", "good.txt", GOOD)
    (project / "site" / "static").mkdir(parents=True)
    os.mkfifo(project / "site" / "static" / "pipe.css")
    with pytest.raises(BuildError, match=r"pipe\.css: not a regular file \(a named pipe\)"):
        run_build(project)


def test_a_template_that_is_not_utf8_is_named(project):
    write_seed(project / "seeds", "good.txt", GOOD)
    (project / "templates").mkdir()
    (project / "templates" / "article.html").write_bytes(b"\x99\xff{{ article.title }}")
    with pytest.raises(TemplateError, match=r"templates/article\.html: not UTF-8 text"):
        run_build(project)


def test_a_template_syntax_error_names_the_file_and_line(project):
    write_seed(project / "seeds", "good.txt", GOOD)
    (project / "templates").mkdir()
    (project / "templates" / "article.html").write_text("{% extends 'base.html' %}\n{% block main %}{% if %}")
    with pytest.raises(TemplateError, match=r"templates/article\.html, line 2: "):
        run_build(project)


def test_a_static_file_named_like_a_made_one_is_named(project):
    write_seed(project / "seeds", "good.txt", GOOD)
    (project / "site" / "static").mkdir(parents=True)
    (project / "site" / "static" / "search.js").write_text("alert('mine')")
    with pytest.raises(BuildError, match=r"static/search\.js: the builder makes static/search\.js itself"):
        run_build(project)


def test_serve_names_a_file_broken_while_it_serves_and_stops_on_ctrl_c(tmp_path, no_hang):
    from tests.test_serve import Server, make_project

    project = make_project(tmp_path)
    server = Server(project)
    try:
        (project / "seeds" / "empty.txt").write_bytes(b"")
        os.mkfifo(project / "seeds" / "pipe.txt")
        server.wait_for(r"^skipped: empty\.txt: empty file$")
        server.wait_for(r"^skipped: pipe\.txt: not a regular file \(a named pipe\): not read$")
        server.wait_for(r"2 articles built, 2 skipped")
        assert server.get("/")[0] == 200
    finally:
        assert server.stop() == 0
    assert "Stopped." in server.seen
    assert not any("Traceback" in line for line in server.seen)


def test_link_loops_in_seeds_are_named_and_a_looping_folder_is_told(project):
    seeds = project / "seeds"
    write_seed(seeds, "good.txt", GOOD)
    (seeds / "loop.txt").symlink_to("loop.txt")
    (seeds / "a.md").symlink_to("b.md")
    (seeds / "b.md").symlink_to("a.md")
    (seeds / "dangling.txt").symlink_to("nowhere.txt")
    (seeds / "here").symlink_to(".", target_is_directory=True)
    report = run_build(project)
    named = problems_by_file(report)
    assert named["loop.txt"] == named["a.md"] == "cannot be read: Too many levels of symbolic links"
    assert named["dangling.txt"] == "cannot be read: No such file or directory"
    assert report.articles_built == 1
    (project / "output-loop").symlink_to("output-loop")
    result = CliRunner().invoke(main, ["--project", str(project), "--output", str(project / "output-loop")])
    assert result.exit_code == 1
    assert "a symbolic link that leads back to itself" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("inside", ["site/static/out", "site/out", "templates/out"])
def test_an_output_inside_the_site_or_templates_folder_is_refused(project, inside):
    # In site/static/ each build would copy the previous site (and its sibling) into the next one.
    write_seed(project / "seeds", "good.txt", GOOD)
    (project / "site" / "static").mkdir(parents=True)
    (project / "templates").mkdir()
    paths_output = project / inside
    result = CliRunner().invoke(main, ["--project", str(project), "--output", str(paths_output), "--jobs", "1"])
    assert result.exit_code == 1
    assert f"refusing to write the site to {paths_output}: it is inside" in result.output
    assert not paths_output.exists()


def test_a_file_name_that_is_not_utf8_is_named_not_a_crash(project):
    # Python hands such a name over with lone surrogates: linking, hashing or writing it as text raised.
    seeds = os.fsencode(project / "seeds")
    with open(os.path.join(seeds, b"bad\xff\xfename.txt"), "wb") as handle:
        handle.write(GOOD.encode())
    os.mkdir(os.path.join(seeds, b"folder\xff"))
    with open(os.path.join(seeds, b"folder\xff", b"inside.txt"), "wb") as handle:
        handle.write(GOOD.encode())
    write_seed(project / "seeds", "good.txt", GOOD.replace("budget", "harbour"))
    report = run_build(project)
    named = problems_by_file(report)
    reason = "file name is not valid UTF-8 (rename the file): not read"
    assert named == {"bad\\xff\\xfename.txt": reason, "folder\\xff/inside.txt": reason}
    assert report.articles_built == 1
    assert "bad\\xff\\xfename.txt" in (project / "output" / "reports" / "cleaning.html").read_text(encoding="utf-8")
