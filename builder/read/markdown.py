"""Markdown files: YAML front matter (optional) and a body in Markdown or HTML.

Metadata keys are read from a table of synonyms, so the generic keys (title,
date, source, author, url, categories, tags) and the WordPress/Jekyll export keys
(post_title, post_date, original_link, original_cats) both work.
"""

from __future__ import annotations

import re
from datetime import tzinfo

import markdown as markdown_lib

from builder.model import Article, ArticleDate, Block, BlockKind, DateBasis, Problem, SourceFile
from builder.read.frontmatter import FrontMatterError, load_front_matter, split_front_matter
from builder.read.htmlbody import html_to_blocks, looks_like_html
from builder.read.metadata import MAX_TITLE_CHARS, MetadataError, clean_text, date_value, list_value, text_value
from builder.read.publisher import UNKNOWN_SOURCE, publisher_from_url, real_address, split_title_publisher

# Each field: the front matter keys that may hold it, first found wins.
TITLE_KEYS = ("title", "post_title", "headline", "original_title")
DATE_KEYS = ("date", "post_date", "published_at", "pubdate", "published")
SOURCE_KEYS = ("source", "publisher", "site_name", "sitename")
AUTHOR_KEYS = ("author", "authors", "byline")
URL_KEYS = ("original_link", "original_url", "url", "link", "source_url", "canonical_url")
CATEGORY_KEYS = ("categories", "original_cats", "category", "tags", "keywords")
MARKDOWN_EXTENSIONS = ["sane_lists"]
MAX_MARKDOWN_PARAGRAPH = 50_000  # characters
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _first(meta: dict[str, object], keys: tuple[str, ...]) -> tuple[str, object] | None:
    for key in keys:
        value = meta.get(key)
        if value is not None and value != "" and not isinstance(value, bool):
            return key, value
    return None


