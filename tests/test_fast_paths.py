"""The per-article speed-ups give exactly what the slower, plain way gives."""

from __future__ import annotations

import re

import markdown as markdown_lib
import pytest

from builder.analyse import dates
from builder.analyse.entities import Token, tokenize
from builder.read.htmlbody import html_to_blocks
from builder.read.markdown import MARKDOWN_EXTENSIONS, plain_paragraph_blocks, plain_paragraphs_html

PLAIN_BODIES = [
    "One paragraph.",
    "\nFirst paragraph, with “quotes” and 'apostrophes' (and brackets).\n\nSecond one!\nIts second line.\n",
    "A line ending in a number 1990\n\nand sums: 3 + 4 = 7 - 2.",
    "Ben & Jerry's, AT&T and S&P 500",
    "He said [inaudible] it was #1, up 3.5 points\n2016 was the year",
    "Runs\u00a0of  white\u2009space\nacross lines",
]
MARKDOWN_BODIES = [
    "# A heading\n\ntext",
    "Text with *emphasis* and _more_.",
    "A [link](https://example.com) and an ![image](x.png).",
    "- a list\n- of items",
    "1. first\n2. second",
    "1986. That year.",
    "> a quote",
    "    code",
    "Setext\n======",
    "A line break  \nhere",
    "an entity: &amp;",
    "an unfinished one: &#2)",
    "a [reference] [id]",
    "[id]: https://example.com",
    "&#8217;",
    "a <b>tag</b>",
    "tab\tinside",
    "---",
    "Trailing space \n\nx",
    "line\n   \nwith spaces only between",
    "several\n\n\nblank lines",
]


@pytest.mark.parametrize("body", PLAIN_BODIES)
def test_plain_paragraphs_render_as_python_markdown_does(body):
    assert plain_paragraphs_html(body) == markdown_lib.markdown(body, extensions=MARKDOWN_EXTENSIONS,
                                                                output_format="html")


@pytest.mark.parametrize("body", PLAIN_BODIES)
def test_plain_paragraph_blocks_are_those_of_the_rendered_html(body):
    rendered = markdown_lib.markdown(body, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    assert plain_paragraph_blocks(body) == html_to_blocks(rendered)


def test_text_the_html_parser_may_change_goes_through_it():
    assert plain_paragraphs_html("a form\x0cfeed") is not None
    assert plain_paragraph_blocks("a form\x0cfeed") is None


@pytest.mark.parametrize("body", MARKDOWN_BODIES)
def test_anything_that_may_be_markdown_is_left_to_python_markdown(body):
    assert plain_paragraphs_html(body) is None


DATE_TEXT = (
    "On Wednesday, July 27, 1953, and 27 July 1953 and the 5th of March 2016; Jan. 10 and 10 January. "
    "In January of 2016, 2016-01-10, 1/10/2016, 1950-53, from 1950 to 1953, between 1950 and 1953. "
    "Three days ago, a few weeks later, 2 years before, earlier this month, last year, the day before yesterday, "
    "tonight, next Monday, early Friday, mid-1990s, in 1999, the 2001 attacks, x_3 January 2016, in1999, "
    "wee\u212as ago, 3 wee\u212as ago, FRIDAY, may 5 2016, JULY 4."
)


@pytest.mark.parametrize("anchored", [value for value in vars(dates).values() if isinstance(value, dates.WordAnchored)]
                         + [p for value in vars(dates).values() if isinstance(value, tuple)
                            for p in value if isinstance(p, dates.WordAnchored)])
def test_word_anchored_patterns_find_what_finditer_finds(anchored):
    def spans(matches):
        return [(m.span(), m.groupdict()) for m in matches]

    assert spans(anchored.finditer(DATE_TEXT)) == spans(anchored.pattern.finditer(DATE_TEXT))


def test_tokens_are_still_tokens():
    tokens = tokenize("U.S.-led talks in Kim’s Pyongyang")
    assert all(type(token) is Token for token in tokens)
    assert tokens[0] == Token(0, 4, "U.S.") and tokens[0].text == "U.S."
    assert [t.text for t in tokens] == [m.group() for m in re.finditer(r"(?:[A-Z]\.){2,}|[^\W\d_]+(?:[-'’&](?!s\b)"
                                                                      r"[^\W\d_]+)*|\d+(?:[.,:/-]\d+)*|\S",
                                                                      "U.S.-led talks in Kim’s Pyongyang")]

