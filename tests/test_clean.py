"""The clean stage: rule files, each rule family, metadata → credits, glue repair, purity (fast unit tests)."""

from __future__ import annotations

import copy
import hashlib
import pickle
import re
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.clean import clean_article, load_rules
from builder.clean.glue import FusedWords, repair_glued_sentences
from builder.clean.metadata import find_byline, find_credit_line, find_dateline
from builder.errors import ConfigError
from builder.model import Article, ArticleDate, Block, BlockKind, Problem, SourceFile

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
REAL = "The committee met on Tuesday and agreed to publish its findings before the end of the year."


@pytest.fixture(scope="module")
def rules():
    return load_rules(Path("/nonexistent-site-folder"))


def article(*texts: str, kind: BlockKind = BlockKind.PARAGRAPH) -> Article:
    return Article(
        source_file="a.txt",
        content_hash="0" * 64,
        title="A title",
        blocks=[Block(kind, text) for text in texts],
        published=ArticleDate(None, "undated"),
    )


def body(cleaned: Article) -> list[str]:
    return [block.text for block in cleaned.blocks]


def rules_fired(cleaned: Article) -> set[str]:
    return {removal.rule for removal in cleaned.removals}


# --- rule files --------------------------------------------------------------------------------


def test_builtin_rules_load_and_are_cache_key_material(tmp_path, rules):
    again = load_rules(tmp_path)
    assert again == rules and hash(again) == hash(rules)
    assert repr(again) == repr(rules)  # repr-stable: the same whatever folder they came from
    assert pickle.loads(pickle.dumps(rules)) == rules
    assert {rule.kind for rule in rules.rules} == {"block", "inline", "tail", "trailing", "caption-credit"}
    assert "YouTube" in rules.whole_words


def write_user_rules(site: Path, text: str) -> Path:
    site.mkdir(exist_ok=True)
    path = site / "boilerplate.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_user_rule_file_adds_replaces_and_disables_rules(tmp_path, rules):
    write_user_rules(
        tmp_path / "site",
        """
        [[rule]]
        name = "newsletter-plug"
        kind = "block"
        pattern = 'Get our daily digest.*'
        description = "our own plug"

        [[rule]]
        name = "ad-marker"
        kind = "inline"
        pattern = '\\[advert\\]'

        [[rule]]
        name = "source-link"
        enabled = false

        [words]
        whole = ["GreenTech"]
        """,
    )
    user = load_rules(tmp_path / "site")
    names = [rule.name for rule in user.rules]
    assert "newsletter-plug" in names and "source-link" not in names
    assert next(rule for rule in user.rules if rule.name == "ad-marker").pattern == "\\[advert\\]"
    assert "GreenTech" in user.whole_words and user != rules
    cleaned = clean_article(article(REAL, "Get our daily digest every morning", "[advert] " + REAL, "Source"), user)
    assert body(cleaned) == [REAL, REAL, "Source"]


@pytest.mark.parametrize(
    ("rule_text", "message"),
    [
        ('name = "x"\nkind = "block"\npattern = "(unclosed"', "bad pattern"),
        ('name = "x"\nkind = "sideways"\npattern = "a"', "'kind' must be one of"),
        ('name = "x"\nkind = "block"', "missing 'pattern'"),
        ('name = "x"\nkind = "block"\npattern = "a"\ncolour = "red"', "unknown key 'colour'"),
        ('name = "x"\nkind = "inline"\npattern = "a*"', "must not match empty text"),
        ('kind = "block"\npattern = "a"', "missing 'name'"),
    ],
)
def test_bad_rule_is_a_config_error_naming_file_and_rule(tmp_path, rule_text, message):
    path = write_user_rules(tmp_path, "[[rule]]\n" + rule_text + "\n")
    with pytest.raises(ConfigError) as error:
        load_rules(tmp_path)
    assert str(path) in error.value.message and message in error.value.message
    if "name =" in rule_text:
        assert "rule 'x'" in error.value.message


def test_every_bad_rule_is_reported_at_once(tmp_path):
    write_user_rules(
        tmp_path, '[[rule]]\nname = "a"\nkind = "no"\npattern = "x"\n[[rule]]\nname = "b"\nkind = "block"\n'
    )
    with pytest.raises(ConfigError) as error:
        load_rules(tmp_path)
    assert "rule 'a'" in error.value.message and "rule 'b'" in error.value.message


def test_invalid_toml_names_the_file(tmp_path):
    path = write_user_rules(tmp_path, "[[rule]\nname = ")
    with pytest.raises(ConfigError, match=re.escape(str(path))):
        load_rules(tmp_path)


def test_example_site_file_is_valid():
    site = Path(__file__).resolve().parent.parent / "site"
    if (site / "boilerplate.toml").is_file():
        load_rules(site)


