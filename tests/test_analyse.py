"""Per-article analysis: sentence splitting, language, summary, quotes and the component pipeline."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.analyse import COMPONENTS, analyse_article, find_quotes, join_blocks, split_sentences, split_text
from builder.analyse.language import guess_language, language_notice
from builder.analyse.pipeline import run_component
from builder.analyse.summary import select, summary_length
from builder.config import Config
from builder.model import Article, ArticleDate, Block, BlockKind


def make_article(*paragraphs: str, title: str = "A headline", kinds: list[BlockKind] | None = None) -> Article:
    kinds = kinds or [BlockKind.PARAGRAPH] * len(paragraphs)
    blocks = [Block(kind, text) for kind, text in zip(kinds, paragraphs, strict=True)]
    return Article("test.txt", "hash", title, blocks, ArticleDate(None, "undated"))


def sentences_of(text: str) -> list[str]:
    return [text[start:end] for start, end in split_text(text)]


# --- sentences -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Sen. Jones and Gov. Brown. They talked.",
            ["Mr. Smith met Sen. Jones and Gov. Brown.", "They talked."],
        ),
        (
            "Defense Minister Sergei K. Shoigu spoke. J.K. Rowling agreed.",
            ["Defense Minister Sergei K. Shoigu spoke.", "J.K. Rowling agreed."],
        ),
        (
            "U.S. officials met U.N. envoys. The talks ended.",
            ["U.S. officials met U.N. envoys.", "The talks ended."],
        ),
        ("Troops left the U.S. The war was over.", ["Troops left the U.S.", "The war was over."]),
        ("“We will win.” He smiled.", ["“We will win.”", "He smiled."]),
        ('"It is over." She left.', ['"It is over."', "She left."]),
        ("“Is it over?” she asked. Nobody knew.", ["“Is it over?” she asked.", "Nobody knew."]),
        ("Growth was 3.5 percent in Jan. 2016. Prices fell.", ["Growth was 3.5 percent in Jan. 2016.", "Prices fell."]),
        ("He paused... and went on. Then... Silence.", ["He paused... and went on.", "Then...", "Silence."]),
        ("Wait . . . what? Yes!", ["Wait . . . what?", "Yes!"]),
        ("No. 10 said so. St. Louis won.", ["No. 10 said so.", "St. Louis won."]),
        (
            "Apple Inc. said sales rose. It bought Acme Corp. The deal closed.",
            ["Apple Inc. said sales rose.", "It bought Acme Corp.", "The deal closed."],
        ),
        ("Dr. Who arrived at 5 p.m. on Friday. It rained.", ["Dr. Who arrived at 5 p.m. on Friday.", "It rained."]),
        ("Sales rose. iPhone demand grew.", ["Sales rose.", "iPhone demand grew."]),
        ("(This is an aside.) Next one.", ["(This is an aside.)", "Next one."]),
        ("No terminator at the end", ["No terminator at the end"]),
    ],
)
def test_splitter_tricky_cases(text: str, expected: list[str]) -> None:
    assert sentences_of(text) == expected


def test_sentences_never_cross_blocks_and_point_into_text() -> None:
    article = make_article("First block without a period", "Second block. It has two sentences.")
    article = split_sentences(join_blocks(article))
    assert [article.sentence_text(i) for i in range(len(article.sentences))] == [
        "First block without a period",
        "Second block.",
        "It has two sentences.",
    ]
    assert [s.block for s in article.sentences] == [0, 1, 1]
    assert [s.index for s in article.sentences] == [0, 1, 2]
    assert article.text == "First block without a period\n\nSecond block. It has two sentences."


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*list("abcXYZ .!?…\"'“”’()\n09"), "Mr.", "U.S.", " The ", "Inc.", "K."]), max_size=80))
def test_no_text_is_lost_between_sentences(pieces: list[str]) -> None:
    text = "".join(pieces)
    spans = split_text(text)
    position = 0
    for start, end in spans:
        assert start < end
        assert text[position:start].strip() == ""  # only whitespace between sentences
        assert text[start:end] == text[start:end].strip()
        position = end
    assert text[position:].strip() == ""


# --- language ---------------------------------------------------------------------------------------------------

ENGLISH = (
    "The city council voted on Tuesday to close the old bridge over the river for repairs, a decision that "
    "will force thousands of commuters to find another way to work for at least six months, officials said."
)
FRENCH = (
    "Le conseil municipal a voté mardi la fermeture du vieux pont sur la rivière pour des travaux, une décision "
    "qui obligera des milliers de personnes à trouver un autre chemin pour aller travailler pendant six mois."
)
GERMAN = (
    "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke über den Fluss für Reparaturen zu schließen, was "
    "Tausende Pendler zwingt, mindestens sechs Monate lang einen anderen Weg zur Arbeit zu finden."
)


def test_language_detection() -> None:
    assert guess_language(ENGLISH) == "en"
    assert guess_language(FRENCH) == "fr"
    assert guess_language(GERMAN) == "de"


def test_short_texts_keep_the_configured_language() -> None:
    assert guess_language("Le pont est fermé.", default="en") == "en"


def test_non_english_article_is_split_and_summarised_but_skips_english_only_components() -> None:
    article = make_article(FRENCH, "« Nous sommes très inquiets pour la suite des travaux », a déclaré le maire.")
    result = analyse_article(article, Config())
    assert result.language == "fr"
    assert len(result.sentences) == 2
    assert result.summary
    assert result.quotes == [] and result.mentions == [] and result.dates == []
    notice = language_notice(result, Config())
    assert notice is not None and not notice.skipped and "(fr)" in notice.reason
    assert language_notice(analyse_article(make_article(ENGLISH), Config()), Config()) is None


# --- summary ----------------------------------------------------------------------------------------------------

CENTRAL = [
    "The weather was mild in the morning and people walked in the park.",
    "The central bank raised interest rates to curb rising inflation, the bank's governor said.",
    "A local bakery opened a second shop selling bread and cakes near the station.",
    "Higher interest rates make loans dearer, and the bank expects inflation to fall next year.",
    "The football team lost its match on Saturday after a late goal by the visitors.",
    "Economists said the bank's decision on interest rates came as inflation hit a ten-year high.",
    "The bank will review interest rates again in March if inflation keeps rising.",
]


def summary_texts(article: Article) -> list[str]:
    return [article.sentence_text(i) for i in article.summary]


def test_summary_prefers_central_sentences_in_article_order() -> None:
    article = analyse_article(make_article(*CENTRAL, title="Bank raises interest rates"), Config())
    assert len(article.summary) == 3
    assert article.summary == sorted(article.summary)
    chosen = summary_texts(article)
    assert all("bank" in s.lower() for s in chosen), chosen
    assert "The weather was mild in the morning and people walked in the park." not in chosen


def test_summary_count_follows_config_and_article_length() -> None:
    article = analyse_article(make_article(*CENTRAL), Config(summary_sentences=2))
    assert len(article.summary) == 2
    short = analyse_article(make_article(*CENTRAL[:2]), Config(summary_sentences=3))
    assert len(short.summary) == 1
    assert summary_length(0, 3) == 0 and summary_length(4, 3) == 2 and summary_length(30, 3) == 3


def test_summary_has_no_near_duplicates() -> None:
    repeated = CENTRAL[1]
    article = make_article(repeated, repeated.replace("said", "told reporters"), *CENTRAL[2:])
    result = analyse_article(article, Config())
    chosen = summary_texts(result)
    assert not (repeated in chosen and repeated.replace("said", "told reporters") in chosen)
    assert len(chosen) == 3


def test_summary_skips_junk_candidates() -> None:
    article = make_article(
        "Rates up.",
        "Will the central bank raise interest rates again because inflation keeps rising fast?",
        "The central bank governor on interest rates and inflation and the bank:",
        "“Interest rates and inflation and the bank and rates and inflation matter most to the bank.”",
        *CENTRAL,
        kinds=None,
    )
    chosen = summary_texts(analyse_article(article, Config()))
    assert "Rates up." not in chosen
    assert not any(s.endswith(("?", ":")) for s in chosen)


def test_summary_ignores_headings_and_captions() -> None:
    heading = "Interest rates and inflation: the bank raises interest rates as inflation rises"
    article = make_article(heading, *CENTRAL, kinds=[BlockKind.HEADING] + [BlockKind.PARAGRAPH] * len(CENTRAL))
    assert heading not in summary_texts(analyse_article(article, Config()))


def test_select_keeps_best_non_duplicate_in_order() -> None:
    bags = [frozenset(["a", "b", "c"]), frozenset(["a", "b", "c"]), frozenset(["x", "y", "z"])]
    assert select([3.0, 2.0, 1.0], bags, 2) == [0, 2]
    assert select([1.0, float("-inf"), 2.0], bags, 3) == [0, 2]


def test_empty_article() -> None:
    result = analyse_article(make_article(), Config())
    assert result.text == "" and result.sentences == [] and result.summary == [] and result.quotes == []


# --- quotes -----------------------------------------------------------------------------------------------------


def quotes_of(*paragraphs: str) -> list[tuple[str, str | None]]:
    article = split_sentences(join_blocks(make_article(*paragraphs)))
    article = find_quotes(article, Config())
    for quote in article.quotes:
        assert article.text[quote.start : quote.end] == quote.text
        assert article.sentences[quote.sentence].start <= quote.start < article.sentences[quote.sentence].end
    return [(q.text, q.speaker) for q in article.quotes]


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("“We will never give up,” KCNA said.", ("We will never give up", "KCNA")),
        (
            "Mr. Kang was quoted as saying, “The test was a great success.”",
            ("The test was a great success.", "Mr. Kang"),
        ),
        (
            '"This is a bad deal for everyone," said John Smith, a union official.',
            ("This is a bad deal for everyone", "John Smith"),
        ),
        ('Jane Doe told reporters on Tuesday: "Our results were strong."', ("Our results were strong.", "Jane Doe")),
        (
            '"It is not clear what happens next," a police spokesman said.',
            ("It is not clear what happens next", "a police spokesman"),
        ),
        (
            "The plan “will not work at all”, according to the Finance Ministry.",
            ("will not work at all", "Finance Ministry"),
        ),
        ("“Nobody knows what comes next in this story.”", ("Nobody knows what comes next in this story.", None)),
    ],
)
def test_quote_and_speaker(paragraph: str, expected: tuple[str, str | None]) -> None:
    assert quotes_of(paragraph) == [expected]


def test_pronoun_speaker_is_resolved_to_the_previous_speaker() -> None:
    found = quotes_of("“We are ready to talk,” said Maria Lopez.", "“But not at any price,” she added.")
    assert found == [("We are ready to talk", "Maria Lopez"), ("But not at any price", "Maria Lopez")]


def test_scare_quotes_are_not_speech() -> None:
    assert quotes_of("The rally, known as the “Big Show”, ended early.") == []


# --- pipeline ---------------------------------------------------------------------------------------------------


def test_components_are_named_data_in_contract_order() -> None:
    names = [c.name for c in COMPONENTS]
    expected = ["join_blocks", "detect_language", "split_sentences", "summarise", "find_quotes"]
    assert [n for n in names if n in expected] == expected
    assert names.index("entities") < names.index("find_quotes") < names.index("dates")


def test_component_can_be_skipped_or_run_alone() -> None:
    article = make_article("“We will never give up on this,” KCNA said.", *CENTRAL)
    assert analyse_article(article, Config(), skip={"find_quotes"}).quotes == []
    prepared = analyse_article(article, Config(), skip={"find_quotes"})
    assert len(run_component("find_quotes", prepared, Config()).quotes) == 1
    with pytest.raises(LookupError):
        run_component("no such step", prepared, Config())


def test_analyse_article_leaves_its_input_untouched() -> None:
    article = make_article(*CENTRAL)
    result = analyse_article(article, Config())
    assert article.text == "" and article.sentences == [] and article.summary == []
    assert result.sentences and result.summary


def test_titles_in_quotes_are_not_speech() -> None:
    assert quotes_of("The North calls it the “Grand Fatherland Liberation War.”") == []


def test_speaker_from_a_reporting_clause_elsewhere_in_the_sentence() -> None:
    found = quotes_of("The official news agency KCNA said the two sides agreed on “matters of mutual concern.”")
    assert found == [("matters of mutual concern.", "KCNA")]
    found = quotes_of("Shoigu brought a “warm and good letter” from President Putin, KCNA said.")
    assert found == [("warm and good letter", "KCNA")]


def test_quote_fragments_share_the_speaker() -> None:
    found = quotes_of(
        "“The situation requires us to stand against” the enemy “and strengthen our ties,” Mr. Kang said."
    )
    assert found == [
        ("The situation requires us to stand against", "Mr. Kang"),
        ("and strengthen our ties", "Mr. Kang"),
    ]


def test_names_do_not_start_inside_words() -> None:
    found = quotes_of("“We will cope with the changing situation,” the North’s official Central News Agency said.")
    assert found == [("We will cope with the changing situation", "Central News Agency")]


def test_multi_paragraph_straight_quote_stays_open_to_the_end_of_its_paragraph() -> None:
    found = quotes_of('"We have waited for years and we will not wait any longer.', 'And that is final," Ms. Lee said.')
    assert found == [
        ("We have waited for years and we will not wait any longer.", "Ms. Lee"),
        ("And that is final", "Ms. Lee"),
    ]
    found = quotes_of("“We have waited for years and we will not wait any longer.", "And that is final,” Ms. Lee said.")
    assert [speaker for _, speaker in found] == ["Ms. Lee", "Ms. Lee"]
