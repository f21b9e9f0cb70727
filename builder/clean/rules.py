"""Boilerplate rules as data: the builder's own file plus the user's `site/boilerplate.toml`.

A rule file holds `[[rule]]` tables and an optional `[words]` table:

    [[rule]]
    name = "ad-marker"            # unique; a user rule with a builtin's name replaces it
    kind = "inline"               # block | inline | tail | trailing | caption-credit (see KINDS)
    pattern = '\\[ad_\\d+\\]'        # a Python regular expression
    description = "WordPress ad placeholders"
    ignore_case = false           # optional
    contains = ["[ad_"]           # optional: tried only on blocks holding one of these strings (case-sensitive)
    max_chars = 600               # optional: tried only on blocks this long or shorter (fast)
    enabled = true                # optional: false switches a builtin rule off

    [words]
    whole = ["YouTube", "PlayStation"]   # mixed-case words that are never split as fused words

Rules are a frozen dataclass of tuples: hashable and repr-stable, so they can be part of a cache key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from builder.errors import ConfigError

BUILTIN_FILE = Path(__file__).parent / "boilerplate.toml"
USER_FILE_NAME = "boilerplate.toml"

KINDS = {
    "block": "a block whose whole text matches is removed",
    "inline": "every match inside a block is removed, the rest of the block stays",
    "tail": "a block that matches is removed with every block after it, when those are short (lists of links)",
    "trailing": "matching blocks are removed from the end of the article only",
    "caption-credit": "on image captions only: each match (a photo credit) is removed, the caption and image stay",
}
_RULE_KEYS = {"name", "kind", "pattern", "description", "ignore_case", "enabled", "contains", "max_chars"}
_WORD_KEYS = {"whole"}


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    pattern: str
    description: str = ""
    ignore_case: bool = False
    contains: tuple[str, ...] = ()  # a cheap pre-check: the rule can only match text holding one of these
    max_chars: int = 0  # another: the rule can only match text this long or shorter (0: any length)
    regex: re.Pattern[str] = field(init=False, compare=False, repr=False, hash=False)
    needles: re.Pattern[str] | None = field(init=False, compare=False, repr=False, hash=False)

    def __post_init__(self) -> None:
        flags = re.IGNORECASE if self.ignore_case else 0
        object.__setattr__(self, "regex", re.compile(self.pattern, flags))
        needles = "|".join(re.escape(needle) for needle in self.contains)
        object.__setattr__(self, "needles", re.compile(needles) if needles else None)

    def may_match(self, text: str) -> bool:
        if self.max_chars and len(text) > self.max_chars:
            return False
        return self.needles is None or self.needles.search(text) is not None

    def matches_block(self, text: str) -> bool:
        return self.may_match(text) and self.regex.fullmatch(text) is not None


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...] = ()
    whole_words: tuple[str, ...] = ()  # mixed-case words kept whole ("YouTube"), from every rule file
    files: tuple[str, ...] = field(default=(), compare=False, repr=False)  # the rule files read, for messages

    _by_kind: dict[str, tuple] = field(default_factory=dict, init=False, compare=False, repr=False)

    def first_block_match(self, kind: str, text: str) -> Rule | None:
        """The first rule of this kind whose pattern matches the whole text.

        Rules without `contains` are tried as one combined pattern first (one regex call per block, not thirty).
        """
        key = "combined:" + kind
        if key not in self._by_kind:
            plain = tuple(rule for rule in self.of_kind(kind) if rule.needles is None and not rule.max_chars)
            try:
                flagged = [f"(?i:{r.pattern})" if r.ignore_case else f"(?:{r.pattern})" for r in plain]
                combined = re.compile("|".join(flagged)) if plain else None
            except re.error:  # e.g. two rules with the same group name: try them one by one
                combined = None
                plain = ()
            self._by_kind[key] = (combined, plain, tuple(r for r in self.of_kind(kind) if r not in plain))
        combined, plain, others = self._by_kind[key]
        if combined is not None and combined.fullmatch(text):
            for rule in plain:
                if rule.regex.fullmatch(text):
                    return rule
        for rule in others:
            if rule.matches_block(text):
                return rule
        return None

    def of_kind(self, kind: str) -> tuple[Rule, ...]:
        if kind not in self._by_kind:
            self._by_kind[kind] = tuple(rule for rule in self.rules if rule.kind == kind)
        return self._by_kind[kind]


def load_rules(site_dir: Path) -> Rules:
    """The builder's rules, then the user's site/boilerplate.toml (if any) on top.

    Every problem in a file is collected; then one ConfigError names the file and each bad rule.
    """
    files = [BUILTIN_FILE]
    user_file = Path(site_dir) / USER_FILE_NAME
    if user_file.is_file():
        files.append(user_file)
    by_name: dict[str, Rule] = {}
    whole: list[str] = []
    for path in files:
        rules, disabled, words = _read_rule_file(path)
        for name in disabled:
            by_name.pop(name, None)
        for rule in rules:
            by_name.pop(rule.name, None)  # a redefined rule moves to its new place
            by_name[rule.name] = rule
        whole.extend(word for word in words if word not in whole)
    return Rules(rules=tuple(by_name.values()), whole_words=tuple(whole), files=tuple(str(p) for p in files))


def _read_rule_file(path: Path) -> tuple[list[Rule], list[str], list[str]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the rule file ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    errors: list[str] = []
    for key in sorted(set(data) - {"rule", "words"}):
        errors.append(f"unknown table or key {key!r} (expected [[rule]] and [words])")
    entries = data.get("rule", [])
    if not isinstance(entries, list):
        errors.append("'rule' must be an array of tables: write [[rule]]")
        entries = []
    rules: list[Rule] = []
    disabled: list[str] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        label = f"rule #{number}"
        if not isinstance(entry, dict):
            errors.append(f"{label}: must be a table")
            continue
        name = entry.get("name")
        if isinstance(name, str) and name.strip():
            label = f"rule {name!r}"
        else:
            errors.append(f"{label}: missing 'name'")
            continue
        if name in seen:
            errors.append(f"{label}: defined twice in this file")
        seen.add(name)
        problems = _check_entry(entry)
        if problems:
            errors.extend(f"{label}: {problem}" for problem in problems)
            continue
        if entry.get("enabled", True) is False:
            disabled.append(name)
            continue
        try:
            rules.append(
                Rule(
                    name=name,
                    kind=entry["kind"],
                    pattern=entry["pattern"],
                    description=entry.get("description", ""),
                    ignore_case=entry.get("ignore_case", False),
                    contains=tuple(entry.get("contains", ())),
                    max_chars=entry.get("max_chars", 0),
                )
            )
        except re.error as error:
            errors.append(f"{label}: bad pattern ({error})")
    words = data.get("words", {})
    whole: list[str] = []
    if not isinstance(words, dict):
        errors.append("'words' must be a table: write [words]")
    else:
        for key in sorted(set(words) - _WORD_KEYS):
            errors.append(f"[words]: unknown key {key!r} (expected 'whole')")
        value = words.get("whole", [])
        if not isinstance(value, list) or not all(isinstance(word, str) and word.strip() for word in value):
            errors.append("[words]: 'whole' must be a list of words")
        else:
            whole = [word.strip() for word in value]
    if errors:
        raise ConfigError(f"{path}: bad boilerplate rules:\n  " + "\n  ".join(errors))
    return rules, disabled, whole


def _check_entry(entry: dict) -> list[str]:
    problems = [f"unknown key {key!r}" for key in sorted(set(entry) - _RULE_KEYS)]
    if entry.get("enabled", True) is False and "kind" not in entry and "pattern" not in entry:
        return problems  # switching a builtin rule off needs only its name
    kind = entry.get("kind")
    if kind not in KINDS:
        problems.append(f"'kind' must be one of {', '.join(KINDS)} (got {kind!r})")
    pattern = entry.get("pattern")
    if not isinstance(pattern, str) or not pattern:
        problems.append("missing 'pattern' (a regular expression)")
    else:
        try:
            if kind in ("inline", "caption-credit") and re.compile(pattern).fullmatch(""):
                problems.append("an inline pattern must not match empty text")
        except re.error as error:
            problems.append(f"bad pattern ({error})")
    for key in ("description",):
        if key in entry and not isinstance(entry[key], str):
            problems.append(f"'{key}' must be a string")
    contains = entry.get("contains", [])
    if not isinstance(contains, list) or not all(isinstance(item, str) and item for item in contains):
        problems.append("'contains' must be a list of non-empty strings")
    max_chars = entry.get("max_chars", 0)
    if not isinstance(max_chars, int) or isinstance(max_chars, bool) or max_chars < 0:
        problems.append("'max_chars' must be a whole number of characters")
    for key in ("ignore_case", "enabled"):
        if key in entry and not isinstance(entry[key], bool):
            problems.append(f"'{key}' must be true or false")
    return problems
