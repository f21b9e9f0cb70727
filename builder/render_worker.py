"""Rendering on two cores: a forked process makes the pages of most units while the builder makes the rest.

A cold render (no page kept from a previous build) makes ~59,000 pages at 10,000 articles on one core, ~1 ms of
Python a page, while the other core has only the search index's Pagefind to run.  With `--jobs` 2 or more the
builder forks one render worker once the site is linked and the renderer's navigation and page lookups are
final (`RenderSplit.start`): the worker has the same site, renderer and page modules, copy-on-write (everything
alive is frozen first, so that no collection writes into it).  It runs the same page modules in the same order
and makes the pages of each unit (`PageRenderer.keyed`) that `worker_unit` gives it, a stable rule on the unit's
name; it sends them through a pipe, unit by unit, in that order.  The builder runs the page modules as always:
it works out every unit's key, makes the other units' pages and the pages that belong to no unit (the exports,
the home page, the indexes, the sitemap…), and takes each worker unit's pages from the pipe where it would have
made them (`RenderSplit.pages`).  So the writer gets the same pages in the same order as from one process, the
page keys and the search index are recorded as they were: the output is the same whatever `--jobs`.

The worker makes no page outside its units: a page module's pages of no unit are only placeholders there
(`PageRenderer.page`), never sent.  It stops at the first error, sending it; a worker that dies or fails stops
the build with a message (the output is left as it was: the writer swaps nothing in), and the builder kills it
when the build stops for any other reason.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import gc
import os
import pickle
import signal
import threading
import zlib
from collections import deque
from collections.abc import Callable, Iterable

from builder.errors import BuildError
from builder.model import OutputPage

# Of every 100 units (by a hash of the name), those the worker makes.  The builder also works out every unit's
# key, makes the exports and the pages of no unit, and writes every page: the worker takes most units.
WORKER_SHARE = 80
# A site with fewer units than this renders in one process: forking costs ~0.1 s and the worker's first pages.
MIN_UNITS = 2000
# What the builder holds of the worker's pages not asked for yet, at most (bytes): the worker runs ahead while
# the builder makes the exports and its own units.
AHEAD_BYTES = 96 << 20
PIPE_BYTES = 1 << 20  # (F_SETPIPE_SZ: the kernel's default maximum for an unprivileged process)
_F_SETPIPE_SZ = 1031
_PR_SET_PDEATHSIG = 1


def worker_unit(unit: str) -> bool:
    """Whether the render worker makes this unit's pages: a stable rule on its name (the same in every run)."""
    return zlib.crc32(unit.encode("utf-8", "surrogateescape")) % 100 < WORKER_SHARE


class WorkerFailed(BuildError):
    """The render worker died or could not make a page."""


