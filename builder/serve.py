"""`build-site serve`: build, serve on 127.0.0.1, rebuild on change, reload the open tab.

Like MkDocs' dev server:
- the site is built into a temporary folder (or, if asked, the output folder) and served from there;
- seeds/, templates/ and site/ are watched through the system's file events (inotify; polling only where
  those are not available), never the output or cache folders; a rebuild starts once the changes have
  settled (debounce: a burst of saves is one rebuild) and reuses the analysis cache; a change during a
  rebuild starts the next one;
- a rebuild runs beside the server: until its atomic swap, the previous site is served whole;
- a failed rebuild prints its error and the last good site stays served; the next good change recovers;
- each rebuild reads site/config.toml again, with the command line's overrides (--base-url); a bad
  config is one message and the last good site stays served; if base_url's path changes, the site
  moves there and the old addresses redirect to it;
- the open tab reloads itself after each good rebuild: the livereload script is injected into served
  HTML responses only, never into the files written;
- the search index catches up in the background (builder.search_catchup): a rebuild writes the pages with
  the previous index and the tab reloads at once; the new index is made right after, one at a time, and
  swapped in whole ("Search index updated in N s"), then an open search page reloads (keeping its query)
  and no other tab does. A change meanwhile cancels it: the newest site's index follows its rebuild;
- a rebuild starts from what the previous one left in memory (the analyses, the page keys: builder.warm) where
  that is what the disk would give, and writes what only the next build reads (the page keys) after the reload;
- requests for paths outside the site folder are refused (403), hidden files are not served (404);
- with a base_url such as https://me.github.io/digest/ the site is served under /digest/, as published;
- Ctrl-C stops cleanly (and removes the temporary folder).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import shutil
import signal
import stat
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.server import LiveScriptInjector
from tornado import httpserver, netutil, web
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from builder.config import Settings, load_config
from builder.errors import ConfigError
from builder.model import PendingSearch
from builder.warm import WarmState

if TYPE_CHECKING:
    from builder.search_catchup import CatchUpReport, SearchCatchUp

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
SETTLE_SECONDS = 0.3  # a rebuild starts once no file has changed for this long
POLL_SECONDS = 0.2  # how often the server looks at the watcher's flag (no file is read for it)

# The livereload "path" that says the search index was swapped in: only a search page reloads for it.
SEARCH_UPDATED = "build-site:search-index"

LIVE_SCRIPT = (
    b'<script>(function(){var s=document.createElement("script");'
    b's.src="/livereload.js?port="+(location.port||(location.protocol==="https:"?443:80));'
    b"document.head.appendChild(s);})();"
    # A livereload.js plugin (it loads every window.LiveReloadPlugin*): the search page, which has loaded
    # the index it searches, reloads when a new one is swapped in, with the query typed kept in ?q=;
    # other pages, whose files did not change, stay as they are.
    b"(function(){function P(){}P.identifier=\"build-site-search\";P.version=\"1.0\";"
    b"P.prototype.reload=function(path){if(path!==\"" + SEARCH_UPDATED.encode() + b"\"){return false;}"
    b'var box=document.querySelector("#search[data-bundle]");if(!box){return true;}'
    b'var input=box.querySelector("input");var url=new URL(location.href);'
    b'if(input&&input.value){url.searchParams.set("q",input.value);}'
    b"if(url.href===location.href){location.reload();}else{location.replace(url.href);}return true;};"
    b"window.LiveReloadPluginBuildSiteSearch=P;})();</script>"
)


class LiveScript(LiveScriptInjector):
    """Adds the livereload client to served HTML responses (the files on disk stay as built)."""

    script = LIVE_SCRIPT


class SiteHandler(web.StaticFileHandler):
    """Serves the built site under the server's mount path; nothing outside it, no hidden files, never cached.

    Addresses under a path the site was served at before (base_url changed while serving) redirect to
    the same page under the current one.
    """

    def initialize(self, path: str, default_filename: str | None = None,
                   mounts: Callable[[], tuple[str, list[str]]] = lambda: ("/", [])) -> None:
        super().initialize(path, default_filename)
        self.mounts = mounts

    async def get(self, path: str, include_body: bool = True) -> None:
        mount, previous = self.mounts()
        full = "/" + path
        if full + "/" == mount:
            self.redirect(mount)
            return
        under = max((m for m in [mount, *previous] if full.startswith(m)), key=len, default=None)
        if under is None:
            if full == "/":
                self.redirect(mount)
                return
            raise web.HTTPError(404)
        rest = full[len(under):]
        if under != mount:
            query = f"?{self.request.query}" if self.request.query else ""
            self.redirect(mount + rest + query)
            return
        await super().get(rest, include_body)

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        relative = os.path.relpath(absolute_path, os.path.abspath(root))
        if relative.startswith("..") or os.path.isabs(relative):
            raise web.HTTPError(403, "%s is not in the site folder", absolute_path)
        if any(part.startswith(".") for part in Path(relative).parts if part != "."):
            raise web.HTTPError(404)
        return super().validate_absolute_path(root, absolute_path)

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-store")

    def compute_etag(self) -> str | None:
        return None  # with no-store there is nothing to revalidate


def ignored(path: str) -> bool:
    """Editor droppings and hidden files do not trigger rebuilds."""
    name = os.path.basename(path)
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp"))


# What counts as a change. Opening or reading a file is not one: the build reads every seed, and those events
# would cost the rebuild CPU and start another. A directory's own "modified" follows each change inside it and
# would let an ignored file (vim's .swp) through.
CHANGE_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent, DirCreatedEvent, FileModifiedEvent, FileAttribEvent, FileClosedEvent,
    FileDeletedEvent, DirDeletedEvent, FileMovedEvent, DirMovedEvent,
]
FALLBACK_POLL_SECONDS = 1.0  # polling (no inotify) reads every file's times: not too often


class _Recorder(FileSystemEventHandler):
    """Runs in watchdog's thread: notes the paths of the changes that count."""

    def __init__(self, counts: Callable[[str], bool], note: Callable[[str], None]) -> None:
        self.counts = counts
        self.note = note

    def on_any_event(self, event: FileSystemEvent) -> None:
        # A rename counts if either side does: an editor's atomic save renames a hidden temporary file over
        # the article; vim renames the article to article~ before writing it anew.
        for path in (event.src_path, event.dest_path):
            if path and self.counts(os.fsdecode(path)):
                self.note(os.fsdecode(path))


