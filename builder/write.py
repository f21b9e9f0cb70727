"""Write the planned pages: atomically, only inside the output folder, never twice.

The new site is assembled in a temporary sibling folder, then swapped with the
output folder in one step (Linux `renameat2(RENAME_EXCHANGE)`), so at every
moment the output path holds a complete site.  Pages whose bytes did not change
are hard-linked from the previous site, keeping their modification time.

The sibling is kept after the swap: it then holds the previous generation of the site, whose files are
the output's own (hard links) except where the build wrote or removed a page.  Those paths are recorded
in the cache folder (`SpareRecord`), and the next build turns the sibling into its new site by patching
only them and what it changes itself, then swaps again: an edit's write costs what changed, not the site
(`PatchedSpare`).  The record is removed before the sibling is touched and written again only once it is
exact (after the next swap), so an interrupted build leaves none, and any doubt (no record, another
output, a file added or removed in either folder by hand: their folders' times) means a fresh staging
folder (`FreshStaging`), today's O(site) path.  Nothing is ever written into an existing file of the
sibling: it may be the output's own.

A site may be written with its search index pending (`build-site serve`: the previous site's index
stands in until builder.search_catchup made the new one): its marker says so (`search: pending`), so
it is never taken as up to date, and `complete_site` swaps the new index in, in one step as well.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import hashlib
import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from builder.config import Paths
from builder.errors import BuildError, UnsafeOutputError
from builder.model import KeptPage, OutputPage

MARKER = ".build-site"
MARKER_TEXT = b"This folder is written by build-site; it replaces the folder's whole content on each build.\n"
SEARCH_PENDING = "pending"  # the marker's `search:` while the site's search index is an older site's


@dataclass
class KeptRun:
    """Kept pages one after the other, as one item (builder.page_keys, `PageKeys(runs=True)`): the pages of the
    units whose keys were recalled in a row, handed to the writer and the search index whole.  An edit at 10k
    keeps ~58,000 pages of ~57,000 units in a few dozen runs: each page as its own `KeptPage` cost its item's
    way through the page generators, the writer's loop and the search planner.  (Here, not in builder.model:
    model.py is in the analysis cache's key.)"""

    # each page's previous file, in the order made: (path, size, modification time (ns), search entry or None),
    # as `KeptPage`'s path, state and search
    files: list[tuple[str, int, int, str | None]]
    paths: list[str]  # each one's path (the first of its file's fields)
    content = None  # (no bytes: like a KeptPage not rendered again)

    def pages(self) -> list[KeptPage]:
        """The run as one `KeptPage` each."""
        return [KeptPage(path, state=(size, mtime), search=search) for path, size, mtime, search in self.files]


@dataclass
class WriteReport:
    written: int = 0  # pages whose bytes are new or changed
    unchanged: int = 0  # pages kept as they were (same file, same modification time)
    deleted: int = 0  # pages of the previous site that are gone
    not_rendered: int = 0  # of the unchanged: pages whose inputs had not changed, kept without rendering
    pages: int = 0  # the pages handed to the writer (written or unchanged; the files finish_staging adds aside)
    marker: bytes = b""  # the marker written into the new site (what names it: fingerprint, folders' times)
    patched: bool = False  # made from the previous generation left beside the output (PatchedSpare), not anew


def temporary_sibling(output: Path) -> Path:
    return output.parent / f".{output.name}.build-site-tmp"


