"""Actor resolution on ECB+ (topics 1–35): B³ of the builder's actors against the gold entity chains.

    .venv/bin/python bench/actors_ecb.py [--recogniser rules|spacy]

All 772 documents are resolved together, as one site would be (topics are never used).
Each document becomes an article: one block per sentence (tokens joined with a simple
detokeniser, so every token's character offsets are known); the project's configured recogniser
(builder.analyse.entities.find_entities, Config().recogniser unless --recogniser is given)
finds the mentions, and builder.link.actors.resolve_actors resolves them.

Gold: the HUMAN_PART_* and LOC_* mentions in the coreference-annotated sentences
(coref_annotated_sentences); a gold mention's entity is its cross-document chain, else its
within-document chain, else itself.

Matching rule: a gold mention is *recognised* when a system mention has exactly its character
span, or else contains its head token.  The head is the last token of the gold span before the
first preposition or comma after its first token ("the Promises Treatment Center in Malibu ,
California" → "Center"; "the head of the party" → "head").  An exact match wins over a head match.

Printed: how many gold mentions are recognised, and B³ precision / recall / F1 over the recognised
ones, for the builder's actors and for a baseline that makes one actor per exact surface string.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from builder.analyse.entities import find_entities
from builder.config import Config
from builder.link.actors import resolve_actors
from builder.model import Article, ArticleDate, Block, BlockKind, Sentence

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("BUILD_SITE_DATA", REPO.parent / "shared" / "data"))
GOLD_PREFIXES = ("HUMAN_PART", "LOC_")
NO_SPACE_BEFORE = {",", ".", ":", ";", "?", "!", ")", "]", "}", "%", "'s", "’s", "n't", "'", "''", "'re", "'ve", "'ll",
                   "'d", "'m"}
NO_SPACE_AFTER = {"(", "[", "{", "$", "``", "“"}
HEAD_STOPS = {"in", "of", "at", "on", "from", "for", "with", "near", "to", ",", "(", "who", "which", "that"}


def load_docs(data: Path = DATA) -> list[dict]:
    with gzip.open(data / "ecbplus" / "ecbplus_docs.jsonl.gz", "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def to_article(doc: dict) -> tuple[Article, dict[tuple[int, int], tuple[int, int]]]:
    """The document as an article, and (sentence id, token position) → character span."""
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    parts: list[str] = []
    sentences: list[Sentence] = []
    blocks: list[Block] = []
    starts: list[int] = []
    offset = 0
    for number, (sentence_id, tokens) in enumerate(zip(doc["sentence_ids"], doc["sentences"], strict=True)):
        line = ""
        for position, token in enumerate(tokens):
            if line and token not in NO_SPACE_BEFORE and tokens[position - 1] not in NO_SPACE_AFTER:
                line += " "
            spans[(sentence_id, position)] = (offset + len(line), offset + len(line) + len(token))
            line += token
        sentences.append(Sentence(number, offset, offset + len(line), number))
        blocks.append(Block(BlockKind.PARAGRAPH, line))
        starts.append(offset)
        parts.append(line)
        offset += len(line) + 2
    article = Article(doc["doc_id"], doc["doc_id"], doc["doc_id"], blocks, ArticleDate(None, "undated"))
    article.text = "\n\n".join(parts)
    article.sentences = sentences
    article.block_starts = starts
    return article, spans


def token_index(doc: dict) -> dict[int, tuple[int, int]]:
    """XML t_id → (sentence id, position in sentence); t_ids count the URL sentence of ecbplus files too."""
    flat = [(sid, pos, tok) for sid, toks in zip(doc["sentence_ids"], doc["sentences"], strict=True)
            for pos, tok in enumerate(toks)]
    best, best_hits = 0, -1
    for shift in range(0, 200):  # the number of URL tokens before the first kept sentence
        hits = 0
        for mention in doc["mentions"][:30]:
            ids = [t - 1 - shift for t in mention["t_ids"]]
            if all(0 <= i < len(flat) for i in ids) and " ".join(flat[i][2] for i in ids) == mention["text"]:
                hits += 1
        if hits > best_hits:
            best, best_hits = shift, hits
        if hits == min(30, len(doc["mentions"])):
            break
    return {i + 1 + best: (sid, pos) for i, (sid, pos, _) in enumerate(flat)}


def head_position(tokens: list[str]) -> int:
    for i, token in enumerate(tokens):
        if i > 0 and token.lower() in HEAD_STOPS:
            return i - 1
    return len(tokens) - 1


def gold_mentions(doc: dict, spans, index) -> list[tuple[int, int, int, int, str, str]]:
    """(start, end, head_start, head_end, entity, tag) of the gold actor mentions in annotated sentences."""
    annotated = set(doc["coref_annotated_sentences"])
    found = []
    for mention in doc["mentions"]:
        if not mention["tag"].startswith(GOLD_PREFIXES) or mention["sentence"] not in annotated:
            continue
        places = [index.get(t) for t in mention["t_ids"]]
        if not places or any(p is None or p not in spans for p in places):
            continue
        chars = [spans[p] for p in places]
        head = chars[head_position(mention["text"].split(" "))] if len(chars) == len(mention["text"].split(" ")) \
            else chars[-1]
        entity = mention.get("cross_doc_chain") or (
            f"{doc['doc_id']}:{mention['intra_doc_chain']}" if mention.get("intra_doc_chain") else
            f"{doc['doc_id']}:m{mention['m_id']}")
        found.append((chars[0][0], chars[-1][1], head[0], head[1], entity, mention["tag"]))
    return found


def match(gold, mentions) -> int | None:
    start, end, head_start, head_end = gold[:4]
    for i, m in enumerate(mentions):
        if (m.start, m.end) == (start, end):
            return i
    for i, m in enumerate(mentions):
        if m.start <= head_start and head_end <= m.end:
            return i
    return None


def b_cubed(pairs: list[tuple[str, str]]) -> tuple[float, float, float]:
    """pairs: (predicted cluster, gold cluster) per item."""
    by_pred: Counter = Counter(p for p, _ in pairs)
    by_gold: Counter = Counter(g for _, g in pairs)
    both: Counter = Counter(pairs)
    precision = sum(both[(p, g)] / by_pred[p] for p, g in pairs) / len(pairs)
    recall = sum(both[(p, g)] / by_gold[g] for p, g in pairs) / len(pairs)
    return precision, recall, 2 * precision * recall / (precision + recall)


def prepare(docs: list[dict], config: Config) -> tuple[list[Article], list[list[tuple]]]:
    """Articles with the recogniser's mentions, and each article's gold actor mentions."""
    articles, golds = [], []
    for doc in docs:
        article, spans = to_article(doc)
        articles.append(find_entities(article, config))
        golds.append(gold_mentions(doc, spans, token_index(doc)))
    return articles, golds


def score_pairs(linked: list[Article], golds: list[list[tuple]]):
    """(system pairs, exact-string baseline pairs, tags, number of gold mentions) over the recognised gold mentions."""
    system, baseline, tags = [], [], []
    total = 0
    for article, gold in zip(linked, golds, strict=True):
        for g in gold:
            total += 1
            i = match(g, article.mentions)
            if i is None:
                continue
            mention = article.mentions[i]
            system.append((mention.actor_key or f"{article.source_file}#{i}", g[4]))
            baseline.append((mention.text.lower(), g[4]))
            tags.append(g[5].split("_")[0])
    return system, baseline, tags, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recogniser", choices=["rules", "spacy"], default=Config().recogniser)
    args = parser.parse_args()
    config = Config(recogniser=args.recogniser)
    docs = load_docs()
    began = time.perf_counter()
    articles, golds = prepare(docs, config)
    recognised_at = time.perf_counter()
    actors, linked, report = resolve_actors(articles, config, None)
    resolved_at = time.perf_counter()
    system, baseline, tags, total = score_pairs(linked, golds)
    print(f"ECB+ topics 1-35: {len(docs)} documents, recogniser {args.recogniser!r}")
    print(f"recognition {recognised_at - began:.1f} s, resolution {resolved_at - recognised_at:.1f} s; "
          f"{sum(len(a.mentions) for a in articles)} system mentions, {len(actors)} actors")
    print(f"gold HUMAN_PART_*/LOC_* mentions in annotated sentences: {total}; recognised: {len(system)} "
          f"({100 * len(system) / total:.1f} %; the rest are mostly pronouns and common nouns)")
    for label, pairs in (("builder actors", system), ("baseline: one actor per exact string", baseline)):
        p, r, f = b_cubed(pairs)
        print(f"B3 {label:40s} P {100 * p:5.1f}  R {100 * r:5.1f}  F1 {100 * f:5.1f}")
    for kind in ("HUMAN", "LOC"):
        chosen = [pair for pair, tag in zip(system, tags, strict=True) if tag == kind]
        if chosen:
            p, r, f = b_cubed(chosen)
            print(f"B3 builder actors, {kind:5s} only ({len(chosen):4d} mentions)   "
                  f"P {100 * p:5.1f}  R {100 * r:5.1f}  F1 {100 * f:5.1f}")
    print(f"likely merges reported: {len(report.likely_merges)}; slug clashes: {len(report.slug_clashes)}")


if __name__ == "__main__":
    main()
