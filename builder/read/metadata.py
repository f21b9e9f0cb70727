"""Typed values out of loosely typed metadata (front matter): text, dates, lists of categories.

Each function raises MetadataError with a message naming the key when a value has the wrong type.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time, tzinfo
from email.utils import parsedate_to_datetime

from builder.read.frontmatter import type_name


class MetadataError(ValueError):
    """A metadata value of the wrong type; the message names the key."""


# A headline is a line, not a paragraph: a longer first line of a file whose metadata gives no title is body text.
MAX_TITLE_CHARS = 200
_SPACES = re.compile(r"\s+")


def clean_text(value: str) -> str:
    """Entities decoded (twice-escaped ones too: '&amp;#8217;'), white space collapsed."""
    for _ in range(2):
        if "&" not in value:
            break
        value = html.unescape(value)
    return _SPACES.sub(" ", value).strip()


def text_value(key: str, value: object) -> str | None:
    """A single piece of text. A list holding one text (as WordPress exports write them) is accepted."""
    if value is None:
        return None
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise MetadataError(f"front matter key '{key}' should be text, not {type_name(value)}")
    return clean_text(str(value)) or None


def list_value(key: str, value: object) -> list[str]:
    """Categories or tags: a list of texts or one comma-separated text; duplicates dropped, order kept."""
    if value is None:
        return []
    if isinstance(value, (dict, bool)):
        raise MetadataError(f"front matter key '{key}' should be text or a list of texts, not {type_name(value)}")
    items = value if isinstance(value, list) else [value]
    result: list[str] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise MetadataError(
                f"front matter key '{key}' should be text or a list of texts, not a list holding {type_name(item)}"
            )
        for part in str(item).split(","):
            part = clean_text(part)
            if part and part not in result:
                result.append(part)
    return result


def date_value(key: str, value: object, zone: tzinfo) -> datetime | None:
    """A moment: YAML dates and datetimes, ISO 8601 or e-mail style text; no time zone → `zone`."""
    if value is None or value == "":
        return None
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        moment = _parse_date_text(value.strip())
        if moment is None:
            raise MetadataError(f"front matter key '{key}' is not a date I can read: {value.strip()[:40]!r}")
    else:
        raise MetadataError(f"front matter key '{key}' should be a date, not {type_name(value)}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def _parse_date_text(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
