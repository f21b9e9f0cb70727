"""An actor's graph page is keyed, in an edit rebuild, by what its companions are counted from
(builder.pages.graphs._graph_reads): wherever those reads are equal, what the page shows must be."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.pages import graphs

ACTORS = [f"actor-{n}" for n in range(8)]
FILES = [f"{n:02d}.md" for n in range(10)]
NAMES = ["Ada", "Bea", "Cy", "Ada", "Dee"]  # (a name shared by two actors: order falls to the key)


@dataclass(frozen=True)
class Actor:
    key: str


class Shown:
    """Fingerprints.actor_shown of a site whose actors are their key and name."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def actor_shown(self, key: str) -> str:
        return hashlib.sha256(f"{key}\0{self.names[key]}".encode()).hexdigest()


sites = st.fixed_dictionaries({
    "files_of": st.fixed_dictionaries({key: st.sets(st.sampled_from(FILES), max_size=6) for key in ACTORS}),
    "names": st.fixed_dictionaries({key: st.sampled_from(NAMES) for key in ACTORS}),
})


def _site(drawn: dict) -> tuple:
    files_of = {key: files for key, files in drawn["files_of"].items() if files}
    by_article = graphs._by_article(files_of)
    return files_of, by_article, drawn["names"]


def reads_and_inputs(drawn: dict, key: str) -> tuple[tuple, tuple]:
    files_of, by_article, names = _site(drawn)
    shown = Shown(names)
    page_of = "actors/{}.html".format
    ranked = partial(graphs._ranked_around, key, lambda: files_of, lambda: by_article, names)
    reads = graphs._graph_reads(Actor(key), files_of, graphs.ArticleCasts(by_article), page_of, shown)
    return reads, graphs._graph_inputs(Actor(key), ranked, page_of, shown)


@settings(max_examples=300, deadline=None)
@given(before=sites, after=sites, data=st.data())
def test_equal_reads_mean_equal_inputs(before, after, data):
    # Mostly small edits of one site (the case recall is for), sometimes another site altogether.
    if data.draw(st.booleans()):
        after = {"files_of": dict(before["files_of"]), "names": dict(before["names"])}
        actor, source_file = data.draw(st.sampled_from(ACTORS)), data.draw(st.sampled_from(FILES))
        after["files_of"][actor] = after["files_of"][actor] ^ {source_file}
        if data.draw(st.booleans()):
            after["names"][data.draw(st.sampled_from(ACTORS))] = data.draw(st.sampled_from(NAMES))
    for key in ACTORS:
        reads_before, inputs_before = reads_and_inputs(before, key)
        reads_after, inputs_after = reads_and_inputs(after, key)
        if reads_before == reads_after:
            assert inputs_before == inputs_after, key


def test_a_companion_joining_an_article_changes_the_reads():
    drawn = {"files_of": {key: set() for key in ACTORS}, "names": dict.fromkeys(ACTORS, "Ada")}
    drawn["files_of"]["actor-0"] = {"00.md"}
    before, _ = reads_and_inputs(drawn, "actor-0")
    drawn["files_of"]["actor-1"] = {"00.md"}
    after, inputs = reads_and_inputs(drawn, "actor-0")
    assert before != after and inputs[2][0][0] == 1


def test_a_key_is_the_same_for_equal_inputs_however_they_share_objects():
    """Keys hash their inputs pickled without the memo: a value met twice is written twice, as in another
    build where the two happen to be different objects."""
    from builder.page_keys import PageKeys

    keys = PageKeys()
    keys._global, keys._templates = "global", {None: "templates"}
    name = "".join(["Angela ", "Merkel"])
    shared = [(name, 1), (name, 1)]
    apart = [("Angela Merkel", 1), ("".join(["Angela", " Merkel"]), 1)]
    assert shared[0][0] is shared[1][0] and apart[0][0] is not apart[1][0]
    assert keys.key(None, shared) == keys.key(None, apart)
    different = [[(name, 1)], [(name, 2)], [(name, True)], [(name, 1.0)], [[name, 1]], [(name, "1")]]
    assert len({keys.key(None, value) for value in different}) == len(different)
