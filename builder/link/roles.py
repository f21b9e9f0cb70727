"""Roles and descriptions taken from the text around a mention.

Two patterns, both ending on a role noun from the list below (data, extend freely):

- title before the name: "North Korean leader Kim Jong Un", "Russian Defense Minister Sergei Shoigu";
- appositive after the name: "Lee Sung Joon, a spokesperson for South Korea's Joint Chiefs of Staff, said".
"""

from __future__ import annotations

import re
from functools import lru_cache

from builder.link.names import WORDS

ROLE_NOUNS = WORDS["role_nouns"]
ORG_OR_PLACE_NOUNS = WORDS["org_or_place_nouns"]
TITLE_MODIFIERS = WORDS["title_modifiers"]
PERSON_ROLE_NOUNS = ROLE_NOUNS - ORG_OR_PLACE_NOUNS
PLACE_NOUNS = WORDS["place_nouns"]
TITLE_STOPS = WORDS["title_stops"]
ORG_NOUNS = ORG_OR_PLACE_NOUNS - PLACE_NOUNS
# Words that end the noun phrase of an appositive: its head is the word before ("a spokesperson | for …").
PHRASE_ENDS = frozenset({"of", "for", "in", "at", "on", "with", "from", "to", "by", "that", "who", "whom", "which",
                         "whose", "often", "and", "or", "but", "since", "after", "before", "when", "where"})
WORD_RE = re.compile(r"[\w’'.-]+")
APPOSITIVE_END = re.compile(r"[,;:()\"“”]|\.(?:\s|$)| said\b| says\b| told\b")
CLAUSE_VERBS = frozenset(
    {"reported", "reports", "said", "says", "announced", "added", "told", "is", "was", "were", "are"}
)
MAX_TITLE_WORDS = 6
MAX_APPOSITIVE_WORDS = 14


@lru_cache(maxsize=1 << 16)
def _head(word: str) -> str:
    return re.sub(r"['’]s$", "", word).strip(".").lower()


def title_before(text: str, sentence_start: int, mention_start: int, person: bool = True,
                 mention_end: int | None = None) -> str | None:
    """"Russian Defense Minister" from "… with Russian Defense Minister Sergei Shoigu …", and
    "North Korea’s leader" from "North Korea’s leader, Kim Jong-un, vowed" (given the mention's end)."""
    before = text[sentence_start:mention_start]
    if not before.endswith(" "):
        return None
    words = before.split()
    if words and words[-1].endswith(",") and mention_end is not None and text[mention_end : mention_end + 1] == ",":
        words[-1] = words[-1][:-1]  # the name stands in commas after its title
    if not person or not words or words[-1][-1] in ",;:":
        return None  # organisations and places: titles before them are adjectives ("the company's California")
    taken = [words[-1]]
    rest = words[:-1]
    if (len(words) >= 3 and words[-2] == "of" and words[-1][0].isupper()
            and _head(words[-3]) in PERSON_ROLE_NOUNS):  # "Secretary of State Hillary Clinton"
        taken, rest = [words[-1], "of", words[-3]], words[:-3]
    elif _head(words[-1]) not in PERSON_ROLE_NOUNS:
        return None
    for word in reversed(rest):
        if len(taken) >= MAX_TITLE_WORDS or not re.fullmatch(r"[\w’'.-]+", word):
            break
        if word.lower() in TITLE_STOPS:
            break
        if word[0].isupper() or word.lower() in TITLE_MODIFIERS or _head(word) in ROLE_NOUNS:
            taken.append(word)
            continue
        break
    while taken and taken[-1].lower() in {"the", "a", "an"}:
        taken.pop()
    role = " ".join(reversed(taken))
    return role if role else None


def appositive_after(text: str, mention_end: int, sentence_end: int, person: bool = True,
                     place: bool = False) -> str | None:
    """"a spokesperson for South Korea's Joint Chiefs of Staff" from "Lee Sung Joon, a spokesperson for …, said"."""
    after = text[mention_end:sentence_end]
    if not after.startswith(", "):
        return None
    rest = after[2:]
    end = APPOSITIVE_END.search(rest)
    phrase = rest[: end.start()] if end else rest
    words = phrase.split()
    if not 1 <= len(words) <= MAX_APPOSITIVE_WORDS:
        return None
    if words[0][0].isupper() and words[0].lower() not in {"the", "a", "an"}:
        return None  # a list of names ("Kim, Shoigu and Putin"), not a description
    if not person and words[0].lower() not in {"the", "a", "an"}:
        return None  # "Pyongyang, state media reported": a dateline, not a description
    nouns = PERSON_ROLE_NOUNS if person else PLACE_NOUNS if place else ORG_NOUNS
    heads = [_head(w) for w in words[:6]]
    phrase_end = next((i for i, w in enumerate(words) if i > 0 and w.lower() in PHRASE_ENDS), len(words))
    if _head(words[phrase_end - 1]) not in nouns:
        return None  # the head noun says what it is: "the State Department official" is no place
    if any(h in CLAUSE_VERBS for h in map(_head, words)):
        return None  # "Pyongyang, the state media reported": a clause, not a description
    if any(h in {"who", "which", "that", "and"} for h in heads[:2]):
        return None
    phrase = phrase.strip()
    return re.sub(r"^(?:a|an|the)\s+", "", phrase, flags=re.IGNORECASE) or None
