"""Linking's word on what changed (builder.link.site.link_changes) and rendering taking it
(builder.page_keys.PageKeys._taken_as_they_were): every article whose fingerprint changed since the link run that
left the memo is named, whatever the edits, additions (near-identical copies, undated reports dated through an
event) and deletions; and a render that takes the fingerprints of the others as they were makes a cold build's keys
and bytes, and takes them only on the word of the run that made the keys.  Real news for the linking side: three
days of news-2016, with sentences appended that name actors of other articles and date happenings."""

from __future__ import annotations

import pickle
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_feeds import make_site
from test_key_recall import EDITS, as_previous, edited, render

from builder.config import Config
from builder.link import link_site
from builder.link.memo import LinkMemo
from builder.link.site import LinkChanges, link_changes
from builder.model import Article, Site
from builder.page_keys import Fingerprints, PageKeys

NEWS = "2016-02-1[3-5]-*.md"  # (the days test_events_memo links: analysed once a session)

SENTENCES = [
    b"Antonin Scalia and Pope Francis were mentioned by Bashar al-Assad on Monday.",
    b"Barack Obama met Vladimir Putin in Geneva on March 3, 2015, officials said.",
    b"The Senate met on Tuesday to discuss the nomination of Antonin Scalia's successor, officials said.",
]


def link(articles: list[Article], memo: LinkMemo | None, run: str | None = None) -> tuple[Site, LinkChanges | None]:
    """The linked site, and what changed in it since the run that left the memo (as a build links: the changes told
    once linked, with the same memo)."""
    site = link_site(articles, [], Config(), None, event_types=Path("/nonexistent/event_types.toml"), memo=memo)
    return site, link_changes(site, memo, run)


def fresh(analysed: dict[str, bytes], changed: dict[str, Article], deleted: set[str]) -> list[Article]:
    chosen = {name: pickle.loads(data) for name, data in analysed.items() if name not in deleted}
    chosen.update({name: pickle.loads(pickle.dumps(article)) for name, article in changed.items()})
    return [chosen[name] for name in sorted(chosen)]


def fingerprints(site: Site) -> dict[str, str]:
    """Each article's fingerprint as rendering works it out (an analysis key standing for its content)."""
    worked_out = Fingerprints(site, analysis_key=lambda content_hash, source_file: f"{content_hash} {source_file}")
    return {article.source_file: worked_out.article(article.source_file) for article in site.articles}


def undated(news: bytes) -> bytes:
    """A report of the same text with no date of its own (a plain text file: headline, body)."""
    body = news.split(b"\n---\n", 1)[-1]
    return b"A report from the wires\n\n" + body


CHANGE = st.tuples(st.sampled_from(["edit", "add", "add undated", "delete"]), st.integers(0, 10_000),
                   st.integers(0, 10_000))


# Derandomized (CI is reproducible); each example links the three days some five times (~10 s).
@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(builds=st.lists(st.lists(CHANGE, min_size=1, max_size=3), min_size=1, max_size=3))
@example(builds=[[("add", 3, 0)], [("add undated", 5, 1)], [("delete", 3, 0)]])
def test_linking_names_every_article_changed_since_the_run_that_left_its_memo(news, analysed, analysed_text, builds):
    names = sorted(analysed)
    changed: dict[str, Article] = {}
    texts: dict[str, bytes] = {}
    deleted: set[str] = set()
    memo = LinkMemo()
    site, said = link(fresh(analysed, changed, deleted), memo, "run 0")
    assert said is None  # (no run before it)
    before = fingerprints(site)
    for step, changes in enumerate(builds, 1):
        for kind, which, sentence in changes:
            name = names[which % len(names)]
            line = b"\n\n" + SENTENCES[sentence % len(SENTENCES)] + b"\n"
            if kind == "edit" and name not in deleted:
                texts[name] = texts.get(name, news[name]) + line
                changed[name] = analysed_text(name, texts[name])
            elif kind == "add":  # (a near-identical copy, most often: folded into the article it copies)
                added = f"{name[:10]}-zz-added-{step}-{which % 7}.md"
                texts[added] = news[name] + line
                changed[added] = analysed_text(added, texts[added])
            elif kind == "add undated":  # (dated, if at all, through an event its reports are grouped in)
                added = f"{name[:10]}-zz-undated-{step}-{which % 7}.txt"
                texts[added] = undated(news[name]) + line
                changed[added] = analysed_text(added, texts[added])
            elif kind == "delete" and len(deleted) < 5:
                deleted.add(name)
                changed.pop(name, None)
                texts.pop(name, None)
        memo = LinkMemo(memo.kept)
        site, said = link(fresh(analysed, changed, deleted), memo, f"run {step}")
        now = fingerprints(site)
        assert said is not None and said.since == f"run {step - 1}"
        different = {source_file for source_file, fingerprint in now.items() if before.get(source_file) != fingerprint}
        assert different <= said.articles, (step, changes, sorted(different - said.articles))
        assert len(said.articles) < len(now)  # (the word is worth something: most articles did not change)
        before = now