class RenderSplit:
    """The builder's side of a render worker: started once the renderer is ready, closed when the build ends
    (however it ends).  Until `start`, and when the site is rendered in one process, `active` is False."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self._reader: threading.Thread | None = None
        self._messages: deque = deque()  # (unit, pages, size) read from the pipe, not asked for yet
        self._held = 0  # bytes of pages in `_messages`
        self._ended: object = None  # "done", or the error the worker sent, or the reason the pipe ended
        self._ready = threading.Condition()
        self._closed = False
        self.skipped = 0  # units whose pages the builder did not ask for (kept from the previous build)

    @property
    def active(self) -> bool:
        return self.pid is not None

    def start(self, run: Callable[[Callable[[str, list[OutputPage]], None]], None]) -> None:
        """Fork the worker: it calls `run(send)`, which runs the page modules and sends each of its units'
        pages with `send(unit, pages)`; then it exits.  This process returns at once."""
        gc.freeze()  # (what is alive now is shared with the worker: no collection here or there writes into it)
        read_end, write_end = os.pipe()
        with contextlib.suppress(OSError):
            fcntl.fcntl(write_end, _F_SETPIPE_SZ, PIPE_BYTES)
        pid = os.fork()
        if pid == 0:  # the worker
            os.close(read_end)
            _worker_main(run, write_end)  # (never returns)
        os.close(write_end)
        self.pid = pid
        self._reader = threading.Thread(target=self._read, args=(read_end,), name="render-worker-pipe", daemon=True)
        self._reader.start()

    def _read(self, read_end: int) -> None:
        """The reader thread: the worker's messages into `_messages`, at most AHEAD_BYTES of pages held."""
        ended: object = "its pipe closed"
        try:
            with os.fdopen(read_end, "rb", buffering=PIPE_BYTES) as pipe:
                while True:
                    try:
                        message = pickle.load(pipe)
                    except EOFError:
                        ended = "it died"  # (how: `close` asks the system)
                        return
                    if message[0] != "unit":
                        ended = message[1] if message[0] == "error" else "done"
                        return
                    size = sum(len(content) for _, content in message[2])
                    with self._ready:
                        while self._held > AHEAD_BYTES and self._messages and not self._closed:
                            self._ready.wait()
                        if self._closed:
                            return
                        self._messages.append((message[1], message[2], size))
                        self._held += size
                        self._ready.notify_all()
        except Exception as exc:  # (an unreadable message: told as the worker's failure)
            ended = f"{type(exc).__name__}: {exc}"
        finally:
            with self._ready:
                self._ended = ended
                self._ready.notify_all()

    def pages(self, unit: str) -> list[OutputPage]:
        """The pages the worker made for `unit`: this process asks for the worker's units in the order the worker
        makes them; a unit passed over (its pages kept from the previous build) is dropped."""
        with self._ready:
            while True:
                while self._messages:
                    name, pages, size = self._messages.popleft()
                    self._held -= size
                    self._ready.notify_all()
                    if name == unit:
                        return [OutputPage(path, content) for path, content in pages]
                    self.skipped += 1
                if self._ended is not None:
                    break
                self._ready.wait()
        ended = self._ended
        self.close()
        if isinstance(ended, BaseException):
            raise ended
        if ended == "done":
            raise BuildError(f"internal error: the render worker made no pages for {unit}")
        raise WorkerFailed(f"the render worker (process {self.pid}) stopped before making the pages of {unit}: "
                           f"{self._status or ended}. Nothing was written to the output; build again, or with "
                           "--jobs 1 to render in one process.")

    _status: str = ""

    def close(self) -> None:
        """Stop the worker if it still runs (the build failed or is done) and wait for it."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()
        if self.pid is None or self._status:
            return
        try:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done == 0:
                os.kill(self.pid, signal.SIGKILL)
                done, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            self._status = "it was gone"
            return
        if os.WIFSIGNALED(status):
            self._status = f"killed by signal {os.WTERMSIG(status)} ({signal.Signals(os.WTERMSIG(status)).name})"
        else:
            self._status = f"exit status {os.WEXITSTATUS(status)}"
        if self._reader is not None:
            self._reader.join(timeout=5)

    def finish(self) -> None:
        """At the end of a render: the worker must have sent everything and exited cleanly."""
        if self.pid is None:
            return
        if self._reader is not None:
            self._reader.join()
        ended = self._ended
        self.close()
        if ended != "done":
            if isinstance(ended, BaseException):
                raise ended
            raise WorkerFailed(f"the render worker (process {self.pid}) did not finish: {self._status or ended}")


def _worker_main(run: Callable, write_end: int) -> None:
    """The worker process: run, send, exit; never back into the builder's stack (its writer, its locks)."""
    code = 1
    try:
        with contextlib.suppress(Exception):  # (Linux: the worker dies with the builder, whatever kills it)
            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        with os.fdopen(write_end, "wb", buffering=PIPE_BYTES) as pipe:
            dump = pickle.Pickler(pipe, protocol=pickle.HIGHEST_PROTOCOL)

            def send(unit: str, pages: Iterable[OutputPage]) -> None:
                dump.dump(("unit", unit, [(page.path, page.content) for page in pages]))
                dump.clear_memo()

            try:
                run(send)
                dump.dump(("done", None))
                code = 0
            except BaseException as exc:  # (sent as it is when it pickles: the same error as in one process)
                try:
                    pickle.dumps(exc)
                    dump.dump(("error", exc))
                except Exception:
                    dump.dump(("error", WorkerFailed(f"the render worker failed: {type(exc).__name__}: {exc}")))
            pipe.flush()
    finally:
        os._exit(code)
