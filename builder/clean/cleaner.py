"""Apply the boilerplate rules to an article draft: a pure function, one small named step after another.

Each step takes the working copy and the rules, removes what it recognises and records a Removal for it:

    boilerplate      block / inline rules, block by block
    tail             a "Related …" heading and the short link list after it
    trailing         trailing junk ("Source", "Source link", a reporter's bio)
    credit-lines     "(Reporting by …; Editing by …)", "… contributed to this report." → credits
    byline           "By Associated Press" → credits.byline / agency
    dateline         "SEOUL, South Korea (AP) —" at the start of the first paragraph → credits
    glue             "Ukraine.North" → "Ukraine. North"; "NorthLee" → "North. Lee" (on evidence)

STEPS lists them in order; a step can be dropped or measured alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from builder.clean import metadata
from builder.clean.glue import FUSED, FusedWords, repair_glued_sentences
from builder.clean.rules import Rules
from builder.model import Article, Block, BlockKind, Credits, Problem, Removal
from builder.read.publisher import UNKNOWN_SOURCE

_SPACES = re.compile(r"[ \t\u00a0\u200b\ufeff]+")
TAIL_BLOCK_MAX_WORDS = 30  # blocks after a "Related …" heading must all be this short (titles of links)
BYLINE_ZONE = 3  # a byline block is looked for among the first and last blocks only
CREDIT_ZONE = 4  # credit lines among the last blocks only


def _tidy(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _keep(block: Block, text: str) -> Block:
    return block if text == block.text else replace(block, text=text)


def remove_boilerplate(article: Article, rules: Rules) -> Article:
    """Whole-block and inline rules, block by block (a block rule is tried before and after inline removal).

    An image block keeps its image: only inline and caption-credit rules apply to its caption.
    """
    blocks: list[Block] = []
    for block in article.blocks:
        text = _tidy(block.text)
        if block.kind is BlockKind.IMAGE:
            text = _remove_inline(article, rules.of_kind("inline") + rules.of_kind("caption-credit"), text)
            if text:  # an image whose caption was only a credit goes with it
                blocks.append(_keep(block, text))
            continue
        rule = rules.first_block_match("block", text)
        if rule is None:
            before = text
            text = _remove_inline(article, rules.of_kind("inline"), text)
            rule = rules.first_block_match("block", text) if text and text != before else None
        if rule is not None:
            article.removals.append(Removal(rule.name, text))
        elif text:
            blocks.append(_keep(block, text))
    article.blocks = blocks
    return article


def _remove_inline(article: Article, inline_rules, text: str) -> str:
    for inline in inline_rules:
        if inline.may_match(text) and inline.regex.search(text):
            for match in inline.regex.finditer(text):
                if match.group(0).strip():
                    article.removals.append(Removal(inline.name, match.group(0).strip()))
            text = _tidy(inline.regex.sub(" ", text))
    return text


def _first_match(rules, text: str):
    for rule in rules:
        if rule.matches_block(text):
            return rule
    return None


def cut_tail(article: Article, rules: Rules) -> Article:
    """A "Related …" heading goes with what follows when that is only a short list; otherwise alone."""
    tail_rules = rules.of_kind("tail")
    for index, block in enumerate(article.blocks):
        rule = _first_match(tail_rules, block.text)
        if rule is None:
            continue
        rest = article.blocks[index + 1 :]
        if all(len(after.text.split()) <= TAIL_BLOCK_MAX_WORDS for after in rest):
            for gone in article.blocks[index:]:
                article.removals.append(Removal(rule.name, gone.text))
            article.blocks = article.blocks[:index]
            return article
        article.removals.append(Removal(rule.name, block.text))
        article.blocks = article.blocks[:index] + rest
        return cut_tail(article, rules)
    return article


def strip_trailing(article: Article, rules: Rules) -> Article:
    trailing = rules.of_kind("trailing")
    while article.blocks:
        rule = _first_match(trailing, article.blocks[-1].text)
        if rule is None:
            break
        article.removals.append(Removal(rule.name, article.blocks.pop().text))
    return article


def lift_credit_lines(article: Article, rules: Rules) -> Article:
    blocks = article.blocks
    for index in range(max(0, len(blocks) - CREDIT_ZONE), len(blocks)):
        found = metadata.find_credit_line(blocks[index].text)
        if found is None:
            continue
        article.removals.append(Removal("credit-line", found.removed))
        _merge(article.credits, found)
        blocks[index] = replace(blocks[index], text=_tidy(found.rest))
    article.blocks = [block for block in blocks if block.text]
    return article


def lift_byline(article: Article, rules: Rules) -> Article:
    zone = list(range(min(BYLINE_ZONE, len(article.blocks))))
    zone += [i for i in range(max(0, len(article.blocks) - BYLINE_ZONE), len(article.blocks)) if i not in zone]
    for index in zone:
        found = metadata.find_byline(article.blocks[index].text)
        if found is not None:
            article.removals.append(Removal("byline", found.removed))
            _merge(article.credits, found)
            del article.blocks[index]
            break
    return article


def lift_dateline(article: Article, rules: Rules) -> Article:
    for index, block in enumerate(article.blocks):
        if block.kind is not BlockKind.PARAGRAPH:
            continue
        if len(block.text.split()) < 6 and index + 1 < len(article.blocks):
            continue  # a short first line ("More", a kicker) is not the first paragraph
        found = metadata.find_dateline(block.text)
        if found is not None and found.rest.strip():
            article.removals.append(Removal("dateline", found.removed))
            _merge(article.credits, found)
            article.blocks[index] = replace(block, text=_tidy(found.rest))
        break
    return article


def repair_glue(article: Article, rules: Rules) -> Article:
    fused = None
    blocks: list[Block] = []
    for block in article.blocks:
        text, repairs = repair_glued_sentences(block.text)
        article.removals.extend(Removal("glued-sentence", repair) for repair in repairs)
        if FUSED.search(text):
            if fused is None:  # the article's own words, gathered only when some block needs them
                fused = FusedWords((b.text for b in article.blocks), rules.whole_words)
            text, repairs = fused.repair(text)
            article.removals.extend(Removal("fused-words", repair) for repair in repairs)
        blocks.append(_keep(block, text))
    article.blocks = blocks
    return article


def _merge(credits: Credits, found: metadata.Found) -> None:
    if found.byline and not credits.byline:
        credits.byline = found.byline
    if found.agency and not credits.agency:
        credits.agency = found.agency
    if found.place and not credits.dateline_place:
        credits.dateline_place = found.place
    credits.contributors.extend(name for name in found.contributors if name not in credits.contributors)
    credits.editors.extend(name for name in found.editors if name not in credits.editors)


def source_from_agency(article: Article, rules: Rules) -> Article:
    """An article whose publisher is unknown but that credits a news agency ("By Associated Press",
    "SEOUL (AP) —") is the agency's story: the agency becomes its source."""
    if article.source == UNKNOWN_SOURCE and article.credits.agency:
        article.source = metadata.AGENCY_SOURCES.get(article.credits.agency, article.credits.agency)
    return article


