"""Fingerprints made of plain values are exact: two actors, events or dates get the same fingerprint exactly
when they are equal (builder.page_keys: `_plain_object`, `_date_fields`), so an edit that changes any field
of one changes its fingerprint and renders its pages again, and one that changes nothing renders nothing.
And the root's links that `relative_url` returns as they are (the sitemap's) are the links it works out."""

from __future__ import annotations

import pickle
from dataclasses import fields, replace
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.model import Actor, DateRef, EntityType, Event, Pairs, Precision
from builder.page_keys import _date_fields, _event_shown, _fields, _pickled, object_fingerprint
from builder.render import _relative_path, relative_url

# Few values, so that two drawn objects are often equal or differ in one field only.
words = st.sampled_from(["", "a", "b", "a b", "é"])
numbers = st.integers(min_value=-1, max_value=2)
days = st.sampled_from([date(2016, 1, 1), date(2016, 1, 2), date(1950, 6, 25)])
pairs = st.lists(st.tuples(words, numbers), max_size=3).map(Pairs)

date_refs = st.builds(DateRef, value=days, precision=st.sampled_from(list(Precision)), wording=words,
                      sentence=numbers, end_value=st.none() | days, resolved=st.booleans(), rule=words)

actors = st.builds(
    Actor, key=words, name=words, type=st.sampled_from(list(EntityType)), slug=words,
    aliases=st.lists(words, max_size=2), description=st.none() | words,
    roles=st.lists(st.tuples(words, words, numbers), max_size=2), mentions=pairs,
    quotes=st.lists(st.tuples(words, numbers, st.none() | words), max_size=2), prominence=numbers,
    co_actors=pairs, redirect_from=st.lists(words, max_size=2))

events = st.builds(
    Event, key=words, label=words, type=words, slug=words, date=st.none() | date_refs, place=st.none() | words,
    participants=st.lists(words, max_size=2), evidence=st.lists(st.tuples(words, numbers), max_size=2),
    date_how=words, date_from=st.none() | words, background=st.booleans(), sources=st.lists(words, max_size=2),
    summary=st.lists(st.tuples(words, numbers), max_size=2), related=st.lists(words, max_size=2),
    redirect_from=st.lists(words, max_size=2))


@settings(max_examples=400, deadline=None)
@given(first=actors, second=actors)
def test_two_actors_have_one_fingerprint_exactly_when_they_are_equal(first, second):
    assert (object_fingerprint(first) == object_fingerprint(second)) == (first == second)


@settings(max_examples=400, deadline=None)
@given(first=events, second=events)
def test_two_events_have_one_fingerprint_exactly_when_they_are_equal(first, second):
    assert (object_fingerprint(first) == object_fingerprint(second)) == (first == second)


@settings(max_examples=400, deadline=None)
@given(first=date_refs, second=date_refs)
def test_two_dates_read_the_same_exactly_when_they_are_equal(first, second):
    """An article's dates, as its fingerprint reads them (linking dates an undated article)."""
    assert (_pickled(_date_fields(first)) == _pickled(_date_fields(second))) == (first == second)
    assert len(_date_fields(first)) == len(_fields(first))  # (the one call reads every slot)


@settings(max_examples=200, deadline=None)
@given(ref=date_refs, other=st.sampled_from(["2016-01-01", "day", ("date", "2016-01-01"), 20160101, None]))
def test_a_date_read_apart_from_anything_else_in_its_place(ref, other):
    """A DateRef holding something else than a date or a precision where they go (an ISO text, a tuple) does not
    read as the DateRef holding the date: the dates' plain form is exact, not only for well-typed values."""
    odd_value = object.__new__(DateRef)
    for name in DateRef.__slots__:
        object.__setattr__(odd_value, name, getattr(ref, name))
    object.__setattr__(odd_value, "value", other)
    odd_precision = object.__new__(DateRef)
    for name in DateRef.__slots__:
        object.__setattr__(odd_precision, name, getattr(ref, name))
    object.__setattr__(odd_precision, "precision", str(ref.precision) if other is None else other)
    for odd in (odd_value, odd_precision):
        assert _pickled(_date_fields(odd)) != _pickled(_date_fields(ref))


@settings(max_examples=100, deadline=None)
@given(actor=actors, event=events)
def test_a_copy_has_the_same_fingerprint(actor, event):
    """As the next build's objects are: equal, made anew (no string, list or array shared with these)."""
    for value in (actor, event):
        assert object_fingerprint(pickle.loads(pickle.dumps(value))) == object_fingerprint(value)


