"""Actor resolution across articles after edits, additions and deletions, with the previous build's joins
(builder.link.rejoin), gives what a cold resolution gives: on made-up articles (hypothesis: any sequence of
changes, names whose type, acronyms and lone words change with them) and on real news (news-2016: the whole
linked Site)."""

from __future__ import annotations

import pickle
import tomllib
from collections.abc import Callable
from pathlib import Path
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.config import Config
from builder.link import link_site
from builder.link.actors import resolve_actors
from builder.link.curation import parse_curation
from builder.link.memo import LinkMemo
from builder.link.rejoin import JoinState
from builder.model import Article, EntityType
from tests.test_actors import make_article

PER, ORG, LOC = EntityType.PERSON, EntityType.ORGANISATION, EntityType.PLACE
# Names that meet every rule of step 3: (first, last) blocks, names inside names, lone words by last word,
# first word and organisation last word, acronyms given one or two expansions; some of them typed either way;
NAMES: dict[str, tuple[EntityType, ...]] = {
    "Gary Ross": (PER,), "Moviemaker Gary Ross": (PER,), "Ross": (PER, ORG),
    "Sergei Shoigu": (PER,), "Sergei Kuzhugetovich Shoigu": (PER,), "Shoigu": (PER,),
    "Kim Jong Un": (PER,), "Kim Yo Jong": (PER,), "Kim": (PER,),
    "George Bush": (PER,), "Laura Bush": (PER,), "Bush": (PER,), "George": (PER,),
    "John Smith": (PER, ORG), "Will Smith": (PER,), "Smith": (PER, ORG), "Elton John": (PER,), "John": (PER,),
    "New Orleans Saints": (ORG,), "Saints": (ORG, PER), "Georgia": (LOC, PER), "Georgia Saints": (ORG, PER),
    "Korean Central News Agency": (ORG,), "Kansas City Naval Academy": (ORG,), "KCNA": (ORG,),
    "United Nations": (ORG,), "UN": (ORG,), "Paris": (LOC,),
    # one name written with and without spaces: the name's key is the first naming article's spelling
    "Kim Jongun": (PER,), "Black Lives Matter": (ORG,), "BlackLivesMatter": (ORG,),
    # likely merges of similar names (builder.link.similar): a similar spelling, a surname with the same initial
    "Sergey Shoigu": (PER, ORG), "Georgie Bush": (PER,),
}


def made_up(name: str, version: str, rng: Random, sentence: str = "{name} spoke on day {k}") -> Article:
    """An article naming two to five of NAMES (an acronym after its expansion, when both are chosen), each in
    `sentence`."""
    chosen = rng.sample(sorted(NAMES), rng.randint(2, 5))
    chosen.sort(key=lambda n: (n.isupper(), rng.random()))  # acronyms last: after what defines them
    text = ". ".join(sentence.format(name=n, k=k) for k, n in enumerate(chosen)) + "."
    article = make_article(name, text, {n: rng.choice(NAMES[n]) for n in chosen})
    article.content_hash = f"{name}-{version}"
    return article


def change_site(site: dict[str, Article], changes: list[str], step: int, rng: Random,
                sentence: Callable[[], str] | None = None) -> None:
    """Apply one build's `changes` to `site`: "edit" rewrites an article, "add" adds one, "delete" removes one
    (never the last); each new text says its names in `sentence()` (made_up's default without it)."""
    for change in changes:
        name = rng.choice(sorted(site)) if site else f"{rng.randrange(100):03d}a.md"
        if change == "delete" and len(site) > 1:
            del site[name]
        else:
            name = name if change == "edit" else f"{rng.randrange(100):03d}a.md"
            site[name] = (made_up(name, f"v{step}", rng) if sentence is None
                          else made_up(name, f"v{step}", rng, sentence()))


def resolved(site: dict[str, Article], memo: LinkMemo | None, curation=None) -> str:
    articles = [pickle.loads(pickle.dumps(site[name])) for name in sorted(site)]
    return repr(resolve_actors(articles, None, curation, memo))


CHANGE = st.sampled_from(["edit", "add", "delete"])


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10_000), size=st.integers(4, 40),
       builds=st.lists(st.lists(CHANGE, min_size=1, max_size=3), min_size=1, max_size=4))
