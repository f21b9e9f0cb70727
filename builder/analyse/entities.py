"""Named-entity recognition: people, organisations and places in an article's cleaned text.

`find_entities(article, config) -> Article` fills `article.mentions` (and `article.affiliations`,
the nationality and group words such as "Russian" or "Democrats", which are not actors).
`config.recogniser` picks the backend: "rules" (this module, the default) or "spacy"
(`builder.analyse.ner_spacy`).

The rule recogniser works sentence by sentence on a token list:

1. candidates: maximal runs of capitalised tokens, joined through name particles ("van", "al"),
   initials ("K."), "&", and "of"/"for" after an organisation or place word ("Bank of England");
2. junk removal: months, weekdays and other non-entities split a run; a sentence-initial
   common word ("Back", "The") is dropped unless the document writes it capitalised elsewhere;
3. typing, strongest evidence first: a title before the name ("President X", "Mr. X") →
   person; an organisation word in it ("Agency", "Ministry", "Corp") → organisation; the whole
   name in the place gazetteers → place; a place word at its end ("Yellow Sea") → place;
   an acronym → organisation; a known first name → person; "X said" → person;
4. document consistency: a lone surname takes the type of the full name seen in the same
   document; weakly typed names take the type the document gives them elsewhere;
5. sentences in capitals (headlines, datelines) only keep words the gazetteers or the rest of
   the document know.

Word lists are data (builder/analyse/gazetteer/*.txt), loaded once per process.
"""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass, field, replace
from functools import cache, partial
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from builder.config import Config
from builder.model import Article, EntityType, Mention

GAZETTEER = Path(__file__).resolve().parent / "gazetteer"

PER, ORG, LOC = EntityType.PERSON, EntityType.ORGANISATION, EntityType.PLACE
AFFILIATION = "affiliation"  # internal label for nationality/group words
ENTITY_TYPES = {kind.value: kind for kind in EntityType}  # EntityType(x) without the Enum call's cost

# A token: an acronym with dots ("U.S.", "U.N."), a word (letters, inner hyphens and apostrophes,
# but not a possessive "'s"), a number, or any other single character.
TOKEN_RE = re.compile(
    r"(?:[A-Z]\.){2,}"
    r"|[^\W\d_]+(?:[-'’&](?!s\b)[^\W\d_]+)*"
    r"|\d+(?:[.,:/-]\d+)*"
    r"|\S"
)
APOSTROPHES = "'’"
NAME_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "le", "la", "al", "el", "bin",
     "ibn", "ben", "y"}
)
JOINERS = NAME_PARTICLES | {"&"}
OF_WORDS = frozenset({"of", "for", "on"})  # "Bank of England", "Commission for Human Rights"
SPEECH_VERBS = frozenset(
    {"said", "says", "told", "added", "asked", "explained", "noted", "wrote", "argued", "insisted", "according"}
)
LOC_PREPOSITIONS = frozenset({"in", "at", "near", "from", "to", "into", "across", "outside", "inside"})
DOTTED_IN_NAMES = frozenset({"St", "Mt", "Ft", "Jr", "Sr"})  # "St. Petersburg", "Martin Luther King Jr. Day"
ABBREVIATION_DOT = frozenset({"Corp", "Inc", "Ltd", "Co", "Jr", "Sr", "Bros", "Plc"})
ACRONYM_RANK = 5000  # a word in capitals this frequent in lower case is a word, not an acronym ("GOLF", "NATO" is not)
PLAIN_RANK = 5000  # words this frequent make a multi-word name an organisation rather than a person
FIRST_NAME_RANK = 300  # a first name this frequent as a word ("Red", "Will") does not start a person's name
VERY_COMMON = 2000  # a lone capitalised word this frequent in lower case is not taken for a name ("Most", "World")
SCORE_RE = re.compile(r"\d{1,3}(?:-\d{1,3})*$")  # a score or a result after a team: "Surrey 22", "Kent 244", "133-5"
MATCH_WORDS = frozenset({"v", "v.", "vs", "vs."})
CONTRACTIONS = frozenset({"m", "re", "ve", "ll", "d", "t", "M", "RE", "VE", "LL", "D", "T"})
DETERMINERS = frozenset({"the", "a", "an", "her", "his", "their", "its", "our", "your", "my", "this", "that"})
OPENERS = frozenset('"“‘(\'[-—–')  # what may stand before the first word of a sentence
# Verbs and pronouns that a name never has inside it, but a Title Case headline does ("X Has Its Own …",
# "Why We Are …"); prepositions and articles are left out ("Doctors Without Borders", "Bank of America").
HEADLINE_WORDS = frozenset((
    "am", "are", "be", "been", "being", "can", "cannot", "could", "did", "do", "does", "had", "has",
    "have", "he", "her", "him", "how", "is", "it", "its", "me", "must", "my", "our", "she", "should",
    "their", "them", "they", "these", "those", "was", "we", "were", "what", "when", "where", "which",
    "who", "whom", "whose", "why", "would", "you", "your",
))
TAG_MARKS = frozenset("#@/")  # "#VoteForX", "@handle", "r/Forum": written glued to a tag, never a name
DOTTED_ACRONYM = re.compile(r"(?:[A-Z]\.){2,}")  # "U.S.", "U.N."
CAMEL_HUMP = re.compile(r"[a-z][A-Z]")
CAMEL_PART = re.compile(r"(?<=[a-z])(?=[A-Z])")
CAMEL_WORD = re.compile(r"[A-Z][a-z]+|Mc|Mac|O['’]|[A-Z]")  # "Mc"/"O'": "McDonald", "O'Neill"


