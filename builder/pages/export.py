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

Rebuilds: each file is a run of *parts*, one per article (its record, its row, its mentions: the
articles of one slug are one part), per actor and per event, each with a key (builder.page_keys: the
fingerprint of what the part shows, with the global part of every page key).  The page keys record each
table's part keys and where each part lies in each file (`PageKeys.current_exports`); the next build
copies an unchanged part's bytes from the previous file (while that file is as the build left it) and
makes only the parts whose key changed: an edit makes one article's parts and splices the files
(at 10,000 articles the exports were ~10 % of rendering).  The bytes are those a full making gives: in
a JSON table a part starts with its separator ("[" or ","), which a copied part gets anew.  With
BUILD_SITE_VERIFY_KEYS=1 every file is also made in full, and the build stops if the two differ.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from json.encoder import encode_basestring  # (the C one when there is one, as json.dumps uses)

from builder.config import Config
from builder.errors import BuildError
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


NEXT_RECORD = ",\n  "  # between two records of a table in the digest
MentionRow = tuple[int, str, str, str | None, str, str, int, int]  # start, mention_id, article_id, actor_id,
# text, type, sentence, end: a mention's record (_mention_record) as a tuple, its start first


def mention_rows(articles: Iterable[Article]) -> list[MentionRow]:
    """The records of the mentions of one slug's articles as rows, in the mentions table's order (start, then
    mention id, then as listed: what sorting the records gives); from the columns where an article holds them."""
    rows: list[MentionRow] = []
    for article in articles:
        slug = article.slug
        mentions = article.mentions
        if isinstance(mentions, Mentions):
            rows += [(start, f"{slug}/m{index}", slug, actor_key, text, str(kind), sentence, end)
                     for index, (start, end, text, kind, sentence, actor_key) in enumerate(zip(
                         mentions.starts, mentions.ends, mentions.texts, mentions.types, mentions.sentences,
                         mentions.actor_keys, strict=True))]
        else:
            rows += [(m.start, f"{slug}/m{index}", slug, m.actor_key, m.text, str(m.type), m.sentence, m.end)
                     for index, m in enumerate(mentions)]
    rows.sort(key=_row_order)
    return rows


def _row_order(row: MentionRow) -> tuple[int, str]:
    return row[0], row[1]


def _record_of(row: MentionRow) -> dict:
    """The mention's record (_mention_record's) of a row."""
    start, mention_id, article_id, actor, text, kind, sentence, end = row
    return {"mention_id": mention_id, "article_id": article_id, "actor_id": actor, "text": text, "type": kind,
            "sentence": sentence, "start": start, "end": end}


def _mention_row_json(row: MentionRow, indent: str) -> str:
    """_json(record, indent) of the row's record, written in one go: the digest holds one per mention (~500,000
    at 10,000 articles), and the general writer's loop over a record's items costs three times as much."""
    start, mention_id, article_id, actor, text, kind, sentence, end = row
    inner = indent + " "
    return (f'{{\n{inner}"actor_id": {"null" if actor is None else encode_basestring(actor)},\n'
            f'{inner}"article_id": {encode_basestring(article_id)},\n'
            f'{inner}"end": {int.__repr__(end)},\n'
            f'{inner}"mention_id": {encode_basestring(mention_id)},\n'
            f'{inner}"sentence": {int.__repr__(sentence)},\n'
            f'{inner}"start": {int.__repr__(start)},\n'
            f'{inner}"text": {encode_basestring(text)},\n'
            f'{inner}"type": {encode_basestring(kind)}\n{indent}}}')


def digest_json(site: Site, config: Config) -> bytes:
    """data/digest.json: the digest as json.dumps(digest(...), ensure_ascii=False, indent=1, sort_keys=True)
    and a newline, written one record at a time (the whole digest as Python objects is many times its size)."""
    return _Exports(site, config).digest_json()[0]


