"""Summary quality (ROUGE vs lead-N) and analysis speed on bbc-news.

    .venv/bin/python bench/summary_rouge.py            # both halves, ours vs lead, plus speed
    .venv/bin/python bench/summary_rouge.py --grid     # try weight variants on the dev half only
    .venv/bin/python bench/summary_rouge.py --set title_weight=0 --set position_weight=0

Reads /work/shared/data/bbc-news/bbc-news-shared.tar.gz (or $BUILD_SITE_DATA/bbc-news/…) directly.
The headline is left out of the article text and the reference; it is given to the summariser as the
article's title, as the build does.  Reference summaries glue their sentences together ("…bn.For the …"):
they are split at a period followed by a capital.  ROUGE-1/2 F-measure (rouge-score, no stemmer), ours and
lead-N at the same number of sentences per article.  Halves: dev = odd file numbers (tuned on), test = even.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import os
import re
import statistics
import sys
import tarfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rouge_score.rouge_scorer import RougeScorer

from builder.analyse.language import detect_language
from builder.analyse.pipeline import analyse_article, join_blocks
from builder.analyse.quotes import find_quotes
from builder.analyse.sentences import split_sentences
from builder.analyse.summary import SummaryWeights, summarise
from builder.config import Config
from builder.model import Article, ArticleDate, Block, BlockKind

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("BUILD_SITE_DATA", REPO.parent / "shared" / "data"))
ARCHIVE = DATA / "bbc-news" / "bbc-news-shared.tar.gz"
_GLUED = re.compile(r"(?<=[.!?\"”])(?=[A-Z\"“])")


def load(archive: Path = ARCHIVE) -> list[tuple[str, int, Article, str]]:
    """(category, number, article, reference summary) for every article with a summary."""
    articles: dict[tuple[str, int], str] = {}
    summaries: dict[tuple[str, int], str] = {}
    with tarfile.open(archive) as tar:
        for member in tar:
            parts = member.name.split("/")
            if not member.isfile() or len(parts) < 3 or not parts[-1].endswith(".txt"):
                continue
            key = (parts[-2], int(parts[-1][:-4]))
            text = tar.extractfile(member).read().decode("utf-8", errors="replace")
            if parts[-3] == "articles":
                articles[key] = text
            elif parts[-3] == "summaries":
                summaries[key] = text
    rows = []
    for key in sorted(articles.keys() & summaries.keys()):
        rows.append((key[0], key[1], make_article(f"{key[0]}/{key[1]:03d}.txt", articles[key]), summaries[key]))
    return rows


def make_article(name: str, raw: str) -> Article:
    headline, _, body = raw.strip().partition("\n")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    blocks = [Block(BlockKind.PARAGRAPH, p) for p in paragraphs]
    return Article(name, "", headline.strip(), blocks, ArticleDate(None, "undated"))


def reference_sentences(summary: str) -> str:
    return "\n".join(part.strip() for part in _GLUED.split(summary.strip()) if part.strip())


def prepare(article: Article) -> Article:
    return split_sentences(join_blocks(article))


def evaluate(rows, weights: SummaryWeights, config: Config, use_title: bool = True) -> dict[str, float]:
    scorer = RougeScorer(["rouge1", "rouge2"], use_stemmer=False)
    totals = {"ours-r1": [], "ours-r2": [], "lead-r1": [], "lead-r2": []}
    for _category, _number, article, reference in rows:
        if not use_title:
            article = dataclasses.replace(article, title="")
        summarised = summarise(article, config, weights)
        count = len(summarised.summary)
        if count == 0:
            continue
        target = reference_sentences(reference)
        ours = "\n".join(article.sentence_text(i) for i in summarised.summary)
        lead = "\n".join(article.sentence_text(i) for i in range(count))
        for name, prediction in (("ours", ours), ("lead", lead)):
            score = scorer.score(target, prediction)
            totals[f"{name}-r1"].append(score["rouge1"].fmeasure)
            totals[f"{name}-r2"].append(score["rouge2"].fmeasure)
    result = {key: statistics.fmean(values) for key, values in totals.items()}
    result["articles"] = len(totals["ours-r1"])
    return result


def show(label: str, result: dict[str, float]) -> None:
    print(
        f"{label:<14} n={result['articles']:<5} ours R1 {result['ours-r1']:.3f} R2 {result['ours-r2']:.3f}   "
        f"lead R1 {result['lead-r1']:.3f} R2 {result['lead-r2']:.3f}   "
        f"gain R1 {result['ours-r1'] - result['lead-r1']:+.3f} R2 {result['ours-r2'] - result['lead-r2']:+.3f}"
    )


def _own_components(article: Article, config: Config) -> Article:
    """analyse_article without the entity and date components (written separately)."""
    return analyse_article(article, config, skip={"entities", "dates"})


def speed(rows, config: Config) -> None:
    raw = [row[2] for row in rows]
    words = sum(len(" ".join(b.text for b in a.blocks).split()) for a in raw)
    joined = [join_blocks(dataclasses.replace(a)) for a in raw]
    runs = {}
    for name, function, inputs in (
        ("split_sentences", split_sentences, joined),
        ("summarise", summarise, [prepare(dataclasses.replace(a)) for a in raw]),
        ("detect_language", detect_language, joined),
        ("find_quotes", find_quotes, [prepare(dataclasses.replace(a)) for a in raw]),
        ("analyse (ours)", _own_components, raw),
        ("analyse_article", analyse_article, raw),
    ):
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            for article in inputs:
                function(dataclasses.replace(article), config)
            best = min(best, time.perf_counter() - started)
        runs[name] = best
    print(f"speed over {len(raw)} articles, {words} words (best of 3; analyse_article includes every component):")
    for name, seconds in runs.items():
        print(
            f"  {name:<16} {seconds:7.3f} s  {words / seconds:>12,.0f} words/s  "
            f"{seconds / len(raw) * 1000:.3f} ms/article"
        )


def grid(rows, config: Config) -> None:
    dev = [r for r in rows if r[1] % 2 == 1]
    options = {
        "length_exponent": [0.0, 0.3, 0.5, 0.7],
        "position_weight": [0.0, 0.5, 1.0, 2.0],
        "title_weight": [0.0, 0.5, 1.0],
    }
    results = []
    for values in itertools.product(*options.values()):
        weights = SummaryWeights(**dict(zip(options, values, strict=True)))
        result = evaluate(dev, weights, config)
        results.append((result["ours-r1"] + result["ours-r2"], values, result))
    for _total, values, result in sorted(results, reverse=True)[:15]:
        show(" ".join(f"{v}" for v in values), result)
    print("columns:", ", ".join(options))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grid", action="store_true", help="try weight variants on the dev half")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override a weight")
    parser.add_argument("--no-title", action="store_true", help="do not give the headline to the summariser")
    parser.add_argument("--sentences", type=int, default=3, help="summary_sentences (default 3)")
    args = parser.parse_args()
    if not ARCHIVE.is_file():
        sys.exit(f"bbc-news archive not found at {ARCHIVE} (set BUILD_SITE_DATA)")
    config = Config(summary_sentences=args.sentences)
    started = time.perf_counter()
    rows = [(c, n, prepare(a), s) for c, n, a, s in load()]
    print(f"loaded {len(rows)} articles in {time.perf_counter() - started:.1f} s from {ARCHIVE}")
    if args.grid:
        grid(rows, config)
        return
    overrides = {}
    for item in args.set:
        name, _, value = item.partition("=")
        overrides[name] = type(getattr(SummaryWeights(), name))(value)
    weights = SummaryWeights(**overrides)
    print(f"weights: {weights}; headline given: {not args.no_title}")
    show("dev (odd)", evaluate([r for r in rows if r[1] % 2 == 1], weights, config, not args.no_title))
    show("test (even)", evaluate([r for r in rows if r[1] % 2 == 0], weights, config, not args.no_title))
    show("all", evaluate(rows, weights, config, not args.no_title))
    speed(rows, config)


if __name__ == "__main__":
    main()