@dataclass(frozen=True)
class Lexicon:
    """The word lists, loaded once per process."""

    countries: frozenset[str]
    places: frozenset[str]  # countries + aliases + cities/regions
    major: frozenset[str]  # countries + aliases + big cities, states, continents, also in capitals ("LONDON")
    first_names: frozenset[str]
    common: dict[str, int]  # lower-case common English word → frequency rank (0: function words)
    titles: frozenset[str]  # lower case
    org_words: frozenset[str]
    place_words: frozenset[str]
    demonyms: frozenset[str]
    non_entities: frozenset[str]
    event_words: frozenset[str]
    places_upper: dict[str, str]  # "SOUTH KOREA" → "South Korea", for headlines in capitals
    # _name_like's answer for each word seen so far (it depends on the word and these lists only)
    name_like: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)


def _read_list(name: str) -> list[str]:
    path = GAZETTEER / name
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@cache
def lexicon() -> Lexicon:
    countries = frozenset(_read_list("countries.txt")) | frozenset(_read_list("place_aliases.txt"))
    places = countries | frozenset(_read_list("places.txt"))
    major = countries | frozenset(_read_list("major_places.txt"))
    demonyms = set()
    for word in _read_list("demonyms.txt"):
        demonyms.add(word)
        demonyms.add(word + "s")
    return Lexicon(
        countries=countries,
        places=places,
        major=major | {name.upper() for name in major},
        first_names=frozenset(_read_list("first_names.txt")),
        common={**{w: k for k, w in enumerate(_read_list("common_words.txt"), 1)},
                **dict.fromkeys(_read_list("function_words.txt"), 0)},
        titles=frozenset(w.lower() for w in _read_list("titles.txt")),
        org_words=frozenset(_read_list("org_words.txt")),
        place_words=frozenset(_read_list("place_words.txt")),
        demonyms=frozenset(demonyms),
        non_entities=frozenset(_read_list("non_entities.txt")),
        event_words=frozenset(_read_list("event_words.txt")),
        places_upper={name.upper(): name for name in places},
    )


# --- tokens -------------------------------------------------------------------------------------


class Token(NamedTuple):
    start: int  # offsets into the text
    end: int
    text: str


# Tokens are a tenth of the recogniser's time: they are made by C-level passes (map, zip, and tuple.__new__
# in place of NamedTuple's Python-level __new__), not by a Python loop over the matches.
_MAKE_TOKEN = partial(tuple.__new__, Token)
_START, _END, _GROUP = re.Match.start, re.Match.end, re.Match.group


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    end = len(text) if end is None else end
    matches = list(TOKEN_RE.finditer(text, start, end))
    return list(map(_MAKE_TOKEN, zip(map(_START, matches), map(_END, matches), map(_GROUP, matches), strict=True)))


def is_caps_sentence(tokens: list[Token], lex: Lexicon) -> bool:
    """A headline in capitals or in Title Case, or a dateline in capitals: capitals tell nothing there."""
    if tokens and tokens[-1].text in ".:" and not any(map(str.isupper, map(itemgetter(2), tokens))):
        return False  # most sentences, answered by C-level passes: with no word in capitals, and the closing
        # stop ruling out a headline in Title Case, _counted_caps_sentence comes to False for them
    return _counted_caps_sentence(tokens, lex)