# The digest's tables, in its (sorted) order, and the files: each CSV is one table. The mentions are cut into
# parts by article, like the articles (their parts have the articles' keys).
TABLES = ("articles", "actors", "events", "mentions")
PARTS_OF = {"articles": "articles", "actors": "actors", "events": "events", "mentions": "articles"}
CSV_FILES = {"data/articles.csv": ("articles", ARTICLE_COLUMNS), "data/actors.csv": ("actors", ACTOR_COLUMNS),
             "data/events.csv": ("events", EVENT_COLUMNS), "data/mentions.csv": ("mentions", MENTION_COLUMNS)}
DIGEST = "data/digest.json"

Spans = dict[str, list[int]]  # table → [its first part's start, each part's end] in one file


class _Exports:
    """The export files of a site, made of parts: `parts[name]` is a table's [(key, what it is made of)] in
    order (keys "" without page keys: nothing is reused).  `previous(path)`: where each part lies in the
    previous file, by table and key, and that file's bytes."""

    def __init__(self, site: Site, config: Config, part_key: Callable[[str, object], str] | None = None) -> None:
        self.site = site
        self.config = config
        self.slugs = {article.source_file: article.slug for article in site.articles}
        groups: dict[str, list[Article]] = {}
        for article in sorted(site.articles, key=lambda a: a.slug):
            groups.setdefault(article.slug, []).append(article)
        key = part_key or (lambda table, item: "")
        articles = [(key("articles", group), group) for group in groups.values()]
        self.parts: dict[str, list[tuple[str, object]]] = {
            "articles": articles,
            "actors": [(key("actors", actor), actor) for actor in sorted(site.actors, key=lambda a: a.key)],
            "events": [(key("events", event), event) for event in sorted(site.events, key=lambda e: e.key)],
            "mentions": articles,
        }

    # One part's records, in the order of the table.
    def records(self, table: str, item) -> Iterable[dict]:
        if table == "articles":
            return [_article_record(article, self.config) for article in item]
        if table == "mentions":
            return [_record_of(row) for row in self.mention_rows(item)]
        if table == "actors":
            return [_actor_record(item)]
        return [_event_record(item, self.slugs)]

    def mention_rows(self, articles: list[Article]) -> list[MentionRow]:
        """One part of the mentions table (one slug's articles) as rows (what the digest and mentions.csv write)."""
        return mention_rows(articles)

    def digest_json(self, previous: dict[str, Located] | None = None,
                    data: PartBytes = b"") -> tuple[bytes, Spans]:
        fields: dict[str, object] = {
            "format": FORMAT_VERSION,
            "title": self.site.title,
            "description": self.config.description,
            "base_url": self.config.base_url or None,
        }
        # Into one growing buffer, whose bytes getvalue() hands over without a copy: the digest (145 MB at
        # 10,000 articles) is in memory once, not once in pieces and again joined.
        out = io.BytesIO()
        spans: Spans = {}
        for number, name in enumerate(sorted([*fields, *TABLES])):
            out.write(f"{',' if number else '{'}\n {encode_basestring(name)}: ".encode())
            if name in fields:
                out.write(_json(fields[name], " ").encode())
                continue
            begun = out.tell()
            mentions = name == "mentions"

            def make(item, glue: str, name=name, mentions=mentions) -> None:
                if mentions:  # (one part's mentions written at once, from rows: no record dict each)
                    written = [_mention_row_json(row, "  ") for row in self.mention_rows(item)]
                    if written:
                        out.write(f"{glue}\n  {NEXT_RECORD.join(written)}".encode())
                    return
                for record in self.records(name, item):
                    out.write(f"{glue}\n  {_json(record, '  ')}".encode())
                    glue = ","

            spans[name] = _table(out, self.parts[PARTS_OF[name]], make, (previous or {}).get(name), data, True)
            out.write(b"[]" if out.tell() == begun else b"\n ]")
        out.write(b"\n}\n")
        return out.getvalue(), spans

    def csv(self, table: str, columns: list[str], previous: dict[str, Located] | None = None,
            data: PartBytes = b"") -> tuple[bytes, Spans]:
        """One table as to_csv writes it; its parts' rows written through one csv writer (which the
        wrapper hands to `out` as each row comes: `out.tell()` is where the next part starts)."""
        out = io.BytesIO()
        buffer = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)

        def make(item, glue: str) -> None:
            if table == "mentions":  # (from rows: no record dict, no _cell each; csv writes None as "")
                writer.writerows([mention_id, article_id, actor, spreadsheet_text(text), kind, sentence, start, end]
                                 for start, mention_id, article_id, actor, text, kind, sentence, end
                                 in self.mention_rows(item))
                return
            for record in self.records(table, item):
                writer.writerow([_cell(record.get(column)) for column in columns])

        spans = {table: _table(out, self.parts[PARTS_OF[table]], make, (previous or {}).get(table), data, False)}
        buffer.detach()
        return out.getvalue(), spans


