"""Dates: every date expression in an article, resolved against the article's own date.

`find_dates(article, config)` is a per-article analysis component.  It needs
`article.text` and `article.sentences`; it adds `article.dates` (one DateRef per
expression) and, when the article carries no date, may set `article.published`
to a date inferred from the text (a dated dateline, or "the Nth anniversary of"
an event whose full date the text gives, checked against the weekdays the text
names), saying how.

The expressions are found by small named rules (`RULES`), tried in order; an
expression already claimed by an earlier rule is not matched again.  Relative
expressions ("on Wednesday", "last month", "two days earlier") become DateRefs
with `resolved=False` when there is no article date to resolve them against.
"""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate, chain, compress, islice
from operator import itemgetter, not_, or_

from builder.model import Article, ArticleDate, DateBasis, DateRef, Precision

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": 3, "a few": 3, "few": 3,
}  # fmt: skip
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "twentieth": 20, "twenty-fifth": 25, "thirtieth": 30, "fortieth": 40,
    "fiftieth": 50, "sixtieth": 60, "seventieth": 70, "seventy-fifth": 75, "eightieth": 80, "hundredth": 100,
}  # fmt: skip
# Words that put a bare weekday in the future ("will meet on Friday").
FUTURE_MARKERS = re.compile(r"\b(will|would|is to|are to|plans? to|planned|scheduled|set to|expected to|due to)\b",
                            re.I)

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1[6-9]\d\d|20\d\d|2100)"
_WEEKDAY = r"(?P<weekday>" + "|".join(WEEKDAYS) + r")"
_COUNT = r"(?P<count>\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_UNIT = r"(?P<unit>day|week|month|year)s?"


# ---------------------------------------------------------------- matching only where a rule can start
#
# Every rule's pattern opens with `\b` and a whole word from a short list (a month, a weekday, "last",
# "in", …) or with a number.  Python's `re` tries a pattern like that at every character of the text;
# instead the text's words are indexed once, and each pattern is tried only where one of its opening
# words stands.  The matches are the same as `finditer`'s: the same positions are tried in the same
# order, and a match resumes the scan after its end.

_WORD = re.compile(r"\w+")
DIGITS = "<digits>"  # the index key of words that open with an ASCII digit
NON_ASCII = "<non-ascii>"  # the key of words `re.I` might match to a listed word ("ſince"): always tried


_OPENING_WORDS: set[str] = set()  # every WordAnchored pattern's opening words: the only ones indexed


@lru_cache(maxsize=4)
def _word_starts(text: str) -> dict[str, list[int]]:
    """Where each word that may open a pattern starts, by its lower-case form (numbers under DIGITS).

    The words that cannot are dropped by C-level passes over all the words (findall, split, map,
    compress), so that only the few that can are looked at one by one in Python."""
    words = _WORD.findall(text)
    # the lengths of what lies between the words and of the words, added up: each word's start and end
    offsets = accumulate(map(len, chain.from_iterable(zip(_WORD.split(text), words, strict=False))))
    positions = list(islice(offsets, 0, None, 2))
    opening = map(_OPENING_WORDS.__contains__, map(str.lower, words))
    number = map(str.isdigit, map(itemgetter(0), words))
    non_ascii = map(not_, map(str.isascii, words))
    may_open = map(or_, map(or_, opening, number), non_ascii)
    starts: dict[str, list[int]] = {}
    for position, word in compress(zip(positions, words, strict=True), may_open):
        if not word.isascii():
            key = NON_ASCII
        elif word[0] in "0123456789":
            key = DIGITS
        else:
            key = word.lower()
        starts.setdefault(key, []).append(position)
    return starts


class WordAnchored:
    """A compiled rule pattern and the lower-case words it may open with (DIGITS: a number)."""

    def __init__(self, pattern: str, opening_words: Iterable[str], flags: int = 0) -> None:
        self.pattern = re.compile(pattern, flags)
        self.opening_words = (*frozenset(opening_words), NON_ASCII)
        _OPENING_WORDS.update(opening_words)

    def finditer(self, text: str) -> Iterator[re.Match]:
        """What `self.pattern.finditer(text)` finds (the pattern can start nowhere else)."""
        starts = _word_starts(text)
        candidates = sorted(chain.from_iterable(starts.get(word, ()) for word in self.opening_words))
        resume = 0
        for position in candidates:
            if position < resume:
                continue
            m = self.pattern.match(text, position)
            if m:
                resume = m.end()
                yield m


