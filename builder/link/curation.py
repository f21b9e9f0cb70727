"""The user corrects actor resolution: `site/curation.toml`.

Format (every section optional; an actor is named by its page slug "kim-jong-un", its key
"person/kim-jong-un", its name or any alias; case, accents, dots and hyphens do not count)::

    [merge]          # label = [actors]: one actor; the first named gives the name
    kim = ["Kim Jong Un", "Mr. Kim"]

    [keep_apart]     # label = [actors]: never merged with each other automatically
    bush = ["George H. W. Bush", "George W. Bush"]

    [rename]         # actor = "new name" (the old address redirects to the new page)
    "kim-jong-un" = "Kim Jong Un"

    [type]           # actor = "person" | "organisation" | "place"
    Biden = "person"

    [drop]           # actor = true: not an actor (its mentions are no longer linked)
    "Kim-Shoigu" = true

    [aliases]        # actor = [other names]: shown on its page; mentions of them resolve to it
    KCNA = ["Korean Central News Agency"]

    [description]    # actor = "one line shown on its page"
    KCNA = "North Korea's state news agency."

Events (builder.link.event_curation) are named by their page name before curation
("kim-jong-un-meets-sergei-shoigu-2023-07-26", as in events/<page name>.html), their key
("e1a2b3c4d5e6f"), or the file of an article that reports the event as its main one::

    [event_merge]    # label = [events]: one event; the first named gives the label, type and address
    shoigu-visit = ["kim-jong-un-meets-sergei-shoigu-2023-07-26", "shoigu-arrives-2023-07-25"]

    [event_split]    # event = [article files]: each file leaves the event for an event of its own
    "kim-jong-un-meets-sergei-shoigu-2023-07-26" = ["wire/shoigu-arrives.txt"]

    [event_date]     # event = "2023-07-26" | "2023-07" | "1950" (day, month or year, by its form)
    "kim-jong-un-meets-sergei-shoigu-2023-07-26" = "2023-07-25"

    [event_label]    # event = "new label" (the old address redirects to the new page)
    "kim-jong-un-meets-sergei-shoigu-2023-07-26" = "Shoigu visits Pyongyang"

    [event_type]     # event = an event type ("meeting"; see builder/link/event_types.toml)
    "kim-jong-un-meets-sergei-shoigu-2023-07-26" = "visit"

`load_curation(path) -> Curation` reads and validates the file (every mistake reported, then one
CurationError naming the file); a missing file is an empty curation.  `resolve_actors` applies
the actor sections and lists in its report the entries that matched no actor; `curate_events`
applies the event sections and lists those that matched no event.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from builder.errors import ConfigError
from builder.model import EntityType, Precision

CURATION_NAME = "curation.toml"
EVENT_SECTIONS = ("event_merge", "event_split", "event_date", "event_label", "event_type")
SECTIONS = ("merge", "keep_apart", "rename", "type", "drop", "aliases", "description", *EVENT_SECTIONS)
EVENT_TYPES_NAME = "event_types.toml"  # a site's own event types, beside curation.toml
_DATE_FORM = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


class CurationError(ConfigError):
    """site/curation.toml is invalid."""


@dataclass(frozen=True)
class Curation:
    """The user's corrections; each entry keeps a label ("merge.kim") for the report."""

    merge: tuple[tuple[str, tuple[str, ...]], ...] = ()
    keep_apart: tuple[tuple[str, tuple[str, ...]], ...] = ()
    rename: tuple[tuple[str, str], ...] = ()
    retype: tuple[tuple[str, EntityType], ...] = ()
    drop: tuple[str, ...] = ()
    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    description: tuple[tuple[str, str], ...] = ()
    path: str = field(default=CURATION_NAME, compare=False)
    # events (builder.link.event_curation), each named by page name, key or a reporting article's file
    event_merge: tuple[tuple[str, tuple[str, ...]], ...] = ()
    event_split: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (event, files that leave it)
    event_date: tuple[tuple[str, date, Precision], ...] = ()
    event_label: tuple[tuple[str, str], ...] = ()
    event_type: tuple[tuple[str, str], ...] = ()

    @property
    def has_event_entries(self) -> bool:
        return bool(self.event_merge or self.event_split or self.event_date or self.event_label or self.event_type)


def _names(value: object) -> tuple[str, ...] | None:
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value)
    return None


