"""Page input keys: a rebuild renders only the pages whose inputs changed.

Every page of a bulk kind (one per article, actor, event, actor and event feed, actor graph, page of an
archive month or of a source) and every list of events or actors (events/index.html, the timeline's pages,
actors/index.html, the A to Z pages) belongs to a *unit*: the pages one object makes ("actor:<key>": an actor's
pages, "page:<path>": one page of a list).  A unit's input key is a hash of everything its pages' bytes
depend on: one global part (the builder's code, the templates, the config, the site title, the
navigation, the page kinds made) and what the unit's page module names (`PageRenderer.keyed`): the
fingerprint of its object and of what the page shows of other objects.  An article's fingerprint is its
analysis cache key (everything the analysed article is a function of) with what linking set on it
(`linked_part`); an actor's or event's, a hash of the whole object as linking left it (`Fingerprints`); where
a page shows only some fields of another object (an actor's name and address in an article's footer), one
digest of those fields.  Precomputations over the
whole site that a page shows (related actors, counts, pagination) are computed for the key as they are
for the page, and hashed as they come out.

When a unit's key equals the one it had in the build that made the current output, its pages are not
rendered: they go to the writer as `KeptPage`s, whose previous files are hard-linked into the new site
(same file, same modification time). The few other site-wide pages (the home page, the
archive's and sources' indexes, reports, feed.xml, sitemap) have no unit: they are always rendered (and kept
by the writer when their bytes did not change); the exports are spliced from keyed parts.

The keys live in the cache folder, one file per output folder (named after the output's path from the cache
folder: a project copied or moved whole keeps them), written by the write stage once the new
site is in place, with the fingerprint of that build: they are used only while the output's marker
names the same fingerprint (see `PageKeys.load`), and a unit is kept only if each of its files is as
that build left it (size and modification time).  An edit writes beside that file only what it changed
since it (a delta: `PageKeys.save`), not every unit's entry again.  Beside each file the keys record what
the search index takes of it (`builder.search.page_entry`: the digest of its path and searchable bytes, or "" for a
page it does not index), so that a kept page costs the index nothing, and the spans of the exports' parts
(`builder.pages.export`: each article's, actor's and event's records, by key, in the previous data files),
so that an edit re-makes only the changed parts.  With BUILD_SITE_VERIFY_KEYS=1 in the environment every
page is rendered anyway, and the build stops, naming the page, when a page whose key did not change
comes out different from its previous file (the writer compares them): the keys' exactness, tested.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import pickle
import sys
import threading
from array import array
from binascii import a2b_base64
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from itertools import chain, compress
from operator import attrgetter, itemgetter, ne
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import numpy as np

from builder.config import Paths, Settings
from builder.errors import BuildError
from builder.model import (
    Actor,
    Article,
    Compact,
    DateRef,
    Event,
    KeptPage,
    Mentions,
    OutputPage,
    Pairs,
    Precision,
    Site,
)
from builder.template_cache import referenced_templates
from builder.warm import WarmKeys, file_state
from builder.write import KeptRun

if TYPE_CHECKING:
    from builder.link.site import LinkChanges

VERIFY_ENV = "BUILD_SITE_VERIFY_KEYS"
KEYS_FORMAT = 4  # 2: each file's search entry, and the exports' parts; 3: each unit's reads key; 4: the objects read


def keys_file(paths: Paths) -> Path:
    """The keys of the pages in one output folder, named after where it is seen from the cache folder: a project
    copied or moved with its output and cache (the usual project/output and project/.cache) keeps its keys."""
    where = os.path.relpath(paths.output.resolve(), paths.cache.resolve())
    name = hashlib.sha256(Path(where).as_posix().encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return paths.cache / f"page-keys-{name}.json"


def delta_file(paths: Paths) -> Path:
    """Beside the keys file: what the builds since it was written changed in it (`PageKeys.save`)."""
    base = keys_file(paths)
    return base.with_name(base.stem + ".delta.json")


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _pickled(value: object) -> bytes:
    """An object's pickle without the memo, so that two equal objects give the same bytes whichever of their
    parts happen to be shared objects.

    One pickler per thread, used again (each dump is whole: its own protocol header and frames, no memo):
    making a pickler and its buffer took two thirds of a small value's time, and an edit at 10k pickles
    some 75,000 values (fingerprints, keys, reads)."""
    try:
        out, pickler = _PICKLERS.pair
    except AttributeError:
        out = io.BytesIO()
        pickler = pickle.Pickler(out, protocol=5)
        pickler.fast = True  # no memo: a string met twice is written twice, as it would be in another build
        _PICKLERS.pair = out, pickler
    out.seek(0)
    out.truncate()
    try:
        pickler.dump(value)
    except BaseException:
        del _PICKLERS.pair  # (a dump stopped half-way: the next one starts from a new pickler)
        raise
    return out.getvalue()


_PICKLERS = threading.local()  # each thread's (buffer, pickler) for `_pickled`


def object_fingerprint(value: object) -> str:
    """A hash of an object's whole content (`_pickled`): a linked actor or event as its fields' plain values
    (`_plain_object`), anything else as it pickles."""
    if type(value) in _PLAIN_OBJECTS:
        return _digest(_pickled(_plain_object(value)))
    return _digest(_pickled(value))


_PLAIN_OBJECTS = (Actor, Event)  # (pickled plain: `_plain_object`)


def _plain_object(value: object) -> tuple:
    """A dataclass instance (an actor, an event) as (its class's name, each attribute's name and plain value,
    `_plain`), in its attributes' order: what the pickler writes in C without one class reference (without
    a memo, each class an object names is looked up again: 28 µs an actor pickled whole, 10,000 of them in
    every build)."""
    return (type(value).__name__, [(name, field if type(field) in _AS_IS else _plain(field))
                                   for name, field in value.__dict__.items()])


# The types `_plain` gives back as they are, tested first in C: most of an actor's or event's fields (17,000 of
# them pickled whole in every edit at 10k articles, a dozen fields each).
_AS_IS = frozenset({str, list, int, bool, type(None)})


def _plain(value: object) -> object:
    """A field's value in a form that pickles to the same bytes exactly when the value is equal: a `Pairs` as
    its two columns, an enum as its class name and text, a `Compact` record (a DateRef…) as its fields (`_fields`),
    a plain date as its ISO text; anything else (strings, numbers, lists and tuples of them) as it is."""
    kind = type(value)
    if kind is str or kind is list or value is None or kind is int or kind is bool:
        return value  # (the usual: written in C as they are)
    if kind is Pairs:
        return ("Pairs", value.names, value.numbers.typecode, value.numbers.tobytes())
    if isinstance(value, Enum):
        return (kind.__name__, str(value))
    if kind is DateRef:  # (an event's date: its fields read in one call, `_date_fields`, 7,000 events an edit)
        return ("DateRef", _date_fields(value))
    if isinstance(value, Compact):
        return (kind.__name__, _fields(value))
    if kind is date:
        return ("date", value.isoformat())
    return value


def linked_part(article: Article) -> tuple:
    """What linking (builder.link) sets on an analysed article: its address, the copies folded into it, its
    events, the actor of each of its mentions, and the date and dates an undated article gets through an
    event.  The rest of the article is what analysis made of its file."""
    mentions = article.mentions
    actor_keys = mentions.actor_keys if isinstance(mentions, Mentions) else [m.actor_key for m in mentions]
    published = article.published
    return (article.slug, article.also_published_as, article.main_event, article.events, actor_keys,
            (published.value, published.how, str(published.basis)),
            [_date_fields(ref) if type(ref) is DateRef else _fields(ref) for ref in article.dates])


def _fields(value: object) -> tuple:
    """A slotted object's fields as plain values, an enum as its string: pickled in C, where the object is
    pickled through its Python __reduce__ and each enum through enum's (5 µs a date; 0.3 s at 10k articles)."""
    return tuple(_plain(field) if type(field) is not str else field
                 for field in (getattr(value, name) for name in value.__slots__))


