"""The analysis cache: the same bytes under two names are analysed once, and each name keeps its own result."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from pathlib import Path

import pytest

import builder.build
from builder.build import build, process_source
from builder.cache import AnalysisCache
from builder.config import Config, Paths, Settings
from builder.model import Article, ArticleDate, Problem, SeedSource, SourceFile
from builder.parallel import map_articles
from builder.read import is_unreadable, list_seeds, unread_sources

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

ARTICLE = ("The same headline\n\nThe same article, saved twice, says one thing in Seoul on Wednesday. "
           "The minister of defence met the delegation from Moscow for talks on the harbour and the railway.\n")
OTHER = "Another headline\n\nAnother article says another thing.\n"
MARKDOWN = ("---\ntitle: A dated note\ndate: 2016-01-10\nsource: The Paper\n---\n\n"
            "A note with front matter, saved twice.\n")


def settings_for(project, jobs=1) -> Settings:
    return Settings(config=Config(), paths=Paths.from_project(project), jobs=jobs)


@pytest.fixture
def analyses(monkeypatch) -> list[str]:
    """The names of the files analysed (on this process: builds with jobs=1), in order."""
    names: list[str] = []

    def counted(source, context):
        names.append(source.relpath)
        return process_source(source, context)

    monkeypatch.setattr(builder.build, "process_source", counted)
    return names


def seed(project, name, text):
    path = project / "seeds" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_identical_files_under_two_names_are_analysed_once(project, analyses):
    seed(project, "a.txt", ARTICLE)
    seed(project, "copies/b.txt", ARTICLE)
    seed(project, "c.txt", OTHER)
    report = build(settings_for(project))
    assert sorted(analyses) == ["a.txt", "c.txt"]
    assert report.articles_read == 3 and report.articles_built == 2 and report.duplicates == 1
    assert "copies/b.txt" in (project / "output" / "articles" / "the-same-headline.html").read_text()


def test_a_renamed_or_copied_file_is_a_cache_hit(project, analyses):
    seed(project, "a.txt", ARTICLE)
    seed(project, "c.txt", OTHER)
    build(settings_for(project))
    assert sorted(analyses) == ["a.txt", "c.txt"]
    (project / "seeds" / "a.txt").rename(project / "seeds" / "renamed.txt")
    seed(project, "copy-of-c.txt", OTHER)
    build(settings_for(project))
    assert sorted(analyses) == ["a.txt", "c.txt"]  # nothing analysed again


def test_each_name_gets_its_own_article_and_problem(tmp_path, analyses):
    """Within one run and from the cache, the shared result is labelled with each file's own name."""
    sources = [SourceFile(name, data, str(hash(data)))
               for name, data in (("a.md", MARKDOWN.encode()), ("b/a.md", MARKDOWN.encode()),
                                  ("empty.txt", b"  \n"), ("also-empty.txt", b"  \n"))]
    context = builder.build.article_context(tmp_path, Config())
    for _ in ("analysed", "cached"):
        results = list(map_articles(builder.build.process_source, sources, context, AnalysisCache(tmp_path, context)))
        assert [r.source_file if isinstance(r, Article) else r.path for r in results] == [s.relpath for s in sources]
        assert isinstance(results[2], Problem) and results[2].reason == results[3].reason
        assert results[0] is not results[1] and results[0].blocks is not results[1].blocks  # copies, not one object
        results[0].published = ArticleDate(None, "changed")  # (linking changes articles: the other must not see it)
        assert results[1].published.how != "changed"
    assert analyses == ["a.md", "empty.txt"]


def test_the_same_bytes_as_another_kind_of_file_are_analysed_apart(project, analyses):
    seed(project, "a.md", MARKDOWN)
    seed(project, "a.txt", MARKDOWN)
    build(settings_for(project))
    assert sorted(analyses) == ["a.md", "a.txt"]  # the suffix chooses the reader: two analyses


@pytest.mark.parametrize("path", sorted(SEEDS.iterdir()), ids=lambda p: p.name)
def test_analysis_does_not_depend_on_the_file_name(tmp_path, path):
    """What reusing an entry under another name relies on: the name is only the result's label."""
    context = builder.build.article_context(tmp_path, Config())
    data = path.read_bytes()
    one = process_source(SourceFile(path.name, data, "hash"), context)
    other = process_source(SourceFile(f"elsewhere/other-name{path.suffix}", data, "hash"), context)
    assert isinstance(one, Article) and one.source_file == path.name
    other.source_file = one.source_file
    assert other == one
    assert other.link_features == one.link_features  # (not compared by Article's ==)


