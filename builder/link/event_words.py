"""The words events are found and grouped by, read from one article alone: the per-article part of events.

The event types table (event_types.toml, and a site's own site/event_types.toml), the trigger words of an
article's sentences (`packed_triggers`) and its content words (`packed_words`) are worked out in the
per-article stage (builder.link.prepare, cached with the analysis) and read back in linking
(`SentenceTriggers`, `words_of`), which falls back on the same functions for an article made outside that
stage.  This module is in the analysis cache's key (builder.cache.ANALYSIS_CODE) and events.py, which groups
and labels events across articles, is not: whatever the per-article stage computes lives here and events.py
imports it, so that changing how events are grouped does not make every article be analysed again.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from sys import intern

from builder.model import Article

TYPES_FILE = Path(__file__).with_name("event_types.toml")
EVENT_TYPES_NAME = "event_types.toml"  # a site's own event types, in site/


def word_list(text: str) -> list[str]:
    return text.split()


STOPWORDS = frozenset(
    word_list("""a about above after again against all also an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he her
    here hers him his how i if in into is it its itself just me more most my no nor not now of off on once only or other
    our out over own same she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why will with would you
    your said says say told according new one two three first last year years week month day time people could
    after like just since still many much even back well made make get got go going us mr mrs ms""")
)


# ---------------------------------------------------------------- event types (data)


@dataclass(frozen=True)
class EventType:
    name: str
    label: str
    rank: int
    verbs: tuple[str, ...]
    nouns: tuple[str, ...]
    takes_object: bool = True


def load_event_types(extra: Path | None = None) -> list[EventType]:
    """The built-in table, extended (or overridden type by type) by a user's site/event_types.toml."""
    table = tomllib.loads(TYPES_FILE.read_text(encoding="utf-8"))
    if extra is not None and extra.is_file():
        table.update(tomllib.loads(extra.read_text(encoding="utf-8")))
    return [
        EventType(name, spec.get("label", name), int(spec.get("rank", 5)), tuple(spec.get("verbs", ())),
                  tuple(spec.get("nouns", ())), bool(spec.get("object", True)))
        for name, spec in table.items()
    ]


@dataclass(frozen=True)
class TriggerMatch:
    """A trigger word found in a sentence (the same reading interface as a regex match)."""

    kind: EventType
    begin: int
    finish: int
    text: str
    noun: bool = False  # found among the type's nouns (it may still be a verb: "attacks")

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish

    def group(self, number: int = 0) -> str:
        return self.text


# What may follow a verb stem of the table: "attack" → attacks, attacked, attacking, attacker; "sign" never
# matches "significant", nor "elect" "electric", nor "mark" "market".
VERB_ENDINGS = frozenset(word_list("""s es e ed d ing er ers ion ions ation ations ment ments ted ting ned ning ped
ping ged ging ied ies"""))
VERB_ENDINGS = VERB_ENDINGS | {""}


class Triggers:
    """Finds trigger words by dictionary look-ups over the words of a sentence (fast, linear in its words):
    nouns match whole words (or their plural), verbs match words that start with the stem; phrases of up
    to three words are looked up the same way.  The first type of the table that lists a word wins."""

    _WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")

    def __init__(self, types: list[EventType]) -> None:
        self.nouns: dict[str, EventType] = {}
        self.stems: dict[str, EventType] = {}
        for kind in types:
            for noun in kind.nouns:
                self.nouns.setdefault(noun.lower(), kind)
            for verb in kind.verbs:
                self.stems.setdefault(verb.strip().lower(), kind)
        self.stem_lengths = sorted({len(stem) for stem in self.stems}, reverse=True)
        self.phrase_starts = frozenset(p.split()[0] for p in [*self.nouns, *self.stems] if " " in p)
        self.cache: dict[str, EventType | None] = _KindCache(self._find)

    def _lookup(self, phrase: str) -> EventType | None:
        return self.cache[phrase]

    def _find(self, phrase: str) -> EventType | None:
        kind = self.nouns.get(phrase) or (self.nouns.get(phrase[:-1]) if phrase.endswith("s") else None)
        if kind:
            return kind
        for length in self.stem_lengths:
            if length <= len(phrase) and phrase[:length] in self.stems and phrase[length:] in VERB_ENDINGS:
                return self.stems[phrase[:length]]
        return None

    def finditer(self, text: str) -> list[TriggerMatch]:
        # Words are looked up first (findall, one cached dictionary look-up per word); their offsets are
        # found only in sentences that have a trigger.  Called once per sentence of every article.
        # (ASCII text lowered whole gives the same words as each word lowered: the pattern is ASCII letters.)
        words = self._WORD.findall(text.lower()) if text.isascii() else [w.lower() for w in self._WORD.findall(text)]
        cache, phrase_starts, lookup = self.cache, self.phrase_starts, self._lookup
        if phrase_starts.isdisjoint(words):  # the common case: one look-up per word, all in C
            kinds = list(map(cache.__getitem__, words))
            if not any(kinds):
                return []
            hits = [(index, 1, kind, words[index]) for index, kind in enumerate(kinds) if kind]
            return self._matches(text, hits)
        hits: list[tuple[int, int, EventType, str]] = []  # (first word, words, kind, phrase)
        index, count = 0, len(words)
        while index < count:
            word = words[index]
            if word in phrase_starts:
                for size in (3, 2, 1):
                    if index + size > count:
                        continue
                    phrase = " ".join(words[index : index + size]) if size > 1 else word
                    kind = lookup(phrase)
                    if kind:
                        hits.append((index, size, kind, phrase))
                        index += size
                        break
                else:
                    index += 1
                continue
            kind = cache[word]
            if kind:
                hits.append((index, 1, kind, word))
            index += 1
        return self._matches(text, hits)

    def _matches(self, text: str, hits: list[tuple[int, int, EventType, str]]) -> list[TriggerMatch]:
        if not hits:
            return []
        spans = [m.span() for m in self._WORD.finditer(text)]
        found = []
        for index, size, kind, phrase in hits:
            start, end = spans[index][0], spans[index + size - 1][1]
            noun = phrase in self.nouns or (phrase.endswith("s") and phrase[:-1] in self.nouns)
            found.append(TriggerMatch(kind, start, end, text[start:end], noun))
        return found


