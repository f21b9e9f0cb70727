"""Exports spliced from their previous file (builder.pages.export._table): copied parts, read from the file in
runs, give the bytes a full making gives, whatever changed between the two builds."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.errors import BuildError
from builder.pages.export import FileBytes, _table

KEYS = "abcdefghij"
# Each part's records by its key (none: an empty part, which writes nothing): a part's key names its bytes.
records_strategy = st.fixed_dictionaries({key: st.lists(st.text("xyz,[", max_size=3), max_size=3) for key in KEYS})
order_strategy = st.lists(st.sampled_from(KEYS), max_size=8, unique=True)


def made(parts: list[tuple[str, list[str]]], glued: bool, previous=None, data=b"") -> tuple[bytes, list[int]]:
    out = io.BytesIO()
    out.write(b"head")  # (a table starts anywhere in its file)

    def make(records: list[str], glue: str) -> None:
        for record in records:
            out.write(f"{glue if glued else ''}<{record}>".encode())
            glue = ","

    spans = _table(out, parts, make, previous, data, glued)
    return out.getvalue(), spans


@settings(max_examples=300, deadline=None)
@given(records=records_strategy, before=order_strategy, after=order_strategy, changed=st.sets(st.sampled_from(KEYS)),
       glued=st.booleans())
def test_a_spliced_table_is_the_table_made_in_full(tmp_path_factory, records, before, after, changed, glued):
    """The parts `after` spliced from the file the parts `before` made (those whose key is in `changed` made
    anew: their records differ now) equal `after` made in full, and so do their spans."""
    before = [(key, records[key]) for key in before]
    after = [(key, [*records[key], "new"] if key in changed else records[key]) for key in after]
    old_bytes, old_spans = made(before, glued)
    path = tmp_path_factory.mktemp("splice") / "table"
    path.write_bytes(old_bytes)
    # (where each part lies, as the page keys record it: each key's number in the previous table, and the ends)
    located = ({key: n for n, (key, _) in enumerate(before) if key not in changed}, old_spans)
    with path.open("rb") as handle:
        spliced = made(after, glued, located, FileBytes(handle))
    assert spliced == made(after, glued)


def test_a_file_cut_short_is_refused(tmp_path):
    path = tmp_path / "table"
    path.write_bytes(b"0123456789")
    with path.open("rb") as handle:
        data = FileBytes(handle)
        assert data[2:5] == b"234"
        with pytest.raises(BuildError):
            data[8:20]
