"""The analysis pack (builder.analysis_pack): the cache's entries in one file, loaded at once; it never changes
what a run gives, only where the entries come from, and a pack that is not this cache's is not read."""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder import analysis_pack, model
from builder.analysis_pack import PACK_MAGIC, PACK_NAME, AnalysisPack, pack_is_behind
from builder.build import build
from builder.cache import AnalysisCache
from builder.config import Config, Paths, Settings
from builder.memory import ValueSharing
from builder.parallel import map_articles


def analysed(source: model.SourceFile, context: object) -> model.Article | model.Problem:
    """A made-up analysis, a function of the bytes (a file whose bytes start with "!" is refused)."""
    text = source.data.decode()
    if text.startswith("!"):
        return model.Problem(source.relpath, "refused", model.Severity.ERROR, True)
    return model.Article(source_file=source.relpath, content_hash=source.content_hash, title=text[:10],
                         blocks=[], published=model.ArticleDate(None, "undated"), text=text,
                         block_starts=[0, len(text) + 1000])


def source(name: str, text: str) -> model.SourceFile:
    return model.SourceFile(name, text.encode(), hashlib.sha256(text.encode()).hexdigest())


class Counted(AnalysisCache):
    """An analysis cache that counts the entries read from its per-article files."""

    def __init__(self, folder: Path, context: object) -> None:
        super().__init__(folder, context)
        self.reads = 0

    def get(self, key: str) -> object | None:
        self.reads += 1
        return super().get(key)


def run(folder: Path, sources: list[model.SourceFile], calls: list[str] | None = None) -> tuple[list, Counted]:
    cache = Counted(folder, "context")

    def function(source, context):
        if calls is not None:
            calls.append(source.relpath)
        return analysed(source, context)

    pack = AnalysisPack(folder, cache.salt)
    return list(map_articles(function, sources, "context", cache, pack=pack)), cache


def test_a_run_writes_the_pack_and_the_next_reads_its_entries_from_it_not_from_the_files(tmp_path):
    sources = [source(f"{number}.md", f"article {number}") for number in range(100)]
    run(tmp_path, sources)
    assert (tmp_path / PACK_NAME).is_file()
    sources[50] = source("50.md", "article 50, edited")
    calls: list[str] = []
    second, cache = run(tmp_path, sources, calls)
    assert calls == ["50.md"]
    assert cache.reads == 1  # (the edited file: not in the pack, nor in the cache)
    assert second == [analysed(one, None) for one in sources]


def test_a_pack_of_another_salt_is_not_unpickled(tmp_path, monkeypatch):
    sources = [source(f"{number}.md", f"article {number}") for number in range(3)]
    run(tmp_path, sources)
    other = AnalysisPack(tmp_path, "another salt")
    loads = []
    monkeypatch.setattr(analysis_pack.pickle, "load", lambda handle: loads.append(1))
    monkeypatch.setattr(analysis_pack.pickle, "Unpickler", lambda handle: loads.append(1))
    assert other.load() == {}
    assert loads == []