def test_without_a_memo_or_a_previous_runs_record_nothing_is_said(analysed):
    articles = [pickle.loads(data) for _, data in sorted(analysed.items())]
    assert link([pickle.loads(pickle.dumps(a)) for a in articles], None, "run")[1] is None
    memo = LinkMemo()
    link([pickle.loads(pickle.dumps(a)) for a in articles], memo, "run 1")
    unnamed = LinkMemo(memo.kept)
    assert link([pickle.loads(pickle.dumps(a)) for a in articles], unnamed)[1] == LinkChanges("run 1", frozenset())
    again = link([pickle.loads(pickle.dumps(a)) for a in articles], LinkMemo(unnamed.kept))[1]
    assert again.since is None  # (the run before was not named: no keys' build is ever matched to it)


# The render's side: the fingerprints taken as they were on linking's word (made-up sites, edited as
# test_key_recall edits them; the word is the articles whose fingerprint changed, and any others drawn).

SERIES = st.lists(st.tuples(EDITS, st.sets(st.integers(0, 20), max_size=4)), min_size=1, max_size=3)


@settings(max_examples=30, deadline=None)
@given(series=SERIES)
@example(series=[([("retitle", 0)], set()), ([("add", 1)], {2}), ([("redate", 2)], set())])
def test_fingerprints_taken_on_linkings_word_make_a_cold_builds_keys_and_bytes(series):
    with tempfile.TemporaryDirectory() as where:
        folder = Path(where)
        site = make_site()
        keys = PageKeys()
        pages = render(site, folder, keys)
        for number, (edits, others) in enumerate(series):
            previous = site
            site = edited(site, edits)
            said = {source_file for source_file, fingerprint in fingerprints(site).items()
                    if fingerprints(previous).get(source_file) != fingerprint}
            files = [article.source_file for article in site.articles]
            said |= {files[other % len(files)] for other in others} if files else set()
            cold = PageKeys()
            cold_pages = render(site, folder, cold)
            again = as_previous(keys)
            again.recorded_by = f"build {number}"
            again.link_changes = LinkChanges(f"build {number}", frozenset(said))
            made = render(site, folder, again)
            assert {unit: entry[0] for unit, entry in again.current.items()} == {
                unit: entry[0] for unit, entry in cold.current.items()}
            assert sorted(made) == sorted(cold_pages)
            for path, content in made.items():
                assert (pages[path] if content is None else content) == cold_pages[path], path
            whole = Fingerprints(site, again._fingerprints.analysis_key, again._fingerprints.source_pages)
            assert again.fingerprints_now == [whole.of(reference) for reference in again.objects]
            taken_now = {reference[2:] for reference, then in zip(again.objects, again._then, strict=False)
                         if reference[0] == "a" and then is not None}
            assert again.taken == len(taken_now & {a.source_file for a in site.articles} - said)
            keys, pages = again, {path: cold_pages[path] for path in made}


def test_fingerprints_are_taken_only_on_the_word_of_the_run_that_made_the_keys():
    """Linking's word is said since the run that left its memo: when that is not the build that recorded the keys
    (a build that failed after linking, another output folder), nothing is taken."""
    with tempfile.TemporaryDirectory() as where:
        folder = Path(where)
        site = make_site()
        keys = PageKeys()
        render(site, folder, keys)
        for since, recorded_by, taken in [("build 0", "build 0", True), ("build 1", "build 0", False),
                                          (None, None, False)]:
            again = as_previous(keys)
            again.recorded_by = recorded_by
            again.link_changes = LinkChanges(since, frozenset())
            render(site, folder, again)
            assert (again.taken > 0) == taken
