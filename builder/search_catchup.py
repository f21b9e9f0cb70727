"""The search index brought up to date after the pages, in the background (`build-site serve`).

An edit's pages are written in a few seconds at 10k articles; the search index after them takes a few
more (a Pagefind run over the changed shard, the words index). `serve` does not make the browser wait:

1. `build(settings, defer_search=True)` writes and swaps in the new pages as usual, with the previous
   site's search bundle hard-linked in unchanged (`DeferredIndex`) and the marker saying the index
   is pending (builder.write: such a site is never up to date, so a `build-site build` of it indexes it).
   What the index needs of the pages, each page's search entry in the order written, comes back in
   `BuildReport.pending_search` (a `PendingSearch`); the browser reloads at once, and search answers from
   the previous index, whole and consistent, meanwhile.
2. `SearchCatchUp(pending, paths).run()` then makes the new index exactly as `build` would have
   (`SearchIndex` over the same entries; shards whose pages did not change are reused from the previous
   bundle) and swaps it in (`builder.write.complete_site`): the site is then what `build-site build`
   makes of the same input, byte for byte.

Consistency with newer sites: the catch-up reads the output only under the output lock (the one the writer
holds), and only to hard-link what it needs into a folder of its own (the previous bundle, and the pages of
the shards Pagefind must index again), after checking that the output is still the site it is for (its
marker, byte for byte); it writes the output only under that lock again, after the same check. A catch-up
for a site a newer build replaced meanwhile therefore ends as `superseded`, changing nothing, and its work
never lands anywhere (not in the words cache either: that is keyed by what the shard was indexed from).
`cancel()` (from any thread) stops it at the next step, killing a running Pagefind. `serve` runs one
catch-up at a time and cancels it when a change comes; the newest site's catch-up then follows its build.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from builder.config import Paths
from builder.model import PendingSearch
from builder.search import (
    BUNDLE,
    Cancelled,
    SearchIndex,
    ShardPlanner,
    link_or_copy,
    place_bundle,
    search_entry,
    shard_key,
    spare_bundles,
)
from builder.write import MARKER, complete_site, output_lock


class DeferredIndex:
    """Stands in for `SearchIndex` in a build whose index is made later (`build(defer_search=True)`): keeps each
    written page's search entry in the order written (`entries`, what the catch-up plans its shards from), and
    puts the previous site's bundle, whole, into the new site in its place.

    The bundle is hard-linked (its files are never changed in place: a new index replaces them) in a thread
    started with the first page, while the others are made: at 10k that is 29,000 files, 0.4 s CPU, mostly
    in the kernel, so it takes the second core, not the edit's time. `finish` waits for it. Where the writer
    patches the previous generation, the parts of the bundle that generation's index has are moved whole
    instead (`place_bundle`): then only the shards the last build changed are linked."""

    def __init__(self, previous_site: Path) -> None:
        self.previous_bundle = previous_site / BUNDLE
        self.entries: dict[str, str] = {}
        self._linking: threading.Thread | None = None
        self._failed: list[BaseException] = []

    def page_written(self, folder: Path, relative: str, content: bytes | None, search: str | None = None) -> None:
        if self._linking is None:
            self._linking = threading.Thread(target=self._link, args=(folder / BUNDLE,), name="previous-index")
            self._linking.start()
        self.entries[relative] = search_entry(relative, content, search)

    def pages_kept(self, folder: Path, relatives: list[str], entries: list[str]) -> None:
        """`page_written` of each page of a run of kept pages (`SearchIndex.pages_kept`)."""
        if self._linking is None and relatives:
            self.page_written(folder, relatives[0], None, entries[0])
        self.entries.update(zip(relatives, entries, strict=True))

    def _link(self, target: Path) -> None:
        try:
            # the parts the staging folder's older index has (a patched spare: builder.write) are moved whole
            place_bundle(self.previous_bundle, target, spare_bundles(target.parent))
        except BaseException as exc:  # raised again by finish(), in the build's thread
            self._failed.append(exc)

    def finish(self, folder: Path) -> None:
        if self._linking is None:  # (no page at all)
            self._link(folder / BUNDLE)
        else:
            self._linking.join()
        if self._failed:
            raise self._failed[0]

    def close(self) -> None:
        if self._linking is not None:
            self._linking.join()  # (a failed build removes the staging folder after this)


def link_tree(source: Path, target: Path) -> None:
    """Hard-link every file under `source` to the same place under `target` (nothing if `source` is missing).
    On strings, each folder made once: 29,000 files of a 10k site's bundle are linked in the edit's time."""
    root, into = os.fspath(source), os.fspath(target)
    for where, _, names in os.walk(root):
        folder = into if where == root else os.path.join(into, os.path.relpath(where, root))
        os.makedirs(folder, exist_ok=True)
        for name in names:
            try:
                os.link(f"{where}/{name}", f"{folder}/{name}")
            except OSError:
                shutil.copyfile(f"{where}/{name}", f"{folder}/{name}")


@dataclass
class CatchUpReport:
    outcome: str  # "updated" (the new index is in place), "superseded" (a newer site came first, or cancelled)
    seconds: float
    runs: int = 0  # Pagefind runs (shards and words index)
    reused: int = 0  # shards reused from the previous bundle

    def summary_line(self) -> str:
        if self.outcome != "updated":
            return f"Search index not updated: a newer change came first ({self.seconds:.1f} s)"
        return (f"Search index updated in {self.seconds:.1f} s ({self.runs} Pagefind runs, "
                f"{self.reused} shards reused)")


def work_folder(output: Path) -> Path:
    """The catch-up's own folder: a sibling of the output (hard links need the same file system), never served."""
    return output.parent / f".{output.name}.build-site-search"


