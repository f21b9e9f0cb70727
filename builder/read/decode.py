"""Bytes → text, refusing binary files and reporting undecodable ones."""

from __future__ import annotations

from builder.model import Problem, SourceFile


def _utf16_without_mark(data: bytes) -> str | None:
    """Text saved as UTF-16 without a byte-order mark: NUL in every other byte of a Latin-script sample."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / len(sample[0::2])
    odd_nul = sample[1::2].count(0) / len(sample[1::2])
    encoding = (
        "utf-16-le" if odd_nul > 0.9 and even_nul < 0.1 else "utf-16-be" if even_nul > 0.9 and odd_nul < 0.1 else None
    )
    if encoding is None:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _undecodable(source: SourceFile, exc: UnicodeDecodeError) -> Problem:
    data = source.data
    byte = data[exc.start]
    line = data.count(b"\n", 0, exc.start) + 1
    hint = ""
    try:
        data.decode("cp1252")
        hint = f", '{bytes([byte]).decode('cp1252')}' in Windows-1252"
    except UnicodeDecodeError:
        pass
    return Problem(
        source.relpath,
        f"not valid UTF-8 (byte {byte:#04x} on line {line}{hint}); re-save the file as UTF-8",
    )


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
        text = _utf16_without_mark(data)
        if text is not None:
            return text
        return Problem(source.relpath, "binary file (contains NUL bytes), not an article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _undecodable(source, exc)
