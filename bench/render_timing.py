"""What the render benchmarks share: the render thread's CPU by page kind, and a sampler of a thread's stacks.

Imported by bench/render_edit.py, bench/render_only.py, bench/render_sample.py and bench/edit_sample.py (scripts
run from this folder, so it is on their path).
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator


def timed_gen(times: dict[str, float], name: str, pages: Iterable) -> Iterator:
    """`pages`, with the thread CPU spent making each one added to `times[name]`."""
    pages = iter(pages)
    while True:
        begun = time.thread_time()
        try:
            page = next(pages)
        except StopIteration:
            times[name] = times.get(name, 0.0) + time.thread_time() - begun
            return
        times[name] = times.get(name, 0.0) + time.thread_time() - begun
        yield page


def time_page_kinds(times: dict[str, float], keys_started: Callable[[object], None] | None = None) -> None:
    """Wrap every page module's plan (and sitemaps), `PageKeys.start` and `PageKeys._readers_of_changed` so that
    the thread CPU of each lands in `times` (by module name, "sitemap", "keys.start", "keys.readers").
    `keys_started(keys)`: told the PageKeys of each render once it has started."""
    import builder.render as render_module
    from builder.page_keys import PageKeys

    for name, module in render_module.available_page_modules().items():
        module.plan = _timed_plan(times, name, module.plan)
        if hasattr(module, "sitemaps"):
            module.sitemaps = _timed_call(times, "sitemap", lambda *a, made=module.sitemaps: list(made(*a)))
    start = PageKeys.start

    def timed_start(self, *args, **kwargs):
        begun = time.thread_time()
        start(self, *args, **kwargs)
        times["keys.start"] = time.thread_time() - begun
        if keys_started is not None:
            keys_started(self)

    PageKeys.start = timed_start
    if hasattr(PageKeys, "_readers_of_changed"):
        PageKeys._readers_of_changed = _timed_call(times, "keys.readers", PageKeys._readers_of_changed)


def _timed_plan(times: dict[str, float], name: str, plan: Callable) -> Callable:
    return lambda renderer, site: timed_gen(times, name, plan(renderer, site))


def _timed_call(times: dict[str, float], name: str, call: Callable) -> Callable:
    def timed(*args):
        begun = time.thread_time()
        result = call(*args)
        times[name] = time.thread_time() - begun
        return result

    return timed


def stack_of(frame) -> tuple[str, ...]:
    """A frame's stack, outermost first, each entry "folder/file.py:function"."""
    stack = []
    while frame is not None:
        code = frame.f_code
        stack.append("/".join(code.co_filename.split("/")[-2:]) + ":" + code.co_name)
        frame = frame.f_back
    return tuple(reversed(stack))


class StackSampler:
    """Counts the stacks of the thread that makes it, sampled every `every` seconds by a thread of its own, between
    `start()` and `stop()` (the interpreter's switch interval lowered meanwhile, so that samples land on time)."""

    def __init__(self, every: float) -> None:
        self.every = every
        self.stacks: Counter[tuple[str, ...]] = Counter()
        self._watched = threading.get_ident()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._switch = sys.getswitchinterval()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            frame = sys._current_frames().get(self._watched)
            self.stacks[stack_of(frame)] += 1

    def start(self) -> StackSampler:
        sys.setswitchinterval(1e-5)
        self._thread.start()
        return self

    def stop(self) -> Counter[tuple[str, ...]]:
        self._stop.set()
        self._thread.join()
        sys.setswitchinterval(self._switch)
        return self.stacks