def _counted_caps_sentence(tokens: list[Token], lex: Lexicon) -> bool:
    """is_caps_sentence, from the counts of words in capitals, Title Case and common words."""
    words = [text for _, _, text in tokens if len(text) > 1 and text[0].isalpha()]
    upper = sum(map(str.isupper, words))
    if words and ((upper >= 2 and upper / len(words) >= 0.6) or (len(words) == 1 and upper == 1)):
        return True
    long_words = [word for word in words if len(word) >= 4]  # "North Korea Vows Support for Moscow in Visit …"
    titled = sum(1 for word in long_words if word[0].isupper())
    if len(long_words) < 4 or titled / len(long_words) < 0.85 or tokens[-1].text in ".:":
        return False
    # a list of names is Title Case too; a headline has capitalised common words ("Vows", "Support")
    common = sum(1 for word in long_words if word.lower() in lex.common and word not in lex.first_names
                 and word not in lex.places and word not in lex.org_words)
    return common >= 2 and common >= len(long_words) / 2 and not any(t.text[0].isdigit() for t in tokens)


# --- candidates ---------------------------------------------------------------------------------


@dataclass
class Span:
    tokens: list[Token]
    sentence: int
    first_in_sentence: bool
    before: list[Token]  # up to two tokens before the span
    after: list[Token]  # up to two tokens after the span
    type: str | None = None
    strong: bool = False  # typed by direct evidence (title, organisation word, gazetteer …)
    team: bool = False  # a place named as a sports team ("Surrey 22")
    # (tokens list, its words, their text): asked for many times a span, recomputed only when `tokens` is
    # given a new list (the lists themselves are never changed in place)
    _wording: tuple[list[Token], list[str], str] | None = field(default=None, repr=False, compare=False)

    def _words_and_text(self) -> tuple[list[Token], list[str], str]:
        if self._wording is None or self._wording[0] is not self.tokens:
            words = [t.text for t in self.tokens if t.text != "."]
            self._wording = (self.tokens, words, " ".join(words))
        return self._wording

    @property
    def words(self) -> list[str]:
        return self._words_and_text()[1]

    @property
    def text(self) -> str:
        return self._words_and_text()[2]


def _scrambled(text: str) -> bool:
    """Mixed case that is no CamelCase of words: every capital after a small letter must open a word
    ("SoCalGas", "TechCrunch", "KeePassX" are names; "LJnYDHs", "AAIronFist", "DebateFEB" are not)."""
    if not CAMEL_HUMP.search(text):
        return False
    parts = CAMEL_PART.split(text)
    return not all(CAMEL_WORD.fullmatch(part) or (k == len(parts) - 1 and len(part) == 1)
                   for k, part in enumerate(parts))


def _name_like(token: Token, lex: Lexicon) -> bool:
    """A capitalised word that may be (part of) a name; asked ~700 times an article, so answered once per word."""
    known = lex.name_like.get(token.text)
    if known is None:
        known = lex.name_like[token.text] = _name_like_word(token.text, lex)
    return known


def _name_like_word(text: str, lex: Lexicon) -> bool:
    if not text[0].isupper() or text in lex.non_entities:
        return False
    if _scrambled(text):  # "QxTrWvB", "ReportFEB": a link code or words glued to capitals, not a name
        return False
    if "'" in text or "’" in text:  # "I'm", "We’re", "They've" are not names; "O'Brien" is
        return text.replace("’", "'").rsplit("'", 1)[1] not in CONTRACTIONS
    return True


def _of_head(token: Token, lex: Lexicon) -> bool:
    """Words after which "of"/"for" continue a name: "Bank of England", "Gulf of Mexico"."""
    if token.text in lex.org_words or token.text in lex.place_words or token.text in ("Republic", "Kingdom"):
        return True
    return token.text.lower() in lex.titles  # "Secretary of State Mike Pompeo"


def line_starts(text: str, tokens: list[Token]) -> set[int]:
    """Indices of the tokens that open the sentence or a line (after openers such as quotes)."""
    starts: set[int] = set()
    if not tokens:
        return starts
    lines = "\n" in text[tokens[0].start:tokens[-1].end]
    if not lines and "(" not in map(itemgetter(2), tokens):  # the usual sentence: one start, after any openers
        first = next((k for k, tok in enumerate(tokens) if tok.text not in OPENERS), None)
        return starts if first is None else {first}
    opening = True
    for k, tok in enumerate(tokens):
        if lines and k and "\n" in text[tokens[k - 1].end:tok.start]:
            opening = True
        if opening and tok.text not in OPENERS:
            starts.add(k)
            opening = False
        elif tok.text == "(":  # "(Editing by …)": a fresh start inside the sentence
            opening = True
    return starts


def _tagged(tokens: list[Token], k: int) -> bool:
    """A word written glued to "#", "@" or "/": a hashtag, a handle, a path."""
    return k > 0 and tokens[k - 1].text in TAG_MARKS and tokens[k - 1].end == tokens[k].start


def _headline_word(token: Token, lex: Lexicon) -> bool:
    """A capitalised verb or pronoun ("Has", "Its", "Who"): inside a run of capitals, the run is a headline."""
    text = token.text
    return text[0].isupper() and text[1:].islower() and text.lower() in HEADLINE_WORDS and text not in lex.first_names