def noted(source: SourceFile, folder: str) -> Article:
    """A stand-in analysis for the worker processes (module level, so that it can be sent to them), which
    leaves a file in `folder` for each file it analyses."""
    (Path(folder) / source.relpath).touch()
    return Article(source.relpath, source.content_hash, source.data.decode(), [], ArticleDate(None, "undated"))


def analysed_where(source: SourceFile, _context: object) -> tuple[str, int]:
    """A stand-in analysis that says which process ran it."""
    return source.relpath, os.getpid()


def test_the_first_article_is_analysed_before_the_workers_start_and_the_rest_by_them(tmp_path):
    # what the stages load on first use is loaded once, in this process, and inherited by the forked workers
    sources = [SourceFile(f"{i}.txt", f"text {i}".encode(), f"hash {i}") for i in range(80)]
    results = list(map_articles(analysed_where, sources, None, AnalysisCache(tmp_path, "context"), jobs=2))
    assert [name for name, _pid in results] == [s.relpath for s in sources]
    assert results[0][1] == os.getpid()
    assert all(pid != os.getpid() for _name, pid in results[1:])


def test_workers_started_is_called_once_when_workers_run_and_never_without(tmp_path):
    calls: list[int] = []
    sources = [SourceFile(f"{i}.txt", f"text {i}".encode(), f"hash {i}") for i in range(80)]
    list(map_articles(analysed_where, sources, None, AnalysisCache(tmp_path / "a", "context"), jobs=2,
                      workers_started=lambda: calls.append(len(multiprocessing.active_children()))))
    assert calls == [2]  # both workers there when it is called
    list(map_articles(analysed_where, sources, None, AnalysisCache(tmp_path / "b", "context"), jobs=1,
                      workers_started=lambda: calls.append(-1)))
    assert calls == [2]


def test_worker_processes_analyse_each_content_once(tmp_path):
    # 100 files, 40 of them copies of others: enough missing articles for the workers to start
    sources = [SourceFile(f"{i}.txt", f"text {i % 60}".encode(), f"hash {i % 60}") for i in range(100)]
    analysed = tmp_path / "analysed"
    analysed.mkdir()
    results = list(map_articles(noted, sources, str(analysed), AnalysisCache(tmp_path, "context"), jobs=2))
    assert [r.source_file for r in results] == [s.relpath for s in sources]
    assert [r.title for r in results] == [s.data.decode() for s in sources]
    assert sorted(p.name for p in analysed.iterdir()) == sorted(f"{i}.txt" for i in range(60))


def titled(source: SourceFile, _context: object) -> Article:
    """A stand-in analysis: the file's bytes as its title (so that what was read shows)."""
    return Article(source.relpath, source.content_hash, source.data.decode(), [], ArticleDate(None, "undated"))


