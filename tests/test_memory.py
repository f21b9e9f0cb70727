"""Equal offsets and names of the analysed articles are held once (builder.memory), and nothing else changes."""

import copy
import pickle
from datetime import date

from builder import model
from builder.cache import AnalysisCache
from builder.memory import ValueSharing
from builder.parallel import map_articles


def article(name: str) -> model.Article:
    """An article as it comes out of a pickle (the cache, a worker): every number and string its own object."""
    text = "x" * 1000 + " Kim Jong Un said on Wednesday that ..."
    made = model.Article(
        source_file=name, content_hash=name, title="T",
        blocks=[model.Block(model.BlockKind.PARAGRAPH, text)],
        published=model.ArticleDate(None, "undated"),
        text=text, block_starts=[0, 1300],
        sentences=[model.Sentence(0, 1000, 1040, 0)],
        mentions=[model.Mention(1001, 1012, "Kim Jong Un", model.EntityType.PERSON, 0, "kim-jong-un")],
        quotes=[model.Quote(1013, 1030, "said on Wednesday", 0, "Kim Jong Un", 0)],
        dates=[model.DateRef(date(2016, 1, 6), model.Precision.DAY, "on Wednesday", 0, rule="weekday")],
        affiliations=[(1001, 1004, "Kim", 0)],
    )
    return pickle.loads(pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL))


def test_equal_offsets_and_names_of_two_articles_become_one_object_and_the_articles_stay_equal():
    first, second = article("a.md"), article("b.md")
    assert first.mentions[0].start is not second.mentions[0].start  # what unpickling makes
    before = copy.deepcopy([first, second])
    sharing = ValueSharing()
    sharing.article(first)
    sharing.article(second)
    assert [first, second] == before
    pairs = [
        (first.sentences[0].start, second.sentences[0].start), (first.sentences[0].end, second.sentences[0].end),
        (first.mentions[0].start, second.mentions[0].start), (first.mentions[0].end, second.mentions[0].end),
        (first.mentions[0].text, second.mentions[0].text), (first.quotes[0].start, second.quotes[0].start),
        (first.quotes[0].speaker, second.quotes[0].speaker), (first.dates[0].wording, second.dates[0].wording),
        (first.dates[0].rule, second.dates[0].rule), (first.block_starts[1], second.block_starts[1]),
        (first.affiliations[0][0], second.affiliations[0][0]), (first.affiliations[0][2], second.affiliations[0][2]),
    ]
    assert all(one is other for one, other in pairs)


def make_article(source: model.SourceFile, context: object) -> model.Article:
    return article(source.relpath)


def test_the_articles_of_a_run_share_their_values_whether_analysed_or_from_the_cache(tmp_path):
    sources = [model.SourceFile(name, b"", name) for name in ("a.md", "b.md", "c.md")]
    for _ in ("analysed", "cached"):
        cache = AnalysisCache(tmp_path, "context")
        results = list(map_articles(make_article, sources, "context", cache, jobs=1))
        assert results == [article(source.relpath) for source in sources]
        assert len({id(result.mentions[0].start) for result in results}) == 1
        assert len({id(result.mentions[0].text) for result in results}) == 1


def test_mention_texts_held_as_columns_are_shared_too():
    first, second = (pickle.loads(pickle.dumps(article(name).hold_compactly(), protocol=pickle.HIGHEST_PROTOCOL))
                     for name in ("a.md", "b.md"))
    assert isinstance(first.mentions, model.Mentions)
    assert first.mentions.texts[0] is not second.mentions.texts[0]
    before = copy.deepcopy([first, second])
    sharing = ValueSharing()
    sharing.article(first)
    sharing.article(second)
    assert [first, second] == before
    assert first.mentions.texts[0] is second.mentions.texts[0]