# --- rule families -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("[ad_1] " + REAL, "ad-marker"),
        (REAL + " [ad_2]", "ad-marker"),
        (REAL + "&#13;", "carriage-return-entity"),
        ("Go Back to Top. Skip To: Start of Article. " + REAL, "skip-to-article"),
        (REAL + " Continue reading the main story", "continue-reading"),
        ("Watch in Times Video » " + REAL, "times-video"),
        ("Back to top button" + REAL, "back-to-top"),
    ],
)
def test_inline_rules_keep_the_rest_of_the_block(rules, raw, rule):
    cleaned = clean_article(article(raw, REAL), rules)
    assert body(cleaned) == [REAL, REAL]
    assert rule in rules_fired(cleaned)


@pytest.mark.parametrize(
    ("caption", "rule"),
    [
        ("Sean Penn in February 2015 in Haiti. (Photo: HECTOR RETAMAL, AFP/Getty Images)", "photo-caption-paren"),
        ("Senator Smith speaks at a rally in Iowa on Saturday. (AP Photo/Evan Vucci)", "agency-photo-caption"),
        ("Guards near the site of an explosion. Credit Dita Alangkara/Associated Press", "nyt-caption-credit"),
        ("Photo: Seth Wenig, AP", "photo-credit-line"),
        ("Getty Images", "getty-credit"),
        ("Copyright 2016 The Associated Press. All rights reserved. This material may not be published.", None),
        ("Slide: 4 / of 6 .", "slide-counter"),
        ("Read or Share this story: http://usat.ly/1XuulmI", "read-or-share"),
        ("— KANYE WEST (@kanyewest) February 4, 2016", "tweet-attribution"),
        ("___", "separator"),
        ("Advertisement", "share-prompt"),
    ],
)
def test_block_rules_remove_captions_credits_and_furniture(rules, caption, rule):
    cleaned = clean_article(article(REAL, caption, REAL), rules)
    assert body(cleaned) == [REAL, REAL]
    if rule:
        assert rule in rules_fired(cleaned)


def test_real_paragraphs_mentioning_photos_or_credit_stay(rules):
    texts = [
        "Consumers can get a federal tax credit of up to $7,500 for buying electric vehicles, officials said.",
        "In this photo essay, she documents the lives of miners in the Andes over a decade of work.",
        "His assertion that we are on track to end the scourge of HIV/AIDS drew applause.",
        "Shares of Credit Suisse fell 3 percent in early trading on Tuesday.",
    ]
    assert body(clean_article(article(*texts), rules)) == texts


def test_related_heading_takes_the_short_link_list_after_it(rules):
    cleaned = clean_article(
        article(REAL, REAL, "Related Articles", "Some other headline", "And another one", "Source"), rules
    )
    assert body(cleaned) == [REAL, REAL]
    assert [r.text for r in cleaned.removals if r.rule == "related-articles"][:2] == [
        "Related Articles",
        "Some other headline",
    ]


def test_related_heading_mid_article_goes_alone(rules):
    long_paragraph = " ".join([REAL] * 3)
    cleaned = clean_article(article(REAL, "Related Coverage", long_paragraph), rules)
    assert body(cleaned) == [REAL, long_paragraph]


def test_trailing_source_goes_only_at_the_end(rules):
    cleaned = clean_article(article("Source", REAL, "Source link"), rules)
    assert body(cleaned) == ["Source", REAL]
    assert removal_texts(cleaned, "source-link") == ["Source link"]


def removal_texts(cleaned: Article, rule: str) -> list[str]:
    return [removal.text for removal in cleaned.removals if removal.rule == rule]


# --- metadata → credits ------------------------------------------------------------------------


def test_byline_block_becomes_credits(rules):
    cleaned = clean_article(article(REAL, REAL, "By Associated Press"), rules)
    assert body(cleaned) == [REAL, REAL]
    assert (cleaned.credits.byline, cleaned.credits.agency) == ("Associated Press", "AP")
    assert removal_texts(cleaned, "byline") == ["By Associated Press"]


def test_byline_with_names_and_agency():
    found = find_byline("By JOHN SMITH and JANE DOE, Reuters")
    assert (found.byline, found.agency) == ("John Smith and Jane Doe", "Reuters")
    found = find_byline("By Jim Suhr and Amy Shafer | AP January 27 at 11:15 PM")
    assert (found.byline, found.agency) == ("Jim Suhr and Amy Shafer", "AP")


def test_sentences_starting_with_by_are_not_bylines():
    for text in (
        "By comparison, overall 85 companies guided below estimates.",
        "By Sunday afternoon, flights resumed.",
    ):
        assert find_byline(text) is None


