"""Saved web pages (.html/.htm): the article body and metadata, extracted with trafilatura.

Extraction is offline (trafilatura never fetches when given markup), has no
signal-based timeout (so it runs in worker threads) and is deterministic.
"""

from __future__ import annotations

from datetime import tzinfo
from functools import cache

from builder.model import Article, Block, BlockKind, DateBasis, Problem, SourceFile
from builder.read.htmlbody import html_to_blocks, parse_html
from builder.read.markdown import build_article
from builder.read.metadata import MetadataError, date_value

# trafilatura's own XML tags → the HTML tags html_to_blocks understands.
_TRAFILATURA_TAGS = {
    "head": "h2",
    "list": "ul",
    "item": "li",
    "quote": "blockquote",
    "graphic": "img",
    "lb": "br",
    "row": "tr",
    "cell": "td",
    "hi": "b",
    "ref": "a",
    "code": "pre",
    "del": "s",
}


@cache
def _config():
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")  # no SIGALRM: we run in threads
    return config


def extract_page(markup: str):
    """trafilatura's Document for a page (None when it finds no article), all options fixed here."""
    import trafilatura

    root = parse_html(markup, html_elements=True)  # our parser copes with pages nested too deeply for libxml2
    if root is None:
        return None
    return trafilatura.bare_extraction(
        root,
        with_metadata=True,
        favor_precision=True,  # F1 0.972 vs 0.963 on article-extraction-benchmark (bench/extraction.py)
        include_comments=False,
        include_tables=True,
        include_images=False,  # image captions leak into the text: precision 0.940 instead of 0.948
        deduplicate=False,
        # a fixed upper bound, not "today": the same page gives the same date on any day
        date_extraction_params={"extensive_search": False, "original_date": True, "max_date": "2099-12-31"},
        config=_config(),
    )


def read_html_page(source: SourceFile, text: str, zone: tzinfo) -> Article | Problem:
    document = extract_page(text)
    if document is None or document.body is None:
        return Problem(source.relpath, "no article text found in the page")
    blocks = _blocks(document.body)
    title = document.title or ""
    if not title and blocks and blocks[0].kind == BlockKind.HEADING:
        title = blocks.pop(0).text
    if blocks and blocks[0].kind == BlockKind.HEADING and blocks[0].text == title:
        blocks.pop(0)
    if not title:
        return Problem(source.relpath, "no title found in the page")
    if not any(block.kind != BlockKind.IMAGE for block in blocks):
        return Problem(source.relpath, "no article text found in the page")
    try:
        published = date_value("date", document.date, zone) if document.date else None
    except MetadataError:
        published = None
    categories = [c for c in (document.categories or []) if isinstance(c, str) and c.strip()]
    return build_article(
        source,
        title,
        blocks,
        published=published,
        publisher=document.sitename or None,
        author=document.author or None,
        url=document.url or None,
        categories=categories,
        how="page metadata",
        basis=DateBasis.PAGE,
    )


def page_text(markup: str) -> str:
    """The extracted body as plain text, one block a line (what bench/extraction.py scores)."""
    document = extract_page(markup)
    if document is None or document.body is None:
        return ""
    return "\n".join(block.text for block in _blocks(document.body) if block.kind != BlockKind.IMAGE)


def _blocks(body) -> list[Block]:
    """trafilatura's XML (p, head, list/item, quote, graphic, …) as our blocks."""
    for element in body.iter():
        if isinstance(element.tag, str) and element.tag in _TRAFILATURA_TAGS:
            element.tag = _TRAFILATURA_TAGS[element.tag]
    return html_to_blocks(body)
