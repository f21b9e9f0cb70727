"""Run the per-article stages over all files: cached, on several cores, in input order."""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

from builder.analysis_pack import AnalysisPack, pack_is_behind
from builder.cache import AnalysisCache
from builder.gc_policy import fewer_collections, no_collections
from builder.memory import ValueSharing
from builder.model import Article, Problem, SeedSource, SourceFile
from builder.read.discover import read_seed_files
from builder.warm import WarmAnalyses, file_state, fresh_copy

# Below this many uncached articles, starting worker processes costs more than it saves.
MIN_ARTICLES_FOR_WORKERS = 64
# A worker holds a whole chunk's analysed articles until it hands them back: bounded, so that its memory
# does not grow with the corpus (1/16 of 50,000 articles was ~520 MB per worker).
MAX_CHUNK = 200


def _chunks(items: Sequence, size: int) -> list[Sequence]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _run_chunk(function: Callable, chunk: Sequence[SourceFile], context: object) -> list:
    return [function(source, context) for source in chunk]


def map_articles(
    function: Callable,
    sources: Sequence[SourceFile | SeedSource],
    context: object,
    cache: AnalysisCache,
    jobs: int = 1,
    workers_started: Callable[[], None] | None = None,
    cached_loaded: Callable[[], None] | None = None,
    pack: AnalysisPack | None = None,
    warm: WarmAnalyses | None = None,
) -> Iterator[object]:
    """Yield function(source, context) for each source, in order, using the cache.

    A source not read yet (SeedSource) is read only if the cache lacks its analysis.

    `workers_started`, if given, is called once worker processes have been started (forked after this
    process analysed the first article): to let go here of what only the analysis needs.
    `cached_loaded`, if given, is called once what the cache holds is loaded, before anything is analysed (by
    the build: to freeze what is loaded, which lives on, before workers are forked).
    `pack`, if given, is where the cache's entries are looked up first, all loaded at once
    (builder.analysis_pack), and written again with this run's results when it has fallen behind.
    `warm` (`serve`): the pack's entries as the previous run of this process left them, used instead of loading
    the pack while the pack file is the one it left (builder.warm), and left as this run leaves the pack; the
    results are then copies, the kept entries staying as the cache gave them."""
    with fewer_collections():  # what is loaded or made here lives on: no point in walking it again and again
        results = _results(function, sources, context, cache, jobs, workers_started, cached_loaded, pack, warm)
    if warm is not None:
        results = [fresh_copy(result) for result in results]
    yield from results


