"""reports/cleaning.html: the cleaning rules that fired across the site, and the files skipped."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from builder.model import OutputPage, Site
from builder.render import PageRenderer

EXAMPLES_PER_RULE = 3
EXAMPLE_LENGTH = 160


@dataclass(frozen=True)
class RuleReport:
    rule: str
    removals: int
    articles: int
    examples: tuple[tuple[str, str], ...]  # (removed text, article page)


def rule_reports(renderer: PageRenderer, site: Site) -> list[RuleReport]:
    """Each rule: how many removals in how many articles, with a few distinct examples; most used first."""
    removals: Counter[str] = Counter()
    articles: Counter[str] = Counter()
    examples: dict[str, dict[str, str]] = {}
    for article in site.articles:
        seen: set[str] = set()
        for removal in article.removals:
            removals[removal.rule] += 1
            if removal.rule not in seen:
                seen.add(removal.rule)
                articles[removal.rule] += 1
            found = examples.setdefault(removal.rule, {})
            text = " ".join(removal.text.split())
            if len(text) > EXAMPLE_LENGTH:
                text = text[: EXAMPLE_LENGTH - 1].rstrip() + "…"
            if len(found) < EXAMPLES_PER_RULE and text and text not in found:
                found[text] = renderer.article_pages[article.source_file]
    for rule, count in site.rule_counts.items():  # counts the linker may have computed (e.g. from cached data)
        if rule not in removals:
            removals[rule] = count
    return [
        RuleReport(rule, count, articles[rule], tuple(examples.get(rule, {}).items()))
        for rule, count in sorted(removals.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def plan(renderer: PageRenderer, site: Site) -> list[OutputPage]:
    problems = sorted(site.problems, key=lambda p: (not p.skipped, p.path, p.reason))
    kinds = Counter(p.kind for p in problems if p.skipped)
    return [
        renderer.page(
            "reports/cleaning.html",
            "cleaning.html",
            rules=rule_reports(renderer, site),
            skipped=[p for p in problems if p.skipped],
            notices=[p for p in problems if not p.skipped],
            skipped_kinds=sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])),
        )
    ]

