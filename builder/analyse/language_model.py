"""py3langid's language identifier, with its feature counting done by numpy (same answers, to the bit)."""

from __future__ import annotations

import numpy as np
from py3langid.langid import MODEL_FILE, LanguageIdentifier

__all__ = ["MODEL_FILE", "MODEL_STATE_DEPTH", "VectorisedIdentifier"]

# The longest byte string a state of py3langid's feature automaton stands for (its depth from the start
# state; tests/test_analyse.py checks it on the model): the state after any byte is the one reached by
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
        self._next_state = np.frombuffer(self.tk_nextmove, dtype=np.dtype(self.tk_nextmove.typecode))
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
