"""One hash of everything a build is made from, checked before any heavy work.

If the seeds, the site folder (config, rules, curation, static files), the
templates and the builder's own code are all unchanged, the previous output
already is the result, and a rebuild costs only reading and hashing the inputs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from builder.cache import builder_fingerprint
from builder.config import Settings
from builder.theme import builtin_static_dirs, builtin_template_dirs


def _hash_tree(digest, folder: Path, exclude: tuple[Path, ...] = ()) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not any(path.is_relative_to(skip) for skip in exclude):
            digest.update(path.relative_to(folder).as_posix().encode("utf-8", "surrogateescape"))
            digest.update(hashlib.sha256(path.read_bytes()).digest())


def build_fingerprint(seed_hashes: list[tuple[str, str]], settings: Settings) -> str:
    """One hash of the builder, the settings, the site folder, the templates and every seed (relpath, content hash)."""
    digest = hashlib.sha256()
    digest.update(builder_fingerprint().encode())
    digest.update(repr(settings.config).encode())
    digest.update(str(settings.paths.seeds).encode("utf-8", "surrogateescape"))
    keep_out = (settings.paths.output, settings.paths.cache)
    for folder in (settings.paths.site, settings.paths.templates, *builtin_template_dirs(), *builtin_static_dirs()):
        digest.update(b"\0folder\0")
        _hash_tree(digest, folder, keep_out)
    for relpath, content_hash in seed_hashes:
        digest.update(relpath.encode("utf-8", "surrogateescape"))
        digest.update(content_hash.encode())
    return digest.hexdigest()