def check_output_is_safe(paths: Paths) -> None:
    """Refuse output folders where a build could destroy something of the user's."""
    output = paths.output.resolve()
    seeds = paths.seeds.resolve()
    home = Path.home().resolve()
    if output == Path(output.anchor):
        raise UnsafeOutputError(f"refusing to write the site to the root folder {output}")
    if output == home:
        raise UnsafeOutputError(f"refusing to write the site to your home folder {output}")
    if output == seeds or seeds.is_relative_to(output):
        raise UnsafeOutputError(
            f"refusing to write the site to {output}: it holds the seeds folder {seeds}"
        )
    if output.is_relative_to(seeds):
        raise UnsafeOutputError(
            f"refusing to write the site to {output}: it is inside the seeds folder {seeds}"
        )
    for folder in (paths.site, paths.templates):
        folder = folder.resolve()
        if output == folder or folder.is_relative_to(output):
            raise UnsafeOutputError(f"refusing to write the site to {output}: it holds {folder}")
        if output.is_relative_to(folder):  # (site/static/: each build would copy the previous site into the next)
            raise UnsafeOutputError(f"refusing to write the site to {output}: it is inside {folder}")
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise UnsafeOutputError(f"refusing to write the site to {output}: it is not a folder")
    _check_cache_is_apart(output, paths.cache.resolve())
    _check_sibling_is_ours(output)
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).is_file():
        raise UnsafeOutputError(
            f"refusing to write the site to {output}: the folder is not empty and was not "
            f"made by build-site (no {MARKER} file in it). Choose another --output, or empty it."
        )


def _check_cache_is_apart(output: Path, cache: Path) -> None:
    """The cache must not lie in the output or its sibling: each build swaps those two folders, taking the
    cache away with the old site."""
    for folder in (output, temporary_sibling(output)):
        if cache.is_relative_to(folder):
            where = "" if cache == folder else "inside "
            raise UnsafeOutputError(
                f"refusing to write the site to {output}: the cache folder {cache} is {where}{folder}, which "
                f"each build replaces. Give --cache a folder outside it."
            )


def _check_sibling_is_ours(output: Path) -> None:
    """The sibling is the builder's own folder; a file or a link of that name is someone else's: not removed."""
    sibling = temporary_sibling(output)
    if sibling.is_symlink() or (sibling.exists() and not sibling.is_dir()):
        raise UnsafeOutputError(
            f"refusing to write the site to {output}: {sibling} is in the way (the builder keeps the previous "
            f"site in a folder of that name, but it is a {'link' if sibling.is_symlink() else 'file'}). "
            f"Move it away."
        )


@contextmanager
def output_lock(paths: Paths):
    """One build at a time per output folder; a second build waits for the first."""
    paths.cache.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(str(paths.output.resolve()).encode()).hexdigest()[:16]
    with open(paths.cache / f"output-{name}.lock", "a") as handle:  # (never truncates: it holds nothing)
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _safe_relative(path: str) -> str:
    """`path` as a normalised relative POSIX path ("a/b.html"), or an error if it would leave the folder."""
    parts = path.split("/")
    if "" in parts or "." in parts or ".." in parts:  # (rare: planned paths are already normal)
        relative = PurePosixPath(path)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise BuildError(f"internal error: page path {path!r} would leave the output folder")
        return relative.as_posix()
    return path


