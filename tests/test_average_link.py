"""events.average_link against the plain implementation it replaced (kept here as the reference): the same
groups on any sparse graph, ties and negative scores included (hypothesis)."""

from __future__ import annotations

import heapq
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.link.events import average_link


def reference_average_link(count: int, scores: dict[tuple[int, int], float], threshold: float) -> list[list[int]]:
    members: dict[int, list[int]] = {i: [i] for i in range(count)}
    links: dict[int, dict[int, float]] = defaultdict(dict)
    for (i, j), score in scores.items():
        links[i][j] = links[j][i] = score
    heap = [(-score, i, j) for (i, j), score in scores.items() if score > threshold]
    heapq.heapify(heap)
    next_id = count
    while heap:
        negative, a, b = heapq.heappop(heap)
        if a not in members or b not in members:
            continue
        average = links[a].get(b, 0.0) / (len(members[a]) * len(members[b]))
        if abs(-negative - average) > 1e-12:
            continue
        if average <= threshold:
            break
        merged = next_id
        next_id += 1
        members[merged] = members.pop(a) + members.pop(b)
        combined: dict[int, float] = defaultdict(float)
        for old in (a, b):
            for other, total in links.pop(old).items():
                if other in (a, b):
                    continue
                combined[other] += total
                links[other].pop(old, None)
        for other, total in combined.items():
            links[merged][other] = links[other][merged] = total
            average = total / (len(members[merged]) * len(members[other]))
            if average > threshold:
                heapq.heappush(heap, (-average, min(merged, other), max(merged, other)))
    return sorted((sorted(group) for group in members.values()), key=lambda g: g[0])


@st.composite
def graphs(draw):
    count = draw(st.integers(1, 40))
    tied = st.sampled_from([1.0, 0.9, 0.6, 0.5, 0.35, 0.3, 0.1, -0.2])  # equal averages are common
    values = tied if draw(st.booleans()) else tied | st.floats(-0.5, 1.0)
    pairs = draw(st.lists(st.tuples(st.integers(0, count - 1), st.integers(0, count - 1)), max_size=count * 6))
    return count, {(min(i, j), max(i, j)): draw(values) for i, j in pairs if i != j}


@settings(max_examples=400, deadline=None)
@given(graph=graphs(), threshold=st.sampled_from([0.28, 0.3, 0.5]))
def test_average_link_groups_as_the_reference_does(graph, threshold):
    count, scores = graph
    assert average_link(count, scores, threshold) == reference_average_link(count, scores, threshold)
