"""Extractive summary: the most central sentences, with a lead prior, in article order.

Each candidate sentence is scored by its centrality: how much of the
article's recurring vocabulary it carries (a centroid score — the words that
come back in many sentences are what the article is about), plus its overlap
with the headline.  A position prior favours the opening sentences, which in
news carry the story.  Junk candidates are left out: very short sentences,
questions, sentences that are only a quotation, text outside paragraphs
(headings, captions).  Then the best sentences are taken greedily, skipping
any that nearly repeats one already chosen, and returned in article order.

Cost: linear in the article's words (no sentence-by-sentence matrix), well under
a millisecond for a typical article.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from builder.config import Config
from builder.model import Article, BlockKind


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


STOPWORDS = _word_set(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
    now of off on once only or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves said says say
    told mr mrs ms one two new year years also last first could would may might must us its it's he's she's
    there's that's we're they're i'm don't didn't doesn't won't can't isn't wasn't aren't weren't according
    including however since even still like well get got make made back much many way going go"""
)
# Sentences opening on these lean on the one before: out of context they dangle.
DANGLING_OPENERS = _word_set(
    "but and or so yet however also still meanwhile instead then thus therefore nevertheless moreover furthermore "
    "he she it they his her its their this that these those such there him them"
)
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_QUOTE_OPEN = "\"“‘'"
_QUOTE_CLOSE = "\"”’'"


@dataclass(frozen=True)
class SummaryWeights:
    """The few knobs of the ranking (defaults chosen on one half of bbc-news, checked on the other)."""

    length_exponent: float = 0.3  # score / words**exponent: 0 favours long sentences, 1 favours dense ones
    position_weight: float = 0.5  # strength of the lead prior
    position_decay: float = 2.0  # the prior halves after this many candidate sentences … roughly
    title_weight: float = 0.5  # share of the score from headline overlap
    quote_penalty: float = 0.5  # a sentence that is only a quotation keeps this share of its score
    dangling_penalty: float = 0.7  # a sentence opening on a pronoun or connective ("But he …") keeps this share
    min_words: int = 6  # shorter sentences are never chosen
    duplicate_overlap: float = 0.5  # Jaccard overlap of content words above which a sentence is a near-duplicate


DEFAULT_WEIGHTS = SummaryWeights()


def content_words(text: str) -> list[str]:
    """Lower-case words of `text` without stop words and possessive endings."""
    words = []
    for word in _WORD.findall(text.lower()):
        if word.endswith(("'s", "’s")):
            word = word[:-2]
        if word not in STOPWORDS and len(word) > 1:
            words.append(word)
    return words


def summary_length(candidates: int, wanted: int) -> int:
    """How many sentences to pick: `wanted`, but about a third of a very short article."""
    return max(0, min(wanted, math.ceil(candidates / 3)))


def rank_sentences(
    sentences: list[str],
    title: str = "",
    eligible: list[bool] | None = None,
    weights: SummaryWeights = DEFAULT_WEIGHTS,
) -> tuple[list[float], list[frozenset[str]]]:
    """Score each sentence (higher is more summary-worthy); ineligible ones score -inf.

    Returns the scores and each sentence's set of content words.
    """
    bags = [frozenset(content_words(s)) for s in sentences]
    # document frequency of each word over sentences: recurring words define the topic (the centroid)
    frequency: Counter[str] = Counter()
    for bag in bags:
        frequency.update(bag)
    title_words = frozenset(content_words(title))
    scores: list[float] = []
    position = 0
    for number, (text, bag) in enumerate(zip(sentences, bags, strict=True)):
        word_count = len(text.split())
        if (eligible is not None and not eligible[number]) or word_count < weights.min_words or _is_question(text):
            scores.append(float("-inf"))
            continue
        centrality = sum(frequency[w] - 1 for w in bag)  # words seen only here add nothing
        centrality /= max(1, len(bag)) ** weights.length_exponent
        if title_words:
            centrality *= 1.0 + weights.title_weight * len(bag & title_words) / len(title_words)
        prior = 1.0 + weights.position_weight * weights.position_decay / (weights.position_decay + position)
        score = centrality * prior
        if _is_only_quote(text):
            score *= weights.quote_penalty
        if position and _opening_word(text) in DANGLING_OPENERS:
            score *= weights.dangling_penalty
        scores.append(score)
        position += 1
    return scores, bags


def select(
    scores: list[float], bags: list[frozenset[str]], count: int, weights: SummaryWeights = DEFAULT_WEIGHTS
) -> list[int]:
    """The best `count` sentences, skipping near-duplicates of chosen ones; in article order."""
    chosen: list[int] = []
    for index in sorted(range(len(scores)), key=lambda i: (-scores[i], i)):
        if len(chosen) >= count or scores[index] == float("-inf"):
            break
        bag = bags[index]
        if any(_jaccard(bag, bags[other]) > weights.duplicate_overlap for other in chosen):
            continue
        chosen.append(index)
    return sorted(chosen)


def summarise(article: Article, config: Config | None = None, weights: SummaryWeights = DEFAULT_WEIGHTS) -> Article:
    """Component: article.summary = indices of the summary sentences, in article order."""
    wanted = getattr(config, "summary_sentences", 3)
    texts = [article.text[s.start : s.end] for s in article.sentences]
    # paragraphs only: block quotes are often embedded posts, headings and captions are not the story
    in_paragraph = [_block_kind(article, s.block) == BlockKind.PARAGRAPH for s in article.sentences]
    if not any(in_paragraph):
        in_paragraph = [True] * len(texts)
    scores, bags = rank_sentences(texts, article.title, in_paragraph, weights)
    candidates = sum(1 for score in scores if score != float("-inf"))
    article.summary = select(scores, bags, summary_length(candidates, wanted), weights)
    return article


def _block_kind(article: Article, block: int) -> BlockKind:
    return article.blocks[block].kind if block < len(article.blocks) else BlockKind.PARAGRAPH


def _opening_word(text: str) -> str:
    match = _WORD.search(text[:40].lower())
    return match.group(0) if match else ""


def _is_question(text: str) -> bool:
    """Questions, and lead-ins ending on a colon, say little on their own."""
    return text.rstrip(_QUOTE_CLOSE + ") ").endswith(("?", ":"))


def _is_only_quote(text: str) -> bool:
    """A sentence that is all quotation, with no attribution outside the marks."""
    return text[:1] in _QUOTE_OPEN and text[-1:] in _QUOTE_CLOSE


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 1.0
