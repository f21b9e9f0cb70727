"""Data-driven (slow: 20-60 s): body extraction from saved pages, scored on the real benchmark.

Uses $BUILD_SITE_DATA/article-extraction-benchmark and the scoring of bench/extraction.py
(upstream's evaluate.py: word 4-gram shingles, mean precision and recall, F1 of the means).
Measured with `.venv/bin/python bench/extraction.py`: F1 0.972 (precision 0.967, recall 0.977);
trafilatura's published figure is 0.958. The threshold sits a little under our figure.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from builder.config import Config
from builder.model import Article, SourceFile
from builder.read import parse_source

F1_THRESHOLD = 0.95
BENCH = Path(__file__).resolve().parent.parent / "bench" / "extraction.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_extraction", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    return load_bench()


@pytest.fixture(scope="module")
def pages(shared_data, bench):
    folder = shared_data / "article-extraction-benchmark"
    if not folder.is_dir():
        pytest.fail(f"{folder} is missing from the shared data")
    return bench.load_pages(folder)


def test_scoring_matches_upstream_definition(bench):
    assert bench.tp_fp_fn("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
    tp, fp, fn = bench.tp_fp_fn("one two three four five", "one two three four six")
    assert (tp, fp, fn) == (1 / 3, 1 / 3, 1 / 3)
    assert bench.score([(1.0, 0.0, 0.0), (0.0, 0.0, 1.0)]) == {"precision": 1.0, "recall": 0.5, "f1": 2 / 3}


def test_extraction_f1_on_the_benchmark(bench, pages):
    words, _, _, _ = bench.evaluate(pages, bench.page_text)
    assert words["f1"] >= F1_THRESHOLD, words


def test_every_benchmark_page_reads_as_an_article_with_a_title(pages):
    titled = 0
    for key, html, _ in pages[:40]:
        result = parse_source(SourceFile(f"{key}.html", html.encode("utf-8"), key), Config())
        assert isinstance(result, Article), result
        titled += bool(result.title.strip())
    assert titled == 40
