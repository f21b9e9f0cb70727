"""builder.analyse.language_model: the vectorised identifier gives py3langid's own answers, to the bit."""

from __future__ import annotations

import mmap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py3langid.langid import LanguageIdentifier, visit_counts

from builder.analyse import language_model
from builder.analyse.language import _identifier

SAMPLES = [
    "The city council voted on Tuesday to close the old bridge over the river for repairs, officials said.",
    "Le conseil municipal a voté mardi la fermeture du vieux pont sur la rivière pour des travaux.",
    "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke über den Fluss zu schließen.",
    "Москва заявила во вторник, что переговоры продолжатся. 東京では雨が降った。 مرحبا بالعالم",
    "SEOUL, South Korea (AP) — NORTH KOREA FIRES MISSILE",
    "", "a", "ab", "\x00\x00 zero bytes \x00", "\ufffd\ud800 lone surrogate", "   \n\n  ",
]


@pytest.fixture(scope="module")
def both() -> tuple[LanguageIdentifier, language_model.VectorisedIdentifier]:
    plain = LanguageIdentifier.from_model_file(language_model.MODEL_FILE, norm_probs=True)
    return plain, _identifier()


def test_no_state_of_the_model_stands_for_more_bytes_than_assumed(both) -> None:
    """The vectorised walk reads MODEL_STATE_DEPTH bytes back: no state may lie deeper (breadth-first depth)."""
    _plain, fast = both
    depth = np.full(len(fast._row_base), -1)
    depth[0] = 0
    frontier, level = np.array([0]), 0
    while len(frontier):
        level += 1
        reached = np.unique(fast._next_state[(fast._row_base[frontier][:, None] + np.arange(256)).ravel()])
        frontier = reached[depth[reached] < 0]
        depth[frontier] = level
    assert depth.min() == 0  # every state reachable
    assert depth.max() <= language_model.MODEL_STATE_DEPTH


def _same_answers(plain: LanguageIdentifier, fast: language_model.VectorisedIdentifier, text: str | bytes) -> None:
    encoded = plain._encode(text)
    expected = visit_counts(plain.tk_nextmove, plain._rowbase, plain.tk_output, encoded)
    counted = fast.feature_counts(encoded)
    if expected is None:
        assert counted is None
    else:
        features, counts = counted
        assert list(expected.items()) == list(zip(features.tolist(), counts.tolist(), strict=True))  # same order
    assert plain.classify(text) == fast.classify(text)
    assert plain.rank(text) == fast.rank(text)


@pytest.mark.parametrize("text", SAMPLES)
def test_same_features_and_scores_as_py3langid(both, text: str) -> None:
    _same_answers(*both, text)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400) | st.binary(max_size=300))
def test_same_answers_for_any_text_or_bytes(both, text: str | bytes) -> None:
    _same_answers(*both, text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["the ", "Le ", "über ", "на ", "東京", "said", ". ", "\n", "ing", "tion", "ß", "é"]),
                max_size=200).map("".join))
def test_same_answers_for_word_like_text(both, text: str) -> None:
    _same_answers(*both, text)


def test_the_uncompressed_copy_holds_the_same_model(both, tmp_path) -> None:
    plain, _fast = both
    made = language_model.load_identifier(tmp_path)  # decompresses the model into the folder
    copies = list(tmp_path.glob("langid-model-*.npz"))
    assert len(copies) == 1 and not list(tmp_path.glob("*.tmp"))
    read = language_model.load_identifier(tmp_path)  # reads the copy
    for identifier in (made, read):
        assert np.array_equal(identifier.nb_ptc, plain.nb_ptc) and identifier.nb_ptc.dtype == plain.nb_ptc.dtype
        assert np.array_equal(identifier.nb_pc, plain.nb_pc) and identifier.nb_classes == plain.nb_classes
        assert np.array_equal(identifier._next_state, np.frombuffer(plain.tk_nextmove, dtype=np.uint32))
        assert identifier.tk_row == plain.tk_row
        assert identifier.tk_output == plain.tk_output
        for text in SAMPLES:
            assert identifier.rank(text) == plain.rank(text)


@pytest.fixture(scope="module")
def mapped(tmp_path_factory) -> language_model.VectorisedIdentifier:
    folder = tmp_path_factory.mktemp("model")
    language_model.load_identifier(folder)  # (makes the copy)
    return language_model.load_identifier(folder)


def test_the_large_tables_are_mapped_from_the_copy_not_read_into_memory(mapped) -> None:
    for table in (mapped.nb_ptc, mapped._next_state):
        assert not table.flags.owndata and not table.flags.writeable
        holder = table
        while isinstance(holder, np.ndarray):
            holder = holder.base
        assert isinstance(holder, memoryview) and isinstance(holder.obj, mmap.mmap)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400) | st.binary(max_size=300))
def test_the_mapped_copy_gives_the_same_answers(both, mapped, text: str | bytes) -> None:
    _same_answers(both[0], mapped, text)


@pytest.mark.parametrize("text", SAMPLES)
def test_the_mapped_copy_gives_the_same_features_and_scores(both, mapped, text: str) -> None:
    _same_answers(both[0], mapped, text)


def test_a_copy_stored_compressed_is_not_mapped_and_the_shipped_model_is_used(both, tmp_path) -> None:
    plain, _fast = both
    language_model.load_identifier(tmp_path)
    (copy,) = tmp_path.glob("langid-model-*.npz")
    with np.load(copy) as data:
        arrays = {name: data[name] for name in data.files}
    np.savez_compressed(copy.with_suffix(".tmp.npz"), **arrays)
    copy.with_suffix(".tmp.npz").replace(copy)
    with pytest.raises(ValueError):
        language_model._mapped(copy, "ptc.npy")
    assert language_model.load_identifier(tmp_path).rank(SAMPLES[1]) == plain.rank(SAMPLES[1])


def test_a_damaged_copy_is_not_used(both, tmp_path) -> None:
    plain, _fast = both
    language_model.load_identifier(tmp_path)
    (copy,) = tmp_path.glob("langid-model-*.npz")
    copy.write_bytes(copy.read_bytes()[:1000])
    assert language_model.load_identifier(tmp_path).rank(SAMPLES[1]) == plain.rank(SAMPLES[1])


def test_a_released_model_is_loaded_again_when_asked_for() -> None:
    from builder.analyse.language import guess_language, release_model

    english = SAMPLES[0] * 2
    before = _identifier()
    release_model()
    assert _identifier.cache_info().currsize == 0
    assert guess_language(english) == "en" and _identifier() is not before
