"""Date expressions: parsing, resolution against the article date, and article-date inference."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, date, datetime

import pytest

from builder.analyse.dates import find_dates, resolve_against, scan
from builder.model import Article, ArticleDate, Block, BlockKind, DateBasis, Precision, Sentence


def make_article(text: str, published: date | None = None) -> Article:
    blocks = [Block(BlockKind.PARAGRAPH, part) for part in text.split("\n\n")]
    article = Article(
        source_file="a.txt",
        content_hash="x",
        title="T",
        blocks=blocks,
        published=ArticleDate(datetime.combine(published, datetime.min.time(), UTC) if published else None,
                              "metadata" if published else "undated"),
    )
    article.text = text
    spans = re.finditer(r"[^.!?\n]+[.!?]*", text)
    article.sentences = [Sentence(i, m.start(), m.end(), 0) for i, m in enumerate(spans)]
    return article


def dates_of(text: str, published: date | None = None) -> list:
    return find_dates(make_article(text, published)).dates


def test_absolute_forms():
    found = dates_of("The armistice of July 27, 1953 ended the 1950-53 war, which began in June 1950. "
                     "On 3 March 2016 and on 2016-01-10 more happened.")
    by_wording = {d.wording: d for d in found}
    assert by_wording["July 27, 1953"].value == date(1953, 7, 27)
    assert by_wording["July 27, 1953"].precision == Precision.DAY
    assert by_wording["1950-53"].precision == Precision.SPAN
    assert (by_wording["1950-53"].value, by_wording["1950-53"].end_value) == (date(1950, 1, 1), date(1953, 12, 31))
    assert by_wording["in June 1950"].value == date(1950, 6, 1)
    assert by_wording["in June 1950"].precision == Precision.MONTH
    assert by_wording["On 3 March 2016"].value == date(2016, 3, 3)
    assert by_wording["on 2016-01-10"].value == date(2016, 1, 10)


def test_month_day_takes_the_nearest_year_before_the_article():
    found = dates_of("The vote on Jan. 10 was close. A ruling is due Dec. 28.", date(2016, 1, 12))
    assert [d.value for d in found] == [date(2016, 1, 10), date(2015, 12, 28)]


def test_weekdays_resolve_to_the_past_unless_the_sentence_looks_ahead():
    # 2023-07-27 is a Thursday.
    found = dates_of("State media said Thursday. They talked on Wednesday. They will meet again on Monday.",
                     date(2023, 7, 27))
    assert [d.value for d in found] == [date(2023, 7, 27), date(2023, 7, 26), date(2023, 7, 31)]


def test_relative_words():
    found = dates_of("Yesterday it rained. Last month prices rose. Two days earlier, on Jan. 5, it began. "
                     "Three years ago it was quiet.", date(2016, 1, 12))
    by_wording = {d.wording: d for d in found}
    assert by_wording["Yesterday"].value == date(2016, 1, 11)
    assert by_wording["Last month"].value == date(2015, 12, 1)
    assert by_wording["Last month"].precision == Precision.MONTH
    assert by_wording["on Jan. 5"].value == date(2016, 1, 5)
    assert by_wording["Three years ago"].value.year == 2013


def test_relative_dates_stay_unresolved_without_an_article_date():
    found = dates_of("They met on Wednesday. The war ended in 1953.")
    weekday = next(d for d in found if d.rule == "weekday")
    assert not weekday.resolved
    assert weekday.wording == "on Wednesday"
    year = next(d for d in found if d.rule == "year")
    assert year.resolved and year.value == date(1953, 1, 1)


def test_numbers_that_are_not_years_are_left_alone():
    assert scan("He sent 1500 troops and 2000 tanks.") == []
    assert [d.rule for d in dates_of("In 2015 he sent 1500 troops.")] == ["year"]


def test_anniversary_infers_the_article_date_checked_against_weekdays():
    text = ("Officials said Thursday the country marked the 70th anniversary of the armistice. "
            "Leaders met Wednesday. The armistice of July 27, 1953 ended the fighting.")
    article = find_dates(make_article(text))
    assert article.published.value.date() == date(2023, 7, 27)  # a Thursday
    assert "70th anniversary" in article.published.how and "July 27, 1953" in article.published.how
    assert "consistent" in article.published.how and "NOT" not in article.published.how
    assert article.published.basis == DateBasis.ANNIVERSARY
    # Relative dates are now resolved against the inferred date.
    assert {d.wording: d.value for d in article.dates}["Wednesday"] == date(2023, 7, 26)


def test_anniversary_prefers_the_reading_the_weekdays_agree_with():
    # The 10th anniversary of 2006-03-04 is Friday 2016-03-04; the story names Saturday: reported a day later.
    text = "On Saturday crowds marked the 10th anniversary of the flood that struck on March 4, 2006."
    article = find_dates(make_article(text))
    assert article.published.value.date() == date(2016, 3, 5)
    assert "a day later" in article.published.how


def test_anniversary_picks_the_date_of_the_thing_celebrated():
    text = ("The town marked the 25th anniversary of the bridge. The mayor took office on May 2, 2001. "
            "The bridge opened on June 30, 1990.")
    article = find_dates(make_article(text))
    assert article.published.value.date() == date(2015, 6, 30)


def test_dateline_date_dates_the_article():
    article = find_dates(make_article("June 6, 2013 3:05 PM EDT\n\nThe actress died Thursday at 91."))
    assert article.published.value.date() == date(2013, 6, 6)
    assert "date line" in article.published.how and article.published.basis == DateBasis.DATE_LINE
    assert {d.wording: d.value for d in article.dates}["Thursday"] == date(2013, 6, 6)


def test_an_agency_dateline_dates_the_article():
    article = find_dates(make_article("WASHINGTON, Jan. 10, 2016 (AP) — The senator said on Friday that he would run."))
    assert article.published.value.date() == date(2016, 1, 10)
    assert "dateline" in article.published.how and article.published.basis == DateBasis.DATELINE


def test_an_article_dated_from_outside_says_so():
    article = resolve_against(make_article("The leaders met on Wednesday."), date(2023, 7, 26), "through the event")
    assert article.published.basis == DateBasis.EVENT and article.published.how == "through the event"


def test_an_undated_article_has_no_basis():
    assert find_dates(make_article("Nothing here is dated.")).published.basis == DateBasis.NONE


def test_a_date_deep_in_the_text_is_not_a_dateline():
    article = find_dates(make_article("The company, founded on March 3, 1999 by two students, grew fast."))
    assert article.published.value is None


def test_known_article_date_is_never_replaced():
    article = find_dates(make_article("June 6, 2013\n\nIt happened.", date(2020, 1, 1)))
    assert article.published.value.date() == date(2020, 1, 1)


def test_ecbplus_texts_give_plausible_dates(shared_data):
    """Data-driven: on real ECB+ texts most dated-line articles get a date, and no date is absurd."""
    path = shared_data / "ecbplus" / "ecbplus_docs.jsonl.gz"
    if not path.exists():
        pytest.skip(f"{path} missing")
    inferred = total = 0
    with gzip.open(path, "rt") as handle:
        for line in handle:
            doc = json.loads(line)
            if not doc["doc_id"].endswith("ecbplus"):
                continue
            total += 1
            article = find_dates(make_article(doc["text"].replace("\n", "\n\n")))
            for ref in article.dates:
                if ref.resolved:
                    assert 1600 <= ref.value.year <= 2100
            if article.published.value is not None:
                inferred += 1
                assert 1990 <= article.published.value.year <= 2015
    print(f"{inferred}/{total} ECB+ articles dated")
    assert inferred / total > 0.6
