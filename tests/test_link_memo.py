"""Linking with the previous build's memo (builder.link.memo) gives the very Site a cold link gives: after an
edit, an addition and a deletion of one article, on real news (news-2016, three days of it: data-driven)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.cache import LinkMemoFile
from builder.config import Config
from builder.link import link_site
from builder.link.curation import Curation
from builder.link.memo import LinkMemo, recall
from builder.model import Article

NEWS = "2016-02-1[3-5]-*.md"  # three days of news-2016: Scalia's death, Syria, the pope in Mexico


def memo_keys(root: Path) -> set[bytes]:
    """The keys of the link memo a build of the project `root` left in its cache."""
    from builder.build import article_context

    stored = LinkMemoFile(root / ".cache" / "build-site", article_context(root / "site", Config())).load()
    try:
        return set(stored)
    finally:
        stored.close()


def edited(news: dict[str, bytes], name: str) -> bytes:
    """The file with one more sentence naming actors of other articles."""
    return news[name] + b"\n\nAntonin Scalia and Pope Francis were mentioned by Bashar al-Assad on Monday.\n"


def articles_of(analysed: dict[str, bytes], extra: dict[str, Article] | None = None,
                without: str | None = None) -> list[Article]:
    chosen = {name: pickle.loads(data) for name, data in analysed.items() if name != without}
    chosen.update({name: pickle.loads(pickle.dumps(article)) for name, article in (extra or {}).items()})
    return [chosen[name] for name in sorted(chosen)]


def link(articles: list[Article], memo: LinkMemo | None = None, curation: Curation | None = None):
    return link_site(articles, [], Config(), curation, event_types=Path("/nonexistent/event_types.toml"), memo=memo)


def test_a_memo_recalls_what_it_made_and_keeps_only_what_this_build_used():
    first = LinkMemo()
    made = first.recall(("a", 1), lambda: [1, 2])
    assert made == [1, 2] and first.made == 1
    made.append(3)  # a change to the value after it was made is not remembered
    second = LinkMemo(first.kept)
    assert second.recall(("a", 1), lambda: pytest.fail("made again")) == [1, 2]
    assert second.recall(("a", 2), lambda: "new") == "new"
    assert (second.reused, second.made) == (1, 1)
    assert len(LinkMemo(second.kept).kept) == 0 and len(second.kept) == 2
    third = LinkMemo(second.kept)
    third.recall(("a", 2), lambda: "newer")
    assert len(third.kept) == 1  # ("a", 1) was not asked for: dropped
    assert recall(None, ("a", 1), lambda: "cold") == "cold"


@pytest.mark.parametrize("change", ["edit", "add", "delete", "rename"])
def test_a_link_after_one_change_with_the_memo_equals_a_cold_link(news, analysed, analyse, change):
    assert len(analysed) >= 60
    names = sorted(analysed)
    target = next(n for n in names if "scalia" in n)
    memo = LinkMemo()
    before = link(articles_of(analysed), memo)
    assert memo.made and not memo.reused
    extra, without = {}, None
    if change == "edit":
        extra = {target: analyse(target, edited(news, target))}
    elif change == "add":
        extra = {"2016-02-15-zz-added.md": analyse("2016-02-15-zz-added.md", edited(news, target))}
    elif change == "rename":  # the same text under a name that sorts first: every article before it moves
        extra, without = {"2016-02-13-000-renamed.md": analyse("2016-02-13-000-renamed.md", news[target])}, target
    else:
        without = target
    cold = link(articles_of(analysed, extra, without))
    again = LinkMemo(memo.kept)
    warm = link(articles_of(analysed, extra, without), again)
    assert repr(warm) == repr(cold)
    assert repr(cold) != repr(before)
    assert again.reused > again.made > 0  # most of the work was recalled, the changed article's made again


def test_a_memo_of_another_curation_is_not_recalled_for_what_curation_changes(analysed):
    """Keeping two names apart changes resolution within articles: the memo's entries made without it are
    not recalled for it, and the result is still a cold link's."""
    memo = LinkMemo()
    link(articles_of(analysed), memo)
    curation = Curation(keep_apart=(("scalia", ("Antonin Scalia", "Scalia")),))
    again = LinkMemo(memo.kept)
    warm = link(articles_of(analysed), again, curation)
    assert repr(warm) == repr(link(articles_of(analysed), None, curation))


