"""Event labels on real news: how many look wrong, and a random sample to read.

    .venv/bin/python bench/event_labels.py [--corpus news-2016] [--articles N] [--sample 30]

Analyses (cached) and links a real corpus (all of it, or its first N files by name) with the builder's
own pipeline (analyse_all, link_site), then counts suspicious labels: a label whose subject (the doer,
shown first) is a news organisation (a publisher of the corpus or a news agency), a ticker symbol, or a
place for a verb that needs an agent; and prints the events per type and a fixed random sample of labels.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from builder.build import analyse_all  # noqa: E402
from builder.config import Config, Paths, Settings  # noqa: E402
from builder.link import link_site  # noqa: E402
from builder.link.event_words import TYPES  # noqa: E402
from builder.model import EntityType  # noqa: E402
from builder.read import read_seeds  # noqa: E402

NEWS = {"ap", "associated press", "the associated press", "reuters", "thomson reuters", "afp", "agence france-presse",
        "bloomberg", "upi", "xinhua", "cnn", "bbc", "nbc", "nbc news", "cbs", "cbs news", "abc", "abc news", "fox news",
        "msnbc", "npr", "the new york times", "new york times", "the washington post", "washington post", "usa today",
        "the wall street journal", "wall street journal", "the guardian", "politico", "the hill", "yonhap", "tass",
        "ria novosti", "kcna", "al jazeera", "sky news", "the independent", "the telegraph", "daily mail", "time",
        "newsweek", "forbes", "cnbc", "the atlantic", "vox", "buzzfeed", "huffington post", "seattlepi.com"}
AGENT_TYPES = {"attack", "arrest", "court ruling", "meeting", "visit", "agreement", "appointment", "business",
               "accusation", "denial", "summit"}
_TICKER = re.compile(r"\b(?:NASDAQ|Nasdaq|NYSE|AMEX|TSX|LSE|OTC)\s*:\s*([A-Z][A-Z.]{0,5})|\$([A-Z]{2,5})\b")


def data_folder() -> Path:
    return Path(os.environ.get("BUILD_SITE_DATA", REPO.parent / "shared" / "data")).resolve()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="news-2016")
    parser.add_argument("--articles", type=int, default=0, help="only the first N files by name (default: all)")
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "build-site-bench-cache")
    args = parser.parse_args()

    seeds = data_folder() / args.corpus
    if not seeds.is_dir():
        sys.exit(f"no corpus at {seeds} (set BUILD_SITE_DATA)")
    with tempfile.TemporaryDirectory() as project:
        paths = Paths.from_project(Path(project), seeds=seeds, cache=args.cache)
        settings = Settings(config=Config(), paths=paths, jobs=os.cpu_count() or 1)
        sources, problems = read_seeds(seeds)
        sources = sorted(sources, key=lambda s: s.relpath)
        if args.articles:
            sources = sources[: args.articles]
        articles, more = analyse_all(sources, settings)
        site = link_site(articles, problems + more, settings.config)

    actors = {a.key: a for a in site.actors}
    news = NEWS | {a.source.lower() for a in site.articles}
    tickers = {m.group(1) or m.group(2) for a in site.articles for m in _TICKER.finditer(a.text)}
    labels = {kind.name: kind.label for kind in TYPES}
    counts: Counter = Counter()
    examples: dict[str, list[str]] = {}
    main = [e for e in site.events if not e.background]
    for event in main:
        verb = labels.get(event.type)
        if not verb or f" {verb}" not in event.label:
            continue
        subject = event.label.split(f" {verb}")[0]
        doer = next((actors[p] for p in event.participants if p in actors and actors[p].name == subject), None)
        problem = None
        if subject.lower() in news or subject.lower().removeprefix("the ") in news:
            problem = "news organisation as subject"
        elif subject in tickers or (re.fullmatch(r"[A-Z]{2,5}", subject) and doer is None):
            problem = "ticker as subject"
        elif event.type in AGENT_TYPES and doer is not None and doer.type == EntityType.PLACE:
            problem = "place as subject of an agent verb"
        elif re.search(r"\b(?:in|by|with|on)\s+(?:the\s+)?(?:" + "|".join(map(re.escape, sorted(news))) + r")\b",
                       event.label.lower()) and event.type != "report":
            problem = "news organisation as object"
        if problem:
            counts[problem] += 1
            examples.setdefault(problem, []).append(event.label)
    print(f"{len(site.articles)} articles, {len(site.events)} events ({len(main)} main, "
          f"{len(site.events) - len(main)} background)")
    print(f"suspicious labels: {sum(counts.values())}")
    for problem, count in counts.most_common():
        print(f"  {count:4d}  {problem}: " + "; ".join(examples[problem][:4]))
    print("events per type:")
    per_type = Counter(e.type for e in site.events)
    print("  " + ", ".join(f"{t} {n}" for t, n in per_type.most_common()))
    print(f"{args.sample} random labels:")
    for event in random.Random(7).sample(main, min(args.sample, len(main))):
        print(f"  [{event.type}] {event.label}")


if __name__ == "__main__":
    main()
