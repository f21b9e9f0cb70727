"""Rebuilds: nothing changed → nothing redone; a change → exactly what it touches."""

from __future__ import annotations

from builder.build import build
from builder.config import Config, Paths, Settings


def settings_for(project, strict=False) -> Settings:
    return Settings(config=Config(), paths=Paths.from_project(project), strict=strict, jobs=1)


def seed(project, name, text):
    (project / "seeds" / name).write_text(text, encoding="utf-8")


def test_second_build_with_no_change_does_nothing(project):
    seed(project, "a.txt", "First headline\n\nThe first article has one sentence.\n")
    seed(project, "b.txt", "Second headline\n\nThe second article has one sentence.\n")
    first = build(settings_for(project))
    assert not first.up_to_date
    mtimes = {p: p.stat().st_mtime_ns for p in (project / "output").rglob("*") if p.is_file()}
    second = build(settings_for(project))
    assert second.up_to_date
    assert second.articles_built == first.articles_built == 2
    assert {p: p.stat().st_mtime_ns for p in (project / "output").rglob("*") if p.is_file()} == mtimes


def test_an_edit_rebuilds_and_untouched_pages_keep_their_files(project):
    seed(project, "a.txt", "First headline\n\nThe first article has one sentence.\n")
    seed(project, "b.txt", "Second headline\n\nThe second article has one sentence.\n")
    build(settings_for(project))
    page_b = next((project / "output" / "articles").glob("second-headline*.html"))
    before = page_b.stat().st_mtime_ns
    seed(project, "a.txt", "First headline\n\nThe first article now has a different sentence.\n")
    report = build(settings_for(project))
    assert not report.up_to_date
    assert "different sentence" in next((project / "output" / "articles").glob("first-headline*.html")).read_text()
    assert page_b.stat().st_mtime_ns == before


def test_a_damaged_output_is_rebuilt(project):
    seed(project, "a.txt", "First headline\n\nThe first article has one sentence.\n")
    build(settings_for(project))
    (project / "output" / "index.html").unlink()
    report = build(settings_for(project))
    assert not report.up_to_date
    assert (project / "output" / "index.html").is_file()


def test_a_page_removed_or_added_deep_in_the_output_is_noticed(project):
    seed(project, "a.txt", "First headline\n\nThe first article has one sentence.\n")
    build(settings_for(project))
    page = next((project / "output" / "articles").glob("*.html"))
    page.unlink()
    assert not build(settings_for(project)).up_to_date
    assert page.is_file()
    assert build(settings_for(project)).up_to_date
    (project / "output" / "pagefind" / "stray.txt").write_text("x")
    assert not build(settings_for(project)).up_to_date


def test_an_up_to_date_build_still_reports_and_enforces_problems(project):
    seed(project, "a.txt", "First headline\n\nThe first article has one sentence.\n")
    (project / "seeds" / "empty.txt").write_bytes(b"")
    build(settings_for(project))
    again = build(settings_for(project))
    assert again.up_to_date
    assert [p.path for p in again.problems] == ["empty.txt"]


def test_a_linker_or_page_code_change_rebuilds_the_site_but_keeps_the_analysis(tmp_path, monkeypatch):
    import types

    from builder import cache

    root = tmp_path / "builder"
    (root / "analyse").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "analyse" / "entities.py").write_text("names = 1\n")
    (root / "render.py").write_text("pages = 1\n")
    monkeypatch.setattr(cache, "builder", types.SimpleNamespace(__file__=str(root / "__init__.py")))

    analysis, site = cache._hash_code(cache.ANALYSIS_CODE), cache._hash_code(None)
    (root / "render.py").write_text("pages = 2\n")
    assert cache._hash_code(cache.ANALYSIS_CODE) == analysis  # the analysis cache stays valid
    assert cache._hash_code(None) != site  # but the site is built again
    (root / "analyse" / "entities.py").write_text("names = 2\n")
    assert cache._hash_code(cache.ANALYSIS_CODE) != analysis


def test_the_pipeline_can_change_without_reanalysing_but_the_per_article_stages_cannot(tmp_path, monkeypatch):
    """build.py (the order, timing and memory handling of the stages) is outside the analysis cache's key;
    article_stages.py (what one article's analysis is made by) is inside it."""
    import types

    from builder import cache

    root = tmp_path / "builder"
    root.mkdir()
    for name in ("__init__.py", "build.py", "article_stages.py"):
        (root / name).write_text("x = 1\n")
    monkeypatch.setattr(cache, "builder", types.SimpleNamespace(__file__=str(root / "__init__.py")))

    analysis, site = cache._hash_code(cache.ANALYSIS_CODE), cache._hash_code(None)
    (root / "build.py").write_text("x = 2\n")
    assert cache._hash_code(cache.ANALYSIS_CODE) == analysis
    assert cache._hash_code(None) != site
    (root / "article_stages.py").write_text("x = 2\n")
    assert cache._hash_code(cache.ANALYSIS_CODE) != analysis


def test_seed_hashes_read_only_files_whose_stat_changed(tmp_path):
    import hashlib
    import os

    from builder.cache import SeedHashes
    from builder.read import list_seeds

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    article = seeds / "a.txt"
    article.write_text("Headline\n\nFirst words.\n")
    found, _ = list_seeds(seeds)
    first = SeedHashes(tmp_path / "cache").hashes(found)
    assert first == [("a.txt", hashlib.sha256(article.read_bytes()).hexdigest())]

    stamp = article.stat()
    article.write_text("Headline\n\nOther words.\n")  # same size; the time put back: not read again
    os.utime(article, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    found, _ = list_seeds(seeds)
    assert SeedHashes(tmp_path / "cache").hashes(found) == first

    os.utime(article, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000))  # touched: read again
    found, _ = list_seeds(seeds)
    assert SeedHashes(tmp_path / "cache").hashes(found) == [
        ("a.txt", hashlib.sha256(article.read_bytes()).hexdigest())]
