"""Group the 772 ECB+ documents (topics 1–35) into events, all together, and score against the gold subtopics.

    .venv/bin/python bench/events_ecb.py [--tune] [--pipeline] [--reference-weights]

The grouping is the builder's own `cluster_articles` over `article_features` (who: names, what: content
words, when: dated lines and years), after the builder's `find_dates`; topic numbers are never used.
Prints B³ precision/recall/F1 and the adjusted Rand index on the dev topics (2, 5, 12, 18, 21, 23, 34, 35)
and on the other topics, for a plain TF-IDF average-link baseline (same clustering, words only, threshold
tuned on dev) and for the builder's grouping.  --tune searches the parameters on the dev topics.
--reference-weights: both weigh words by the reference table (events.REFERENCE_PARAMS, builder/link/reference.py)
instead of document frequencies over the 772 documents.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from collections import Counter
from dataclasses import replace
from itertools import product
from math import comb
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from builder.analyse.dates import find_dates
from builder.link.events import (
    REFERENCE_PARAMS,
    ClusterParams,
    article_features,
    average_link,
    cluster_articles,
    combine,
    pair_evidence,
)
from builder.model import Article, ArticleDate, Block, BlockKind, Sentence

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("BUILD_SITE_DATA", REPO.parent / "shared" / "data"))
DEV_TOPICS = {2, 5, 12, 18, 21, 23, 34, 35}


def load_docs(path: Path | None = None) -> list[dict]:
    path = path or DATA / "ecbplus" / "ecbplus_docs.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def to_article(doc: dict) -> Article:
    """An ECB+ document as the builder sees an article: headline line, then one block per line."""
    lines = [line for line in doc["text"].split("\n") if line.strip()]
    title, body = (lines[0], lines[1:]) if len(lines) > 1 else ("", lines)
    blocks = [Block(BlockKind.PARAGRAPH, line) for line in body]
    article = Article(doc["doc_id"], "", title, blocks, ArticleDate(None, "undated"))
    article.text = "\n\n".join(body)
    offset = 0
    for index, line in enumerate(body):
        article.sentences.append(Sentence(index, offset, offset + len(line), index))
        article.block_starts.append(offset)
        offset += len(line) + 2
    return find_dates(article)


def to_analysed_article(doc: dict) -> Article:
    """The same document through the builder's whole per-article pipeline (entities, quotes, dates…)."""
    from builder.analyse import analyse_article
    from builder.config import Config

    lines = [line for line in doc["text"].split("\n") if line.strip()]
    title, body = (lines[0], lines[1:]) if len(lines) > 1 else ("", lines)
    article = Article(doc["doc_id"], doc["doc_id"], title, [Block(BlockKind.PARAGRAPH, line) for line in body],
                      ArticleDate(None, "undated"))
    return analyse_article(article, Config())


def b_cubed(predicted: list[int], gold: list[str]) -> tuple[float, float, float]:
    by_pred: dict[int, list[int]] = {}
    by_gold: dict[str, list[int]] = {}
    for i, (p, g) in enumerate(zip(predicted, gold, strict=True)):
        by_pred.setdefault(p, []).append(i)
        by_gold.setdefault(g, []).append(i)
    precision = recall = 0.0
    for i, (p, g) in enumerate(zip(predicted, gold, strict=True)):
        same = sum(1 for j in by_pred[p] if gold[j] == g)
        precision += same / len(by_pred[p])
        recall += same / len(by_gold[g])
        del i
    n = len(gold)
    precision, recall = precision / n, recall / n
    return precision, recall, 2 * precision * recall / (precision + recall)


def adjusted_rand(predicted: list[int], gold: list[str]) -> float:
    pairs = Counter(zip(predicted, gold, strict=True))
    index = sum(comb(v, 2) for v in pairs.values())
    a = sum(comb(v, 2) for v in Counter(predicted).values())
    b = sum(comb(v, 2) for v in Counter(gold).values())
    expected = a * b / comb(len(gold), 2)
    maximum = (a + b) / 2
    return (index - expected) / (maximum - expected) if maximum != expected else 1.0