def body_blocks(body: str) -> list[Block]:
    """The blocks of a body written in HTML or in Markdown (rendered to HTML first).

    Python-Markdown slows down steeply on very long paragraphs (minutes for one of
    5 MB), so a body with a paragraph longer than MAX_MARKDOWN_PARAGRAPH is read as
    plain text, one paragraph per line; no real article comes near that.
    """
    if not body.strip():
        return []
    if looks_like_html(body):
        return html_to_blocks(body)
    if any(len(chunk) > MAX_MARKDOWN_PARAGRAPH for chunk in _BLANK_LINE.split(body)):
        return [Block(BlockKind.PARAGRAPH, line.strip()) for line in body.splitlines() if line.strip()]
    plain = plain_paragraph_blocks(body)
    if plain is not None:
        return plain
    rendered = plain_paragraphs_html(body)
    if rendered is None:
        rendered = markdown_lib.markdown(body, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return html_to_blocks(rendered)


# Python-Markdown costs ~2 ms for an ordinary article, most of it trying every block and inline rule
# on text that uses none of them.  A body of plain paragraphs is rendered here instead, to the very
# same HTML; anything that could be Markdown syntax, anywhere in the body, leaves it to Python-Markdown:
# - a character with a meaning in Markdown or HTML (emphasis, code, escapes, raw HTML, autolinks),
#   a tab or a carriage return (normalised by Markdown), Markdown's own placeholder characters;
_MARKDOWN_CHARACTERS = re.compile(r"[\\`*_<>\t\r\x02\x03]")
# - a link, an image or a link definition: "[…](", "[…][", "[…] [", "[…]:", "![" (a bracket alone,
#   "[inaudible]", is text to Markdown too);
_LINK_SYNTAX = re.compile(r"\]\s?[\[(:]|!\[")
# - an HTML entity ("&amp;", "&#8217;", even unfinished: "&#2"); any other "&" is written "&amp;", as
#   Markdown writes it;
_ENTITY = re.compile(r"&(?:#|[0-9a-z]+;)", re.IGNORECASE)
# - a line that opens a list, a heading, a heading underline, a rule, a quote or a code block, or that
#   ends in a line break (two spaces): any line that starts or ends with a space, or starts with "+",
#   "-", "=", "#" or a number and a dot ("1. " opens a list); written as patterns that open with a
#   newline or a space, which `re` skips to quickly, rather than with ^ and $, tried at every character;
_MARKDOWN_LINE_START = re.compile(r"\n(?:[\s+\-=#]|\d+\.)")  # searched in "\n" + the body
_MARKDOWN_LINE_END = re.compile(r"\s(?=\n|\Z)")
_PARAGRAPH_BREAK = re.compile(r"\n{2,}")
# Characters the HTML parser may drop or replace (controls, surrogates, non-characters): with one of these
# the paragraphs go through the parser as usual, so that their text comes out as it always did.
_PARSER_SENSITIVE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_SPACES = re.compile(r"\s+")


def _plain_paragraphs(body: str) -> list[str] | None:
    """The paragraphs of a body that uses no Markdown at all, else None."""
    body = body.strip("\n")
    if _MARKDOWN_CHARACTERS.search(body):
        return None
    lines = body.replace("\n\n", "\n")
    if _MARKDOWN_LINE_START.search("\n" + lines) or _MARKDOWN_LINE_END.search(lines):
        return None
    if ("[" in body or "]" in body) and _LINK_SYNTAX.search(body):
        return None
    if "&" in body and _ENTITY.search(body):
        return None
    return _PARAGRAPH_BREAK.split(body)


def plain_paragraphs_html(body: str) -> str | None:
    """Python-Markdown's HTML for a body of plain paragraphs (lines separated by blank lines), else None."""
    paragraphs = _plain_paragraphs(body)
    if paragraphs is None:
        return None
    return "\n".join(f"<p>{paragraph.replace('&', '&amp;')}</p>" for paragraph in paragraphs)


def plain_paragraph_blocks(body: str) -> list[Block] | None:
    """html_to_blocks(plain_paragraphs_html(body)) without rendering and parsing HTML: each paragraph's
    text with its runs of white space made one space, as html_to_blocks makes them; else None."""
    paragraphs = _plain_paragraphs(body)
    if paragraphs is None or _PARSER_SENSITIVE.search(body):
        return None
    texts = (_SPACES.sub(" ", paragraph).strip() for paragraph in paragraphs)
    return [Block(BlockKind.PARAGRAPH, text) for text in texts if text]


def read_markdown(source: SourceFile, text: str, zone: tzinfo) -> Article | Problem:
    try:
        front, body = split_front_matter(text)
        meta = load_front_matter(front) if front is not None else {}
    except FrontMatterError as exc:
        return Problem(source.relpath, str(exc))
    meta = {key.lower(): value for key, value in meta.items()}
    try:
        fields = _metadata(meta, zone)
    except MetadataError as exc:
        return Problem(source.relpath, str(exc))
    blocks = body_blocks(body)
    title = fields.pop("title")
    if not title and blocks and (blocks[0].kind == BlockKind.HEADING or len(blocks[0].text) <= MAX_TITLE_CHARS):
        title = blocks.pop(0).text
    if not title:
        return Problem(source.relpath, "no title: give one in the front matter ('title: …')")
    if not any(block.kind != BlockKind.IMAGE for block in blocks):
        return Problem(source.relpath, "no article text after the headline")
    return build_article(source, title, blocks, **fields)


def _metadata(meta: dict[str, object], zone: tzinfo) -> dict:
    found = {
        name: _first(meta, keys)
        for name, keys in (
            ("title", TITLE_KEYS),
            ("date", DATE_KEYS),
            ("source", SOURCE_KEYS),
            ("author", AUTHOR_KEYS),
            ("url", URL_KEYS),
            ("categories", CATEGORY_KEYS),
        )
    }
    title = text_value(*found["title"]) if found["title"] else None
    moment = date_value(*found["date"], zone) if found["date"] else None
    publisher = text_value(*found["source"]) if found["source"] else None
    url = text_value(*found["url"]) if found["url"] else None
    if publisher and publisher.lower().startswith(("http://", "https://")):
        url, publisher = url or publisher, None  # "source: https://…" names the publisher by its address
    author = None
    if found["author"]:
        key, value = found["author"]
        author = ", ".join(list_value(key, value)) if isinstance(value, list) else text_value(key, value)
    categories = list_value(*found["categories"]) if found["categories"] else []
    return {
        "title": title,
        "published": moment,
        "publisher": publisher,
        "author": author or None,
        "url": url,
        "categories": categories,
    }


def build_article(
    source: SourceFile,
    title: str,
    blocks: list[Block],
    *,
    published,
    publisher: str | None,
    author: str | None,
    url: str | None,
    categories: list[str],
    how: str = "metadata",
    basis: DateBasis = DateBasis.FRONT_MATTER,
) -> Article:
    """An Article draft from metadata: publisher from the address or a ' - Publisher' ending the headline."""
    title = clean_text(title)
    original_url = real_address(url) if url else None
    publisher = publisher or publisher_from_url(original_url)
    stripped, from_title = split_title_publisher(title, known=publisher)
    if from_title and stripped and (publisher is None or from_title.lower() == publisher.lower()):
        title, publisher = stripped, publisher or from_title
    return Article(
        source_file=source.relpath,
        content_hash=source.content_hash,
        title=title,
        blocks=blocks,
        published=ArticleDate(published, how, basis) if published else ArticleDate(None, "undated"),
        source=publisher or UNKNOWN_SOURCE,
        original_url=original_url if original_url and original_url.startswith(("http://", "https://")) else None,
        categories=categories,
        author=author,
    )