def _identity(folder: str) -> tuple[int, int] | None:
    """(device, inode) of a folder, None if there is none: tells a folder replaced whole from the one watched."""
    try:
        status = os.stat(folder)
    except OSError:
        return None
    return (status.st_dev, status.st_ino) if stat.S_ISDIR(status.st_mode) else None


class ChangeWatcher:
    """Watches seeds/, templates/ and site/ through the system's file events (watchdog: inotify on Linux) and is
    asked only "did anything change?" (a flag the events set; nothing is read while idle).

    Where inotify cannot be had (another system, or the inotify limits reached) it polls every
    FALLBACK_POLL_SECONDS, and says so through `echo`. An inotify watch follows a folder, not its name: a watched
    folder that appears, disappears or is replaced whole (renamed over, checked out anew) is noticed at the next
    question by one stat per folder, counts as a change, and is watched anew.
    """

    filepath: str | None = None  # livereload's handler logs this attribute of its watcher at each reload

    def __init__(self, folders: list[Path], never: tuple[Path, ...] = (), echo: Callable[[str], None] = print,
                 make_observer: Callable[[], BaseObserver] = Observer) -> None:
        self.folders = [os.path.abspath(folder) for folder in folders]
        self.echo = echo
        self._never = tuple(str(path.resolve()) + os.sep for path in never)
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self._watches: dict[str, tuple[ObservedWatch | None, tuple[int, int] | None]] = {}
        self._handler = _Recorder(self._counts, self._note)
        self.observer: BaseObserver | None = None
        try:
            self._start(make_observer)
        except OSError as exc:
            self._fall_back(exc)
        self._take_seen()  # the first look only records what is there

    @property
    def how(self) -> str:
        if isinstance(self.observer, PollingObserver):
            return f"polling every {FALLBACK_POLL_SECONDS:g} s"
        return "inotify" if type(self.observer).__name__ == "InotifyObserver" else "file events"

    def changed(self) -> bool:
        return bool(self.changes())

    def changes(self) -> list[str]:
        """The paths changed since the last question (a watched folder itself if it appeared, went or was replaced)."""
        try:
            replaced = self._follow_folders()
        except OSError as exc:  # inotify's watch limit reached by a new folder's watches
            self._fall_back(exc)
            replaced = list(self.folders)
        return sorted(set(replaced) | self._take_seen())

    def close(self) -> None:
        if self.observer is not None:
            self.observer.stop()
            with contextlib.suppress(RuntimeError):
                self.observer.join(timeout=5)
        self.observer = None
        self._watches.clear()

    # inside ------------------------------------------------------------------------------------

    def _counts(self, path: str) -> bool:
        """Not the output or cache folders, not editor droppings or hidden files, nor anything in a hidden folder."""
        path = os.path.abspath(path)
        if (path + os.sep).startswith(self._never):
            return False
        root = next((f for f in self.folders if path == f or path.startswith(f + os.sep)), None)
        parts = os.path.relpath(path, root).split(os.sep) if root else [os.path.basename(path)]
        return not any(ignored(part) for part in parts if part != ".")

    def _note(self, path: str) -> None:
        with self._lock:
            self._seen.add(path)

    def _take_seen(self) -> set[str]:
        with self._lock:
            seen, self._seen = self._seen, set()
        return seen

    def _start(self, make_observer: Callable[[], BaseObserver]) -> None:
        self.close()
        self.observer = make_observer()
        self.observer.start()
        self._follow_folders()

    def _fall_back(self, exc: OSError) -> None:
        reason = exc.strerror or str(exc)
        self.echo(f"File events not available ({reason}): watching by polling every {FALLBACK_POLL_SECONDS:g} s "
                  "instead (see `sysctl fs.inotify`)")
        self._start(lambda: PollingObserver(timeout=FALLBACK_POLL_SECONDS))

    def _follow_folders(self) -> list[str]:
        """(Re)watch each folder whose identity changed since it was watched; the folders that did."""
        assert self.observer is not None
        moved = []
        for folder in self.folders:
            identity = _identity(folder)
            watch, watched = self._watches.get(folder, (None, None))
            if identity == watched:
                continue
            moved.append(folder)
            if watch is not None:
                with contextlib.suppress(KeyError):
                    self.observer.unschedule(watch)
            self._watches[folder] = (None, None)
            if identity is not None:
                watch = self.observer.schedule(self._handler, folder, recursive=True, event_filter=CHANGE_EVENTS)
                self._watches[folder] = (watch, identity)
        return moved