class _KindCache(dict):
    """Phrase → its event type (or None), found on first look-up; emptied when it grows too large."""

    def __init__(self, find) -> None:
        super().__init__()
        self.find = find

    def __missing__(self, phrase: str) -> EventType | None:
        if len(self) > 500_000:
            self.clear()
        kind = self[phrase] = self.find(phrase)
        return kind


TYPES = load_event_types()
_TRIGGERS = Triggers(TYPES)
_TRIGGERS_OF: dict[tuple[EventType, ...], Triggers] = {}


def triggers_for(types: list[EventType]) -> Triggers:
    """The trigger finder of a table of types (built once per table: a site's own types are one more)."""
    if types is TYPES:
        return _TRIGGERS
    table = tuple(types)
    if table not in _TRIGGERS_OF:
        _TRIGGERS_OF.clear()
        _TRIGGERS_OF[table] = Triggers(types)
    return _TRIGGERS_OF[table]


_TYPES_KEYS: dict[int, tuple[list[EventType], str]] = {}


def types_key(types: list[EventType]) -> str:
    """A hash of a table of event types: triggers found with one table are not read with another."""
    known = _TYPES_KEYS.get(id(types))
    if known is None or known[0] is not types:
        if len(_TYPES_KEYS) > 8:
            _TYPES_KEYS.clear()
        known = _TYPES_KEYS[id(types)] = (types, hashlib.sha256(repr(tuple(types)).encode()).hexdigest()[:16])
    return known[1]


def packed_triggers(article: Article, types: list[EventType]) -> array:
    """Every trigger word of every sentence, as 5 numbers (sentence position, type's index in `types`, start,
    end, is-noun): the per-article part of finding happenings, kept in LinkFeatures.triggers."""
    finder = triggers_for(types)
    index_of = {kind.name: number for number, kind in enumerate(types)}
    packed = array("i")
    for position, sentence in enumerate(article.sentences):
        for m in finder.finditer(article.text[sentence.start : sentence.end]):
            packed.extend((position, index_of[m.kind.name], m.begin, m.finish, m.noun))
    return packed


class SentenceTriggers:
    """The trigger words of one article's sentences: read back from its LinkFeatures when they were found
    with the same types table, found now otherwise (an article made outside the per-article stage)."""

    def __init__(self, article: Article, types: list[EventType]) -> None:
        self.types = types
        features = article.link_features
        self.packed = features.triggers if features is not None and features.types_key == types_key(types) else None
        self.by_sentence: dict[int, list[tuple[int, int, int, int]]] | None = None

    def of(self, position: int, text: str) -> list[TriggerMatch]:
        """The triggers of the sentence at `position` whose text is `text`, as Triggers.finditer(text) finds them."""
        if self.packed is None:
            return triggers_for(self.types).finditer(text)
        if self.by_sentence is None:
            packed, self.by_sentence = self.packed, defaultdict(list)
            for at in range(0, len(packed), 5):
                self.by_sentence[packed[at]].append((packed[at + 1], packed[at + 2], packed[at + 3], packed[at + 4]))
        return [TriggerMatch(self.types[kind], begin, finish, text[begin:finish], bool(noun))
                for kind, begin, finish, noun in self.by_sentence.get(position, ())]


# ---------------------------------------------------------------- content words


_CONTENT_WORD = re.compile(r"[a-z][a-z'-]{2,}")


def content_words(text: str) -> list[str]:
    return [w for w in _CONTENT_WORD.findall(text.lower()) if w not in STOPWORDS]



def article_words(article: Article) -> Counter:
    """What an article tells of: its content words and how often (a word of the title counts 2)."""
    # Interned: every article's counter then shares one string per word (millions of copies otherwise).
    words = Counter({intern(word): count for word, count in Counter(content_words(article.text)).items()})
    for word in content_words(article.title):
        words[intern(word)] += 2
    return words


def packed_words(article: Article) -> tuple[str, array]:
    """article_words as one string of the words (space-separated, in order) and an array of their counts:
    what LinkFeatures keeps (a Counter of strings costs ten times the bytes to keep and to load)."""
    words = article_words(article)
    return " ".join(words), array("I", words.values())


def words_of(article: Article) -> Counter:
    """article_words(article), read back from its LinkFeatures when it has them (the same counter, in the
    same order)."""
    features = article.link_features
    if features is None or features.words is None:
        return article_words(article)
    return Counter(dict(zip(map(intern, features.words.split()), features.word_counts, strict=True)))
