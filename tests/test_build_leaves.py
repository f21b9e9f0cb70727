"""What a build leaves behind in its process: nothing of the site it made.

`build-site build` exits once the site is written, and the interpreter's exit freed whatever module-level lookups
still held of the site (at 10,000 articles ~0.6 s of CPU more than freeing it at the end of rendering:
bench/RESULTS-scale.md, session 17); `serve` held the previous site's actors until its next rebuild."""

from __future__ import annotations

import gc
from pathlib import Path

from builder import seo
from builder.build import build
from builder.config import Config, Paths, Settings
from builder.model import Actor, Article, Event

BODIES = (
    "Angela Merkel met Emmanuel Macron in Berlin on Tuesday to talk about the European Union budget. "
    "Merkel said the European Union would agree on the budget by Friday.",
    "Storms closed the port of Rotterdam for two days, and the Dutch government sent army trucks to clear "
    "the flooded roads. Mark Rutte visited the harbour on Sunday.",
    "The Boston Red Sox beat the New York Yankees 5-3 at Fenway Park, with David Ortiz hitting two home runs "
    "in the eighth inning before a crowd of thirty thousand.",
)


def _project(tmp_path: Path) -> Settings:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for day, body in enumerate(BODIES, 1):
        (seeds / f"story-{day}.md").write_text(f'---\ntitle: "Story {day}"\ndate: 2016-03-0{day}\n---\n\n{body}\n')
    return Settings(config=Config(), paths=Paths.from_project(tmp_path), jobs=1)


def _alive(kind: type) -> int:
    gc.collect()
    return sum(1 for held in gc.get_objects() if type(held) is kind)


def test_nothing_of_the_site_outlives_the_build(tmp_path):
    settings = _project(tmp_path)
    before = {kind: _alive(kind) for kind in (Actor, Event, Article)}
    report = build(settings)
    assert report.articles_built == 3 and not report.up_to_date
    assert seo._BY_KEY == {} and seo._MENTIONED_LD[0] is None
    # (the pages named actors: the lookups were used, then let go)
    assert {kind: _alive(kind) for kind in (Actor, Event, Article)} == before


def test_a_build_that_fails_while_rendering_lets_go_of_the_site_too(tmp_path, monkeypatch):
    settings = _project(tmp_path)
    from builder.pages import feeds

    def broken_sitemaps(*args, **kwargs):  # (after every other page: the lookups are full)
        assert seo._BY_KEY
        raise RuntimeError("a page failed")

    monkeypatch.setattr(feeds, "sitemaps", broken_sitemaps)
    try:
        build(settings)
    except RuntimeError as exc:
        assert str(exc) == "a page failed"
    else:
        raise AssertionError("the build did not fail")
    assert seo._BY_KEY == {} and seo._MENTIONED_LD[0] is None


def test_the_time_spent_making_pages_is_counted_as_render_and_only_that():
    import time

    from builder.build import StageTimer, timed_pages
    from builder.model import OutputPage

    def pages():
        for number in range(5):
            time.sleep(0.01)  # (making a page)
            yield OutputPage(f"{number}.html", b"")

    timer = StageTimer()
    taken = []
    for page in timed_pages(pages(), timer):
        time.sleep(0.4)  # (writing it: not render's)
        taken.append(page.path)
    assert taken == [f"{number}.html" for number in range(5)]
    # (with the writing it would be 2 s or more: the margin is for a loaded machine's late wake-ups)
    assert 0.05 <= timer.seconds["render"] < 1.5
