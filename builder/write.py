"""Write the planned pages: atomically, only inside the output folder, never twice.

The new site is assembled in a temporary sibling folder, then swapped with the
output folder in one step (Linux `renameat2(RENAME_EXCHANGE)`), so at every
moment the output path holds a complete site.  Pages whose bytes did not change
are hard-linked from the previous site, keeping their modification time.

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
import shutil
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
class WriteReport:
    written: int = 0  # pages whose bytes are new or changed
    unchanged: int = 0  # pages kept as they were (same file, same modification time)
    deleted: int = 0  # pages of the previous site that are gone
    not_rendered: int = 0  # of the unchanged: pages whose inputs had not changed, kept without rendering
    pages: int = 0  # the pages handed to the writer (written or unchanged; the files finish_staging adds aside)
    marker: bytes = b""  # the marker written into the new site (what names it: fingerprint, folders' times)


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
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise UnsafeOutputError(f"refusing to write the site to {output}: it is not a folder")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).is_file():
        raise UnsafeOutputError(
            f"refusing to write the site to {output}: the folder is not empty and was not "
            f"made by build-site (no {MARKER} file in it). Choose another --output, or empty it."
        )


@contextmanager
def output_lock(paths: Paths):
    """One build at a time per output folder; a second build waits for the first."""
    paths.cache.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(str(paths.output.resolve()).encode()).hexdigest()[:16]
    with open(paths.cache / f"output-{name}.lock", "w") as handle:
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


def _keep(previous: str, target: str, page: KeptPage) -> bytes | None:
    """Link a kept page's previous file into the new site; a page rendered anyway to verify its key must be
    that file's bytes (returned)."""
    if page.content is not None and not _same_bytes(previous, page.content):
        raise BuildError(f"page keys: {page.path} renders different bytes from its previous file, although "
                         "its input key did not change: its key misses an input (a bug in builder/pages)")
    try:
        # Another build may have replaced the output since this one read the keys (it waited for the lock).
        if page.state is not None:
            found = os.stat(previous)
            if (found.st_size, found.st_mtime_ns) != page.state:
                raise FileExistsError(0, "it was replaced")
        os.link(previous, target)
    except OSError as exc:
        raise BuildError(f"{page.path}: the previous file of an unchanged page is gone or was changed "
                         f"({exc.strerror}) while this build ran. Build again.") from None
    return page.content


def read_marker(output: Path) -> dict[str, str]:
    try:
        lines = (output / MARKER).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    return dict(line.split(": ", 1) for line in lines[1:] if ": " in line)


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
) -> WriteReport:
    """Write `pages` as the new site; `finish_staging(folder)` may add files (a search index) before the swap.
    `search_pending`: the search index it adds is not this site's yet (the marker says so; `complete_site`).

    `page_written(folder, path, content, search)` hears of each page once it is in the staging folder (a
    search index can start on the pages written so far while the rest are made): its bytes, or for a kept
    page whose search entry was recorded with its key (`KeptPage.search`), None and that entry.  A
    `KeptPage` (its inputs did not change: builder.page_keys) is its previous file, linked without being
    read, neither for comparison nor for the search index."""
    check_output_is_safe(paths)
    output = paths.output.resolve()
    staging = temporary_sibling(output)
    report = WriteReport()
    with output_lock(paths):
        if staging.exists():
            shutil.rmtree(staging)  # left over by an interrupted build
        staging.mkdir(parents=True)
        (staging / MARKER).write_bytes(MARKER_TEXT)
        seen: set[str] = set()  # normalised relative paths (as str: a path object costs some 300 bytes more)
        folders_made: set[str] = {""}  # tens of thousands of pages share a few folders
        staging_root, output_root = os.fspath(staging), os.fspath(output)
        for page in pages:
            relative = _safe_relative(page.path)
            if relative in seen:
                raise BuildError(f"two pages would be written to {page.path}; this is a bug in page planning")
            seen.add(relative)
            report.pages += 1
            folder = relative.rpartition("/")[0]
            if folder not in folders_made:
                os.makedirs(f"{staging_root}/{folder}", exist_ok=True)
                folders_made.add(folder)
            target, previous = f"{staging_root}/{relative}", f"{output_root}/{relative}"
            if isinstance(page, KeptPage):
                content = _keep(previous, target, page)
                report.unchanged += 1
                report.not_rendered += page.content is None
            elif _same_bytes(previous, page.content):
                os.link(previous, target)
                report.unchanged += 1
                content = page.content
            else:
                with open(target, "wb") as handle:
                    handle.write(page.content)
                report.written += 1
                content = page.content
            if page_written is None:
                continue
            if content is not None:
                page_written(staging, page.path, content, None)
            elif page.search is not None:  # (kept: what the index takes of it was recorded with its key)
                page_written(staging, page.path, None, page.search)
            else:  # (kept, with no search entry recorded: its bytes read back, far cheaper than making them)
                with open(target, "rb") as handle:
                    page_written(staging, page.path, handle.read(), None)
        if finish_staging is not None:
            finish_staging(staging)
            for relative in sorted(_relative_files(staging)):  # what it added counts like the pages
                if relative.rpartition("/")[2] != MARKER and relative not in seen:
                    seen.add(relative)
                    path, previous = staging / relative, output / relative
                    if _same_file(previous, path):  # (linked from the previous site: a reused index shard)
                        report.unchanged += 1
                    elif _same_bytes(previous, path.read_bytes()):
                        path.unlink()  # keep the previous file, and with it its modification time
                        os.link(previous, path)
                        report.unchanged += 1
                    else:
                        report.written += 1
        # Written last: a site whose marker names a fingerprint is complete. (The marker already exists:
        # rewriting it changes no folder's time.)
        report.marker = _write_marker(staging, fingerprint, article_count, search_pending)
        if output.is_dir():
            report.deleted = sum(1 for relative in _relative_files(output)
                                 if relative.rpartition("/")[2] != MARKER and relative not in seen)
            if not _exchange(staging, output):
                retired = output.parent / f".{output.name}.build-site-old"
                shutil.rmtree(retired, ignore_errors=True)
                os.rename(output, retired)
                os.rename(staging, output)
                staging = retired
            shutil.rmtree(staging)
        else:
            os.rename(staging, output)
    return report


def _write_marker(folder: Path, fingerprint: str, article_count: int | str, search_pending: bool) -> bytes:
    """Rewrite `folder`'s marker (in place: no folder's time changes) naming the site it holds; its bytes."""
    files, folder_times = _files_and_folder_times(folder)
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
        target = output / name
        if not target.exists():
            os.rename(folder, target)
            folder.mkdir()
        elif not _exchange(folder, target):
            retired = folder.with_name(folder.name + ".old")
            os.rename(target, retired)
            os.rename(folder, target)
            os.rename(retired, folder)
        _write_marker(output, found.get("fingerprint", ""), found.get("articles", "0"), search_pending=False)
    return True
