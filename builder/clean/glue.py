"""Repair text that a scraper glued together when it dropped the space between two paragraphs.

    glued sentence   "war in Ukraine.North Korea has"  → "war in Ukraine. North Korea has"  (always)
    fused words      "by the NorthLee Sung Joon, a"     → "by the North. Lee Sung Joon, a"  (on strong evidence only)

A sentence end glued to a capital is always a break; the text before the stop must end in a lower-case
letter or digit, so "U.S.", "U.N.", "J.K." and decimals stay, and the capital must be followed by a
lower-case letter, so "Amazon.com" and "ASP.NET" stay. Tokens that are addresses (with "/", "@", "www.")
are left alone.

Two capitalised words fused into one ("NorthLee") are split only when the fused form appears nowhere else
in the article while both parts do: the first as a word of its own in the article or a name in the builder's
lexicon, the second as a first name or place name of the lexicon (or a sentence starter such as "The" that the
article also uses, or a title such as "President" or "Senator", which opens a new phrase: "SmithPresident's
plan" → "Smith President's plan"). Hashtags and handles (#JebBush, @PaulRyan) are left alone.
Mixed-case names stay whole: Mc/Mac/O'/De/Di/La/Le/Van… prefixes, and the
words listed under [words] whole in the rule files (YouTube, PlayStation, LinkedIn…).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache, cached_property

from builder.clean import lexicon

GLUED = re.compile(r"(?<=[a-z0-9%])(?P<stop>[.!?]+[”\"’)]?)(?P<next>[“\"‘(]?[A-Z][a-z])")
FUSED = re.compile(r"(?<![\w’'@#./-])(?P<a>[A-Z][a-z]+)(?P<b>[A-Z][a-z]+)(?![\w@/-]|\.[a-z])")
_WORD = re.compile(r"(?<![\w’'])[A-Z][a-z]+(?![a-zA-Z])")
_NAME_PREFIXES = frozenset(
    {"Mc", "Mac", "De", "Di", "Da", "Du", "Le", "La", "Van", "Von", "Fitz", "Del", "Della", "Des", "Al", "El", "Ben"}
)
# a second part that is no name must at least be a word that starts sentences ("CruzThe" → "Cruz. The")
_STARTERS = "The A An It He She They We I But And This That These Those There His Her Their Its In At After When While"
SENTENCE_STARTERS = frozenset((_STARTERS + " However Meanwhile Still Yet Some Many Most Other Others").split(" "))
_ADDRESS = re.compile(r"/|@|www\.|\.(?:com|org|net|gov|edu|io)\b", re.IGNORECASE)


@cache
def _titles() -> frozenset[str]:
    """Titles that open a phrase ("President", "Senator"), lower case: the recogniser's list."""
    from builder.analyse.entities import GAZETTEER

    lines = (GAZETTEER / "titles.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if len(line.strip()) > 3 and not line.startswith("#"))


def _token_around(text: str, index: int) -> str:
    start = text.rfind(" ", 0, index) + 1
    end = text.find(" ", index)
    return text[start : end if end >= 0 else len(text)]


def repair_glued_sentences(text: str) -> tuple[str, list[str]]:
    """Insert the missing space after a sentence end glued to the next sentence; say what was repaired."""
    if not GLUED.search(text):
        return text, []
    repairs: list[str] = []
    pieces: list[str] = []
    last = 0
    for match in GLUED.finditer(text):
        token = _token_around(text, match.start())
        if _ADDRESS.search(token):
            continue
        cut = match.start("next")
        pieces.append(text[last:cut])
        pieces.append(" ")
        last = cut
        before = token[: token.find(match["stop"]) + len(match["stop"])] if match["stop"] in token else token
        after = re.match(r"\S+", text[cut:])
        glued = f"{before}{after.group(0) if after else ''}"
        repairs.append(f"{glued} → {before} {after.group(0) if after else ''}".strip())
    pieces.append(text[last:])
    return "".join(pieces), repairs


@cache
def _whole_word_sets(whole_words: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The words kept whole, as written and in lower case: made once per rule set, not once per article."""
    whole = frozenset(whole_words)
    return whole, frozenset(word.lower() for word in whole)


class FusedWords:
    """Decides, for one article, which fused capitalised words to split."""

    def __init__(self, texts: Iterable[str], whole_words: Iterable[str]) -> None:
        self.texts = list(texts)
        self.whole, self.whole_lower = _whole_word_sets(tuple(whole_words))
        self.names = lexicon.names()

    @cached_property
    def words(self) -> Counter[str]:
        """Capitalised words standing on their own anywhere in the article."""
        return Counter(word for text in self.texts for word in _WORD.findall(text))

    @cached_property
    def fused(self) -> Counter[str]:
        return Counter(match.group(0) for text in self.texts for match in FUSED.finditer(text))

    def evidence(self, word: str) -> bool:
        return word in self.words or lexicon.fold(word) in self.names

    def should_split(self, a: str, b: str) -> bool:
        fused = a + b
        if fused in self.whole or fused.lower() in self.whole_lower or a in _NAME_PREFIXES:
            return False
        title = b.lower() in _titles()
        if lexicon.fold(b) not in self.names and b not in SENTENCE_STARTERS and not title:
            return False  # cheap test first: most mixed-case words end in no name ("PowerPoint")
        if self.fused[fused] > 1 or fused in self.words:  # written so more than once: a real word
            return False
        if len(a) < 2 or not self.evidence(a):
            return False
        # the second part must be a name or place (lexicon), or a sentence starter the article also uses
        return lexicon.fold(b) in self.names or (b in SENTENCE_STARTERS and b in self.words) or title

    def repair(self, text: str) -> tuple[str, list[str]]:
        if not FUSED.search(text):
            return text, []
        repairs: list[str] = []
        pieces: list[str] = []
        last = 0
        for match in FUSED.finditer(text):
            a, b = match["a"], match["b"]
            if not self.should_split(a, b):
                continue
            joint = ". " if _at_sentence_boundary(text, match.start(), match.end()) else " "
            pieces.append(text[last : match.start()])
            pieces.append(f"{a}{joint}{b}")
            last = match.end()
            repairs.append(f"{a}{b} → {a}{joint}{b}")
        pieces.append(text[last:])
        return "".join(pieces), repairs


def _at_sentence_boundary(text: str, start: int, end: int) -> bool:
    """A fused pair inside a long run-on (clauses of 3+ words on both sides) marks a lost sentence end."""
    before = re.split(r"[.!?]\s", text[:start])[-1].split()
    after = re.split(r"[.!?](?:\s|$)", text[end:])[0].split()
    return len(before) >= 3 and len(after) >= 3
