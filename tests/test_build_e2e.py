"""End-to-end builds through build(): the seed articles, and all of news-2016 once per session.

The news-2016 tests are data-driven (they need ../shared/data, see tests/conftest.py) and
build about a thousand articles once per test session (session-scoped fixture below).
"""

from __future__ import annotations

import difflib
import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from builder.build import BuildReport, build
from builder.config import Config, Paths, Settings
from builder.errors import UnsafeOutputError
from tests.linkcheck import check_links

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"

# Boilerplate that must never reach a reader: scraper markers, page furniture, stray entities.
FORBIDDEN = (
    "[ad_",
    "Back to top",
    "Related Articles",
    "Go Back to Top",
    "Skip To:",
    "Continue reading the main story",
    "Watch in Times Video",
    "&#13;",
)


def settings_for(project: Path, seeds: Path | None = None, output: Path | None = None, cache: Path | None = None,
                 jobs: int = 1) -> Settings:
    paths = Paths.from_project(project, seeds=seeds, output=output, cache=cache)
    return Settings(config=Config(), paths=paths, jobs=jobs)


HIDDEN_TAGS = frozenset({"script", "style", "template"})


class VisibleText(HTMLParser):
    """The text a reader sees: no <script>/<style>, nor quotations of removed text (class="removed")."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0
        self.stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"meta", "link", "br", "input", "img", "hr", "wbr", "source"}:
            return
        hidden = tag in HIDDEN_TAGS or "removed" in (dict(attrs).get("class") or "").split()
        self.stack.append(hidden)
        self.hidden_depth += hidden

    def handle_endtag(self, tag):
        if tag in {"meta", "link", "br", "input", "img", "hr", "wbr", "source"} or not self.stack:
            return
        self.hidden_depth -= self.stack.pop()

    def handle_data(self, data):
        if not self.hidden_depth:
            self.parts.append(data)


def visible_text(path: Path) -> str:
    parser = VisibleText()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return " ".join(parser.parts)


def forbidden_strings(site: Path) -> list[str]:
    found = []
    for page in sorted(site.rglob("*.html")):
        text = visible_text(page)
        found += [f"{page.relative_to(site)}: {s!r}" for s in FORBIDDEN if s in text]
    return found


def files_of(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and p.name != ".build-site"
    }


def check_report(report: BuildReport) -> None:
    """Every file read is either built or skipped with a reason; the build did not crash."""
    skipped = [p for p in report.problems if p.skipped]
    assert report.articles_built + report.duplicates + len(skipped) == report.articles_read
    for problem in report.problems:
        assert problem.path and problem.reason.strip(), problem


def seed(project: Path, name: str, text: str) -> None:
    (project / "seeds" / name).write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------
# The seed articles


@pytest.fixture(scope="module")
def seeds_site(tmp_path_factory) -> tuple[Path, BuildReport]:
    project = tmp_path_factory.mktemp("seeds-project")
    report = build(settings_for(project, seeds=SEEDS))
    return project / "output", report


def test_seeds_build_without_crash_and_every_skip_has_a_reason(seeds_site):
    site, report = seeds_site
    check_report(report)
    assert report.articles_built == len([p for p in SEEDS.iterdir() if p.is_file()])
    assert (site / "index.html").is_file() and (site / "404.html").is_file() and (site / ".nojekyll").is_file()


def test_seeds_links_all_resolve(seeds_site):
    site, _ = seeds_site
    assert [str(b) for b in check_links(site)] == []


def test_seeds_pages_show_no_boilerplate(seeds_site):
    site, _ = seeds_site
    assert forbidden_strings(site) == []


def test_seeds_build_is_deterministic(seeds_site, tmp_path):
    site, _ = seeds_site
    build(settings_for(tmp_path, seeds=SEEDS, output=tmp_path / "again"))
    assert files_of(tmp_path / "again") == files_of(site)


# ---------------------------------------------------------------------------
# Small projects


def test_a_second_build_with_no_change_rewrites_nothing(project):
    """Every file, the search index's too, keeps its bytes and modification time; Pagefind does not run."""
    seed(project, "a.txt", "First headline\n\nThe first article has one sentence.\n")
    output = project / "output"
    first = build(settings_for(project))
    assert first.write.written > 0

    def stable_files() -> dict[str, int]:
        return {p.relative_to(output).as_posix(): p.stat().st_mtime_ns for p in output.rglob("*")
                if p.is_file() and p.name != ".build-site"}

    before = stable_files()
    (output / "stray.txt").write_text("forces a full rebuild")  # the site no longer looks current
    again = build(settings_for(project))
    assert not again.up_to_date
    assert stable_files() == before  # the same files, none rewritten, the stray one gone
    assert again.write.written == 0
    assert again.write.unchanged == first.write.written
    assert (first.search_runs, again.search_runs, again.search_reused) == (1, 0, 1)  # the shard is linked


