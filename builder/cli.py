"""The `build-site` command: build (the default), serve, clean."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import click

from builder import __version__
from builder.config import Paths, Settings, load_config
from builder.errors import BuildError


def _paths(project: Path, **folders) -> Paths:
    try:
        return Paths.from_project(project, **folders)
    except RuntimeError as exc:  # pathlib's resolve() meeting a symbolic link that leads back to itself
        raise BuildError(f"{exc}: a symbolic link that leads back to itself; fix or remove it") from None


def usable_cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _analysis_processes(jobs: int | None) -> int:
    """`--jobs`, or every usable core; more processes than cores only share them and each holds the model."""
    cores = usable_cores()
    if jobs is None:
        return cores
    if jobs > cores:
        click.echo(f"Note: --jobs {jobs} is more than the {cores} usable cores: analysing on {cores} processes.",
                   err=True)
        return cores
    return jobs


def _settings(project: Path, seeds, output, cache, base_url, strict, jobs) -> Settings:
    paths = _paths(project, seeds=seeds, output=output, cache=cache)
    overrides = {"base_url": base_url}  # kept: `serve` reloads site/config.toml with them on each rebuild
    config = load_config(paths.site, overrides)
    return Settings(config=config, paths=paths, strict=strict, jobs=_analysis_processes(jobs), overrides=overrides)


def _common_options(function):
    options = [
        click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=".",
                     show_default=True,
                     help="Project folder holding site/ (config, static files, rules) and templates/."),
        click.option("--seeds", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Folder of articles to read (.txt, .md, .html). Default: PROJECT/seeds."),
        click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Folder to write the site to; it is replaced whole. Default: PROJECT/output."),
        click.option("--cache", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Analysis cache folder. Default: PROJECT/.cache/build-site."),
        click.option("--base-url", default=None,
                     help="Public address of the site (e.g. https://me.github.io/repo/), "
                          "used for feeds, sitemap and canonical links. Overrides site/config.toml."),
        click.option("--strict", is_flag=True,
                     help="Fail (exit 1) if any input file has a problem, instead of skipping it."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                     help="Processes for article analysis. Default and maximum: the usable cores."),
        click.option("--verbose", "-v", is_flag=True, help="Also print each stage's timing."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s: %(message)s",
        stream=sys.stderr,
    )


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="build-site")
@_common_options
@click.pass_context
def main(ctx, project, seeds, output, cache, base_url, strict, jobs, verbose):
    """Build a cross-linked static news site from a folder of articles.

    Without a sub-command, builds the site: reads every article in the seeds
    folder, cleans and analyses it, links articles, actors and events, and writes
    the site to the output folder (open output/index.html in a browser).
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(build_command, project=project, seeds=seeds, output=output, cache=cache,
                   base_url=base_url, strict=strict, jobs=jobs, verbose=verbose)
    else:  # `build-site --output X serve` means the same as `build-site serve --output X`
        given = {name: value for name, value in ctx.params.items()
                 if ctx.get_parameter_source(name) != click.core.ParameterSource.DEFAULT}
        command = main.get_command(ctx, ctx.invoked_subcommand)
        accepted = {param.name for param in command.params}
        unused = sorted(set(given) - accepted)
        if unused:
            options = ", ".join("--" + name.replace("_", "-") for name in unused)
            raise click.UsageError(f"{options} does not apply to `{ctx.invoked_subcommand}`", ctx)
        ctx.default_map = {ctx.invoked_subcommand: {k: v for k, v in given.items() if k in accepted}}


@main.command("build")
@_common_options
def build_command(project, seeds, output, cache, base_url, strict, jobs, verbose):
    """Build the site once (the default command)."""
    from builder.build import build

    _configure_logging(verbose)
    settings = _settings(project, seeds, output, cache, base_url, strict, jobs)
    progress = _terminal_progress()
    try:
        with _system_errors_told():
            report = build(settings, progress=progress, leave=_LEFT_FOR_THE_EXIT if _ONE_SHOT else None)
    finally:
        if progress is not None:
            sys.stderr.write("\r\033[K")  # the status line gives way to the report
    report_problems(report.problems)
    if verbose:
        for stage, seconds in report.stage_seconds.items():
            click.echo(f"  {stage:<14} {seconds:6.2f} s", err=True)
        if not report.up_to_date:
            words = f", words index {report.search_words}" if report.search_words else ""
            click.echo(f"  search index: {report.search_runs} Pagefind runs, "
                       f"{report.search_reused} shards reused{words}", err=True)
    click.echo(report.summary_line())
    click.echo(f"Open {settings.paths.output / 'index.html'} in a browser.")


# `run`: this process ends when the command does (not a test calling `main`, not `serve` still serving)
_ONE_SHOT = False
_LEFT_FOR_THE_EXIT: list = []  # what a build left in memory for the exit (`build(leave=)`)


