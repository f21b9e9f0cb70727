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

`load_curation(path) -> Curation` reads and validates the file (every mistake reported, then one
CurationError naming the file); a missing file is an empty curation.  `resolve_actors` applies
it and lists in its report the entries that matched no actor.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from builder.errors import ConfigError
from builder.model import EntityType

CURATION_NAME = "curation.toml"
SECTIONS = ("merge", "keep_apart", "rename", "type", "drop", "aliases", "description")


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


def _names(value: object) -> tuple[str, ...] | None:
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value)
    return None


def parse_curation(data: dict, path: str = CURATION_NAME) -> Curation:
    """Validate parsed TOML; every mistake is collected, then one CurationError."""
    errors: list[str] = []
    for section in data:
        if section not in SECTIONS:
            errors.append(f"unknown section [{section}] (known: {', '.join(SECTIONS)})")
    tables: dict[str, dict] = {}
    for section in SECTIONS:
        value = data.get(section, {})
        if not isinstance(value, dict):
            errors.append(f"[{section}] must be a table of `actor = value` lines")
            value = {}
        tables[section] = value

    def groups(section: str, minimum: int) -> tuple[tuple[str, tuple[str, ...]], ...]:
        found = []
        for label, value in tables[section].items():
            names = _names(value)
            if names is None or len(names) < minimum:
                errors.append(f"{section}.{label} must be a list of at least {minimum} actor names")
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
    if errors:
        raise CurationError(f"{path}: " + "; ".join(errors))
    return Curation(merge, keep_apart, rename, tuple(retype), tuple(drop), aliases, description, path)


def load_curation(path: Path) -> Curation:
    """Read site/curation.toml; a missing file is an empty curation."""
    if not path.is_file():
        return Curation(path=str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CurationError(f"{path}: not valid TOML: {exc}") from None
    return parse_curation(data, str(path))


def merge_entry(keep: str, other: str) -> str:
    """The one line (under [merge]) that would merge two actors, named by their slugs."""
    return f'"{keep}+{other}" = ["{keep}", "{other}"]'


def keep_apart_entry(a: str, b: str) -> str:
    return f'"{a}+{b}" = ["{a}", "{b}"]'