def _table(out: io.BytesIO, parts: Sequence[tuple[str, object]], make: Callable[[object, str], None],
           previous: Located | None, data: PartBytes, glued: bool) -> list[int]:
    """Write a table's parts into `out`: a part whose key the previous file has is copied from `data` (in a
    JSON table, `glued`, with its separator made anew), the others made (`make(item, separator)`). Returns
    where the first part starts and where each part ends.

    Copied parts that lay one after the other in the previous file are copied in one read (an edit copies
    nearly every part: one read per run, not per part). Within such a run every part but the first followed
    a part there and follows one here, so its separator is "," in both."""
    numbers, ends = previous if previous is not None else ({}, [])
    spans = [out.tell()]
    first = True
    run: list[int] = []  # [start, end] in `data` of the copied parts not yet written

    def write_run() -> None:
        if run:
            out.write(data[run[0]:run[1]])
            run.clear()

    for key, item in parts:
        number = numbers.get(key)
        if number is not None:
            start, end = ends[number], ends[number + 1]
            if end > start:
                if run and run[1] == start:
                    run[1] = end
                else:
                    write_run()
                    if glued:
                        out.write(b"[" if first else b",")
                        start += 1
                    run[:] = [start, end]
                first = False
        else:
            write_run()
            make(item, "[" if first else ",")
            first = first and out.tell() == spans[-1]
        spans.append(out.tell() + (run[1] - run[0] if run else 0))
    write_run()
    return spans


class FileBytes:
    """A file's bytes, read slice by slice (`data[start:end]`) from its descriptor: not mapped, so the pages
    copied from it do not join the builder's resident memory (a mapped 145 MB digest, read whole by an edit's
    splicing, did: its peak was the rendering's, bench/RESULTS-scale.md, session 12)."""

    def __init__(self, handle) -> None:
        self.handle = handle

    def __getitem__(self, part: slice) -> bytes:
        start, end = part.start, part.stop
        data = os.pread(self.handle.fileno(), end - start, start)
        if len(data) != end - start:  # (the file was cut short under the build: it cannot be spliced from)
            raise BuildError(f"export parts: {self.handle.name} changed while it was read")
        return data


PartBytes = bytes | FileBytes  # what a table's copied parts are sliced from


Located = tuple[dict[str, int], list[int]]  # a table's parts in a previous file: key → its number, and the ends


class PartNumbers:
    """Each recorded table's part keys → their numbers in it, made once per table (one dict of 10,000 keys for all
    the files that hold that table's parts: five of the eight tables are the articles'), not a dict of spans per
    file."""

    def __init__(self, recorded: dict) -> None:
        self.tables = recorded["tables"]
        self.numbers: dict[str, dict[str, int]] = {}

    def of(self, table: str) -> dict[str, int]:
        found = self.numbers.get(table)
        if found is None:
            found = self.numbers[table] = {key: number for number, key in enumerate(self.tables[table])}
        return found


