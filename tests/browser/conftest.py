"""Browser fixtures: Debian's Chromium driven by Playwright, a site built once, static and dev servers.

Chromium: `apt-get install chromium` (Playwright's own browser download is never used; ./scripts/test
installs it). Without it the browser tests fail: they are never skipped.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.config import Paths, Settings, load_config

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("BUILD_SITE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
ARTIFACTS = REPO / "artifacts" / "screenshots"
SUB_PATH = "/digest/"
TIMEOUT_MS = 20_000


def _build(project: Path, output: Path, cache: Path, base_url: str | None = None) -> Settings:
    """Build `project` (its seeds/, site/, templates/) into `output` the way `build-site` does."""
    from builder.build import build

    paths = Paths.from_project(project, output=output, cache=cache)
    settings = Settings(config=load_config(paths.site, {"base_url": base_url}), paths=paths, jobs=1)
    build(settings)
    if not (output / "search.html").is_file() or not (output / "pagefind").is_dir():
        _add_search(settings)
    return settings


def _add_search(settings: Settings) -> None:
    """Stop-gap until render_site() plans builder.search and build() indexes with it: do both here."""
    from builder import search
    from builder.build import analyse_all
    from builder.link import link_site
    from builder.read import read_seeds
    from builder.render import PageRenderer, render_site
    from builder.write import write_site

    sources, problems = read_seeds(settings.paths.seeds)
    articles, more = analyse_all(sources, settings)
    site = link_site(articles, problems + more, settings.config)
    pages = render_site(site, settings)
    planned = {page.path for page in pages}
    pages += [page for page in search.plan(PageRenderer(site, settings), site) if page.path not in planned]
    write_site(pages, settings.paths, finish_staging=search.index_site)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The seed articles built once, with search, into a temporary folder."""
    root = tmp_path_factory.mktemp("browser-site")
    output = root / "site"
    _build(REPO, output, root / "cache", base_url="https://example.org/digest/")
    return output


class _SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site folder under SUB_PATH only, like GitHub Pages serves a project site."""

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if not clean.startswith(SUB_PATH):
            return str(Path(self.directory) / ".not-found")
        return super().translate_path("/" + clean[len(SUB_PATH):])

    def log_message(self, format, *args):  # quiet
        pass


@pytest.fixture(scope="session")
def static_server(built_site: Path) -> Iterator[str]:
    """http://127.0.0.1:<free port>/digest/ serving the built site (plain static files, no live reload)."""
    handler = functools.partial(_SubPathHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{SUB_PATH}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        # Never a skip: ./scripts/test installs Debian's Chromium, so a missing browser is a real failure.
        pytest.fail(f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium; ./scripts/test does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclasses.dataclass
class Watched:
    """A page whose console errors, failed requests and HTTP errors are collected."""

    page: object
    errors: list[str] = dataclasses.field(default_factory=list)

    def assert_clean(self) -> None:
        assert not self.errors, "browser reported problems:\n" + "\n".join(self.errors)


@pytest.fixture
def watched(browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    result = Watched(page)
    page.on("console", lambda m: m.type == "error" and result.errors.append(f"console: {m.text} ({m.location})"))
    page.on("pageerror", lambda e: result.errors.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: result.errors.append(f"request failed: {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and result.errors.append(f"HTTP {r.status}: {r.url}"))
    yield result
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def copy_project(destination: Path) -> Path:
    """A project of its own (seeds, site config) that a test may edit."""
    shutil.copytree(REPO / "seeds", destination / "seeds")
    shutil.copytree(REPO / "site", destination / "site")
    return destination


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def served_folder():
    """serve(folder) → http://127.0.0.1:<free port>/ serving `folder` at the root (plain static files)."""
    servers = []

    def serve(folder: Path) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()