def mount_path(base_url: str) -> str:
    """The URL path the site lives under when published ("/" or "/digest/")."""
    path = urlsplit(base_url).path if base_url else "/"
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


class DevServer:
    def __init__(
        self,
        settings: Settings,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        into_output: bool = False,
        settle: float = SETTLE_SECONDS,
        poll: float = POLL_SECONDS,
        echo: Callable[[str], None] = print,
        before_index: Callable[[], None] | None = None,
    ) -> None:
        self.echo = echo
        self.before_index = before_index  # called in the index thread before each catch-up (tests hold it)
        self.host = host
        self.port = port
        self.settle = settle
        self.poll = poll
        self.temporary: Path | None = None
        if into_output:
            output = settings.paths.output
        else:
            self.temporary = Path(tempfile.mkdtemp(prefix="build-site-serve-"))
            output = self.temporary / "site"
        self.settings = dataclasses.replace(settings, paths=dataclasses.replace(settings.paths, output=output))
        paths = self.settings.paths
        # Watching starts before the first build: a save during it is rebuilt after it.
        self.watcher = ChangeWatcher([paths.seeds, paths.templates, paths.site], never=(paths.output, paths.cache),
                                     echo=echo)
        self.mount = mount_path(settings.config.base_url)
        self.previous_mounts: list[str] = []  # paths the site was served at before base_url changed
        self.url = ""
        self.building = False
        self.pending_since: float | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rebuild")
        # One catch-up of the search index at a time (builder.search_catchup), in its own thread.
        self.indexer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-index")
        self.pending_search: PendingSearch | None = None  # the served site's index still to make
        self.catching_up: SearchCatchUp | None = None  # running, or queued behind one that was cancelled
        self.stopped = threading.Event()
        # What each build leaves in memory for the next one (the analyses, the page keys), used where it is
        # what the disk would give (builder.warm); only the rebuild thread touches it, one build at a time.
        self.warm = WarmState()

    # building -----------------------------------------------------------------------------------

    def reload_settings(self) -> Settings | None:
        """site/config.toml read again, with the command line's overrides; None (and one message) if it is bad."""
        try:
            config = load_config(self.settings.paths.site, self.settings.overrides)
        except ConfigError as exc:
            self.echo(f"Not rebuilt: {exc.format_message()} (still serving the last good site; "
                      "fix the file and save again)")
            return None
        return dataclasses.replace(self.settings, config=config)

    def build_once(self) -> bool:
        """Reload the config, build into the served folder; on failure print the error, keep the last good site."""
        from builder.build import build

        settings = self.reload_settings()
        if settings is None:
            return False
        try:
            report = build(settings, defer_search=True, warm=self.warm)
        except Exception as exc:  # any failure must leave the server running
            message = exc.format_message() if hasattr(exc, "format_message") else f"{type(exc).__name__}: {exc}"
            self.echo(f"Build failed: {message}")
            self.echo("Still serving the last good site; fix the problem and save again.")
            return False
        self.settings = settings
        self.tell(report)
        if report.pending_search is not None:
            self.pending_search = report.pending_search
        mount = mount_path(settings.config.base_url)
        if mount != self.mount:
            self.previous_mounts = [m for m in [*self.previous_mounts, self.mount] if m != mount]
            self.mount = mount
            self.url = self.url[: self.url.index("/", len("http://"))] + mount if self.url else ""
            self.echo(f"base_url changed: now serving {self.url or mount} (old addresses redirect there)")
        return True

    def tell(self, report) -> None:
        """A build's files skipped, each named (a file broken while the site is served is told at once), and
        its summary line."""
        from builder.cli import problem_lines

        for line in problem_lines(report.problems):
            self.echo(line)
        self.echo(report.summary_line())

    def check_for_changes(self) -> None:
        """Called every `poll` seconds on the server's loop: debounce, then rebuild in a thread."""
        if self.watcher.changed():
            self.pending_since = time.monotonic()
        if self.building or self.pending_since is None:
            return
        if time.monotonic() - self.pending_since < self.settle:
            return
        self.pending_since = None
        self.building = True
        self.echo("Change detected, rebuilding…")
        if self.catching_up is not None:
            self.catching_up.cancel()  # the CPU goes to the rebuild; the newest site's index comes after it
        future = asyncio.get_running_loop().run_in_executor(self.executor, self.build_once)
        future.add_done_callback(self._rebuilt)

    def _rebuilt(self, future: asyncio.Future) -> None:
        self.building = False
        if not future.cancelled() and future.result():
            LiveReloadHandler.reload_waiters(self.mount)
            # what only the next build reads, written now, in the rebuild thread (the next rebuild waits for it)
            self.executor.submit(self.finish_writing)
        self.catch_up_search()  # (also after a failed rebuild: the index of the site still served)

    def finish_writing(self) -> None:
        """Write what the last build left for the next one (builder.warm); a failure is told, not raised."""
        try:
            self.warm.finish_writing()
        except Exception as exc:  # (the next build then renders every page: nothing else depends on it)
            self.echo(f"Could not record the page keys: {type(exc).__name__}: {exc}")

    def catch_up_search(self) -> None:
        """Start making the served site's search index in the background, unless it is being made."""
        from builder.search_catchup import SearchCatchUp

        if self.pending_search is None or self.stopped.is_set():
            return
        if self.catching_up is not None and self.catching_up.pending is self.pending_search \
                and not self.catching_up.cancelled.is_set():
            return
        catch_up = self.catching_up = SearchCatchUp(self.pending_search, self.settings.paths)
        self.echo("Search index: updating in the background (search answers from the previous index until then)")
        future = asyncio.get_running_loop().run_in_executor(self.indexer, self._run_catch_up, catch_up)
        future.add_done_callback(lambda done: self._caught_up(catch_up, done))

    def _run_catch_up(self, catch_up: SearchCatchUp) -> CatchUpReport | None:
        if self.before_index is not None:
            self.before_index()
        if catch_up.cancelled.is_set():
            return None
        return catch_up.run()

    def _caught_up(self, catch_up: SearchCatchUp, future: asyncio.Future) -> None:
        if self.catching_up is catch_up:
            self.catching_up = None
        if future.cancelled():
            return
        if future.exception() is not None:
            exc = future.exception()
            message = exc.format_message() if hasattr(exc, "format_message") else f"{type(exc).__name__}: {exc}"
            self.echo(f"Search index not updated: {message} (search answers from the previous index)")
            if self.pending_search is catch_up.pending:
                self.pending_search = None  # not tried again until the next change
            return
        report = future.result()
        if report is None or report.outcome != "updated":
            return  # cancelled or superseded: the newer site's catch-up follows its rebuild
        if self.pending_search is catch_up.pending:
            self.pending_search = None
        self.echo(report.summary_line())
        LiveReloadHandler.reload_waiters(SEARCH_UPDATED)

    # serving ------------------------------------------------------------------------------------

    def application(self) -> web.Application:
        LiveReloadHandler.watcher = self.watcher
        LiveReloadHandler.live_css = False
        LiveReloadHandler.waiters = set()
        site = str(self.settings.paths.output)
        handlers: list = [
            (r"/livereload", LiveReloadHandler),
            (r"/livereload\.js", LiveReloadJSHandler),
            (r"/(.*)", SiteHandler, {"path": site, "default_filename": "index.html",
                                     "mounts": lambda: (self.mount, self.previous_mounts)}),
        ]
        return web.Application(handlers=handlers, transforms=[LiveScript])

    async def run(self) -> None:
        sockets = netutil.bind_sockets(self.port, address=self.host)
        port = sockets[0].getsockname()[1]
        server = httpserver.HTTPServer(self.application())
        server.add_sockets(sockets)
        with contextlib.suppress(NotImplementedError, RuntimeError):  # `kill` stops as cleanly as Ctrl-C
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self.stopped.set)
        shown_host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{shown_host}:{port}{self.mount}"
        self.echo(f"Serving {self.url} (Ctrl-C to stop)")
        self.echo(f"Site folder: {self.settings.paths.output}")
        self.echo(f"Watching {', '.join(self.watcher.folders)} for changes ({self.watcher.how})")
        try:
            while not self.stopped.is_set():
                self.check_for_changes()
                await asyncio.sleep(self.poll)
        finally:
            server.stop()
            await server.close_all_connections()

    def close(self) -> None:
        self.stopped.set()
        self.watcher.close()
        if self.catching_up is not None:
            self.catching_up.cancel()
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.finish_writing()  # (if the rebuild thread did not: a restarted server finds the keys)
        self.indexer.shutdown(wait=True, cancel_futures=True)
        if self.temporary is not None:
            shutil.rmtree(self.temporary, ignore_errors=True)


