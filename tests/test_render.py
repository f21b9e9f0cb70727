"""Rendering: URLs, sentence mark-up, page kinds, pagination, 404, theme contrast, page structure."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from builder.config import Config, Paths, Settings
from builder.model import (
    Actor,
    Article,
    ArticleDate,
    Block,
    BlockKind,
    DateBasis,
    EntityType,
    Mention,
    Problem,
    Quote,
    Removal,
    Sentence,
    Site,
    Source,
)
from builder.pages import paginate
from builder.pages.articles import article_page
from builder.render import PageRenderer, Span, mark_up, relative_url, render_site, safe_external_url
from tests.linkcheck import check_links

REPO = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------
# helpers: small articles built by hand (no analysis needed)


def make_article(
    name: str,
    title: str,
    paragraphs: list[str | tuple[BlockKind, str] | tuple[BlockKind, str, str]],
    published: datetime | None = None,
    source: str = "Daily Test",
) -> Article:
    blocks = []
    for item in paragraphs:
        if isinstance(item, str):
            blocks.append(Block(BlockKind.PARAGRAPH, item))
        else:
            blocks.append(Block(*item))
    article = Article(
        source_file=name,
        content_hash=name,
        title=title,
        blocks=blocks,
        published=(ArticleDate(published, "metadata", DateBasis.FRONT_MATTER) if published
                   else ArticleDate(None, "undated")),
        source=source,
    )
    starts, offset = [], 0
    for block in blocks:
        starts.append(offset)
        offset += len(block.text) + 2
    article.text = "\n\n".join(b.text for b in blocks)
    article.block_starts = starts
    for number, (block, start) in enumerate(zip(blocks, starts, strict=True)):
        for match in re.finditer(r"[^.!?]+[.!?]?", block.text):
            piece = match.group().strip()
            if piece:
                begin = start + match.start() + (len(match.group()) - len(match.group().lstrip()))
                article.sentences.append(Sentence(len(article.sentences), begin, begin + len(piece), number))
    article.summary = [0] if article.sentences else []
    article.slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return article


def make_site(articles: list[Article], actors: list[Actor] | None = None, problems=None) -> Site:
    by_source: dict[str, list[Article]] = {}
    for article in articles:
        by_source.setdefault(article.source, []).append(article)
    sources = [
        Source(name, re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"), items)
        for name, items in sorted(by_source.items())
    ]
    return Site("Test digest", articles, sources, actors=actors or [], problems=problems or [])


def settings_for(tmp_path: Path, **config) -> Settings:
    paths = Paths(
        seeds=tmp_path / "seeds",
        output=tmp_path / "output",
        site=tmp_path / "site",
        templates=tmp_path / "templates",
        cache=tmp_path / "cache",
    )
    return Settings(config=Config(**config), paths=paths)


def write_pages(pages, folder: Path) -> None:
    for page in pages:
        target = folder / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.content)


VOID = frozenset({"meta", "link", "br", "input", "img", "hr", "source", "wbr"})


class Structure(HTMLParser):
    """Collects what the accessibility checks need from one page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.headings: list[int] = []
        self.html_lang: str | None = None
        self.ids: list[str] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.attrs: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        self.attrs.append((tag, attributes))
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Structure:
    parser = Structure()
    parser.feed(html)
    parser.close()
    return parser


# ---------------------------------------------------------------------------
# URLs


@pytest.mark.parametrize(
    ("from_page", "to_page", "expected"),
    [
        ("index.html", "articles/a.html", "articles/a.html"),
        ("articles/a.html", "articles/b.html", "b.html"),
        ("articles/a.html", "index.html", "../index.html"),
        ("articles/a.html", "static/style.css", "../static/style.css"),
        ("articles/a.html", "actors/kim.html#m3", "../actors/kim.html#m3"),
        ("articles/a.html", "#s2", "#s2"),
        ("a/b/c.html", "a/d.html", "../d.html"),
        ("index.html", "https://example.org/x", "https://example.org/x"),
    ],
)
def test_relative_url(from_page, to_page, expected):
    assert relative_url(from_page, to_page) == expected