_DATE_REF_FIELDS = attrgetter(*DateRef.__slots__)
_PRECISIONS = {precision: _plain(precision) for precision in Precision}  # (the enum's text, looked up in C)
_iso = date.isoformat


def _date_fields(ref: DateRef) -> tuple:
    """A DateRef's fields as plain values, read in one call (57,000 of them at 10k articles): a date as its
    ISO text alone (a string: anything else is a tuple, `_plain_other`), the precision as its text.  Two
    DateRefs give the same values exactly when they are equal; an edit at 10k reads them all (`linked_part`),
    so neither a tuple per date nor an enum's Python `__str__` is made for each."""
    value, precision, wording, sentence, end_value, resolved, rule = _DATE_REF_FIELDS(ref)
    return (_iso(value) if type(value) is date else _plain_other(value),
            _PRECISIONS[precision] if type(precision) is Precision else _plain_other(precision), wording,
            sentence, None if end_value is None else _iso(end_value) if type(end_value) is date
            else _plain_other(end_value), resolved, rule)


def _plain_other(value: object) -> tuple:
    """A DateRef field of an unexpected type, apart from every ISO text and precision: its type's name too."""
    return ("other", type(value).__name__, _plain(value))


def analysis_key(settings: Settings) -> Callable[[str, str], str]:
    """The analysis cache's key of an article, (content hash, source file) → key: everything an analysed article
    is a pure function of (its bytes and path, the per-article code, the config, the cleaning rules, the event
    types; builder.cache.AnalysisCache)."""
    from builder.build import article_context
    from builder.cache import AnalysisCache

    return AnalysisCache(settings.paths.cache, article_context(settings.paths.site, settings.config)).key


def _actor_shown(actor: Actor) -> str:
    return _digest(repr((actor.key, actor.name, str(actor.type), actor.slug, tuple(actor.aliases), actor.description
                         )).encode("utf-8", "surrogateescape"))


def _event_shown(event: Event) -> str:
    """`Fingerprints.event_shown`: its date as its fields' plain values (`_date_fields`), not its dataclass repr
    (7,000 events in every edit)."""
    when = event.date
    return _digest(_pickled((event.key, event.slug, event.label, event.type,
                             _date_fields(when) if type(when) is DateRef else _plain(when), event.background,
                             len(event.sources))))


