"""site/curation.toml: the format, its validation, and each correction applied by resolve_actors."""

from __future__ import annotations

import html
import re
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


# --- naming actors: key, page name or any of its names -----------------------------------------


def army_articles():
    return [
        make_article("a.txt", "The North Korean People’s Army fired. Jon Smith said so.",
                     {"North Korean People’s Army": ORG, "Jon Smith": PER}),
        make_article("b.txt", "John Smith replied. Smith smiled.", {"John Smith": PER, "Smith": PER}),
        make_article("c.txt", "Smith left. The KPA said the army was ready.", {"Smith": PER, "KPA": ORG}),
    ]


def test_page_name_differs_from_key_and_both_name_the_actor() -> None:
    army = by_name(resolve_actors(army_articles())[0])["North Korean People’s Army"]
    assert (army.key, army.slug) == ("organisation/north-korean-people-army", "north-korean-peoples-army")
    for reference in (army.slug, army.key, "North Korean People's Army", "NORTH-KOREAN-PEOPLES-ARMY"):
        text = f'[description]\n"{reference}" = "The armed forces."\n[type]\n"{reference}" = "place"'
        actors, _, report = resolve_actors(army_articles(), None, curation(text))
        described = next(a for a in actors if a.key == army.key)
        assert (described.description, described.type) == ("The armed forces.", EntityType.PLACE), reference
        assert report.unmatched_curation == [], reference


def test_page_names_work_in_every_section() -> None:
    text = """
[merge]
army = ["north-korean-peoples-army", "kpa"]
[keep_apart]
smiths = ["john-smith", "jon-smith"]
[rename]
"jon-smith" = "Jonathan Smith"
[aliases]
"north-korean-peoples-army" = ["Korean People’s Army"]
[drop]
"smith" = true
"""
    actors, _, report = resolve_actors(army_articles(), None, curation(text))
    named = by_name(actors)
    assert report.unmatched_curation == []
    army = named["North Korean People’s Army"]
    assert "KPA" in army.aliases and "Korean People’s Army" in army.aliases and "KPA" not in named
    assert "Jonathan Smith" in named and "John Smith" in named and "Smith" not in named
    # the renamed actor's new page name names it too, as the next report shows it
    again = text + '[description]\n"jonathan-smith" = "A spokesman."\n'
    assert by_name(resolve_actors(army_articles(), None, curation(again))[0])["Jonathan Smith"].description


def test_a_spelling_listed_on_the_page_names_the_actor() -> None:
    articles = [make_article("a.txt", "Sergei Shoigu came. Shoigu left.", {"Sergei Shoigu": PER, "Shoigu": PER})]
    shoigu = resolve_actors(articles)[0][0]
    assert shoigu.aliases == ["Shoigu"]  # resolved within its article: no actor of its own
    actors, _, report = resolve_actors(articles, None, curation('[description]\nShoigu = "Defence minister."'))
    assert actors[0].description == "Defence minister." and report.unmatched_curation == []


def test_every_line_the_report_suggests_works_when_pasted() -> None:
    _, _, report = resolve_actors(army_articles())
    assert len(report.likely_merges) >= 2
    for key_a, key_b, _, line in report.likely_merges:
        merged, _, after = resolve_actors(army_articles(), None, curation(f"[merge]\n{line}"))
        assert after.unmatched_curation == [], line
        assert key_a in {a.key for a in merged} and key_b not in {a.key for a in merged}, line
        kept, _, after = resolve_actors(army_articles(), None, curation(f"[keep_apart]\n{line}"))
        assert after.unmatched_curation == [], line
        assert {key_a, key_b} <= {a.key for a in kept}, line
        assert (key_a, key_b) not in [(a, b) for a, b, _, _ in after.likely_merges], line  # silenced
    every = "\n".join(line for _, _, _, line in report.likely_merges)
    assert resolve_actors(army_articles(), None, curation(f"[keep_apart]\n{every}"))[2].likely_merges == []


def test_the_report_page_lines_parse_as_curation(tmp_path: Path) -> None:
    _, pages, _ = render(tmp_path, army_articles())
    lines = [html.unescape(code) for code in re.findall(r"<code>([^<]*\+[^<]*)</code>", pages["actors/report.html"])]
    assert lines
    merged = curation("[merge]\n" + "\n".join(lines[:1]))
    assert resolve_actors(army_articles(), None, merged)[2].unmatched_curation == []