def _possessive_joins(owner: Token, lex: Lexicon, standalone: Set[str]) -> bool:
    """ "People's Army", "Sheriff's Office": the owner is a plain word, not a name of its own ("Smith's Party")."""
    if owner.text in lex.org_words:
        return False  # "Agency's Office": an organisation owns the thing named after it
    if owner.text.lower() in lex.titles:
        return True  # "Sheriff's Office", "Attorney's Office"
    if not _plain_word(owner.text, lex) or owner.text in lex.places:
        return False  # "Perez's Party": an owner that is a name ends the name
    return owner.text not in standalone  # "Apple's Store" is two names where "Apple" stands alone elsewhere


def candidate_spans(tokens: list[Token], sentence: int, lex: Lexicon, starts: Set[int] = frozenset({0}),
                    standalone: Set[str] = frozenset()) -> list[Span]:
    """Maximal runs of capitalised tokens, with particles, initials and "X of Y" joined in.

    `standalone`: words the document writes capitalised as names of their own (not as an owner "X's"), so
    that "X's Y" is two names there, not one."""
    spans: list[Span] = []
    n = len(tokens)
    known = lex.name_like
    name_like = [known.get(text) for _, _, text in tokens]
    if None in name_like:  # words not seen before in this process
        name_like = [like if like is not None else _name_like(token, lex)
                     for token, like in zip(tokens, name_like, strict=True)]
    resume = 0  # the first token not yet taken into a span (or passed over with a headline)
    for i in compress(range(n), name_like):  # a span starts at a name-like token only
        if i < resume or _tagged(tokens, i):
            continue
        j = i + 1
        headline = False
        while j < n:
            tok = tokens[j]
            if _headline_word(tok, lex) and j + 1 < n and name_like[j + 1]:
                headline = True  # "Rebels Has Its Own …": a headline; the name ends before the verb
                break
            if name_like[j] or (tok.text in lex.non_entities and tok.text in lex.first_names):
                j += 1  # "Theresa May", "Kang Sun Nam": a name that is also a month or a day inside a run
                continue
            nxt = tokens[j + 1] if j + 1 < n else None
            prev = tokens[j - 1]
            if (tok.text in APOSTROPHES and nxt is not None and nxt.text == "s" and j + 2 < n
                    and name_like[j + 2] and _possessive_joins(prev, lex, standalone)
                    and prev.end == tok.start):
                j += 2  # a common word's possessive inside a name: "People's Army"
                continue
            if tok.text in NAME_PARTICLES:  # "Joost van der Westhuizen"
                k = j
                while k < n and k - j < 3 and tokens[k].text in NAME_PARTICLES:
                    k += 1
                if k < n and name_like[k]:
                    j = k
                    continue
                break
            if nxt is None or not name_like[j + 1]:
                break
            if tok.text == "." and (len(prev.text) == 1 or prev.text in DOTTED_IN_NAMES) and prev.end == tok.start:
                j += 1  # an initial: "Sergei K. Shoigu", "St. Petersburg"
            elif tok.text in JOINERS or (tok.text in OF_WORDS and _of_head(tokens[j - 1], lex)):
                j += 1  # "Ludwig van Beethoven", "Procter & Gamble", "Bank of England"
            else:
                break
        span_tokens = tokens[i:j]
        if span_tokens[-1].text in ABBREVIATION_DOT and j < n and tokens[j].text == "." \
                and tokens[j].start == span_tokens[-1].end:
            span_tokens = [*span_tokens, tokens[j]]
        spans.append(Span(span_tokens, sentence, i in starts, tokens[max(0, i - 2):i], tokens[j:j + 2]))
        resume = j
        if headline:  # the rest of the headline is no name either
            while resume < n and (name_like[resume] or tokens[resume].text in OF_WORDS | JOINERS):
                resume += 1
    return spans


# --- typing -------------------------------------------------------------------------------------