@pytest.mark.parametrize(
    ("first", "place", "agency", "rest"),
    [
        ("SEOUL, South Korea (AP) — North Korean leader Kim met", "SEOUL, South Korea", "AP", "North Korean leader"),
        ("WASHINGTON (Reuters) - The Senate voted on Monday", "WASHINGTON", "Reuters", "The Senate voted"),
        ("WASHINGTON — The Senate voted on Monday", "WASHINGTON", None, "The Senate voted"),
        ("MEXICO CITY — The latest on the visit", "MEXICO CITY", None, "The latest on"),
        ("WASHINGTON President Barack Obama will make good on a promise", "WASHINGTON", None, "President Barack"),
        (
            "PAWLEYS ISLAND, S.C. Republican presidential candidate Donald Trump",
            "PAWLEYS ISLAND, S.C.",
            None,
            "Republican",
        ),
        ("LITTLE ROCK, Ark. An Arkansas man was convicted on Friday", "LITTLE ROCK, Ark.", None, "An Arkansas man"),
    ],
)
def test_dateline_forms(rules, first, place, agency, rest):
    found = find_dateline(first)
    assert (found.place, found.agency) == (place, agency)
    assert found.rest.startswith(rest)
    cleaned = clean_article(article(first + " " + REAL, REAL), rules)
    assert cleaned.blocks[0].text.startswith(rest)
    assert cleaned.credits.dateline_place == place
    assert "dateline" in rules_fired(cleaned)


@pytest.mark.parametrize(
    "first",
    ["NASA Administrator Charles Bolden said on Monday", "FBI Director James Comey said", "The FBI said on Monday"],
)
def test_capitals_that_are_no_place_are_no_dateline(first):
    assert find_dateline(first) is None


def test_credit_line_becomes_contributors_and_editors(rules):
    line = "(Additional reporting by Amanda Becker and Megan Cassella in Washington; Editing by Leslie Adler)"
    cleaned = clean_article(article(REAL, REAL, line), rules)
    assert body(cleaned) == [REAL, REAL]
    assert cleaned.credits.contributors == ["Amanda Becker", "Megan Cassella"]
    assert cleaned.credits.editors == ["Leslie Adler"]
    assert removal_texts(cleaned, "credit-line") == [line]


def test_credit_line_at_the_end_of_a_paragraph():
    found = find_credit_line(REAL + " (Reporting by Paul Sandle, editing by David Evans)")
    assert found.rest.strip() == REAL
    assert (found.contributors, found.editors) == (["Paul Sandle"], ["David Evans"])


def test_contributed_to_this_report():
    found = find_credit_line(
        "Associated Press writers Foster Klug in Seoul, South Korea, and Edith M. Lederer contributed to this report."
    )
    assert found.contributors == ["Foster Klug", "Edith M. Lederer"]


# --- glue --------------------------------------------------------------------------------------


def test_glued_sentence_is_split():
    text, repairs = repair_glued_sentences("in support of the war in Ukraine.North Korea has been aligning")
    assert text == "in support of the war in Ukraine. North Korea has been aligning"
    assert repairs == ["Ukraine.North → Ukraine. North"]
    assert repair_glued_sentences('he said."The talks')[0] == 'he said." The talks'


@pytest.mark.parametrize(
    "text",
    [
        "the U.S. Army and the U.N. Security Council",
        "the U.S.-led West",
        "author J.K. Rowling said",
        "growth of 3.5 percent",
        "sold on Amazon.com and eBay",
        "shares of Yahoo! fell",
        "see www.Example.Com/News for more",
        "the ASP.NET framework",
    ],
)
def test_abbreviations_decimals_and_domains_are_not_glue(text):
    assert repair_glued_sentences(text) == (text, [])


def fused(texts, rules):
    return FusedWords(texts, rules.whole_words)


def test_fused_words_split_on_evidence(rules):
    text = "drones that had not been announced by the NorthLee Sung Joon, a spokesperson, said on Monday."
    words = fused([text, "The North has denied it."], rules)
    repaired, repairs = words.repair(text)
    assert "by the North. Lee Sung Joon, a spokesperson" in repaired
    assert repairs == ["NorthLee → North. Lee"]


@pytest.mark.parametrize(
    "word", ["LinkedIn", "YouTube", "PlayStation", "McConnell", "DiCaprio", "McDonald's", "iPhone", "MacArthur"]
)
def test_mixed_case_names_stay_whole(rules, word):
    text = f"The North and Lee and Tube and Station and Donald said {word} was in the news on Monday."
    assert fused([text], rules).repair(text) == (text, [])


def test_fused_form_used_twice_is_a_real_word(rules):
    text = "NorthLee is a company. The North and Lee are words. NorthLee said so."
    assert fused([text], rules).repair(text) == (text, [])


