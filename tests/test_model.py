"""The data model: what the analysis cache stores must come back exactly as it went in."""

import dataclasses
import pickle
from datetime import date

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
