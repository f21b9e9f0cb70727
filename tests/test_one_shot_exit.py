"""`build-site build` as a process (builder.cli.run): the site it made is left to the exit, not freed object by
object, and the exit still runs the exit handlers and flushes what the command printed."""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from builder import cli
from builder.build import build
from builder.config import Config, Paths, Settings
from builder.model import Site

ROOT = Path(__file__).resolve().parent.parent
BODIES = (
    "Angela Merkel met Emmanuel Macron in Berlin on Tuesday to talk about the European Union budget. "
    "Merkel said the European Union would agree on the budget by Friday.",
    "Storms closed the port of Rotterdam for two days, and the Dutch government sent army trucks to clear "
    "the flooded roads. Mark Rutte visited the harbour on Sunday.",
)


def _project(folder: Path) -> Path:
    seeds = folder / "seeds"
    seeds.mkdir(parents=True)
    for day, body in enumerate(BODIES, 1):
        (seeds / f"story-{day}.md").write_text(f'---\ntitle: "Story {day}"\ndate: 2016-03-0{day}\n---\n\n{body}\n')
    return folder


class Exited(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@pytest.fixture
def one_shot(monkeypatch):
    """cli.run in this process, its os._exit raising Exited instead (and what it left cleared after)."""
    def fake_exit(code: int) -> None:
        raise Exited(code)

    monkeypatch.setattr(os, "_exit", fake_exit)
    # (this process's exit handlers are pytest's and earlier tests': run now they would close its streams; the
    # last test runs the real ones, in a process of its own)
    monkeypatch.setattr(atexit, "_run_exitfuncs", lambda: None)
    monkeypatch.setattr(cli, "_LEFT_FOR_THE_EXIT", [])
    monkeypatch.setattr(cli, "_ONE_SHOT", False)
    # (threads earlier tests of the suite left running are not this command's: only those started since count)
    alive_before, active_count = threading.active_count(), threading.active_count
    monkeypatch.setattr(threading, "active_count", lambda: active_count() - alive_before + 1)
    return monkeypatch


def test_a_build_leaves_its_site_in_the_list_it_is_given(tmp_path):
    left: list = []
    report = build(Settings(config=Config(), paths=Paths.from_project(_project(tmp_path)), jobs=1), leave=left)
    assert report.articles_built == 2
    assert len(left) == 1 and isinstance(left[0][0], Site) and len(left[0][0].articles) == 2


def test_the_command_exits_at_once_after_a_build_leaving_the_site(tmp_path, one_shot, capsys):
    one_shot.setattr(sys, "argv", ["build-site", "--project", str(_project(tmp_path))])
    with pytest.raises(Exited) as exited:
        cli.run()
    assert exited.value.code == 0
    assert any(isinstance(held, Site) for left in cli._LEFT_FOR_THE_EXIT for held in left)
    assert "2 articles built" in capsys.readouterr().out


def test_with_another_thread_still_running_the_command_exits_the_ordinary_way(tmp_path, one_shot):
    one_shot.setattr(sys, "argv", ["build-site", "--project", str(_project(tmp_path))])
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        with pytest.raises(SystemExit) as exited:
            cli.run()
    finally:
        release.set()
        other.join()
    assert exited.value.code == 0


def test_a_failed_build_exits_the_ordinary_way_with_its_code(tmp_path, one_shot, capsys):
    project = _project(tmp_path)
    (project / "seeds" / "empty.md").write_text("")
    one_shot.setattr(sys, "argv", ["build-site", "--project", str(project), "--strict"])
    with pytest.raises(SystemExit) as exited:
        cli.run()
    assert exited.value.code == 1 and cli._LEFT_FOR_THE_EXIT == []
    assert "--strict" in capsys.readouterr().err


def test_the_process_runs_its_exit_handlers_and_prints_everything_through_a_pipe(tmp_path):
    project = _project(tmp_path / "project")
    handled = tmp_path / "exit-handler-ran"
    # (an exit handler's print comes after the command's last flush: the exit must flush it)
    script = (f"import atexit, pathlib, sys; atexit.register(pathlib.Path({str(handled)!r}).touch); "
              "atexit.register(print, 'exit handler ran'); "
              f"sys.argv = ['build-site', '--project', {str(project)!r}, '-v']; import builder.cli; builder.cli.run()")
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          env={**environment, "PYTHONPATH": str(ROOT)}, timeout=600)
    assert done.returncode == 0, done.stderr
    assert handled.exists()
    assert done.stdout.endswith("in a browser.\nexit handler ran\n") and "2 articles built" in done.stdout
    assert "  render" in done.stderr
    assert (project / "output" / "index.html").exists()