def test_safe_external_url_keeps_only_http_addresses():
    assert safe_external_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_external_url(" http://example.org ") == "http://example.org"
    assert safe_external_url("javascript:alert(1)") is None
    assert safe_external_url("data:text/html,hi") is None
    assert safe_external_url("/local/path") is None
    assert safe_external_url('https://x.org/"onmouseover=') is None
    assert safe_external_url(None) is None


# ---------------------------------------------------------------------------
# Sentence mark-up


def test_mark_up_escapes_text():
    text = 'Tom & Jerry <script>alert("x")</script>'
    html = mark_up(text, 0, len(text))
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html


def test_mark_up_links_mentions_inside_the_range():
    text = "Kim met Shoigu in Pyongyang."
    html = mark_up(text, 0, len(text), [Span(0, 3, "a/kim.html"), Span(18, 27, "a/pyongyang.html")])
    assert html == ('<a class="mention" href="a/kim.html">Kim</a> met Shoigu in '
                    '<a class="mention" href="a/pyongyang.html">Pyongyang</a>.')


def test_mark_up_survives_overlapping_and_out_of_range_mentions():
    text = "Kim Jong Un met Shoigu."
    links = [
        Span(0, 11, "kju.html"),  # Kim Jong Un
        Span(4, 11, "ju.html"),  # overlaps: dropped
        Span(0, 3, "kim.html"),  # inside the first: dropped (first, longest wins)
        Span(16, 400, "far.html"),  # runs past the end: clipped
        Span(-5, -1, "neg.html"),  # before the start: dropped
        Span(10, 10, "empty.html"),  # empty: dropped
    ]
    html = mark_up(text, 0, len(text), links)
    assert html.count("<a ") == 2
    assert '<a class="mention" href="kju.html">Kim Jong Un</a>' in html
    assert '<a class="mention" href="far.html">Shoigu.</a>' in html
    assert re.sub(r"<[^>]+>", "", str(html)) == text


def test_mark_up_clips_to_the_sentence():
    text = "First sentence here. Second one with Kim."
    second = text.index("Second")
    links = [Span(0, 5, "first.html"), Span(text.index("Kim"), len(text) - 1, "k.html")]
    html = mark_up(text, second, len(text), links)
    assert "first.html" not in html
    assert html.startswith("Second") and "k.html" in html


def test_mark_up_nests_properly_when_a_link_crosses_a_quote_edge():
    text = 'He said "Kim Jong Un is here" today.'
    quote_start, quote_end = text.index('"'), text.rindex('"') + 1
    link = Span(text.index("Jong"), text.index("today") + 5, "x.html")  # starts inside, ends outside the quote
    html = str(mark_up(text, 0, len(text), [link], [Span(quote_start, quote_end, quote=True)]))
    structure = parse(f"<p>{html}</p>")
    assert structure.errors == [] and structure.stack == []
    assert re.sub(r"<[^>]+>", "", html).replace("&#34;", '"') == text
    assert '<span class="quote">' in html


def test_mark_up_of_an_empty_or_inverted_range_is_empty():
    assert mark_up("abc", 2, 1) == ""
    assert mark_up("abc", 5, 9) == ""


# ---------------------------------------------------------------------------
# One article page