def split_titles(span: Span, lex: Lexicon) -> list[Span]:
    """ "Russian Defense Minister Sergei Shoigu" → the person after the last title word."""
    words = [t.text.lower() for t in span.tokens]
    titles = [w in lex.titles or w.rsplit("-", 1)[-1] in lex.titles for w in words]  # "Major-General"
    for k in range(1, len(words) - 1):  # "Secretary of State", "Minister of Defence": one title
        if words[k] in OF_WORDS and titles[k - 1]:
            titles[k] = titles[k + 1] = True
    introduces = bool(span.after) and (span.after[0].text == "." or _name_like(span.after[0], lex))
    if titles[-1] and introduces and not any(t.text in lex.org_words for t in span.tokens):  # "… Gov. Nikki Haley"
        keep = len(words)
        while keep and (titles[keep - 1] or words[keep - 1] in OF_WORDS):
            keep -= 1
        if keep == 0:
            return []  # "Prime Minister", "Attorney General": a role, not a name
        span = Span(span.tokens[:keep], span.sentence, span.first_in_sentence, span.before, span.tokens[keep:keep + 2])
        words, titles = words[:keep], titles[:keep]
    if titles[-1] and all(titles[k] or _plain_word(span.tokens[k].text, lex) or words[k] in OF_WORDS
                          for k in range(len(words))):
        return []  # "Prime Minister", "Vice President", "Secretary of State": a role, not a name
    if titles[-1] and span.after and span.after[0].text in APOSTROPHES:  # "… Smith President's plan": the
        # title starts another phrase (a glued headline), the name ends before it
        keep = len(words)
        while keep and titles[keep - 1]:
            keep -= 1
        if keep and words[keep - 1] not in OF_WORDS and span.tokens[keep - 1].text != ".":
            span = Span(span.tokens[:keep], span.sentence, span.first_in_sentence, span.before,
                        span.tokens[keep:keep + 2])
            words, titles = words[:keep], titles[:keep]
    last_title = -1
    for k in range(len(words) - 1):
        if titles[k]:
            last_title = k
    if last_title < 0 or any(t.text in lex.org_words for t in span.tokens[last_title + 1:]):
        return [span]
    rest = span.tokens[last_title + 1:]
    if rest and rest[0].text == ".":
        rest = rest[1:]
    if not rest:
        return [span]
    head = span.tokens[:last_title + 1]
    person = Span(rest, span.sentence, False, head[-2:], span.after, PER, True)
    out = [person]
    first_title = last_title
    while first_title > 0 and (titles[first_title - 1] or words[first_title - 1] in OF_WORDS):
        first_title -= 1
    before = head[:first_title]
    if before and words[first_title - 1] not in OF_WORDS:
        label = " ".join(t.text for t in before if t.text != ".")
        if label in lex.places or label.replace(".", "") in lex.places:  # "South Carolina Gov. X", "U.S. Envoy X"
            out.append(Span(before, span.sentence, span.first_in_sentence, span.before, head[first_title:], LOC, True))
            return out
        if any(t.text in lex.org_words for t in before):  # "Federal Reserve Governor Lawrence Lindsey"
            out.append(Span(before, span.sentence, span.first_in_sentence, span.before, head[first_title:], ORG, True))
            return out
    # a nationality before the title is an affiliation: "Russian President Vladimir Putin"
    for k in range(len(head) - 1, 0, -1):
        prefix = " ".join(t.text for t in head[:k])
        if prefix in lex.demonyms:
            out.append(Span(head[:k], span.sentence, span.first_in_sentence, span.before, head[k:k + 2], AFFILIATION))
            break
    return out


DEMONYM_SUFFIXES = (("ians", "a"), ("ian", "a"), ("ans", ""), ("an", ""), ("ns", ""), ("n", ""), ("ese", ""),
                    ("is", ""), ("i", ""))


def _derived_demonym(word: str, lex: Lexicon) -> bool:
    """ "Samoan", "Tongans", "Kenyan", "Canadian", "Togolese", "Omani": a country's name plus a demonym ending."""
    for suffix, restore in DEMONYM_SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 2 and word[: -len(suffix)] + restore in lex.countries:
            return True
    return False


def _in_places(words: list[str], lex: Lexicon) -> bool:
    text = " ".join(words)
    if text in lex.places or text.replace(".", "") in lex.places:
        return True
    if words[0] in ("St", "St.") and len(words) > 1:  # "St. Louis", "Saint Louis"
        rest = " ".join(words[1:])
        return "Saint " + rest in lex.places or "St. " + rest in lex.places
    return text.isupper() and text in lex.places_upper  # "SEOUL, South Korea"


def _plain_word(word: str, lex: Lexicon) -> bool:
    """A frequent English word that is not also a first name ("Red", "Planned"; not "Mark")."""
    return len(word) > 2 and 0 < lex.common.get(word.lower(), PLAIN_RANK) < PLAIN_RANK and word not in lex.first_names


