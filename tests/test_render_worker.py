"""A cold render on two processes (builder/render_worker.py): the pages, their order, the page keys and the search
index of one process, whatever share of the units the worker makes; the next edit's build as after one process;
a worker that dies or fails stops the build with a message and leaves the output as it was."""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import pytest

from builder import render, render_worker
from builder.build import build
from builder.config import Config, Paths, Settings
from builder.errors import TemplateError
from builder.page_keys import keys_file
from tests.test_build_e2e import files_of

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
NEWS_FILES = 40  # of news-2016, spread over the year, beside the project's seeds
SENTENCE = "\n\nBarack Obama said on Tuesday that the talks with Angela Merkel would go on in Berlin.\n"


@pytest.fixture(scope="module")
def corpus(shared_data: Path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    news = sorted(path for path in (shared_data / "news-2016").iterdir() if path.is_file())
    for path in news[:: max(1, len(news) // NEWS_FILES)][:NEWS_FILES]:
        shutil.copy2(path, folder / path.name)
    for path in SEEDS.iterdir():
        if path.is_file():
            shutil.copy2(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """One analysis cache for the module's builds (each output folder has page keys of its own in it)."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def one_process(corpus: Path, cache: Path, tmp_path_factory) -> Path:
    """The corpus built cold in one process: the output every other build here is compared with."""
    project = tmp_path_factory.mktemp("one")
    build(settings(project, corpus, cache, jobs=1))
    return project / "output"


@pytest.fixture
def split_everything(monkeypatch):
    """The worker is used on any site (not only from render_worker.MIN_UNITS units); the units (and their pages'
    paths) the builder took from it."""
    monkeypatch.setattr(render_worker, "MIN_UNITS", 0)
    taken = []
    original = render_worker.RenderSplit.pages

    def pages(self, unit):
        found = original(self, unit)
        taken.append((unit, [page.path for page in found]))
        return found

    monkeypatch.setattr(render_worker.RenderSplit, "pages", pages)
    return taken


def settings(project: Path, seeds: Path, cache: Path, jobs: int, output: Path | None = None) -> Settings:
    return Settings(config=Config(), paths=Paths.from_project(project, seeds=seeds, cache=cache, output=output),
                    jobs=jobs)


def recorded_keys(project: Path, cache: Path) -> dict:
    """The page keys a build recorded for project/output, without what names the output's marker."""
    paths = Paths.from_project(project, cache=cache)
    recorded = json.loads(keys_file(paths).read_text(encoding="utf-8"))
    return {name: value for name, value in recorded.items() if name != "fingerprint"}


@pytest.mark.parametrize("share", [50, 100])
def test_two_processes_make_the_pages_of_one(corpus, cache, one_process, split_everything, monkeypatch, tmp_path,
                                             share):
    monkeypatch.setattr(render_worker, "WORKER_SHARE", share)
    report = build(settings(tmp_path, corpus, cache, jobs=2))
    assert len(split_everything) > 100  # (the worker made the pages of that many units)
    first, second = files_of(one_process), files_of(tmp_path / "output")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert report.write.written == len(second) - 1  # (every file but the marker; no page twice)
    assert recorded_keys(tmp_path, cache) == recorded_keys(one_process.parent, cache)


def test_the_next_edit_after_two_processes(corpus, cache, split_everything, tmp_path):
    """The page keys recorded by a two-process build serve the next build as those of one process do: an edit
    renders only what it changed, and its output is a cold build's."""
    seeds = tmp_path / "seeds"
    shutil.copytree(corpus, seeds)
    build(settings(tmp_path, seeds, cache, jobs=2))
    assert split_everything
    edited = next(path for path in sorted(seeds.iterdir()) if "2016-0" in path.name)
    with edited.open("a", encoding="utf-8") as handle:
        handle.write(SENTENCE)
    taken = len(split_everything)
    report = build(settings(tmp_path, seeds, cache, jobs=2))
    assert len(split_everything) == taken  # (pages were kept: no worker for an edit)
    assert report.write.not_rendered > 0.8 * report.write.pages
    cold = tmp_path / "cold"
    build(settings(cold, seeds, cache, jobs=1))
    first, second = files_of(cold / "output"), files_of(tmp_path / "output")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_a_worker_that_dies_stops_the_build(corpus, cache, one_process, split_everything, monkeypatch, tmp_path):
    """Killed half-way (as the system's out-of-memory killer would): the build fails with a message naming the
    worker and the signal, the output is the previous build's, file for file, and no worker process is left."""
    project = tmp_path / "project"
    build(settings(project, corpus, cache, jobs=1))
    before = {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in (project / "output").rglob("*")
              if path.is_file()}
    keys_file(Paths.from_project(project, cache=cache)).unlink()  # (the next build renders every page again)
    original = render._worker_pages
    workers = []

    def dying(renderer, site, modules, send):
        workers.append(os.getpid())
        sent = []

        def send_then_die(unit, pages):
            send(unit, pages)
            sent.append(unit)
            if len(sent) == 30:
                os.kill(os.getpid(), signal.SIGKILL)

        original(renderer, site, modules, send_then_die)

    monkeypatch.setattr(render, "_worker_pages", dying)
    with pytest.raises(render_worker.WorkerFailed, match=r"render worker \(process \d+\) stopped .*(SIGKILL)"):
        build(settings(project, corpus, cache, jobs=2))
    after = {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in (project / "output").rglob("*")
             if path.is_file()}
    assert after == before
    assert split_everything  # (the builder took some of its units before it died)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # (no child left: the worker was waited for)


def test_an_error_in_the_worker_is_the_error_of_one_process(corpus, cache, split_everything, monkeypatch, tmp_path):
    """A template that fails on a page the worker makes: the build stops with the message one process gives."""
    monkeypatch.setattr(render_worker, "WORKER_SHARE", 100)
    messages = []
    for jobs in (1, 2):
        project = tmp_path / f"jobs-{jobs}"
        (project / "templates").mkdir(parents=True)
        (project / "templates" / "event.html").write_text("{% extends 'base.html' %}{% block content %}"
                                                          "{{ event.label.no_such_thing() }}{% endblock %}")
        with pytest.raises(TemplateError) as failure:
            build(settings(project, corpus, cache, jobs=jobs))
        messages.append(str(failure.value).replace(str(project), "PROJECT"))
        assert not (project / "output").exists()
    assert messages[0] == messages[1]
    assert split_everything  # (the builder took the worker's pages until the error)


def test_the_worker_makes_only_its_units(corpus, cache, split_everything, monkeypatch, tmp_path):
    """In the worker, the pages of no unit (home, indexes…) and of the builder's units are never made: every page it
    makes is one the builder takes from it."""
    made = tmp_path / "made-in-worker.txt"
    original = render.PageRenderer.page
    builder = os.getpid()

    def page(self, path, template, **context):
        found = original(self, path, template, **context)
        if os.getpid() != builder and found.content:
            with made.open("a", encoding="utf-8") as handle:
                handle.write(path + "\n")
        return found

    monkeypatch.setattr(render.PageRenderer, "page", page)
    build(settings(tmp_path, corpus, cache, jobs=2))
    taken = [path for _, paths in split_everything for path in paths]
    assert sorted(made.read_text(encoding="utf-8").split()) == sorted(taken)
    assert "index.html" not in taken
