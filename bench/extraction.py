"""Article-body extraction from saved pages, scored like scrapinghub/article-extraction-benchmark.

    .venv/bin/python bench/extraction.py [--limit N] [--show-worst K]

Reads $BUILD_SITE_DATA/article-extraction-benchmark (html/<id>.html.gz and
ground-truth.json). Each page goes through our reader (builder.read.page.page_text,
trafilatura with our fixed options) and, for comparison, plain `trafilatura.extract`
as upstream's extractors/run_trafilatura.py calls it.

Scoring is upstream's evaluate.py: per page, word 4-gram shingles (tokens are
`\\w+` runs; upstream's comment calls it simple tokenisation) counted as a multiset,
TP/FP/FN normalised per page; precision and recall are the means over pages, F1 is
the harmonic mean of those two means. Published figure for trafilatura: F1 0.958.
A whitespace-token variant is printed too.

    .venv/bin/python bench/extraction.py --read-speed

times the READ stage (parse_source) on $BUILD_SITE_DATA/news-2016 instead: ms per
article (best of three passes) and the distribution of publishers found.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from builder.read.page import page_text  # noqa: E402

PUBLISHED_TRAFILATURA_F1 = 0.958
_WORD = re.compile(r"\w+", re.UNICODE)


def data_folder() -> Path:
    base = Path(os.environ.get("BUILD_SITE_DATA", REPO.parent / "shared" / "data"))
    return base / "article-extraction-benchmark"


def load_pages(folder: Path, limit: int | None = None) -> list[tuple[str, str, str]]:
    """(id, html, true body) for every page with ground truth, sorted by id."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        with gzip.open(folder / "html" / f"{key}.html.gz", "rt", encoding="utf-8") as file:
            pages.append((key, file.read(), truth[key].get("articleBody", "") or ""))
    return pages


def shingles(text: str, tokens, n: int = 4) -> Counter:
    words = tokens(text or "")
    return Counter(tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)) if words[i : i + n])


def tp_fp_fn(true: str, pred: str, tokens=_WORD.findall) -> tuple[float, float, float]:
    true_shingles, pred_shingles = shingles(true, tokens), shingles(pred, tokens)
    tp = fp = fn = 0.0
    for key in true_shingles.keys() | pred_shingles.keys():
        t, p = true_shingles.get(key, 0), pred_shingles.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (tp, fp, fn)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def score(counts: list[tuple[float, float, float]]) -> dict[str, float]:
    precision = statistics.mean(_precision(*c) for c in counts if c[0] + c[1] > 0)
    recall = statistics.mean(_recall(*c) for c in counts if c[0] + c[2] > 0)
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / (precision + recall)}


def evaluate(pages: list[tuple[str, str, str]], extract) -> tuple[dict[str, float], dict[str, float], list, float]:
    started = time.perf_counter()
    predictions = [extract(html) or "" for _, html, _ in pages]
    seconds = time.perf_counter() - started
    word_counts = [tp_fp_fn(true, pred) for (_, _, true), pred in zip(pages, predictions, strict=True)]
    space_counts = [tp_fp_fn(true, pred, str.split) for (_, _, true), pred in zip(pages, predictions, strict=True)]
    return score(word_counts), score(space_counts), word_counts, seconds


def read_speed(base: Path, passes: int = 3) -> None:
    from builder.config import Config
    from builder.model import Problem
    from builder.read import parse_source, read_seeds

    sources, problems = read_seeds(base / "news-2016")
    config = Config()
    best = float("inf")
    for _ in range(passes):
        started = time.perf_counter()
        results = [parse_source(source, config) for source in sources]
        best = min(best, time.perf_counter() - started)
    failed = [r for r in results if isinstance(r, Problem)] + problems
    articles = [r for r in results if not isinstance(r, Problem)]
    print(
        f"news-2016: {len(sources)} files, {len(failed)} problems, "
        f"{best * 1000 / len(sources):.2f} ms/article (parse_source, best of {passes})"
    )
    publishers = Counter(article.source for article in articles)
    print(f"{len(publishers)} publishers; unknown: {publishers.get('Unknown source', 0)}")
    for name, count in publishers.most_common():
        print(f"  {count:5d}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="score only the first N pages")
    parser.add_argument("--show-worst", type=int, default=0, help="list the K pages with the lowest F1")
    parser.add_argument("--no-baseline", action="store_true", help="skip plain trafilatura.extract")
    parser.add_argument("--read-speed", action="store_true", help="time parse_source on news-2016 instead")
    args = parser.parse_args()
    if args.read_speed:
        read_speed(data_folder().parent)
        return
    folder = data_folder()
    if not folder.is_dir():
        sys.exit(f"benchmark data not found at {folder} (set BUILD_SITE_DATA)")
    pages = load_pages(folder, args.limit)
    print(f"{len(pages)} pages from {folder}")
    runs = [("build-site reader (page_text)", page_text)]
    if not args.no_baseline:
        import trafilatura

        runs.append(("trafilatura.extract defaults", lambda html: trafilatura.extract(html, include_comments=False)))
    for name, extract in runs:
        words, spaces, counts, seconds = evaluate(pages, extract)
        print(
            f"{name:<32} precision={words['precision']:.3f} recall={words['recall']:.3f} F1={words['f1']:.3f}  "
            f"(whitespace tokens: F1={spaces['f1']:.3f})  {seconds * 1000 / len(pages):.1f} ms/page"
        )
        if args.show_worst and extract is page_text:
            per_page = sorted(
                (2 * c[0] / (2 * c[0] + c[1] + c[2]) if c[0] else 0.0, key)
                for c, (key, _, _) in zip(counts, pages, strict=True)
            )
            for f1, key in per_page[: args.show_worst]:
                print(f"  {f1:.3f} {key}")
    print(f"published trafilatura F1: {PUBLISHED_TRAFILATURA_F1}")


if __name__ == "__main__":
    main()
