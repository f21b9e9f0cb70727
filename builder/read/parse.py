"""Turn one SourceFile into an Article draft, choosing the reader by file kind.

`parse_source` never raises: every reader's failure becomes a Problem naming the file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from builder.model import Article, Problem, SourceFile
from builder.read.decode import decode_text
from builder.read.markdown import read_markdown
from builder.read.page import read_html_page
from builder.read.text import read_plain_text

Reader = Callable[[SourceFile, str, tzinfo], Article | Problem]

READERS: dict[str, Reader] = {
    ".txt": lambda source, text, zone: read_plain_text(source, text),
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html_page,
    ".htm": read_html_page,
}


@cache
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def parse_source(source: SourceFile, config: object) -> Article | Problem:
    """An Article draft (title, blocks, date, publisher, address, categories, author) or the Problem why not."""
    reader = READERS.get(source.suffix)
    if reader is None:
        return Problem(source.relpath, f"no reader for {source.suffix or 'extension-less'} files")
    try:
        text = decode_text(source)
        if isinstance(text, Problem):
            return text
        return reader(source, text, _zone(getattr(config, "timezone", "UTC") or "UTC"))
    except RecursionError:
        return Problem(source.relpath, "could not be read: nested too deeply")
    except MemoryError:
        return Problem(source.relpath, "could not be read: too large to hold in memory")
    except Exception as exc:
        return Problem(source.relpath, f"could not be read: {type(exc).__name__}: {exc}")
