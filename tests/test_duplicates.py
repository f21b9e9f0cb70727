"""Near-identical texts under two file names become one article."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.link.duplicates import duplicate_groups, find_duplicates
from builder.model import Article, ArticleDate, Block, BlockKind

WORDS = [
    "minister",
    "talks",
    "city",
    "river",
    "army",
    "bank",
    "market",
    "vote",
    "court",
    "police",
    "storm",
    "fire",
    "school",
    "price",
    "water",
    "road",
    "plan",
    "team",
    "game",
    "film",
    "law",
    "deal",
    "oil",
    "trade",
    "power",
    "rain",
    "snow",
    "crowd",
    "union",
    "strike",
    "report",
    "study",
]


def text(seed: int, words: int = 200) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(words)) + "."


def article(name: str, body: str, dated: bool = False) -> Article:
    published = ArticleDate(datetime(2016, 1, 10, tzinfo=UTC) if dated else None, "metadata" if dated else "undated")
    result = Article(name, "", name, [Block(BlockKind.PARAGRAPH, body)], published)
    result.text = body
    return result


def test_identical_and_near_identical_texts_are_grouped():
    base = text(1)
    edited = base.replace("minister", "Minister", 1) + " Source link."  # case, a trailing line
    groups = duplicate_groups([base, text(2), edited, text(3)])
    assert groups == [[0, 2]]


def test_different_texts_on_the_same_words_are_not_grouped():
    assert duplicate_groups([text(seed) for seed in range(30)]) == []


def test_short_texts_are_never_duplicates():
    assert duplicate_groups(["Police said.", "Police said."]) == []


def test_kept_article_is_chosen_deterministically():
    body = text(7)
    articles = [
        article("b.md", body),
        article("a.md", body),
        article("c.md", body, dated=True),
        article("d.md", text(8)),
    ]
    kept = find_duplicates(articles)
    assert [a.source_file for a in kept] == ["c.md", "d.md"]  # the dated one wins; order of input kept
    assert kept[0].also_published_as == ["a.md", "b.md"]
    # Same result whatever the input order.
    again = find_duplicates([article("a.md", body), article("c.md", body, dated=True), article("b.md", body)])
    assert again[0].source_file == "c.md" and again[0].also_published_as == ["a.md", "b.md"]


def test_undated_tie_breaks_on_length_then_path():
    body = text(9)
    kept = find_duplicates([article("z.md", body + " Extra words here."), article("a.md", body)])
    assert [a.source_file for a in kept] == ["z.md"]
    kept = find_duplicates([article("z.md", body), article("a.md", body)])
    assert [a.source_file for a in kept] == ["a.md"]


def test_candidates_whose_signatures_mostly_disagree_are_not_compared():
    """Sharing a band bucket by chance is not enough: a pair is compared (its fingerprints asked for) only
    when its signatures agree on MIN_AGREEMENT of the hashes."""
    import numpy as np

    from builder.link.duplicates import HASHES, MIN_AGREEMENT, signed_groups

    first = np.arange(1, HASHES + 1, dtype=np.uint64)
    by_chance = first + np.uint64(1000)
    by_chance[:4] = first[:4]  # one band alike: a candidate pair, agreeing on 4 hashes
    close = first.copy()
    close[MIN_AGREEMENT:] += np.uint64(5000)  # agreeing on MIN_AGREEMENT hashes exactly
    asked: list[int] = []

    def fingerprints_of(index: int) -> np.ndarray:
        asked.append(index)
        return np.arange(50, dtype=np.uint64)  # all alike: any pair compared is a duplicate

    assert signed_groups([first, by_chance, close, None], fingerprints_of) == [[0, 2]]
    assert sorted(set(asked)) == [0, 2]


def test_a_thousand_copies_of_one_page_stay_cheap():
    """A folder holding many copies of one page (a cookie wall, an error page) puts them all in one bucket
    of every band: the bucket is worked through by its members' parts, never as a list of its ~500,000
    pairs (which took 1.1 GB at 1,000 copies)."""
    import tracemalloc

    import numpy as np

    from builder.link.duplicates import signed_groups
    from builder.link.shingles import fingerprint_array, min_hash

    page = fingerprint_array(" ".join(f"please enable cookies to read page {n} of this site" for n in range(60)))
    near = fingerprint_array(" ".join(f"please enable cookies to read page {n} of this site" for n in range(59)))
    copies = 1000
    texts = [page] * copies + [near] + [np.arange(20, dtype=np.uint64) + np.uint64(n * 100) for n in range(3)]
    signatures = [min_hash(text) for text in texts]
    asked: list[int] = []

    def fingerprints_of(index: int) -> np.ndarray:
        asked.append(index)
        return texts[index]

    tracemalloc.start()
    try:
        groups = signed_groups(signatures, fingerprints_of)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert groups == [list(range(copies + 1))]
    assert peak < 30_000_000
    assert len(asked) <= 2 * (copies + 1)


def _variant(seed: int, changed: int) -> str:
    """text(seed) with its first `changed` words replaced: 0-4 stay above the threshold, 40 fall below it."""
    words = text(seed).split()
    return " ".join(["changed"] * changed + words[changed:])


BODIES = [_variant(seed, changed) for seed in (1, 2) for changed in (0, 3, 40)] + ["too short to compare."]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a.md", "b.md", "c.md", "d.md", "e.md"]),
                          st.one_of(st.none(), st.integers(0, len(BODIES) - 1))), min_size=1, max_size=8))
def test_duplicates_found_with_the_memo_are_a_cold_finding(steps):
    """Each step sets a file's text (or deletes the file: None) and finds duplicates twice: cold, and with the
    memo the previous step's finding filled.  A pair's comparison recalled for texts that changed would join
    or split what a cold finding does not."""
    from builder.link.memo import LinkMemo

    def site(files: dict[str, int]) -> list[Article]:
        made = []
        for name, body in sorted(files.items()):
            made.append(article(name, BODIES[body], dated=name < "c"))
            made[-1].content_hash = hashlib.sha256(BODIES[body].encode()).hexdigest()
        return made

    def found(articles: list[Article]) -> list[tuple[str, list[str]]]:
        return [(a.source_file, a.also_published_as) for a in articles]

    files: dict[str, int] = {}
    memo = LinkMemo()
    for name, body in steps:
        if body is None:
            files.pop(name, None)
        else:
            files[name] = body
        memo = LinkMemo(previous=memo.kept)
        assert found(find_duplicates(site(files), memo)) == found(find_duplicates(site(files)))