def serve(
    settings: Settings,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    open_browser: bool = False,
    into_output: bool = False,
    settle: float = SETTLE_SECONDS,
    before_index: Callable[[], None] | None = None,
) -> None:
    """Build the site, serve it on http://host:port/ and rebuild on change, until Ctrl-C.

    host: 127.0.0.1 unless asked otherwise; port 0 picks a free port (the URL printed names it).
    open_browser: open the printed URL in the default browser. into_output: build into the output
    folder instead of a temporary one. settle: seconds without change before a rebuild starts.
    The first build must succeed (its error is raised, and it makes the search index before serving); later
    failed rebuilds only print theirs. before_index: called before each background catch-up of the index
    starts, in its thread (tests hold the index back with it).
    """
    server = DevServer(settings, host=host, port=port, into_output=into_output, settle=settle,
                       before_index=before_index)
    try:
        from builder.build import build

        server.tell(build(server.settings, warm=server.warm))
        server.finish_writing()  # (nothing waits for the first build's keys: written before serving)
        if open_browser:
            threading.Timer(0.5, lambda: server.url and webbrowser.open(server.url)).start()
        asyncio.run(server.run())
        server.echo("Stopped.")
    except KeyboardInterrupt:
        server.echo("Stopped.")
    finally:
        server.close()
