"""Data-driven: the clean stage over all news-2016 posts (real scraped news, ../shared/data/news-2016).

No boilerplate marker may survive cleaning, and nothing real may be lost: every long sentence of the raw
body that no rule removed is still in the cleaned text. Data-driven (a few seconds).
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from builder.clean import clean_article, load_rules
from builder.model import Article, ArticleDate, Block, BlockKind, Problem, SourceFile

FORBIDDEN = (
    "[ad_",
    "Back to top",
    "Related Articles",
    "Go Back to Top",
    "Skip To:",
    "Continue reading the main story",
    "Watch in Times Video",
    "&#13;",
)
_BLOCK_TAGS = re.compile(
    r"^(?:p|div|h[1-6]|li|figcaption|blockquote|figure|aside|header|footer|section|table|tr|ul|ol)$"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[”\"’)]?\s+(?=[“\"‘(]?[A-Z])")
_NOT_ALNUM = re.compile(r"[\W_]+")
LONG_SENTENCE_WORDS = 8


def read_post(path: Path, relpath: str) -> Article | Problem:
    """The project's reader when it reads Markdown posts; else a simple one: front matter + HTML blocks."""
    data = path.read_bytes()
    source = SourceFile(relpath, data, hashlib.sha256(data).hexdigest())
    try:
        from builder.read import parse_source

        parsed = parse_source(source, None)
        if isinstance(parsed, Article) or "no reader" not in parsed.reason:
            return parsed
    except Exception:  # the reader is being rewritten by someone else; fall back to ours
        pass
    return simple_read(source)


def simple_read(source: SourceFile) -> Article:
    text = source.data.decode("utf-8", errors="replace")
    front, body = {}, text
    if text.startswith("---"):
        _, head, body = text.split("---", 2)
        front = yaml.safe_load(head) or {}
    soup = BeautifulSoup(body, "lxml")
    for br in soup.find_all("br"):
        br.replace_with("\n\n")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    blocks = []
    for chunk in re.split(r"\n\s*\n", soup.get_text()):
        chunk = " ".join(chunk.split(" ")).strip()
        chunk = re.sub(r"[ \t\n]+", " ", chunk).strip()
        if chunk:
            blocks.append(Block(BlockKind.PARAGRAPH, chunk))
    return Article(
        source_file=source.relpath,
        content_hash=source.content_hash,
        title=str(front.get("post_title", "")).strip(),
        blocks=blocks,
        published=ArticleDate(None, "undated"),
    )


@cache
def corpus(folder: str) -> tuple[tuple[Article, Article | Problem], ...]:
    rules = load_rules(Path("/nonexistent-site"))
    pairs = []
    for path in sorted(Path(folder).glob("*.md")):
        if path.name == "SOURCE.md":
            continue
        raw = read_post(path, path.name)
        if isinstance(raw, Problem):
            continue
        pairs.append((raw, clean_article(raw, rules)))
    return tuple(pairs)


@pytest.fixture(scope="module")
def news(shared_data: Path):
    folder = shared_data / "news-2016"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    return corpus(str(folder))


def cleaned_text(article: Article) -> str:
    return "\n\n".join(block.text for block in article.blocks)


def alnum(text: str) -> str:
    return _NOT_ALNUM.sub("", text).lower()


def test_all_posts_read_and_clean(news):
    assert len(news) >= 1100
    problems = [cleaned for _, cleaned in news if isinstance(cleaned, Problem)]
    assert len(problems) <= 5, problems


@pytest.mark.parametrize("marker", FORBIDDEN)
def test_no_boilerplate_marker_survives(news, marker):
    survivors = [
        cleaned.source_file for _, cleaned in news if isinstance(cleaned, Article) and marker in cleaned_text(cleaned)
    ]
    assert survivors == [], f"{marker!r} survives in {len(survivors)} posts, e.g. {survivors[:3]}"


def test_no_trailing_source_line(news):
    trailing = [
        cleaned.source_file
        for _, cleaned in news
        if isinstance(cleaned, Article) and re.fullmatch(r"(?i)source(?: link)?\s*:?", cleaned.blocks[-1].text)
    ]
    assert trailing == []


def test_markers_were_there_to_remove(news):
    """The data holds the markers (else the test above proves nothing)."""
    raw_text = "\n".join(cleaned_text(raw) for raw, _ in news)
    assert "[ad_1]" in raw_text
    assert any(raw.blocks and re.fullmatch(r"(?i)source(?: link)?", raw.blocks[-1].text) for raw, _ in news)


def test_nothing_real_is_lost(news):
    """Every sentence of 8+ words in a raw body is still in the cleaned text, unless a rule removed it."""
    lost = []
    for raw, cleaned in news:
        if isinstance(cleaned, Problem):
            continue
        kept = alnum(cleaned_text(cleaned))
        removed = [alnum(removal.text) for removal in cleaned.removals]
        removed_all = "|".join(removed)
        for block in raw.blocks:
            for sentence in _SENTENCE_END.split(block.text):
                if len(sentence.split()) < LONG_SENTENCE_WORDS:
                    continue
                key = alnum(sentence)
                if key in kept or key in removed_all:
                    continue
                rest = sentence
                for removal in cleaned.removals:  # a dateline taken off the front, markers taken out
                    rest = rest.replace(removal.text, " ")
                if alnum(rest) in kept:
                    continue
                lost.append((cleaned.source_file, sentence))
    assert lost == [], f"{len(lost)} sentences lost, e.g. {lost[:5]}"


def test_rules_remove_little_real_text(news):
    """Block rules remove furniture, not articles: removals are a small share of the text."""
    raw_chars = sum(len(cleaned_text(raw)) for raw, _ in news)
    removed_chars = sum(
        len(removal.text) for _, cleaned in news if isinstance(cleaned, Article) for removal in cleaned.removals
    )
    assert removed_chars < 0.05 * raw_chars


def test_datelines_found(news):
    """Most wire stories start with a dateline; the cleaner lifts it into credits."""
    with_place = [cleaned for _, cleaned in news if isinstance(cleaned, Article) and cleaned.credits.dateline_place]
    assert len(with_place) >= 500
    for cleaned in with_place:
        first = cleaned.blocks[0].text if cleaned.blocks else ""
        assert not first.startswith(cleaned.credits.dateline_place + " ("), cleaned.source_file


def test_reuters_credit_lines_become_credits(news):
    with_editors = [cleaned for _, cleaned in news if isinstance(cleaned, Article) and cleaned.credits.editors]
    assert len(with_editors) >= 300
    for cleaned in with_editors:
        assert not re.search(r"\((?:Additional )?Reporting by", cleaned_text(cleaned), re.IGNORECASE)
