"""`serve()`: the real server on 127.0.0.1 (a free port), in a subprocess, driven over HTTP."""

from __future__ import annotations

import asyncio
import errno
import http.client
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from builder.config import Paths, Settings, load_config
from builder.serve import ChangeWatcher, DevServer, ignored, mount_path

REPO = Path(__file__).resolve().parent.parent
WAIT = 60  # seconds: the longest any condition may take before the test fails

LAUNCH = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from builder.config import Paths, Settings, load_config
    from builder.serve import serve
    project = Path(sys.argv[1])
    paths = Paths.from_project(project)
    overrides = {"base_url": sys.argv[2] or None}  # as the command line passes --base-url
    config = load_config(paths.site, overrides)
    serve(Settings(config=config, paths=paths, jobs=1, overrides=overrides), port=0, settle=0.2)
    """
)


def write_article(folder: Path, name: str, title: str, body: str) -> None:
    (folder / name).write_text(f"{title}\n\n{body}\n", encoding="utf-8")


def make_project(root: Path) -> Path:
    seeds = root / "seeds"
    seeds.mkdir(parents=True)
    write_article(seeds, "harbour.txt", "Harbour bridge reopens after repairs",
                  "The city council said on Monday that the harbour bridge reopened to traffic. "
                  "Engineers spent two months replacing the cables.")
    write_article(seeds, "library.txt", "New public library opens downtown",
                  "The library opened its doors on Saturday with a reading by local authors. "
                  "Officials said it holds forty thousand books.")
    (root / "site").mkdir()
    return root


def _ctrl_c_works() -> None:
    """A suite started in the background (`./scripts/test &`, nohup) inherits SIGINT ignored, and the
    server would then never hear the Ctrl-C that stop() sends: give the server the default action."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Server:
    """A `serve()` subprocess whose output lines are collected in a queue."""

    def __init__(self, project: Path, base_url: str = "", launch: str = LAUNCH, *arguments: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-c", launch, str(project), base_url, *arguments],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            preexec_fn=_ctrl_c_works,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()
        line = self.wait_for(r"^Serving (http://\S+)")
        self.url = re.match(r"^Serving (http://\S+)", line).group(1)
        self.folder = Path(self.wait_for(r"^Site folder: ").split(": ", 1)[1].strip())

    def _pump(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"server never printed {pattern!r}; output so far:\n" + "\n".join(self.seen))

    def get(self, path: str) -> tuple[int, str, dict[str, str]]:
        host, port = self.url.split("/")[2].split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", path)  # sent as written: no client-side normalising of ../
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        connection.close()
        return response.status, body, dict(response.getheaders())

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise
        for line in iter(lambda: self._drain(), None):
            self.seen.append(line)
        return self.process.returncode

    def _drain(self) -> str | None:
        try:
            return self.lines.get(timeout=1)
        except queue.Empty:
            return None


def wait_until(condition, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One server for the read-only checks, with a base_url: the site is served under its path."""
    server = Server(make_project(tmp_path_factory.mktemp("serve")), base_url="https://example.org/digest/")
    yield server
    server.stop()


def test_serves_on_loopback_under_the_base_url_path_and_prints_the_url(served):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/digest/", served.url)
    status, body, headers = served.get("/digest/")
    assert status == 200
    assert "Harbour bridge reopens" in body
    assert headers.get("Cache-Control") == "no-store"
    with urllib.request.urlopen(served.url.replace("/digest/", "/"), timeout=10) as response:  # redirected
        assert response.url.endswith("/digest/")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(served.url.replace("/digest/", "/index.html"), timeout=10)


def test_livereload_script_only_in_served_pages(served):
    status, body, _ = served.get("/digest/index.html")
    assert status == 200 and "/livereload.js" in body
    on_disk = (served.folder / "index.html").read_text(encoding="utf-8")
    assert "livereload" not in on_disk
    status, script, _ = served.get("/livereload.js")
    assert status == 200 and "LiveReload" in script


@pytest.mark.parametrize(
    "path", ["/digest/../../../etc/passwd", "/digest/%2e%2e/%2e%2e/etc/passwd", "/digest/articles/../../../x.html"]
)
def test_refuses_paths_outside_the_site(served, path):
    status, body, _ = served.get(path)
    assert status in (403, 404)
    assert "root:" not in body


def test_hidden_files_are_not_served(served):
    assert (served.folder / ".build-site").exists()
    assert served.get("/digest/.build-site")[0] == 404


def test_missing_page_is_404(served):
    assert served.get("/digest/articles/no-such-page.html")[0] == 404


def test_rebuilds_on_change_survives_a_failed_build_and_stops_cleanly(tmp_path):
    project = make_project(tmp_path)
    server = Server(project)
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", server.url)  # no base_url: served at the root
        # an edited seed is rebuilt and served
        path = project / "seeds" / "harbour.txt"
        path.write_text(path.read_text(encoding="utf-8").replace("two months", "eleven weeks"), encoding="utf-8")
        server.wait_for(r"pages written")

        def page_with(text: str) -> bool:
            status, body, _ = server.get("/index.html")
            pages = [server.get(f"/articles/{p.name}")[1] for p in (server.folder / "articles").glob("*.html")]
            return status == 200 and any(text in page for page in [body, *pages])

        wait_until(lambda: page_with("eleven weeks"), "the edit to be served")

        # a broken template: the error is printed, the last good site stays served
        templates = project / "templates"
        templates.mkdir()
        (templates / "base.html").write_text("{% block main %}{% broken tag %}", encoding="utf-8")
        server.wait_for(r"^Build failed: ")
        server.wait_for(r"Still serving the last good site")
        status, body, _ = server.get("/index.html")
        assert status == 200 and "Harbour bridge reopens" in body

        # the next good change recovers
        (templates / "base.html").unlink()
        write_article(project / "seeds", "museum.txt", "Museum of maps welcomes visitors",
                      "The museum said on Sunday that its collection of old maps is open again.")
        server.wait_for(r"pages written")
        wait_until(lambda: "Museum of maps" in server.get("/index.html")[1], "the new article to be served")
    finally:
        code = server.stop()
    assert code == 0
    assert any(line == "Stopped." for line in server.seen)
    assert not server.folder.exists()  # the temporary build folder is removed


def test_config_is_reloaded_on_rebuild_keeping_the_command_line_base_url(tmp_path):
    project = make_project(tmp_path)
    config = project / "site" / "config.toml"
    config.write_text('title = "First title"\nbase_url = "https://example.org/ignored/"\n', encoding="utf-8")
    server = Server(project, base_url="https://example.org/digest/")
    try:
        assert server.url.endswith("/digest/")
        assert "First title" in server.get("/digest/index.html")[1]
        config.write_text('title = "Second title"\nbase_url = "https://example.org/other/"\n', encoding="utf-8")
        server.wait_for(r"pages written")
        wait_until(lambda: "Second title" in server.get("/digest/index.html")[1], "the new title to be served")
        assert server.get("/other/index.html")[0] == 404  # --base-url still wins over the file

        # a bad config: one message, the last good site stays served
        config.write_text('title = "Third title"\narticles_per_page = "many"\n', encoding="utf-8")
        line = server.wait_for(r"^Not rebuilt: ")
        assert "config.toml" in line and "articles_per_page" in line and "last good site" in line
        status, body, _ = server.get("/digest/index.html")
        assert status == 200 and "Second title" in body and "Third title" not in body

        # fixed: the next save rebuilds with it
        config.write_text('title = "Fourth title"\n', encoding="utf-8")
        server.wait_for(r"pages written")
        wait_until(lambda: "Fourth title" in server.get("/digest/index.html")[1], "the fixed config to be served")
    finally:
        code = server.stop()
    assert code == 0
    assert not any(line.startswith(("Build failed", "Traceback")) for line in server.seen)
    assert sum(line.startswith("Not rebuilt: ") for line in server.seen) == 1


def test_a_new_base_url_path_in_the_config_moves_the_served_site(tmp_path):
    project = make_project(tmp_path)
    config = project / "site" / "config.toml"
    server = Server(project)
    try:
        assert server.get("/index.html")[0] == 200
        config.write_text('base_url = "https://example.org/digest/"\n', encoding="utf-8")
        line = server.wait_for(r"base_url changed")
        assert re.search(r"now serving http://127\.0\.0\.1:\d+/digest/", line)
        status, body, _ = server.get("/digest/index.html")
        assert status == 200 and "Harbour bridge reopens" in body
        status, _, headers = server.get("/index.html")  # an open tab's old address
        assert status in (301, 302) and headers["Location"] == "/digest/index.html"
    finally:
        assert server.stop() == 0


def test_mount_path():
    assert mount_path("") == "/"
    assert mount_path("https://example.org/") == "/"
    assert mount_path("https://me.github.io/digest/") == "/digest/"
    assert mount_path("https://me.github.io/a/b") == "/a/b/"


def test_editor_droppings_are_ignored():
    assert ignored("/p/seeds/.article.txt.swp")
    assert ignored("/p/seeds/article.txt~")
    assert ignored("/p/seeds/#article.txt#")
    assert not ignored("/p/seeds/article.txt")


@pytest.fixture
def watch():
    """ChangeWatchers made by the test, closed after it."""
    made: list[ChangeWatcher] = []

    def start(folders: list[Path], **options) -> ChangeWatcher:
        made.append(ChangeWatcher(folders, **options))
        return made[-1]

    yield start
    for watcher in made:
        watcher.close()


def changes_until(watcher: ChangeWatcher, path: Path) -> set[str]:
    """Every change the watcher reports until it reports `path` (events arrive in order: what came before it is in)."""
    seen: set[str] = set()
    deadline = time.monotonic() + WAIT
    while str(path) not in seen:
        assert time.monotonic() < deadline, f"the watcher never saw {path}; it saw {sorted(seen)}"
        seen.update(watcher.changes())
        time.sleep(0.02)
    return seen


def test_watcher_sees_new_changed_and_removed_files(tmp_path, watch):
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "a.txt").write_text("one")
    watcher = watch([folder])
    assert watcher.how == "inotify"
    assert not watcher.changed()  # what was there before is no change
    (folder / "b.txt").write_text("two")
    assert str(folder / "b.txt") in changes_until(watcher, folder / "b.txt")
    stamp = (folder / "a.txt").stat().st_mtime + 5
    os.utime(folder / "a.txt", (stamp, stamp))  # `touch` rebuilds
    changes_until(watcher, folder / "a.txt")
    (folder / "b.txt").unlink()
    changes_until(watcher, folder / "b.txt")
    (folder / ".hidden.swp").write_text("x")
    (folder / "a.txt~").write_text("x")
    (folder / "c.txt").write_text("three")
    assert changes_until(watcher, folder / "c.txt") == {str(folder / "c.txt")}


def test_watcher_reads_nothing_for_a_build_that_only_reads(tmp_path, watch):
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "a.txt").write_text("one")
    watcher = watch([folder])
    (folder / "a.txt").read_text()
    (folder / "b.txt").write_text("two")
    assert changes_until(watcher, folder / "b.txt") == {str(folder / "b.txt")}


def test_watcher_never_sees_the_output_folder_inside_a_watched_one(tmp_path, watch):
    site = tmp_path / "site"
    (site / "out").mkdir(parents=True)
    watcher = watch([site], never=(site / "out",))
    (site / "out" / "index.html").write_text("built")
    (site / "out" / "deeper").mkdir()
    (site / "config.toml").write_text("title = 'x'")
    assert changes_until(watcher, site / "config.toml") == {str(site / "config.toml")}


def test_watcher_sees_saves_by_rename(tmp_path, watch):
    """vim renames the article to article~ and writes it anew; other editors write a hidden file and rename it over."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    article = folder / "a.txt"
    article.write_text("one")
    watcher = watch([folder])
    article.rename(folder / "a.txt~")  # vim (backupcopy=no)
    article.write_text("two")
    (folder / "a.txt~").unlink()
    changes_until(watcher, article)
    (folder / ".a.txt.tmp1234").write_text("three")  # an atomic save
    os.replace(folder / ".a.txt.tmp1234", article)
    assert changes_until(watcher, article) == {str(article)}
    assert article.read_text() == "three"


def test_watcher_sees_subfolders_new_moved_and_removed(tmp_path, watch):
    folder = tmp_path / "seeds"
    (folder / "2024").mkdir(parents=True)
    watcher = watch([folder])
    (folder / "2024" / "a.txt").write_text("one")  # in a subfolder that was there
    changes_until(watcher, folder / "2024" / "a.txt")
    (folder / "2025" / "may").mkdir(parents=True)  # new subfolders, then a file in them
    changes_until(watcher, folder / "2025")
    (folder / "2025" / "may" / "b.txt").write_text("two")
    changes_until(watcher, folder / "2025" / "may" / "b.txt")
    (folder / "2025" / "may" / "b.txt").rename(folder / "2024" / "b.txt")  # moved between subfolders
    changes_until(watcher, folder / "2024" / "b.txt")
    shutil.rmtree(folder / "2024")  # a subfolder removed
    changes_until(watcher, folder / "2024")
    (folder / ".git" / "objects").mkdir(parents=True)  # nothing in a hidden folder counts
    (folder / ".git" / "objects" / "ab").write_text("x")
    (folder / "c.txt").write_text("three")
    assert changes_until(watcher, folder / "c.txt") == {str(folder / "c.txt")}


def test_watcher_follows_a_folder_replaced_whole_created_or_removed(tmp_path, watch):
    seeds, templates = tmp_path / "seeds", tmp_path / "templates"
    seeds.mkdir()
    watcher = watch([seeds, templates])  # templates/ does not exist yet
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "a.txt").write_text("one")
    seeds.rename(tmp_path / "old-seeds")  # `git checkout`, a sync tool: the folder itself is replaced
    fresh.rename(seeds)
    changes_until(watcher, seeds)
    (seeds / "b.txt").write_text("two")  # the new folder is the one watched now
    (tmp_path / "old-seeds" / "z.txt").write_text("gone")  # and the old one is not
    assert str(tmp_path / "old-seeds" / "z.txt") not in changes_until(watcher, seeds / "b.txt")
    templates.mkdir()
    changes_until(watcher, templates)
    (templates / "base.html").write_text("{{ x }}")
    changes_until(watcher, templates / "base.html")
    shutil.rmtree(templates)
    changes_until(watcher, templates)


def test_watcher_burst_of_changes_is_seen_whole(tmp_path, watch):
    folder = tmp_path / "seeds"
    folder.mkdir()
    watcher = watch([folder])
    for number in range(500):
        (folder / f"{number:03}.txt").write_text("x")
    seen = changes_until(watcher, folder / "499.txt")
    assert len(seen) == 500


def test_watcher_polls_where_inotify_is_not_available(tmp_path, watch):
    def no_inotify():
        raise OSError(errno.EMFILE, "inotify instance limit reached")

    said: list[str] = []
    folder = tmp_path / "seeds"
    folder.mkdir()
    watcher = watch([folder], echo=said.append, make_observer=no_inotify)
    assert watcher.how.startswith("polling")
    assert said and "polling" in said[0] and "inotify instance limit reached" in said[0]
    (folder / "a.txt").write_text("one")
    changes_until(watcher, folder / "a.txt")


class HeldBuilds:
    """Stands in for DevServer.build_once: counts the rebuilds and holds each one until released."""

    def __init__(self) -> None:
        self.started = 0
        self.release = threading.Event()

    def __call__(self) -> bool:
        self.started += 1
        self.release.wait(WAIT)
        return False  # nothing to reload: no browser here


def dev_server(project: Path) -> DevServer:
    paths = Paths.from_project(project)
    settings = Settings(config=load_config(paths.site), paths=paths, jobs=1)
    return DevServer(settings, settle=0.2, echo=lambda line: None)


async def tick_until(server: DevServer, condition, what: str) -> None:
    """The server's own loop (check_for_changes every poll) until `condition`, or fail after WAIT."""
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        server.check_for_changes()
        await asyncio.sleep(0.02)


def run_in_a_loop_of_its_own(coroutine) -> None:
    """asyncio.run in a thread of its own: this thread may already run a loop (Playwright's sync API in the
    browser tests keeps one running for the whole session)."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as failure:  # re-raised in the test's own thread
            failures.append(failure)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def test_a_burst_of_saves_is_one_rebuild_and_a_save_during_it_the_next(tmp_path):
    project = make_project(tmp_path)
    seeds = project / "seeds"
    server = dev_server(project)
    builds = server.build_once = HeldBuilds()

    async def session() -> None:
        for number in range(300):  # a burst: `git pull`, a script, an editor saving all
            write_article(seeds, f"burst-{number:03}.txt", f"Article {number}", "Text.")
        await tick_until(server, lambda: builds.started == 1, "the rebuild of the burst")
        write_article(seeds, "during.txt", "Written during the rebuild", "Text.")  # the build already read seeds/
        await tick_until(server, lambda: server.pending_since is not None, "the save during the rebuild to be seen")
        assert builds.started == 1  # held: one rebuild at a time
        builds.release.set()
        await tick_until(server, lambda: builds.started == 2, "the rebuild of the save made during the first")
        await tick_until(server, lambda: not server.building, "the second rebuild to end")
        quiet_until = time.monotonic() + 1.0  # 5 settle periods: no third rebuild follows
        await tick_until(server, lambda: time.monotonic() > quiet_until, "a quiet second")
        assert builds.started == 2

    try:
        run_in_a_loop_of_its_own(session())
    finally:
        builds.release.set()
        server.close()
