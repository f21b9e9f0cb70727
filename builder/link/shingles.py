"""What duplicates are found by, read from one article alone: its text's shingles and their MinHash signature.

The signature is worked out in the per-article stage (builder.link.prepare, cached with the analysis) and read
back in linking (`article_signature`); the fingerprints of the few articles in candidate pairs are worked out
again in linking with the same function.  This module is in the analysis cache's key
(builder.cache.ANALYSIS_CODE) and duplicates.py, which compares articles, is not: whatever the per-article
stage computes lives here, so that changing how candidates are compared does not make every article be
analysed again.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from builder.model import Article

SHINGLE_WORDS = 5
HASHES = 128
MIN_SHINGLES = 10  # shorter texts are never called duplicates

_rng = np.random.default_rng(20160110)
_XORS = _rng.integers(0, 2**63 - 1, size=HASHES, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_MULTS = _rng.integers(0, 2**63 - 1, size=HASHES, dtype=np.uint64) * np.uint64(2) + np.uint64(1)


_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[int]:
    """64-bit fingerprints of every run of `size` words (lower-cased, punctuation dropped)."""
    return set(fingerprint_array(text, size).tolist())


def fingerprint_array(text: str, size: int = SHINGLE_WORDS) -> np.ndarray:
    """shingles(text) as a sorted array without repeats: 8 bytes a shingle instead of a Python int in a set."""
    words = _WORD.findall(text.lower())
    grams = set(map(" ".join, zip(*(words[i:] for i in range(size)), strict=False)))  # runs of `size` words
    blake2b = hashlib.blake2b
    digests = b"".join([blake2b(gram.encode(), digest_size=8).digest() for gram in grams])
    return np.unique(np.frombuffer(digests, dtype="<u8").astype(np.uint64))


def signature(fingerprints: set[int] | np.ndarray) -> np.ndarray:
    values = (fingerprints if isinstance(fingerprints, np.ndarray)
              else np.fromiter(fingerprints, dtype=np.uint64, count=len(fingerprints)))
    with np.errstate(over="ignore"):
        mixed = (values[:, None] ^ _XORS[None, :]) * _MULTS[None, :]
    return mixed.min(axis=0)


def min_hash(fingerprints: np.ndarray) -> np.ndarray | None:
    """The MinHash signature of a text's fingerprint_array; None for a text too short to be a duplicate."""
    return signature(fingerprints) if len(fingerprints) >= MIN_SHINGLES else None


def duplicate_text(article: Article) -> str:
    """The text two articles are compared on (the blocks when analysis left no text)."""
    return article.text or " ".join(b.text for b in article.blocks)


def signature_bytes(article: Article) -> bytes:
    """The article's min_hash as raw bytes (empty for a short text): what the per-article stage keeps for
    linking.  1 KB, where its fingerprints would be 8 bytes a word."""
    sig = min_hash(fingerprint_array(duplicate_text(article)))
    return b"" if sig is None else sig.tobytes()


def article_signature(article: Article) -> np.ndarray | None:
    """min_hash of the article's text: kept from the per-article stage when it is there."""
    features = article.link_features
    if features is None or features.signature is None:
        return min_hash(fingerprint_array(duplicate_text(article)))
    return np.frombuffer(features.signature, dtype=np.uint64) if features.signature else None
