"""data/digest.json and the CSV tables: stable ids, consistent references, excerpts only when asked."""

from __future__ import annotations

import csv
import io
import json

from test_feeds import make_renderer, make_site

from builder.pages import export


def planned(tmp_path, **config) -> dict[str, bytes]:
    site = make_site()
    return {page.path: page.content for page in export.plan(make_renderer(tmp_path, site, **config), site)}


def rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


def test_plans_json_and_four_tables(tmp_path):
    assert set(planned(tmp_path)) == {"data/digest.json", "data/articles.csv", "data/actors.csv",
                                      "data/events.csv", "data/mentions.csv"}


def test_csv_headers_and_row_counts(tmp_path):
    pages = planned(tmp_path)
    assert list(rows(pages["data/articles.csv"])[0]) == export.ARTICLE_COLUMNS
    assert len(rows(pages["data/articles.csv"])) == 3
    assert len(rows(pages["data/actors.csv"])) == 3
    assert len(rows(pages["data/events.csv"])) == 1
    assert len(rows(pages["data/mentions.csv"])) == 6
    assert pages["data/articles.csv"].count(b"\r\n") == 4  # RFC 4180 line ends


def test_ids_are_unique_and_references_resolve(tmp_path):
    pages = planned(tmp_path)
    articles = {row["article_id"] for row in rows(pages["data/articles.csv"])}
    actors = {row["actor_id"] for row in rows(pages["data/actors.csv"])}
    mentions = rows(pages["data/mentions.csv"])
    assert len({m["mention_id"] for m in mentions}) == len(mentions)
    for mention in mentions:
        assert mention["article_id"] in articles
        assert mention["actor_id"] in actors
        assert mention["mention_id"].startswith(mention["article_id"] + "/m")
    (event,) = rows(pages["data/events.csv"])
    assert event["place_actor_id"] in actors
    assert set(event["participant_actor_ids"].split("|")) <= actors
    assert set(event["article_ids"].split("|")) <= articles


def test_ids_do_not_depend_on_order(tmp_path):
    first = planned(tmp_path)
    site = make_site()
    site.articles.reverse()
    site.actors.reverse()
    second = {p.path: p.content for p in export.plan(make_renderer(tmp_path, site), site)}
    assert first == second


def test_json_matches_the_tables_and_keeps_markup_characters(tmp_path):
    pages = planned(tmp_path)
    data = json.loads(pages["data/digest.json"])
    assert data["format"] == export.FORMAT_VERSION
    assert [a["article_id"] for a in data["articles"]] == sorted(r["article_id"] for r in
                                                                 rows(pages["data/articles.csv"]))
    bridge = next(a for a in data["articles"] if a["article_id"] == "bridge")
    assert bridge["title"] == "Harbour bridge reopens <after> repairs & tests"
    assert bridge["published"] == "2024-03-04T09:30:00+00:00"
    assert len(bridge["body"]) == 2
    undated = next(a for a in data["articles"] if a["article_id"] == "old")
    assert undated["published"] is None


def test_excerpts_only_exports_the_first_paragraph(tmp_path):
    data = json.loads(planned(tmp_path, excerpts_only=True)["data/digest.json"])
    bridge = next(a for a in data["articles"] if a["article_id"] == "bridge")
    assert bridge["body"] == ["Ana Ruiz said the harbour bridge reopened on Monday."]
    assert bridge["excerpt_only"] is True
    assert bridge["original_url"]


def test_same_input_same_bytes(tmp_path):
    assert planned(tmp_path) == planned(tmp_path)