def type_span(span: Span, lex: Lexicon) -> None:
    """Give the span a type from its own words and context, and say whether the evidence is strong."""
    words = span.words
    text = span.text
    before = [t.text.lower() for t in span.before if t.text != "."]  # "Mr. X" → "mr"
    after = [t.text.lower() for t in span.after]
    if text in lex.demonyms or (len(words) == 1 and _derived_demonym(text, lex)):
        span.type, span.strong = AFFILIATION, True
        return
    if any(w in lex.event_words for w in words) and not any(w in lex.org_words for w in words):
        span.type = None  # an event or a work: "Korean War", "World Cup"
        return
    if _in_places(words, lex):
        if span.text not in lex.countries and (
            (after and (SCORE_RE.match(after[0]) or after[0] in MATCH_WORDS)) or (before and before[-1] in MATCH_WORDS)
        ):
            span.type, span.strong, span.team = ORG, True, True  # a team: "Surrey 22", "Chelsea v Arsenal"
        elif len(words) == 1 and after and after[0] in SPEECH_VERBS and span.text not in lex.major:
            span.type, span.strong = PER, True  # "Dole said"
        else:
            span.type, span.strong = LOC, True
        return
    if any(w in lex.org_words or w == "&" for w in words):  # "Defense Ministry", "Procter & Gamble"
        span.type, span.strong = ORG, True
        return
    if before and before[-1] in lex.titles:  # "President X", "leader Kim Jong Un"
        span.type, span.strong = PER, True
        return
    if len(words) > 1 and words[-1] in lex.place_words:
        span.type, span.strong = LOC, True
        return
    if len(words) == 1 and (words[0].isupper() or DOTTED_ACRONYM.fullmatch(words[0])):
        rank = lex.common.get(words[0].lower(), ACRONYM_RANK) if words[0].isalpha() else ACRONYM_RANK
        if len(words[0]) == 1 or rank < ACRONYM_RANK:
            span.type = None  # a capital letter, or a word in capitals ("GOLF", "CAPS")
        else:
            span.type, span.strong = ORG, True
        return
    said = bool(after) and after[0] in SPEECH_VERBS  # "Kim Jong Un said"; alone, "Apple said" is no cue
    if len(words) > 1:
        initials = len(span.tokens) > 2 and len(words[0]) == 1 and span.tokens[1].text == "."  # "S. Waugh"
        rank = lex.common.get(words[0].lower(), FIRST_NAME_RANK)
        first_name = words[0] in lex.first_names and rank >= FIRST_NAME_RANK
        if first_name or said or initials:
            span.type, span.strong = PER, True
        elif any(_plain_word(w, lex) or w in lex.places for w in words):
            span.type = ORG  # "Red Star", "Air France", "Planned Parenthood": names made of words
        elif before and before[-1] in ("in", "at", "near"):
            span.type = LOC  # "at Punta Tombo"
        else:
            span.type = PER  # "Kang Sun Nam", "Yoon Suk Yeol": names made of names
        return
    if before and before[-1] in LOC_PREPOSITIONS and not (before[-1] in ("to", "from") and _after_possessive(span)):
        span.type = LOC
    elif after and after[0] in ("administration", "presidency"):
        span.type = PER  # "the Biden administration"
    elif words[0] in lex.first_names:
        span.type = PER
    else:
        span.type = ORG  # a lone unknown name: organisations are named alone more often than people


def _after_possessive(span: Span) -> bool:
    """ "from Smith's campaign", "to Acme's rivals": the name owns what follows, so it is no destination."""
    return bool(span.after) and span.after[0].text in APOSTROPHES


# --- the recogniser -----------------------------------------------------------------------------


def _strip_demonym_prefix(span: Span, lex: Lexicon) -> list[Span]:
    """ "Russian Defense Ministry" → affiliation "Russian" + organisation "Defense Ministry"."""
    tokens = span.tokens
    for k in (2, 1):
        if len(tokens) > k and " ".join(t.text for t in tokens[:k]) in lex.demonyms and span.text not in lex.places:
            rest = tokens[k:]
            if len(rest) == 1 and rest[0].text.lower() in lex.common and rest[0].text not in lex.org_words:
                return [Span(tokens[:k], span.sentence, span.first_in_sentence, span.before, rest, AFFILIATION)]
            if len(rest) <= 2 or not any(t.text in lex.org_words for t in rest):
                if " ".join(t.text for t in tokens) in lex.places:
                    return [span]
                return [
                    Span(tokens[:k], span.sentence, span.first_in_sentence, span.before, rest[:2], AFFILIATION),
                    Span(rest, span.sentence, False, tokens[max(0, k - 2):k], span.after),
                ]
    return [span]


def _strip_article(span: Span, lex: Lexicon) -> Span | None:
    """A function word before a name ("The", "To", "It") is not part of it, unless it is a place ("The Hague")."""
    first = span.tokens[0].text
    if lex.common.get(first.lower()) != 0 or first in lex.major or span.text in lex.places:
        return span
    if len(span.tokens) > 1 and first in lex.first_names and first not in ("The", "A", "An"):
        return span  # "Will Smith"
    rest = span.tokens[1:]
    if not rest or not _name_like(rest[0], lex):
        return None
    return Span(rest, span.sentence, False, [span.tokens[0]], span.after)


