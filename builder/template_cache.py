"""Compiled templates kept in the cache folder between builds.

Jinja parses a template and compiles the Python it makes of it the first time the template is asked for:
~20 templates, 0.3-0.4 s of every build, an edit rebuild's too.  Jinja's own bytecode cache keeps that code
(marshalled) and checks each entry against the template's source, so an edited template is compiled again;
but the code also depends on the environment's options (trim_blocks, autoescape, ...), which are the
builder's code: the entries are kept in a folder named by the builder's fingerprint, and the folders of
other fingerprints are removed when a new one is made.  An entry that cannot be read or written only costs
the compile.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from pathlib import Path

import jinja2
from jinja2 import meta

from builder.cache import builder_fingerprint

FOLDER_PREFIX = "templates-"
REFERENCES_NAME = "references.json"


class TemplateCodeCache(jinja2.FileSystemBytecodeCache):
    def __init__(self, cache_folder: Path) -> None:
        folder = cache_folder / f"{FOLDER_PREFIX}{builder_fingerprint()[:16]}"
        if not folder.is_dir():
            _remove_other_folders(cache_folder, folder.name)
        super().__init__(str(folder))

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError, TypeError, MemoryError, pickle.UnpicklingError):  # (a damaged file:
            # the source's checksum is pickled, the code marshalled)
            bucket.reset()

    def remembered_references(self) -> dict[str, list[str | None]]:
        """What `referenced_templates` worked out in earlier builds (same builder fingerprint): source hash →
        the names it references."""
        try:
            with open(os.path.join(self.directory, REFERENCES_NAME), encoding="utf-8") as handle:
                remembered = json.load(handle)
        except (OSError, ValueError):
            return {}
        return remembered if isinstance(remembered, dict) else {}

    def remember_references(self, references: dict[str, list[str | None]]) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            temporary = os.path.join(self.directory, f"{REFERENCES_NAME}.{os.getpid()}.tmp")
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump(references, handle, sort_keys=True)
            os.replace(temporary, os.path.join(self.directory, REFERENCES_NAME))
        except OSError:
            pass  # a cache that cannot be written only costs time

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass  # a cache that cannot be written only costs time


# source hash → the templates it references, in this process: a `serve` rebuild parses no template it parsed
# before (the builder's code, which decides how a source is parsed, does not change under a running process)
_references: dict[str, list[str | None]] = {}


def referenced_templates(env: jinja2.Environment, source: str) -> list[str | None]:
    """The templates the template `source` extends, includes or imports, as jinja2.meta finds them (None: a
    name computed when it renders; none if it does not parse: rendering it will say what is wrong).

    Parsing every template for this took ~0.1 s of CPU in every edit rebuild (page_keys.templates_part, for
    the page keys; 0.7 s under cProfile): the answers are remembered by the
    source's hash, in this process and beside the compiled templates (the same folder: the parser's options are
    the builder's code)."""
    digest = hashlib.sha256(source.encode("utf-8", "surrogateescape")).hexdigest()
    found = _references.get(digest)
    if found is not None:
        return list(found)
    code_cache = env.bytecode_cache if isinstance(env.bytecode_cache, TemplateCodeCache) else None
    remembered = code_cache.remembered_references() if code_cache is not None else {}
    found = remembered.get(digest)
    if not (isinstance(found, list) and all(name is None or isinstance(name, str) for name in found)):
        try:
            found = list(meta.find_referenced_templates(env.parse(source)))
        except jinja2.TemplateSyntaxError:
            found = []
        if code_cache is not None:
            code_cache.remember_references({**remembered, digest: found})
    _references.update(remembered)
    _references[digest] = found
    return list(found)


def _remove_other_folders(cache_folder: Path, keep: str) -> None:
    try:
        others = [path for path in cache_folder.iterdir() if path.name.startswith(FOLDER_PREFIX) and path.name != keep]
    except OSError:
        return
    for path in others:
        shutil.rmtree(path, ignore_errors=True)