def test_a_resolution_after_changes_is_a_cold_resolution(seed, size, builds):
    """Each build after the first changes one to three articles (the next one is resolved with its memo)."""
    rng = Random(seed)
    site = {f"{n:03d}.md": made_up(f"{n:03d}.md", "v0", rng) for n in range(size)}
    memo = LinkMemo()
    assert resolved(site, memo) == resolved(site, None)
    for step, changes in enumerate(builds, 1):
        change_site(site, changes, step, rng)
        memo = LinkMemo(memo.kept)
        assert resolved(site, memo) == resolved(site, None), (step, changes)


RETYPED = parse_curation(tomllib.loads('[type]\nSmith = "organisation"\nSaints = "person"\nBush = "organisation"'))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), size=st.integers(4, 30),
       builds=st.lists(st.lists(CHANGE, min_size=1, max_size=3), min_size=1, max_size=4))
def test_an_actor_a_curation_retypes_in_one_build_and_not_the_next_is_described_as_a_cold_link_does(
        seed, size, builds):
    """A retype names an actor by a name that may go to another actor after an edit ("Smith" joins "John Smith",
    then stands alone): an unchanged article's actor may change type with the same key, and what the article says
    of it (a person's role, no organisation's) changes with it (builder.link.article_links)."""
    edits_resolve_as_cold(seed, size, builds, RETYPED, said="{name}, a spokesman, spoke on day {k}")


CURATED = parse_curation(tomllib.loads(
    '[rename]\nKim = "Chairman Kim"\nSaints = "The Saints"\n'
    '[description]\nSmith = "an agent"\nBush = "a president"\nJohn = "a first name"\n'
    '[aliases]\nShoigu = ["the minister"]\n'))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), size=st.integers(4, 30),
       builds=st.lists(st.lists(CHANGE, min_size=1, max_size=3), min_size=1, max_size=4))
def test_an_actor_a_curation_names_by_a_spelling_other_articles_change_is_resolved_as_a_cold_link_does(
        seed, size, builds):
    """A rename, description or alias names an actor by a lone word: which actor that is (if any) may change with
    articles that do not name it (another actor spelt so too), and an actor recalled whole from the previous build
    (session 19 tried it, and dropped it) must not keep the name or description it no longer has."""
    edits_resolve_as_cold(seed, size, builds, CURATED)


def edits_resolve_as_cold(seed: int, size: int, builds: list[list[str]], curation, said: str | None = None) -> None:
    """A made-up site of `size` articles changed build by build (`builds`: edits, additions, deletions), each
    build's resolution with the memo of the one before equal to a cold one, under `curation`."""
    rng = Random(seed)
    sentence = {} if said is None else {"sentence": said}
    site = {f"{n:03d}.md": made_up(f"{n:03d}.md", "v0", rng, **sentence) for n in range(size)}
    memo = LinkMemo()
    assert resolved(site, memo, curation) == resolved(site, None, curation)
    for step, changes in enumerate(builds, 1):
        change_site(site, changes, step, rng, None if said is None else lambda: said)
        memo = LinkMemo(memo.kept)
        assert resolved(site, memo, curation) == resolved(site, None, curation), (step, changes)


def test_a_description_that_stops_naming_an_actor_follows_it():
    """"Kim" is a spelling of Kim Jong Un only, and the description names him by it; another article then spells
    Kim Yo Jong "Kim" too: the description names no one, though no article naming him changed (an actor recalled
    whole from the previous build because its articles did not change would keep it)."""
    curation = parse_curation(tomllib.loads('[description]\nKim = "the leader"'))
    site = {"a.md": make_article("a.md", "Kim Jong Un spoke. Kim left.", {"Kim Jong Un": PER, "Kim": PER}),
            "b.md": make_article("b.md", "Berlin was calm.", {"Berlin": LOC}),
            "c.md": make_article("c.md", "Paris was calm.", {"Paris": LOC})}
    memo = LinkMemo()
    before = resolved(site, memo, curation)
    assert "the leader" in before
    site["b.md"] = make_article("b.md", "Kim Yo Jong spoke. Kim left.", {"Kim Yo Jong": PER, "Kim": PER})
    site["b.md"].content_hash = "v1"
    memo = LinkMemo(memo.kept)
    after = resolved(site, memo, curation)
    assert after == resolved(site, None, curation) and "the leader" not in after
    assert memo.actors_made_anew is None  # (a curation naming actors: which changed is not known)


def state_of(memo: LinkMemo) -> JoinState:
    return next(value for value in map(pickle.loads, memo.kept.values()) if isinstance(value, JoinState))


