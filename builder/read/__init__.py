"""Read: find the article files under the seeds folder and turn each into an Article draft.

`read_seeds` is the only function here that touches the disk; `parse_source`
is a pure function of a file's bytes, with one reader per input kind.
"""

from builder.read.discover import read_seeds
from builder.read.parse import parse_source

__all__ = ["parse_source", "read_seeds"]