def test_handles_hashtags_and_domains_stay(rules):
    text = "He wrote to @PaulRyan about #JebBush and visited JebBush.com with Paul, Ryan and Jeb, Bush."
    assert fused([text], rules).repair(text) == (text, [])


def test_fused_words_with_no_evidence_stay(rules):
    text = "The Zorblax team built a QuuxFrobnicator in a shed."
    assert fused([text], rules).repair(text) == (text, [])


# --- the whole function ------------------------------------------------------------------------


def test_clean_article_is_pure(rules):
    draft = article(
        "[ad_1]", "WASHINGTON (Reuters) - " + REAL, "Ukraine.North " + REAL, "By Associated Press", "Source"
    )
    before = copy.deepcopy(draft)
    cleaned = clean_article(draft, rules)
    assert draft == before
    assert cleaned is not draft and cleaned.removals and not draft.removals
    assert clean_article(draft, rules) == cleaned  # deterministic


def test_nothing_left_is_a_problem(rules):
    result = clean_article(article("[ad_1]", "Source", "Getty Images"), rules)
    assert isinstance(result, Problem)
    assert result.path == "a.txt" and result.reason == "nothing left after cleaning"


_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9)
_sentence = st.lists(_words, min_size=6, max_size=14).map(lambda words: " ".join(words).capitalize() + ".")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_sentence, min_size=1, max_size=4).map(" ".join), min_size=1, max_size=6))
def test_plain_prose_passes_unchanged(rules, paragraphs):
    cleaned = clean_article(article(*paragraphs), rules)
    assert body(cleaned) == paragraphs
    assert cleaned.removals == []


# --- the seed articles, as general behaviour ----------------------------------------------------


def test_seeds_are_cleaned(rules):
    from builder.read import parse_source

    repairs = []
    for path in sorted(SEEDS.glob("*.txt")):
        data = path.read_bytes()
        draft = parse_source(SourceFile(path.name, data, hashlib.sha256(data).hexdigest()), None)
        cleaned = clean_article(draft, rules)
        assert isinstance(cleaned, Article), cleaned
        text = "\n".join(body(cleaned))
        for marker in ("[ad_", "Back to top", "Related Articles", "By Associated Press"):
            assert marker not in text, (path.name, marker)
        # no sentence end glued to a capital, no capitalised pair fused at a paragraph seam survives
        assert not re.search(r"[a-z][.!?][A-Z][a-z]", text), path.name
        repairs += [r for r in cleaned.removals if r.rule in ("glued-sentence", "fused-words")]
        if cleaned.credits.dateline_place:
            assert not cleaned.blocks[0].text.startswith(cleaned.credits.dateline_place)
    rules_found = {r.rule for r in repairs}
    assert rules_found == {"glued-sentence", "fused-words"}
    assert all(" → " in r.text for r in repairs)


@pytest.mark.parametrize(
    ("caption", "kept"),
    [
        (
            "Go Yamashita lecturing on his work. Philipp Ammon for Quanta Magazine",
            "Go Yamashita lecturing on his work.",
        ),
        ("The Seahawks celebrate their win. (NBC/NFL)", "The Seahawks celebrate their win."),
        ("Sean Penn in Haiti. (Photo: HECTOR RETAMAL, AFP/Getty Images)", "Sean Penn in Haiti."),
        ("Gov. Rick Snyder Credit Al Goldis/Associated Press", "Gov. Rick Snyder"),
        ("Senator Sanders in Washington, DC. Win McNamee/Getty Images", "Senator Sanders in Washington, DC."),
        ("A chart of growth (in percent)", "A chart of growth (in percent)"),
        ("Sean Penn", "Sean Penn"),
    ],
)
def test_image_captions_lose_only_their_credit(rules, caption, kept):
    draft = article(REAL)
    draft.blocks.append(Block(BlockKind.IMAGE, caption, href="https://example.org/a.jpg"))
    cleaned = clean_article(draft, rules)
    assert cleaned.blocks[-1].kind is BlockKind.IMAGE and cleaned.blocks[-1].text == kept
    assert cleaned.blocks[-1].href == "https://example.org/a.jpg"
    assert bool(cleaned.removals) == (kept != caption)


def test_image_with_only_a_credit_goes(rules):
    draft = article(REAL)
    draft.blocks.append(Block(BlockKind.IMAGE, "Getty Images", href="https://example.org/a.jpg"))
    assert body(clean_article(draft, rules)) == [REAL]


def test_an_agency_story_of_unknown_publisher_takes_the_agency_as_source(rules):
    wire = article("LYON, France (AP) — The bridge reopened on Monday after two years of work.",
                   "Engineers said the repairs went well.")
    cleaned = clean_article(wire, rules)
    assert cleaned.source == "AP News" and cleaned.credits.agency == "AP"
    assert clean_article(replace(wire, source="Lyon Daily"), rules).source == "Lyon Daily"
