"""py3langid's language identifier, with its feature counting done by numpy (same answers, to the bit), and
its model read from an uncompressed copy in the build's cache folder when there is one."""

from __future__ import annotations

import lzma
import math
import mmap
import os
import shutil
import struct
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import py3langid
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
from py3langid.modelio import _to_array

__all__ = ["MODEL_FILE", "MODEL_STATE_DEPTH", "VectorisedIdentifier", "load_identifier"]

# The longest byte string a state of py3langid's feature automaton stands for (its depth from the start
# state; tests/test_language_model.py checks it on the model): the state after any byte is the one reached by
# walking just the last this-many bytes from the start.
MODEL_STATE_DEPTH = 6


class VectorisedIdentifier(LanguageIdentifier):
    """py3langid's identifier with the same answers, its byte-by-byte walk of the feature automaton done as
    MODEL_STATE_DEPTH numpy steps over all positions at once.

    py3langid walks ~1000 bytes one at a time in Python, each step a lookup in a 40 MB table: the largest
    part of detecting a language, slower still when the rest of the analysis has pushed the table out of
    the processor's caches.  Here every position's state is worked out from its last few bytes (the
    automaton is an Aho-Corasick one: its state is the longest suffix read that some feature starts with),
    so the lookups of all positions are made together.  The features are counted and listed in the order
    they first occur, as py3langid's Counter lists them, so the scores are summed in the same order and
    come out the same to the bit."""

    __slots__ = ("_feature_of", "_next_state", "_row_base")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._next_state = (self.tk_nextmove if isinstance(self.tk_nextmove, np.ndarray)  # (mapped from the copy)
                            else np.frombuffer(self.tk_nextmove, dtype=np.dtype(self.tk_nextmove.typecode)))
        self._row_base = np.array(self._rowbase, dtype=np.intp)
        self._feature_of = np.array(self.tk_output, dtype=np.intp)

    def feature_counts(self, encoded: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """(features, counts) in the order the features first occur, as py3langid's visit_counts; None: none."""
        data = np.frombuffer(encoded, dtype=np.uint8).astype(np.intp)
        states = np.zeros(len(data), dtype=np.intp)
        for back in range(min(MODEL_STATE_DEPTH, len(data)) - 1, -1, -1):  # the byte `back` places before each
            states[back:] = self._next_state[self._row_base[states[back:]] + data[: len(data) - back]]
        features = self._feature_of[states]
        features = features[features >= 0]
        if not len(features):
            return None
        found, first, counts = np.unique(features, return_index=True, return_counts=True)
        order = np.argsort(first)
        return found[order], counts[order]

    def _raw_score(self, text: bytes) -> np.ndarray:
        counted = self.feature_counts(text)
        if counted is None:
            return super()._raw_score(text)  # no features: py3langid's own answer for that case
        features, counts = counted
        # the rows gathered and widened before the product: numpy widens the float16 table to float32 for a
        # product anyway, and widening the few rows needed is cheaper than its mixed-type product
        return np.log1p(counts.astype(np.float32)) @ self.nb_ptc[features].astype(np.float32) + self.nb_pc


def load_identifier(copy_folder: Path | None = None) -> VectorisedIdentifier:
    """The identifier with py3langid's model (normalised probabilities), read from `copy_folder` when given.

    py3langid ships its model as an LZMA-compressed npz and decompresses it (~0.4 s of CPU, and 68 MB
    written to a temporary file) in every process that loads it: every build that analyses an article.
    With a folder, the decompressed npz is kept there (named after py3langid's version and the model
    file's size and time) and later processes read it as it is."""
    model = MODEL_DIR / MODEL_FILE
    if copy_folder is None:
        return VectorisedIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    stat = model.stat()
    copy = copy_folder / f"langid-model-{py3langid.__version__}-{stat.st_size}-{stat.st_mtime_ns}.npz"
    if not copy.is_file():
        _decompress_to(model, copy)
    try:
        return _identifier_from_npz(copy)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # no copy, or a damaged one
        return VectorisedIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _decompress_to(model: Path, copy: Path) -> None:
    """The model's npz written to `copy`, whole or not at all."""
    try:
        copy.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=copy.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out, lzma.open(model) as source:
            shutil.copyfileobj(source, out, length=1 << 20)
        os.replace(temporary, copy)
    except OSError:
        pass


def _identifier_from_npz(path: Path) -> VectorisedIdentifier:
    """py3langid.modelio.load_model and LanguageIdentifier.from_model_file, on the npz without its LZMA.

    Its two large tables, the scores (27 MB) and the automaton (37 MB), are mapped from the copy rather than read
    into memory and copied again (into an array for the automaton): ~0.1 s of CPU for every build that analyses
    an article (an edit: one), of which a text's detection reads a few pages.  The copy is only ever replaced
    whole (os.replace), never written in place, so the pages mapped stay those of the copy that was read."""
    with np.load(path, allow_pickle=False) as data:
        pc, classes = data["pc"], data["classes"].tolist()
        row, output = _to_array(data["nextmove_row"]), data["out_feat"].tolist()
    ptc, nextmove = _mapped(path, "ptc.npy"), _mapped(path, "nextmove.npy")
    return VectorisedIdentifier(ptc, np.asarray(pc), classes, nextmove, output, norm_probs=True, tk_row=row)


def _mapped(path: Path, member: str) -> np.ndarray:
    """`member` of the npz at `path`, stored in it uncompressed, as a read-only array over the file's pages
    (ValueError: not stored so, or not whole)."""
    with zipfile.ZipFile(path) as archive:
        found = archive.getinfo(member)
    if found.compress_type != zipfile.ZIP_STORED:
        raise ValueError(f"{member} is compressed")
    with open(path, "rb") as handle:
        handle.seek(found.header_offset)
        local_header = handle.read(30)  # (then the member's name and extra field, then its bytes: an .npy file)
        if local_header[:4] != b"PK\x03\x04":
            raise ValueError(f"no local header for {member}")
        name_length, extra_length = struct.unpack("<HH", local_header[26:30])
        handle.seek(found.header_offset + len(local_header) + name_length + extra_length)
        version = np.lib.format.read_magic(handle)
        if version not in ((1, 0), (2, 0)):
            raise ValueError(f"{member}: .npy version {version}")
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran_order, dtype = read_header(handle)
        if fortran_order or dtype.hasobject:
            raise ValueError(f"{member}: not a plain array")
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        return np.frombuffer(mapped, dtype=dtype, count=math.prod(shape), offset=handle.tell()).reshape(shape)
