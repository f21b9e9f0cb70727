"""Turn one SourceFile into an Article draft, choosing the reader by file kind."""

from __future__ import annotations

from builder.model import Article, ArticleDate, Block, BlockKind, Problem, SourceFile
from builder.read.decode import decode_text


def parse_source(source: SourceFile, config: object) -> Article | Problem:
    text = decode_text(source)
    if isinstance(text, Problem):
        return text
    if source.suffix == ".txt":
        return read_plain_text(source, text)
    return Problem(source.relpath, f"no reader for {source.suffix} files yet")


def read_plain_text(source: SourceFile, text: str) -> Article | Problem:
    """Plain text: the first non-empty line is the headline, blank lines separate paragraphs."""
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return Problem(source.relpath, "empty file")
    title = lines[0].strip()
    blocks = [Block(BlockKind.PARAGRAPH, line.strip()) for line in lines[1:] if line.strip()]
    return Article(
        source_file=source.relpath,
        content_hash=source.content_hash,
        title=title,
        blocks=blocks,
        published=ArticleDate(None, "undated"),
    )