def _relative_files(folder: Path) -> Iterator[str]:
    """The files under `folder`, as POSIX paths relative to it (os.walk: pathlib costs seconds at 10k)."""
    root = os.fspath(folder)
    for where, _, names in os.walk(root):
        prefix = os.path.relpath(where, root).replace(os.sep, "/")
        for name in names:
            yield name if prefix == "." else f"{prefix}/{name}"


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def _same_bytes(path: str | Path, content: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(content):
            return False
        with open(path, "rb") as handle:
            return handle.read() == content
    except OSError:
        return False


def read_marker(output: Path) -> dict[str, str]:
    try:
        lines = (output / MARKER).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    return dict(line.split(": ", 1) for line in lines[1:] if ": " in line)


def marker_state(output: Path) -> tuple[bytes, int, int] | None:
    """The output's marker as it is now: its bytes, inode number and modification time (ns); None without one.
    Every build writes its own into the site it swaps in, so another build's site has another."""
    try:
        with open(output / MARKER, "rb") as handle:
            found = os.fstat(handle.fileno())
            return handle.read(), found.st_ino, found.st_mtime_ns
    except OSError:
        return None


def _count_files(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


def _files_and_folder_times(folder: Path) -> tuple[int, dict[str, int]]:
    """How many files `folder` holds, and each folder's modification time (ns) by path relative to
    `folder` ("" for itself): a file added to, removed from or renamed in a folder changes its time."""
    files, times = 0, {}
    for where, _, names in os.walk(folder):
        files += len(names)
        times[Path(where).relative_to(folder).as_posix()] = os.stat(where).st_mtime_ns
    times[""] = times.pop(".")
    return files, times


def _folders_unchanged(output: Path, recorded: str) -> bool:
    try:
        times = json.loads(recorded)
        return all(os.stat(output / relative).st_mtime_ns == mtime for relative, mtime in times.items())
    except (OSError, ValueError, TypeError, AttributeError):
        return False


def site_is_current(paths: Paths, fingerprint: str) -> bool:
    """True when the output was built from exactly these inputs and is still complete.

    Complete: no file was added to or removed from it since, which the folders' times tell with a few
    dozen `stat` calls (counting the files of a 10,000-article site took most of a no-change build)."""
    marker = read_marker(paths.output)
    if marker.get("fingerprint") != fingerprint or marker.get("search") == SEARCH_PENDING:
        return False
    if "folders" in marker:
        return _folders_unchanged(paths.output, marker["folders"])
    return marker.get("files") == str(_count_files(paths.output))


def site_article_count(paths: Paths) -> int:
    return int(read_marker(paths.output).get("articles", "0"))


def write_site(
    pages: Iterable[OutputPage | KeptPage],
    paths: Paths,
    finish_staging: Callable[[Path], None] | None = None,
    page_written: Callable[[Path, str, bytes | None, str | None], None] | None = None,
    fingerprint: str = "",
    article_count: int = 0,
    search_pending: bool = False,
    finish_folder: str | None = None,
    kept_from: tuple[bytes, int, int] | None = None,
    pages_kept: Callable[[Path, list[str], list[str]], None] | None = None,
) -> WriteReport:
    """Write `pages` as the new site; `finish_staging(folder)` may add files (a search index) before the swap.
    `search_pending`: the search index it adds is not this site's yet (the marker says so; `complete_site`).
    `finish_folder`: the one folder (relative) `finish_staging` writes in, made anew each build; only when it
    is named (or there is no `finish_staging`) may the previous generation be patched (module docstring).

    `page_written(folder, path, content, search)` hears of each page once it is in the staging folder (a
    search index can start on the pages written so far while the rest are made): its bytes, or for a kept
    page whose search entry was recorded with its key (`KeptPage.search`), None and that entry.  A
    `KeptPage` (its inputs did not change: builder.page_keys) is its previous file, linked without being
    read, neither for comparison nor for the search index.  `kept_from`: the output's `marker_state` when the
    kept pages' states were taken; while the output still has that marker (checked once, under the lock), no
    build replaced their files since, and each is kept without a `stat` to check its state again.

    A `KeptRun` (kept pages made in a row) is kept whole: its paths checked, counted and recorded at once, only
    those the previous generation lacks linked (`keep_run`), and told to the search index in one call,
    `pages_kept(folder, paths, search entries)`, where there is one and every entry was recorded (else page by
    page, as `KeptPage`s)."""
    check_output_is_safe(paths)
    output = paths.output.resolve()
    staging = temporary_sibling(output)
    report = WriteReport()
    patchable = finish_staging is None or finish_folder is not None
    with output_lock(paths):
        # (another build may have replaced the output since the kept pages' states were taken: it waited for the lock)
        states_hold = kept_from is not None and marker_state(output) == kept_from
        spare = _load_spare(paths, output, staging) if patchable else None
        _forget_spare(paths)  # (from here the sibling changes: an interrupted build leaves no record of it)
        stage: FreshStaging | PatchedSpare = (
            PatchedSpare(staging, spare, json.loads(read_marker(output)["folders"]), finish_folder)
            if spare is not None else FreshStaging(staging))
        report.patched = spare is not None
        seen: set[str] = set()  # normalised relative paths (as str: a path object costs some 300 bytes more)
        page_files: list[str] = []  # the same, in the order written (the next build's record)
        written: list[str] = []
        output_root = os.fspath(output)
        for page in pages:
            if type(page) is KeptRun:
                kept = _keep_run(page, output_root, stage, states_hold, seen, page_files, report)
                if page_written is None:
                    continue
                searches = [file[3] for file in page.files]
                if pages_kept is not None and None not in searches:
                    pages_kept(staging, kept, searches)
                    continue
                for path, search in zip(kept, searches, strict=True):
                    if search is not None:
                        page_written(staging, path, None, search)
                    else:
                        with open(f"{stage.root}/{path}", "rb") as handle:
                            page_written(staging, path, handle.read(), None)
                continue
            relative = _safe_relative(page.path)
            if relative in seen:
                raise BuildError(f"two pages would be written to {page.path}; this is a bug in page planning")
            seen.add(relative)
            page_files.append(relative)
            report.pages += 1
            previous = f"{output_root}/{relative}"
            if isinstance(page, KeptPage):
                content = _keep(previous, relative, page, stage, states_hold)
                report.unchanged += 1
                report.not_rendered += page.content is None
            elif _same_bytes(previous, page.content):
                stage.keep(relative, previous)
                report.unchanged += 1
                content = page.content
            else:
                stage.write(relative, page.content)
                written.append(relative)
                report.written += 1
                content = page.content
            if page_written is None:
                continue
            if content is not None:
                page_written(staging, page.path, content, None)
            elif page.search is not None:  # (kept: what the index takes of it was recorded with its key)
                page_written(staging, page.path, None, page.search)
            else:  # (kept, with no search entry recorded: its bytes read back, far cheaper than making them)
                with open(f"{stage.root}/{relative}", "rb") as handle:
                    page_written(staging, page.path, handle.read(), None)
        added: list[str] = []
        added_gone: list[str] = []  # the previous site's files in finish_folder that this one lacks
        if finish_staging is not None:
            finish_staging(staging)
            if finish_folder is not None:
                added, added_gone = _take_finished(staging, output, finish_folder, seen, report)
            else:
                for relative in sorted(_relative_files(staging)):  # what it added counts like the pages
                    if relative.rpartition("/")[2] != MARKER and relative not in seen:
                        seen.add(relative)
                        added.append(relative)
                        same = _keep_if_same(staging / relative, output / relative)
                        report.unchanged += same
                        report.written += not same
        shutil.rmtree(staging / RETIRED, ignore_errors=True)  # (what finish_staging did not take of it)
        site_folders = _ancestors(page_files) | _ancestors(added)
        gone = stage.remove_gone(output, seen, finish_folder, site_folders) if output.is_dir() else Listing([], {})
        report.deleted = len(gone.files) + len(added_gone)
        # Written last: a site whose marker names a fingerprint is complete. (The marker already exists:
        # rewriting it changes no folder's time.)
        folders = _folder_times(staging, site_folders)
        report.marker = _write_marker(staging, fingerprint, article_count, search_pending,
                                      listing=(len(page_files) + len(added) + 1, folders))
        if not output.is_dir():
            os.rename(staging, output)
            return report
        _swap(staging, output)
        if not patchable:
            shutil.rmtree(staging)
            return report
        previous_folders = stage.output_folders if isinstance(stage, PatchedSpare) else gone.folders
        if _times_unchanged(staging, previous_folders):  # (else a file came or went meanwhile: no record)
            extra = f"{finish_folder}/" if finish_folder is not None else None
            dirty = sorted({*written, *gone.files} if extra is None else
                           {path for path in (*written, *gone.files) if not path.startswith(extra)})
            # (finish_folder is not patched: set aside whole in the spare, finish_staging takes what it can)
            _save_spare(paths, SpareRecord(hashlib.sha256(report.marker).hexdigest(), previous_folders,
                                           page_files, dirty))
    return report


def _swap(staging: Path, output: Path) -> None:
    """Put the staged site in the output's place in one step; the previous site is left in the staging's."""
    if _exchange(staging, output):
        return
    retired = output.parent / f".{output.name}.build-site-old"  # (no renameat2: two renames, and one back)
    shutil.rmtree(retired, ignore_errors=True)
    os.rename(output, retired)
    os.rename(staging, output)
    os.rename(retired, staging)


# A part of a path that `_safe_relative` would not take as it is ("", ".", ".."), between two of "/" and the line
# ends of the paths written one a line.
_UNUSUAL_PART = re.compile(r"[/\n]\.{0,2}[/\n]")


def _keep_run(run: KeptRun, output_root: str, stage: FreshStaging | PatchedSpare, states_hold: bool,
              seen: set[str], page_files: list[str], report: WriteReport) -> list[str]:
    """`_keep` each page of the run, and record it as the writer's loop records a page; its paths.  The paths
    were recorded with the keys by a build that wrote them (normal already: checked at once, each one only if
    some is not), and the kept files' states hold (`states_hold`, the usual): only the pages the staging folder
    lacks are linked (a patched spare already has the output's file of every other)."""
    paths = run.paths
    if _UNUSUAL_PART.search("\n" + "\n".join(paths) + "\n") is not None:
        paths = [_safe_relative(path) for path in paths]
    before = len(seen)
    seen.update(paths)
    if len(seen) != before + len(paths):
        twice = next(path for path, count in Counter(paths).items() if count > 1 or path in page_files)
        raise BuildError(f"two pages would be written to {twice}; this is a bug in page planning")
    page_files += paths
    report.pages += len(paths)
    report.unchanged += len(paths)
    report.not_rendered += len(paths)
    wanted: set[str] | None = None  # (None: every page goes through `_keep`)
    if states_hold and isinstance(stage, PatchedSpare):
        wanted = stage.dirty.intersection(paths)
        if not wanted:
            return paths
    for (_, size, mtime, search), path in zip(run.files, paths, strict=True):
        if wanted is None or path in wanted:
            _keep(f"{output_root}/{path}", path, KeptPage(path, state=(size, mtime), search=search), stage,
                  states_hold)
    return paths


def _keep(previous: str, relative: str, page: KeptPage, stage: FreshStaging | PatchedSpare,
          states_hold: bool = False) -> bytes | None:
    """Keep a kept page's previous file in the new site; a page rendered anyway to verify its key must be
    that file's bytes (returned).  `states_hold`: the output is the one whose files' states the kept pages
    name (`write_site(kept_from=)`), not checked again file by file."""
    if page.content is not None and not _same_bytes(previous, page.content):
        raise BuildError(f"page keys: {page.path} renders different bytes from its previous file, although "
                         "its input key did not change: its key misses an input (a bug in builder/pages)")
    try:
        # Another build may have replaced the output since this one read the keys (it waited for the lock).
        if page.state is not None and not states_hold:
            found = os.stat(previous)
            if (found.st_size, found.st_mtime_ns) != page.state:
                raise FileExistsError(0, "it was replaced")
        stage.keep(relative, previous)
    except OSError as exc:
        raise BuildError(f"{page.path}: the previous file of an unchanged page is gone or was changed "
                         f"({exc.strerror}) while this build ran. Build again.") from None
    return page.content


def _keep_if_same(path: Path, previous: Path) -> bool:
    """A file finish_staging added: True if it is the previous site's (linked from there, or made again with
    the same bytes: then replaced by the previous file, keeping its modification time)."""
    if _same_file(previous, path):  # (linked from the previous site: a reused index shard)
        return True
    if _same_bytes(previous, path.read_bytes()):
        path.unlink()
        os.link(previous, path)
        return True
    return False


def _take_finished(staging: Path, output: Path, finish_folder: str, seen: set[str],
                   report: WriteReport) -> tuple[list[str], list[str]]:
    """Count the files finish_staging wrote in `finish_folder` like the pages (kept: the output's file, or one
    of the same bytes, replaced by it); they and the output's files there that the new site lacks.
    Told apart by the inode numbers the folders' listings give: no `stat` for the tens of thousands of files
    of a search index linked from the output (a wrong inode number would only cost a comparison)."""
    made, _ = _inodes(staging / finish_folder)
    previous, _ = _inodes(output / finish_folder)
    added = []
    for relative, inode in sorted(made.items()):
        path = f"{finish_folder}/{relative}"
        if relative.rpartition("/")[2] == MARKER or path in seen:
            continue
        seen.add(path)
        added.append(path)
        same = previous.get(relative) == inode or (
            relative in previous and _keep_if_same(staging / path, output / path))
        report.unchanged += same
        report.written += not same
    return added, [f"{finish_folder}/{relative}" for relative in previous if relative not in made]


def _inodes(root: Path) -> tuple[dict[str, int], list[str]]:
    """Each file under `root` (relative POSIX path) with its inode number, and each folder ("" for `root`),
    from the folders' listings alone; nothing if `root` is missing."""
    files: dict[str, int] = {}
    folders: list[str] = []
    pending = [""]
    base = os.fspath(root)
    while pending:
        relative = pending.pop()
        try:
            entries = os.scandir(f"{base}/{relative}" if relative else base)
        except FileNotFoundError:
            continue
        folders.append(relative)
        with entries:
            for entry in entries:
                path = f"{relative}/{entry.name}" if relative else entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append(path)
                else:
                    files[path] = entry.inode()
    return files, folders


@dataclass
class Listing:
    files: list[str]  # relative POSIX paths
    folders: dict[str, int]  # each folder, relative ("" the root): its modification time (ns)


def _write_new(path: str, content: bytes) -> None:
    """Create `path` with `content`; never into an existing file (in the spare it may be the output's own)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(descriptor, "wb") as handle:
            handle.write(content)
    except OSError as exc:  # (a full disk: written through a descriptor, the error names no file)
        exc.filename = path
        raise


class FreshStaging:
    """A new staging folder, every page in it: the kept ones hard-linked from the output (O(site))."""

    def __init__(self, staging: Path) -> None:
        if staging.exists():
            shutil.rmtree(staging)  # left over by an interrupted build, or a previous generation not recorded
        staging.mkdir(parents=True)
        (staging / MARKER).write_bytes(MARKER_TEXT)
        self.root = os.fspath(staging)
        self.folders_made: set[str] = {""}  # tens of thousands of pages share a few folders

    def _folder_of(self, relative: str) -> None:
        folder = relative.rpartition("/")[0]
        if folder not in self.folders_made:
            os.makedirs(f"{self.root}/{folder}", exist_ok=True)
            self.folders_made.add(folder)

    def keep(self, relative: str, previous: str) -> None:
        self._folder_of(relative)
        os.link(previous, f"{self.root}/{relative}")

    def write(self, relative: str, content: bytes) -> None:
        self._folder_of(relative)
        _write_new(f"{self.root}/{relative}", content)

    def remove_gone(self, output: Path, seen: set[str], finish_folder: str | None, folders: set[str]) -> Listing:
        """The previous site's pages this one lacks (nothing to remove: they were never staged), and the
        previous site's folders with their times (walked: it becomes the spare)."""
        gone, times = [], {}
        root = os.fspath(output)
        extra = f"{finish_folder}/" if finish_folder is not None else None  # (its files are counted apart)
        for where, _, names in os.walk(root):
            prefix = os.path.relpath(where, root).replace(os.sep, "/")
            times["" if prefix == "." else prefix] = os.stat(where).st_mtime_ns
            for name in names:
                relative = name if prefix == "." else f"{prefix}/{name}"
                if name != MARKER and relative not in seen and (extra is None or not relative.startswith(extra)):
                    gone.append(relative)
        return Listing(gone, times)


class PatchedSpare:
    """The previous generation in the staging folder (`SpareRecord`), made into the new site by changing only
    the recorded paths and what this build changes: a kept page's file there already is the output's."""

    def __init__(self, staging: Path, record: SpareRecord, output_folders: dict[str, int],
                 finish_folder: str | None) -> None:
        self.root = os.fspath(staging)
        self.record = record
        self.dirty = set(record.dirty)
        self.output_folders = output_folders  # (checked unchanged: the folders the spare has after the swap)
        self.folders_made: set[str] = set()
        # the older site's marker goes first: until its last line the staged site names no fingerprint
        (staging / MARKER).unlink(missing_ok=True)
        _write_new(f"{self.root}/{MARKER}", MARKER_TEXT)
        if finish_folder is not None and (staging / finish_folder).exists():
            # made anew by finish_staging, which may take parts of it from here (RETIRED); the rest is removed
            shutil.rmtree(staging / RETIRED, ignore_errors=True)
            (staging / RETIRED).mkdir()
            os.rename(staging / finish_folder, staging / RETIRED / finish_folder)

    def _replace(self, relative: str) -> str:
        target = f"{self.root}/{relative}"
        try:
            os.unlink(target)
        except FileNotFoundError:
            folder = relative.rpartition("/")[0]
            if folder not in self.folders_made:
                os.makedirs(f"{self.root}/{folder}", exist_ok=True)
                self.folders_made.add(folder)
        return target

    def keep(self, relative: str, previous: str) -> None:
        if relative in self.dirty:  # (else the spare's file is the output's already)
            os.link(previous, self._replace(relative))

    def write(self, relative: str, content: bytes) -> None:
        _write_new(self._replace(relative), content)

    def remove_gone(self, output: Path, seen: set[str], finish_folder: str | None, folders: set[str]) -> Listing:
        """Remove the pages the spare holds and this site lacks, and the folders not in `folders` (the new site's);
        the output's pages this site lacks (recorded)."""
        extra = f"{finish_folder}/" if finish_folder is not None else None
        gone = [path for path in self.record.files if path not in seen]
        for relative in {*self.record.files, *self.dirty}.difference(seen):
            if extra is None or not relative.startswith(extra):
                try:
                    os.unlink(f"{self.root}/{relative}")
                except FileNotFoundError:
                    continue
        # Its folders the new site lacks (those it had were recorded, with their times: no other came since).
        for folder in sorted(set(self.record.spare_folders) - folders, key=lambda name: -name.count("/")):
            try:
                os.rmdir(f"{self.root}/{folder}")
            except FileNotFoundError:
                continue
            except OSError:
                raise BuildError(f"internal error: {folder} in {self.root} holds files no build recorded; "
                                 "build again (the folder is then staged anew)") from None
        return Listing(gone, {})


# In the staging folder while a spare is patched: <RETIRED>/<finish_folder> is the spare's finish_folder (an older
# site's search index), set aside for finish_staging to take whole folders from (builder.search); the rest is removed.
RETIRED = ".build-site-retired"


def _ancestors_of_folders(folders: Iterable[str]) -> set[str]:
    """`folders` and every folder above them, relative ("" the root)."""
    found = {""}
    for folder in folders:
        while folder and folder not in found:
            found.add(folder)
            folder = folder.rpartition("/")[0]
    return found


def _ancestors(files: Iterable[str]) -> set[str]:
    """The folders holding `files`, and every folder above them ("" the root)."""
    return _ancestors_of_folders({relative.rpartition("/")[0] for relative in files})


def _folder_times(root: Path, folders: Iterable[str]) -> dict[str, int]:
    base = os.fspath(root)
    return {folder: os.stat(f"{base}/{folder}" if folder else base).st_mtime_ns for folder in sorted(folders)}


def _times_unchanged(root: Path, times: dict[str, int]) -> bool:
    try:
        return bool(times) and all(os.stat(root / folder).st_mtime_ns == mtime for folder, mtime in times.items())
    except (OSError, TypeError, ValueError):
        return False


SPARE_FORMAT = 1


@dataclass
class SpareRecord:
    """The staging folder after a swap: the previous generation of the site, whose files are the output's
    except at `dirty`.  It holds while the output's marker is the one named (`output_marker`, its SHA-256)
    and no file was added to or removed from either folder (their folders' times)."""

    output_marker: str
    spare_folders: dict[str, int]  # the staging folder's folders (it was the output), their times (ns)
    files: list[str]  # the output's pages (not the marker, not finish_staging's folder), in the order written
    dirty: list[str]  # pages the build wrote or removed: the staging folder's file is not the output's


def spare_record_file(paths: Paths) -> Path:
    """Named, like the page keys, after the output's path seen from the cache (a project copied whole keeps it)."""
    where = os.path.relpath(paths.output.resolve(), paths.cache.resolve())
    name = hashlib.sha256(Path(where).as_posix().encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return paths.cache / f"spare-{name}.json"


def _save_spare(paths: Paths, record: SpareRecord) -> None:
    body = json.dumps({"format": SPARE_FORMAT, "output_marker": record.output_marker,
                       "spare_folders": record.spare_folders, "files": "\n".join(record.files),
                       "dirty": "\n".join(record.dirty)}, sort_keys=True)
    target = spare_record_file(paths)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(f"{hashlib.sha256(body.encode()).hexdigest()}\n{body}", encoding="utf-8")
    os.replace(temporary, target)


def _forget_spare(paths: Paths) -> None:
    spare_record_file(paths).unlink(missing_ok=True)


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def _load_spare(paths: Paths, output: Path, staging: Path) -> SpareRecord | None:
    """The record of the staging folder, if it still says exactly what the folder holds; else None."""
    try:
        checksum, body = spare_record_file(paths).read_text(encoding="utf-8").split("\n", 1)
        if hashlib.sha256(body.encode()).hexdigest() != checksum:
            return None
        data = json.loads(body)
        if data["format"] != SPARE_FORMAT:
            return None
        record = SpareRecord(data["output_marker"], dict(data["spare_folders"]), _lines(data["files"]),
                             _lines(data["dirty"]))
        marker = (output / MARKER).read_bytes()
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    if hashlib.sha256(marker).hexdigest() != record.output_marker:
        return None  # (another output: built by another code, or the record is older)
    if not _folders_unchanged(output, read_marker(output).get("folders", "")):
        return None  # (a file was added to or removed from the output by hand)
    if not _times_unchanged(staging, record.spare_folders):
        return None  # (or from the staging folder)
    return record


def _write_marker(folder: Path, fingerprint: str, article_count: int | str, search_pending: bool,
                  listing: tuple[int, dict[str, int]] | None = None) -> bytes:
    """Rewrite `folder`'s marker (in place: no folder's time changes) naming the site it holds; its bytes.
    `listing`: how many files it holds and its folders' times, if known (else `folder` is walked)."""
    files, folder_times = listing if listing is not None else _files_and_folder_times(folder)
    marker = (MARKER_TEXT
              + f"fingerprint: {fingerprint}\narticles: {article_count}\nfiles: {files}\n".encode()
              + f"folders: {json.dumps(folder_times, sort_keys=True)}\n".encode()
              + (f"search: {SEARCH_PENDING}\n".encode() if search_pending else b""))
    (folder / MARKER).write_bytes(marker)
    return marker


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def complete_site(paths: Paths, name: str, folder: Path, marker: bytes) -> bool:
    """Swap `folder` in as the output's `name` (its search index, made after the pages) in one step, and mark
    the site complete; only if the output is still the site whose marker was `marker` (else False, and
    nothing changes: a newer site replaced it). `folder` then holds what it replaced, for the caller to remove."""
    output = paths.output.resolve()
    with output_lock(paths):
        try:
            if (output / MARKER).read_bytes() != marker:
                return False
        except OSError:
            return False
        found = read_marker(output)
        spare = _load_spare(paths, output, temporary_sibling(output))
        _forget_spare(paths)
        target = output / name
        if not target.exists():
            os.rename(folder, target)
            folder.mkdir()
        elif not _exchange(folder, target):
            retired = folder.with_name(folder.name + ".old")
            os.rename(target, retired)
            os.rename(folder, target)
            os.rename(retired, folder)
        marker = _write_marker(output, found.get("fingerprint", ""), found.get("articles", "0"), search_pending=False)
        if spare is not None:  # (still the spare of this site: only its `name` folder changed, made anew each build)
            spare.output_marker = hashlib.sha256(marker).hexdigest()
            _save_spare(paths, spare)
    return True