def test_a_damaged_pack_costs_only_the_reads_of_the_files(tmp_path):
    sources = [source(f"{number}.md", f"article {number}") for number in range(3)]
    expected, cache = run(tmp_path, sources)
    packed = (tmp_path / PACK_NAME).read_bytes()
    header = len(PACK_MAGIC) + len(cache.salt) + 1  # (then where the table of shared values starts, then the chunks)
    table_at = int.from_bytes(packed[header : header + 8], "little")
    misplaced = [packed[:header] + place.to_bytes(8, "little") + packed[header + 8 :]
                 for place in (0, header + 8, table_at - 1, table_at + 1, len(packed))]
    for damaged in (packed[: len(packed) // 2], packed[:-3], b"junk", PACK_MAGIC, packed + b"junk", *misplaced):
        (tmp_path / PACK_NAME).write_bytes(damaged)
        calls: list[str] = []
        results, _ = run(tmp_path, sources, calls)
        assert results == expected
        assert calls == []  # (all read from the per-article files)


def test_two_files_with_the_same_bytes_get_their_own_objects_and_names_from_the_pack(tmp_path):
    sources = [source("a.md", "the same"), source("b.md", "the same"), source("c.md", "other")]
    run(tmp_path, sources)
    results, _ = run(tmp_path, sources)
    assert [result.source_file for result in results] == ["a.md", "b.md", "c.md"]
    assert results[0] is not results[1]


def test_a_file_that_cannot_be_read_is_not_packed(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.md").write_text("article a")
    (seeds / "b.md").write_text("article b")
    listed = [model.SeedSource("a.md", str(seeds / "a.md"), source("a.md", "article a").content_hash),
              model.SeedSource("b.md", str(seeds / "b.md"), source("b.md", "article b").content_hash)]
    (seeds / "b.md").unlink()
    results, cache = run(tmp_path / "cache", listed)
    assert isinstance(results[1], model.Problem)
    entries = AnalysisPack(tmp_path / "cache", cache.salt).load()
    assert list(entries) == [cache.key(listed[0].content_hash, ".md")]


def test_the_pack_is_written_again_only_when_it_has_fallen_behind():
    assert pack_is_behind(missing=10, unused=0, used=0)  # (no pack yet)
    assert not pack_is_behind(missing=1, unused=1, used=10_000)  # (an edit)
    assert pack_is_behind(missing=300, unused=300, used=9_700)
    assert pack_is_behind(missing=0, unused=9_000, used=1_000)  # (most of the site deleted)
    assert not pack_is_behind(missing=0, unused=0, used=0)


texts = st.sampled_from(["one", "two", "three", "!refused", "four", "one"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from("abcdefg"), texts), max_size=7), min_size=1, max_size=4))
def test_any_sequence_of_runs_gives_what_analysing_every_file_gives(tmp_path_factory, runs):
    """Files added, edited, removed, renamed, copied, refused: the pack never changes a result."""
    folder = tmp_path_factory.mktemp("pack")
    for files in runs:
        sources = [source(f"{name}.md", text) for name, text in dict(files).items()]
        results, _ = run(folder, sources)
        assert results == [analysed(one, None) for one in sources]
        assert len({id(result) for result in results}) == len(results)


def test_a_cache_without_a_pack_as_main_left_it_is_read_and_then_packed(tmp_path):
    """A project whose cache was made before the pack (or by a builder that keeps none) builds the same site."""
    project = tmp_path / "project"
    (project / "seeds").mkdir(parents=True)
    (project / "seeds" / "a.txt").write_text("A headline\n\nThe council met on Monday to talk about the harbour.\n")
    (project / "seeds" / "b.txt").write_text("Another headline\n\nThe mayor spoke to the council on Tuesday.\n")
    paths = Paths.from_project(project)
    build(Settings(config=Config(), paths=paths, jobs=1))
    pack_file = paths.cache / PACK_NAME
    assert pack_file.is_file()
    pack_file.unlink()
    again = dataclasses.replace(paths, output=tmp_path / "again")
    build(Settings(config=Config(), paths=again, jobs=1))
    assert pack_file.is_file()
    assert pages(again.output) == pages(paths.output)


def pages(output: Path) -> dict[Path, bytes]:
    return {path.relative_to(output): path.read_bytes() for path in output.rglob("*.html")}

def test_the_pack_holds_its_entries_after_its_salt(tmp_path):
    sources = [source("a.md", "article a")]
    _, cache = run(tmp_path, sources)
    data = (tmp_path / PACK_NAME).read_bytes()
    assert data.startswith(PACK_MAGIC + cache.salt.encode() + b"\n")
    assert AnalysisPack(tmp_path, cache.salt).load() == {
        cache.key(sources[0].content_hash, ".md"): analysed(sources[0], None)}


def linked_article(name: str, words: str = "", offset: int = 1000) -> model.Article:
    """An analysed article with its parts as columns, each number and string its own object (as unpickled)."""
    text = "x" * offset + " Kim Jong Un said on Wednesday that ..." + words
    made = model.Article(
        source_file=name, content_hash=name, title="T",
        blocks=[model.Block(model.BlockKind.PARAGRAPH, text)],
        published=model.ArticleDate(None, "undated"),
        text=text, block_starts=[0],
        sentences=[model.Sentence(0, offset, offset + 40, 0)],
        mentions=[model.Mention(offset + 1, offset + 12, "Kim Jong Un", model.EntityType.PERSON, 0)],
        quotes=[model.Quote(offset + 13, offset + 30, "said on Wednesday", 0, "Kim Jong Un", 0)],
        dates=[model.DateRef(date(2016, 1, 6), model.Precision.DAY, "on Wednesday", 0, rule="weekday")],
        affiliations=[(offset + 1, offset + 4, "Kim", 0)],
        summary=[0],
    ).hold_compactly()
    return pickle.loads(pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL))


