"""site/curation.toml: the format, its validation, and each correction applied by resolve_actors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from builder.link.actors import resolve_actors
from builder.link.curation import Curation, CurationError, load_curation, parse_curation
from builder.model import EntityType
from tests.test_actors import LOC, ORG, PER, by_name, make_article, render

REPO = Path(__file__).resolve().parent.parent


def curation(text: str) -> Curation:
    return parse_curation(tomllib.loads(text))


def articles():
    return [
        make_article("a.txt", "Kim Jong Un met Sergei Shoigu. Kim smiled. Kim-Shoigu talks began.",
                     {"Kim Jong Un": PER, "Sergei Shoigu": PER, "Kim": PER, "Kim-Shoigu": ORG}),
        make_article("b.txt", "Marshal Kim spoke. Biden replied from Washington.",
                     {"Marshal Kim": PER, "Biden": ORG, "Washington": LOC}),
        make_article("c.txt", "Kim Yo Jong spoke.", {"Kim Yo Jong": PER}),
        make_article("d.txt", "The state news agency said it. The Korean Central News Agency agreed.",
                     {"Korean Central News Agency": ORG}),
    ]


# --- the file ------------------------------------------------------------------------------------


def test_missing_file_is_an_empty_curation(tmp_path: Path) -> None:
    assert load_curation(tmp_path / "curation.toml") == Curation()


def test_every_mistake_is_reported_once_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "curation.toml"
    path.write_text('[merges]\na = ["x", "y"]\n[merge]\nb = ["only one"]\n[type]\nx = "animal"\n[drop]\ny = "yes"\n')
    with pytest.raises(CurationError) as caught:
        load_curation(path)
    message = str(caught.value.message)
    assert str(path) in message
    for expected in ("unknown section [merges]", "merge.b", "'animal'", "drop.'y'"):
        assert expected in message


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "curation.toml"
    path.write_text("[merge\n")
    with pytest.raises(CurationError, match="not valid TOML"):
        load_curation(path)


def test_the_commented_example_in_site_is_valid_when_uncommented() -> None:
    text = (REPO / "site" / "curation.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text) == {}  # all commented out: the example changes nothing
    lines = [line[2:] for line in text.splitlines()
             if line.startswith("# [") or (line.startswith("# ") and " = " in line)]
    example = curation("\n".join(lines))
    assert example.merge and example.keep_apart and example.rename and example.retype
    assert example.drop and example.aliases and example.description


# --- each action ---------------------------------------------------------------------------------


def test_without_curation() -> None:
    actors, _, report = resolve_actors(articles())
    named = by_name(actors)
    assert {"Kim Jong Un", "Kim", "Kim Yo Jong", "Kim-Shoigu", "Biden"} <= set(named)
    assert named["Biden"].type == EntityType.ORGANISATION
    assert report.unmatched_curation == []


def test_merge_keeps_the_first_name_and_redirects_the_other() -> None:
    actors, linked, report = resolve_actors(articles(), None, curation('[merge]\nkim = ["Kim Jong Un", "Marshal Kim"]'))
    named = by_name(actors)
    assert "Kim" not in named
    kim = named["Kim Jong Un"]
    assert kim.prominence == 2
    assert "kim" in kim.redirect_from  # the lone "Kim" had actors/kim.html
    assert linked[1].mentions[0].actor_key == kim.key
    assert report.unmatched_curation == []


def test_keep_apart_stops_automatic_merges_within_and_across_articles() -> None:
    keep = curation('[keep_apart]\nkims = ["Kim Jong Un", "Kim"]')
    actors, linked, report = resolve_actors(articles(), None, keep)
    named = by_name(actors)
    assert linked[0].mentions[2].text == "Kim"
    assert linked[0].mentions[2].actor_key == named["Kim"].key != named["Kim Jong Un"].key
    assert report.unmatched_curation == []
    across = [make_article("a.txt", "Sergei Shoigu came.", {"Sergei Shoigu": PER}),
              make_article("b.txt", "Shoigu went.", {"Shoigu": PER})]
    assert len(resolve_actors(across)[0]) == 1
    assert len(resolve_actors(across, None, curation('[keep_apart]\nx = ["sergei-shoigu", "shoigu"]'))[0]) == 2


def test_rename_keeps_the_key_and_redirects_the_old_address() -> None:
    actors, _, _ = resolve_actors(articles(), None, curation('[rename]\n"kim-jong-un" = "Kim Jong-un"'))
    kim = next(a for a in actors if a.key == "person/kim-jong-un")
    assert (kim.name, kim.slug) == ("Kim Jong-un", "kim-jong-un-2") or kim.name == "Kim Jong-un"
    renamed, _, _ = resolve_actors(articles(), None, curation('[rename]\n"Kim Yo Jong" = "Kim Yo-jong (sister)"'))
    sister = next(a for a in renamed if a.key == "person/kim-yo-jong")
    assert sister.name == "Kim Yo-jong (sister)" and sister.slug == "kim-yo-jong-sister"
    assert sister.redirect_from == ["kim-yo-jong"]
    assert "Kim Yo Jong" in sister.aliases


def test_type_drop_aliases_description() -> None:
    text = """
[type]
Biden = "person"
[drop]
"Kim-Shoigu" = true
[aliases]
"Korean Central News Agency" = ["KCNA", "Washington"]
[description]
"korean-central-news-agency" = "North Korea's state news agency."
"""
    actors, linked, report = resolve_actors(articles(), None, curation(text))
    named = by_name(actors)
    assert named["Biden"].type == EntityType.PERSON
    assert "Kim-Shoigu" not in named
    assert linked[0].mentions[-1].text == "Kim-Shoigu" and linked[0].mentions[-1].actor_key is None
    agency = named["Korean Central News Agency"]
    assert agency.description == "North Korea's state news agency."
    assert "KCNA" in agency.aliases
    assert "Washington" not in named  # an alias that is an actor's name joins it
    assert report.unmatched_curation == []


def test_entries_that_match_nothing_are_reported() -> None:
    text = """
[merge]
ghosts = ["Nobody Atall", "Kim Jong Un"]
[rename]
"no-such-actor" = "X"
[drop]
"Nobody" = true
[keep_apart]
k = ["Kim Jong Un", "Nobody"]
"""
    _, _, report = resolve_actors(articles(), None, curation(text))
    assert report.unmatched_curation == ["merge.ghosts", "keep_apart.k", "rename.no-such-actor", "drop.Nobody"]


def test_redirect_page_after_a_rename(tmp_path: Path) -> None:
    _, pages, _ = render(tmp_path, articles(), curation('[rename]\n"Kim Yo Jong" = "Kim Yo-jong (sister)"'))
    redirect = pages["actors/kim-yo-jong.html"]
    assert '<meta http-equiv="refresh" content="0; url=kim-yo-jong-sister.html">' in redirect
    assert '<a href="kim-yo-jong-sister.html">' in redirect
    report = pages["actors/report.html"]
    assert "Likely merges not made" in report
