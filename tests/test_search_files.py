"""builder.search_files: Pagefind's varying files rewritten in a canonical form (the browser tests query it)."""

from __future__ import annotations

import gzip
import shutil

import pytest

from builder import search
from builder.search_files import (
    SIGNATURE,
    UnknownFormat,
    canonicalise,
    chunk_bytes,
    decode,
    encode,
    pagefind_hash,
    read_chunk,
)

PAGE = ("<!doctype html><html lang='en'><head><title>{n}</title></head><body>"
        "<article data-pagefind-body data-pagefind-sort='date:2016-0{m}-01'><h1>Story {n}</h1>"
        "<span data-pagefind-filter='type' hidden>{kind}</span>"
        "<span data-pagefind-filter='source' hidden>Source {source}</span>"
        "<span data-pagefind-filter='date' hidden>2016-0{m}</span><p>Words about topic {n}.</p>"
        "</article></body></html>")


def make_site(folder):
    folder.mkdir(parents=True)
    for n in range(16):
        (folder / f"p{n:02}.html").write_text(
            PAGE.format(n=n, m=1 + n % 7, kind=("Article", "Actor", "Event")[n % 3], source=n % 6), encoding="utf-8")


def pagefind_bundle(tmp_path, name="raw"):
    """Pagefind's own output over the test site, not canonicalised."""
    site = tmp_path / name
    make_site(site)
    search.run_pagefind(site, ["--site", str(site), "--output-subdir", search.BUNDLE])
    return site / search.BUNDLE


def files(bundle) -> dict[str, bytes]:
    return {p.relative_to(bundle).as_posix(): p.read_bytes() for p in sorted(bundle.rglob("*")) if p.is_file()}


def filters(bundle) -> dict[str, dict[str, list[int]]]:
    out = {}
    for path in (bundle / "filter").glob("*.pf_filter"):
        name, values = read_chunk(path)
        out[name] = {value: pages for value, pages in values}
    return out


def test_cbor_round_trip():
    value = [0, 23, 24, 255, 256, 65_535, 65_536, 2**32, -1, -25, "", "é漢", b"\x00", [], [[1, "a"]],
             {"k": [2, 3], "a": 1}]
    assert decode(encode(value)) == value
    assert list(decode(encode(value))[-1]) == ["k", "a"]  # a map keeps its order
    assert encode(24) == b"\x18\x18" and encode("ab") == b"\x62ab" and encode([1]) == b"\x81\x01"  # shortest forms
    # a float, a tag, an array of indefinite length, one cut short, a value with bytes after it
    for data in (b"\xf9\x00\x00", b"\xc1\x00", b"\x9f\xff", b"\x82\x01", b"\x01\x01"):
        with pytest.raises(UnknownFormat):
            decode(data)


def test_pagefind_hash_writes_bytes_without_leading_zeros():
    # SHA-1 of nothing: da39a3ee5e6b4b0d3255bfef95601890afd80709
    assert pagefind_hash(b"") == "da39a3ee5e6b4bd3255bfef95601890afd879"


def test_canonical_bundle_is_the_same_after_any_run_and_means_the_same(tmp_path):
    raw = pagefind_bundle(tmp_path)
    wrote = filters(raw)
    bundles = []
    for run in range(3):
        bundle = pagefind_bundle(tmp_path, f"run-{run}")
        assert canonicalise(bundle)
        bundles.append(files(bundle))
    assert bundles[0] == bundles[1] == bundles[2]
    canonical = tmp_path / "run-0" / search.BUNDLE
    assert filters(canonical) == wrote  # the same values and pages per filter
    for path in (canonical / "filter").glob("*.pf_filter"):
        _, values = read_chunk(path)
        assert [value for value, _ in values] == sorted(value for value, _ in values)
        assert path.stem == "en_" + pagefind_hash(gzip.decompress(path.read_bytes())[len(SIGNATURE):])[:7]
    (meta,) = canonical.glob("pagefind.*.pf_meta")
    names = {p.name for p in (canonical / "filter").iterdir()}
    (named,) = [field for field in read_chunk(meta) if isinstance(field, list) and field and all(
        isinstance(pair, list) and len(pair) == 2 and f"{pair[1]}.pf_filter" in names for pair in field)]
    assert [pair[0] for pair in named] == ["date", "source", "type"]
    assert {f"{pair[1]}.pf_filter" for pair in named} == names
    assert meta.name[len("pagefind."):-len(".pf_meta")] in (canonical / "pagefind-entry.json").read_text()


def test_a_format_it_does_not_know_is_left_as_pagefind_wrote_it(tmp_path):
    bundle = pagefind_bundle(tmp_path)
    (bundle / "filter" / "en_0000000.pf_filter").write_bytes(chunk_bytes(b"\xf9\x00\x00"))  # a float
    before = files(bundle)
    assert not canonicalise(bundle)
    assert files(bundle) == before
    shutil.rmtree(bundle / "filter")
    assert canonicalise(bundle)  # no filters at all: nothing to sort, still canonical
