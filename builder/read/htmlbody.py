"""HTML → plain-text blocks: paragraph structure kept, markup and anything executable dropped.

Used for the HTML bodies of Markdown posts, for rendered Markdown, and for the
content trafilatura extracts from saved pages.  The walk is iterative (no
recursion), so a deeply nested page cannot exhaust the stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

from builder.model import Block, BlockKind

# Elements whose whole content is dropped (code, widgets, embedded frames, forms, metadata).
DROPPED = frozenset(
    [
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "form",
        "svg",
        "math",
        "noscript",
        "object",
        "embed",
        "applet",
        "template",
        "button",
        "select",
        "input",
        "textarea",
        "option",
        "head",
        "title",
        "meta",
        "link",
        "base",
        "canvas",
        "audio",
        "video",
        "source",
        "track",
        "map",
    ]
)
# Elements that start and end a block of text.
BLOCKS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "section",
        "article",
        "aside",
        "header",
        "footer",
        "main",
        "nav",
        "figure",
        "figcaption",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "caption",
        "pre",
        "address",
        "center",
        "hr",
        "body",
        "html",
        "details",
        "summary",
        "fieldset",
        "legend",
    ]
)
# Containers that publishing systems use as <figure> and <figcaption> (WordPress: "wp-caption").
FIGURE_CLASSES = frozenset(["wp-caption", "wp-block-image", "image-caption-container"])
CAPTION_CLASSES = frozenset(["wp-caption-text", "wp-caption-dd", "image-caption", "caption-text"])
HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
CELLS = frozenset(("td", "th"))
_SPACES = re.compile(r"\s+")
# libxml2 refuses documents nested deeper than this; such pages are flattened before parsing.
_CONTAINER_TAGS = re.compile(
    r"(?:\s*</?(?:div|span|section|article|main|aside|header|footer|font|center|table|tbody|thead|tr|td|th|b|i|"
    r"em|strong|small|big|u|s|sub|sup)\b[^>]*>)+\s*",
    re.IGNORECASE,
)


def _parser(html_elements: bool) -> etree.HTMLParser:
    kind = lxml_html.HTMLParser if html_elements else etree.HTMLParser
    return kind(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=False)


def _parse(data: bytes, html_elements: bool) -> tuple[etree._Element | None, bool]:
    """(root, too deep): libxml2 gives up on documents nested deeper than it allows."""
    parser = _parser(html_elements)
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.LxmlError, ValueError):
        return None, False
    return root, any("depth" in entry.message.lower() for entry in parser.error_log)


def parse_html(markup: str, html_elements: bool = False) -> etree._Element | None:
    """Parse an HTML document or fragment; None when there is nothing to parse.

    Documents nested deeper than libxml2 allows (it would return an empty tree) are
    flattened: container tags become line breaks, so their text survives.
    `html_elements` gives lxml.html elements (what trafilatura expects); plain
    elements are faster to build.
    """
    if not markup.strip():
        return None
    root, too_deep = _parse(markup.encode("utf-8", "surrogatepass"), html_elements)
    if root is None or too_deep:
        flat = _CONTAINER_TAGS.sub("<br>", markup).encode("utf-8", "surrogatepass")
        root, _ = _parse(flat, html_elements)
    if root is not None:
        _unnest_void_elements(root)
    return root


# Elements that never have content. libxml2 does not know all of them as such and nests
# what follows inside them (`<embed src=x><p>…` makes the <p> a child of <embed>).
VOID = frozenset(["embed", "source", "track", "wbr", "param", "keygen", "area", "col"])


def _unnest_void_elements(root: etree._Element) -> None:
    """Move whatever libxml2 nested inside a void element back out, after it."""
    for element in [e for e in root.iter(*VOID) if len(e) or (e.text and e.text.strip())]:
        parent = element.getparent()
        if parent is None:
            continue
        position = parent.index(element) + 1
        children = list(element)
        after = element.tail or ""  # came after the whole misnested content
        element.tail, element.text = element.text, None
        if children:
            children[-1].tail = (children[-1].tail or "") + after
        else:
            element.tail = (element.tail or "") + after
        for offset, child in enumerate(children):
            parent.insert(position + offset, child)  # moves the child, with its tail


@dataclass
class _Walk:
    blocks: list[Block] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    headings: int = 0
    quotes: int = 0
    items: int = 0
    figure_images: list[int | None] = field(default_factory=list)  # per open <figure>: its image block
    in_caption: int = 0
    captioned: set[int] = field(default_factory=set)  # image blocks whose text is now their caption

    def kind(self) -> BlockKind:
        if self.headings:
            return BlockKind.HEADING
        if self.items:
            return BlockKind.LIST_ITEM
        if self.quotes:
            return BlockKind.QUOTE
        return BlockKind.PARAGRAPH

    def text(self, value: str | None) -> None:
        if value:
            self.parts.append(value)

    def flush(self) -> None:
        if not self.parts:
            return
        text = _SPACES.sub(" ", "".join(self.parts)).strip()
        self.parts.clear()
        if not text:
            return
        if self.in_caption and self.figure_images and self.figure_images[-1] is not None:
            index = self.figure_images[-1]
            image = self.blocks[index]
            image.text = f"{image.text} {text}" if index in self.captioned else text
            self.captioned.add(index)
            return
        self.blocks.append(Block(self.kind(), text))

    def image(self, element: etree._Element) -> None:
        href = image_address(element.get("src") or element.get("data-src") or "")
        alt = _SPACES.sub(" ", element.get("alt") or element.get("title") or "").strip()
        if href is None and not alt:
            return
        self.flush()
        if self.figure_images and self.figure_images[-1] is None:
            self.figure_images[-1] = len(self.blocks)
        elif not alt:
            return  # an undescribed image outside a figure: a spacer, an icon, a tracking pixel
        self.blocks.append(Block(BlockKind.IMAGE, alt, href=href))


def image_address(src: str) -> str | None:
    """The image's remote address, or None for anything that is not plain http(s)."""
    src = src.strip()
    if src.startswith("//"):
        src = "https:" + src
    return src if src.lower().startswith(("http://", "https://")) else None


