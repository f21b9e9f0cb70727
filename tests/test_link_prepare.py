"""The per-article part of linking (builder.link.prepare): the same site, cached under the right key, released."""

from __future__ import annotations

import copy
from datetime import date

from builder.build import ArticleContext, article_context, process_source
from builder.cache import ANALYSIS_CODE, AnalysisCache, _hash_code
from builder.config import Config
from builder.link import link_site
from builder.link.event_words import SentenceTriggers, load_event_types
from builder.link.prepare import prepare_for_linking
from builder.model import SourceFile
from tests.test_events import MEETING_A, MEETING_B, STORM, make_article

STRIKE_TYPES = ('[strike]\nobject = false\nlabel = "goes on strike"\nrank = 1\nverbs = ["walked out"]\n'
                'nouns = ["walkout"]\n')


def corpus():
    strike = make_article("s.txt", "Walkout", "Dock workers in Rotterdam walked out on Monday over pay. "
                          "The walkout of the Rotterdam dock workers ended on Friday.", date(2016, 2, 1))
    copy_of_a = make_article("a-copy.txt", MEETING_A.title, MEETING_A.text)  # a duplicate, undated
    return [copy.deepcopy(a) for a in (MEETING_A, MEETING_B, STORM)] + [strike, copy_of_a]


def test_prepared_articles_link_to_the_same_site(tmp_path):
    extra = tmp_path / "event_types.toml"
    extra.write_text(STRIKE_TYPES, encoding="utf-8")
    for types_file in (extra, tmp_path / "missing.toml"):
        plain = link_site(corpus(), [], Config(), event_types=types_file)
        prepared = [prepare_for_linking(a, load_event_types(types_file)) for a in corpus()]
        assert all(SentenceTriggers(a, load_event_types(types_file)).packed is not None for a in prepared)
        linked = link_site(prepared, [], Config(), event_types=types_file)
        assert repr(linked) == repr(plain)
        assert plain.events and any(a.also_published_as for a in plain.articles)


def test_triggers_found_with_other_event_types_are_found_again(tmp_path):
    """An article prepared with the built-in table, linked with a site's own: its triggers are not trusted."""
    extra = tmp_path / "event_types.toml"
    extra.write_text(STRIKE_TYPES, encoding="utf-8")
    prepared = [prepare_for_linking(a, load_event_types(None)) for a in corpus()]
    assert repr(link_site(prepared, [], Config(), event_types=extra)) == repr(
        link_site(corpus(), [], Config(), event_types=extra))


def test_link_features_are_released_once_linked():
    prepared = [prepare_for_linking(a, []) for a in corpus()]
    site = link_site(prepared, [], Config())
    assert all(a.link_features is None for a in [*prepared, *site.articles])


def test_site_event_types_change_the_cache_key(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    before = AnalysisCache(tmp_path / "cache", article_context(site, Config())).salt
    (site / "event_types.toml").write_text(STRIKE_TYPES, encoding="utf-8")
    context = article_context(site, Config())
    assert AnalysisCache(tmp_path / "cache", context).salt != before
    # and the per-article stage finds the site's own trigger words
    body = b"---\ntitle: Walkout\ndate: 2016-02-01\n---\n\nDock workers in Rotterdam walked out on Monday over pay.\n"
    article = process_source(SourceFile("s.md", body, "x"), context)
    kinds = {context.event_types[k].name for k in article.link_features.triggers[1::5]}
    assert "strike" in kinds
    plain = process_source(SourceFile("s.md", body, "x"), ArticleContext(Config(), context.rules))
    assert "strike" not in {load_event_types(None)[k].name for k in plain.link_features.triggers[1::5]}


def test_the_per_article_link_code_is_in_the_analysis_fingerprint(tmp_path, monkeypatch):
    """What the per-article stage runs of linking (shingles.py, event_words.py, the event types) is in the
    analysis cache's key; what compares articles (duplicates.py, events.py, actors.py) is not."""
    import types

    from builder import cache

    root = tmp_path / "builder"
    (root / "link").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    keyed = ("__init__.py", "prepare.py", "shingles.py", "event_words.py", "event_types.toml")
    for name in (*keyed, "duplicates.py", "events.py", "actors.py"):
        (root / "link" / name).write_text("x = 1\n")
    monkeypatch.setattr(cache, "builder", types.SimpleNamespace(__file__=str(root / "__init__.py")))
    analysis = _hash_code(ANALYSIS_CODE)
    for name in ("duplicates.py", "events.py", "actors.py"):  # linking across articles only
        (root / "link" / name).write_text("x = 2\n")
        assert _hash_code(ANALYSIS_CODE) == analysis, name
    for name in keyed:
        (root / "link" / name).write_text("x = 2\n")
        assert _hash_code(ANALYSIS_CODE) != analysis, name
        analysis = _hash_code(ANALYSIS_CODE)


def test_what_linking_let_go_of_is_worked_out_again_if_asked_twice():
    from builder.link.duplicates import find_duplicates
    from builder.link.event_words import article_words, words_of

    prepared = [prepare_for_linking(a, []) for a in corpus()]
    assert [words_of(a) for a in prepared] == [article_words(a) for a in prepared]
    first = [a.source_file for a in find_duplicates(prepared)]
    assert len(first) < len(prepared) and all(a.link_features.signature is None for a in prepared)
    assert [a.source_file for a in find_duplicates(prepared)] == first
    for article in prepared:
        article.link_features.words = article.link_features.word_counts = None
    assert [list(words_of(a).items()) for a in prepared] == [list(article_words(a).items()) for a in prepared]
