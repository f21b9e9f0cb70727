"""Suspicious actors in a fixed sample of news-2016: counts by pattern, and a sample to eyeball.

    .venv/bin/python bench/actor_junk.py [--step 5] [--sample 40] [--seed 2016] [--show 8]

Every `step`-th file of $BUILD_SITE_DATA/news-2016 (sorted by path) goes through the builder's own
read → clean → analyse (builder.build.process_source) and builder.link.actors.resolve_actors.
Counted, over the resolved actors (one actor may fall under several patterns):

- headline: a name of 4+ words, all capitalised (function words aside), with a verb-like word in it
  (an auxiliary, or an -s/-ed/-ing form of a common word) and no organisation, place or title word
  ("Mayor Faces Vote Over Budget Plan"): a headline taken for a name;
- glued: a word with a lower-case letter followed by a capital ("SmithPresident", "VoteForSmith"),
  other than Mc/Mac/O'/De… names ("McCain", "DeGeneres") and the clean stage's whole words
  ("YouTube"); brands such as "AccuWeather" still count, so this never reaches zero;
- possessive: a name with "'s" inside or at its start ("Smith's Party");
- type split: a name whose actors or mentions are typed differently: the actors of the same name
  key under two types, and the mentions typed against the majority of that exact text on the site;
- long: a name of 5+ words (often a run-on of several names or a title).
Then `sample` random actors (fixed seed) with their types and article counts.
The data is read from $BUILD_SITE_DATA (default ../shared/data beside the repository).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from builder.analyse.entities import lexicon  # noqa: E402
from builder.build import ArticleContext, process_source  # noqa: E402
from builder.clean import load_rules  # noqa: E402
from builder.config import Config  # noqa: E402
from builder.link.actors import resolve_actors  # noqa: E402
from builder.link.names import name_key  # noqa: E402
from builder.model import Article  # noqa: E402
from builder.read import read_seeds  # noqa: E402

DATA = Path(os.environ.get("BUILD_SITE_DATA", REPO.parent / "shared" / "data"))
AUXILIARIES = frozenset((
    "is", "are", "was", "were", "be", "been", "has", "have", "had", "will", "would", "can", "could",
    "may", "might", "should", "must", "does", "did", "do", "to", "gets", "got", "takes", "took",
    "makes", "made", "says", "said", "wins", "won",
))
LIGHT = frozenset((
    "a", "an", "the", "of", "for", "and", "or", "in", "on", "at", "to", "by", "with", "over", "from",
    "as", "into", "up", "out", "off", "vs",
))
GLUED_RE = re.compile(r"[a-z][A-Z]")
MIXED_PREFIX_RE = re.compile(r"^(?:Mc|Mac|O'|O’|De|Di|Da|Du|La|Le|Van|Von|Fitz|Al|El)[A-Z]")


def verb_like(word: str) -> bool:
    lower = word.lower()
    if lower in AUXILIARIES:
        return True
    common = lexicon().common
    if lower not in common or word in lexicon().first_names or word in lexicon().places:
        return False
    return (lower.endswith("s") and not lower.endswith(("ss", "us", "is"))) or lower.endswith(("ed", "ing"))


def is_headline(name: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", name)]
    if len(words) < 4 or not all(w[0].isupper() or w.lower() in LIGHT for w in words):
        return False
    lex = lexicon()
    if any(w in lex.org_words or w in lex.place_words or w.lower() in lex.titles for w in words):
        return False  # "Federation of American Scientists", "Chief Financial Officer Mark Hawkins"
    return any(verb_like(w) for w in words[1:])


def is_glued(name: str, whole: frozenset[str]) -> bool:
    return any(GLUED_RE.search(w) and not MIXED_PREFIX_RE.match(w) and re.sub(r"['’]s$", "", w) not in whole
               for w in name.split())


def is_possessive(name: str) -> bool:
    return bool(re.search(r"['’]s\b", name))


def load_sample(step: int) -> list[Article]:
    sources, _ = read_seeds(DATA / "news-2016")
    context = ArticleContext(config=Config(), rules=load_rules(REPO / "no-site"))
    articles = []
    for source in sources[::step]:
        result = process_source(source, context)
        if isinstance(result, Article):
            articles.append(result)
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--step", type=int, default=5)
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--show", type=int, default=8, help="examples printed per pattern")
    args = parser.parse_args()

    articles = load_sample(args.step)
    whole = frozenset(load_rules(REPO / "no-site").whole_words)
    actors, linked, _ = resolve_actors(articles, Config())
    # mention types by exact text, across the site: a text typed against its majority is mistyped somewhere
    by_text: dict[str, Counter] = defaultdict(Counter)
    for article in linked:
        for mention in article.mentions:
            by_text[mention.text][mention.type.value] += 1
    against = {text: sum(c.values()) - max(c.values()) for text, c in by_text.items() if len(c) > 1}
    by_key: dict[str, set[str]] = defaultdict(set)
    for actor in actors:
        by_key[name_key(actor.name)].add(actor.type.value)
    split_names = {key for key, types in by_key.items() if len(types) > 1}

    patterns: dict[str, list[str]] = {name: [] for name in ("headline", "glued", "possessive", "type split", "long")}
    for actor in actors:
        label = f"{actor.name} [{actor.type.value}]"
        if is_headline(actor.name):
            patterns["headline"].append(label)
        if is_glued(actor.name, whole):
            patterns["glued"].append(label)
        if is_possessive(actor.name):
            patterns["possessive"].append(label)
        if name_key(actor.name) in split_names:
            patterns["type split"].append(label)
        if len(actor.name.split()) >= 5:
            patterns["long"].append(label)

    mentions = sum(len(a.mentions) for a in linked)
    print(f"news-2016 every {args.step}th file: {len(linked)} articles, {mentions} mentions, {len(actors)} actors")
    for name, found in patterns.items():
        print(f"  {name:<11} {len(found):>4}  e.g. {'; '.join(sorted(found)[:args.show])}")
    mistyped = sum(against.values())
    worst = sorted(against.items(), key=lambda kv: -kv[1])[:args.show]
    print(f"  mentions typed against their text's site majority: {mistyped} "
          f"({len(against)} texts), e.g. {'; '.join(f'{t} {dict(by_text[t])}' for t, _ in worst)}")
    suspicious = {label for found in patterns.values() for label in found}
    print(f"  actors under any pattern: {len(suspicious)} of {len(actors)}")

    print(f"\nrandom sample of {args.sample} actors (seed {args.seed}):")
    rng = random.Random(args.seed)
    for actor in sorted(rng.sample(actors, min(args.sample, len(actors))), key=lambda a: a.name):
        print(f"  {actor.type.value:<12} {actor.prominence:>3}  {actor.name}")


if __name__ == "__main__":
    main()
