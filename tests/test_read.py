"""The READ stage: discovery, decoding, and one reader per input kind (small inline fixtures)."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from builder.config import Config
from builder.model import Article, BlockKind, DateBasis, Problem, SourceFile
from builder.read import parse_source, read_seeds
from builder.read.frontmatter import MAX_ALIASES
from builder.read.htmlbody import html_to_blocks
from builder.read.publisher import UNKNOWN_SOURCE, publisher_from_url, real_address, split_title_publisher


def parse(name: str, data: str | bytes, config: Config | None = None) -> Article | Problem:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return parse_source(SourceFile(name, raw, "0" * 64), config or Config())


def article(name: str, data: str | bytes, config: Config | None = None) -> Article:
    result = parse(name, data, config)
    assert isinstance(result, Article), result
    return result


def problem(name: str, data: str | bytes) -> Problem:
    result = parse(name, data)
    assert isinstance(result, Problem), f"expected a problem, got {result}"
    assert result.path == name
    return result


def texts(result: Article) -> list[str]:
    return [block.text for block in result.blocks]


# --- discovery -------------------------------------------------------------------------------------------


def test_discovery_ignores_non_articles_and_hidden_files(tmp_path):
    for name in ["a.txt", "b.md", "c.html", "README.md", "SOURCE.md", "LICENSE", ".DS_Store", ".hidden.txt",
                 "notes.pdf", "sub/d.htm", ".git/e.txt", "~f.txt"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Headline\n\nBody.\n")
    sources, problems = read_seeds(tmp_path)
    assert [s.relpath for s in sources] == ["a.txt", "b.md", "c.html", "sub/d.htm"]
    assert problems == []


# --- plain text --------------------------------------------------------------------------------------------


def test_text_headline_then_one_paragraph_per_line():
    result = article("a.txt", textwrap.dedent("""\

        The headline here

        First paragraph, with a blank line after.

        Second paragraph.
        Third paragraph on the very next line.
    """))
    assert result.title == "The headline here"
    assert texts(result) == ["First paragraph, with a blank line after.", "Second paragraph.",
                             "Third paragraph on the very next line."]
    assert {block.kind for block in result.blocks} == {BlockKind.PARAGRAPH}
    assert result.published.value is None and result.source == UNKNOWN_SOURCE


def test_text_keeps_markup_like_text_and_windows_line_ends():
    result = article("a.txt", "Title\r\n\r\nA <b>literal</b> &amp; sign.\r\nNext\r\n")
    assert texts(result) == ["A <b>literal</b> &amp; sign.", "Next"]


def test_utf16_with_bom_decodes():
    result = article("u.txt", "Überschrift\n\nText über Köln.\n".encode("utf-16"))
    assert result.title == "Überschrift" and texts(result) == ["Text über Köln."]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_decodes(encoding):
    assert texts(article("u.txt", "Headline\n\nBody text.\n".encode(encoding))) == ["Body text."]


def test_utf8_bom_is_not_part_of_the_headline():
    assert article("b.txt", b"\xef\xbb\xbfHeadline\n\nBody.\n").title == "Headline"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"  \n\t\n ", "empty"),
        (b"Only a headline\n\n", "no article text"),
        (bytes(range(256)) * 8, "binary"),
        ("Headline\n\nThe caf\xe9 opened.\n".encode("cp1252"), "0xe9"),
    ],
)
def test_bad_text_files_are_problems(data, words):
    assert words in problem("bad.txt", data).reason


def test_windows_1252_problem_suggests_utf8():
    reason = problem("w.txt", "Title\n\n\u201cQuoted\u201d\n".encode("cp1252")).reason
    assert "UTF-8" in reason and "0x93" in reason


# --- Markdown with front matter --------------------------------------------------------------------------

WORDPRESS_POST = textwrap.dedent("""\
    ---
    ID: 34
    post_title: 'France&#039;s fashion house sues &#8220;online&#8221; sellers'
    author: Staff Writer
    post_date: 2016-01-10 21:45:06
    published: true
    original_cats:
      - >
        world news,fashion,
        courts
    original_link:
      - 'http://news.google.com/news/url?sa=t&#038;fd=R&#038;ct2=us&#038;url=http://www.example-gazette.com/news/a.html'
    ---
     [ad_1]
    <br><div id=""><p>A court&#13;
    in the capital accepted the case.</p>
    <p>The <a href="http://x.example/">company</a> said <em>nothing</em>.</p></div>
    <script>alert('x')</script><style>p {}</style>
    <p>Last line.</p>
