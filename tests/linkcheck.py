"""A link checker for a built site: every relative link must name an existing file.

Crawls every .html file under an output folder and checks each href/src:
- a relative link must resolve to an existing file inside the folder (never a folder:
  links must work from file://, where folders do not open their index.html);
- a fragment (#s3, page.html#s3) must name an id (or a name) present in the target page;
- root-relative links ("/x.html") are refused: they break under file:// and sub-paths;
- external links (http:, https:, mailto:, …) are not followed; javascript: links are refused,
  and so are data: links a reader would follow (<a href>).

Usable from tests (`check_links(folder)` → list of problems) and from the command line:
    .venv/bin/python tests/linkcheck.py output/
"""

from __future__ import annotations

import posixpath
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRIBUTES = {"href", "src", "srcset", "poster", "data", "action", "formaction"}


@dataclass(frozen=True)
class BrokenLink:
    page: str  # relative to the site folder
    link: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: {self.link!r}: {self.reason}"


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (tag, link)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id",) or (name == "name" and tag == "a"):
                self.ids.add(value)
            elif name in LINK_ATTRIBUTES:
                if name == "srcset":
                    self.links.extend((tag, part.strip().split(" ")[0]) for part in value.split(",") if part.strip())
                elif not (tag == "meta" or (tag == "link" and self._is_canonical(attrs))):
                    self.links.append((tag, value))

    handle_startendtag = handle_starttag

    @staticmethod
    def _is_canonical(attrs: list[tuple[str, str | None]]) -> bool:
        rel = dict(attrs).get("rel") or ""
        return "canonical" in rel.split()


def _parse(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return parser


def check_links(site: Path) -> list[BrokenLink]:
    """Every broken relative link in every .html page under `site`."""
    site = site.resolve()
    parsed: dict[str, _PageParser] = {}

    def page(relpath: str) -> _PageParser:
        if relpath not in parsed:
            parsed[relpath] = _parse(site / relpath)
        return parsed[relpath]

    broken: list[BrokenLink] = []
    for path in sorted(site.rglob("*.html")):
        relpath = path.relative_to(site).as_posix()
        for tag, link in page(relpath).links:
            problem = _check(site, relpath, tag, link, page)
            if problem:
                broken.append(BrokenLink(relpath, link, problem))
    return broken


def _check(site: Path, relpath: str, tag: str, link: str, page) -> str | None:
    link = link.strip()
    if not link:
        return "empty link"
    parts = urlsplit(link)
    if parts.scheme or link.startswith("//"):
        if parts.scheme.lower() in ("javascript", "vbscript") or (parts.scheme.lower() == "data" and tag == "a"):
            return f"{parts.scheme}: link"  # data: is fine for an inline icon, not for a link a reader follows
        return None  # external
    if link.startswith("/"):
        return "root-relative link (breaks under file:// and sub-paths)"
    target_path = unquote(parts.path)
    if not target_path:
        target = relpath
    else:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(relpath), target_path))
        if target.startswith("../") or target == "..":
            return "points outside the site folder"
        if target_path.endswith("/"):
            return "points to a folder"
        resolved = site / target
        if resolved.is_dir():
            return "points to a folder"
        if not resolved.is_file():
            return "no such file"
    fragment = unquote(parts.fragment)
    if fragment and target.endswith(".html") and fragment not in page(target).ids:
        return f"no id {fragment!r} in {target}"
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/linkcheck.py SITE_FOLDER", file=sys.stderr)
        return 2
    broken = check_links(Path(argv[0]))
    for problem in broken:
        print(problem)
    pages = sum(1 for _ in Path(argv[0]).rglob("*.html"))
    print(f"{pages} pages checked, {len(broken)} broken link(s)")
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