def _first_words(phrases: Iterable[str]) -> set[str]:
    return {phrase.split()[0] for phrase in phrases}



@dataclass(frozen=True)
class Found:
    """One date expression before resolution: where it is and how to compute its value."""

    start: int
    end: int
    rule: str
    precision: Precision
    compute: Callable[[date | None, list[DateRef]], tuple[date, date | None] | None]


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _nearest_year(month: int, day: int, anchor: date) -> date | None:
    """The year that puts month/day closest to the anchor, preferring the past (news reports what happened)."""
    best, best_cost = None, None
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        value = _day(year, month, day)
        if value is None:
            continue
        delta = (value - anchor).days
        cost = -delta if delta <= 0 else delta * 3
        if best_cost is None or cost < best_cost:
            best, best_cost = value, cost
    return best


def _count(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word.lower()]


def _shift(anchor: date, unit: str, amount: int) -> date:
    unit = unit.lower()
    if unit == "day":
        return anchor + timedelta(days=amount)
    if unit == "week":
        return anchor + timedelta(weeks=amount)
    if unit == "month":
        month = anchor.month - 1 + amount
        year, month = anchor.year + month // 12, month % 12 + 1
        return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))
    return _day(anchor.year + amount, anchor.month, anchor.day) or date(anchor.year + amount, anchor.month, 28)


# ---------------------------------------------------------------- rules: absolute dates


_ISO = WordAnchored(r"\b(?P<year>1[6-9]\d\d|20\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b", [DIGITS])


def rule_iso(text: str) -> Iterator[Found]:
    for m in _ISO.finditer(text):
        value = _day(int(m["year"]), int(m["month"]), int(m["day"]))
        if value:
            yield Found(m.start(), m.end(), "iso", Precision.DAY, lambda a, d, v=value: (v, None))


