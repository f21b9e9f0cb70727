"""Stable, unique, predictable page names."""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_SLUG_LENGTH = 80
# Names page folders already use for their own pages (index.html, report.html).
RESERVED_SLUGS = frozenset({"index", "report"})


def slugify(text: str, fallback: str = "untitled") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_SLUG_LENGTH:
        slug = slug[:MAX_SLUG_LENGTH].rsplit("-", 1)[0]
    slug = slug or fallback
    return f"{slug}-page" if slug in RESERVED_SLUGS else slug


def with_clash_suffix(slug: str, identity: str) -> str:
    """The slug made unique by a hash of the identity, never a counter (stable whatever else exists)."""
    return f"{slug}-{hashlib.sha256(identity.encode('utf-8')).hexdigest()[:8]}"


def unique_slugs(items: list[tuple[str, str]]) -> dict[str, str]:
    """Map each (identity, title) to a slug; clashes get a suffix from the identity.

    The suffix is a hash of the identity (the file's path), never a counter, so a
    page's address does not depend on which other files exist or their order.
    """
    by_slug: dict[str, list[str]] = {}
    for identity, title in items:
        by_slug.setdefault(slugify(title), []).append(identity)
    result: dict[str, str] = {}
    for slug, identities in by_slug.items():
        if len(identities) == 1:
            result[identities[0]] = slug
            continue
        for identity in identities:
            result[identity] = with_clash_suffix(slug, identity)
    return result