def test_deleting_a_seed_removes_its_pages(project):
    seed(project, "a.txt", "Alpha headline\n\nThe alpha article has one sentence.\n")
    seed(project, "b.txt", "Beta headline\n\nThe beta article has one sentence.\n")
    build(settings_for(project))
    output = project / "output"
    assert (output / "articles" / "beta-headline.html").is_file()
    (project / "seeds" / "b.txt").unlink()
    report = build(settings_for(project))
    assert report.articles_built == 1 and report.write.deleted >= 1
    assert not (output / "articles" / "beta-headline.html").exists()
    assert not any("beta-headline" in p.read_text() for p in output.rglob("*.html"))
    assert check_links(output) == []


def test_two_articles_with_the_same_headline_get_distinct_stable_pages(project):
    seed(project, "one.txt", "Same headline\n\nThe first text says one thing.\n")
    seed(project, "two.txt", "Same headline\n\nThe second text says another thing.\n")
    build(settings_for(project))
    articles = project / "output" / "articles"
    first = sorted(p.name for p in articles.glob("same-headline*.html"))
    assert len(first) == 2
    seed(project, "three.txt", "A different headline\n\nAnother article altogether.\n")
    build(settings_for(project))
    assert sorted(p.name for p in articles.glob("same-headline*.html")) == first
    texts = {name: (articles / name).read_text() for name in first}
    assert sum("first text" in t for t in texts.values()) == 1
    assert sum("second text" in t for t in texts.values()) == 1


def test_output_safety_refusals(project, tmp_path_factory):
    seed(project, "a.txt", "Headline\n\nOne sentence of text.\n")
    with pytest.raises(UnsafeOutputError):
        build(settings_for(project, output=project / "seeds"))
    with pytest.raises(UnsafeOutputError):
        build(settings_for(project, output=project / "seeds" / "site"))
    foreign = tmp_path_factory.mktemp("users-folder")
    (foreign / "thesis.txt").write_text("precious")
    with pytest.raises(UnsafeOutputError):
        build(settings_for(project, output=foreign))
    assert [p.name for p in foreign.iterdir()] == ["thesis.txt"]
    assert (foreign / "thesis.txt").read_text() == "precious"
    assert sorted(p.name for p in (project / "seeds").iterdir()) == ["a.txt"]


# ---------------------------------------------------------------------------
# news-2016: about a thousand real articles, built once per test session (data-driven)


@pytest.fixture(scope="session")
def news_site(shared_data, tmp_path_factory) -> tuple[Path, BuildReport, Settings]:
    folder = shared_data / "news-2016"
    if not folder.is_dir():
        pytest.fail(f"{folder} is missing from the shared data")
    project = tmp_path_factory.mktemp("news-2016")
    settings = settings_for(project, seeds=folder, jobs=os.cpu_count() or 1)
    return project / "output", build(settings), settings


def test_news_2016_builds_and_every_skip_has_a_reason(news_site):
    site, report, _ = news_site
    check_report(report)
    assert report.articles_built > 0.9 * report.articles_read
    assert len(list((site / "articles").glob("*.html"))) == report.articles_built + 1  # + articles/index.html


def test_news_2016_links_all_resolve(news_site):
    site, _, _ = news_site
    broken = [str(b) for b in check_links(site)]
    assert broken == [], f"{len(broken)} broken links, e.g. {broken[:5]}"


def test_news_2016_pages_show_no_boilerplate(news_site):
    site, _, _ = news_site
    found = forbidden_strings(site)
    assert found == [], f"{len(found)} pages with boilerplate, e.g. {found[:10]}"


MAX_PAGE_BYTES = 500_000  # every page, index pages included: they show a bounded part of their lists


def test_news_2016_no_page_grows_with_the_site(news_site):
    site, _, settings = news_site
    per_page = settings.config.articles_per_page
    too_big = []
    for page in site.rglob("*.html"):
        html = page.read_text()
        assert html.count('class="article-item"') <= per_page, page
        if len(html.encode()) > MAX_PAGE_BYTES:
            too_big.append(f"{page.relative_to(site)}: {len(html.encode())} bytes")
    assert too_big == [], f"pages over {MAX_PAGE_BYTES} bytes: {too_big[:10]}"


def test_news_2016_second_build_does_nothing(news_site):
    site, _, settings = news_site
    mtimes = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    again = build(settings)
    assert again.up_to_date
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()} == mtimes


def test_news_2016_build_is_deterministic(news_site, tmp_path):
    """A second build from a fresh cache, on another number of processes, gives the same bytes."""
    site, _, settings = news_site
    other_jobs = 1 if settings.jobs > 1 else 2
    fresh = settings_for(tmp_path, seeds=settings.paths.seeds, output=tmp_path / "again", cache=tmp_path / "cache",
                         jobs=other_jobs)
    build(fresh)
    first, second = files_of(site), files_of(tmp_path / "again")
    assert sorted(first) == sorted(second)
    changed = [name for name in first if first[name] != second[name]]
    if changed:
        diff = difflib.unified_diff(first[changed[0]].decode(errors="replace").splitlines(),
                                    second[changed[0]].decode(errors="replace").splitlines(), lineterm="", n=0)
        pytest.fail(f"{len(changed)} files differ between two builds, e.g. {changed[:5]}:\n" + "\n".join(diff)[:3000])
    shutil.rmtree(tmp_path / "again")