def test_an_edit_rebuild_reads_the_memo_and_writes_the_site_a_cold_build_writes(tmp_path):
    from builder.build import build
    from builder.config import Paths, Settings

    texts = {
        "a.txt": "Kim meets Shoigu\n\nKim Jong Un met Sergei Shoigu in Pyongyang on Monday. Kim said it went well.\n",
        "b.txt": "Shoigu visits Pyongyang\n\nRussian Defense Minister Sergei Shoigu met Kim Jong Un in Pyongyang.\n",
        "c.txt": "Storm hits Manila\n\nA storm hit Manila on Tuesday, officials said. The storm killed three people.\n",
    }

    def project(name: str, files: dict[str, str]) -> Path:
        root = tmp_path / name
        (root / "seeds").mkdir(parents=True)
        for file, text in files.items():
            (root / "seeds" / file).write_text(text, encoding="utf-8")
        return root

    def built(root: Path) -> dict[str, bytes]:
        build(Settings(config=Config(), paths=Paths.from_project(root), strict=False, jobs=1))
        output = root / "output"
        return {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*")
                if p.is_file() and "pagefind" not in p.parts and not p.name.startswith(".build-site")}

    warm = project("warm", texts)
    built(warm)
    first_memo = memo_keys(warm)
    assert first_memo
    edited = {**texts, "b.txt": texts["b.txt"] + "\nShoigu and Kim also spoke of the storm in Manila.\n"}
    (warm / "seeds" / "b.txt").write_text(edited["b.txt"], encoding="utf-8")
    second = built(warm)
    second_memo = memo_keys(warm)
    assert set(second_memo) != set(first_memo) and set(second_memo) & set(first_memo)
    assert second == built(project("cold", edited))


# The memo file (builder.cache.LinkMemoFile): the previous build's entries read one by one when asked for,
# this build's written as they are kept. A memo on files must recall exactly what one on dicts recalls.

operations = st.lists(st.tuples(st.sampled_from(["recall", "keep", "previous"]), st.integers(0, 6),
                                st.binary(max_size=40)), max_size=30)


def play(memo: LinkMemo, steps) -> list:
    """What `memo` answers to `steps` (recall makes its value, keep keeps it, previous reads the previous one)."""
    answers = []
    for kind, part, value in steps:
        if kind == "recall":
            answers.append(memo.recall(("part", part), lambda value=value: value))
        elif kind == "keep":
            memo.keep(("part", part), value)
        else:
            answers.append(memo.previous_value(("part", part)))
    return answers


@settings(max_examples=60, deadline=None)
@given(builds=st.lists(operations, min_size=1, max_size=4))
def test_a_memo_on_files_answers_as_one_on_dicts(tmp_path_factory, builds):
    """Builds one after another, each with the previous one's memo: through LinkMemoFile (read and kept on
    files) and through plain dicts, every answer and every kept entry are the same."""
    folder = tmp_path_factory.mktemp("memo")
    memo_file = LinkMemoFile(folder, "context")
    previous: dict[bytes, bytes] = {}
    for steps in builds:
        in_memory = LinkMemo(previous)
        expected = play(in_memory, steps)
        with memo_file.entries() as (stored, kept):
            assert dict(stored.items()) == previous
            on_files = LinkMemo(stored, kept)
            assert play(on_files, steps) == expected
            assert dict(kept.items()) == in_memory.kept
            memo_file.save(kept)
        previous = in_memory.kept
    assert [path.name for path in folder.iterdir()] == ["link-memo.entries"]  # no temporary file left


def test_a_memo_file_of_another_key_or_damaged_is_not_read(tmp_path):
    memo_file = LinkMemoFile(tmp_path, "context")
    memo_file.save({b"k" * 16: b"value", b"j" * 16: b""})
    stored = memo_file.load()
    assert dict(stored.items()) == {b"k" * 16: b"value", b"j" * 16: b""}
    stored.close()
    other = LinkMemoFile(tmp_path, "another context")
    assert len(other.load()) == 0
    data = memo_file.file.read_bytes()
    for damaged in (data[:-3], data[:10], b"", b"x" * len(data), pickle.dumps(("key", {}))):
        memo_file.file.write_bytes(damaged)
        assert len(memo_file.load()) == 0


def test_the_old_memo_pickle_is_removed_and_a_failed_build_leaves_no_file(tmp_path):
    (tmp_path / "link-memo.pickle").write_bytes(pickle.dumps(("key", {b"a": b"b"})))
    memo_file = LinkMemoFile(tmp_path, "context")
    with memo_file.entries() as (stored, kept):
        assert len(stored) == 0
        kept[b"a" * 16] = b"value"
        memo_file.save(kept)
    assert not (tmp_path / "link-memo.pickle").exists()
    with pytest.raises(RuntimeError), memo_file.entries() as (stored, kept):
        kept[b"b" * 16] = b"other"
        raise RuntimeError("linking failed")
    assert [path.name for path in tmp_path.iterdir()] == ["link-memo.entries"]
    stored = memo_file.load()
    assert dict(stored.items()) == {b"a" * 16: b"value"}  # the failed build's entries were not put in place
    stored.close()