class Fingerprints:
    """Fingerprints of a site's linked objects, each computed once per build, when first asked for.

    `analysis_key` (see there): an article's fingerprint is then its analysis cache key and what linking set
    on it (`linked_part`), not a hash of the whole article; without it, a hash of the whole article."""

    def __init__(self, site: Site, analysis_key: Callable[[str, str], str] | None = None,
                 source_pages: Mapping[str, str] | None = None) -> None:
        self.site = site
        self.analysis_key = analysis_key
        self.source_pages = source_pages if source_pages is not None else {}
        # While a unit's inputs are worked out (PageKeys.pages): each object read, as a reference (`REFERENCES`).
        self.reading: list[str] | None = None
        self._actor_files: dict[str, set[str]] | None = None
        self._article_actors: tuple[dict[str, set[str]], dict[str, list[str]]] | None = None
        self._casts = None
        self.articles_by_file = {article.source_file: article for article in site.articles}
        self._actors = {actor.key: actor for actor in site.actors}
        self._events = {event.key: event for event in site.events}
        self._article: dict[str, str | None] = {}
        self._actor: dict[str, str | None] = {}
        self._event: dict[str, str | None] = {}
        self._actor_shown: dict[str, str | None] = {}
        self._event_shown: dict[str, str | None] = {}

    @staticmethod
    def _once(memo: dict, objects: dict, key: str, make: Callable[[object], object]):
        """make(objects[key]), computed once per key; None for a key with no object."""
        found = memo.get(key, memo)  # (the memo itself: "not computed yet", since None is a result)
        if found is memo:
            value = objects.get(key)
            found = memo[key] = None if value is None else make(value)
        return found

    def article(self, source_file: str) -> str | None:
        """The article as linked (text, analysis, slug, actor keys of its mentions, events, date)."""
        if self.reading is not None:
            self.reading.append("a:" + source_file)
        return self._once(self._article, self.articles_by_file, source_file, self._article_fingerprint)

    def take_articles(self, fingerprints: Mapping[str, str]) -> None:
        """Take these articles' fingerprints (source file → fingerprint) as given, not worked out: those of the
        previous build for the articles linking says did not change (`PageKeys._taken_as_they_were`)."""
        self._article.update(fingerprints)

    def _article_fingerprint(self, article: Article) -> str:
        if self.analysis_key is None:
            return object_fingerprint(article)
        return _digest(self.analysis_key(article.content_hash, article.source_file).encode() + b"\0"
                       + _pickled(linked_part(article)))

    def actor_keys(self) -> Iterable[str]:
        """The keys of the site's actors."""
        return self._actors.keys()

    def actor(self, key: str) -> str | None:
        """The whole actor: its mentions, roles, quotes, co-actors, counts."""
        if self.reading is not None:
            self.reading.append("A:" + key)
        return self._once(self._actor, self._actors, key, object_fingerprint)

    def event(self, key: str) -> str | None:
        """The whole event: its date, place, participants, evidence, reports, summary, related events."""
        if self.reading is not None:
            self.reading.append("E:" + key)
        return self._once(self._event, self._events, key, object_fingerprint)

    def actor_shown(self, key: str) -> str | None:
        """What other pages show of an actor: its name and address, and what its schema.org entry says (one
        digest: keys that name it repr a short string)."""
        if self.reading is not None:
            self.reading.append("s:" + key)
        found = self._actor_shown.get(key, self)  # (asked 200,000 times at 10k: the memo read here first)
        if found is self:
            found = self._once(self._actor_shown, self._actors, key, _actor_shown)
        return found

    def event_shown(self, key: str) -> str | None:
        """What other pages show of an event: its label, address, type, date and how many reports it has (one
        digest)."""
        if self.reading is not None:
            self.reading.append("t:" + key)
        return self._once(self._event_shown, self._events, key, _event_shown)


    def source_page(self, name: str) -> str | None:
        """The page of a source (publisher) by its name: its address is given out over the whole site's
        sources (builder.link.slugs), not by anything of the article that names it."""
        if self.reading is not None:
            self.reading.append("p:" + name)
        return self.source_pages.get(name)

    def article_actors(self) -> tuple[dict[str, set[str]], dict[str, list[str]]]:
        """Actor key → the files of the articles mentioning it, and file → the actors mentioning it in that
        article (builder.pages.graphs), worked out once."""
        if self._article_actors is None:
            from builder.pages.graphs import _by_article

            files_of = self.actor_files()
            self._article_actors = files_of, _by_article(files_of)
        return self._article_actors

    def actor_files(self) -> dict[str, set[str]]:
        """Actor key → the files of the articles mentioning it (the first half of `article_actors`), worked out
        once: the site graph needs no more (an edit that changed no actor works out no cast)."""
        if self._actor_files is None:
            from builder.pages.graphs import actor_articles

            self._actor_files = actor_articles(self.site)
        return self._actor_files

    def cast(self, source_file: str) -> str:
        """The article's cast: one digest of what the pages show of every actor mentioning it
        (builder.pages.graphs.ArticleCasts); an actor's companions are counted over its articles' casts."""
        if self.reading is not None:
            self.reading.append("c:" + source_file)
        if self._casts is None:
            from builder.pages.graphs import ArticleCasts

            self._casts = ArticleCasts(self.article_actors()[1])
        reading, self.reading = self.reading, None  # (the actors in it are read through the cast)
        try:
            return self._casts(source_file, self)
        finally:
            self.reading = reading

    def all_of(self, references: Iterable[str]) -> list[str | None]:
        """`of` each reference, in order: the reading left off once for all (an edit at 10k asks 74,000)."""
        reading, self.reading = self.reading, None
        try:
            kinds = {letter: getattr(self, name) for letter, name in REFERENCES.items()}
            return [kinds[reference[0]](reference[2:]) for reference in references]
        finally:
            self.reading = reading

    def of(self, reference: str) -> str | None:
        """The fingerprint a reference names (`REFERENCES`: kind, ":", key), as now; not recorded as read."""
        reading, self.reading = self.reading, None
        try:
            return getattr(self, REFERENCES[reference[0]])(reference[2:])
        finally:
            self.reading = reading


# The kinds of object a unit's inputs read (`Fingerprints.reading`): the first letter of a reference.
REFERENCES = {"a": "article", "A": "actor", "s": "actor_shown", "E": "event", "t": "event_shown",
              "p": "source_page", "c": "cast"}


def no_other_reads(fingerprints: Fingerprints) -> tuple:
    """The reads of a unit whose inputs are a function of the fingerprints they read alone
    (`PageRenderer.keyed(…, reads=)`)."""
    return ()


def global_part(renderer) -> str:
    """What every page depends on beyond its own inputs: code, config, title, navigation, page kinds."""
    from builder.cache import builder_fingerprint

    digest = hashlib.blake2b(digest_size=16)
    for part in (builder_fingerprint(), repr(renderer.config), renderer.site.title, repr(renderer.nav),
                 repr(renderer.kinds), repr(sorted(renderer.env.globals))):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()


def templates_part(env: jinja2.Environment, name: str | None) -> str:
    """A hash of the template `name` and of every template it extends or includes, as the environment finds
    them (a template of the site's own templates/ folder before a built-in one): editing article.html
    changes the keys of article pages only.  A template whose includes cannot be told (a name computed
    when it renders) depends on every template."""
    digest = hashlib.blake2b(digest_size=16)
    names = [name] if name is not None else []
    seen: set[str] = set()
    while names:
        current = names.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            source, _, _ = env.loader.get_source(env, current)
        except jinja2.TemplateNotFound:
            digest.update(f"\0missing\0{current}".encode())  # (an include "ignore missing")
            continue
        digest.update(f"\0{current}\0".encode() + source.encode("utf-8", "surrogateescape"))
        referenced = referenced_templates(env, source)  # (remembered: no template parsed again)
        if any(reference is None for reference in referenced):
            return _every_template(env)
        names.extend(referenced)
    return digest.hexdigest()


