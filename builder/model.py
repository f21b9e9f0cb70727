"""The typed data model shared by every stage of the pipeline.

read → clean → analyse → link → render → write each take and return these
objects; nothing else travels between stages.  Everything here is plain data:
no stage stores ad-hoc attributes on these objects.  The parts an article holds by
the dozen (blocks, sentences, mentions, quotes, dates) have slots: at 10,000
articles they are millions of objects, and a per-object dict would double them.
Those an analysed article holds for the rest of the build (its blocks, sentences and mentions, and an
actor's mentions) are held as columns (`Columns`): a sequence that reads like a list of those objects,
each made when it is read.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import PurePosixPath


class Compact:
    """Pickled as a call of its constructor with its fields in order (`__slots__` of a slotted dataclass),
    not as a per-object slot dictionary: the analysis cache unpickles millions of these on every rebuild
    that changed anything, twice as fast this way."""

    __slots__ = ()

    def __reduce__(self):
        return type(self), tuple(getattr(self, name) for name in self.__slots__)


class Severity(StrEnum):
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Problem:
    """Something wrong with one input file, told to the user once."""

    path: str  # relative to the seeds folder, POSIX style
    reason: str
    severity: Severity = Severity.WARNING
    skipped: bool = True  # False for notices such as "not English: analysed as plain text"

    def __str__(self) -> str:
        return f"{printable(self.path)}: {self.reason}"

    @property
    def kind(self) -> str:
        """The reason without its details ("not valid UTF-8"), for grouping repeated problems."""
        return self.reason.split(" (", 1)[0].split(":", 1)[0].split(";", 1)[0].strip()


def printable(name: str) -> str:
    """`name` with what a terminal would act on or hide (a new line, an escape sequence, a direction
    override) written as an escape (`\\n`), so that a file's name can never forge or garble a message line."""
    if name.isprintable():
        return name
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in name)


@dataclass(frozen=True)
class SourceFile:
    """One file found in the seeds folder, read as bytes."""

    relpath: str  # POSIX path relative to the seeds folder; the article's identity
    data: bytes
    content_hash: str  # sha256 of data

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.relpath).suffix.lower()


@dataclass(frozen=True)
class SeedSource:
    """A file of the seeds folder not read yet, with the content hash its size, time and inode stand for
    (builder.cache.SeedHashes): its analysis is looked up in the cache by that hash, and the file is read
    (builder.read.read_seed_files) only if the cache does not have it. An edit rebuild reads one file, not
    every one."""

    relpath: str
    path: str  # absolute
    content_hash: str  # sha256 of the bytes the file had when its size, time and inode were these

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.relpath).suffix.lower()


class BlockKind(StrEnum):
    PARAGRAPH = "p"
    HEADING = "h"
    QUOTE = "quote"
    LIST_ITEM = "li"
    IMAGE = "image"  # remote image kept as its alt text / caption plus a link


@dataclass(slots=True)
class Block(Compact):
    """One block of article body text (plain text, no markup)."""

    kind: BlockKind
    text: str
    href: str | None = None  # the image address for IMAGE blocks


@dataclass(frozen=True, slots=True)
class Removal(Compact):
    """One piece of text the cleaner removed, and the rule that removed it."""

    rule: str
    text: str


@dataclass
class Credits:
    byline: str | None = None  # "Associated Press", "Choe Sang-Hun"
    agency: str | None = None  # "AP", "Reuters"
    dateline_place: str | None = None  # "SEOUL, South Korea"
    contributors: list[str] = field(default_factory=list)  # "Additional reporting by …"
    editors: list[str] = field(default_factory=list)  # "Editing by …"


@dataclass(frozen=True, slots=True)
class Sentence(Compact):
    index: int  # position in the article, 0-based; anchors are "s{index}"
    start: int  # character offsets into Article.text
    end: int
    block: int  # index of the block it belongs to


