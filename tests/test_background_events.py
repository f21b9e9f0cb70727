"""Background events: the dated mentions of one bucket (type, event word, year) are grouped without comparing
every pair, and into the same groups as comparing every pair would."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from builder.link import events
from builder.link.events import DatedMention, _date_span, group_dated_mentions
from builder.model import DateRef, Precision


def mention(day: date, precision: Precision = Precision.DAY, participants=(), place=None,
            end: date | None = None) -> DatedMention:
    ref = DateRef(day, precision, "wording", 0, end_value=end)
    return DatedMention(None, 0, None, None, ref, list(participants), place)


def pairwise_groups(items: list[DatedMention]) -> list[list[DatedMention]]:
    """The groups as the first version made them: each item asked every item of every group so far."""
    groups: list[list[DatedMention]] = []
    for item in items:
        span = _date_span(item.ref)
        who = {*item.participants, *([item.place] if item.place else [])}
        for group in groups:
            if any(_date_span(o.ref)[0] <= span[1] and span[0] <= _date_span(o.ref)[1]
                   and (who & {*o.participants, *([o.place] if o.place else [])} or not who)
                   for o in group):
                group.append(item)
                break
        else:
            groups.append([item])
    return groups


def random_bucket(rng: random.Random, size: int) -> list[DatedMention]:
    names = ["kim", "putin", "shoigu", "moon", "biden", "xi"]
    places = [None, None, "seoul", "pyongyang"]
    items = []
    for _ in range(size):
        precision = rng.choice([Precision.DAY] * 20 + [Precision.MONTH] * 3 + [Precision.YEAR, Precision.SPAN])
        day = date(2016, rng.randint(1, 12), rng.randint(1, 28))
        if precision == Precision.MONTH:
            day = day.replace(day=1)
        elif precision == Precision.YEAR:
            day = date(2016, 1, 1)
        end = date(rng.choice([2016, 2017, 2018]), 12, 31) if precision == Precision.SPAN else None
        who = rng.sample(names, rng.choice([0, 0, 1, 1, 2, 3]))
        items.append(mention(day, precision, who, rng.choice(places), end))
    return items


@pytest.mark.parametrize("seed", range(20))
def test_the_groups_are_those_of_comparing_every_pair(seed):
    items = random_bucket(random.Random(seed), 300)
    expected = pairwise_groups(items)
    assert len(expected) > 5  # (the random bucket does not fall into one group)
    assert [[id(i) for i in g] for g in group_dated_mentions(items)] == [[id(i) for i in g] for g in expected]


def count_comparisons(monkeypatch, items: list[DatedMention]) -> int:
    count = 0
    overlap = events._spans_overlap

    def counted(one, other):
        nonlocal count
        count += 1
        return overlap(one, other)

    monkeypatch.setattr(events, "_spans_overlap", counted)
    group_dated_mentions(items)
    return count


def large_bucket(size: int) -> list[DatedMention]:
    """Every "attack" of one year: one actor named throughout, on 40 different days, with 50 other actors."""
    return [mention(date(2016, 1, 1) + timedelta(days=i % 40), participants=["kim", f"other-{i % 50}"])
            for i in range(size)]


def test_a_large_bucket_is_not_quadratic(monkeypatch):
    small, large = (count_comparisons(monkeypatch, large_bucket(size)) for size in (1000, 4000))
    assert small <= 1000 * 2 * 40  # names x distinct spans, an item at most
    assert large <= 4.2 * small  # grows with the bucket, not with its square
    groups = group_dated_mentions(large_bucket(4000))
    assert len(groups) == 40 and all(len(g) == 100 for g in groups)
