"""The render stage's fast paths write what the plain ways of writing the same thing write.

Each fast path (output escaping, article mark-up from columns, disjoint spans as rows, ranking only the
candidates that can be in the top, a mention's digest record in one go, content words kept between event
pages) is checked against the straightforward computation it replaces, on cases built to differ."""

from __future__ import annotations

import json
from collections import Counter
from copy import deepcopy
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from builder.model import Actor, EntityType, Mention, Mentions, Pairs, Quote, Sentences
from builder.pages import has_feed_and_graph, mention_files
from builder.pages.events import unique_facts
from builder.pages.export import (
    MENTION_COLUMNS,
    _Exports,
    _json,
    _mention_record,
    _mention_records,
    _mention_row_json,
    _record_of,
    digest_json,
    mention_rows,
    to_csv,
)
from builder.pages.graphs import _ranked
from builder.render import (
    ArticleMarkup,
    Span,
    _disjoint_rows,
    _non_overlapping,
    make_environment,
    output_escape,
)
from tests.test_render import make_article, make_site


class HasHtml:
    def __html__(self) -> str:
        return "<b>as is</b>"


def test_output_escape_writes_what_markupsafe_escape_writes():
    values = ["", "plain", "a < b & c > d 'q' \"qq\"", "é – “ü” &amp;", 0, 7, -12, 10**30, True, False, None, 1.5,
              Markup("<i>safe</i>"), HasHtml(), ["<x>"], ("<y>",)]
    for value in values:
        assert output_escape(value) == str(escape(value)), value


@given(st.text())
def test_output_escape_of_any_text(text):
    assert output_escape(text) == str(escape(text))


def test_templates_write_values_through_output_escape(tmp_path):
    env = make_environment(tmp_path / "no-templates")
    template = env.from_string("{{ a }}|{{ b }}|{{ c }}|{{ d }}{% set e %}<{{ a }}>{% endset %}|{{ e }}")
    assert template.root_render_func.__globals__["escape"] is output_escape  # else: markupsafe's, slower
    html = template.render(a="<&>", b=3, c=Markup("<em>x</em>"), d=None)
    assert html == "&lt;&amp;&gt;|3|<em>x</em>|None|<&lt;&amp;&gt;>"


@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(-5, 40), st.integers(-5, 40), st.sampled_from(["a", "b", "c"])), max_size=12),
       st.integers(0, 35))
def test_disjoint_rows_keep_what_non_overlapping_keeps(rows, high):
    spans = [Span(start, end, href) for start, end, href in rows]
    expected = [(span.start, span.end, span.href) for span in _non_overlapping(spans, 0, high)]
    assert _disjoint_rows(rows, high) == expected


def _marked_article():
    article = make_article("a.md", "Kim meets Shoigu", [
        "Kim Jong Un met Sergei Shoigu in Pyongyang. \"We stand together,\" Kim said.",
        "The KPA paraded. Shoigu & Kim <watched> it.",
    ], datetime(2023, 7, 27, tzinfo=UTC))
    text = article.text

    def at(word: str, start: int = 0) -> tuple[int, int]:
        begin = text.index(word, start)
        return begin, begin + len(word)

    def mention(word, key, start=0):
        begin, end = at(word, start)
        return Mention(begin, end, word, EntityType.PERSON, 0, key)

    article.mentions = [
        mention("Kim Jong Un", "person/kim"), mention("Kim Jong", "person/kim-jong"),  # overlapping: the longer wins
        mention("Sergei Shoigu", "person/shoigu"), mention("Pyongyang", None), mention("KPA", "org/kpa"),
        mention("Shoigu", "person/shoigu", text.index("paraded")), mention("Kim", "person/kim", text.index("& Kim")),
        Mention(len(text) - 2, len(text) + 10, "out", EntityType.PLACE, 1, "person/kim"),  # runs past the end
    ]
    quote_start, quote_end = at('"We stand together,"')
    article.quotes = [Quote(quote_start, quote_end, "We stand together,", 1, "Kim")]
    return article