@pytest.fixture
def rich_site() -> Site:
    article = make_article(
        "a.txt",
        "Kim meets Shoigu",
        [
            "Kim met Shoigu in Pyongyang. They talked about <security>.",
            (BlockKind.HEADING, "The talks"),
            (BlockKind.QUOTE, "We are strong."),
            (BlockKind.LIST_ITEM, "First point."),
            (BlockKind.LIST_ITEM, "Second point."),
            (BlockKind.IMAGE, "Kim and Shoigu at the exhibition", "https://img.example.org/p.jpg"),
            (BlockKind.IMAGE, "A hostile picture", "javascript:alert(1)"),
        ],
        datetime(2023, 7, 27, tzinfo=UTC),
    )
    article.mentions = [
        Mention(0, 3, "Kim", EntityType.PERSON, 0, actor_key="kim"),
        Mention(8, 14, "Shoigu", EntityType.PERSON, 0, actor_key="nobody"),  # no such actor: plain text
        Mention(18, 27, "Pyongyang", EntityType.PLACE, 0, actor_key=None),
        Mention(500, 600, "Ghost", EntityType.PERSON, 0, actor_key="kim"),  # out of range
    ]
    article.quotes = [Quote(0, 14, "Kim met Shoigu", 0, speaker="KCNA")]
    article.removals = [Removal("ad-marker", "[ad_1]"), Removal("related-links", "Related Articles")]
    article.original_url = "https://news.example.org/story"
    article.language = "fr"
    article.also_published_as = ["b.txt", "gone.txt"]
    other = make_article("b.txt", "Kim meets Shoigu again", ["Same story."], None, source="Other Paper")
    actors = [Actor("kim", "Kim Jong Un", EntityType.PERSON, "kim-jong-un")]
    return make_site([article, other], actors=actors)


def render_article(site: Site, tmp_path: Path, kinds=("articles", "sources", "actors")) -> str:
    renderer = PageRenderer(site, settings_for(tmp_path), kinds=kinds)
    return article_page(renderer, site, site.articles[0]).content.decode()


def test_article_page_shows_text_sentences_and_metadata(rich_site, tmp_path):
    html = render_article(rich_site, tmp_path)
    structure = parse(html)
    assert structure.errors == []
    assert "<h1>Kim meets Shoigu</h1>" in html
    assert 'href="../sources/daily-test.html">Daily Test</a>' in html
    assert '<time datetime="2023-07-27">27 July 2023</time>' in html
    assert '<span class="how">(dated from the front matter)</span>' in html
    for index in range(len(rich_site.articles[0].sentences)):
        assert f'id="s{index}"' in html
    assert structure.ids.count("s0") == 1  # the summary does not repeat anchors
    assert "&lt;security&gt;" in html
    assert "<h2>" in html and "<blockquote>" in html
    assert re.search(r"<ul>\s*<li><span id=\"s\d+\">First point\.</span></li>\s*<li>", html)
    assert "In French" in html and 'lang="fr"' in html
    assert 'href="https://news.example.org/story"' in html



@pytest.mark.parametrize("basis", [b for b in DateBasis if b != DateBasis.NONE])
def test_article_page_says_in_few_words_what_the_date_was_taken_from(rich_site, tmp_path, basis):
    """Not the whole account of `how` (the wording it was read from, the file an event was dated in)."""
    article = rich_site.articles[0]
    how = "dated through the event 'Kim meets Shoigu' (reported as 'Wednesday' in a.txt): read as 2023-07-27"
    article.published = ArticleDate(article.published.value, how, basis)
    line = re.search(r'<span class="how">\(dated from ([^<]*)\)</span>', render_article(rich_site, tmp_path))
    assert line and len(line[1].split()) <= 8 and not any(word in line[1] for word in ("a.txt", "Wednesday", "'"))


def test_an_undated_article_page_says_undated_and_nothing_more(rich_site, tmp_path):
    rich_site.articles[0].published = ArticleDate(None, "undated")
    html = render_article(rich_site, tmp_path)
    assert '<span class="undated">Undated</span>' in html and 'class="how"' not in html

def test_article_page_links_known_actors_only(rich_site, tmp_path):
    html = render_article(rich_site, tmp_path)
    assert '<a class="mention" href="../actors/kim-jong-un.html">Kim</a>' in html
    assert 'href="../actors/nobody.html"' not in html
    assert html.count('class="mention"') == 2  # body and summary; the out-of-range mention is ignored
    without_actor_pages = render_article(rich_site, tmp_path, kinds=("articles", "sources"))
    assert "actors/" not in without_actor_pages


def test_images_are_text_with_a_link_never_an_img(rich_site, tmp_path):
    html = render_article(rich_site, tmp_path)
    assert "<img" not in html
    assert "Kim and Shoigu at the exhibition" in html
    assert 'href="https://img.example.org/p.jpg"' in html
    assert "javascript:" not in html
    assert "A hostile picture" in html