def html_to_blocks(markup: str | etree._Element) -> list[Block]:
    """The text blocks of an HTML document or fragment (or an already parsed element)."""
    root = parse_html(markup) if isinstance(markup, str) else markup
    if root is None:
        return []
    walk = _Walk()
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if tag in ("div", "p", "span", "dl", "dt", "dd") and element.get("class"):
            classes = set(element.get("class", "").split())
            tag = "figure" if classes & FIGURE_CLASSES else "figcaption" if classes & CAPTION_CLASSES else tag
        if event == "start":
            if not tag or tag in DROPPED:
                walker.skip_subtree()
                continue
            if tag in BLOCKS or tag == "br":
                walk.flush()
            if tag in HEADINGS:
                walk.headings += 1
            elif tag == "blockquote":
                walk.quotes += 1
            elif tag == "li":
                walk.items += 1
            elif tag == "figure":
                walk.figure_images.append(None)
            elif tag == "figcaption":
                walk.in_caption += 1
            elif tag == "img":
                walk.image(element)
            elif tag in CELLS:
                walk.text(" ")
            walk.text(element.text)
            continue
        # end
        if tag and tag not in DROPPED:
            if tag in BLOCKS:
                walk.flush()
            if tag in HEADINGS:
                walk.headings -= 1
            elif tag == "blockquote":
                walk.quotes -= 1
            elif tag == "li":
                walk.items -= 1
            elif tag == "figure":
                image = walk.figure_images.pop()
                if image is not None and not walk.blocks[image].text:
                    del walk.blocks[image]  # neither alt text nor caption: nothing to show
            elif tag == "figcaption":
                walk.in_caption -= 1
            elif tag in CELLS:
                walk.text(" ")
        walk.text(element.tail)
    walk.flush()
    return walk.blocks


_HTML_BLOCK = re.compile(
    r"<(?:p|div|br|h[1-6]|ul|ol|li|blockquote|table|figure|article|section|img|iframe|script)\b[^>]*>", re.IGNORECASE
)


def looks_like_html(text: str) -> bool:
    """True when a body is written in HTML rather than Markdown.

    It is when it opens with a tag, or uses block-level tags more than once (a
    Markdown text with one stray <br> is still Markdown).
    """
    if text.lstrip().startswith("<"):
        return True
    found = _HTML_BLOCK.finditer(text)
    return next(found, None) is not None and next(found, None) is not None
