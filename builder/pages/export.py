"""Machine-readable exports: data/digest.json and CSV tables with stable ids.

Files: `data/digest.json` (everything below in one document),
`data/articles.csv`, `data/actors.csv`, `data/events.csv`, `data/mentions.csv`.

Ids are stable across builds and independent of build order:
- article_id: the article's slug (slugs are derived from the headline and,
  when two collide, from the file's path — never from order);
- actor_id / event_id: Actor.key / Event.key, the identities linking keeps;
- mention_id: `<article_id>/m<index>`, the mention's position in its article.

With `config.excerpts_only` the exports carry the summary and first paragraph
only, like the pages; otherwise the full cleaned text.
Everything is sorted and has no time stamp, so two builds give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from builder.config import Config
from builder.model import Actor, Article, Event, OutputPage, Site
from builder.render import PageRenderer
from builder.seo import article_summary, published_blocks

FORMAT_VERSION = 1
ARTICLE_COLUMNS = ["article_id", "title", "source", "published", "date_how", "original_url", "source_file",
                   "page", "words", "summary"]
ACTOR_COLUMNS = ["actor_id", "name", "type", "aliases", "description", "page", "mentions", "articles"]
EVENT_COLUMNS = ["event_id", "label", "type", "date", "date_end", "date_precision", "place_actor_id",
                 "participant_actor_ids", "article_ids", "page", "background"]
MENTION_COLUMNS = ["mention_id", "article_id", "actor_id", "text", "type", "sentence", "start", "end"]


def _article_record(article: Article, config: Config) -> dict:
    blocks = published_blocks(article, config)
    body = [article.blocks[i].text for i in blocks]
    return {
        "article_id": article.slug,
        "title": article.title,
        "source": article.source,
        "published": article.published.value.isoformat() if article.published.value else None,
        "date_how": article.published.how,
        "original_url": article.original_url,
        "source_file": article.source_file,
        "page": f"articles/{article.slug}.html",
        "words": article.word_count,
        "summary": article_summary(article),
        "byline": article.credits.byline or article.author,
        "categories": list(article.categories),
        "body": body,
        "excerpt_only": config.excerpts_only,
        "events": list(article.events),
        "also_published_as": list(article.also_published_as),
    }


def _actor_record(actor: Actor) -> dict:
    return {
        "actor_id": actor.key,
        "name": actor.name,
        "type": str(actor.type),
        "aliases": sorted(set(actor.aliases)),
        "description": actor.description,
        "page": f"actors/{actor.slug}.html",
        "mentions": len(actor.mentions),
        "articles": len({source_file for source_file, _ in actor.mentions}),
    }


def _event_record(event: Event, slugs: dict[str, str]) -> dict:
    files = dict.fromkeys([*event.sources, *(f for f, _ in event.evidence)])
    return {
        "event_id": event.key,
        "label": event.label,
        "type": event.type,
        "date": event.date.value.isoformat() if event.date else None,
        "date_end": event.date.end_value.isoformat() if event.date and event.date.end_value else None,
        "date_precision": str(event.date.precision) if event.date else None,
        "place_actor_id": event.place,
        "participant_actor_ids": list(event.participants),
        "article_ids": [slugs[f] for f in files if f in slugs],
        "page": f"events/{event.slug}.html",
        "background": event.background,
    }


def _mention_records(site: Site) -> list[dict]:
    records = []
    for article in site.articles:
        for index, mention in enumerate(article.mentions):
            records.append({
                "mention_id": f"{article.slug}/m{index}",
                "article_id": article.slug,
                "actor_id": mention.actor_key,
                "text": mention.text,
                "type": str(mention.type),
                "sentence": mention.sentence,
                "start": mention.start,
                "end": mention.end,
            })
    return records


def digest(site: Site, config: Config) -> dict:
    """The whole digest as plain data (what data/digest.json holds)."""
    slugs = {article.source_file: article.slug for article in site.articles}
    return {
        "format": FORMAT_VERSION,
        "title": site.title,
        "description": config.description,
        "base_url": config.base_url or None,
        "articles": sorted((_article_record(a, config) for a in site.articles), key=lambda r: r["article_id"]),
        "actors": sorted((_actor_record(a) for a in site.actors), key=lambda r: r["actor_id"]),
        "events": sorted((_event_record(e, slugs) for e in site.events), key=lambda r: r["event_id"]),
        "mentions": sorted(_mention_records(site), key=lambda r: (r["article_id"], r["start"], r["mention_id"])),
    }


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def to_csv(records: list[dict], columns: list[str]) -> bytes:
    """RFC 4180 CSV (CRLF line ends, UTF-8); list values joined with '|'."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(record.get(column)) for column in columns])
    return buffer.getvalue().encode("utf-8")


def planned_paths(renderer: PageRenderer, site: Site) -> set[str]:
    return {"data/digest.json", "data/articles.csv", "data/actors.csv", "data/events.csv", "data/mentions.csv"}


def plan(renderer: PageRenderer, site: Site) -> Iterator[OutputPage]:
    data = digest(site, renderer.settings.config)
    yield OutputPage("data/digest.json", (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
                     .encode("utf-8"))
    yield OutputPage("data/articles.csv", to_csv(data["articles"], ARTICLE_COLUMNS))
    yield OutputPage("data/actors.csv", to_csv(data["actors"], ACTOR_COLUMNS))
    yield OutputPage("data/events.csv", to_csv(data["events"], EVENT_COLUMNS))
    yield OutputPage("data/mentions.csv", to_csv(data["mentions"], MENTION_COLUMNS))