def test_cleaning_report_and_duplicates(rich_site, tmp_path):
    html = render_article(rich_site, tmp_path)
    details = html[html.index("<details"): html.index("</details>")]
    assert "<summary>" in details and "2 pieces of text removed" in details
    assert "ad-marker" in details and "[ad_1]" in details and "Related Articles" in details
    assert 'href="kim-meets-shoigu-again.html">b.txt</a>' in html
    assert "<li>gone.txt</li>" in html  # duplicate without a page: named, not linked


def test_undated_article_says_so(tmp_path):
    site = make_site([make_article("u.txt", "No date here", ["Some text."], None)])
    html = render_article(site, tmp_path)
    assert "Undated" in html and "<time" not in html


# ---------------------------------------------------------------------------
# The whole site


def many_articles(count: int, start=datetime(2016, 1, 1, tzinfo=UTC)) -> list[Article]:
    articles = []
    for number in range(count):
        published = start.replace(day=1 + number % 28, month=1 + (number // 28) % 3) if number % 10 else None
        articles.append(make_article(f"f{number:04d}.txt", f"Story number {number}", [f"Story {number} text."],
                                     published, source=f"Paper {number % 3}"))
    articles.sort(key=lambda a: (a.published.value is None, -(a.published.value.timestamp() if a.published.value
                                                                 else 0), a.source_file))
    return articles


def test_render_site_paginates_and_every_link_resolves(tmp_path):
    site = make_site(many_articles(130))
    pages = render_site(site, settings_for(tmp_path, articles_per_page=10))
    paths = [page.path for page in pages]
    assert len(paths) == len(set(paths))
    write_pages(pages, tmp_path / "out")
    assert check_links(tmp_path / "out") == []
    index = (tmp_path / "out" / "index.html").read_text()
    assert index.count('class="article-item"') == 10
    for prefix in ("archive/2016-01", "archive/2016-02", "archive/2016-03", "archive/undated"):
        assert f"{prefix}.html" in paths
    assert "archive/2016-01--2.html" in paths
    assert "sources/paper-0--2.html" in paths
    assert "reports/cleaning.html" in paths and "404.html" in paths and ".nojekyll" in paths
    assert "static/style.css" in paths and "static/filter.js" in paths
    # every article is reachable from exactly one archive page
    archive = "".join(p.content.decode() for p in pages if p.path.startswith("archive/"))
    for article in site.articles:
        assert archive.count(f'href="../articles/{article.slug}.html"') == 1
    for page in pages:
        if page.path.endswith(".html"):
            assert page.content.count(b'class="article-item"') <= 10


def test_undated_articles_come_last_in_the_archive(tmp_path):
    site = make_site(many_articles(30))
    pages = {p.path: p.content.decode() for p in render_site(site, settings_for(tmp_path))}
    overview = pages["articles/index.html"]
    assert overview.index("February 2016") < overview.index("January 2016") < overview.index("Undated")


def test_rendering_is_deterministic(rich_site, tmp_path):
    first = render_site(rich_site, settings_for(tmp_path))
    second = render_site(rich_site, settings_for(tmp_path))
    assert [(p.path, p.content) for p in first] == [(p.path, p.content) for p in second]


def test_pages_are_well_formed_and_accessible(rich_site, tmp_path):
    for page in render_site(rich_site, settings_for(tmp_path)):
        if not page.path.endswith(".html"):
            continue
        html = page.content.decode()
        structure = parse(html)
        assert structure.errors == [], page.path
        assert structure.html_lang, page.path
        assert structure.tags.count("main") == 1, page.path
        assert structure.headings and structure.headings[0] == 1 and structure.headings.count(1) == 1, page.path
        for before, after in zip(structure.headings, structure.headings[1:], strict=False):
            assert after <= before + 1, f"{page.path}: heading h{before} followed by h{after}"
        assert len(structure.ids) == len(set(structure.ids)), page.path
        for tag, attributes in structure.attrs:
            assert tag != "img" or attributes.get("alt") is not None, page.path
            for name in ("src", "href"):
                value = attributes.get(name, "")
                if tag in ("script", "link") and value:
                    assert not value.startswith(("http:", "https:", "//")), f"{page.path}: external {value}"
        if page.path != "404.html":
            assert 'class="skip-link" href="#main"' in html and "<nav" in html and "<header" in html


def test_cleaning_report_counts_rules_and_lists_skipped_files(rich_site, tmp_path):
    rich_site.problems = [Problem("bad.txt", "not valid UTF-8 (byte 0xff at 3)"),
                          Problem("fr.txt", "not English: analysed as plain text", skipped=False)]
    rich_site.articles[1].removals = [Removal("ad-marker", "[ad_2]")]
    pages = {p.path: p.content.decode() for p in render_site(rich_site, settings_for(tmp_path))}
    report = pages["reports/cleaning.html"]
    row = report[report.index("<code>ad-marker</code>"):]
    assert re.match(r'<code>ad-marker</code></th>\s*<td class="num"[^>]*>2</td>\s*<td class="num"[^>]*>2</td>', row)
    assert report.index("ad-marker") < report.index("related-links")  # most frequent first
    assert "<code>bad.txt</code>: not valid UTF-8" in report
    assert "<code>fr.txt</code>" in report


def test_404_is_self_contained(rich_site, tmp_path):
    pages = {p.path: p.content.decode() for p in render_site(rich_site, settings_for(tmp_path))}
    html = pages["404.html"]
    assert "<style>" in html and "--bg" in html and 'rel="stylesheet"' not in html
    assert not re.search(r'(href|src)="(?!https?:)', html)
    pages = {p.path: p.content.decode()
             for p in render_site(rich_site, settings_for(tmp_path, base_url="https://me.example.io/news/"))}
    assert 'href="https://me.example.io/news/index.html"' in pages["404.html"]


def test_user_templates_override_the_builtin_ones(rich_site, tmp_path):
    settings = settings_for(tmp_path)
    settings.paths.templates.mkdir(parents=True)
    (settings.paths.templates / "404.html").write_text("custom {{ site.title }}")
    pages = {p.path: p.content for p in render_site(rich_site, settings)}
    assert pages["404.html"] == b"custom Test digest"


def test_paginate_bounds():
    pages = paginate("sources/x.html", list(range(25)), 10)
    assert [p.path for p in pages] == ["sources/x.html", "sources/x--2.html", "sources/x--3.html"]
    assert [len(p.items) for p in pages] == [10, 10, 5]
    assert pages[0].previous is None and pages[0].next == "sources/x--2.html" and pages[2].next is None
    assert len(paginate("a.html", [], 10)) == 1


# ---------------------------------------------------------------------------
# Theme: contrast in both colour schemes


def _colours(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;", block))


def _luminance(colour: str) -> float:
    channels = [int(colour[i: i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_theme_has_light_and_dark_colours_with_enough_contrast():
    css = (REPO / "site" / "static" / "style.css").read_text()
    light = _colours(css[css.index(":root"): css.index("}", css.index(":root"))])
    dark_start = css.index("@media (prefers-color-scheme: dark)")
    dark = {**light, **_colours(css[dark_start: css.index("}\n}", dark_start)])}
    assert light["bg"] != dark["bg"]
    for scheme in (light, dark):
        for background in ("bg", "surface"):
            for foreground in ("text", "muted", "link", "link-hover"):
                ratio = contrast(scheme[foreground], scheme[background])
                assert ratio >= 4.5, f"{foreground} on {background}: {ratio:.2f}"
        assert contrast(scheme["bg"], scheme["text"]) >= 4.5  # the skip link and current page number


def test_theme_loads_nothing_from_elsewhere():
    for name in ("style.css", "filter.js"):
        text = (REPO / "site" / "static" / name).read_text()
        assert "http://" not in text and "https://" not in text and "@import" not in text


def test_relative_path_agrees_with_posixpath():
    import posixpath

    from hypothesis import given
    from hypothesis import strategies as st

    from builder.render import _relative_path

    segment = st.sampled_from(["a", "b", "articles"])  # folders
    page = st.sampled_from(["x.html", "index.html", "style.css"])  # files
    path = st.tuples(st.lists(segment, max_size=3), page).map(lambda parts: "/".join([*parts[0], parts[1]]))
    folder = st.lists(segment, min_size=0, max_size=3).map("/".join)

    @given(path, folder)
    def check(target, start):
        assert _relative_path(target, start) == posixpath.relpath(target, start or ".")

    check()


def test_home_leads_with_the_most_covered_current_events(rich_site, tmp_path):
    from builder.model import Event
    from builder.pages import articles

    rich_site.events = [
        Event("e1", "Small event", "meeting", "small-event", sources=["a.txt"]),
        Event("e2", "Big event", "meeting", "big-event", sources=["a.txt", "b.txt"]),
        Event("e3", "The old war", "war", "the-old-war", sources=["a.txt", "b.txt", "c.txt"], background=True),
    ]
    with_events = PageRenderer(rich_site, settings_for(tmp_path), kinds=("articles", "sources", "events"))
    home = next(p for p in articles.plan(with_events, rich_site) if p.path == "index.html").content.decode()
    section = home[home.index("Most covered events"): home.index("Latest")]
    assert section.index("Big event") < section.index("Small event") < section.index("The old war")
    assert 'href="events/big-event.html"' in section
    without = PageRenderer(rich_site, settings_for(tmp_path), kinds=("articles", "sources"))
    home = next(p for p in articles.plan(without, rich_site) if p.path == "index.html").content.decode()
    assert "Most covered events" not in home and "events/" not in home


def test_links_only_to_pages_other_kinds_really_made(rich_site, tmp_path, monkeypatch):
    """A page kind without its index page drops out of the navigation; mentions link only to made actor pages."""
    import types

    from builder import render
    from builder.model import OutputPage
    from builder.pages import articles, reports, sources

    def actors_plan(renderer, site):  # makes no actors/index.html and no actor pages
        return [OutputPage("actors/other.html", b"<!doctype html><title>x</title>")]

    fake = types.SimpleNamespace(plan=actors_plan)
    monkeypatch.setattr(render, "available_page_modules",
                        lambda: {"articles": articles, "sources": sources, "actors": fake, "reports": reports})
    pages = {p.path: p.content.decode() for p in render.render_site(rich_site, settings_for(tmp_path))}
    article = pages[f"articles/{rich_site.articles[0].slug}.html"]
    assert "actors/index.html" not in article and "kim-jong-un.html" not in article
    assert 'href="../sources/index.html"' in article
    write_pages(pages_as_output(pages), tmp_path / "out")
    assert [b for b in check_links(tmp_path / "out") if "actors" in b.link] == []  # (feeds are left out here)


def pages_as_output(pages: dict[str, str]):
    from builder.model import OutputPage

    return [OutputPage(path, content.encode()) for path, content in pages.items()]


# ---------------------------------------------------------------------------
# excerpts_only: actor and event pages quote only what the article page shows


def excerpt_site() -> Site:
    from builder.model import Event

    article = make_article(
        "a.txt",
        "Kim meets Shoigu",
        ["Kim met Shoigu in Pyongyang. They talked about security.",
         "Later Kim said the army was ready for anything.",
         "Defence minister Shoigu praised the hosts warmly.",
         "Kim added that the talks would continue in Moscow."],
        datetime(2023, 7, 27, tzinfo=UTC),
    )
    other = make_article("b.txt", "Shoigu in Pyongyang", ["Shoigu arrived on Wednesday.",
                                                          "Crowds lined the hidden avenue near the river."],
                         datetime(2023, 7, 26, tzinfo=UTC), source="Other Paper")
    text = article.text
    article.mentions = [
        Mention(0, 3, "Kim", EntityType.PERSON, 0, actor_key="kim"),
        Mention(text.index("Kim said"), text.index("Kim said") + 3, "Kim", EntityType.PERSON, 2, actor_key="kim"),
        Mention(text.index("Kim added"), text.index("Kim added") + 3, "Kim", EntityType.PERSON, 4, actor_key="kim"),
        Mention(text.index("Shoigu praised"), text.index("Shoigu praised") + 6, "Shoigu", EntityType.PERSON, 3,
                actor_key="shoigu"),
    ]
    kim = Actor("kim", "Kim Jong Un", EntityType.PERSON, "kim-jong-un", prominence=1,
                mentions=[("a.txt", 0), ("a.txt", 1), ("a.txt", 2)],
                roles=[("leader", "a.txt", 2)], quotes=[("a.txt", 2, "ready for anything"), ("a.txt", 4, None)])
    shoigu = Actor("shoigu", "Sergei Shoigu", EntityType.PERSON, "sergei-shoigu", prominence=1,
                   mentions=[("a.txt", 3)], roles=[("Defence minister", "a.txt", 3)])
    event = Event("meeting/kim-shoigu", "Kim meets Shoigu", "meeting", "kim-meets-shoigu",
                  participants=["kim", "shoigu"], sources=["a.txt", "b.txt"],
                  evidence=[("a.txt", 0), ("a.txt", 3), ("a.txt", 4), ("b.txt", 1)],
                  summary=[("a.txt", 3), ("a.txt", 0)])
    site = make_site([article, other], actors=[kim, shoigu])
    site.events = [event]
    return site


LATER_TEXT = ("ready for anything", "praised the hosts", "continue in Moscow", "hidden avenue")


def test_excerpts_only_actor_and_event_pages_quote_only_what_article_pages_show(tmp_path):
    full = {p.path: p.content.decode() for p in render_site(excerpt_site(), settings_for(tmp_path / "full"))}
    actor_and_event = ["actors/kim-jong-un.html", "actors/sergei-shoigu.html", "events/kim-meets-shoigu.html"]
    for text in LATER_TEXT:  # without the setting, these pages quote the later paragraphs
        assert any(text in full[path] for path in actor_and_event), text

    excerpts = render_site(excerpt_site(), settings_for(tmp_path, excerpts_only=True))
    pages = {p.path: p.content.decode() for p in excerpts}
    article_pages = pages["articles/kim-meets-shoigu.html"] + pages["articles/shoigu-in-pyongyang.html"]
    for path in actor_and_event:
        for text in LATER_TEXT:
            assert text not in article_pages
            assert text not in pages[path], (path, text)
    kim, shoigu, event = (pages[path] for path in actor_and_event)
    assert "met Shoigu in Pyongyang" in kim  # the first paragraph is on the article page: quoted
    assert "<strong>leader</strong>" in kim and "<strong>Defence minister</strong>" in shoigu  # roles stay...
    assert 'in <a href="../articles/kim-meets-shoigu.html">Kim meets Shoigu</a>' in shoigu  # ...with a link
    assert kim.count('In <a href="../articles/kim-meets-shoigu.html">') == 1  # quotes: one link to the article
    assert "Kim met Shoigu in Pyongyang" in event
    assert '<a href="../articles/shoigu-in-pyongyang.html">Shoigu in Pyongyang</a>' in event
    assert "#s3" not in event and "#s2" not in kim  # no links to sentences the article page leaves out
    write_pages(excerpts, tmp_path / "out")
    assert check_links(tmp_path / "out") == []


def test_excerpts_only_summary_links_only_to_sentences_the_page_shows(tmp_path):
    site = excerpt_site()
    article = site.articles[0] if site.articles[0].source_file == "a.txt" else site.articles[1]
    later = next(s.index for s in article.sentences if s.block > 0)
    article.summary = [0, later]
    pages = render_site(site, settings_for(tmp_path, excerpts_only=True))
    page = next(p.content.decode() for p in pages if p.path == "articles/kim-meets-shoigu.html")
    assert 'href="#s0"' in page and f'href="#s{later}"' not in page and f'<li id="s{later}">' in page
    write_pages(pages, tmp_path / "out")
    assert check_links(tmp_path / "out") == []