def run() -> None:
    """The process's entry point (`build-site`, `python -m builder`): `main`, then, after a build, the exit without
    the interpreter freeing the site it made object by object (at 10,000 articles ~0.4 s of CPU for the ~3
    million objects of the site, the page keys and the modules: bench/RESULTS-scale.md, session 18).  The exit
    handlers still run (logging's flush, the analysis workers' cleanup) and the output is flushed; with another
    thread still running, or no build done, the ordinary exit."""
    global _ONE_SHOT
    _ONE_SHOT = True
    try:
        main()  # (standalone: ends with SystemExit, its code the command's)
    except SystemExit as done:
        code = done.code
        if not _LEFT_FOR_THE_EXIT or not (code is None or isinstance(code, int)) or threading.active_count() > 1:
            raise
    else:
        code = 0
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # (a closed pipe: the ordinary exit would not have told more)
            stream.flush()
    os._exit(code or 0)


@contextmanager
def _system_errors_told() -> Iterator[None]:
    """A disk or folder that fails the build (full, read-only, taken away) is told in one line naming the
    file, not a traceback. The new site is swapped in whole or not at all, so the output stays a whole site."""
    try:
        yield
    except OSError as exc:
        where = f": {exc.filename}" if isinstance(exc.filename, str) else ""
        raise BuildError(f"the build stopped: {exc.strerror or exc}{where}") from None


def _terminal_progress():
    """On a terminal, one status line that each stage overwrites; elsewhere (logs, CI) nothing."""
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()

    def show(stage: str) -> None:
        sys.stderr.write(f"\r\033[K[{time.monotonic() - started:5.1f} s] {stage}…")
        sys.stderr.flush()
    return show


# Past this many files with the same kind of problem, the rest are counted, not listed.
PROBLEMS_LISTED_PER_KIND = 10


def report_problems(problems) -> None:
    """Name every bad file once; collapse long runs of the same problem (Pelican's LimitFilter)."""
    for line in problem_lines(problems):
        click.echo(line, err=True)


def problem_lines(problems) -> Iterator[str]:
    """The lines that name the bad files (`build` and each build of `serve` print them)."""
    shown: dict[str, int] = {}
    for problem in problems:
        shown[problem.kind] = shown.get(problem.kind, 0) + 1
        if shown[problem.kind] <= PROBLEMS_LISTED_PER_KIND:
            label = "skipped" if problem.skipped else "note"
            yield f"{label}: {problem}"
    for kind, count in sorted(shown.items()):
        if count > PROBLEMS_LISTED_PER_KIND:
            yield f"… and {count - PROBLEMS_LISTED_PER_KIND} more files: {kind}"


@main.command("serve")
@_common_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Only this machine can reach 127.0.0.1; 0.0.0.0 opens it to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port; the address printed names it).")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in the default browser.")
@click.option("--into-output", is_flag=True,
              help="Build into the output folder too (default: a temporary folder, so output/ stays as it was).")
def serve_command(project, seeds, output, cache, base_url, strict, jobs, verbose, host, port, open_browser,
                  into_output):
    """Build, serve the site on http://127.0.0.1:8000/ and rebuild when an article, template or setting changes.

    Pages open in the browser reload by themselves after each rebuild; the search index catches up just after,
    in the background. Ctrl-C stops the server.
    """
    from builder.serve import serve

    _configure_logging(verbose)
    settings = _settings(project, seeds, output, cache, base_url, strict, jobs)
    serve(settings, host=host, port=port, open_browser=open_browser, into_output=into_output)


@main.command("clean")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="Project folder.")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Cache folder to empty. Default: PROJECT/.cache/build-site.")
def clean_command(project, cache):
    """Empty the analysis cache (the next build analyses every article again)."""
    paths = _paths(project, cache=cache)
    _check_cache_can_be_emptied(paths, project.resolve())
    if paths.cache.is_dir():
        shutil.rmtree(paths.cache)
    click.echo(f"Emptied {paths.cache}")


def _check_cache_can_be_emptied(paths: Paths, project: Path) -> None:
    """Refuse to empty a --cache that holds the user's own folders (`--cache .` would take the project)."""
    cache = paths.cache
    if cache == Path(cache.anchor):
        raise BuildError(f"refusing to empty the root folder {cache}: give --cache the analysis cache folder")
    folders = {"the project folder": project, "the seeds folder": paths.seeds, "the site folder": paths.site,
               "the templates folder": paths.templates, "the output folder": paths.output,
               "your home folder": Path.home().resolve()}
    for label, folder in folders.items():
        if folder.is_relative_to(cache):
            raise BuildError(f"refusing to empty {cache}: it holds {label} {folder}. "
                             f"Give --cache the analysis cache folder.")
