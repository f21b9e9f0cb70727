"""The command line, through its real entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main


def all_commands():
    return [[], *[[name] for name in sorted(main.commands)]]


@pytest.mark.parametrize("command", all_commands(), ids=lambda c: " ".join(c) or "build-site")
def test_every_command_has_help_for_every_option(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    group_or_command = main if not command else main.commands[command[0]]
    assert group_or_command.help, f"{command} has no help text"
    for param in group_or_command.params:
        if param.param_type_name == "option" and not param.hidden:
            assert param.help, f"option {param.name} of {command or 'build-site'} has no help"


def write_article(seeds: Path, name: str, text: str) -> None:
    (seeds / name).write_text(text, encoding="utf-8")


def test_build_own_folder_prints_summary(project):
    write_article(project / "seeds", "one.txt", "A headline\n\nFirst paragraph. It has two sentences.\n")
    result = CliRunner().invoke(main, ["--project", str(project)])
    assert result.exit_code == 0, result.output
    assert "1 articles built" in result.output
    assert (project / "output" / "index.html").is_file()


def test_bad_file_is_named_and_build_goes_on(project):
    write_article(project / "seeds", "good.txt", "Good headline\n\nA real paragraph of text here.\n")
    (project / "seeds" / "broken.txt").write_bytes(b"Headline\n\ncaf\xe9 \xff\xfe\x00 text")
    result = CliRunner().invoke(main, ["--project", str(project)])
    assert result.exit_code == 0, result.output
    assert "broken.txt" in result.output
    assert "1 skipped" in result.output


def test_strict_makes_bad_input_fatal_with_one_message(project):
    write_article(project / "seeds", "good.txt", "Good headline\n\nA real paragraph of text here.\n")
    (project / "seeds" / "empty.txt").write_bytes(b"")
    result = CliRunner().invoke(main, ["--project", str(project), "--strict"])
    assert result.exit_code == 1
    assert "empty.txt" in result.output
    assert "Traceback" not in result.output


def build_with_config(project, config: str):
    """Run build-site on one small article with this site/config.toml."""
    (project / "site").mkdir(exist_ok=True)
    (project / "site" / "config.toml").write_text(config)
    write_article(project / "seeds", "a.txt", "Headline\n\nText of it.\n")
    return CliRunner().invoke(main, ["--project", str(project)])


def test_bad_config_reports_every_key_then_fails_once(project):
    result = build_with_config(project, 'titel = "x"\narticles_per_page = "ten"\n')
    assert result.exit_code == 1
    assert "titel" in result.output and "articles_per_page" in result.output
    assert "Traceback" not in result.output


def test_event_weights_must_be_site_or_reference(project):
    result = build_with_config(project, 'event_weights = "wordfreq"\n')
    assert result.exit_code == 1
    assert "'event_weights' must be 'site' or 'reference'" in result.output
    assert build_with_config(project, 'event_weights = "reference"\n').exit_code == 0
    assert build_with_config(project, 'event_weights = "site"\n').exit_code == 0


def test_unsafe_output_is_refused_without_traceback(project):
    write_article(project / "seeds", "a.txt", "Headline\n\nText of it.\n")
    result = CliRunner().invoke(main, ["--project", str(project), "--output", str(project / "seeds")])
    assert result.exit_code == 1
    assert "refusing" in result.output


def test_console_script_runs_as_a_process(project):
    write_article(project / "seeds", "a.txt", "Headline\n\nText of it.\n")
    completed = subprocess.run(
        [sys.executable, "-m", "builder", "--project", str(project)], capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    assert "articles built" in completed.stdout


def test_clean_empties_the_cache(project):
    write_article(project / "seeds", "a.txt", "Headline\n\nText of it.\n")
    runner = CliRunner()
    assert runner.invoke(main, ["--project", str(project)]).exit_code == 0
    assert (project / ".cache" / "build-site").is_dir()
    result = runner.invoke(main, ["clean", "--project", str(project)])
    assert result.exit_code == 0
    assert not (project / ".cache" / "build-site").exists()


def test_options_before_the_command_apply_to_it(project, tmp_path):
    write_article(project / "seeds", "one.txt", "A headline\n\nFirst paragraph. It has two sentences.\n")
    elsewhere = tmp_path / "elsewhere"
    result = CliRunner().invoke(main, ["--project", str(project), "--output", str(elsewhere), "build"])
    assert result.exit_code == 0, result.output
    assert (elsewhere / "index.html").is_file()
    assert not (project / "output").exists()
    refused = CliRunner().invoke(main, ["--project", str(project), "--output", str(elsewhere), "clean"])
    assert refused.exit_code == 2 and "--output does not apply to `clean`" in refused.output


def test_missing_seeds_folder_is_one_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["--project", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "seeds folder not found" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize(("template", "expected"), [
    ("{% if %}", "line 1: Expected an expression"),
    ("<p>{{ 1 / 0 }}</p>", "line 1: while making articles/a-headline.html: ZeroDivisionError"),
])
def test_broken_user_template_is_named_with_its_line(project, template, expected):
    write_article(project / "seeds", "one.txt", "A headline\n\nFirst paragraph. It has two sentences.\n")
    (project / "templates").mkdir(exist_ok=True)
    (project / "templates" / "article.html").write_text(template, encoding="utf-8")
    result = CliRunner().invoke(main, ["--project", str(project)])
    assert result.exit_code == 1
    assert f"templates/article.html, {expected}" in result.output
    assert "Traceback" not in result.output


def test_jobs_above_the_usable_cores_is_said_once_and_capped(project, monkeypatch):
    from builder import cli

    monkeypatch.setattr(cli, "usable_cores", lambda: 2)
    assert cli._analysis_processes(None) == 2
    assert cli._analysis_processes(1) == 1
    write_article(project / "seeds", "one.txt", "A headline\n\nFirst paragraph. It has two sentences.\n")
    result = CliRunner().invoke(main, ["--project", str(project), "--jobs", "1000"])
    assert result.exit_code == 0, result.output
    assert result.output.count("--jobs 1000 is more than the 2 usable cores") == 1
    assert "1 articles built" in result.output
