"""The per-article analysis pipeline: an explicit, ordered list of named components.

Each component is `component(article, config) -> Article`.  The list is data,
so one step can be turned off (`analyse_article(..., skip={"find_quotes"})`)
or run and measured alone (`run_component("summarise", article, config)`).

Components that only understand English (entities, quotes, dates) are
skipped for articles detected as another language; sentences and the summary
are still computed for them.  The entity and date components live in modules
written separately; they are imported lazily and left out while they do not
exist yet.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable, Collection
from dataclasses import dataclass

from builder.analyse.language import detect_language
from builder.analyse.quotes import find_quotes
from builder.analyse.sentences import split_sentences
from builder.analyse.summary import summarise
from builder.config import Config
from builder.model import Article

ComponentFunction = Callable[[Article, Config], Article]


def join_blocks(article: Article, config: Config | None = None) -> Article:
    """Component: article.text = the blocks joined by a blank line; article.block_starts = their offsets."""
    starts: list[int] = []
    offset = 0
    for block in article.blocks:
        starts.append(offset)
        offset += len(block.text) + 2
    article.text = "\n\n".join(block.text for block in article.blocks)
    article.block_starts = starts
    return article


@dataclass(frozen=True)
class Component:
    """One named analysis step.

    `function` is either the callable itself or "module:name1,name2" for a component
    in a module that may not exist yet (the first name found is used).
    """

    name: str
    function: ComponentFunction | str
    english_only: bool = False
    needs: tuple[str, ...] = ()  # article fields it reads
    adds: tuple[str, ...] = ()  # article fields it fills

    def resolve(self) -> ComponentFunction | None:
        if callable(self.function):
            return self.function
        return _load_optional(self.function)


_OPTIONAL: dict[str, ComponentFunction | None] = {}


def _load_optional(spec: str) -> ComponentFunction | None:
    if spec not in _OPTIONAL:
        module_name, names = spec.split(":")
        found = None
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise  # the module exists but is itself broken: say so
            module = None
        if module is not None:
            found = next((getattr(module, n) for n in names.split(",") if callable(getattr(module, n, None))), None)
        _OPTIONAL[spec] = found
    return _OPTIONAL[spec]


COMPONENTS: tuple[Component, ...] = (
    Component("join_blocks", join_blocks, needs=("blocks",), adds=("text", "block_starts")),
    Component("detect_language", detect_language, needs=("title", "text"), adds=("language",)),
    Component("split_sentences", split_sentences, needs=("blocks", "block_starts"), adds=("sentences",)),
    Component("summarise", summarise, needs=("sentences", "text", "title"), adds=("summary",)),
    Component(
        "entities",
        "builder.analyse.entities:find_entities,find_mentions,recognise_entities",
        english_only=True,
        needs=("sentences", "text"),
        adds=("mentions",),
    ),
    Component("find_quotes", find_quotes, english_only=True, needs=("sentences", "text", "mentions"), adds=("quotes",)),
    Component(
        "dates",
        "builder.analyse.dates:find_dates,resolve_dates",
        english_only=True,
        needs=("sentences",),
        adds=("dates",),
    ),
)


def component_names() -> list[str]:
    return [component.name for component in COMPONENTS]


def analyse_article(article: Article, config: Config, skip: Collection[str] = ()) -> Article:
    """Run every component in order on a copy of the article and return it (the input is left untouched)."""
    article = copy.copy(article)
    for component in COMPONENTS:
        if component.name in skip:
            continue
        if component.english_only and not article.language.startswith("en"):
            continue
        function = component.resolve()
        if function is not None:
            article = function(article, config)
    return article


def run_component(name: str, article: Article, config: Config) -> Article:
    """Run one component alone (to test or time it); the article must already hold what it needs."""
    for component in COMPONENTS:
        if component.name == name:
            function = component.resolve()
            if function is None:
                raise LookupError(f"analysis component {name!r} is not available yet")
            return function(copy.copy(article), config)
    raise LookupError(f"no analysis component {name!r} (known: {', '.join(component_names())})")