_MONTH_DAY_YEAR = (
    WordAnchored(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", MONTHS, re.I),
    WordAnchored(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", [DIGITS], re.I),
)


def rule_month_day_year(text: str) -> Iterator[Found]:
    """"July 27, 1953", "Jan. 10 2016", "27 July 1953", "Tuesday, 27 July, 1953"."""
    for pattern in _MONTH_DAY_YEAR:
        for m in pattern.finditer(text):
            value = _day(int(m["year"]), MONTHS[m["month"].lower()], int(m["day"]))
            if value and not m["month"][0].islower():
                yield Found(m.start(), m.end(), "month-day-year", Precision.DAY, lambda a, d, v=value: (v, None))


_NUMERIC = WordAnchored(
    r"\b(?P<month>[01]?\d)\s?/\s?(?P<day>[0-3]?\d)\s?/\s?(?P<year>1[6-9]\d\d|20\d\d|\d\d)\b(?!\s?/)", [DIGITS]
)


def rule_numeric(text: str) -> Iterator[Found]:
    """US style "1/10/2016" or "1/10/16" (month first)."""
    for m in _NUMERIC.finditer(text):
        year = int(m["year"])
        year = year if year > 100 else (2000 + year if year < 50 else 1900 + year)
        value = _day(year, int(m["month"]), int(m["day"]))
        if value:
            yield Found(m.start(), m.end(), "numeric", Precision.DAY, lambda a, d, v=value: (v, None))


_MONTH_DAY = (
    WordAnchored(rf"\b{_MONTH}\s+{_DAY}\b(?!\s*,?\s*\d)", MONTHS, re.I),
    WordAnchored(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?!\s*,?\s*\d)", [DIGITS], re.I),
)


def rule_month_day(text: str) -> Iterator[Found]:
    """"Jan. 10", "July 27", "10 January": the year comes from the article's date."""
    for pattern in _MONTH_DAY:
        for m in pattern.finditer(text):
            month, day = MONTHS[m["month"].lower()], int(m["day"])
            if not 1 <= day <= 31 or m["month"][0].islower():
                continue

            def compute(anchor, dates, month=month, day=day):
                value = _nearest_year(month, day, anchor) if anchor else None
                return (value, None) if value else None

            yield Found(m.start(), m.end(), "month-day", Precision.DAY, compute)


_MONTH_YEAR = WordAnchored(rf"\b{_MONTH}\s+(?:of\s+)?{_YEAR}\b", MONTHS, re.I)


def rule_month_year(text: str) -> Iterator[Found]:
    """"June 1950", "in January of 2016"."""
    for m in _MONTH_YEAR.finditer(text):
        if m["month"][0].islower():
            continue
        year, month = int(m["year"]), MONTHS[m["month"].lower()]
        yield Found(m.start(), m.end(), "month-year", Precision.MONTH,
                    lambda a, d, y=year, mo=month: (date(y, mo, 1), None))


_YEAR_SPAN = (
    WordAnchored(r"\b(?P<first>1[6-9]\d\d|20\d\d)\s*[-–—]\s*(?P<second>\d\d(?:\d\d)?)\b(?!-)", [DIGITS]),
    WordAnchored(r"\b(?:from|between)\s+(?P<first>1[6-9]\d\d|20\d\d)\s+(?:to|and|until|till)\s+"
                 r"(?P<second>1[6-9]\d\d|20\d\d)\b", ["from", "between"]),
)


def rule_year_span(text: str) -> Iterator[Found]:
    """"1950-53", "1950–1953", "from 1950 to 1953", "between 1950 and 1953"."""
    for pattern in _YEAR_SPAN:
        for m in pattern.finditer(text):
            first, second = int(m["first"]), m["second"]
            last = int(second) if len(second) == 4 else first // 100 * 100 + int(second)
            if not first < last <= first + 100:
                continue
            yield Found(m.start(), m.end(), "year-span", Precision.SPAN,
                        lambda a, d, f=first, la=last: (date(f, 1, 1), date(la, 12, 31)))


_YEAR_WORDS = ("in", "since", "of", "by", "until", "till", "before", "after", "from", "during", "early", "late", "mid",
               "around", "through")
_YEAR_AFTER_WORD = WordAnchored(
    rf"(?:\b(?:{'|'.join(_YEAR_WORDS)})[\s-]+|\bthe\s+(?=\d{{4}}\s+[a-z]))(?P<year>1[6-9]\d\d|20\d\d)\b(?![-–,.]?\d)",
    [*_YEAR_WORDS, "the"],
    re.I,
)


def rule_year(text: str) -> Iterator[Found]:
    """A year where the words around it make it one: "in 1953", "since 2001", "the 1953 armistice"."""
    for m in _YEAR_AFTER_WORD.finditer(text):
        year = int(m["year"])
        yield Found(m.start("year"), m.end("year"), "year", Precision.YEAR, lambda a, d, y=year: (date(y, 1, 1), None))


# ---------------------------------------------------------------- rules: relative dates


def _weekday_value(anchor: date, weekday: int, direction: int) -> date:
    if direction > 0:
        return anchor + timedelta(days=(weekday - anchor.weekday()) % 7)
    return anchor - timedelta(days=(anchor.weekday() - weekday) % 7)


_WEEKDAY_WHICH = ("last", "next", "this", "on", "early", "late")
_WEEKDAY_PHRASE = WordAnchored(rf"\b(?:(?P<which>{'|'.join(_WEEKDAY_WHICH)})\s+)?{_WEEKDAY}\b",
                               [*_WEEKDAY_WHICH, *WEEKDAYS], re.I)


def rule_weekday(text: str) -> Iterator[Found]:
    """"on Wednesday", "Thursday", "last Friday", "next Monday", "Wednesday night"."""
    for m in _WEEKDAY_PHRASE.finditer(text):
        if not m["weekday"][0].isupper():
            continue
        weekday = WEEKDAYS[m["weekday"].lower()]
        which = (m["which"] or "").lower()
        sentence_start = max(text.rfind(".", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
        clause = text[sentence_start : m.start()]
        if which == "next":
            direction = 1
        elif which == "last":
            direction = -1
        else:
            direction = 1 if FUTURE_MARKERS.search(clause) else -1

        def compute(anchor, dates, weekday=weekday, direction=direction, which=which):
            if anchor is None:
                return None
            value = _weekday_value(anchor, weekday, direction)
            if which == "last" and value == anchor:
                value -= timedelta(days=7)
            if which == "next" and value == anchor:
                value += timedelta(days=7)
            return value, None

        yield Found(m.start(), m.end(), "weekday", Precision.DAY, compute)


_DAY_OFFSETS = {"the day before yesterday": -2, "the day after tomorrow": 2, "yesterday": -1, "today": 0,
                "tonight": 0, "tomorrow": 1}
_RELATIVE_DAY = WordAnchored(r"\b(" + "|".join(sorted(_DAY_OFFSETS, key=len, reverse=True)) + r")\b",
                             _first_words(_DAY_OFFSETS), re.I)


def rule_relative_day(text: str) -> Iterator[Found]:
    """"yesterday", "today", "tomorrow", "the day before yesterday"."""
    for m in _RELATIVE_DAY.finditer(text):
        offset = _DAY_OFFSETS[m[1].lower()]
        yield Found(m.start(), m.end(), "relative-day", Precision.DAY,
                    lambda a, d, o=offset: (a + timedelta(days=o), None) if a else None)


_RELATIVE_PERIOD = WordAnchored(
    r"\b(?:(?:earlier|later)\s+)?(?P<which>last|this|next|past)\s+(?P<unit>week|month|year)\b",
    ["earlier", "later", "last", "this", "next", "past"],
    re.I,
)


def rule_relative_period(text: str) -> Iterator[Found]:
    """"last month", "this year", "next week", "earlier this month"."""
    for m in _RELATIVE_PERIOD.finditer(text):
        step = {"last": -1, "past": -1, "this": 0, "next": 1}[m["which"].lower()]
        unit = m["unit"].lower()

        def compute(anchor, dates, step=step, unit=unit):
            if anchor is None:
                return None
            if unit == "year":
                return date(anchor.year + step, 1, 1), None
            if unit == "month":
                first = _shift(anchor.replace(day=1), "month", step)
                return first, None
            monday = anchor - timedelta(days=anchor.weekday()) + timedelta(weeks=step)
            return monday, monday + timedelta(days=6)

        precision = {"year": Precision.YEAR, "month": Precision.MONTH, "week": Precision.SPAN}[unit]
        yield Found(m.start(), m.end(), "relative-period", precision, compute)


_COUNT_AGO = WordAnchored(rf"\b{_COUNT}\s+{_UNIT}\s+(?P<way>ago|earlier|later|before|after)\b",
                          [DIGITS, *_first_words(NUMBER_WORDS)], re.I)


def rule_count_ago(text: str) -> Iterator[Found]:
    """"three days ago", "two weeks earlier", "a year later": ago counts from the article's date, earlier and
    later from the last date the text gave before them (or the article's date)."""
    for m in _COUNT_AGO.finditer(text):
        amount = _count(m["count"])
        unit = m["unit"].lower()
        way = m["way"].lower()
        sign = 1 if way in ("later", "after") else -1
        precision = {"day": Precision.DAY, "week": Precision.DAY, "month": Precision.MONTH,
                     "year": Precision.YEAR}[unit]

        def compute(anchor, dates, amount=amount, unit=unit, sign=sign, way=way):
            base = anchor
            if way != "ago":
                earlier = [d for d in dates if d.resolved and d.precision == Precision.DAY]
                base = earlier[-1].value if earlier else anchor
            if base is None:
                return None
            value = _shift(base, unit, sign * amount)
            return value, None

        yield Found(m.start(), m.end(), f"count-{way}", precision, compute)


RULES: list[Callable[[str], Iterator[Found]]] = [
    rule_iso, rule_month_day_year, rule_numeric, rule_year_span, rule_month_year, rule_month_day,
    rule_count_ago, rule_relative_period, rule_relative_day, rule_weekday, rule_year,
]  # fmt: skip


def scan(text: str) -> list[Found]:
    """Every date expression in the text, earlier rules winning overlaps, in text order."""
    taken: list[tuple[int, int]] = []
    found: list[Found] = []
    for rule in RULES:
        for item in rule(text):
            if any(item.start < end and start < item.end for start, end in taken):
                continue
            taken.append((item.start, item.end))
            found.append(item)
    return sorted(found, key=lambda f: f.start)


def resolve(text: str, found: list[Found], sentence_starts: list[int], anchor: date | None) -> list[DateRef]:
    dates: list[DateRef] = []
    for item in found:
        sentence = max(0, bisect.bisect_right(sentence_starts, item.start) - 1)
        wording = _wording(text, item)
        result = item.compute(anchor, dates)
        if result is None:
            dates.append(DateRef(date.min, item.precision, wording, sentence, resolved=False, rule=item.rule))
        else:
            value, end = result
            dates.append(DateRef(value, item.precision, wording, sentence, end, rule=item.rule))
    return dates


def _wording(text: str, item: Found) -> str:
    """The expression as written, with a leading "on"/"in" kept when it is part of the phrase."""
    before = text[max(0, item.start - 3) : item.start]
    start = item.start - 3 if before.lower() in ("on ", "in ") else item.start
    return " ".join(text[start : item.end].split())


# ---------------------------------------------------------------- article date inference

_ANNIVERSARY = re.compile(
    r"\b(?P<n>\d{1,3})(?:st|nd|rd|th)\s+anniversary\s+(?:\w+\s+){0,3}?of\s+(?:the\s+|an?\s+|its\s+|his\s+|her\s+)?"
    r"(?P<what>[\w-]+)|\b(?P<word>" + "|".join(ORDINAL_WORDS) + r")\s+anniversary\s+(?:\w+\s+){0,3}?of\s+"
    r"(?:the\s+|an?\s+|its\s+|his\s+|her\s+)?(?P<what2>[\w-]+)",
    re.I,
)


_FULL_DATE_RULES = ("month-day-year", "iso", "numeric")


@dataclass(frozen=True)
class Inference:
    value: date
    how: str
    basis: DateBasis


def infer_from_dateline(text: str, dates: list[DateRef], sentence_starts: list[int]) -> Inference | None:
    """A full date on a short line of its own among the first lines ("Published May 3, 2013 11:45 AM"), or
    at the head of the first paragraph before the dash of a dateline ("WASHINGTON, Jan. 10, 2016 (AP) —")."""
    full = [ref for ref in dates if ref.precision == Precision.DAY and ref.rule in _FULL_DATE_RULES]
    lines = text.split("\n")[:4]
    for line in lines:
        for ref in full:
            bare = ref.wording.removeprefix("on ").removeprefix("On ")
            position = line.find(bare)
            if position < 0:
                continue
            rest = line[:position] + line[position + len(bare):]
            words = [w for w in re.findall(r"[a-z]+", rest) if w not in ("at", "on", "am", "pm", "a", "p", "m")]
            if len(line.strip()) <= 80 and len(words) <= 2:
                return Inference(ref.value, f"inferred from the date line '{line.strip()}'", DateBasis.DATE_LINE)
            if position < 80 and re.search(r"[—–]|\s-\s|\((?:AP|Reuters|AFP|UPI|\w+)\)", line[position:position + 60]):
                return Inference(ref.value, f"inferred from the dateline '{line[:position + len(bare)].strip()}'",
                                 DateBasis.DATELINE)
    return None


def named_weekdays(dates: list[DateRef]) -> list[tuple[str, int]]:
    return [(ref.wording, WEEKDAYS[ref.wording.split()[-1].lower()]) for ref in dates if ref.rule == "weekday"
            and ref.wording.split()[-1].lower() in WEEKDAYS]


def weekday_distance(day: date, weekdays: list[tuple[str, int]]) -> int:
    """How far the named weekdays lie before a reading of the report's date: the sum of days back to each.

    A report names past weekdays of its own week, most often the day itself or the day before, so the
    reading closest after all of them scores lowest."""
    return sum((day.weekday() - weekday) % 7 for weekday in {w for _, w in weekdays})


def weekdays_agree(day: date, weekdays: list[tuple[str, int]]) -> bool:
    """The latest named weekday is the day itself or the day before."""
    return not weekdays or min((day.weekday() - w) % 7 for _, w in weekdays) <= 1


def infer_from_anniversary(text: str, dates: list[DateRef]) -> Inference | None:
    """"the 70th anniversary of the armistice" + "the armistice of July 27, 1953" → 2023-07-27.

    Each full date the text gives is a candidate for what is celebrated: one in the same sentence as the
    anniversary or a sentence naming the same thing first.  The readings (that day, or the day after it,
    when the report came a day later) are checked against the weekdays the text names; the reading that
    sits closest after them wins."""
    weekdays = named_weekdays(dates)
    full = [ref for ref in dates if ref.precision == Precision.DAY and ref.rule in _FULL_DATE_RULES]
    for m in _ANNIVERSARY.finditer(text):
        years = int(m["n"]) if m["n"] else ORDINAL_WORDS[m["word"].lower()]
        what = (m["what"] or m["what2"] or "").lower()
        mentions_what = [ref for ref in full if what and what in _sentence_around(text, ref.wording)]
        candidates = mentions_what or full
        readings = []
        for ref in candidates:
            celebrated = _day(ref.value.year + years, ref.value.month, ref.value.day)
            if celebrated is None:
                continue
            for lag in (0, 1):
                reading = celebrated + timedelta(days=lag)
                readings.append((weekday_distance(reading, weekdays), lag, reading, ref))
        if not readings:
            continue
        _, lag, reading, ref = min(readings, key=lambda r: (r[0], r[1], r[2]))
        how = f"inferred from '{m.group(0)}' and '{ref.wording}' ({ref.value.year} + {years}"
        how += ", a day later)" if lag else ")"
        if weekdays:
            named = " and ".join(calendar.day_name[d] for d in sorted({d for _, d in weekdays}))
            agree = "consistent with" if weekdays_agree(reading, weekdays) else "NOT consistent with"
            how += f"; a {calendar.day_name[reading.weekday()]}, {agree} the named {named}"
        return Inference(reading, how, DateBasis.ANNIVERSARY)
    return None


def _sentence_around(text: str, wording: str) -> str:
    position = text.find(wording.removeprefix("on ").removeprefix("in "))
    if position < 0:
        return ""
    start = max(text.rfind(". ", 0, position), text.rfind("\n", 0, position)) + 1
    end = min(x for x in (text.find(". ", position), text.find("\n", position), len(text)) if x >= 0)
    return text[start:end].lower()


INFERENCES = [infer_from_dateline, infer_from_anniversary]


def find_dates(article: Article, config: object = None) -> Article:
    """Fill `article.dates`; infer `article.published` when the article has no date (and say how)."""
    text = article.text
    starts = [s.start for s in article.sentences]
    found = scan(text)
    published = article.published.value if article.published else None
    anchor = published.date() if published else None
    dates = resolve(text, found, starts, anchor)
    if anchor is None:
        inferred = None
        for infer in INFERENCES:
            inferred = infer(text, dates, starts) if infer is infer_from_dateline else infer(text, dates)
            if inferred:
                break
        if inferred:
            article.published = ArticleDate(datetime.combine(inferred.value, datetime.min.time(), UTC), inferred.how,
                                            inferred.basis)
            dates = resolve(text, found, starts, inferred.value)
    article.dates = dates
    return article


def resolve_against(article: Article, day: date, how: str) -> Article:
    """Date an undated article from outside (an event it reports was dated elsewhere) and resolve its dates."""
    article.published = ArticleDate(datetime.combine(day, datetime.min.time(), UTC), how, DateBasis.EVENT)
    found = scan(article.text)
    article.dates = resolve(article.text, found, [s.start for s in article.sentences], day)
    return article