def _drop_initial_common_word(span: Span, lex: Lexicon, mid_caps: set[str]) -> Span | None:
    """A sentence's first word is capitalised anyway: keep it only with evidence it is a name."""
    if not span.first_in_sentence:
        return span
    first = span.tokens[0].text
    lower = first.lower()
    if first in mid_caps or first in lex.major or first in lex.demonyms or lower not in lex.common:
        return span
    prefixes = (" ".join(t.text for t in span.tokens[:k]) for k in (2, 3))
    known_start = first in lex.first_names or first in lex.places or any(p in lex.places for p in prefixes)
    if len(span.tokens) > 1 and lex.common[lower] > 0 and any(t.text in lex.org_words for t in span.tokens[1:]):
        return span  # "First Chicago NBD Corp.", "General Motors Corp."
    if len(span.tokens) > 1 and known_start and lex.common[lower] > 0 and span.tokens[1].text not in OF_WORDS:
        return span  # "John Smith said …", "New York is …"
    if (first in lex.places or first in lex.places_upper) and lex.common[lower] > VERY_COMMON:
        return span  # a place that is also a rare word; "SEOUL, South Korea (AP) —"
    if len(span.tokens) == 1:
        return None
    rest = span.tokens[1:]  # "Analysts Kim Jong Un" cannot be: drop the common word, keep the rest
    if rest[0].text in OF_WORDS or not _name_like(rest[0], lex):
        return None
    return Span(rest, span.sentence, False, [span.tokens[0]], span.after)


def recognise(text: str, sentences: list[tuple[int, int]]) -> tuple[list[Mention], list[tuple[int, int, str, int]]]:
    """The rule recogniser over text split into sentences (start, end): mentions and affiliations."""
    lex = lexicon()
    sentence_tokens = [tokenize(text, start, end) for start, end in sentences]
    caps = [is_caps_sentence(tokens, lex) for tokens in sentence_tokens]
    starts = [line_starts(text, tokens) for tokens in sentence_tokens]
    # words seen capitalised away from the start of a sentence: evidence that a word is a name
    mid_caps: set[str] = set()
    standalone: set[str] = set()
    for index, tokens in enumerate(sentence_tokens):
        if caps[index]:
            continue
        capitalised = map(str.isupper, map(itemgetter(0), map(itemgetter(2), tokens)))  # C-level: token.text[0]
        for k in compress(range(len(tokens)), capitalised):
            tok = tokens[k]
            if k not in starts[index] and tokens[k - 1].text not in ".:!?":
                mid_caps.add(tok.text)
                if k + 1 == len(tokens) or tokens[k + 1].text not in APOSTROPHES:
                    standalone.add(tok.text)  # a name of its own here, not an owner ("X's")

    spans: list[Span] = []
    for index, tokens in enumerate(sentence_tokens):
        if caps[index]:
            continue
        for span in candidate_spans(tokens, index, lex, starts[index], standalone):
            kept = _drop_initial_common_word(span, lex, mid_caps)
            if kept is not None:
                kept = _strip_article(kept, lex)
            if kept is None:
                continue
            for part in split_titles(kept, lex):
                for piece in _strip_demonym_prefix(part, lex) if part.type is None else [part]:
                    if piece.type is None:
                        type_span(piece, lex)
                    spans.append(piece)

    _document_consistency(spans, lex)
    spans.extend(_caps_sentence_spans(sentence_tokens, caps, spans, lex))

    mentions: list[Mention] = []
    affiliations: list[tuple[int, int, str, int]] = []
    for span in sorted(spans, key=lambda s: s.tokens[0].start):
        start, end = span.tokens[0].start, span.tokens[-1].end
        if span.type == AFFILIATION:
            affiliations.append((start, end, text[start:end], span.sentence))
        elif span.type is not None:
            kind = ENTITY_TYPES.get(span.type) or EntityType(span.type)
            mentions.append(Mention(start, end, text[start:end], kind, span.sentence))
    return mentions, affiliations


