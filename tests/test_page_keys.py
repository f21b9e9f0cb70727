"""Page input keys (builder/page_keys.py): a rebuild renders only the pages whose inputs changed, and its
output is, byte for byte, the output of a cold build of the same input into a fresh folder."""

from __future__ import annotations

import hashlib
import pickle
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.build import BuildReport, build
from builder.config import Config, Paths, Settings
from builder.errors import BuildError
from builder.page_keys import VERIFY_ENV, delta_file, keys_file

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
NEWS_FILES = 48  # of news-2016, spread over the year, beside the project's seeds
SENTENCE = "\n\nBarack Obama said on Tuesday that the talks with Angela Merkel would go on in Berlin.\n"


@pytest.fixture(scope="module")
def corpus(shared_data: Path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    news = sorted(path for path in (shared_data / "news-2016").iterdir() if path.is_file())
    for path in news[:: max(1, len(news) // NEWS_FILES)][:NEWS_FILES]:
        shutil.copy2(path, folder / path.name)
    for path in SEEDS.iterdir():
        if path.is_file():
            shutil.copy2(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """One analysis cache for the module's builds (each output folder has keys of its own in it)."""
    return tmp_path_factory.mktemp("cache")


def settings(project: Path, cache: Path, output: Path | None = None, config: Config | None = None) -> Settings:
    return Settings(config=config or Config(), paths=Paths.from_project(project, output=output, cache=cache), jobs=1)


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Each file's (hash, modification time), the search index aside."""
    files = {path.relative_to(folder).as_posix(): path for path in folder.rglob("*") if path.is_file()}
    return {relative: (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
            for relative, path in files.items() if relative != ".build-site" and not relative.startswith("pagefind/")}


def article_named(project: Path, fragment: str) -> Path:
    return next(path for path in sorted((project / "seeds").iterdir()) if fragment in path.name)


def edit_body(project: Path) -> None:
    with article_named(project, "2016-0").open("a", encoding="utf-8") as handle:
        handle.write(SENTENCE)


def change_title(project: Path) -> None:
    path = article_named(project, "2016-0")
    text = path.read_text(encoding="utf-8")
    changed = re.sub(r"^post_title: >\n(?:  .*\n)+", "post_title: A wholly new headline for this story\n", text,
                     count=1, flags=re.MULTILINE)
    assert changed != text
    path.write_text(changed, encoding="utf-8")


def delete_article(project: Path) -> None:
    article_named(project, "2016-0").unlink()


def add_article(project: Path) -> None:
    (project / "seeds" / "added.txt").write_text(
        "Merkel and Obama meet again" + SENTENCE + "\nThe meeting in Berlin was the third this year.\n",
        encoding="utf-8")


def change_template(project: Path) -> None:
    from builder.theme import builtin_template_dirs

    source = next(folder / "article.html" for folder in builtin_template_dirs() if (folder / "article.html").is_file())
    (project / "templates").mkdir(exist_ok=True)
    text = source.read_text(encoding="utf-8").replace("<dt>Input file</dt>", "<dt>Read from</dt>")
    assert "Read from" in text
    (project / "templates" / "article.html").write_text(text, encoding="utf-8")


CHANGES: dict[str, Callable[[Path], None]] = {
    "edit body": edit_body, "change title": change_title, "delete": delete_article, "add": add_article,
    "change template": change_template,
}


def rendered(report: BuildReport) -> int:
    return report.write.pages - report.write.not_rendered


def rebuild_and_compare(project: Path, cache: Path, tmp_path: Path, change: Callable[[Path], None],
                        config: Config | None = None) -> tuple[BuildReport, BuildReport, dict, dict]:
    """Build, change, build again; check the result is a cold build's. Returns both reports and snapshots."""
    first = build(settings(project, cache))
    before = snapshot(project / "output")
    change(project)
    again = build(settings(project, cache, config=config))
    assert not again.up_to_date
    after = snapshot(project / "output")
    fresh = tmp_path / "fresh"
    build(settings(project, cache, output=fresh, config=config))
    cold = snapshot(fresh)
    assert sorted(after) == sorted(cold)
    different = [path for path in after if after[path][0] != cold[path][0]]
    assert not different, f"the rebuild differs from a cold build in {different[:10]}"
    for path, (digest, mtime) in after.items():  # a page whose bytes did not change keeps its file
        if path in before and before[path][0] == digest:
            assert mtime == before[path][1], path
    return first, again, before, after


@pytest.mark.parametrize("verify", [False, True], ids=["keys", "verified"])
@pytest.mark.parametrize("name", list(CHANGES))
def test_a_rebuild_renders_only_what_changed_and_equals_a_cold_build(corpus, cache, tmp_path, monkeypatch, name,
                                                                     verify):
    if verify:
        monkeypatch.setenv(VERIFY_ENV, "1")  # every page rendered; a kept one must come out as its file
    project = tmp_path / "project"
    shutil.copytree(corpus, project / "seeds")
    first, again, _, after = rebuild_and_compare(project, cache, tmp_path, CHANGES[name])
    assert first.write.not_rendered == 0
    pages = again.write.pages
    assert pages == len(after)  # (the search index's files aside)
    if verify:
        assert again.write.not_rendered == 0 and rendered(again) == pages
        return
    articles = sum(1 for path in after if path.startswith("articles/") and path != "articles/index.html")
    if name == "change template":  # article.html: the article pages, and the pages always made
        assert rendered(again) < articles + pages // 5
        assert again.write.not_rendered > pages // 2
    else:
        assert rendered(again) < pages // 5, f"{rendered(again)} of {pages} pages rendered"
        assert again.write.not_rendered > pages // 2


def test_a_config_change_renders_everything_as_a_cold_build_would(corpus, cache, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(corpus, project / "seeds")
    _, again, _, _ = rebuild_and_compare(project, cache, tmp_path, lambda project: None,
                                         config=Config(articles_per_page=3, description="Another digest."))
    assert again.write.not_rendered == 0


def test_without_the_keys_every_page_is_rendered(corpus, cache, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(corpus, project / "seeds")
    build(settings(project, cache))
    keys_file(settings(project, cache).paths).unlink()  # as `build-site clean` leaves it
    edit_body(project)
    assert build(settings(project, cache)).write.not_rendered == 0


def test_keys_of_another_build_of_the_output_are_not_used(corpus, cache, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(corpus, project / "seeds")
    paths = settings(project, cache).paths
    build(settings(project, cache))
    stale = keys_file(paths).read_bytes()
    edit_body(project)
    build(settings(project, cache))
    # The keys as the first build recorded them (the keys file, no delta): recorded for an output no longer there.
    # (Build 1's keys are that same keys file with a delta of it beside: the delta must go too to make them stale.)
    keys_file(paths).write_bytes(stale)
    delta_file(paths).unlink(missing_ok=True)
    delete_article(project)
    assert build(settings(project, cache)).write.not_rendered == 0


def test_a_page_changed_in_the_output_is_rendered_again(corpus, cache, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(corpus, project / "seeds")
    build(settings(project, cache))
    seed = next(path.name for path in sorted(SEEDS.iterdir()) if path.is_file())  # (an article the edit leaves be)
    page = next(path for path in (project / "output" / "articles").glob("*.html")
                if f"<code>{seed}</code>".encode() in path.read_bytes())
    original = page.read_bytes()
    page.write_bytes(original.replace(b"</main>", b"<p>edited by hand</p></main>"))
    edit_body(project)
    report = build(settings(project, cache))
    assert report.write.not_rendered > 0
    assert page.read_bytes() == original


def test_verification_names_a_page_whose_key_misses_an_input(corpus, cache, tmp_path, monkeypatch):
    """A key that leaves out what a page shows keeps a stale page; the verification mode says which."""
    import builder.pages.articles as articles

    project = tmp_path / "project"
    shutil.copytree(corpus, project / "seeds")
    monkeypatch.setattr(articles, "article_inputs", lambda renderer, article, fingerprints: article.source_file)
    build(settings(project, cache))
    edit_body(project)
    monkeypatch.setenv(VERIFY_ENV, "1")
    with pytest.raises(BuildError, match=r"articles/.*\.html renders different bytes"):
        build(settings(project, cache))


# What linking may set on an analysed article (builder.page_keys.linked_part); the mentions only their actor keys.
LINKED_FIELDS = {"slug", "also_published_as", "main_event", "events", "published", "dates", "mentions",
                 "link_features"}


def linked_corpus(corpus: Path, cache: Path, tmp_path: Path):
    """The corpus's articles as analysed (each a copy) and the site linking makes of them."""
    from builder.build import analyse_all
    from builder.link import link_site
    from builder.read import list_seeds, read_seed_files

    project = tmp_path / "project"
    shutil.copytree(corpus, project / "seeds")
    options = settings(project, cache)
    found, _ = list_seeds(options.paths.seeds)
    sources, _ = read_seed_files(found)
    articles, problems = analyse_all(sources, options)
    analysed = {article.source_file: pickle.loads(pickle.dumps(article)) for article in articles}
    return options, analysed, link_site(articles, problems, options.config)


def test_linking_changes_an_article_only_where_its_fingerprint_looks(corpus, cache, tmp_path):
    """An article's fingerprint is its analysis cache key and what linking set on it: linking must change
    nothing else (a field it starts to set must go into builder.page_keys.linked_part)."""
    from dataclasses import fields

    from builder.model import Article

    _, analysed, site = linked_corpus(corpus, cache, tmp_path)
    changed: set[str] = set()
    for article in site.articles:
        original = analysed[article.source_file]
        for field in fields(Article):
            if getattr(original, field.name) != getattr(article, field.name):
                changed.add(field.name)
        original.mentions = original.mentions.with_actors([m.actor_key for m in article.mentions])
        assert original.mentions == article.mentions  # of the mentions, linking sets only the actor keys
    assert changed - LINKED_FIELDS == set()
    assert {"slug", "events", "main_event", "mentions"} <= changed  # (the corpus exercises linking)


def test_an_article_fingerprint_changes_with_each_field_linking_sets(corpus, cache, tmp_path):
    from dataclasses import replace

    from builder.model import ArticleDate
    from builder.page_keys import Fingerprints, analysis_key

    options, _, site = linked_corpus(corpus, cache, tmp_path)
    article = next(a for a in site.articles if a.events and any(a.mentions.actor_keys) and a.dates)
    key = analysis_key(options)

    def fingerprint(changed) -> str:
        return Fingerprints(replace(site, articles=[changed]), key).article(changed.source_file)

    same = fingerprint(replace(article))
    assert same == Fingerprints(site, key).article(article.source_file)
    keys = list(article.mentions.actor_keys)
    keys[keys.index(next(k for k in keys if k))] = "someone-else"
    variants = {
        "slug": replace(article, slug=article.slug + "-2"),
        "also_published_as": replace(article, also_published_as=[*article.also_published_as, "copy.md"]),
        "main_event": replace(article, main_event="another-event"),
        "events": replace(article, events=[*article.events, "another-event"]),
        "mentions": replace(article, mentions=article.mentions.with_actors(keys)),
        "published": replace(article, published=ArticleDate(None, "undated")),
        "dates": replace(article, dates=article.dates[1:]),
        "content": replace(article, content_hash="0" * 64),
    }
    for name, variant in variants.items():
        assert fingerprint(variant) != same, name


def test_a_copied_project_keeps_its_keys(corpus, tmp_path):
    """The keys file is named after where the output is from the cache, not after its absolute path: a project
    copied with its output and cache (times kept) renders only what an edit changed."""
    project = tmp_path / "project"
    shutil.copytree(corpus, project / "seeds")
    cache = project / ".cache" / "build-site"
    build(settings(project, cache))
    copy = tmp_path / "copy"
    shutil.copytree(project, copy, symlinks=True)  # (copy2: files keep their modification times)
    edit_body(copy)
    report = build(settings(copy, copy / ".cache" / "build-site"))
    assert report.write.not_rendered > report.write.pages // 2


def test_the_lists_of_events_and_actors_are_kept_when_what_they_list_did_not_change(corpus, cache, tmp_path,
                                                                                      monkeypatch):
    """The timeline (its first page and each year's), events/index.html, actors/index.html and the A to Z pages
    are keyed on what they list: a change to the article template renders none of them again."""
    from builder.render import PageRenderer

    project = tmp_path / "project"
    shutil.copytree(corpus, project / "seeds")
    made: list[str] = []
    page = PageRenderer.page

    def recording(self, path, template, **context):
        made.append(path)
        return page(self, path, template, **context)

    monkeypatch.setattr(PageRenderer, "page", recording)
    build(settings(project, cache))
    lists = [path for path in made if path in ("timeline.html", "events/index.html", "actors/index.html")
             or path.startswith(("timeline/", "actors/all/"))]
    assert len(lists) >= 5 and any(path.startswith("actors/all/") for path in lists), lists
    change_template(project)
    made.clear()
    report = build(settings(project, cache))
    assert any(path.startswith("articles/") for path in made) and report.write.not_rendered > 0
    assert not set(made) & set(lists)


def test_graph_keys_are_recalled_unless_a_cast_they_read_changed(corpus, cache, tmp_path, monkeypatch):
    """An edit rebuild counts the companions only of the actors whose articles' casts changed (those of the
    edited article); every other graph page's key is recalled from what it reads, and the output is a cold
    build's, byte for byte, each unchanged file kept with its time."""
    import builder.pages.graphs as graphs
    from builder.page_keys import PageKeys

    counted: list[str] = []
    ranked_around = graphs._ranked_around

    def counting(key, *args):
        counted.append(key)
        return ranked_around(key, *args)

    recalled: list[int] = []
    pages = PageKeys.pages

    def recording(self, unit, *args, **kwargs):
        before = self.recalled
        yield from pages(self, unit, *args, **kwargs)
        if unit.startswith("graph:"):
            recalled.append(self.recalled - before)

    monkeypatch.setattr(graphs, "_ranked_around", counting)
    monkeypatch.setattr(PageKeys, "pages", recording)
    project = tmp_path / "project"
    shutil.copytree(corpus, project / "seeds")
    build(settings(project, cache))
    graph_pages = len(counted)
    assert graph_pages > 20
    counted.clear()
    recalled.clear()
    edit_body(project)
    build(settings(project, cache))
    assert 0 < len(counted) < graph_pages // 3 and sum(recalled) == graph_pages - len(counted)
    counted.clear()
    fresh = tmp_path / "fresh-project"  # (rebuild_and_compare: build, edit again, rebuild, compare with cold)
    shutil.copytree(corpus, fresh / "seeds")
    rebuild_and_compare(fresh, cache, tmp_path, edit_body)


def test_verification_names_a_unit_whose_reads_miss_an_input(corpus, cache, tmp_path, monkeypatch):
    """Reads that leave out what a key is worked out from would recall a stale key; verifying, the key is
    worked out anyway and the build stops, naming the unit."""
    import builder.pages.graphs as graphs

    project = tmp_path / "project"
    shutil.copytree(corpus, project / "seeds")
    # (the casts and the actor's own articles not read: companions counted anew would not be noticed)
    monkeypatch.setattr(graphs, "_read_graph_inputs", lambda actor, ranked, page_of, files_of, fingerprints:
                        graphs._graph_inputs(actor, ranked, page_of, fingerprints))
    build(settings(project, cache))
    edit_body(project)  # Obama, Merkel and Berlin: their companions change, not what is shown of them
    monkeypatch.setenv(VERIFY_ENV, "1")
    with pytest.raises(BuildError, match=r"graph:.* what it reads misses an input"):
        build(settings(project, cache))