def _results(function: Callable, sources: Sequence[SourceFile | SeedSource], context: object, cache: AnalysisCache,
             jobs: int, workers_started: Callable[[], None] | None,
             cached_loaded: Callable[[], None] | None, pack: AnalysisPack | None,
             warm: WarmAnalyses | None = None) -> list[object | None]:
    keys = [cache.key(source.content_hash, source.suffix) for source in sources]
    sharing = ValueSharing()
    with no_collections():  # (unpickling makes no garbage to collect: only what lives on)
        recalled = Recalled(cache, pack, sharing, warm)
        results: list[object | None] = [_named(recalled(key), source)
                                        for key, source in zip(keys, sources, strict=True)]
        sources, unread = _read_missing(sources, results, keys, recalled)
        if cached_loaded is not None:
            cached_loaded()
    # Files with the same bytes and suffix (one article saved under two names) share a key: the first of them
    # is analysed, the others are given copies of its result under their own names.
    first: dict[str, int] = {}
    missing: list[int] = []
    copies: list[int] = []
    for i, result in enumerate(results):
        if result is None:
            (copies if keys[i] in first else missing).append(i)
            first.setdefault(keys[i], i)

    if jobs > 1 and len(missing) >= MIN_ARTICLES_FOR_WORKERS:
        # The first article is analysed here, before the workers are forked: what the stages load on first use
        # (the language model, gazetteers, lexicons: ~0.7 s of CPU) is then loaded once and inherited by every
        # worker, instead of loaded again by each of them.
        first_missing, missing = missing[0], missing[1:]
        results[first_missing] = function(sources[first_missing], context)
        cache.put(keys[first_missing], results[first_missing])
        _shared(results[first_missing], sharing)
        size = max(1, min(MAX_CHUNK, len(missing) // (jobs * 8)))
        index_chunks = _chunks(missing, size)
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [
                pool.submit(_run_chunk, function, [sources[i] for i in chunk], context)
                for chunk in index_chunks
            ]
            if workers_started is not None:  # (a pool that forks starts all its workers at the first submit)
                workers_started()
            for chunk, future in zip(index_chunks, futures, strict=True):
                for i, result in zip(chunk, future.result(), strict=True):
                    cache.put(keys[i], result)
                    results[i] = _shared(result, sharing)
    else:
        for i in missing:
            results[i] = function(sources[i], context)
            cache.put(keys[i], results[i])
            _shared(results[i], sharing)
    for i in copies:
        copy = pickle.loads(pickle.dumps(results[first[keys[i]]], protocol=pickle.HIGHEST_PROTOCOL))
        results[i] = _shared(_named(copy, sources[i]), sharing)
    recalled.keep_packed(keys, results, unread)
    return results


class Recalled:
    """The cache's entries, looked up in the pack (loaded whole, once) and then in the per-article cache; each
    with its values shared (`sharing`) as it arrives.

    `warm` (`serve`, builder.warm): where the pack file is the one the previous run of this process left, its
    entries are taken from what that run kept instead of loading the file (the same values, looked up and
    counted as the loaded pack's would be); at the end, `warm` is left with the pack's entries as this run
    leaves the file."""

    def __init__(self, cache: AnalysisCache, pack: AnalysisPack | None, sharing: ValueSharing,
                 warm: WarmAnalyses | None = None) -> None:
        self.cache = cache
        self.pack = pack
        self.sharing = sharing
        self.warm = warm if pack is not None else None
        # (the pack file's state before it is read: if it is replaced meanwhile, the next run reads it again)
        self.pack_state = file_state(pack.file) if pack is not None else None
        if self.warm is not None and self.warm.usable(cache.salt, self.pack_state):
            self.packed = dict(self.warm.entries)  # (the very objects: never handed to a build, only copies)
        else:
            # (the pack's values come shared: `sharing` is told them, for the entries from elsewhere to share)
            self.packed = pack.load(sharing) if pack is not None else {}
        self.pack_keys = frozenset(self.packed)  # what the pack file holds
        self.from_pack = 0

    def __call__(self, key: str) -> object | None:
        # (taken out of the pack: a second file with the same bytes gets its own object, from the cache's file)
        found = self.packed.pop(key, None)
        if found is not None:
            self.from_pack += 1
            return found
        return _shared(self.cache.get(key), self.sharing)

    def keep_packed(self, keys: list[str], results: list[object | None], unread: set[int]) -> None:
        """Write the pack again with `results` (by `keys`; not the files that could not be read: no entry of the
        cache) if it has fallen behind; let go of what it held that was not asked for."""
        unused, left, self.packed = len(self.packed), self.packed, {}
        if self.pack is None:
            return
        entries = {key: result for i, (key, result) in enumerate(zip(keys, results, strict=True)) if i not in unread}
        if pack_is_behind(len(keys) - len(unread) - self.from_pack, unused, self.from_pack):
            saved = self.pack.save(entries)
            if self.warm is not None and saved:
                self.warm.keep(self.cache.salt, entries, file_state(self.pack.file))
            elif self.warm is not None:
                self.warm.forget()
        elif self.warm is not None:  # (the pack as it was: the entries it holds, those asked for as they are now)
            kept = {key: entry for key, entry in entries.items() if key in self.pack_keys}
            kept.update(left)
            self.warm.keep(self.cache.salt, kept, self.pack_state)


def _read_missing(sources: Sequence[SourceFile | SeedSource], results: list[object | None], keys: list[str],
                  recalled: Recalled) -> tuple[list[SourceFile | SeedSource], set[int]]:
    """`sources` with the files not read yet (SeedSource) whose analysis the cache lacks read: their bytes are
    hashed anew, and `keys` follow (a file changed since its hash was taken is looked up again under its new
    one); a file that cannot be read gets its problem as its result (and its index is in the set returned)."""
    sources = list(sources)
    unread: set[int] = set()
    for i, result in enumerate(results):
        if result is not None or not isinstance(sources[i], SeedSource):
            continue
        read, unreadable = read_seed_files([sources[i]])
        if unreadable:
            results[i] = unreadable[0]
            unread.add(i)
            continue
        sources[i] = read[0]
        key = recalled.cache.key(read[0].content_hash, read[0].suffix)
        if key != keys[i]:
            keys[i] = key
            results[i] = _named(recalled(key), read[0])
    return sources, unread


def _named(result: object | None, source: SourceFile | SeedSource) -> object | None:
    """`result` (perhaps made from the same bytes under another name) as the result for `source`.

    The per-article stages hold the file's name in these two places only, and nowhere else in what they make
    (tests/test_cache.py checks it), so an entry of the cache can be used under any name."""
    if isinstance(result, Article):
        result.source_file = source.relpath
    elif isinstance(result, Problem) and result.path != source.relpath:
        result = dataclasses.replace(result, path=source.relpath)
    return result


def _shared(result: object, sharing: ValueSharing) -> object:
    if isinstance(result, Article):
        sharing.article(result)
    return result
