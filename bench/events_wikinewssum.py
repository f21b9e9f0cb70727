"""Combined event summaries vs Wikinews summaries (ROUGE-1/2 F, no stemming), with a lead baseline.

    .venv/bin/python bench/events_wikinewssum.py [--reference-weights]

For the wikinewssum-sample events whose summary is not suspect and that have at least two non-empty English
sources (15 events), each source becomes an article analysed by the builder's own per-article pipeline; the
articles are grouped with `group_events`, and the combined summary of the event (the builder's
`combined_summary` over all the event's reports) is scored against the Wikinews text.  The lead baseline takes
the same number of sentences from the start of the first source, split by the same sentence splitter.
Also prints how many events `group_events` keeps as one event.  --reference-weights: grouped with
event_weights = "reference" (builder/link/reference.py).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rouge_score import rouge_scorer

from builder.analyse import analyse_article
from builder.config import Config
from builder.link.events import combined_summary, find_happenings, group_events, main_happening
from builder.model import Article, ArticleDate, Block, BlockKind

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("BUILD_SITE_DATA", REPO.parent / "shared" / "data"))


def load_events(path: Path | None = None) -> list[dict]:
    path = path or DATA / "wikinewssum-sample" / "wikinewssum_en_sample.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    chosen = []
    for record in records:
        sources = [s for s in record["sources"] if s.get("language") == "en" and (s.get("text") or "").strip()]
        if not record["summary_suspect"] and len(sources) >= 2:
            chosen.append({**record, "sources": sources})
    return chosen


def to_article(record: dict, number: int, source: dict, config: Config) -> Article:
    paragraphs = [p.strip() for p in source["text"].split("\n") if p.strip()]
    name = f"{record['cluster_index']}/{number}.txt"
    published = None
    if record.get("date"):
        try:
            published = datetime.fromisoformat(record["date"]).replace(tzinfo=UTC)
        except ValueError:
            published = None
    article = Article(name, hashlib.sha256(source["text"].encode()).hexdigest(), source.get("title") or "",
                      [Block(BlockKind.PARAGRAPH, p) for p in paragraphs],
                      ArticleDate(published, "metadata" if published else "undated"))
    try:
        return analyse_article(article, config)
    except (OSError, ImportError) as error:  # a component still being written elsewhere: run without it
        print(f"(entities unavailable, analysed without them: {error})", file=sys.stderr)
        return analyse_article(article, config, skip={"entities", "find_quotes"})


def main() -> None:
    config = Config(event_weights="reference" if "--reference-weights" in sys.argv[1:] else "site")
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=False)
    events = load_events()
    totals = {"combined": [0.0, 0.0], "lead": [0.0, 0.0]}
    kept_whole = 0
    print(f"{len(events)} events (summary not suspect, ≥ 2 English sources)")
    print(f"{'event':<58} {'srcs':>4} {'sents':>5}  {'R1 ours':>7} {'R1 lead':>7}  {'R2 ours':>7} {'R2 lead':>7}")
    for record in events:
        articles = [to_article(record, n, s, config) for n, s in enumerate(record["sources"])]
        evidence = []
        for article in articles:
            main = main_happening(find_happenings(article))
            if main:
                evidence.append((article.source_file, main.sentence))
        chosen = combined_summary(articles, evidence)
        by_name = {a.source_file: a for a in articles}
        ours = " ".join(by_name[f].sentence_text(i) for f, i in chosen)
        first = articles[0]
        lead = " ".join(first.sentence_text(s.index) for s in first.sentences[: len(chosen)])
        reference = record["summary"]
        scores = {"combined": scorer.score(reference, ours), "lead": scorer.score(reference, lead)}
        for name, score in scores.items():
            totals[name][0] += score["rouge1"].fmeasure
            totals[name][1] += score["rouge2"].fmeasure
        grouped, _ = group_events([to_article(record, n, s, config) for n, s in enumerate(record["sources"])],
                                  config=config)
        main_events = [e for e in grouped if not e.background]
        if len(main_events) == 1:
            kept_whole += 1
        print(f"{record['title'][:58]:<58} {len(articles):>4} {len(chosen):>5}  "
              f"{scores['combined']['rouge1'].fmeasure:7.3f} {scores['lead']['rouge1'].fmeasure:7.3f}  "
              f"{scores['combined']['rouge2'].fmeasure:7.3f} {scores['lead']['rouge2'].fmeasure:7.3f}")
    n = len(events)
    print(f"mean over {n} events: combined summary ROUGE-1 F {totals['combined'][0] / n:.3f}, "
          f"ROUGE-2 F {totals['combined'][1] / n:.3f}; lead baseline ROUGE-1 F {totals['lead'][0] / n:.3f}, "
          f"ROUGE-2 F {totals['lead'][1] / n:.3f}")
    print(f"group_events kept {kept_whole} of {n} events whole (all their sources in one event)")


if __name__ == "__main__":
    main()