def test_each_field_of_an_actor_and_an_event_is_read():
    """A field added to Actor or Event is in the fingerprint without a change here: every field is read."""
    actor = Actor("k", "Name", EntityType.PERSON, "name", ["N"], "d", [("r", "f.md", 1)], Pairs([("f.md", 0)]),
                  [("f.md", 1, "q")], 1, Pairs([("k2", 1)]), ["old"])
    event = Event("e", "Label", "type", "label", DateRef(date(2016, 1, 1), Precision.DAY, "w", 0), "k", ["k"],
                  [("f.md", 1)], "how", "f.md", False, ["f.md"], [("f.md", 1)], ["e2"], ["old"])
    for value in (actor, event):
        for field in fields(value):
            old = getattr(value, field.name)
            if isinstance(old, Pairs):
                new = Pairs([*old, ("another", 7)])
            elif isinstance(old, EntityType):
                new = EntityType.PLACE
            elif isinstance(old, DateRef):
                new = replace(old, rule="another")
            elif isinstance(old, bool):
                new = not old
            elif isinstance(old, int):
                new = old + 1
            elif isinstance(old, list):
                new = [*old, old[0]]
            else:
                new = old + "!"
            assert object_fingerprint(replace(value, **{field.name: new})) != object_fingerprint(value), field.name


paths = st.text(alphabet="ab./#:", max_size=8)


@settings(max_examples=1000, deadline=None)
@given(target=paths)
def test_a_link_from_the_root_is_the_one_worked_out(target):
    """relative_url from a page at the output root returns a normal path as it is: what working it out gives."""
    if target.startswith(("http://", "https://", "mailto:", "#")):
        expected = target
    else:
        path, _, fragment = target.partition("#")
        link = _relative_path(path, "") if path else "sitemap.xml"
        expected = f"{link}#{fragment}" if fragment else link
    assert relative_url("sitemap.xml", target) == expected


def _folded_slowly(name: str) -> str:
    import unicodedata

    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()
    return plain.lstrip("\"'“”‘’«»(.-–— ")


@settings(max_examples=500, deadline=None)
@given(name=st.text(max_size=6) | st.text(alphabet="aAé(.- \"'Zz1ﬁ", max_size=6))
def test_an_ascii_name_is_folded_as_any_other(name):
    """builder.pages.actors._folded takes ASCII names the short way: the same text the long way gives."""
    from builder.pages.actors import _folded

    assert _folded(name) == _folded_slowly(name)


@settings(max_examples=200, deadline=None)
@given(names=st.lists(st.tuples(st.sampled_from(["Ann", "ann", "Émile", "emile", "(Bo", "1x", "Zoë", ""]),
                                st.sampled_from(["k1", "k2", "k3"])), max_size=8))
def test_the_a_to_z_lists_are_the_ones_sorting_gives(names):
    """letters() folds each name once: its lists are those of folding it for its initial and again to sort."""
    from builder.model import Site
    from builder.pages.actors import letters

    actors = [Actor(f"{key}-{number}", name, EntityType.PERSON, f"s{number}") for number, (name, key) in
              enumerate(names)]
    expected: dict[str, list[Actor]] = {}
    for actor in actors:
        first = _folded_slowly(actor.name)[:1]
        expected.setdefault(first if "a" <= first <= "z" else "other", []).append(actor)
    found = letters(Site("t", [], [], actors))
    assert [letter.key for letter, _ in found] == sorted(expected, key=lambda k: (k == "other", k))
    for letter, members in found:
        assert members == sorted(expected[letter.key], key=lambda a: (_folded_slowly(a.name), a.name, a.key))
        assert letter.count == len(members)


@settings(max_examples=400, deadline=None)
@given(first=events, second=events)
def test_what_is_shown_of_an_event_reads_the_same_exactly_when_it_is_the_same(first, second):
    """`Fingerprints.event_shown`: what other pages show of an event (its label, address, type, date, whether it is
    background, how many reports): one digest, the same exactly when these are equal."""
    def shown(event: Event) -> tuple:
        return (event.key, event.slug, event.label, event.type, event.date, event.background, len(event.sources))

    assert (_event_shown(first) == _event_shown(second)) == (shown(first) == shown(second))