def test_an_edit_decides_again_only_the_parts_it_touches(monkeypatch):
    import builder.link.actors as actors_module

    rng = Random(5)
    site = {f"{n:03d}.md": made_up(f"{n:03d}.md", "v0", rng) for n in range(60)}
    site["zz-far.md"] = make_article("zz-far.md", "Angela Merkel met Francois Hollande.",
                                     {"Angela Merkel": PER, "Francois Hollande": PER})
    memo = LinkMemo()
    resolved(site, memo)
    decided: list[set[str]] = []
    real = actors_module.join_across_articles
    monkeypatch.setattr(actors_module, "join_across_articles",
                        lambda nodes, *rest, **named: decided.append(set(nodes)) or real(nodes, *rest, **named))
    site["zz-far.md"] = make_article("zz-far.md", "Angela Merkel met Francois Hollande. Merkel spoke.",
                                     {"Angela Merkel": PER, "Francois Hollande": PER, "Merkel": PER})
    site["zz-far.md"].content_hash = "v1"
    memo = LinkMemo(memo.kept)
    assert resolved(site, memo) == resolved(site, None)
    assert decided[0] == {"angelamerkel", "francoishollande"}  # their parts alone (its lone "Merkel": within it)
    assert len(state_of(memo).names) > 20


def test_a_memo_of_a_resolution_with_names_kept_apart_is_not_used():
    rng = Random(9)
    site = {f"{n:03d}.md": made_up(f"{n:03d}.md", "v0", rng) for n in range(30)}
    apart = parse_curation(tomllib.loads('[keep_apart]\nbush = ["George Bush", "Bush"]'))
    memo = LinkMemo()
    assert resolved(site, memo, apart) == resolved(site, None, apart)
    site["005.md"] = made_up("005.md", "v1", rng)
    memo = LinkMemo(memo.kept)
    assert resolved(site, memo, apart) == resolved(site, None, apart)


# ---------------------------------------------------------------- real news, the whole Site


NEWS = "2016-02-1[2-8]-*.md"  # a week of news-2016: Scalia's death, Syria, the pope in Mexico, the primaries


def link(articles: list[Article], memo: LinkMemo | None = None):
    return link_site(articles, [], Config(), None, event_types=Path("/nonexistent/event_types.toml"), memo=memo)


def articles_of(analysed: dict[str, bytes], extra: dict[str, Article], without: set[str]) -> list[Article]:
    chosen = {name: pickle.loads(data) for name, data in analysed.items() if name not in without}
    chosen.update({name: pickle.loads(pickle.dumps(article)) for name, article in extra.items()})
    return [chosen[name] for name in sorted(chosen)]


