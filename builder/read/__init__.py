"""Read: find the article files under the seeds folder and turn each into an Article draft.

`read_seeds` is the only function here that touches the disk; `parse_source`
is a pure function of a file's bytes, with one reader per input kind:

- discover.py     which files are articles (and which are skipped, and why)
- decode.py       bytes → text (UTF-8, UTF-16 with or without a mark; clear problems otherwise)
- text.py         .txt: headline line, then one paragraph per line
- markdown.py     .md: YAML front matter (frontmatter.py, metadata.py) + Markdown or HTML body
- htmlbody.py     HTML → plain-text blocks (paragraphs, headings, quotes, list items, images)
- page.py         .html/.htm saved pages: body and metadata through trafilatura
- publisher.py    publisher names from addresses (publishers.toml) or a " - Publisher" title ending
"""

from builder.read.discover import is_unreadable, list_seeds, read_seed_files, read_seeds, unread_sources
from builder.read.parse import parse_source

__all__ = ["is_unreadable", "list_seeds", "parse_source", "read_seed_files", "read_seeds", "unread_sources"]
