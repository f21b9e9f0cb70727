"""`build-site serve`: build, serve on 127.0.0.1, rebuild on change, reload the open tab.

Like MkDocs' dev server:
- the site is built into a temporary folder (or, if asked, the output folder) and served from there;
- seeds/, templates/ and site/ are watched (never the output folder); a rebuild starts once the
  changes have settled (debounce) and reuses the analysis cache;
- a rebuild runs beside the server: until its atomic swap, the previous site is served whole;
- a failed rebuild prints its error and the last good site stays served; the next good change recovers;
- each rebuild reads site/config.toml again, with the command line's overrides (--base-url); a bad
  config is one message and the last good site stays served; if base_url's path changes, the site
  moves there and the old addresses redirect to it;
- the open tab reloads itself after each good rebuild: the livereload script is injected into served
  HTML responses only, never into the files written;
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
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.server import LiveScriptInjector
from livereload.watcher import Watcher
from tornado import httpserver, netutil, web

from builder.config import Settings, load_config
from builder.errors import ConfigError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
SETTLE_SECONDS = 0.3  # a rebuild starts once no file has changed for this long
POLL_SECONDS = 0.2  # how often the watched folders are checked

LIVE_SCRIPT = (
    b'<script>(function(){var s=document.createElement("script");'
    b's.src="/livereload.js?port="+(location.port||(location.protocol==="https:"?443:80));'
    b"document.head.appendChild(s);})();</script>"
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


class ChangeWatcher(Watcher):
    """livereload's polling watcher over seeds/, templates/ and site/, asked only "did anything change?"."""

    def __init__(self, folders: list[Path], never: tuple[Path, ...] = ()) -> None:
        super().__init__()
        skipped = tuple(str(path.resolve()) + os.sep for path in never)

        def ignore(path: str) -> bool:  # the output and cache folders never trigger a rebuild
            return ignored(path) or os.path.abspath(path).startswith(skipped)

        for folder in folders:
            self.watch(str(folder), None, 0, ignore=ignore)

    def changed(self) -> bool:
        any_change = False
        for path, task in self._tasks.items():
            self._task_mtimes = task["mtimes"]
            if self.is_changed(path, task["ignore"]):
                any_change = True
        return any_change


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
    ) -> None:
        self.echo = echo
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
        self.watcher = ChangeWatcher([paths.seeds, paths.templates, paths.site], never=(paths.output, paths.cache))
        self.mount = mount_path(settings.config.base_url)
        self.previous_mounts: list[str] = []  # paths the site was served at before base_url changed
        self.url = ""
        self.building = False
        self.pending_since: float | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rebuild")
        self.stopped = threading.Event()

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
            report = build(settings)
        except Exception as exc:  # any failure must leave the server running
            message = exc.format_message() if hasattr(exc, "format_message") else f"{type(exc).__name__}: {exc}"
            self.echo(f"Build failed: {message}")
            self.echo("Still serving the last good site; fix the problem and save again.")
            return False
        self.settings = settings
        self.echo(report.summary_line())
        mount = mount_path(settings.config.base_url)
        if mount != self.mount:
            self.previous_mounts = [m for m in [*self.previous_mounts, self.mount] if m != mount]
            self.mount = mount
            self.url = self.url[: self.url.index("/", len("http://"))] + mount if self.url else ""
            self.echo(f"base_url changed: now serving {self.url or mount} (old addresses redirect there)")
        return True

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
        future = asyncio.get_running_loop().run_in_executor(self.executor, self.build_once)
        future.add_done_callback(self._rebuilt)

    def _rebuilt(self, future: asyncio.Future) -> None:
        self.building = False
        if not future.cancelled() and future.result():
            LiveReloadHandler.reload_waiters(self.mount)

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
        self.echo(f"Watching {', '.join(str(p) for p in self.watcher._tasks)} for changes")
        try:
            while not self.stopped.is_set():
                self.check_for_changes()
                await asyncio.sleep(self.poll)
        finally:
            server.stop()
            await server.close_all_connections()

    def close(self) -> None:
        self.stopped.set()
        self.executor.shutdown(wait=True, cancel_futures=True)
        if self.temporary is not None:
            shutil.rmtree(self.temporary, ignore_errors=True)


def serve(
    settings: Settings,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    open_browser: bool = False,
    into_output: bool = False,
    settle: float = SETTLE_SECONDS,
) -> None:
    """Build the site, serve it on http://host:port/ and rebuild on change, until Ctrl-C.

    host: 127.0.0.1 unless asked otherwise; port 0 picks a free port (the URL printed names it).
    open_browser: open the printed URL in the default browser. into_output: build into the output
    folder instead of a temporary one. settle: seconds without change before a rebuild starts.
    The first build must succeed (its error is raised); later failed rebuilds only print theirs.
    """
    server = DevServer(settings, host=host, port=port, into_output=into_output, settle=settle)
    try:
        from builder.build import build

        server.echo(build(server.settings).summary_line())
        if open_browser:
            threading.Timer(0.5, lambda: server.url and webbrowser.open(server.url)).start()
        asyncio.run(server.run())
        server.echo("Stopped.")
    except KeyboardInterrupt:
        server.echo("Stopped.")
    finally:
        server.close()