def labels_of(groups: list[list[int]], count: int) -> list[int]:
    labels = [0] * count
    for number, group in enumerate(groups):
        for i in group:
            labels[i] = number
    return labels


def score(labels: list[int], docs: list[dict], topics: set[int] | None, exclude: set[int] | None = None) -> dict:
    keep = [i for i, d in enumerate(docs) if (topics is None or d["topic"] in topics)
            and not (exclude and d["topic"] in exclude)]
    predicted = [labels[i] for i in keep]
    gold = [docs[i]["subtopic"] for i in keep]
    p, r, f = b_cubed(predicted, gold)
    return {"P": p, "R": r, "F1": f, "ARI": adjusted_rand(predicted, gold), "docs": len(keep),
            "events": len(set(predicted))}


def run(features, docs, params: ClusterParams) -> tuple[list[int], int]:
    groups = cluster_articles(features, params)
    return labels_of(groups, len(docs)), len(groups)


def tune(features, docs, base: ClusterParams, grid: dict[str, list[float]]) -> ClusterParams:
    """The grid point with the best B³ F1 on the dev topics (pair evidence computed once)."""
    evidence = pair_evidence(features, base)
    best, best_f1 = base, -1.0
    keys = list(grid)
    for values in product(*(grid[k] for k in keys)):
        params = replace(base, **dict(zip(keys, values, strict=True)))
        groups = average_link(len(features), combine(evidence, params), params.threshold)
        f1 = score(labels_of(groups, len(docs)), docs, DEV_TOPICS)["F1"]
        if f1 > best_f1:
            best, best_f1 = params, f1
    return best


def line(name: str, result: dict) -> str:
    return (f"  {name:<28} B3 P {result['P']:.3f} R {result['R']:.3f} F1 {result['F1']:.3f}  "
            f"ARI {result['ARI']:.3f}  ({result['docs']} docs → {result['events']} events)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tune", action="store_true", help="search the parameters on the dev topics")
    parser.add_argument("--pipeline", action="store_true",
                        help="analyse with the builder's whole pipeline (names from its entity recogniser) instead of "
                             "sentences + dates only (names from capitalised words)")
    parser.add_argument("--reference-weights", action="store_true",
                        help="weigh words by the reference table (events.REFERENCE_PARAMS), not by the documents")
    args = parser.parse_args()
    started = time.perf_counter()
    docs = load_docs()
    articles = [(to_analysed_article if args.pipeline else to_article)(doc) for doc in docs]
    features = [article_features(article) for article in articles]
    prepared = time.perf_counter() - started
    dated = sum(1 for a in articles if a.published.value)
    print(f"ECB+ topics 1–35: {len(docs)} documents, {len(Counter(d['subtopic'] for d in docs))} gold events; "
          f"{dated} documents dated from their text ({prepared:.1f} s to read, date and featurise)")

    base = REFERENCE_PARAMS if args.reference_weights else ClusterParams()
    baseline = tune(features, docs, replace(base, names=0.0, when=0.0),  # words only
                    {"threshold": [x / 100 for x in range(4, 40, 2)]})
    ours = base
    if args.tune:
        ours = tune(features, docs, ours, {"threshold": [x / 100 for x in range(14, 44, 2)],
                                           "names": [0.5, 1.0, 1.5, 2.0], "when": [0.0, 0.15, 0.3, 0.5]})
        print(f"tuned on dev: {ours}")
    for name, params in (("TF-IDF average link", baseline), ("who+what+when (builder)", ours)):
        begun = time.perf_counter()
        labels, count = run(features, docs, params)
        seconds = time.perf_counter() - begun
        print(f"{name} (threshold {params.threshold:.2f}): {count} events formed from all {len(docs)} documents "
              f"in {seconds:.2f} s")
        print(line("dev topics", score(labels, docs, DEV_TOPICS)))
        print(line("other topics (1–35 minus dev)", score(labels, docs, None, exclude=DEV_TOPICS)))
        print(line("all topics 1–35", score(labels, docs, None)))


if __name__ == "__main__":
    main()