class SearchCatchUp:
    """One catch-up of the search index of the site `pending` describes (module docstring)."""

    def __init__(self, pending: PendingSearch, paths: Paths) -> None:
        self.pending = pending
        self.paths = paths
        self.output = paths.output.resolve()
        self.work = work_folder(self.output)
        self.index = SearchIndex(previous=self.work / "previous", cache=paths.cache)
        self.cancelled = threading.Event()

    def cancel(self) -> None:
        self.cancelled.set()
        self.index.cancel()

    def run(self) -> CatchUpReport:
        begun = time.perf_counter()
        shutil.rmtree(self.work, ignore_errors=True)  # left by a catch-up that was stopped
        site = self.work / "site"
        site.mkdir(parents=True)
        try:
            if self.cancelled.is_set() or not self._take_inputs(site):
                return CatchUpReport("superseded", time.perf_counter() - begun)
            for relative, entry in self.pending.pages:
                self.index.page_written(site, relative, None, entry)
            self.index.finish(site)
            # (made whole although cancelled meanwhile: still the site's index if its marker did not change)
            if not complete_site(self.paths, BUNDLE, site / BUNDLE, self.pending.marker):
                return CatchUpReport("superseded", time.perf_counter() - begun)
        except Cancelled:
            return CatchUpReport("superseded", time.perf_counter() - begun)
        finally:
            self.index.close()
            shutil.rmtree(self.work, ignore_errors=True)
        return CatchUpReport("updated", time.perf_counter() - begun, self.index.runs, self.index.reused)

    def _take_inputs(self, site: Path) -> bool:
        """Under the output lock, if the output is still the pending site: hard-link its search bundle (what
        the index may reuse) and the pages Pagefind must index into the work folder. False if it is not."""
        with output_lock(self.paths):
            try:
                if (self.output / MARKER).read_bytes() != self.pending.marker:
                    return False
            except OSError:
                return False
            link_tree(self.output / BUNDLE, self.work / "previous" / BUNDLE)
            reusable = self.index.previous_bundles()
            for relative in pages_to_index(self.pending, reusable):
                link_or_copy(self.output / relative, site / relative)
        return True


def pages_to_index(pending: PendingSearch, reusable: dict[str, Path]) -> list[str]:
    """The pages of the shards `SearchIndex` will index again (those whose key no `reusable` bundle has), planned
    as it plans them; a site with no page marked for the index: every page (Pagefind then indexes them all)."""
    planner = ShardPlanner()
    shards = [shard for relative, entry in pending.pages
              for shard in planner.add_entry(relative, bytes.fromhex(entry) if entry else None)]
    rest = planner.rest()
    if rest is not None:
        shards.append(rest)
    if not shards:
        return [relative for relative, _ in pending.pages if relative.endswith(".html")]
    return [page for number, shard in enumerate(shards) if shard_key(shard.digest, first=number == 0) not in reusable
            for page in shard.pages]