Step = Callable[[Article, Rules], Article]
STEPS: tuple[tuple[str, Step], ...] = (
    ("boilerplate", remove_boilerplate),
    ("tail", cut_tail),
    ("trailing", strip_trailing),
    ("credit-lines", lift_credit_lines),
    ("byline", lift_byline),
    ("trailing-again", strip_trailing),  # junk that stood before a credit line or byline
    ("dateline", lift_dateline),
    ("glue", repair_glue),
    ("source-from-agency", source_from_agency),
)


def clean_article(article: Article, rules: Rules, steps: tuple[tuple[str, Step], ...] = STEPS) -> Article | Problem:
    """Remove boilerplate, lift in-text metadata into credits, repair glued text.

    Pure: the article passed in is not changed; a cleaned copy (or a Problem when no text is left) comes back.
    """
    credits = article.credits
    work = replace(
        article,
        blocks=list(article.blocks),
        removals=list(article.removals),
        credits=replace(credits, contributors=list(credits.contributors), editors=list(credits.editors)),
    )
    for _name, step in steps:
        work = step(work, rules)
    work.blocks = [block for block in work.blocks if block.text.strip()]
    if not any(block.kind is not BlockKind.IMAGE for block in work.blocks):
        return Problem(article.source_file, "nothing left after cleaning")
    return work
