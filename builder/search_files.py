"""Pagefind's bundle in a canonical form: the same pages give the same files, byte for byte.

Pagefind (1.5) keeps a page's filters in hash maps whose order changes from run to run (Rust's
hashbrown with a random seed), and writes them in that order: the filter names in the meta file, the
values inside each filter file, and the languages in the entry file. Every other file is the same run
after run. Nothing on the input side fixes that order (a single filter name and value would, but the
site has three filters of several values each), no option sorts it, and no newer version than 1.5.2
is published. So `canonicalise(bundle)` rewrites just those files once Pagefind is done:

- `filter/<lang>_<hash>.pf_filter`: gzip of b"pagefind_dcd" and the CBOR array
  `[filter, [[value, [page numbers]], ...]]`; the values are sorted by value. The page numbers are
  Pagefind's own (its page order is stable), so results and counts do not change.
- `pagefind.<lang>_<hash>.pf_meta`: its array of `[filter, file hash]` pairs is sorted by filter
  and names the rewritten filter files; its array of `[sort, [page numbers]]` pairs by sort name.
- `pagefind-entry.json`: the languages in name order, each naming its rewritten meta file.

Every rewritten file is named like Pagefind names it: the language, then the start of the SHA-1 of
its uncompressed CBOR written as Pagefind writes it (each byte in hex without a leading zero); a
browser that cached a file under a name never gets other bytes under that name. A file this module
cannot read back into exactly the bytes it read (a Pagefind whose format differs) raises
`UnknownFormat`: a search index that is not byte-identical is better than a broken one, and
`canonicalise` leaves such a bundle as Pagefind wrote it (tests/test_search_files.py tells when the
pinned Pagefind's output is no longer understood).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import cbor2

SIGNATURE = b"pagefind_dcd"
FILTER_HASH_LENGTH = 7  # hex digits after "<lang>_" (Pagefind's short hash)


class UnknownFormat(ValueError):
    """A Pagefind file this module does not read exactly as written."""


def decode(data: bytes) -> object:
    """The CBOR value of `data`, which must be exactly what `encode` writes for it (the shortest forms and
    definite lengths Pagefind's minicbor writes: integers, strings, arrays, maps): anything else, such as a
    float, a tag or bytes after the value, is a format this module does not know."""
    try:
        value = cbor2.loads(data)
    except (cbor2.CBORDecodeError, ValueError) as exc:
        raise UnknownFormat(f"not CBOR: {exc}") from None
    try:
        same = encode(value) == data
    except (cbor2.CBOREncodeError, TypeError, ValueError):
        same = False
    if not same:
        raise UnknownFormat("CBOR that would not be written back the same (not the form Pagefind writes)")
    return value


def encode(value: object) -> bytes:
    """CBOR in the shortest form, maps in their own order (as Pagefind's minicbor writes them)."""
    return cbor2.dumps(value)


def read_chunk(path: Path) -> object:
    """The CBOR value of a gzip'd Pagefind file, checked to be written back exactly as read."""
    try:
        data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as exc:
        raise UnknownFormat(f"{path.name}: not gzip ({exc})") from None
    if not data.startswith(SIGNATURE):
        raise UnknownFormat(f"{path.name}: no {SIGNATURE!r} signature")
    try:
        return decode(data[len(SIGNATURE):])
    except UnknownFormat as exc:
        raise UnknownFormat(f"{path.name}: {exc}") from None


def chunk_bytes(cbor: bytes) -> bytes:
    # mtime 0: the gzip header then holds no time, so the same index gives the same file
    return gzip.compress(SIGNATURE + cbor, compresslevel=9, mtime=0)


def pagefind_hash(data: bytes) -> str:
    """Pagefind's `full_hash`: SHA-1, each byte in hex without a leading zero."""
    return "".join(f"{byte:x}" for byte in hashlib.sha1(data).digest())


def language_of(stem: str) -> str:
    """"en" of "en_2aeca27" (a language code may itself hold "-", never a hex hash "_")."""
    language, separator, _ = stem.rpartition("_")
    if not separator:
        raise UnknownFormat(f"{stem}: no language in the name")
    return language


def _is_pairs(value: object, second: type) -> bool:
    return (isinstance(value, list) and bool(value)
            and all(isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                    and isinstance(item[1], second) for item in value))


def canonicalise(bundle: Path) -> bool:
    """Rewrite the files of a fresh Pagefind bundle that vary between runs into their canonical form
    (module docstring). False, with the bundle left as it was, if its format is not understood.

    Only for a bundle Pagefind just wrote: files are replaced by new ones (never rewritten in place), but
    a bundle whose files are hard links to a published site's must not be renamed under it either."""
    try:
        plan = _canonical_files(bundle)
    except UnknownFormat:
        return False
    for old, (new, content) in plan.items():
        old.unlink()
        new.write_bytes(content)
    return True


def _canonical_files(bundle: Path) -> dict[Path, tuple[Path, bytes]]:
    """Old file → (new file, its bytes), for every file `canonicalise` rewrites; reads, changes nothing."""
    plan: dict[Path, tuple[Path, bytes]] = {}
    filter_names: dict[str, str] = {}  # old stem → new stem
    taken: set[str] = set()
    for path in sorted((bundle / "filter").glob("*.pf_filter")):
        value = read_chunk(path)
        if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
                and (_is_pairs(value[1], list) or value[1] == [])):
            raise UnknownFormat(f"{path.name}: not [filter, [[value, pages], ...]]")
        value[1].sort(key=lambda pair: pair[0])
        cbor = encode(value)
        stem = _short_name(language_of(path.stem), pagefind_hash(cbor), taken)
        filter_names[path.stem] = stem
        plan[path] = (path.with_name(stem + path.suffix), chunk_bytes(cbor))
    meta_names: dict[str, str] = {}
    for path in sorted(bundle.glob("pagefind.*.pf_meta")):
        value = read_chunk(path)
        if not isinstance(value, list):
            raise UnknownFormat(f"{path.name}: not an array")
        old_stem = path.name[len("pagefind."):-len(".pf_meta")]
        language = language_of(old_stem)
        named = set()
        for field in value:
            if _is_pairs(field, str) and all(pair[1] in filter_names for pair in field):  # the filters
                for pair in field:
                    pair[1] = filter_names[pair[1]]
                    named.add(pair[1])
                field.sort(key=lambda pair: pair[0])
            elif _is_pairs(field, list):  # the sorts: [sort, [page numbers in that order]]
                field.sort(key=lambda pair: pair[0])
        mine = {stem for stem in filter_names.values() if language_of(stem) == language}
        if named != mine:
            raise UnknownFormat(f"{path.name}: its filters are not the bundle's filter files")
        cbor = encode(value)
        stem = f"{language}_{pagefind_hash(cbor)[:len(language) + 8]}"  # Pagefind's length for the meta
        meta_names[old_stem] = stem
        plan[path] = (path.with_name(f"pagefind.{stem}.pf_meta"), chunk_bytes(cbor))
    entry = bundle / "pagefind-entry.json"
    if entry.is_file():
        plan[entry] = (entry, canonical_entry(entry.read_bytes(), meta_names))
    elif meta_names:
        raise UnknownFormat("meta files without pagefind-entry.json")
    if len({new for new, _ in plan.values()}) != len(plan):
        raise UnknownFormat("two rewritten files would share a name")
    return plan


def _short_name(language: str, digest: str, taken: set[str]) -> str:
    """Pagefind's rule: the shortest start of the hash (7 digits at least) no other file has."""
    length = FILTER_HASH_LENGTH
    while f"{language}_{digest[:length]}" in taken and length < len(digest):
        length += 1
    name = f"{language}_{digest[:length]}"
    taken.add(name)
    return name


def canonical_entry(data: bytes, meta_names: dict[str, str]) -> bytes:
    """pagefind-entry.json with its languages in name order, each naming its rewritten meta file;
    written compact with its non-ASCII characters as they are, as Pagefind's serde_json writes it."""
    try:
        entry = json.loads(data)
        languages = entry["languages"]
        for language in languages.values():
            language["hash"] = meta_names.get(language["hash"], language["hash"])
        entry["languages"] = dict(sorted(languages.items()))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UnknownFormat(f"pagefind-entry.json: {exc}") from None
    if set(meta_names.values()) - {language["hash"] for language in languages.values()}:
        raise UnknownFormat("pagefind-entry.json does not name every meta file")
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
