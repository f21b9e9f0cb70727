"""Run the per-article stages over all files: cached, on several cores, in input order."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

from builder.cache import AnalysisCache
from builder.gc_policy import fewer_collections
from builder.memory import ValueSharing
from builder.model import Article, SourceFile

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
    sources: Sequence[SourceFile],
    context: object,
    cache: AnalysisCache,
    jobs: int = 1,
) -> Iterator[object]:
    """Yield function(source, context) for each source, in order, using the cache."""
    with fewer_collections():  # what is loaded or made here lives on: no point in walking it again and again
        results = _results(function, sources, context, cache, jobs)
    yield from results


def _results(function: Callable, sources: Sequence[SourceFile], context: object, cache: AnalysisCache,
             jobs: int) -> list[object]:
    keys = [cache.key(source.content_hash, source.relpath) for source in sources]
    sharing = ValueSharing()
    results: list[object | None] = [_shared(cache.get(key), sharing) for key in keys]
    missing = [i for i, result in enumerate(results) if result is None]

    if jobs > 1 and len(missing) >= MIN_ARTICLES_FOR_WORKERS:
        size = max(1, min(MAX_CHUNK, len(missing) // (jobs * 8)))
        index_chunks = _chunks(missing, size)
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [
                pool.submit(_run_chunk, function, [sources[i] for i in chunk], context)
                for chunk in index_chunks
            ]
            for chunk, future in zip(index_chunks, futures, strict=True):
                for i, result in zip(chunk, future.result(), strict=True):
                    cache.put(keys[i], result)
                    results[i] = _shared(result, sharing)
    else:
        for i in missing:
            results[i] = function(sources[i], context)
            cache.put(keys[i], results[i])
            _shared(results[i], sharing)
    return results


def _shared(result: object, sharing: ValueSharing) -> object:
    if isinstance(result, Article):
        sharing.article(result)
    return result