def _document_consistency(spans: list[Span], lex: Lexicon) -> None:
    """Weakly typed names take the type the document gives them elsewhere."""
    strong: dict[str, str] = {}
    surnames: dict[str, str] = {}
    org_heads: dict[str, str] = {}
    teams = {span.text for span in spans if span.team}
    for span in spans:
        if span.type == LOC and span.text in teams:
            span.type = ORG  # the document names it as a team elsewhere
        if span.type in (None, AFFILIATION):
            continue
        if span.strong:
            strong.setdefault(span.text, span.type)
        if span.type == PER and (len(span.words) > 1 or span.strong):
            surnames.setdefault(span.words[-1], PER)
            surnames.setdefault(span.words[0], PER)
        if span.type == ORG and span.strong and len(span.words) > 1 and span.words[0] not in lex.places \
                and span.words[0].lower() not in lex.common:
            org_heads.setdefault(span.words[0], ORG)  # "Pirelli SpA" … later "Pirelli"
    for span in spans:
        if span.type in (None, AFFILIATION):
            continue
        if len(span.words) == 1 and span.text not in lex.major and span.text not in surnames \
                and lex.common.get(span.text.lower(), VERY_COMMON) < VERY_COMMON:
            span.type = None  # "Most", "World", "Police": a very common word alone
            continue
        if len(span.words) == 1 and span.text.lower() in lex.titles and span.text not in surnames and (
            (span.before and span.before[-1].text.lower() in DETERMINERS)
            or (span.after and span.after[0].text in (".", "of")) or not span.after
        ):
            span.type = None  # "Gov", "Sgt" alone; "Major" stays when "John Major" is in the document
            continue
        if len(span.words) == 1 and span.words[0] in surnames and span.text not in lex.major:
            if not (span.strong and span.type == ORG):
                span.type = PER
            continue
        if not span.strong and span.text in strong:
            span.type = strong[span.text]
        elif not span.strong and len(span.words) == 1 and span.text in org_heads:
            span.type = ORG
    previous: Span | None = None
    for span in spans:  # "Shoigu and Li": a weakly typed name takes the type of the person it is paired with
        if previous is not None and not span.strong and len(span.words) == 1 and previous.type == PER \
                and previous.sentence == span.sentence and len(span.before) == 2 \
                and span.before[-1].text in ("and", "or") and span.before[0] == previous.tokens[-1]:
            span.type = PER
        if span.type not in (None, AFFILIATION):
            previous = span
    for span in list(spans):  # "the Kim-Shoigu meeting": two people
        if len(span.tokens) == 1 and "-" in span.text and span.type not in (None, AFFILIATION):
            parts = span.text.split("-")
            if len(parts) == 2 and all(p in surnames for p in parts):
                tok = span.tokens[0]
                left = Token(tok.start, tok.start + len(parts[0]), parts[0])
                right = Token(left.end + 1, tok.end, parts[1])
                span.tokens, span.type = [left], PER
                spans.append(Span([right], span.sentence, False, [left], span.after, PER, True))


def _caps_sentence_spans(sentence_tokens: list[list[Token]], caps: list[bool], known: list[Span],
                         lex: Lexicon) -> list[Span]:
    """Headlines and datelines in capitals: keep only names the gazetteers or the document know."""
    by_upper: dict[str, str] = {}
    for span in known:
        if span.type not in (None, AFFILIATION):
            by_upper.setdefault(span.text.upper(), span.type)
            if span.type == PER and len(span.words) > 1:
                by_upper.setdefault(span.words[-1].upper(), PER)
    found: list[Span] = []
    for index, tokens in enumerate(sentence_tokens):
        if not caps[index]:
            continue
        i, n = 0, len(tokens)
        while i < n:
            match = None
            if not tokens[i].text[0].isupper():
                i += 1
                continue
            for j in range(min(n, i + 5), i, -1):  # longest run first
                words = " ".join(t.text for t in tokens[i:j]).upper()
                if words in by_upper:
                    match = (j, by_upper[words])
                    break
                if words in lex.major or (
                    words in lex.places_upper and lex.common.get(words.lower(), VERY_COMMON) >= VERY_COMMON
                ):
                    team = j < n and SCORE_RE.match(tokens[j].text) and words.title() not in lex.countries
                    match = (j, ORG if team else LOC)  # "BOSTON 74 56 .569": a team in a results table
                    break
                if words.title() in lex.demonyms:
                    match = (j, AFFILIATION)
                    break
            if match is None:
                i += 1
                continue
            j, kind = match
            found.append(Span(tokens[i:j], index, i == 0, tokens[max(0, i - 2):i], tokens[j:j + 2], kind, True))
            i = j
    return found


def find_entities(article: Article, config: Config) -> Article:
    """Component: article.mentions (people, organisations, places) and article.affiliations."""
    if getattr(config, "recogniser", "rules") == "spacy":
        from builder.analyse.ner_spacy import find_entities_spacy

        return find_entities_spacy(article, config)
    if not article.sentences:
        return replace(article, mentions=[], affiliations=[])
    mentions, affiliations = recognise(article.text, [(s.start, s.end) for s in article.sentences])
    return replace(article, mentions=mentions, affiliations=affiliations)
