"""Rule-based English sentence splitter that keeps character offsets.

A sentence boundary is a run of terminators (. ! ? …) with any closing quotes
or brackets glued to it, then whitespace, then something that can start a
sentence (a capital, a digit, an opening quote or bracket before one).  What
came before the period then decides: titles ("Mr.", "Gen.") never end a
sentence; ambiguous abbreviations ("U.S.", "Inc.", "Jan.", initials "K.") end
one only when the next word is a typical sentence opener ("The", "He", …).

Sentences never cross blocks, and only whitespace lies between consecutive
sentences of a block: no text is lost.  The word lists below are data.
"""

from __future__ import annotations

import re

from builder.config import Config
from builder.model import Article, Sentence


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Abbreviations that (almost) never end a sentence: titles before a name.
TITLES = _word_set(
    """mr mrs ms messrs mmes dr prof gen gens lt col maj capt cpt cmdr cmdt adm brig sgt cpl pvt sen sens rep reps
    gov govs pres supt insp det rev fr msgr hon amb atty vs v cf approx esp wm chas jas geo thos rt"""
)
# Abbreviations that often sit mid-sentence but may also end one ("… Apple Inc. The company …").
AMBIGUOUS = _word_set(
    """inc corp co ltd llc plc bros jr sr esq etc al dept univ assn ave blvd rd hwy mass calif fla ill penn ariz
    colo conn del ga ind kan ky la md mich minn miss mo mont neb nev okla ore pa tenn tex va vt wash wis wyo jan
    feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun st ste mt ft a.m
    p.m no nos vol pp fig ch art sec op ed eds e.g i.e viz"""
)
# Abbreviations that stay mid-sentence when a number follows: "No. 5", "Jan. 12", "Art. 9".
BEFORE_NUMBER = _word_set("""no nos jan feb mar apr jun jul aug sep sept oct nov dec vol pp fig ch art sec op""")
# Words that typically open a sentence: after an ambiguous abbreviation they mark a boundary.
OPENERS = _word_set(
    """the a an he she it they we i you his her its their our my this that these those there here but and or so yet
    if when while after before as at in on for from by with without since although though however meanwhile
    still also then now today yesterday tomorrow last next earlier later some many most several both all no none
    one two three what who why how where which such other another each every few more officials police mr mrs ms
    dr"""
)

_CLOSERS = "\"'”’)]»"
_OPENERS_CHARS = "\"'“‘([«"
# Candidate boundary: terminators, glued closers, whitespace; group "next" is what follows.
_CANDIDATE = re.compile(r"(?:[.!?]+|…)[\"'”’)\]»]*(\s+)(?=[\"'“‘(\[«]*\S)")
_WORD_BEFORE = re.compile(r"(\S+)$")
_NEXT_WORD = re.compile(r"[\"'“‘(\[«]*([^\s\"'”’)\]»,;:.!?]*)")
# How far back to look for the word before a period: enough for any abbreviation, and it keeps
# splitting linear in the text's length (an unbounded search from 0 is quadratic on a long line).
_LOOKBACK = 64
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]?\.?$")  # U.S. / J.K. / a.m. / K.


def _is_boundary(text: str, term_start: int, term_end: int, next_start: int) -> bool:
    """Decide whether the terminator text[term_start:term_end] ends a sentence."""
    if text[next_start] in ".!?…":
        return False  # a spaced ellipsis ". . ." or stray punctuation
    word = _NEXT_WORD.match(text, next_start)
    following = word.group(1) if word else ""
    first = following[:1]
    if not first:
        # only an opening quote or bracket is visible: trust the terminator unless it is a period after a title
        first = "A"
    # lowercase continues the sentence, except words like "iPhone", "eBay" that may open one
    if first.islower() and not (len(following) > 1 and any(c.isupper() for c in following[1:3])):
        return False
    if text[term_start] != "." or term_end - term_start > 1:
        return True  # ! ? … or a run of dots: a boundary before a capital
    token_match = _WORD_BEFORE.search(text, max(0, term_start + 1 - _LOOKBACK), term_start + 1)
    if token_match is None:
        return True
    token = token_match.group(1).lstrip(_OPENERS_CHARS)
    bare = token[:-1].lower()  # without the final period
    if not bare:
        return True
    starts_number = first.isdigit()
    if bare in TITLES:
        return False
    if starts_number and bare in BEFORE_NUMBER:
        return False
    if bare in AMBIGUOUS or _DOTTED.match(token) or (len(bare) == 1 and bare.isalpha()):
        # "U.S. officials" / "Sergei K. Shoigu" / "Apple Inc. said": not a boundary unless an opener follows
        return following.lower() in OPENERS
    return True


def split_text(text: str) -> list[tuple[int, int]]:
    """Split one block of text into (start, end) spans; only whitespace lies between spans."""
    spans: list[tuple[int, int]] = []
    position = 0
    length = len(text)
    for match in _CANDIDATE.finditer(text):
        space_start = match.start(1)
        term_start = match.start()
        term_end = term_start
        while term_end < space_start and text[term_end] not in _CLOSERS:
            term_end += 1
        if _is_boundary(text, term_start, term_end, match.end(1)):
            _add(text, spans, position, space_start)
            position = match.end(1)
    _add(text, spans, position, length)
    return spans


def _add(text: str, spans: list[tuple[int, int]], start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


def split_sentences(article: Article, config: Config | None = None) -> Article:
    """Component: article.sentences from article.text, block by block, with offsets into article.text."""
    sentences: list[Sentence] = []
    for number, (block, offset) in enumerate(zip(article.blocks, article.block_starts, strict=True)):
        for start, end in split_text(block.text):
            sentences.append(Sentence(len(sentences), offset + start, offset + end, number))
    article.sentences = sentences
    return article
