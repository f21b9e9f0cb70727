"""Metadata written into the text: bylines, datelines and credit lines become Credits.

Each function looks at one block's text and says what it found; the cleaner removes the text and
records the removal. The forms handled:

    byline       "By Associated Press", "By JOHN SMITH and JANE DOE, Reuters", "By Jim Suhr | AP January 27 at 11:15 PM"
    dateline     "SEOUL, South Korea (AP) — …", "WASHINGTON (Reuters) - …", "MEXICO CITY — …",
                 and Reuters' dateline in its own span: "WASHINGTON President Barack Obama will …"
    credit line  "(Reporting by …; Additional reporting by …; Editing by …)",
                 "X and Y contributed to this report."
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from builder.clean import lexicon

# The source name an agency's own site has in builder/read/publishers.toml, so its stories group together.
AGENCY_SOURCES = {"AP": "AP News"}

AGENCIES = {
    "ap": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "reuters": "Reuters",
    "thomson reuters": "Reuters",
    "thomson reuters foundation": "Reuters",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "bloomberg": "Bloomberg",
    "upi": "UPI",
    "dpa": "dpa",
    "xinhua": "Xinhua",
    "cnn": "CNN",
}
_AGENCY = (
    r"(?:The Associated Press|Associated Press|AP|Thomson Reuters Foundation|Reuters|Thomson Reuters|AFP"
    r"|Agence France-Presse|Bloomberg|UPI|dpa|Xinhua|CNN)"
)
_NAME_WORD = r"(?:[A-Z][\w’'.-]*|[a-z]{1,3}(?= [A-Z]))"  # "John", "O'Keefe", "M.", "de" / "van" / "ten" inside a name
_NAME = rf"{_NAME_WORD}(?: {_NAME_WORD}){{0,4}}"
_NAMES = rf"{_NAME}(?:(?:,| and|, and| &) {_NAME}){{0,6}}"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_WHEN = rf"(?:{_MONTH} \d{{1,2}}(?:, \d{{4}})?(?: at \d{{1,2}}:\d\d ?[AaPp]\.?[Mm]\.?(?: [A-Z]{{2,4}})?)?)"

BYLINE = re.compile(
    rf"By (?P<who>{_NAMES}?)(?:(?:,| \||,? of| for) (?P<agency>{_AGENCY}))?(?: \|)?(?: (?P<when>{_WHEN}))?\s*"
)
# "SEOUL, South Korea (AP) — ", "WASHINGTON (Reuters) - ", "MEXICO CITY — ", "BURNS, Ore. — "
_PLACE_CAPS = r"[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3}(?:/[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3})*"
_PLACE_TAIL = r"(?:, (?:[A-Z][a-z.]+|[A-Z]\.[A-Z]\.|[A-Z]{2,})(?: [A-Z][a-z.]+| [A-Z]{2,}){0,2})?"
DATELINE_DASH = re.compile(
    rf"(?P<place>{_PLACE_CAPS}{_PLACE_TAIL})(?: \((?P<agency>{_AGENCY})\))?(?P<dash> ?[—–]| --? | ?--)\s*(?=\S)"
)

_NOT_PLACES = "FILE UPDATE UPDATED BREAKING EXCLUSIVE WATCH VIDEO PHOTOS ANALYSIS OPINION EDITORIAL CORRECTION NOTE"
NOT_PLACES = frozenset(_NOT_PLACES.split(" "))  # capitals opening a line with a dash, naming no place: "FILE - …"
# Reuters' dateline glued to the first sentence, read place by place: "FLINT, Mich/WASHINGTON Michigan Governor …"
_CAPS_WORD = re.compile(r"[A-Z][A-Z.'’-]*[A-Z.]")
_REGIONS = (  # after the comma: "South Korea", then "Ark." / "N.C." / "Syria" / "SPAIN"
    re.compile(r", (?P<region>[A-Z][a-z]+ [A-Z][a-z]+)(?=[ /])"),
    re.compile(r", (?P<region>(?:[A-Z]\.){1,2}|[A-Z][a-z]+\.?|[A-Z]{2,}(?: [A-Z]{2,})?)(?=[ /])"),
)
_NEXT_WORD = re.compile(r" (?=[A-Z0-9\"“‘'])")
_ROLE = (
    r"(?:Additional reporting|Reporting|Writing|Editing|Compiled|Edited|Written|Reported|Research|Additional writing)"
)
CREDIT_PAREN = re.compile(rf"\(\s*(?P<body>{_ROLE} by .*?)\s*\)?\s*", re.IGNORECASE)
CREDIT_AT_END = re.compile(rf"\s*\(\s*(?P<body>{_ROLE} by [^()]*)\)\s*$", re.IGNORECASE)
CONTRIBUTED = re.compile(r"(?P<body>.{1,900}?) contributed (?:reporting )?to this (?:report|story|article)\.?\s*")
_SEGMENT = re.compile(rf"(?:^|[;,]\s*|\s+)(?P<role>{_ROLE}) by\s+", re.IGNORECASE)
_CONTRIBUTOR_PREFIX = re.compile(
    r"^(?:and\s+)?(?:The\s+)?(?:(?:CNN|NBC|ABC|CBS|Fox|AP|Reuters)[’']s\s+|(?:Associated Press|AP|Reuters|Bloomberg)"
    r"(?: [A-Z][a-z]+)? (?:writers?|reporters?|correspondents?|Writers?)\s+|(?:Staff )?[Ww]riters?\s+)"
)
_LOCATION_SUFFIX = re.compile(r"\s+(?:in|at|from|on)\s+.*$")
_US_STATE_ABBREVIATION = re.compile(r"^(?:[A-Z]\.){1,2}[A-Z]?\.?$|^[A-Z][a-z]{1,4}\.$")


@dataclass
class Found:
    """What one metadata pattern found in a block: the text to remove and the credits it names."""

    removed: str
    rest: str = ""  # the block text left after removing it
    byline: str | None = None
    agency: str | None = None
    place: str | None = None
    contributors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)


def agency_name(text: str | None) -> str | None:
    if not text:
        return None
    return AGENCIES.get(text.lower().strip(), text.strip())


def _tidy_name(name: str) -> str:
    name = " ".join(name.split()).strip(" ,;.")
    if sum(word.isupper() and len(word) > 2 for word in name.split()) >= 2:  # "JOHN SMITH" → "John Smith"
        name = " ".join(word.capitalize() if word.isupper() and len(word) > 2 else word for word in name.split())
    return name


def split_names(text: str) -> list[str]:
    """ "Foster Klug in Seoul, South Korea, Edith M. Lederer and Matthew Pennington" → three names."""
    names: list[str] = []
    places = lexicon.places()
    for piece in re.split(r",\s*(?:and\s+)?|\s+and\s+|\s*&\s*|;\s*", text):
        piece = _CONTRIBUTOR_PREFIX.sub("", piece.strip())
        piece = _LOCATION_SUFFIX.sub("", piece).strip(" .,;)(")
        if not piece or _US_STATE_ABBREVIATION.match(piece) or lexicon.fold(piece) in places:
            continue
        words = piece.split()
        if 1 <= len(words) <= 6 and words[0][:1].isupper():
            names.append(_tidy_name(piece))
    return names


def find_byline(text: str) -> Found | None:
    """A block that is only a byline."""
    if len(text) > 160:
        return None
    match = BYLINE.fullmatch(text)
    if not match or not (match["who"] or match["agency"]):
        return None
    who = match["who"] or ""
    agency = agency_name(match["agency"])
    if who and agency_name(who) != who:  # "By Associated Press": the agency is the byline
        return Found(removed=text, byline=_tidy_name(who), agency=agency_name(who))
    if who:
        words = who.replace(",", " ").split()
        if not any(len(word) > 2 and word[0].isupper() for word in words):
            return None
    return Found(removed=text, byline=_tidy_name(who) if who else (match["agency"] or None), agency=agency)


def find_dateline(text: str) -> Found | None:
    """A dateline at the start of the first paragraph; the sentence keeps going without it."""
    match = DATELINE_DASH.match(text)
    if match and match["place"].split(",")[0] not in NOT_PLACES:
        place = match["place"]
        removed = match.group(0).strip()
        return Found(removed=removed, rest=text[match.end() :], place=place, agency=agency_name(match["agency"]))
    end = _bare_dateline_end(text)
    if end:
        place = text[:end]
        return Found(removed=place, rest=text[end + 1 :], place=place)
    return None


def _bare_dateline_end(text: str) -> int:
    """Where a bare dateline ends (0: none): one or more places joined by "/", then the sentence."""
    position = 0
    while True:
        end = _one_place_end(text, position)
        if not end:
            return 0
        if text.startswith("/", end):
            position = end + 1
            continue
        return end if _NEXT_WORD.match(text, end) else 0


def _one_place_end(text: str, position: int) -> int:
    """The end of one place at `position` — "WASHINGTON", "LITTLE ROCK, Ark.", "CULIACAN, Mexico" — or 0.

    A run of capitals is a place only if the lexicon knows it or a region follows ("BURNS, Ore."), so
    "NASA Administrator …" or "FBI Director …" are no datelines. The longest known run wins ("LONDON ARM …").
    """
    words = []
    cursor = position
    while len(words) < 4:
        match = _CAPS_WORD.match(text, cursor)
        if not match or (words and text[cursor - 1] != " "):
            break
        words.append(match)
        cursor = match.end() + 1
        if not text.startswith(" ", match.end()):
            break
    for count in range(len(words), 0, -1):
        end = words[count - 1].end()
        place = lexicon.fold(text[position:end])
        for pattern in _REGIONS:
            region = pattern.match(text, end)
            if not region:
                continue
            name = region["region"]
            if name.endswith(".") or lexicon.fold(name) in lexicon.places() or (len(name) == 2 and name.isupper()):
                return region.end()
            if place in lexicon.places() and re.fullmatch(r"[A-Z][a-z]{1,4}", name) and text[region.end()] == "/":
                return region.end()  # "FLINT, Mich/WASHINGTON"
        if place in lexicon.places() and len(place) > 2:
            return end
    return 0


def find_credit_line(text: str) -> Found | None:
    """A block that is a credit line, or ends with a parenthesised one."""
    match = CREDIT_PAREN.fullmatch(text) if text.startswith("(") else None
    if match:
        found = Found(removed=text)
        _read_roles(match["body"], found)
        return found
    match = CREDIT_AT_END.search(text)
    if match and match.start() > 0:
        found = Found(removed=match.group(0).strip(), rest=text[: match.start()])
        _read_roles(match["body"], found)
        return found
    if "contributed" in text and len(text) < 900:
        match = CONTRIBUTED.fullmatch(text)
        if match:
            body = match["body"]
            # "Branigin reported from Washington. Ellen Nakashima … contributed": the last sentence names them
            body = re.split(r"(?<=[a-z]{2}\.)\s+(?=[A-Z])", body)[-1]
            names = split_names(body)
            if names:
                return Found(removed=text, contributors=names)
    return None


def _read_roles(body: str, found: Found) -> None:
    starts = list(_SEGMENT.finditer(body))
    for number, segment in enumerate(starts):
        end = starts[number + 1].start() if number + 1 < len(starts) else len(body)
        names = split_names(body[segment.end() : end])
        role = segment["role"].lower()
        if role.startswith("edit"):
            found.editors.extend(names)
        else:
            found.contributors.extend(names)