def test_news_linked_after_changes_with_the_memo_equals_a_cold_link(news, analysed, analyse, monkeypatch):
    import builder.link.actors as actors_module

    assert len(analysed) >= 120
    names = sorted(analysed)
    scalia = next(n for n in names if "scalia" in n)
    text = news[scalia] + b"\n\nAntonin Scalia and Pope Francis were mentioned by Bashar al-Assad on Monday.\n"
    obama = next(n for n in names if b"Obama" in news[n] and n != scalia)
    renamed = news[obama].replace(b"Obama", b"Barack Obama")
    added = news[names[20]] + b"\n\nJohn Kasich met Marco Rubio and Pope Francis in Leon on Monday.\n"
    steps = [  # each a whole site: (added or edited articles, deleted ones)
        ({}, set()),
        ({scalia: analyse(scalia, text)}, set()),
        ({scalia: analyse(scalia, text), obama: analyse(obama, renamed),
          "2016-02-15-zz-added.md": analyse("2016-02-15-zz-added.md", added)}, set()),
        ({"2016-02-15-zz-added.md": analyse("2016-02-15-zz-added.md", added)},
         {names[len(names) // 2], names[3]}),
    ]
    decided: list[int] = []
    real = actors_module.join_across_articles
    monkeypatch.setattr(actors_module, "join_across_articles",
                        lambda nodes, *rest, **named: decided.append(len(nodes)) or real(nodes, *rest, **named))
    memo = LinkMemo()
    sites = []
    for extra, without in steps:
        memo = LinkMemo(memo.kept)
        warm = link(articles_of(analysed, extra, without), memo)
        cold = link(articles_of(analysed, extra, without))
        assert repr(warm) == repr(cold)
        sites.append(repr(cold))
    assert len(set(sites)) == len(sites)
    whole = decided[0]  # a cold link decides every name; the edits' links with the memo, fewer
    assert all(0 < count < whole for count in decided[2::2]), decided


def test_an_actor_renamed_elsewhere_changes_the_co_actors_it_ties_with():
    """Kofi Annan is named with eleven people once each: the ten first by name are his co-actors.  An article
    that does not name him spells one of them another way ("Élan Vital", after every plain letter): his list
    changes, though no article naming him did."""
    others = ["Adam Abbot", "Bert Brown", "Carl Cole", "Dora Dean", "Elan Vital", "Fay Fox", "Gus Gray",
              "Hal Hunt", "Ida Irving", "Jon Jones", "Kurt Kane"]
    text = "Kofi Annan spoke. " + ". ".join(f"{name} listened" for name in others) + "."
    site = {"a.md": make_article("a.md", text, {"Kofi Annan": PER, **{name: PER for name in others}}),
            "b.md": make_article("b.md", "Paris was calm.", {"Paris": LOC})}
    memo = LinkMemo()
    before = resolved(site, memo)
    site["b.md"] = make_article("b.md", "Élan Vital spoke. Élan Vital left.", {"Élan Vital": PER})
    site["b.md"].content_hash = "v1"
    memo = LinkMemo(memo.kept)
    after = resolved(site, memo)
    assert after == resolved(site, None) and after != before
    annan = next(actor for actor in resolve_actors([pickle.loads(pickle.dumps(a)) for a in site.values()])[0]
                 if actor.name == "Kofi Annan")
    assert "person/elan-vital" not in {key for key, _ in annan.co_actors}
    assert annan.key in memo.actors_made_anew  # (for its co-actors alone)


def test_an_actor_no_article_of_which_changed_gets_the_slug_a_clash_elsewhere_gives_it():
    """George W. Bush as a person and as an organisation are two actors wanting one slug: when the organisation
    appears in another article, the person (no article naming it changed) gets the slug the clash gives it and
    redirects from its old one, as a cold link does, and is among the actors made anew."""
    site = {"a.md": make_article("a.md", "George W. Bush spoke.", {"George W. Bush": PER}),
            "c.md": make_article("c.md", "Paris was calm.", {"Paris": LOC})}
    memo = LinkMemo()
    resolved(site, memo)
    site["b.md"] = make_article("b.md", "George W. Bush grew.", {"George W. Bush": ORG})
    memo = LinkMemo(memo.kept)
    after = resolved(site, memo)
    assert after == resolved(site, None)
    person = next(a for a in resolve_actors([pickle.loads(pickle.dumps(a)) for a in site.values()])[0]
                  if a.key == "person/george-bush")
    assert (person.slug, person.redirect_from) == ("george-w-bush-person", ["george-w-bush"])
    assert "person/george-bush" in memo.actors_made_anew and "place/paris" not in memo.actors_made_anew
    del site["b.md"]  # the clash gone: the person's slug is its name's again
    memo = LinkMemo(memo.kept)
    assert resolved(site, memo) == resolved(site, None) != after
    assert memo.actors_made_anew == {"person/george-bush"}


def actors_by_key(site: dict[str, Article], memo: LinkMemo | None) -> dict[str, str]:
    articles = [pickle.loads(pickle.dumps(site[name])) for name in sorted(site)]
    return {actor.key: repr(actor) for actor in resolve_actors(articles, None, None, memo)[0]}


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10_000), size=st.integers(4, 40),
       builds=st.lists(st.lists(CHANGE, min_size=1, max_size=3), min_size=1, max_size=4))
def test_the_actors_not_made_anew_are_the_previous_builds(seed, size, builds):
    """memo.actors_made_anew (for rendering): every actor of an edit's resolution not in it is equal, field by
    field, to the previous build's actor with its key; it holds only actors of this build."""
    rng = Random(seed)
    said = "{name}, a spokesman, spoke on day {k}"
    site = {f"{n:03d}.md": made_up(f"{n:03d}.md", "v0", rng, said) for n in range(size)}
    memo = LinkMemo()
    before = actors_by_key(site, memo)
    assert memo.actors_made_anew is None  # (cold)
    for step, changes in enumerate(builds, 1):
        change_site(site, changes, step, rng, lambda: rng.choice([said, "{name} spoke on day {k}"]))
        memo = LinkMemo(memo.kept)
        after = actors_by_key(site, memo)
        anew = memo.actors_made_anew
        assert anew is not None and anew <= after.keys()
        assert {key: actor for key, actor in after.items() if key not in anew} == \
            {key: before[key] for key in after.keys() - anew}, (step, changes)
        before = after