def test_article_markup_from_columns_is_the_markup_from_lists():
    listed = _marked_article()
    held = deepcopy(listed).hold_compactly()
    assert isinstance(held.mentions, Mentions) and isinstance(held.sentences, Sentences)
    assert isinstance(listed.mentions, list) and isinstance(listed.sentences, list)
    pages = {"person/kim": "../actors/kim.html", "person/shoigu": "../actors/shoigu.html", "org/kpa": "../a&b.html"}
    for article in (listed, held):
        markup = ArticleMarkup(article, pages.get)
        body, summary = markup.body(), markup.summary()
        assert '<a class="mention" href="../actors/kim.html">Kim Jong Un</a>' in body
        assert 'href="../a&amp;b.html"' in body and " in Pyongyang." in body and "&lt;watched&gt;" in body
        if article is listed:
            expected = (body, summary, markup.body(excerpt=True))
    assert (body, summary, markup.body(excerpt=True)) == expected


@settings(max_examples=200)
@given(st.dictionaries(st.sampled_from([f"k{n}" for n in range(30)]), st.integers(1, 6), max_size=30),
       st.integers(0, 20))
def test_ranked_is_the_head_of_the_whole_ranking(counts, limit):
    names = {key: f"name {int(key[1:]) % 7}" for key in counts}  # shared names: the key decides
    everything = sorted(counts.items(), key=lambda item: (-item[1], names[item[0]], item[0]))
    assert _ranked(Counter(counts), names, limit) == everything[:limit]


def test_mention_files_from_columns_and_from_a_list():
    pairs = Pairs([("b.md", 0), ("a.md", 3), ("b.md", 1)])
    as_list = [("b.md", 0), ("a.md", 3), ("b.md", 1)]
    for mentions in (pairs, as_list):
        actor = Actor(key="person/x", name="X", type=EntityType.PERSON, slug="x", mentions=mentions)
        assert mention_files(actor) == ["b.md", "a.md", "b.md"]
        assert has_feed_and_graph(actor)
        actor.mentions = Pairs([("b.md", 0), ("b.md", 1)]) if mentions is pairs else [("b.md", 0), ("b.md", 1)]
        assert not has_feed_and_graph(actor)


def test_a_mentions_digest_record_is_written_as_the_general_writer_writes_it():
    article = _marked_article()
    article.slug = 'quote"and\\slash-é'
    for row in mention_rows([article]):
        record = _record_of(row)
        index = int(row[1].rpartition("/m")[2])
        assert record == _mention_record(article, index, article.mentions[index])
        for indent in ("  ", ""):
            assert _mention_row_json(row, indent) == _json(record, indent)
        assert json.loads(_mention_row_json(row, "  ")) == record


_MENTION_TEXTS = st.text(alphabet=st.sampled_from('ab,"\né<&\t'), max_size=6)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 9), _MENTION_TEXTS,
                                   st.sampled_from([None, "", "person/a", 'org/"b",c']),
                                   st.sampled_from(list(EntityType)), st.integers(0, 3)),
                         max_size=14), min_size=1, max_size=3),
       st.booleans(), st.booleans())
