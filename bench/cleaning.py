"""Clean stage on news-2016: time per article, removals per rule, credits found, glue repairs.

    .venv/bin/python bench/cleaning.py [--show RULE]

Reads $BUILD_SITE_DATA/news-2016 (default ../shared/data); parsing is not timed, only clean_article.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from builder.clean import clean_article, load_rules  # noqa: E402
from builder.model import Article  # noqa: E402
from tests.test_boilerplate_news2016 import read_post  # noqa: E402


def main() -> None:
    data = Path(os.environ.get("BUILD_SITE_DATA", REPO.parent / "shared" / "data")) / "news-2016"
    show = sys.argv[sys.argv.index("--show") + 1] if "--show" in sys.argv else None
    rules = load_rules(REPO / "site")
    drafts = [read_post(path, path.name) for path in sorted(data.glob("*.md")) if path.name != "SOURCE.md"]
    drafts = [draft for draft in drafts if isinstance(draft, Article)]
    clean_article(drafts[0], rules)  # warm the lexicon cache
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        cleaned = [clean_article(draft, rules) for draft in drafts]
        best = min(best, time.process_time() - start)
    articles = [article for article in cleaned if isinstance(article, Article)]
    print(f"articles: {len(drafts)}, cleaned: {len(articles)}, problems: {len(drafts) - len(articles)}")
    print(f"clean_article: {best * 1000 / len(drafts):.3f} ms per article (CPU time, best of 3, {best:.2f} s in all)")
    counts = Counter(removal.rule for article in articles for removal in article.removals)
    posts = Counter(rule for article in articles for rule in {removal.rule for removal in article.removals})
    print("\nremovals by rule (removals / posts):")
    for rule, count in counts.most_common():
        print(f"  {rule:28} {count:6} {posts[rule]:6}")
    credits = [article.credits for article in articles]
    print("\ncredits:")
    print(f"  dateline_place   {sum(bool(c.dateline_place) for c in credits)}")
    print(f"  byline           {sum(bool(c.byline) for c in credits)}")
    print(f"  agency           {sum(bool(c.agency) for c in credits)}")
    print(f"  contributors     {sum(bool(c.contributors) for c in credits)}")
    print(f"  editors          {sum(bool(c.editors) for c in credits)}")
    for rule in ("fused-words", "glued-sentence"):
        repairs = [r.text for a in articles for r in a.removals if r.rule == rule]
        print(f"\n{rule}: {len(repairs)}")
        for text in repairs[:60]:
            print("  ", text)
    if show:
        print(f"\nremovals by {show}:")
        for article in articles:
            for removal in article.removals:
                if removal.rule == show:
                    print(f"  {article.source_file[:50]}: {removal.text[:150]!r}")


if __name__ == "__main__":
    main()