""")


def test_wordpress_export_post():
    result = article("post.md", WORDPRESS_POST)
    assert result.title == "France's fashion house sues \u201conline\u201d sellers"
    assert result.published.value == datetime(2016, 1, 10, 21, 45, 6, tzinfo=UTC)
    assert result.published.how == "metadata" and result.published.basis == DateBasis.FRONT_MATTER
    assert result.categories == ["world news", "fashion", "courts"]
    assert result.original_url == "http://www.example-gazette.com/news/a.html"
    assert result.source == "Example Gazette"
    assert result.author == "Staff Writer"
    assert texts(result) == ["[ad_1]", "A court in the capital accepted the case.", "The company said nothing.",
                             "Last line."]
    assert all("\r" not in text and "&#" not in text for text in texts(result))


def test_dates_without_zone_take_the_configured_zone():
    result = article("p.md", WORDPRESS_POST, Config(timezone="America/New_York"))
    assert result.published.value == datetime(2016, 1, 10, 21, 45, 6, tzinfo=ZoneInfo("America/New_York"))


def test_generic_front_matter_and_markdown_body():
    result = article("g.md", textwrap.dedent("""\
        ---
        title: Council approves budget
        date: 2024-03-05T10:30:00+01:00
        source: The Town Crier
        author: Jo Bloggs
        url: https://crier.example/budget
        tags: [politics, money]
        ---
        The council *approved* the [budget](https://x.example) on Tuesday.

        ## Reactions

        > "It is a good day," the mayor said.

        - More roads
        - More schools

        ![A council meeting](https://img.example/c.jpg)
    """))
    assert result.title == "Council approves budget"
    assert result.published.value == datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    assert (result.source, result.author, result.categories) == ("The Town Crier", "Jo Bloggs", ["politics", "money"])
    assert result.original_url == "https://crier.example/budget"
    assert [(b.kind, b.text) for b in result.blocks] == [
        (BlockKind.PARAGRAPH, "The council approved the budget on Tuesday."),
        (BlockKind.HEADING, "Reactions"),
        (BlockKind.QUOTE, "\"It is a good day,\" the mayor said."),
        (BlockKind.LIST_ITEM, "More roads"),
        (BlockKind.LIST_ITEM, "More schools"),
        (BlockKind.IMAGE, "A council meeting"),
    ]
    assert result.blocks[-1].href == "https://img.example/c.jpg"


def test_source_given_as_an_address_names_the_publisher():
    result = article("s.md", "---\ntitle: T\nsource: https://www.reuters.com/world/x\n---\nBody.\n")
    assert (result.source, result.original_url) == ("Reuters", "https://www.reuters.com/world/x")


def test_markdown_with_one_stray_tag_is_still_markdown():
    result = article("m.md", "---\ntitle: T\n---\nSome **bold** text.<br>\n\n- an item\n")
    assert [(b.kind, b.text) for b in result.blocks] == [(BlockKind.PARAGRAPH, "Some bold text."),
                                                         (BlockKind.LIST_ITEM, "an item")]


def test_markdown_without_front_matter_takes_the_first_heading_as_title():
    result = article("n.md", "# The headline\n\nA paragraph of text.\n")
    assert result.title == "The headline" and texts(result) == ["A paragraph of text."]


def test_publisher_suffix_is_stripped_from_the_title():
    result = article("s.md", "---\ntitle: Storm closes schools - CNN\n---\nSchools closed on Monday.\n")
    assert (result.title, result.source) == ("Storm closes schools", "CNN")
    kept = article("k.md", "---\ntitle: Jekyll - Hyde and the rest\n---\nA body.\n")
    assert (kept.title, kept.source) == ("Jekyll - Hyde and the rest", UNKNOWN_SOURCE)


def test_no_publisher_is_unknown_source():
    assert article("u.md", "---\ntitle: A title\n---\nBody.\n").source == UNKNOWN_SOURCE


@pytest.mark.parametrize(
    ("front", "words"),
    [
        ("title: [1, 2]", "'title'"),
        ("title: ok\ndate: {nested: true}", "'date'"),
        ("title: ok\ndate: not a date at all", "'date'"),
        ("title: ok\ncategories: [{a: 1}]", "'categories'"),
        ("title: ok\ntags: {a: 1}", "'tags' should be text or a list of texts, not a mapping"),
        ("title: 'unclosed\n  - : :", "not valid YAML"),
        ("- just\n- a list", "mapping"),
        ("title: ok\nx: " + "y" * 70_000, "too large"),
    ],
)
def test_bad_front_matter_is_a_problem_naming_the_key(front, words):
    assert words in problem("bad.md", f"---\n{front}\n---\nBody text.\n").reason


def test_alias_bomb_is_refused_quickly():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 25):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    reason = problem("bomb.md", "---\n" + "\n".join(lines) + "\ntitle: Bomb\n---\nBody.\n").reason
    assert "aliases" in reason and str(MAX_ALIASES) in reason


def test_a_few_aliases_are_fine():
    front = "base: &b Reuters\nsource: *b\ntitle: With an alias"
    assert article("a.md", f"---\n{front}\n---\nBody.\n").source == "Reuters"


def test_front_matter_without_closing_line_is_a_problem():
    assert "closing" in problem("c.md", "---\ntitle: x\nBody.\n").reason


def test_front_matter_without_body_is_a_problem():
    assert "no article text" in problem("e.md", "---\ntitle: x\n---\n\n").reason


# --- HTML bodies ---------------------------------------------------------------------------------------------


def test_html_structure_becomes_blocks():
    blocks = html_to_blocks(textwrap.dedent("""\
        <div>Loose text in a div<p>Para <b>one</b> &amp; <a href="https://x">link</a>.</p>
        <h3>A heading</h3><ul><li>First</li><li>Second</li></ul>
        <blockquote class="twitter-tweet"><p>Tweet text</p></blockquote>
        <script async src="https://platform.twitter.com/widgets.js"></script>
        Line one<br>Line two<br/>Line three
        <iframe src="https://video.example"></iframe><form><input value="x">Form words</form>
        <svg><text>Svg words</text></svg><noscript>No script words</noscript>
        <figure><img src="//cdn.example/p.jpg" alt="alt words"><figcaption>The caption.</figcaption></figure>
        <img src="https://pixel.example/1.gif"><img src="javascript:alert(1)" alt="Described">
        </div>
    """))
    assert [(b.kind.value, b.text, b.href) for b in blocks] == [
        ("p", "Loose text in a div", None),
        ("p", "Para one & link.", None),
        ("h", "A heading", None),
        ("li", "First", None),
        ("li", "Second", None),
        ("quote", "Tweet text", None),
        ("p", "Line one", None),
        ("p", "Line two", None),
        ("p", "Line three", None),
        ("image", "The caption.", "https://cdn.example/p.jpg"),
        ("image", "Described", None),
    ]


def test_content_after_void_elements_is_kept():
    blocks = html_to_blocks('<p>a</p><embed src="x.swf">b<p>c</p>d<source src="v.mp4"><p>e</p><wbr>f')
    assert [b.text for b in blocks] == ["a", "b", "c", "d", "e", "f"]


def test_wordpress_captions_describe_their_image():
    blocks = html_to_blocks('<div class="wp-caption alignleft"><img src="http://i.example/a.jpg" alt="a.jpg">'
                            '<p class="wp-caption-text">The mayor at the opening.</p></div><p>Body.</p>')
    assert [(b.kind.value, b.text, b.href) for b in blocks] == [
        ("image", "The mayor at the opening.", "http://i.example/a.jpg"), ("p", "Body.", None)]


def test_deeply_nested_html_keeps_its_text():
    depth = 10_000
    blocks = html_to_blocks("<div>" * depth + "<p>Deep words.</p>" + "</div>" * depth + "<p>After.</p>")
    assert [b.text for b in blocks] == ["Deep words.", "After."]


def test_deeply_nested_markdown_post_reads():
    depth = 10_000
    result = article("d.md", "---\ntitle: Deep\n---\n" + "<div>" * depth + "Text." + "</div>" * depth)
    assert texts(result) == ["Text."]


def test_huge_text_inputs_read():
    line = "The committee discussed the proposal and agreed to meet again. "
    long_line = article("l.txt", "Long\n\n" + line * (5_000_000 // len(line)))
    assert len(long_line.blocks) == 1 and len(long_line.blocks[0].text) > 4_900_000
    many = article("m.txt", "Many\n\n" + (line + "\n") * (20_000_000 // len(line)))
    assert len(many.blocks) > 300_000
    markdown = article("l.md", "---\ntitle: Long\n---\n" + line * (5_000_000 // len(line)))
    assert len(markdown.blocks) == 1 and len(markdown.blocks[0].text) > 4_900_000



def test_a_plain_text_first_line_too_long_for_a_headline_is_named():
    line = "The committee discussed the proposal and agreed to meet again. "
    reason = problem("one-line.txt", line * 4 + "\n\nA second paragraph.\n").reason
    assert f"{len(line * 4) - 1} characters long" in reason and "headline" in reason
    assert article("ok.txt", line * 3 + "\n\nA second paragraph.\n").title == (line * 3).strip()

# --- saved web pages ---------------------------------------------------------------------------------------------

PAGE = textwrap.dedent("""\
    <!DOCTYPE html><html lang="en"><head>
    <title>Bridge to reopen in May | The Daily Example</title>
    <meta property="og:title" content="Bridge to reopen in May">
    <meta property="og:site_name" content="The Daily Example">
    <meta name="author" content="Ann Writer">
    <meta property="article:published_time" content="2024-04-02T08:00:00+00:00">
    <link rel="canonical" href="https://daily.example/bridge">
    <script>var tracking = 1;</script></head>
    <body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
    <article><h1>Bridge to reopen in May</h1>
    <p>The mayor said on Tuesday that the old bridge will reopen in May after two years of repairs.</p>
    <p>Engineers inspected the bridge last week and found the new steel supports sound and safe to use.</p>
    <p>Traffic will be diverted through the city centre until then, officials said in a statement.</p>
    </article><footer>Copyright 2024 The Daily Example. All rights reserved.</footer></body></html>
""")


def test_saved_page_body_and_metadata():
    result = article("page.html", PAGE)
    assert result.title == "Bridge to reopen in May"
    assert texts(result)[0].startswith("The mayor said on Tuesday")
    assert any("diverted" in text for text in texts(result))
    assert not any("Copyright" in text or text == "Home" for text in texts(result))
    assert result.source == "The Daily Example"
    assert result.author == "Ann Writer"
    assert result.published.value is not None and result.published.value.date().isoformat() == "2024-04-02"
    assert result.published.basis == DateBasis.PAGE
    assert result.original_url == "https://daily.example/bridge"


@pytest.mark.parametrize("data", [b"", b"<html></html>", b"<html><body><script>x()</script></body></html>",
                                  b"\x00\x01\x02 binary", "<p>\udc80</p>".encode("utf-8", "surrogatepass")])
def test_pages_without_text_are_problems(data):
    problem("p.html", data)


# --- publisher ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("http://news.google.com/news/url?sa=t&#038;fd=R&#038;url=http://www.nytimes.com/2016/01/x.html",
         "The New York Times"),
        ("http://feeds.reuters.com/~r/Reuters/domesticNews/~3/NXFZU53V9aY/story01.htm", "Reuters"),
        ("http://feeds.wired.com/c/35185/f/661370/s/4cc2cb01/story01.htm", "WIRED"),
        ("http://in.reuters.com/article/x", "Reuters"),
        ("https://www.bbc.co.uk/news/x", "BBC"),
        ("https://www.some-paper.co.uk/x", "Some Paper"),
        ("http://www.seattle-daily.com/x", "Seattle Daily"),
        ("not an address", None),
        (None, None),
    ],
)
def test_publisher_from_url(url, name):
    assert publisher_from_url(url) == name


def test_feedsportal_links_decode_to_the_real_address():
    url = "http://feeds.wired.com/c/35185/f/661370/s/4cc2cb01/sc/28/l/0L0Swired0N0C20A160C0A10Cnew0Ehope0C/story01.htm"
    assert real_address(url) == "http://www.wired.com/2016/01/new-hope/"
    assert publisher_from_url(url) == "WIRED"


def test_real_address_follows_the_redirect():
    url = "http://news.google.com/news/url?sa=t&amp;url=https://www.cnn.com/a?b=1"
    assert real_address(url) == "https://www.cnn.com/a?b=1"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Markets fall \u2013 Reuters", ("Markets fall", "Reuters")),
        ("Markets fall | The Guardian", ("Markets fall", "The Guardian")),
        ("Markets fall - Washington Post", ("Markets fall", "The Washington Post")),
        ("Markets fall - a long day", ("Markets fall - a long day", None)),
        ("No suffix at all", ("No suffix at all", None)),
    ],
)
def test_title_publisher_suffix(title, expected):
    assert split_title_publisher(title) == expected


# --- robustness ------------------------------------------------------------------------------------------------


def test_unexpected_reader_errors_become_problems(monkeypatch):
    import builder.read.parse as parse_module

    def broken(source, text, zone):
        raise KeyError("boom")

    monkeypatch.setitem(parse_module.READERS, ".md", broken)
    reason = problem("x.md", "---\ntitle: x\n---\nBody.\n").reason
    assert reason == "could not be read: KeyError: 'boom'"


def test_unknown_suffix_is_a_problem():
    assert "no reader" in problem("x.pdf", b"%PDF").reason


# --- real data (skipped without it) -----------------------------------------------------------------------


def test_news_2016_posts_all_read_with_publishers(shared_data):
    folder = shared_data / "news-2016"
    sources, problems = read_seeds(folder)
    assert len(sources) >= 1000 and not problems
    results = [parse_source(source, Config()) for source in sources]
    failures = [r for r in results if isinstance(r, Problem)]
    assert not failures, failures[:5]
    known = [r for r in results if r.source != UNKNOWN_SOURCE]
    assert len(known) / len(results) > 0.95
    assert all(r.published.value is not None and r.published.value.tzinfo for r in results)
    assert all("&#" not in r.title and "\r" not in "".join(texts(r)) for r in results)
    assert all(r.blocks for r in results)


def test_bbc_news_articles_all_read_but_the_one_bad_byte(shared_data):
    import tarfile

    results = []
    with tarfile.open(shared_data / "bbc-news" / "bbc-news-shared.tar.gz") as archive:
        for member in archive.getmembers():
            name = member.name.lstrip("./")
            if member.isfile() and name.startswith("articles/") and name.endswith(".txt"):
                data = archive.extractfile(member).read()
                results.append(parse_source(SourceFile(name, data, "0" * 64), Config()))
    assert len(results) > 1000
    failures = [r for r in results if isinstance(r, Problem)]
    assert len(failures) <= 1 and all(f.kind == "not valid UTF-8" and "re-save" in f.reason for f in failures)
    assert all(r.title and r.blocks for r in results if isinstance(r, Article))