def test_a_file_not_read_yet_is_read_only_when_the_cache_lacks_its_analysis(tmp_path):
    """SeedSource: the analysis is looked up by the hash its size, time and inode stood for; the file is read
    (and hashed anew) only when it is not there; a file that cannot be read then is its problem."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    cache = AnalysisCache(tmp_path / "cache", "context")
    cached = folder / "cached.txt"
    cached.write_bytes(b"first bytes")
    first = SourceFile("cached.txt", b"first bytes", hashlib.sha256(b"first bytes").hexdigest())
    [made] = map_articles(titled, [first], None, cache)
    assert made.title == "first bytes"
    cached.unlink()  # its analysis is in the cache: not read, so not missed
    fresh = folder / "fresh.txt"
    fresh.write_bytes(b"new bytes")
    stale = folder / "stale.txt"
    stale.write_bytes(b"first bytes")  # the bytes of a cached analysis, though its hash was taken of others
    sources = [SeedSource("cached.txt", str(cached), first.content_hash),
               SeedSource("fresh.txt", str(fresh), "a hash the cache does not have"),
               SeedSource("stale.txt", str(stale), "another hash the cache does not have"),
               SeedSource("gone.txt", str(folder / "gone.txt"), "a third hash")]
    results = list(map_articles(titled, sources, None, cache))
    assert [r.title for r in results[:3]] == ["first bytes", "new bytes", "first bytes"]
    assert [r.source_file for r in results[:3]] == ["cached.txt", "fresh.txt", "stale.txt"]
    assert results[1].content_hash == hashlib.sha256(b"new bytes").hexdigest()  # hashed anew when read
    assert isinstance(results[3], Problem) and is_unreadable(results[3]) and results[3].path == "gone.txt"
    assert cache.get(cache.key(hashlib.sha256(b"new bytes").hexdigest(), ".txt")).title == "new bytes"
    assert cache.get(cache.key("a hash the cache does not have", ".txt")) is None  # not kept under a wrong hash


def test_unread_sources_keep_the_listed_order_and_name_the_files_that_cannot_be_hashed(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name in ("b.txt", "a.txt", "c.txt"):
        (folder / name).write_text(name)
    found, _ = list_seeds(folder)
    hashes = [(seed.relpath, f"hash of {seed.relpath}") for seed in found if seed.relpath != "b.txt"]
    sources, problems = unread_sources(found, hashes)
    assert [(s.relpath, s.content_hash) for s in sources] == [
        ("a.txt", "hash of a.txt"), ("b.txt", hashlib.sha256(b"b.txt").hexdigest()), ("c.txt", "hash of c.txt")]
    assert problems == []
    (folder / "b.txt").unlink()
    sources, problems = unread_sources(found, hashes)
    assert [s.relpath for s in sources] == ["a.txt", "c.txt"]
    assert [p.path for p in problems] == ["b.txt"] and is_unreadable(problems[0])


def test_the_language_model_is_let_go_after_an_analysis_without_workers(project):
    """An edit analyses its one article in the build's own process: the model (~70 MB) must not stay loaded
    through linking and rendering."""
    from builder.analyse import language

    seed(project, "a.txt", ARTICLE)
    settings = settings_for(project, jobs=2)
    sources, _ = builder.build.unread_sources(*((found := builder.build.list_seeds(settings.paths.seeds)[0]),
                                               builder.build.SeedHashes(settings.paths.cache).hashes(found)))
    articles, _ = builder.build.analyse_all(sources, settings)
    assert [article.source_file for article in articles] == ["a.txt"]
    assert language._identifier.cache_info().currsize == 0


# Run in a fresh interpreter: the per-article stage on a file of each kind, with the modules it imports and the
# builder's files it opens (data tables) printed; the test process has imported all of the builder already.
_PER_ARTICLE_PROBE = r"""
import json, sys
from pathlib import Path
import builder

root = Path(builder.__file__).parent
opened = set()
sys.addaudithook(lambda event, args: event == "open" and isinstance(args[0], str) and opened.add(args[0]))
from builder.article_stages import article_context, process_source
from builder.config import load_config
from builder.model import Article, SourceFile

site, text = Path(sys.argv[1]), Path(sys.argv[2]).read_text(encoding="utf-8")
context = article_context(site, load_config(site))
paragraphs = "</p><p>".join(text.split("\n\n"))
html = f"<html><head><title>T</title></head><body><article><p>{paragraphs}</p></article></body></html>"
for name, body in (("a.txt", text), ("a.md", "---\ntitle: T\ndate: 2016-01-02\n---\n\n" + text), ("a.html", html)):
    assert isinstance(process_source(SourceFile(name, body.encode(), name), context), Article), name
files = {Path(m.__file__).resolve() for n, m in list(sys.modules.items())
         if (n == "builder" or n.startswith("builder.")) and getattr(m, "__file__", None)}
files |= {Path(p).resolve() for p in opened if "__pycache__" not in p}
print(json.dumps(sorted(f.relative_to(root).as_posix() for f in files if f.is_relative_to(root))))
"""


def test_every_builder_file_the_per_article_stage_reads_is_in_the_analysis_key(tmp_path):
    """The analysis cache is keyed by ANALYSIS_CODE's files: a module the per-article stage imports (directly or
    not), or a data file it opens, that is not among them could change what an article's analysis is without
    re-keying it, and a cached analysis would then differ from a cold one."""
    import json
    import subprocess
    import sys

    from builder.cache import ANALYSIS_CODE, code_files

    repo = Path(__file__).resolve().parent.parent
    seed = SEEDS / sorted(p.name for p in SEEDS.iterdir())[0]
    run = subprocess.run([sys.executable, "-c", _PER_ARTICLE_PROBE, str(repo / "site"), str(seed)], cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(repo)}, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    read = set(json.loads(run.stdout))
    root = Path(builder.build.__file__).parent
    keyed = {path.relative_to(root).as_posix() for path in code_files(ANALYSIS_CODE)}
    assert {"link/prepare.py", "read/parse.py", "analyse/pipeline.py"} <= read  # the probe did run the stage
    assert read - keyed == set()