class _PreviousFile:
    """An export file of the previous site, as the page keys recorded it (None when it is not as that build
    left it): its bytes, read as they are copied, and where each table's parts lie in it, by key."""

    def __init__(self, path: str, output: str, recorded: dict, numbers: PartNumbers | None = None) -> None:
        self.parts: dict[str, Located] | None = None
        self.data: PartBytes = b""
        self.handle = None
        try:
            numbers = numbers if numbers is not None else PartNumbers(recorded)
            size, mtime, spans = recorded["files"][path]
            located = {}
            for table, ends in spans.items():
                found = numbers.of(PARTS_OF[table])
                if len(ends) != len(recorded["tables"][PARTS_OF[table]]) + 1:
                    return
                located[table] = (found, ends)
            handle = open(os.path.join(output, path), "rb")  # noqa: SIM115 (closed by close())
            found = os.fstat(handle.fileno())
            if (found.st_size, found.st_mtime_ns) != (size, mtime):
                handle.close()
                return
            self.handle = handle
            self.data = FileBytes(handle)
            self.parts = located
        except (OSError, KeyError, TypeError, ValueError):
            return

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        return spreadsheet_text("|".join(str(v) for v in value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return spreadsheet_text(value)
    return value


# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets: a headline such as
# `=HYPERLINK("http://…", "Click")` or `@SUM(…)` would run when an analyst opens the CSV (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """`text` as a spreadsheet shows it without running it: a leading apostrophe before a formula's first
    character (the apostrophe spreadsheets themselves use for "text, not formula"); numbers such as "-3.5"
    stay numbers. The JSON digest keeps the text as it is."""
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


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
    keys, fingerprints = renderer.keys, renderer.fingerprints
    if keys is None or fingerprints is None:
        exports = _Exports(site, config)
        yield OutputPage(DIGEST, exports.digest_json()[0])
        for path, (table, columns) in CSV_FILES.items():
            yield OutputPage(path, exports.csv(table, columns)[0])
        return_free_memory()
        return

    slugs = {article.source_file: article.slug for article in site.articles}
    article_fingerprint, actor_fingerprint = fingerprints.article, fingerprints.actor

    def part_key(table: str, item) -> str:
        """What a part's bytes are a function of beyond the config and the code (`keys.exports_global`, recorded
        once for all parts): an actor's part, of the actor alone, and an article's, of its articles alone, are
        keyed by their fingerprints as they are (which name the actor's key, the article's slug), not hashed again
        (27,000 parts at 10k articles); an event's part also shows its reports' addresses."""
        if table == "articles":
            return article_fingerprint(item[0].source_file) if len(item) == 1 else "+".join(
                [article_fingerprint(article.source_file) for article in item])
        if table == "actors":
            return actor_fingerprint(item.key)
        files = dict.fromkeys([*item.sources, *(f for f, _ in item.evidence)])
        return keys.key(None, ("export", table, (item.key, fingerprints.event(item.key),
                                                 [(f, slugs.get(f)) for f in files])))

    exports = _Exports(site, config, part_key)
    recorded = keys.previous_exports
    if recorded and recorded.get("global") != keys.exports_global():
        recorded = {}  # (parts made by other code or with another config: none is copied)
    output = str(renderer.settings.paths.output)
    try:
        numbers = PartNumbers(recorded) if recorded else None
    except (KeyError, TypeError):
        numbers = recorded = None
    files: dict[str, Spans] = {}
    makers: list[tuple[str, Callable]] = [(DIGEST, exports.digest_json)] + [
        (path, lambda previous=None, data=b"", table=table, columns=columns:
         exports.csv(table, columns, previous, data)) for path, (table, columns) in CSV_FILES.items()]
    for path, make in makers:
        previous = _PreviousFile(path, output, recorded, numbers) if recorded else None
        try:
            if previous is not None and previous.parts is not None:
                content, spans = make(previous.parts, previous.data)
            else:
                content, spans = make()
        finally:
            if previous is not None:
                previous.close()
        if keys.verify and make()[0] != content:
            raise BuildError(f"export parts: {path} spliced from its previous file differs from the file made "
                             "in full: a part's key misses an input (a bug in builder/pages/export.py)")
        files[path] = spans
        yield OutputPage(path, content)
        del content
    keys.current_exports = {"global": keys.exports_global(),
                            "tables": {name: [key for key, _ in exports.parts[name]]
                                       for name in ("articles", "actors", "events")},
                            "files": files}
    return_free_memory()  # what making them left in the allocator's free lists, before the pages and Pagefind
