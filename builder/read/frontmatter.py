"""YAML front matter: split it from the body and load it safely.

Loading is refused for front matter that is too large or uses many aliases (a
"billion laughs" bomb expands a few lines into gigabytes).
"""

from __future__ import annotations

import re

import yaml

MAX_FRONT_MATTER_CHARS = 64 * 1024
MAX_ALIASES = 20
_OPENING = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrontMatterError(ValueError):
    """The front matter cannot be used; the message says why, for the user."""


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(front matter text or None, body). A file without an opening '---' line has none."""
    opening = _OPENING.match(text)
    if not opening:
        return None, text
    closing = _CLOSING.search(text, opening.end())
    if not closing:
        raise FrontMatterError("front matter starts with '---' but has no closing '---' line")
    body_start = closing.end()
    if text.startswith("\r\n", body_start):
        body_start += 2
    elif text.startswith("\n", body_start):
        body_start += 1
    return text[opening.end() : closing.start()], text[body_start:]


def load_front_matter(front: str) -> dict[str, object]:
    """The front matter as a mapping of keys to values (yaml safe loading)."""
    if len(front) > MAX_FRONT_MATTER_CHARS:
        raise FrontMatterError(
            f"front matter too large ({len(front):,} characters; the limit is {MAX_FRONT_MATTER_CHARS:,})"
        )
    if "*" in front:
        try:
            aliases = sum(isinstance(event, yaml.AliasEvent) for event in yaml.parse(front, Loader=_LOADER))
        except yaml.YAMLError as exc:
            raise FrontMatterError(f"front matter is not valid YAML ({_yaml_reason(exc)})") from None
        if aliases > MAX_ALIASES:
            raise FrontMatterError(f"front matter uses {aliases} YAML aliases (at most {MAX_ALIASES} allowed)")
    try:
        data = yaml.load(front, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"front matter is not valid YAML ({_yaml_reason(exc)})") from None
    except RecursionError:
        raise FrontMatterError("front matter is nested too deeply") from None
    except (ValueError, OverflowError) as exc:  # YAML reads 0000-01-01 or a +99:00 offset as a date: none exists
        raise FrontMatterError(f"front matter holds a date or time that does not exist ({exc})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(f"front matter must be a mapping of keys to values, not {type_name(data)}")
    return {str(key): value for key, value in data.items()}


def _yaml_reason(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{problem} at line {mark.line + 1}" if mark is not None else str(problem)


def type_name(value: object) -> str:
    names = {list: "a list", dict: "a mapping", str: "text", int: "a number", float: "a number", bool: "true/false"}
    return names.get(type(value), type(value).__name__)