class EntityType(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"
    PLACE = "place"


@dataclass(frozen=True, slots=True)
class Mention(Compact):
    """A named entity recognised in an article's cleaned text."""

    start: int  # character offsets into Article.text
    end: int
    text: str
    type: EntityType
    sentence: int
    actor_key: str | None = None  # filled by linking: the Actor.key it resolves to


class Columns(Sequence):
    """A list of small objects held as columns (arrays of numbers, lists of strings) instead of one object
    each: what an analysed article holds of them lives through linking and rendering, beside the search
    index's Pagefind, and at 10,000 articles that is a million objects (~80 bytes each, in a list) against
    ~30 bytes a row here.  Reads like a list of them: each item is made when it is read (a new, equal
    object each time).  Equal to a list of equal items."""

    __slots__ = ()

    def _item(self, index: int):
        raise NotImplementedError

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._item(index)

    def __iter__(self) -> Iterator:
        return map(self._item, range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(mine == theirs for mine, theirs in zip(self, other, strict=True))

    __hash__ = None  # a list is not hashable either

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"

    def __reduce__(self):
        return type(self)._from_columns, tuple(getattr(self, name) for name in self.__slots__)

    @classmethod
    def _from_columns(cls, *columns):
        made = cls.__new__(cls)
        for name, column in zip(cls.__slots__, columns, strict=True):
            setattr(made, name, column)
        return made


def _offsets(values: Iterable[int]) -> array:
    return array("i", values)  # (OverflowError beyond ±2**31: the caller keeps a plain list then)


class Blocks(Columns):
    """An analysed article's blocks: their kinds, and where their text is in `Article.text` (which joins
    them), so that the blocks do not hold a second copy of the text."""

    __slots__ = ("ends", "hrefs", "kinds", "starts", "text")

    def __init__(self, blocks: Sequence[Block], text: str, starts: Sequence[int]) -> None:
        """`blocks` whose texts are `text[start : start + len(block.text)]` for their `starts` (ValueError if not)."""
        if len(blocks) != len(starts):
            raise ValueError("one start per block")
        for block, start in zip(blocks, starts, strict=True):
            if text[start : start + len(block.text)] != block.text:
                raise ValueError("a block's text is not at its start in the article's text")
        self.text = text
        self.kinds = [block.kind for block in blocks]  # (the enum's few members: 8 bytes a block)
        self.starts = _offsets(starts)
        self.ends = _offsets(start + len(block.text) for block, start in zip(blocks, starts, strict=True))
        self.hrefs = {number: block.href for number, block in enumerate(blocks) if block.href is not None}

    def __len__(self) -> int:
        return len(self.kinds)

    def _item(self, index: int) -> Block:
        return Block(self.kinds[index], self.text[self.starts[index] : self.ends[index]], self.hrefs.get(index))


class Sentences(Columns):
    """An article's sentences (each one's `index` is its position)."""

    __slots__ = ("blocks", "ends", "starts")

    def __init__(self, sentences: Iterable[Sentence] = ()) -> None:
        """ValueError if a sentence's index is not its position."""
        sentences = list(sentences)
        if any(sentence.index != position for position, sentence in enumerate(sentences)):
            raise ValueError("a sentence's index is not its position")
        self.starts = _offsets(sentence.start for sentence in sentences)
        self.ends = _offsets(sentence.end for sentence in sentences)
        self.blocks = _offsets(sentence.block for sentence in sentences)

    def __len__(self) -> int:
        return len(self.starts)

    def _item(self, index: int) -> Sentence:
        return Sentence(index, self.starts[index], self.ends[index], self.blocks[index])


class Mentions(Columns):
    """An article's mentions."""

    __slots__ = ("actor_keys", "ends", "sentences", "starts", "texts", "types")

    def __init__(self, mentions: Iterable[Mention] = ()) -> None:
        mentions = list(mentions)
        self.starts = _offsets(mention.start for mention in mentions)
        self.ends = _offsets(mention.end for mention in mentions)
        self.texts = [mention.text for mention in mentions]
        self.types = [mention.type for mention in mentions]
        self.sentences = _offsets(mention.sentence for mention in mentions)
        self.actor_keys = [mention.actor_key for mention in mentions]

    def __len__(self) -> int:
        return len(self.starts)

    def _item(self, index: int) -> Mention:
        return Mention(self.starts[index], self.ends[index], self.texts[index], self.types[index],
                       self.sentences[index], self.actor_keys[index])

    def with_actors(self, keys: list[str | None]) -> Mentions:
        """The same mentions with these actor keys (one per mention, in order)."""
        if len(keys) != len(self):
            raise ValueError("one actor key per mention")
        linked = Mentions._from_columns(*(getattr(self, name) for name in self.__slots__))  # the same columns
        linked.actor_keys = keys
        return linked


class Pairs(Columns):
    """(name, number) pairs, in order, held as a list of the names and an array of the numbers: an actor's
    mentions (source_file, index into that article's mentions) and the actors seen with it (Actor.key,
    shared articles)."""

    __slots__ = ("names", "numbers")

    def __init__(self, pairs: Iterable[tuple[str, int]] = ()) -> None:
        self.names: list[str] = []
        self.numbers = array("i")
        for pair in pairs:
            self.append(pair)

    def __len__(self) -> int:
        return len(self.names)

    def _item(self, index: int) -> tuple[str, int]:
        return self.names[index], self.numbers[index]

    def append(self, pair: tuple[str, int]) -> None:
        name, number = pair
        self.numbers.append(number)
        self.names.append(name)


@dataclass(frozen=True, slots=True)
class Quote(Compact):
    start: int
    end: int
    text: str
    sentence: int
    speaker: str | None = None  # surface form of the speaker, as written
    speaker_mention: int | None = None  # index into Article.mentions


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    SPAN = "span"


@dataclass(frozen=True, slots=True)
class DateRef(Compact):
    """A date found in the text, resolved against the article's own date."""

    value: date
    precision: Precision
    wording: str  # the words it came from: "on Wednesday", "July 27, 1953"
    sentence: int
    end_value: date | None = None  # for spans ("1950-53")
    resolved: bool = True  # False: relative wording ("on Wednesday") with no article date to resolve it against
    rule: str = ""  # the named rule that found it ("weekday", "month-day-year", …), or how it was resolved


class DateBasis(StrEnum):
    """What an article's date was taken from, in few words for its reader (article.html: "dated from …")."""

    FRONT_MATTER = "front matter"  # a Markdown file's `date:`
    PAGE = "page metadata"  # an HTML page's metadata
    DATE_LINE = "date line"  # a line of its own at the top of the text: "Published May 3, 2013 11:45 AM"
    DATELINE = "dateline"  # "WASHINGTON, Jan. 10, 2016 (AP) —"
    ANNIVERSARY = "anniversary"  # "the 70th anniversary of the armistice" and "July 27, 1953"
    EVENT = "event"  # the date of the event it reports, read from the other reports of it
    NONE = ""  # undated


@dataclass
class ArticleDate:
    value: datetime | None
    how: str  # the whole account, for the curious: "metadata", "inferred from the dateline '…'", "undated"
    basis: DateBasis = DateBasis.NONE  # what the date was taken from, in short (what article pages show)


@dataclass(slots=True)
class LinkFeatures:
    """What linking compares of one article, worked out from that article alone (`builder.link.prepare`).

    It is made in the per-article stage (on every core, cached with the analysis), so that linking does
    only the work that needs all articles.  Linking empties it (Article.link_features = None) once done:
    rendering has no use for it.  Kept compact, because every article carries it from the cache to the
    linker: the content words as one string and their counts as an array (not a Counter of 300 strings,
    slow to unpickle and un-interned), the shingles' MinHash signature as raw bytes (the shingles themselves
    are worked out again in linking for the few articles that may be duplicates), the triggers as integers."""

    # Linking lets go of signature and words as soon as it has read them (None: read, or never made), so that
    # they are not held through the rest of linking.
    signature: bytes | None  # MinHash of the text's shingles: 128 uint64 (machine order); b"" if too short (duplicates)
    words: str | None  # the content words of the text and title, space-separated, in first-seen order (events)
    word_counts: array | None  # ("I") each word's count (a title word counts 2)
    triggers: array  # ("i") event trigger words, 5 numbers each: sentence, type index, start, end, is-noun
    types_key: str  # which event types table found the triggers (site/event_types.toml changes it)


@dataclass
class Article:
    """One article, filled in stage by stage."""

    # read
    source_file: str  # relpath of the SourceFile
    content_hash: str
    title: str
    blocks: list[Block] | Blocks  # Blocks once analysed (hold_compactly)
    published: ArticleDate
    source: str = "Unknown source"  # the publisher's name
    original_url: str | None = None
    categories: list[str] = field(default_factory=list)
    author: str | None = None  # from front matter, if any
    # clean
    credits: Credits = field(default_factory=Credits)
    removals: list[Removal] = field(default_factory=list)
    # analyse
    language: str = "en"
    text: str = ""  # the cleaned body: blocks joined by "\n\n"; all offsets point here
    block_starts: list[int] = field(default_factory=list)  # offset of each block in text
    sentences: list[Sentence] | Sentences = field(default_factory=list)  # Sentences once analysed
    summary: list[int] = field(default_factory=list)  # sentence indices, in article order
    mentions: list[Mention] | Mentions = field(default_factory=list)  # Mentions once analysed
    quotes: list[Quote] = field(default_factory=list)
    dates: list[DateRef] = field(default_factory=list)
    # link
    slug: str = ""
    also_published_as: list[str] = field(default_factory=list)  # source_file of duplicates
    main_event: str | None = None  # Event.key of the happening the article mainly reports
    events: list[str] = field(default_factory=list)  # Event.key of every happening it reports
    # analyse (entities): nationality and group words, which are not actors: (start, end, text, sentence)
    affiliations: list[tuple[int, int, str, int]] = field(default_factory=list)
    # per article, for link (builder.link.prepare); None once linking is done. Not part of what the article is.
    link_features: LinkFeatures | None = field(default=None, repr=False, compare=False)

    def hold_compactly(self) -> Article:
        """Hold the blocks, sentences and mentions as columns from now on (the analysis cache stores them so,
        and the build holds them so to the end); a part that does not fit its columns (a block not at its
        offset in the text, a sentence whose index is not its position) stays a list."""
        parts = (("blocks", lambda: Blocks(self.blocks, self.text, self.block_starts)),
                 ("sentences", lambda: Sentences(self.sentences)), ("mentions", lambda: Mentions(self.mentions)))
        for name, columns in parts:
            if isinstance(getattr(self, name), list):
                with suppress(ValueError, OverflowError):
                    setattr(self, name, columns())
        return self

    def sentence_text(self, index: int) -> str:
        sentence = self.sentences[index]
        return self.text[sentence.start : sentence.end]

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass
class Source:
    """A publisher, with the articles it published."""

    name: str
    slug: str
    articles: list[Article] = field(default_factory=list)


@dataclass
class Actor:
    key: str  # stable identity across builds
    name: str
    type: EntityType
    slug: str
    aliases: list[str] = field(default_factory=list)
    description: str | None = None
    roles: list[tuple[str, str, int]] = field(default_factory=list)  # (role, source_file, sentence)
    mentions: Pairs = field(default_factory=Pairs)  # (source_file, mention index)
    # (source_file, sentence, quoted text or None for an "X said" sentence without quotation marks)
    quotes: list[tuple[str, int, str | None]] = field(default_factory=list)
    prominence: int = 0  # number of articles that mention the actor
    co_actors: Pairs = field(default_factory=Pairs)  # (Actor.key, shared articles), most first
    redirect_from: list[str] = field(default_factory=list)  # old slugs (before a curated rename or merge)


@dataclass
class Event:
    key: str
    label: str
    type: str
    slug: str
    date: DateRef | None = None
    place: str | None = None  # Actor.key
    participants: list[str] = field(default_factory=list)  # Actor.key
    evidence: list[tuple[str, int]] = field(default_factory=list)  # (source_file, sentence)
    date_how: str = ""  # how it was dated, in words: "reported as 'on Wednesday'", "set by hand in curation.toml", …
    date_from: str | None = None  # source_file of the report its date was taken from (None: by hand or undated)
    background: bool = False  # a past happening mentioned as context (the 1950–53 war)
    sources: list[str] = field(default_factory=list)  # source_file of every article reporting it, best first
    summary: list[tuple[str, int]] = field(default_factory=list)  # combined summary: (source_file, sentence)
    related: list[str] = field(default_factory=list)  # Event.key of related events
    redirect_from: list[str] = field(default_factory=list)  # old slugs (before a curated label, date or merge)


@dataclass
class Site:
    """Everything the renderer needs: the linked digest."""

    title: str
    articles: list[Article]  # newest first, undated last
    sources: list[Source]
    actors: list[Actor] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    rule_counts: dict[str, int] = field(default_factory=dict)  # cleaning rule → removals
    problems: list[Problem] = field(default_factory=list)
    actor_report: ResolutionReport | None = None  # what actor resolution left to the user


@dataclass(frozen=True)
class OutputPage:
    """One file to write, relative to the output folder."""

    path: str  # POSIX, relative: "articles/some-slug.html"
    content: bytes


@dataclass(frozen=True)
class KeptPage:
    """A page whose inputs are those it had in the build that made the current output (its input key did
    not change): not rendered again, its previous file is kept.  With `content` (the verification mode
    of builder.page_keys) it was rendered anyway, and the writer checks that these are its previous bytes."""

    path: str  # POSIX, relative, as OutputPage.path
    content: bytes | None = None
    state: tuple[int, int] | None = None  # the previous file's size and modification time (ns) when keyed
    # What the search index takes of it, recorded with its key (builder.search.page_entry): the digest of
    # its path and searchable bytes (hex), "" for a page not indexed; None: not recorded (the writer reads the file).
    search: str | None = None


@dataclass(frozen=True)
class PendingSearch:
    """A site written with its search index still to make (builder.search_catchup): what the index needs."""

    # each page's search entry (builder.search.page_entry in hex, "" for a page not indexed), in the order written
    pages: tuple[tuple[str, str], ...]
    marker: bytes  # the site's marker as written: the index is swapped in only while the output is that site


@dataclass
class ResolutionReport:
    """What actor resolution could not decide alone, for the user to confirm in site/curation.toml."""

    unmatched_curation: list[str] = field(default_factory=list)  # curation entries that matched no actor
    likely_merges: list[tuple[str, str, str, str]] = field(default_factory=list)  # (key_a, key_b, why, entry)
    slug_clashes: list[str] = field(default_factory=list)  # slugs two actors wanted, and how it was settled
