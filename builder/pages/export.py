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
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring  # (the C one when there is one, as json.dumps uses)

from builder.config import Config
from builder.memory import return_free_memory
from builder.model import Actor, Article, Event, Mention, Mentions, OutputPage, Site
from builder.pages import mention_files
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
        "articles": len(set(mention_files(actor))),
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


def _mention_records(site: Site) -> Iterator[dict]:
    """Every mention's record, ordered by article id, then start, then mention id."""
    by_slug: dict[str, list[Article]] = {}
    for article in site.articles:
        by_slug.setdefault(article.slug, []).append(article)
    for slug in sorted(by_slug):  # one article's mentions at a time (the site's would fill memory)
        records = [record for article in by_slug[slug] for record in _article_mention_records(article)]
        records.sort(key=lambda r: (r["start"], r["mention_id"]))
        yield from records


def _article_mention_records(article: Article) -> Iterator[dict]:
    """The records of one article's mentions, in order: from its columns when it holds them so (no Mention
    object made per mention)."""
    mentions = article.mentions
    if not isinstance(mentions, Mentions):
        return (_mention_record(article, index, mention) for index, mention in enumerate(mentions))
    slug = article.slug
    return ({"mention_id": f"{slug}/m{index}", "article_id": slug, "actor_id": actor_key, "text": text,
             "type": str(kind), "sentence": sentence, "start": start, "end": end}
            for index, (start, end, text, kind, sentence, actor_key) in enumerate(zip(
                mentions.starts, mentions.ends, mentions.texts, mentions.types, mentions.sentences,
                mentions.actor_keys, strict=True)))


def _mention_record(article: Article, index: int, mention: Mention) -> dict:
    return {
        "mention_id": f"{article.slug}/m{index}",
        "article_id": article.slug,
        "actor_id": mention.actor_key,
        "text": mention.text,
        "type": str(mention.type),
        "sentence": mention.sentence,
        "start": mention.start,
        "end": mention.end,
    }


def _records(site: Site, config: Config) -> dict[str, Callable[[], Iterator[dict]]]:
    """Each table's records, made one at a time on demand, in the digest's order (by id)."""
    slugs = {article.source_file: article.slug for article in site.articles}
    return {
        "articles": lambda: (_article_record(a, config) for a in sorted(site.articles, key=lambda a: a.slug)),
        "actors": lambda: (_actor_record(a) for a in sorted(site.actors, key=lambda a: a.key)),
        "events": lambda: (_event_record(e, slugs) for e in sorted(site.events, key=lambda e: e.key)),
        "mentions": lambda: _mention_records(site),
    }


def digest(site: Site, config: Config) -> dict:
    """The whole digest as plain data (what data/digest.json holds)."""
    tables = _records(site, config)
    return {
        "format": FORMAT_VERSION,
        "title": site.title,
        "description": config.description,
        "base_url": config.base_url or None,
        **{name: list(records()) for name, records in tables.items()},
    }


def _json(value: object, indent: str) -> str:
    """json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) for a value at `indent`, made without
    the json module's pure-Python indenting encoder (several times slower)."""
    kind = value.__class__
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    inner = indent + " "
    if isinstance(value, dict) and all(type(key) is str for key in value):
        if not value:
            return "{}"
        items = ",\n".join(f"{inner}{encode_basestring(key)}: {_json(item, inner)}"
                           for key, item in sorted(value.items()))
        return f"{{\n{items}\n{indent}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = ",\n".join(inner + _json(item, inner) for item in value)
        return f"[\n{items}\n{indent}]"
    # anything else (floats, other key types): the json module itself, indented to this level
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).replace("\n", "\n" + indent)


MENTION_KEYS = frozenset({"actor_id", "article_id", "end", "mention_id", "sentence", "start", "text", "type"})


def _mention_json(record: dict, indent: str) -> str:
    """_json(record, indent) for a mention's record (_mention_record's keys, sorted; its values strings, None
    for no actor, and ints), written in one go: the digest holds one per mention (~500,000 at 10,000
    articles), and the general writer's loop over items costs three times as much."""
    inner = indent + " "
    actor = record["actor_id"]
    return (f'{{\n{inner}"actor_id": {"null" if actor is None else encode_basestring(actor)},\n'
            f'{inner}"article_id": {encode_basestring(record["article_id"])},\n'
            f'{inner}"end": {int.__repr__(record["end"])},\n'
            f'{inner}"mention_id": {encode_basestring(record["mention_id"])},\n'
            f'{inner}"sentence": {int.__repr__(record["sentence"])},\n'
            f'{inner}"start": {int.__repr__(record["start"])},\n'
            f'{inner}"text": {encode_basestring(record["text"])},\n'
            f'{inner}"type": {encode_basestring(record["type"])}\n{indent}}}')


def digest_json(site: Site, config: Config) -> bytes:
    """data/digest.json: the digest as json.dumps(digest(...), ensure_ascii=False, indent=1, sort_keys=True)
    and a newline, written one record at a time (the whole digest as Python objects is many times its size)."""
    fields: dict[str, object] = {
        "format": FORMAT_VERSION,
        "title": site.title,
        "description": config.description,
        "base_url": config.base_url or None,
    }
    tables = _records(site, config)
    # Into one growing buffer, whose bytes getvalue() hands over without a copy: the digest (145 MB at
    # 10,000 articles) is in memory once, not once in pieces and again joined.
    out = io.BytesIO()
    for number, name in enumerate(sorted([*fields, *tables])):
        out.write(f"{',' if number else '{'}\n {encode_basestring(name)}: ".encode())
        if name in fields:
            out.write(_json(fields[name], " ").encode())
            continue
        opening = "["
        for record in tables[name]():
            written = (_mention_json(record, "  ") if name == "mentions" and record.keys() == MENTION_KEYS
                       else _json(record, "  "))
            out.write(f"{opening}\n  {written}".encode())
            opening = ","
        out.write(b"[]" if opening == "[" else b"\n ]")
    out.write(b"\n}\n")
    return out.getvalue()


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def to_csv(records: Iterable[dict], columns: list[str]) -> bytes:
    """RFC 4180 CSV (CRLF line ends, UTF-8); list values joined with '|'.

    Encoded as it is written (mentions.csv is 48 MB at 10,000 articles: as one str, then encoded, it
    was in memory several times over)."""
    out = io.BytesIO()
    buffer = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(record.get(column)) for column in columns])
    buffer.detach()
    return out.getvalue()


def planned_paths(renderer: PageRenderer, site: Site) -> set[str]:
    return {"data/digest.json", "data/articles.csv", "data/actors.csv", "data/events.csv", "data/mentions.csv"}


def plan(renderer: PageRenderer, site: Site) -> Iterator[OutputPage]:
    config = renderer.settings.config
    yield OutputPage("data/digest.json", digest_json(site, config))
    tables = _records(site, config)  # made again for each file rather than all kept between them
    yield OutputPage("data/articles.csv", to_csv(tables["articles"](), ARTICLE_COLUMNS))
    yield OutputPage("data/actors.csv", to_csv(tables["actors"](), ACTOR_COLUMNS))
    yield OutputPage("data/events.csv", to_csv(tables["events"](), EVENT_COLUMNS))
    yield OutputPage("data/mentions.csv", to_csv(tables["mentions"](), MENTION_COLUMNS))
    return_free_memory()  # what making them left in the allocator's free lists, before the pages and Pagefind
