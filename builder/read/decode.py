"""Bytes → text, refusing binary files and reporting undecodable ones."""

from __future__ import annotations

from builder.model import Problem, SourceFile


def decode_text(source: SourceFile) -> str | Problem:
    data = source.data
    if not data.strip():
        return Problem(source.relpath, "empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return Problem(source.relpath, "starts with a UTF-16 mark but is not valid UTF-16")
    if b"\x00" in data[:8192]:
        return Problem(source.relpath, "binary file (contains NUL bytes), not an article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Problem(
            source.relpath,
            f"not valid UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start}); save it as UTF-8",
        )
