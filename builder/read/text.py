"""Plain-text articles: the first non-empty line is the headline, each further line a paragraph."""

from __future__ import annotations

from builder.model import Article, ArticleDate, Block, BlockKind, Problem, SourceFile
from builder.read.metadata import MAX_TITLE_CHARS


def read_plain_text(source: SourceFile, text: str) -> Article | Problem:
    """Headline, then one paragraph per non-empty line (blank lines and single newlines both separate).

    Lines are split on newline characters only (not on the form feeds or line
    separators that `str.splitlines` would also break on), and spaces inside a line
    are kept as the file has them.
    """
    title = ""
    blocks: list[Block] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.strip()
        if not line:
            continue
        if not title:
            title = line
        else:
            blocks.append(Block(BlockKind.PARAGRAPH, line))
    if not title:
        return Problem(source.relpath, "empty file (only white space)")
    if len(title) > MAX_TITLE_CHARS:
        return Problem(source.relpath, f"the first line is {len(title):,} characters long, too long for a headline "
                                       f"(at most {MAX_TITLE_CHARS}): put the headline on a line of its own at the top")
    if not blocks:
        return Problem(source.relpath, "no article text after the headline")
    return Article(
        source_file=source.relpath,
        content_hash=source.content_hash,
        title=title,
        blocks=blocks,
        published=ArticleDate(None, "undated"),
    )