def test_equal_numbers_strings_and_dates_come_out_of_the_pack_as_one_object(tmp_path, monkeypatch):
    """Across chunks too: the values are shared by the pack's table, not by one pickle's memo."""
    monkeypatch.setattr(analysis_pack, "CHUNK", 1)
    entries = {name: linked_article(name) for name in ("a.md", "b.md", "c.md")}
    first, second = entries["a.md"], entries["b.md"]
    assert first.quotes[0].start is not second.quotes[0].start  # (what unpickling made)
    assert AnalysisPack(tmp_path, "salt").save(entries)
    loaded = AnalysisPack(tmp_path, "salt").load()
    assert loaded == entries
    first, second = loaded["a.md"], loaded["c.md"]
    pairs = [(first.quotes[0].start, second.quotes[0].start), (first.quotes[0].speaker, second.quotes[0].speaker),
             (first.mentions.texts[0], second.mentions.texts[0]), (first.dates[0].wording, second.dates[0].wording),
             (first.dates[0].value, second.dates[0].value), (first.dates[0].rule, second.dates[0].rule),
             (first.affiliations[0][0], second.affiliations[0][0]),
             (first.affiliations[0][2], second.affiliations[0][2])]
    assert all(one is other for one, other in pairs)
    assert type(first.mentions) is model.Mentions and type(first.blocks) is model.Blocks
    assert type(first.sentences) is model.Sentences


def test_an_article_from_elsewhere_shares_the_values_of_the_pack(tmp_path):
    """The edited article (analysed, or read from the per-article cache) shares what the pack's articles hold."""
    assert AnalysisPack(tmp_path, "salt").save({"a.md": linked_article("a.md")})
    sharing = ValueSharing()
    packed = AnalysisPack(tmp_path, "salt").load(sharing)["a.md"]
    edited = linked_article("b.md", words=" More words.")
    sharing.article(edited)
    assert edited.mentions.texts[0] is packed.mentions.texts[0]
    assert edited.quotes[0].start is packed.quotes[0].start


names = st.sampled_from(["Kim", "Kim Jong Un", "Seoul", "é" * 3, "x" * 1001, ""])
numbers = st.integers(min_value=-(2**40), max_value=2**40) | st.sampled_from([-6, -5, 256, 257, 1000])


@st.composite
def articles(draw, name: str) -> model.Article:
    offset = draw(st.integers(min_value=0, max_value=5000))
    article = linked_article(name, words=draw(names), offset=offset)
    article.title = draw(names)
    article.quotes = [model.Quote(draw(numbers), draw(numbers), draw(names), draw(numbers), draw(names | st.none()))
                      for _ in range(draw(st.integers(0, 3)))]
    article.dates = [model.DateRef(draw(st.dates()), model.Precision.DAY, draw(names), draw(numbers),
                                   end_value=draw(st.none() | st.dates()), rule=draw(names))
                     for _ in range(draw(st.integers(0, 3)))]
    article.affiliations = [(draw(numbers), draw(numbers), draw(names), draw(numbers)) for _ in range(2)]
    article.categories = draw(st.lists(names, max_size=3))
    return article


@settings(max_examples=60, deadline=None)
@given(st.data(), st.integers(min_value=1, max_value=3))
def test_what_comes_out_of_the_pack_is_what_went_in(tmp_path_factory, data, chunk):
    folder = tmp_path_factory.mktemp("pack")
    entries = {f"{number}.md": data.draw(articles(f"{number}.md")) for number in range(data.draw(st.integers(0, 5)))}
    entries["refused.md"] = model.Problem("refused.md", "refused", model.Severity.ERROR, True)
    analysis_pack.CHUNK, chunk = chunk, analysis_pack.CHUNK
    try:
        assert AnalysisPack(folder, "salt").save(entries)
    finally:
        analysis_pack.CHUNK = chunk
    loaded = AnalysisPack(folder, "salt").load()
    assert list(loaded) == list(entries)
    assert loaded == entries
    assert repr(loaded) == repr(entries)  # (the same types too: columns are equal to lists of their items)


def test_a_pack_whose_writing_is_interrupted_leaves_no_file_behind(tmp_path, monkeypatch):
    pack = AnalysisPack(tmp_path, "salt")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(analysis_pack.pickle, "dump", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pack.save({"key": "value"})
    assert list(tmp_path.iterdir()) == []
