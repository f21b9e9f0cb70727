"""The analyses a build used, kept together in one file beside the analysis cache: an edit loads them in one go.

The analysis cache (builder.cache.AnalysisCache) is one file per article: an edit rebuild at 10,000 articles
opened and unpickled 10,000 files, ~1 s of CPU, the largest fixed cost of its analysis stage.  The pack holds
the same entries (by the same keys) in a few pickles of CHUNK entries: one open, one read.  It is a copy, never
the only place of an entry: an entry missing from it is read from the per-article cache, and a pack that cannot
be read, or was made under another analysis cache key (other per-article code, rules, configuration: the salt),
is not used (it is not even unpickled).  The pack is written again only when it has fallen behind: more than one
analysis in REPACK_SHARE not found in it, or as many of its entries not asked for (an edit adds one of each,
so at 10,000 articles it is rewritten every hundred or so edited articles, ~1.5 s, and a cold build writes it).

Its values come out shared.  Unpickling makes a new object for every number and string it reads, and the build
then made equal ones one object (builder.memory.ValueSharing: 1.3 million offsets, 370,000 entity names at
10,000 articles, −12 MB), a Python loop over every article's parts: 0.21-0.25 s of each edit.  Here the numbers
outside Python's cache of small ones, the strings of up to SHARED_LENGTH characters and the dates are written
once for the whole pack, in a table (SHARED_VALUES_AT points to it), and the chunks point into the table
(pickle's persistent ids): each value is unpickled once, and every article holding it gets that object, at no
cost beyond the unpickling.  The columns of the model (model.Columns) are made by the unpickler itself (an
object and its slots' state) rather than by calling Columns._from_columns, a Python call for each of 30,000.
Nothing of what the entries are changes: the same values, held once.

The pack lives in the cache folder, not in cache.py: that module is part of the analysis cache's key
(cache.ANALYSIS_CODE), and how the entries are held changes nothing of what they are.
"""

from __future__ import annotations

import copyreg
import os
import pickle
import tempfile
from collections.abc import Mapping
from contextlib import suppress
from datetime import date
from pathlib import Path

from builder.memory import ValueSharing
from builder.model import Columns

PACK_NAME = "analysis-pack"
PACK_MAGIC = b"build-site analysis pack 2\n"
# Entries pickled together (each chunk with its own pickle memo, freed with the chunk: one memo for all 10,000
# entries would hold every object's arguments to the end of the load).
CHUNK = 500
REPACK_SHARE = 50  # rewritten when the entries missing from it, or unused in it, are more than 1 in this many
# Strings up to this long are in the table of shared values (names, wordings, rules, titles, quotes); longer ones
# (an article's text, its link features' words) are each held by one article only.
SHARED_LENGTH = 1000
SHARED_VALUES_AT = 8  # bytes, after the salt line: where in the file the table of shared values starts (little-endian)


class AnalysisPack:
    """The pack of the analysis cache whose entries are salted with `salt` (AnalysisCache.salt), in `folder`
    (the build's cache folder)."""

    def __init__(self, folder: Path, salt: str) -> None:
        self.file = folder / PACK_NAME
        self.salt = salt

    def load(self, sharing: ValueSharing | None = None) -> dict[str, object]:
        """The packed entries (key → analysed article or problem), their values shared; none if there is no pack
        for this salt.  `sharing`, if given, is told the values: what arrives later from elsewhere shares them."""
        entries: dict[str, object] = {}
        try:
            with open(self.file, "rb", buffering=1 << 20) as handle:
                if handle.read(len(PACK_MAGIC)) != PACK_MAGIC or handle.readline() != self._salt_line():
                    return {}
                table_at = int.from_bytes(handle.read(SHARED_VALUES_AT), "little")
                chunks_at = handle.tell()
                handle.seek(table_at)
                shared = pickle.load(handle)
                handle.seek(chunks_at)
                while handle.tell() < table_at:
                    unpickler = pickle.Unpickler(handle)
                    unpickler.persistent_load = shared.__getitem__  # (a C call: an index in, the shared value out)
                    entries.update(unpickler.load())
        except (OSError, ValueError, TypeError, EOFError, AttributeError, ImportError, IndexError, KeyError,
                pickle.UnpicklingError, MemoryError):
            return {}  # (a damaged or foreign pack only costs the per-article reads)
        if sharing is not None:
            sharing.know(shared)
        return entries

    def save(self, entries: Mapping[str, object]) -> bool:
        """Write `entries` as the pack, whole or not at all (a pack that cannot be written only costs time);
        whether it was."""
        temporary = None
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.file.parent, prefix=f"{PACK_NAME}.", suffix=".tmp")
            with os.fdopen(fd, "w+b", buffering=1 << 20) as handle:
                handle.write(PACK_MAGIC + self._salt_line())
                table_at = handle.tell()
                handle.write(bytes(SHARED_VALUES_AT))  # (where the table starts, once it is known)
                table = SharedValues()
                keys = list(entries)
                for start in range(0, len(keys), CHUNK):
                    _PackPickler(handle, table).dump({key: entries[key] for key in keys[start : start + CHUNK]})
                shared_at = handle.tell()
                pickle.dump(table.values, handle, protocol=pickle.HIGHEST_PROTOCOL)
                handle.seek(table_at)
                handle.write(shared_at.to_bytes(SHARED_VALUES_AT, "little"))
            os.replace(temporary, self.file)
            temporary = None
            return True
        except (OSError, pickle.PicklingError):
            return False
        finally:  # (also when interrupted: no ~100 MB half-written pack left in the cache folder)
            if temporary is not None:
                with suppress(OSError):
                    os.unlink(temporary)

    def _salt_line(self) -> bytes:
        return self.salt.encode("ascii") + b"\n"


class SharedValues:
    """The pack's table of shared values as it is written: each value once, by its position."""

    def __init__(self) -> None:
        self.values: list[object] = []
        # by kind: 1 and "1" (and True, 1.0: never in the table) are equal keys of one dict, not the same value
        self.positions: dict[type, dict[object, int]] = {int: {}, str: {}, date: {}}

    def position(self, value: object) -> int | None:
        """Where `value` is in the table (added if it was not); None: not a value the table holds."""
        kind = type(value)
        if kind is int:
            if -5 <= value <= 256:  # (Python's own shared small numbers: unpickled as themselves already)
                return None
        elif kind is str:
            if len(value) > SHARED_LENGTH:
                return None
        elif kind is not date:
            return None
        positions = self.positions[kind]
        found = positions.get(value)
        if found is None:
            found = positions[value] = len(self.values)
            self.values.append(value)
        return found


class _PackPickler(pickle.Pickler):
    """A chunk of the pack: its shared values as positions in the table; the model's columns as an object and the
    state of its slots."""

    def __init__(self, file, table: SharedValues) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.persistent_id = table.position  # (asked of every object pickled: None for those pickled as usual)

    def reducer_override(self, value: object):
        if isinstance(value, Columns):
            slots = type(value).__slots__
            return copyreg.__newobj__, (type(value),), (None, {name: getattr(value, name) for name in slots})
        return NotImplemented


def pack_is_behind(missing: int, unused: int, used: int) -> bool:
    """Whether the pack is worth writing again: `missing` analyses of this build were not in it (read from the
    per-article cache or made), `unused` of its entries were not asked for, `used` were."""
    total = missing + used
    return total > 0 and max(missing, unused) * REPACK_SHARE > total