def event_date(value: object) -> tuple[date, Precision] | None:
    """"2023-07-26" → day, "2023-07" → month, "1950" → year (a TOML date such as 2023-07-26 is a day)."""
    if isinstance(value, date):
        return value, Precision.DAY
    if not isinstance(value, str) or not (match := _DATE_FORM.fullmatch(value.strip())):
        return None
    year, month, day = match.groups()
    try:
        parsed = date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return parsed, Precision.DAY if day else Precision.MONTH if month else Precision.YEAR


def known_event_types(site: Path | None = None) -> frozenset[str]:
    """The event types an [event_type] line may give: the built-in table, the site's own
    (site/event_types.toml) and "report" (an event of no known type)."""
    from builder.link.event_words import load_event_types

    extra = site / EVENT_TYPES_NAME if site is not None else None
    try:
        types = load_event_types(extra)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, AttributeError, TypeError, ValueError):
        types = load_event_types()  # a broken site table is reported where the build reads it
    return frozenset(kind.name for kind in types) | {"report"}


def parse_curation(data: dict, path: str = CURATION_NAME, event_types: frozenset[str] | None = None) -> Curation:
    """Validate parsed TOML; every mistake is collected, then one CurationError.
    `event_types`: the types [event_type] may give (default: known_event_types())."""
    errors: list[str] = []
    for section in data:
        if section not in SECTIONS:
            errors.append(f"unknown section [{section}] (known: {', '.join(SECTIONS)})")
    tables: dict[str, dict] = {}
    for section in SECTIONS:
        value = data.get(section, {})
        if not isinstance(value, dict):
            named = "event" if section in EVENT_SECTIONS else "actor"
            errors.append(f"[{section}] must be a table of `{named} = value` lines")
            value = {}
        tables[section] = value

    def groups(section: str, minimum: int, what: str = "actor names") -> tuple[tuple[str, tuple[str, ...]], ...]:
        found = []
        for label, value in tables[section].items():
            names = _names(value)
            if names is None or len(names) < minimum:
                errors.append(f"{section}.{label} must be a list of at least {minimum} {what}")
                continue
            found.append((str(label), names))
        return tuple(found)

    def strings(section: str) -> tuple[tuple[str, str], ...]:
        found = []
        for actor, value in tables[section].items():
            if not isinstance(value, str) or not value.strip():
                errors.append(f"{section}.{actor!r} must be a non-empty string")
                continue
            found.append((str(actor), value.strip()))
        return tuple(found)

    merge = groups("merge", 2)
    keep_apart = groups("keep_apart", 2)
    aliases = groups("aliases", 1)
    rename = strings("rename")
    description = strings("description")
    retype = []
    for actor, value in strings("type"):
        try:
            retype.append((actor, EntityType(value.lower())))
        except ValueError:
            errors.append(f"type.{actor!r}: {value!r} is not one of person, organisation, place")
    drop = []
    for actor, value in tables["drop"].items():
        if value is not True:
            errors.append(f"drop.{actor!r} must be true")
            continue
        drop.append(str(actor))
    event_merge = groups("event_merge", 2, "event names")
    event_split = groups("event_split", 1, "article files")
    event_label = strings("event_label")
    dates = []
    for event, value in tables["event_date"].items():
        parsed = event_date(value)
        if parsed is None:
            errors.append(f"event_date.{event!r}: {value!r} is not a date such as '2023-07-26', '2023-07' or '1950'")
            continue
        dates.append((str(event), *parsed))
    types = known_event_types() if event_types is None else event_types
    event_type = []
    for event, value in strings("event_type"):
        if value.lower() not in types:
            errors.append(f"event_type.{event!r}: {value!r} is not an event type (known: {', '.join(sorted(types))})")
            continue
        event_type.append((event, value.lower()))
    if errors:
        raise CurationError(f"{path}: " + "; ".join(errors))
    return Curation(merge, keep_apart, rename, tuple(retype), tuple(drop), aliases, description, path,
                    event_merge, event_split, tuple(dates), event_label, tuple(event_type))


def load_curation(path: Path) -> Curation:
    """Read site/curation.toml; a missing file is an empty curation."""
    if not path.is_file():
        return Curation(path=str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CurationError(f"{path}: not valid TOML: {exc}") from None
    return parse_curation(data, str(path), known_event_types(path.parent))


def merge_entry(keep: str, other: str) -> str:
    """The one line (under [merge]) that would merge two actors, named by their slugs."""
    return f'"{keep}+{other}" = ["{keep}", "{other}"]'


def keep_apart_entry(a: str, b: str) -> str:
    return f'"{a}+{b}" = ["{a}", "{b}"]'