def test_mentions_table_from_rows_is_the_records_table(articles_mentions, one_slug, compact):
    """The digest's mentions and mentions.csv, made from rows, are what the records give written the plain way:
    ties on start (mention ids "m10" before "m2"), two articles of one slug (their ids alike), no actor, texts
    a CSV must quote, mentions held as columns or as a list."""
    from builder.config import Config
    from builder.pages.export import digest

    articles = []
    for number, mentions in enumerate(articles_mentions):
        article = make_article(f"{number}.md", f"T{number}", ["Some text here."], datetime(2023, 7, 27, tzinfo=UTC))
        article.slug = "same" if one_slug else f"t{number}"
        article.mentions = [Mention(start, start + length, text, kind, sentence, actor)
                            for start, length, text, actor, kind, sentence in mentions]
        articles.append(article.hold_compactly() if compact else article)
    site = make_site(articles)
    records = list(_mention_records(site))
    parts = _Exports(site, Config()).parts["mentions"]
    assert [_record_of(row) for _, group in parts for row in mention_rows(group)] == records
    assert _Exports(site, Config()).csv("mentions", MENTION_COLUMNS)[0] == to_csv(records, MENTION_COLUMNS)
    expected = json.dumps(digest(site, Config()), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    assert digest_json(site, Config()).decode() == expected


def test_digest_json_is_json_dumps_with_mentions_held_as_columns_or_lists():
    from builder.config import Config

    listed = _marked_article()
    held = deepcopy(listed).hold_compactly()
    outputs = []
    for article in (listed, held):
        site = make_site([article])
        outputs.append(digest_json(site, Config()))
    assert outputs[0] == outputs[1]
    from builder.pages.export import digest

    site = make_site([listed])
    expected = json.dumps(digest(site, Config()), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    assert outputs[0].decode() == expected


def test_unique_facts_from_columns_are_those_from_lists():
    texts = [
        "Officials met in Geneva on Monday. They discussed sanctions relief for 2016 shipments. Nothing else.",
        "Negotiators in Geneva reviewed sanctions relief. A separate clause covers uranium enrichment limits.",
        "Diplomats gathered in Geneva. Fishermen protested harbour closures near Marseille docks yesterday.",
    ]
    articles = [make_article(f"{n}.md", f"Report {n}", [text]) for n, text in enumerate(texts)]
    held = [deepcopy(article).hold_compactly() for article in articles]
    assert all(isinstance(article.sentences, Sentences) for article in held)
    evidence = {"0.md": {1}, "1.md": {0, 1}, "2.md": {1}}
    for number in range(len(articles)):
        for proof in (None, evidence):
            plain = unique_facts(articles[number], articles[:number] + articles[number + 1:], evidence=proof)
            assert unique_facts(held[number], held[:number] + held[number + 1:], evidence=proof) == plain
    assert unique_facts(articles[2], articles[:2])  # (the case compares something)


def test_json_ld_of_mentioned_actors_is_made_once_per_actor_as_actor_ld_makes_it():
    from builder.config import Config
    from builder.seo import actor_ld, article_ld

    article = _marked_article()
    actors = [Actor(key=key, name=name, type=EntityType.PERSON, slug=slug, aliases=aliases)
              for key, name, slug, aliases in [("person/kim", "Kim Jong Un", "kim", ["Kim", "Kim Jong-un"]),
                                               ("person/shoigu", "Sergei Shoigu", "shoigu", []),
                                               ("org/kpa", "KPA", "kpa", ["Korean People's Army"])]]
    site = make_site([article], actors)
    for config in (Config(), Config(base_url="https://example.org/digest/"), Config()):
        expected = [actor_ld(actor, config, with_context=False) for actor in actors]
        first = article_ld(article, site, config)["mentions"]
        assert first == expected
        assert article_ld(article, site, config)["mentions"][0] is first[0]  # (made once, then reused)
    site.actors = actors[:2]  # another list of actors (another build): made again from it
    assert article_ld(article, site, Config())["mentions"] == [actor_ld(a, Config(), False) for a in actors[:2]]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from([None, 1, 2, 3])), max_size=120))
def test_a_feeds_newest_articles_are_the_head_of_all_of_them_sorted(picks):
    """_newest picks the FEED_ENTRIES newest without sorting them all: the same articles in the same order as
    sorting every dated one newest first, ties (one article listed twice, one date) included."""
    from builder.pages.feeds import FEED_ENTRIES, _newest, feed_sort_key

    pool = [make_article(f"{n}.md", f"T{n}", ["Text."], datetime(2023, 7, day or 1, tzinfo=UTC) if day else None)
            for n, day in enumerate([None, 1, 2, 3])]
    articles = [pool[n] if day is None else pool[day] for n, day in picks]
    dated = [a for a in articles if a.published.value is not None]
    expected = sorted(dated, key=lambda a: (feed_sort_key(a), a.source_file), reverse=True)[:FEED_ENTRIES]
    assert [id(a) for a in _newest(articles)] == [id(a) for a in expected]


@given(st.lists(st.sampled_from(["a.md", "b.md", "c.md"]), max_size=8), st.booleans())
def test_has_feed_and_graph_is_two_distinct_articles_or_more(files, as_pairs):
    mentions = [(f, n) for n, f in enumerate(files)]
    actor = Actor(key="person/x", name="X", type=EntityType.PERSON, slug="x",
                  mentions=Pairs(mentions) if as_pairs else mentions)
    assert has_feed_and_graph(actor) == (len(set(files)) >= 2)
