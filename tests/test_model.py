"""The data model: what the analysis cache stores must come back exactly as it went in."""

import copy
import dataclasses
import gc
import pickle
from datetime import date

import pytest

from builder import model


def test_every_compact_class_comes_back_equal_from_the_cache_format():
    examples = {
        model.Block: model.Block(model.BlockKind.IMAGE, "A caption", "https://example.org/a.jpg"),
        model.Removal: model.Removal("ad-marker", "[ad_1]"),
        model.Sentence: model.Sentence(3, 10, 42, 1),
        model.Mention: model.Mention(0, 12, "Kim Jong Un", model.EntityType.PERSON, 0, "kim-jong-un"),
        model.Quote: model.Quote(5, 30, "We will respond", 2, "Mr. Kim", 0),
        model.DateRef: model.DateRef(date(1950, 6, 25), model.Precision.SPAN, "1950-53", 4,
                                     date(1953, 7, 27), False, "year-span"),
    }
    compact = {cls for cls in vars(model).values()
               if isinstance(cls, type) and issubclass(cls, model.Compact) and cls is not model.Compact}
    assert compact == set(examples), "give every Compact class an example here"
    for cls, value in examples.items():
        # Every field set to something other than its default, so a field left out would show.
        defaults = {f.name: f.default for f in dataclasses.fields(cls)}
        assert all(getattr(value, name) != default for name, default in defaults.items()), cls
        back = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        assert type(back) is cls and back == value


def test_a_whole_article_comes_back_equal():
    article = model.Article(
        source_file="a.md", content_hash="h", title="T",
        blocks=[model.Block(model.BlockKind.PARAGRAPH, "Kim Jong Un spoke.")],
        published=model.ArticleDate(None, "undated"),
        sentences=[model.Sentence(0, 0, 18, 0)],
        mentions=[model.Mention(0, 11, "Kim Jong Un", model.EntityType.PERSON, 0)],
    )
    assert pickle.loads(pickle.dumps(article, protocol=pickle.HIGHEST_PROTOCOL)) == article


# What an analysed article holds for the rest of the build is held as columns (model.Columns): they must read
# exactly as the lists they replace, come back equal from the cache, and link to the same site.

def analysed(number: int = 0):
    """One of the repository's seed articles, through the per-article stages (compacted, as the cache holds it)."""
    from builder.build import article_context, process_source
    from builder.config import Config
    from tests.conftest import SEEDS

    path = sorted(p for p in SEEDS.iterdir() if p.suffix in (".txt", ".md") and p.name != "README.md")[number]
    data, relpath = path.read_bytes(), path.name
    article = process_source(model.SourceFile(relpath, data, relpath), article_context(SEEDS.parent / "site", Config()))
    assert isinstance(article, model.Article)
    return article


def as_lists(article: model.Article) -> model.Article:
    return dataclasses.replace(article, blocks=list(article.blocks), sentences=list(article.sentences),
                               mentions=list(article.mentions))


def test_an_analysed_article_holds_its_blocks_sentences_and_mentions_as_columns():
    article = analysed()
    assert isinstance(article.blocks, model.Blocks) and isinstance(article.sentences, model.Sentences)
    assert isinstance(article.mentions, model.Mentions) and len(article.mentions) > 5
    # The blocks hold no text of their own: their texts are read from the article's.
    assert article.blocks.text is article.text
    held = [part for part in gc.get_referents(article.blocks) if isinstance(part, str)]
    assert held == [article.text]
    for block, start in zip(article.blocks, article.block_starts, strict=True):
        assert article.text[start : start + len(block.text)] == block.text
    lists = as_lists(article)
    assert lists == article and article == lists
    assert [type(s) for s in lists.sentences] == [model.Sentence] * len(lists.sentences)
    back = pickle.loads(pickle.dumps(article, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == lists and type(back.mentions) is model.Mentions and back.blocks.text is back.text


def test_columns_read_like_the_list_they_hold():
    sentences = [model.Sentence(0, 0, 10, 0), model.Sentence(1, 12, 30, 0), model.Sentence(2, 32, 50, 1)]
    mentions = [model.Mention(0, 3, "Kim", model.EntityType.PERSON, 0),
                model.Mention(12, 17, "Seoul", model.EntityType.PLACE, 1, "place/seoul")]
    pairs = [("a.md", 0), ("b.md", 3), ("b.md", 70_000)]
    for items, columns in ((sentences, model.Sentences(sentences)), (mentions, model.Mentions(mentions)),
                           (pairs, model.Pairs(pairs))):
        assert list(columns) == items and columns == items and len(columns) == len(items)
        assert columns[-1] == items[-1] and columns[1:] == items[1:] and columns[::-1] == items[::-1]
        with pytest.raises(IndexError):
            columns[len(items)]
        assert pickle.loads(pickle.dumps(columns, protocol=pickle.HIGHEST_PROTOCOL)) == items
        assert columns != items[:-1] and columns != [*items[:-1], items[0]]
    linked = model.Mentions(mentions).with_actors(["person/kim", None])
    assert [m.actor_key for m in linked] == ["person/kim", None]
    assert [m.actor_key for m in model.Mentions(mentions)] == [None, "place/seoul"]


def test_parts_that_do_not_fit_columns_stay_lists():
    article = as_lists(analysed())
    article.blocks[0] = model.Block(article.blocks[0].kind, article.blocks[0].text + " (edited)")
    article.sentences = [dataclasses.replace(article.sentences[0], index=7), *article.sentences[1:]]
    article.hold_compactly()
    assert isinstance(article.blocks, list) and isinstance(article.sentences, list)
    assert isinstance(article.mentions, model.Mentions)


def test_articles_held_as_columns_link_to_the_same_site():
    from builder.config import Config
    from builder.link import link_site

    articles = [analysed(0), analysed(1)]
    site = link_site([copy.deepcopy(a) for a in articles], [], Config())
    plain = link_site([as_lists(a) for a in articles], [], Config())
    assert site.actors and site == plain
    assert isinstance(site.articles[0].mentions, model.Mentions)
    assert isinstance(plain.articles[0].mentions, list)
    assert any(m.actor_key for m in site.articles[0].mentions)
    assert all(isinstance(actor.mentions, model.Pairs) and isinstance(actor.co_actors, model.Pairs)
               for actor in site.actors)
