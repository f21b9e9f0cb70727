"""The analyses a build used, kept together in one file beside the analysis cache: an edit loads them in one go.

The analysis cache (builder.cache.AnalysisCache) is one file per article: an edit rebuild at 10,000 articles
opened and unpickled 10,000 files, ~1 s of CPU, the largest fixed cost of its analysis stage.  The pack holds
the same entries (by the same keys) in a few pickles of CHUNK entries: one open, one read, and strings shared
between articles unpickled once (the pickle's memo): 0.4-0.5 s less.  It is a copy, never the only place of an
entry: an entry missing from it is read from the per-article cache, and a pack that cannot be read, or was made
under another analysis cache key (other per-article code, rules, configuration: the salt), is not used
(it is not even unpickled).  The pack is written again only when it has fallen behind: more than one
analysis in REPACK_SHARE not found in it, or as many of its entries not asked for (an edit adds one of each,
so at 10,000 articles it is rewritten every hundred or so edited articles, ~0.6 s, and a cold build writes it).

The pack lives in the cache folder, not in cache.py: that module is part of the analysis cache's key
(cache.ANALYSIS_CODE), and how the entries are held changes nothing of what they are.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable, Mapping
from contextlib import suppress
from pathlib import Path

PACK_NAME = "analysis-pack"
PACK_MAGIC = b"build-site analysis pack 1\n"
# Entries pickled together: strings met in several articles of a chunk are unpickled once (the pickle's memo), and
# what ValueSharing then replaces is freed chunk by chunk (one pickle of all 10,000 held ~90 MB more at its peak).
CHUNK = 500
REPACK_SHARE = 50  # rewritten when the entries missing from it, or unused in it, are more than 1 in this many


class AnalysisPack:
    """The pack of the analysis cache whose entries are salted with `salt` (AnalysisCache.salt), in `folder`
    (the build's cache folder)."""

    def __init__(self, folder: Path, salt: str) -> None:
        self.file = folder / PACK_NAME
        self.salt = salt

    def load(self, arrived: Callable[[object], object] = lambda entry: entry) -> dict[str, object]:
        """The packed entries (key → analysed article or problem); none if there is no pack for this salt.
        `arrived` is called on each entry as it is loaded (ValueSharing: before the next chunk is)."""
        entries: dict[str, object] = {}
        try:
            with open(self.file, "rb", buffering=1 << 20) as handle:
                if handle.read(len(PACK_MAGIC)) != PACK_MAGIC or handle.readline() != self._salt_line():
                    return {}
                while handle.peek(1):
                    chunk = pickle.load(handle)
                    for entry in chunk.values():
                        arrived(entry)
                    entries.update(chunk)
                    del chunk
        except (OSError, ValueError, TypeError, EOFError, AttributeError, ImportError, IndexError, KeyError,
                pickle.UnpicklingError, MemoryError):
            return {}  # (a damaged or foreign pack only costs the per-article reads)
        return entries

    def save(self, entries: Mapping[str, object]) -> bool:
        """Write `entries` as the pack, whole or not at all (a pack that cannot be written only costs time);
        whether it was."""
        temporary = None
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.file.parent, prefix=f"{PACK_NAME}.", suffix=".tmp")
            with os.fdopen(fd, "wb", buffering=1 << 20) as handle:
                handle.write(PACK_MAGIC + self._salt_line())
                keys = list(entries)
                for start in range(0, len(keys), CHUNK):
                    chunk = {key: entries[key] for key in keys[start : start + CHUNK]}
                    pickle.dump(chunk, handle, protocol=pickle.HIGHEST_PROTOCOL)
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


def pack_is_behind(missing: int, unused: int, used: int) -> bool:
    """Whether the pack is worth writing again: `missing` analyses of this build were not in it (read from the
    per-article cache or made), `unused` of its entries were not asked for, `used` were."""
    total = missing + used
    return total > 0 and max(missing, unused) * REPACK_SHARE > total

