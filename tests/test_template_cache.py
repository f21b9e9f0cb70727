"""Compiled templates kept between builds (builder.template_cache): the same pages, without compiling again."""

import jinja2

from builder.render import make_environment, output_escape
from builder.template_cache import FOLDER_PREFIX


def _compiles(monkeypatch) -> list[str]:
    compiled: list[str] = []
    original = jinja2.Environment.compile

    def counted(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    return compiled


def test_a_second_environment_loads_compiled_templates_and_renders_the_same(tmp_path, monkeypatch):
    compiled = _compiles(monkeypatch)
    cache = tmp_path / "cache"
    first = make_environment(tmp_path / "no-templates", cache).get_template("article.html")
    assert compiled and list(cache.glob(f"{FOLDER_PREFIX}*/*"))
    compiled.clear()
    second = make_environment(tmp_path / "no-templates", cache).get_template("article.html")
    assert compiled == []
    assert second.root_render_func.__globals__["escape"] is output_escape  # (render.Template's, from the code too)
    assert first.root_render_func.__code__.co_code == second.root_render_func.__code__.co_code


def test_an_edited_template_is_compiled_again(tmp_path, monkeypatch):
    compiled = _compiles(monkeypatch)
    templates, cache = tmp_path / "templates", tmp_path / "cache"
    templates.mkdir()
    (templates / "page.html").write_text("one {{ x }}")
    assert make_environment(templates, cache).get_template("page.html").render(x=1) == "one 1"
    (templates / "page.html").write_text("two {{ x }}")
    compiled.clear()
    assert make_environment(templates, cache).get_template("page.html").render(x=1) == "two 1"
    assert compiled == ["page.html"]


def test_a_damaged_or_unwritable_cache_only_costs_the_compile(tmp_path):
    templates, cache = tmp_path / "templates", tmp_path / "cache"
    templates.mkdir()
    (templates / "page.html").write_text("{{ x }}!")
    make_environment(templates, cache).get_template("page.html")
    for entry in cache.glob(f"{FOLDER_PREFIX}*/*"):
        entry.write_bytes(entry.read_bytes()[:40] + b"\xff" * 7)
    assert make_environment(templates, cache).get_template("page.html").render(x=2) == "2!"
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert make_environment(templates, blocked).get_template("page.html").render(x=3) == "3!"


def test_the_folders_of_other_builder_code_are_removed(tmp_path):
    cache = tmp_path / "cache"
    stale = cache / f"{FOLDER_PREFIX}0123456789abcdef"
    stale.mkdir(parents=True)
    (stale / "entry").write_bytes(b"old code")
    (cache / "analysis").mkdir()
    make_environment(tmp_path / "no-templates", cache).get_template("article.html")
    assert not stale.exists() and (cache / "analysis").is_dir()
    assert len(list(cache.glob(f"{FOLDER_PREFIX}*"))) == 1


def test_other_builder_code_compiles_again(tmp_path, monkeypatch):
    """The compiled code depends on the environment's options, which are the builder's code, not the template's."""
    import builder.template_cache

    compiled = _compiles(monkeypatch)
    make_environment(tmp_path / "no-templates", tmp_path).get_template("article.html")
    monkeypatch.setattr(builder.template_cache, "builder_fingerprint", lambda: "f" * 64)
    compiled.clear()
    make_environment(tmp_path / "no-templates", tmp_path).get_template("article.html")
    assert "article.html" in compiled


def _parses(monkeypatch) -> list[str]:
    from builder import template_cache

    monkeypatch.setattr(template_cache, "_references", {})  # (a new process: only the cache folder remembers)
    parsed: list[str] = []
    original = jinja2.Environment.parse

    def counted(self, source, name=None, filename=None):
        parsed.append(source)
        return original(self, source, name, filename)

    monkeypatch.setattr(jinja2.Environment, "parse", counted)
    return parsed


def test_the_templates_a_template_references_are_remembered_and_follow_its_edits(tmp_path, monkeypatch):
    """page_keys.templates_part parses each template once for all builds: the keys are the ones a parse gives."""
    from builder import template_cache
    from builder.page_keys import templates_part

    parsed = _parses(monkeypatch)
    templates, cache = tmp_path / "templates", tmp_path / "cache"
    templates.mkdir()
    (templates / "page.html").write_text("{% extends 'base.html' %}")
    (templates / "base.html").write_text("base {% include 'part.html' %}")
    (templates / "part.html").write_text("part")
    (templates / "other.html").write_text("other")
    first = templates_part(make_environment(templates, cache), "page.html")
    assert len(parsed) == 3
    parsed.clear()
    monkeypatch.setattr(template_cache, "_references", {})
    assert templates_part(make_environment(templates, cache), "page.html") == first
    assert parsed == []  # (from the cache folder)
    assert templates_part(make_environment(templates, None), "page.html") == first  # (from this process)
    assert parsed == []
    (templates / "base.html").write_text("base {% include 'other.html' %}")
    edited = templates_part(make_environment(templates, cache), "page.html")
    assert parsed == ["base {% include 'other.html' %}", "other"]
    monkeypatch.setattr(template_cache, "_references", {})
    for entry in cache.glob(f"{FOLDER_PREFIX}*/references.json"):
        entry.write_text('{"damaged": [1, 2')
    assert templates_part(make_environment(templates, cache), "page.html") == edited
    (templates / "other.html").write_text("{% include 'part.html' %}")
    assert templates_part(make_environment(templates, cache), "page.html") != edited
