"""Name normalisation for actor resolution: the keys two spellings of one actor share.

- honorifics and titles (Mr., Mrs., President, Gen.) are stripped for matching, never kept in names;
- accents, case, hyphens and dots do not count ("Kim Jong-un" = "Kim Jong Un");
- middle initials do not count for people ("Vladimir V. Putin" = "Vladimir Putin");
- common short forms come from a small data table (`short_forms.toml`: "U.S." = "United States");
- an acronym is the initials of a multi-word name ("Korean Central News Agency" → "KCNA").
"""

from __future__ import annotations

import re
import tomllib
from functools import cache, lru_cache
from pathlib import Path

from unidecode import unidecode

SHORT_FORMS_FILE = Path(__file__).with_name("short_forms.toml")
WORDS_FILE = Path(__file__).with_name("actor_words.toml")
WORDS: dict[str, frozenset[str]] = {
    name: frozenset(words) for name, words in tomllib.loads(WORDS_FILE.read_text(encoding="utf-8")).items()
}

HONORIFICS = WORDS["honorifics"]
CORPORATE_SUFFIXES = WORDS["corporate_suffixes"]  # "Microsoft Corp." = "Microsoft"
# Words that are not part of an actor's name when they lead it ("the United Nations").
LEADING_ARTICLES = frozenset({"the", "a", "an"})
# Small words skipped when forming an acronym ("Bank of England" → "BOE" is not made; "BE" is).
ACRONYM_SKIP = frozenset({"of", "the", "and", "for", "on", "in", "at", "to", "&", "de", "la", "du", "des", "del"})
POSSESSIVE_RE = re.compile(r"['’]s?$")
TOKEN_RE = re.compile(r"[^\W_]+(?:\.[^\W_])*\.?", re.UNICODE)


@cache
def short_forms() -> dict[str, str]:
    """Normalised short form → normalised full name, from the data table."""
    data = tomllib.loads(SHORT_FORMS_FILE.read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for full, shorts in data.get("short_forms", {}).items():
        target = " ".join(plain_tokens(full))
        for short in shorts:
            table[" ".join(plain_tokens(short))] = target
    return table


def plain_tokens(text: str) -> list[str]:
    """Lower-case ASCII word tokens; hyphens and apostrophes split words; dots inside acronyms vanish."""
    text = re.sub(r"['’]s\b", "", unidecode(text).lower())
    text = re.sub(r"(?<=\b[a-z])\.(?=[a-z]\.)", "", text)  # "u.s." → "us."
    text = re.sub(r"(?<=\b[a-z]{2})\.", "", text) if re.fullmatch(r"[a-z.]+", text) else text
    words = re.findall(r"[a-z0-9]+", text)
    return words


def strip_title(surface: str, person: bool = True) -> str:
    """The name without honorifics (people only), leading articles or a possessive: "Mr. Kim's" → "Kim"."""
    words = surface.strip().split()
    while len(words) > 1 and (
        (person and words[0].lower().rstrip(".") in HONORIFICS) or words[0].lower() in LEADING_ARTICLES
    ):
        words = words[1:]
    name = " ".join(words).strip(" ,;:\"'“”‘’()")
    return POSSESSIVE_RE.sub("", name) if len(name) > 2 else name


@lru_cache(maxsize=1 << 18)
def name_tokens(surface: str, person: bool = False) -> tuple[str, ...]:
    """The tokens that identify an actor; for people, single-letter middle initials are dropped."""
    tokens = plain_tokens(strip_title(surface, person))
    if person and len(tokens) > 2:
        inner = [t for t in tokens[1:-1] if len(t) > 1]
        tokens = [tokens[0], *inner, tokens[-1]]
    if not person:
        while len(tokens) > 1 and tokens[-1] in CORPORATE_SUFFIXES:
            tokens = tokens[:-1]
    joined = " ".join(tokens)
    full = short_forms().get(joined)
    if full:
        return tuple(full.split())
    return tuple(tokens)


@lru_cache(maxsize=1 << 18)
def name_key(surface: str, person: bool = False) -> str:
    """The matching key of a name: its tokens joined by spaces ("" when nothing is left)."""
    return " ".join(name_tokens(surface, person))


def compact(key: str) -> str:
    """The key without spaces: romanisations that split a name differently meet ("kim jong un" / "kim jongun")."""
    return key.replace(" ", "")


@lru_cache(maxsize=1 << 18)
def acronym_of(surface: str) -> str | None:
    """The initials of a multi-word name ("Korean Central News Agency" → "kcna"), or None."""
    words = [w for w in re.split(r"[\s\-]+", unidecode(strip_title(surface, False))) if w]
    letters = [w[0] for w in words if w.lower() not in ACRONYM_SKIP and w[0].isalpha()]
    if len(letters) < 2:
        return None
    return "".join(letters).lower()


@lru_cache(maxsize=1 << 18)
def looks_like_acronym(surface: str) -> bool:
    """"KCNA", "NATO", "U.N." — one word in capitals, 2 to 8 letters."""
    name = strip_title(surface, False)
    if " " in name:
        return False
    letters = re.sub(r"[.&]", "", name)
    return 2 <= len(letters) <= 8 and letters.isalpha() and letters.isupper()