def _every_template(env: jinja2.Environment) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for number, folder in enumerate(env.loader.searchpath):
        digest.update(f"\0folder {number}\0".encode())
        root = Path(folder)
        for path in sorted(root.rglob("*")) if root.is_dir() else ():
            if path.is_file():
                digest.update(path.relative_to(root).as_posix().encode("utf-8", "surrogateescape") + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class PageKeys:
    """The units' keys of the build that made the current output (`previous`), and of this build as its
    pages are planned (`current`): unit → (key, its pages' paths in the order they were made, its reads key,
    the objects its inputs read).

    A unit names, beside its inputs, what they are worked out from (`pages(…, reads=)`): plain values (which
    objects it lists, in which order, its place among a list's pages…) whose hash, the *reads key*, is recorded
    beside its key; and while its inputs are worked out, each object whose fingerprint they read is recorded
    (`Fingerprints.reading`: the unit's *objects*, numbers into one table of references, `objects`, kept
    with each one's fingerprint).  A unit's inputs are a function of its reads and of the fingerprints of its
    objects: when the previous build recorded the same reads key and none of the fingerprints it read
    changed since (`changed`: worked out once per build, one fingerprint per object), the unit's key is
    recalled instead of computed.  An edit so works out the inputs only of the units that read what it
    changed.  Verifying (BUILD_SITE_VERIFY_KEYS=1), every key is computed and must be the one recalled.

    Beside them, the exports' parts (`previous_exports` as loaded, `current_exports` as recorded by
    builder.pages.export: {"global": what every part key depends on, "tables": {table: [part key, …]}, "files":
    {path: {table: [start, end, …]}}}),
    and, when saved, each page's search entry (`save(…, search=)`)."""

    def __init__(self, previous: Mapping[str, tuple] | None = None, verify: bool = False,
                 exports: dict | None = None, objects: Iterable[tuple[str, str | None]] = (),
                 runs: bool = False) -> None:
        # unit → (key, its files: (path, size, modification time, search entry or None), reads key, its objects'
        # numbers in `objects`, sorted and packed (`pack`), or None), as loaded
        self.previous = previous or {}
        self.current: dict[str, tuple[str, tuple[str, ...], str | None, str | None]] = {}
        # unit → its files as loaded, for the units kept without rendering: their files are the previous ones
        # (linked, never written), so `save` records the size and time `load` checked, without a stat each
        self.kept_files: dict[str, tuple[tuple[str, int, int, str | None], ...]] = {}
        # The output's marker when the keys were loaded (builder.write.marker_state): while the output still
        # has it, no other build replaced the output, and the writer takes each kept file's state as checked.
        self.output_marker: tuple[bytes, int, int] | None = None
        # units whose entry this build records is the one loaded (kept, same reads and objects read): a delta
        # (`save`) names only the others
        self.same_entries: set[str] = set()
        self.base: KeysBase | None = None  # the keys file as loaded, when a delta of it may be written
        self.recorded_units: dict[str, list] = {}  # unit → its entry as loaded, before its files were checked
        self.previous_exports: dict = exports or {}  # the exports' parts as loaded; files: path → [size, mtime, spans]
        self.current_exports: dict = {}
        self.verify = verify
        # `runs`: a recalled unit's kept pages are not handed back by `pages` but gathered into a run of them,
        # which the caller takes whole (`take_run`) before each page made and at the end (builder.render)
        self.runs = runs
        self._run: list[tuple[str, int, int, str | None]] = []  # the run being gathered
        self._taken: list[KeptRun] = []  # the runs taken
        self._same_apart: set[str] = set()  # the units of `same_entries` whose pages are in no run
        self.kept = 0  # pages not rendered (or, verifying, rendered and checked against their previous file)
        self.rendered = 0  # pages of units whose key changed (pages without a unit are not counted here)
        self.recalled = 0  # units whose key was recalled from their reads and objects, not computed
        # The objects units read (`REFERENCES`), numbered: the previous build's first, in its order (a recalled
        # unit's numbers stay valid), then those this build reads first; the fingerprint each had then and has now.
        self.objects: list[str] = []
        self._then: list[str | None] = []
        for reference, fingerprint in objects:
            self.objects.append(reference)
            self._then.append(fingerprint)
        self.fingerprints_now: list[str | None] = []
        # The fingerprint of the build that recorded the keys loaded (`load`): when linking's changes are said since
        # that build's link run (`link_changes`), the objects outside them keep their fingerprints (`_fingerprints_now`)
        self.recorded_by: str | None = None
        self.link_changes: LinkChanges | None = None  # (set by the build once linked: builder.link.site.link_changes)
        self.taken = 0  # fingerprints taken as they were on linking's word (`link_changes`), not worked out
        self.changed: set[int] = set()  # numbers of the objects whose fingerprint is not the previous build's
        self._affected: set[str] = set()  # the previous build's units that read one of them (`start`)
        self._numbers: dict[str, int] = {}
        self._fingerprints: Fingerprints | None = None
        self._global = ""
        self._env: jinja2.Environment | None = None
        self._templates: dict[str | None, str] = {}  # template name → templates_part
        self._prefixes: dict[str | None, bytes] = {}  # template name → what its keys' hashed bytes start with
        self._no_reads: dict[str | None, str] = {}  # template name → the reads key of reads ()

    @classmethod
    def load(cls, paths: Paths, verify: bool = False, warm: WarmKeys | None = None) -> PageKeys:
        """The keys recorded for the output folder, if its marker names the build that recorded them; only the
        units whose every file is still as that build left it.  `warm` (`serve`): the keys as the previous
        build of this process recorded them, taken instead of reading the files while they are the files it
        wrote (`warm_recorded_keys`)."""
        from builder.write import marker_state, read_marker

        marker = marker_state(paths.output)  # (before the files' states: a build replacing them changes it)
        recorded = warm_recorded_keys(paths, warm) if warm is not None else None
        if recorded is None:
            recorded = recorded_keys(paths)
        if recorded is None or recorded.fingerprint != read_marker(paths.output).get("fingerprint"):
            return cls(verify=verify)
        units, objects, base = recorded.units, recorded.objects, recorded.base
        output = str(paths.output) + os.sep
        previous = _intact_at_once(units, output)
        if previous is None:
            previous = _intact_one_by_one(units, output)
        exports = recorded.exports
        keys = cls(previous, verify, exports if isinstance(exports, dict) else None, objects)
        keys.output_marker = marker
        keys.recorded_by = recorded.fingerprint
        keys.base = base
        keys.recorded_units = units
        return keys

    def save(self, paths: Paths, fingerprint: str, search: Mapping[str, str] | None = None,
             delta: bool = True, warm: WarmKeys | None = None) -> None:
        """Record this build's keys for the output it just made, with each page file's size and time, and its
        search entry (`search`: path → entry, builder.search.page_entry; a path it lacks records none), and the
        objects the units read, with their fingerprints.  A unit kept without rendering has the files it had
        (hard links of them): their size and time are those `load` found, not asked of the disk again.
        `delta`: written, where it can be, as what changed since the keys file loaded (`_save_delta`).
        `warm` (`serve`): left with the keys as recorded (what `recorded_keys` would read back), and the states
        of the files written."""
        output = str(paths.output) + os.sep
        search = search or {}
        if warm is not None:
            warm.forget()  # (until the files are written: then they are known again)
        current, objects = self._compacted()
        if delta and current is self.current:
            written, recorded = self._save_delta(paths, fingerprint, search, objects, recall=warm is not None)
            if written:
                if warm is not None:
                    warm.keep(keys_file(paths), recorded, file_state(keys_file(paths)),
                              file_state(delta_file(paths)))
                return
        kept_files = self.kept_files
        units = {}
        for unit, (key, files, reads, read) in sorted(current.items()):
            kept = kept_files.get(unit)
            if kept is not None:  # (renumbered entries: the files as kept)
                units[unit] = [key, [[path, size, mtime, search.get(path)] for path, size, mtime, _ in kept], reads,
                               read]
                continue
            try:
                units[unit] = [key, [[path, *_file_state(output + path), search.get(path)] for path in files], reads,
                               read]
            except OSError:
                continue  # (a file the output no longer has: the unit is rendered next time)
        target = keys_file(paths)
        target.parent.mkdir(parents=True, exist_ok=True)
        exports = self._exports_record(output)
        identity = _write_base(target, {"format": KEYS_FORMAT, "fingerprint": fingerprint, "units": units,
                                        "objects": objects, "exports": exports})
        delta_file(paths).unlink(missing_ok=True)  # (its base is gone: it would no longer be read anyway)
        if warm is not None:
            objects = [(str(reference), fingerprint_then) for reference, fingerprint_then in objects]
            base = KeysBase(identity, set(units), [fingerprint_then for _, fingerprint_then in objects])
            warm.keep(target, RecordedKeys(fingerprint, units, objects, _as_read(exports), base), file_state(target),
                      None)

    def _exports_record(self, output: str) -> dict | None:
        if not self.current_exports:
            return None
        try:
            return {"global": self.current_exports.get("global"), "tables": self.current_exports["tables"],
                    "files": {path: [*_file_state(output + path), spans]
                              for path, spans in sorted(self.current_exports["files"].items())}}
        except OSError:
            return None

    def _unit_entry(self, output: str, unit: str, search: Mapping[str, str]) -> list | None:
        """What the keys file records of a unit of this build (None: a file of it is gone)."""
        key, files, reads, read = self.current[unit]
        kept = self.kept_files.get(unit)
        if kept is not None:
            return [key, [[path, size, mtime, search.get(path)] for path, size, mtime, _ in kept], reads, read]
        try:
            return [key, [[path, *_file_state(output + path), search.get(path)] for path in files], reads, read]
        except OSError:
            return None  # (a file the output no longer has: the unit is rendered next time)

    def _save_delta(self, paths: Paths, fingerprint: str, search: Mapping[str, str],
                    objects: list[tuple[str, str | None]], recall: bool = True) -> tuple[bool, RecordedKeys | None]:
        """Record this build's keys as what changed since the keys file as loaded (the units whose entry is
        not the one loaded, those gone, the objects' fingerprints that changed and the objects added), so
        that an edit writes what it changed, not every unit's entry again; False (nothing written) where
        there is no such file, or so much changed since it that a new one is due.  Written and `recall`: with the
        keys as `recorded_keys` reads them back (the keys file with this delta: every unit's entry of this
        build; only `serve` keeps them, builder.warm)."""
        base = self.base
        if base is None or base.identity is None or self.verify:
            return False, None
        base_count = len(base.fingerprints)
        if len(objects) < base_count:
            return False, None
        changed_objects = [[number, fingerprint_now] for number, ((_, fingerprint_now), then)
                           in enumerate(zip(objects, base.fingerprints, strict=False)) if fingerprint_now != then]
        added_objects = [list(entry) for entry in objects[base_count:]]
        same = self._same_search(search)
        output = str(paths.output) + os.sep
        units: dict[str, list | None] = {}
        for unit, entry in base.delta_units.items():  # (the delta loaded: what of it still holds)
            if unit in same:
                units[unit] = entry
        for unit in self.current:
            if unit not in same:
                units[unit] = self._unit_entry(output, unit, search)
        for unit in base.units.difference(self.current):
            units[unit] = None
        # (a delta over an eighth of the units or objects: its base is rewritten, and loading stays one file's work)
        if (len(units) > max(len(self.current) // DELTA_SHARE, DELTA_MINIMUM)
                or len(changed_objects) + len(added_objects) > max(base_count // DELTA_SHARE, DELTA_MINIMUM)):
            return False, None
        units = dict(sorted(units.items()))
        exports = self._exports_record(output)
        _write_replacing(delta_file(paths), {
            "format": KEYS_FORMAT, "fingerprint": fingerprint, "base": base.identity,
            "units": units, "objects_changed": changed_objects,
            "objects_added": added_objects, "exports": exports})
        if not recall:
            return True, None
        # What the keys file with this delta reads back as: a unit whose entry is the one loaded has it (from the
        # keys file or from the previous delta), the others this delta's (a unit gone: none).
        recorded = {unit: self.recorded_units[unit] for unit in same}
        recorded.update((unit, entry) for unit, entry in units.items() if unit in self.current and entry is not None)
        table = [(str(reference), fingerprint_now) for reference, fingerprint_now in objects]
        return True, RecordedKeys(fingerprint, recorded, table, _as_read(exports),
                                  KeysBase(base.identity, base.units, base.fingerprints, units))

    def _same_search(self, search: Mapping[str, str]) -> set[str]:
        """The units of `same_entries` whose every file has, in `search`, the search entry it was loaded with: their
        entry is the one loaded.  The files of the units gathered into runs (`take_run`: nearly all of an edit's)
        are compared in C, run after run, the others unit by unit; only where a file of a run differs are its
        units told apart.  (A test per unit took ~0.18 s an edit at 10k, some 57,000 units; the files of each unit
        looked up in turn, ~0.14 s.)"""
        kept_files = self.kept_files
        files = [*chain.from_iterable(run.files for run in self._taken), *self._run]
        if any(map(ne, map(search.get, map(_PATH, files)), map(_SEARCH, files))):
            return {unit for unit in self.same_entries
                    if all(search.get(path) == entry for path, _, _, entry in kept_files[unit])}
        return self.same_entries.difference(
            unit for unit in self._same_apart
            if not all(search.get(path) == entry for path, _, _, entry in kept_files[unit]))

    def _compacted(self) -> tuple[dict[str, tuple], list[tuple[str, str | None]]]:
        """The units and the table of objects to record: while most of the table is still read by some unit,
        as it is (the next build numbers on from it); else only the objects read, numbered anew."""
        table = list(zip(self.objects, self.fingerprints_now, strict=False))
        # (the numbers of every unit decoded into one array, then marked in one array of flags: a set update per unit
        # took 0.24 s at 10k, a set of the 1.5 million numbers ~0.1 s)
        numbers = np.frombuffer(unpack_all(read for *_, read in self.current.values() if read), dtype=np.uint32)
        flags = np.zeros(max(len(table), int(numbers.max()) + 1 if len(numbers) else 0), dtype=bool)
        flags[numbers] = True
        used = np.flatnonzero(flags).tolist()
        if len(used) * 4 >= len(table) * 3:
            return self.current, table
        renumbered = {number: new for new, number in enumerate(used)}
        current = {unit: (key, files, reads, None if read is None else pack([renumbered[n] for n in unpack(read)]))
                   for unit, (key, files, reads, read) in self.current.items()}
        return current, [table[number] for number in used]

    def start(self, renderer, fingerprints: Fingerprints | None = None) -> None:
        """Called once the renderer's navigation and page lookups are final: they are part of every key.
        `fingerprints`: the objects' fingerprints of this build, to tell which objects changed since the
        previous one (without them none is known unchanged: every key is computed)."""
        self._global = global_part(renderer)
        self._env = renderer.env
        self._templates = {}
        self._prefixes = {}
        self._no_reads = {}
        self._fingerprints = fingerprints
        self._numbers = {reference: number for number, reference in enumerate(self.objects)}
        if fingerprints is None:
            self.fingerprints_now = [None] * len(self.objects)
            self.changed = set(range(len(self.objects)))
            self._affected = self._readers_of_changed()
            return
        self.fingerprints_now = self._fingerprints_now(fingerprints)
        self.changed = {number for number, (now, then) in enumerate(zip(self.fingerprints_now, self._then, strict=True))
                        if now != then}
        self._affected = self._readers_of_changed()

    def _fingerprints_now(self, fingerprints: Fingerprints) -> list[str | None]:
        """Every object's fingerprint as now, by number.  Articles, actors and events are worked out; what is
        derived from them only where what it is derived from changed (an edit that changed no actor works out
        no cast, and none of the site's 10,000 articles' actor lists):
        - what is shown of an actor or an event (`s:`, `t:`) is a function of the whole actor or event (`A:`, `E:`,
          which hash every field): while that has the fingerprint it had, so has this;
        - an article's cast (`c:`) is a function of the site's actors alone (which articles each one mentions,
          and what is shown of it): while every actor of the site is in the table and none of the table's actors
          changed (nor came or went), every cast is as it was."""
        objects, then, numbers = self.objects, self._then, self._numbers
        now: list[str | None] = [None] * len(objects)
        derived: list[int] = []
        primary: list[int] = []
        for number, reference in enumerate(objects):
            (derived if reference[0] in "stc" else primary).append(number)
        primary = self._taken_as_they_were(fingerprints, primary, now)
        for number, fingerprint in zip(primary, fingerprints.all_of([objects[number] for number in primary]),
                                       strict=True):
            now[number] = fingerprint
        same_actors = all(numbers.get("A:" + key) is not None for key in fingerprints.actor_keys()) and all(
            now[number] == then[number] for number, reference in enumerate(objects) if reference[0] == "A")
        work: list[int] = []
        for number in derived:
            reference = objects[number]
            kind = reference[0]
            whole = numbers.get(("A:" if kind == "s" else "E:") + reference[2:]) if kind != "c" else None
            if (kind == "c" and same_actors) or (
                    whole is not None and now[whole] is not None and now[whole] == then[whole]):
                now[number] = then[number]
            else:
                work.append(number)
        for number, fingerprint in zip(work, fingerprints.all_of([objects[number] for number in work]), strict=True):
            now[number] = fingerprint
        return now

    def _taken_as_they_were(self, fingerprints: Fingerprints, primary: list[int], now: list[str | None]) -> list[int]:
        """Of the primary objects (`primary`: numbers), those linking says did not change since the link run of the
        build that recorded the keys (`link_changes`, said since that build: its fingerprint) get the fingerprint they
        had then, in `now` and in `fingerprints` (a unit whose inputs are worked out reads the same); the others are
        returned, to be worked out.  An article's fingerprint is its content's analysis key and what linking set on
        it (`Fingerprints`): linking compares those, so its word is exact (without it, hashing them is a fifth of an
        edit's render at 10,000 articles)."""
        changes = self.link_changes
        if (changes is None or changes.since is None or changes.since != self.recorded_by
                or changes.articles is None or fingerprints.analysis_key is None):
            return primary
        changed, present, then, objects = changes.articles, fingerprints.articles_by_file, self._then, self.objects
        left: list[int] = []
        taken: dict[str, str] = {}
        for number in primary:
            reference = objects[number]
            fingerprint = then[number]
            if reference[0] == "a" and fingerprint is not None:
                source_file = reference[2:]
                if source_file not in changed and source_file in present:
                    now[number] = taken[source_file] = fingerprint
                    continue
            left.append(number)
        fingerprints.take_articles(taken)
        self.taken += len(taken)
        return left

    def _readers_of_changed(self) -> set[str]:
        """The units of the previous build whose objects include a changed one (or one out of the table), found
        in one pass over every unit's numbers at once, not unit by unit: what `pages` then asks of each unit
        is a set lookup.  (Decoding and checking 57,000 units one by one took ~0.15 s of an
        edit at 10k articles.)"""
        units = list(self.previous)
        texts = [(entry[3] or "") if len(entry) > 3 else "" for entry in self.previous.values()]
        numbers = np.frombuffer(b"".join(map(a2b_base64, texts)), dtype="<u4")
        if not len(numbers):
            return set()
        hit = numbers >= len(self._then)  # (a number out of the table: the unit's inputs are worked out)
        if self.changed:
            hit |= np.isin(numbers, np.fromiter(self.changed, dtype=np.int64, count=len(self.changed)))
        if not hit.any():
            return set()
        # (each unit's count of numbers, from its base64 text's length: 4 characters for 3 bytes, 4 bytes a number,
        # and the padding, less than a number, falls out of the division)
        counts = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) * 3 // 16
        owners = np.repeat(np.arange(len(units)), counts)[hit]
        return {units[number] for number in np.unique(owners).tolist()}

    def exports_global(self) -> str:
        """What every export part's key would begin with (the builder's code, the config…: `global_part`),
        recorded once beside the parts' keys (builder.pages.export): parts recorded with another are not copied."""
        return self.key(None, ("export",))

    def key(self, template: str | None, parts: object) -> str:
        prefix = self._prefixes.get(template)
        if prefix is None:  # (what every key of the template starts with, made once: 25,000 keys in an edit)
            if template not in self._templates:
                self._templates[template] = templates_part(self._env, template)
            prefix = self._prefixes[template] = f"{self._global}\0{self._templates[template]}\0".encode()
        # (pickled without the memo, not repr'd: the same values give the same bytes, four times faster)
        return _digest(prefix + _pickled(parts))

    def pages(self, unit: str, template: str | None, parts: Callable[[], object],
              make: Callable[[], Iterable[OutputPage]], reads: object = None) -> Iterable[OutputPage | KeptPage]:
        """The unit's pages: kept when its key did not change, else made (`make()`) and their paths recorded.
        `template`: the template they are rendered with (None: none).  `parts()`: the unit's inputs (the
        objects' fingerprints they read are recorded as they are read).  `reads`: what they are worked out
        from beside those fingerprints (None: not said; the inputs are always worked out).

        The usual unit of an edit (its key recalled: `_recalled_kept`) is answered here, in one call, with its
        kept pages: no generator is made for it (57,000 units at 10k articles, some 90 of them changed)."""
        if unit in self.current:
            raise BuildError(f"internal error: two page units are named {unit!r}")
        reads_key = None if reads is None else self._reads_key(template, reads)
        if reads_key is not None and not self.verify:
            kept = self._recalled_kept(unit, reads_key)
            if kept is not None:
                return kept
        return self._pages(unit, template, parts, make, reads_key)

    def _recalled_kept(self, unit: str, reads_key: str) -> Sequence[KeptPage] | None:
        """The kept pages of a unit whose key is recalled (the previous build recorded the same reads key and the
        objects it read, none of which changed), recorded as `_pages` records a kept unit; None for another.
        Gathering runs (`runs`): none, its pages are added to the run (`take_run`)."""
        previous = self.previous.get(unit)
        if (previous is None or len(previous) <= 3 or previous[2] != reads_key or previous[3] is None
                or unit in self._affected):
            return None
        files = previous[1]
        self.kept_files[unit] = files
        self.same_entries.add(unit)
        self.recalled += 1
        self.kept += len(files)
        if len(files) == 1:  # (nearly every unit: one page)
            path, size, mtime, search = files[0]
            self.current[unit] = (previous[0], (path,), reads_key, previous[3])
            if self.runs:
                self._run.append(files[0])
                return ()
            self._same_apart.add(unit)
            return [kept_page(path, (size, mtime), search)]
        self.current[unit] = (previous[0], tuple([entry[0] for entry in files]), reads_key, previous[3])
        if self.runs:
            self._run += files
            return ()
        self._same_apart.add(unit)
        return [kept_page(path, (size, mtime), search) for path, size, mtime, search in files]

    def take_run(self) -> KeptRun | None:
        """The kept pages gathered since the last call (`runs`), as one item; None if there are none."""
        if not self._run:
            return None
        run, self._run = KeptRun(self._run, list(map(_PATH, self._run))), []
        self._taken.append(run)
        return run

    def _pages(self, unit: str, template: str | None, parts: Callable[[], object],
               make: Callable[[], Iterable[OutputPage]], reads_key: str | None) -> Iterator[OutputPage | KeptPage]:
        """`pages` of a unit whose key is not recalled, or verifying (every key worked out and checked)."""
        previous = self.previous.get(unit)
        recalled = (reads_key is not None and previous is not None and len(previous) > 3 and previous[2] == reads_key
                    and previous[3] is not None and unit not in self._affected)
        if recalled and not self.verify:
            key, read = previous[0], previous[3]
            self.recalled += 1
        else:
            key, read = self._worked_out(template, parts)
            if recalled and key != previous[0]:
                raise BuildError(f"page keys: {unit} was worked out from the same inputs as in the previous "
                                 "build, but its key changed: what it reads misses an input (a bug in "
                                 "builder/pages)")
        same = previous is not None and previous[0] == key
        if same and not self.verify:
            self.current[unit] = (key, tuple([entry[0] for entry in previous[1]]), reads_key, read)
            self.kept_files[unit] = previous[1]
            if reads_key == previous[2] and read == previous[3]:
                self.same_entries.add(unit)
                self._same_apart.add(unit)
            self.kept += len(previous[1])
            for path, size, mtime, search in previous[1]:
                yield KeptPage(path, state=(size, mtime), search=search)
            return
        made: list[str] = []
        for page in make():
            made.append(page.path)
            if same:
                self.kept += 1
                yield KeptPage(page.path, page.content)  # the writer checks it is the previous file
            else:
                self.rendered += 1
                yield page
        if same and made != [path for path, *_ in previous[1]]:
            raise BuildError(f"page keys: the pages of {unit} did not change key but are now {made[:5]}, "
                             f"not {[path for path, *_ in previous[1][:5]]}")
        self.current[unit] = (key, tuple(made), reads_key, read)

    def _reads_key(self, template: str | None, reads: object) -> str:
        if reads == ():  # (most units read nothing beyond fingerprints: one key per template)
            found = self._no_reads.get(template)
            if found is None:
                found = self._no_reads[template] = self.key(template, ("reads", ()))
            return found
        return self.key(template, ("reads", reads))

    def _worked_out(self, template: str | None, parts: Callable[[], object]) -> tuple[str, str | None]:
        """The unit's key, from its inputs, and the numbers of the objects they read (None: not known)."""
        fingerprints = self._fingerprints
        if fingerprints is None:
            return self.key(template, parts()), None
        fingerprints.reading = reading = []
        try:
            inputs = parts()
        finally:
            fingerprints.reading = None
        numbers = self._numbers
        read = set()
        for reference in reading:
            number = numbers.get(reference)
            if number is None:
                number = numbers[reference] = len(self.objects)
                self.objects.append(reference)
                self.fingerprints_now.append(fingerprints.of(reference))
            read.add(number)
        return self.key(template, inputs), pack(sorted(read))


_PATH, _SEARCH = itemgetter(0), itemgetter(3)  # (of a file as the keys record it: path, size, time, search entry)
_RECORDED_STATE = itemgetter(1, 2)  # (its size and modification time)
_FILES, _READ = itemgetter(1), itemgetter(3)  # (of a unit's entry: its files; the objects it read, packed)
_STATE = attrgetter("st_size", "st_mtime_ns")


def _intact_at_once(units: dict[str, list], output: str) -> dict[str, list] | None:
    """The units whose every file in `output` has the size and modification time recorded, their entries as loaded
    (`PageKeys.previous`); None where some file is gone or some entry is not as this code records it (then
    `_intact_one_by_one` tells which units hold).  Each file is still asked for its state (a page changed or
    removed by hand is rendered again), but the states are taken and compared over all files at once, in C:
    one unit at a time, the loop took ~0.09 s of an edit at 10k beside the 58,000 `stat`s."""
    try:
        entries = list(units.values())
        if set(map(len, entries)) - {4} or set(map(type, map(_READ, entries))) - {str, type(None)}:
            return None
        files = [file for entry in entries for file in entry[1]]
        states = list(map(_STATE, map(os.stat, map(output.__add__, map(_PATH, files)))))
        recorded = list(map(_RECORDED_STATE, files))
    except (OSError, TypeError, ValueError, IndexError, KeyError):
        return None
    if states == recorded:
        return units
    names = list(units)
    one_each = set(map(len, map(_FILES, entries))) == {1}
    owners = names if one_each else [unit for unit in names for _ in units[unit][1]]
    changed = set(compress(owners, map(ne, states, recorded)))
    return {unit: entry for unit, entry in units.items() if unit not in changed}


def _intact_one_by_one(units: dict[str, list], output: str) -> dict[str, tuple]:
    """`_intact_at_once`, unit by unit: a unit with a file gone or an entry not as recorded is left out."""
    stat = os.stat
    previous: dict[str, tuple[str, tuple[tuple[str, int, int, str | None], ...], str | None, str | None]] = {}
    for unit, entry in units.items():
        try:
            key, files, reads, read = entry
            if isinstance(read, list):  # (this branch's first keys files: the numbers as a list)
                read = pack(read)
            elif read is not None and not isinstance(read, str):
                read = None
            for path, size, mtime, _ in files:
                found = stat(output + path)
                if found.st_size != size or found.st_mtime_ns != mtime:
                    break
            else:
                previous[unit] = (key, tuple(map(tuple, files)), reads, read)
        except (OSError, TypeError, ValueError):
            continue
    return previous


def kept_page(path: str, state: tuple[int, int], search: str | None) -> KeptPage:
    """KeptPage(path, state=state, search=search), its fields set in one step: a frozen dataclass's __init__ sets
    each through object.__setattr__ (1.4 µs a page; an edit at 10k keeps 58,000 pages, 0.6 µs so)."""
    page = _new_page(KeptPage)
    page.__dict__.update(path=path, content=None, state=state, search=search)
    return page


_new_page = object.__new__


def pack(numbers: Iterable[int]) -> str:
    """Sorted object numbers as one short string in the keys file (base64 of 32-bit little-endian numbers):
    1.5 million numbers at 10k articles, which as JSON lists of numbers made the file twice as slow to load."""
    packed = array("I", numbers)
    if sys.byteorder == "big":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


def unpack(text: str) -> array:
    # (binascii's decoder is what base64.b64decode calls, without its Python checks: 57,000 units an edit)
    numbers = array("I", a2b_base64(text))
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers


DELTA_SHARE = 8  # a delta naming more than 1/DELTA_SHARE of the units (or of the objects) is folded into its base
DELTA_MINIMUM = 256  # (or more than this many: a small site's edit changes a good share of its few units)


@dataclass
class KeysBase:
    """The keys file as `PageKeys.load` found it, for `save` to write what changed since as a delta."""

    # What a delta names its base by: a hash of the keys file's own record, written into it.  Not the file's size,
    # time or inode: a project copied, moved or restored from a CI cache keeps its keys and their delta.
    identity: str | None
    units: set[str]  # the units it names
    fingerprints: list[str | None]  # its objects' fingerprints, by number
    delta_units: dict[str, list | None] = field(default_factory=dict)  # the delta loaded with it: unit → entry


@dataclass
class RecordedKeys:
    """The keys file with its delta applied, as recorded (before `PageKeys.load` checks the files named)."""

    fingerprint: str  # of the build that recorded them (its own, or its delta's)
    units: dict[str, list]  # unit → [key, files, reads key, objects read]
    objects: list[tuple[str, str | None]]  # the table of objects, by number: reference, fingerprint
    exports: object
    base: KeysBase


def recorded_keys(paths: Paths) -> RecordedKeys | None:
    """The keys recorded for the output folder: the keys file, and the delta written for it if there is one."""
    try:
        with open(keys_file(paths), encoding="utf-8") as handle:
            recorded = json.loads(handle.read())
    except (OSError, ValueError):
        return None
    if not isinstance(recorded, dict) or recorded.get("format") != KEYS_FORMAT or not recorded.get("fingerprint"):
        return None
    identity = recorded.get("identity")
    if not isinstance(identity, str):
        identity = None
    delta = _load_delta(paths, identity) if identity is not None else None
    try:
        objects = [(str(reference), fingerprint) for reference, fingerprint in recorded.get("objects", [])]
    except (TypeError, ValueError):
        objects = []
    units = recorded.get("units", {})
    if not isinstance(units, dict):
        units = {}
    base = KeysBase(identity, set(units), [fingerprint for _, fingerprint in objects])
    if delta is not None:  # (what the builds since the keys file changed in it)
        try:
            for number, fingerprint in delta["objects_changed"]:
                objects[number] = (objects[number][0], fingerprint)
            objects += [(str(reference), fingerprint) for reference, fingerprint in delta["objects_added"]]
            for unit, entry in delta["units"].items():
                if entry is None:
                    units.pop(unit, None)
                else:
                    units[unit] = entry
            base.delta_units = delta["units"]
        except (KeyError, TypeError, ValueError, IndexError):
            return None
    return RecordedKeys((delta or recorded)["fingerprint"], units, objects, (delta or recorded).get("exports"), base)


def warm_recorded_keys(paths: Paths, warm: WarmKeys) -> RecordedKeys | None:
    """The keys the previous build of this process recorded (`PageKeys.save(…, warm=)`), if the keys file and its
    delta are still the files it wrote (size, time, inode; no delta where it left none): what `recorded_keys`
    would read from them; else None."""
    if warm.recorded is None or warm.keys_path != keys_file(paths):
        return None
    if file_state(warm.keys_path) != warm.keys_state or file_state(delta_file(paths)) != warm.delta_state:
        return None
    return warm.recorded


def _as_read(record: object) -> object:
    """A record as JSON reads it back (tuples as lists…): what a build reads from the keys file."""
    return json.loads(json.dumps(record))


def _load_delta(paths: Paths, identity: str) -> dict | None:
    """The delta of the keys file whose identity is this, if there is one made for it."""
    try:
        delta = json.loads(delta_file(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (not isinstance(delta, dict) or delta.get("format") != KEYS_FORMAT or delta.get("base") != identity
            or not isinstance(delta.get("units"), dict)):
        return None
    return delta


def _write_base(target: Path, record: dict) -> str:
    """Write a keys file (`_write_replacing`) with its identity, a hash of the rest of its record, first in it:
    the identity its deltas name.  Returns the identity."""
    text = json.dumps(record, separators=(",", ":"))
    identity = hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
    _write_text_replacing(target, '{"identity":"' + identity + '",' + text[1:])
    return identity


def _write_replacing(target: Path, record: dict) -> None:
    """Write `record` as JSON into `target` in one step (a reader finds the old file or the new one)."""
    _write_text_replacing(target, json.dumps(record, separators=(",", ":")))


def _write_text_replacing(target: Path, text: str) -> None:
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)


def unpack_all(texts: Iterable[str]) -> array:
    """The numbers of many `pack`ed strings, one after the other, in one array."""
    numbers = array("I", b"".join(map(a2b_base64, texts)))
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers


def _file_state(path: Path) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_size, stat.st_mtime_ns
