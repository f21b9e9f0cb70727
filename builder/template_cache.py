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

import os
import pickle
import shutil
from pathlib import Path

import jinja2

from builder.cache import builder_fingerprint

FOLDER_PREFIX = "templates-"


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

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass  # a cache that cannot be written only costs time


def _remove_other_folders(cache_folder: Path, keep: str) -> None:
    try:
        others = [path for path in cache_folder.iterdir() if path.name.startswith(FOLDER_PREFIX) and path.name != keep]
    except OSError:
        return
    for path in others:
        shutil.rmtree(path, ignore_errors=True)
