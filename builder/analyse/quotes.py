"""Direct quotations (“…” and "…") and, where the sentence says so, who spoke them.

Attribution follows the few shapes news writing uses:

- after the quote:  “…,” KCNA said.  /  "…," said John Smith.  /  “…,” he added.
- before the quote: Mr. Kang was quoted as saying, “…”  /  Smith told reporters: "…"
- anywhere in the sentence: … according to the ministry.

The speaker is the surface form as written ("Mr. Kang", "a police spokesman");
a pronoun ("he", "she") is resolved to the speaker of the closest earlier quote,
or else to the closest earlier person mention when entities have been found.
Linking the speaker to an actor happens later.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from builder.config import Config
from builder.model import Article, EntityType, Quote


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


SPEECH_VERBS = _word_set(
    "said says say told tells added adds asked asks explained explains noted notes stated states declared declares "
    "wrote writes argued argues insisted insists warned warns continued continues recalled recalls replied replies "
    "tweeted announced announces acknowledged acknowledges admitted admits claimed claims suggested suggests urged "
    "urges stressed stresses commented remarked conceded concedes cautioned complained complains confirmed confirms "
    "predicted predicts posted responded responds testified testifies shouted yelled quipped joked reported"
)
MIN_QUOTE_WORDS = 3  # shorter quoted text is a title or a scare quote ("the Beast"), not speech
PRONOUNS = _word_set("he she they i we")
PRONOUN_REACH = 2  # "he said" refers to the previous quote's speaker if it is at most this many sentences back
# capitalised at the start of a sentence, but not part of a name
FUNCTION_WORDS = _word_set(
    "the a an this that these those it its he she they we i his her their our but and or so in on at for when while "
    "after as one some also then still of for"
)
HONORIFICS = "Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Prof|Lt|Col|Capt|Sgt|Pres|Rev|Adm|Maj|Gov|St"

_VERB = r"(?:" + "|".join(SPEECH_VERBS) + r"|(?:was|were|is|are) quoted as saying)"
_AUX = r"(?:(?:has|had|have|also|later|then|once|previously|recently|earlier|would|will|did)\s+)*"
_NAME = (
    r"(?<![\w'’])(?:(?:" + HONORIFICS + r")\.?\s+)?"
    r"(?:(?:[A-Z][\w'’-]*\.?|[A-Z]\.(?:[A-Z]\.)*|de|van|von|al|bin|da|del|la|le|of|for|and|the)\s+){0,5}[A-Z][\w'’-]*"
)
_NAME_RUN = re.compile(_NAME)
# words between a closing quote and the verb: `, KCNA said` / `, the ministry said in a statement`
_AFTER_NP_VERB = re.compile(r"^[\s,]*((?:[\w.'’-]+\s+){0,9}?[\w.'’-]+)\s+" + _AUX + _VERB + r"\b")
# verb first: `, said John Smith, a spokesman` / `, added a police spokesman.`
_AFTER_VERB_NP = re.compile(r"^[\s,]*" + _VERB + r"\s+((?:[\w.'’-]+\s*){1,8}?)(?=[,.;:!?]|$)")
# before an opening quote: `Mr. Kang was quoted as saying, ` / `Smith told reporters on Tuesday: `
_BEFORE = re.compile(
    r"((?:[\w.'’-]+\s+){0,9}?[\w.'’-]+)\s+" + _AUX + _VERB + r"(?:\s+[\w.'’-]+){0,5}?\s*[,:]?\s*(?:that\s+)?$"
)
# anywhere in the sentence, outside the quotes: `KCNA said Kim … “…”` / `…, KCNA said on Thursday.`
_CLAUSE = re.compile(r"((?:[\w.'’-]+\s+){0,5}?[\w.'’-]+)\s+" + _AUX + _VERB + r"\b")
_ACCORDING = re.compile(r"\baccording to\s+((?:[\w.'’-]+\s*){1,8}?)(?=[,.;:!?)]|$)")
# _BEFORE and _CLAUSE are slow to fail (up to ten words tried before every character) and can only match
# where a speech verb follows white space: text without one is not searched.
_SPACE_VERB = re.compile(r"\s" + _VERB)
_CURLY = re.compile(r"“([^“”]*)(?:”|$)")
_STRAIGHT = re.compile(r"\"([^\"]*)\"")
_STRAIGHT_MARK = re.compile('"')
_DESCRIPTOR = re.compile(r"^(?:a|an|the|one|two|three|several|some|many|his|her|their)\s", re.IGNORECASE)


def find_quotes(article: Article, config: Config | None = None) -> Article:
    """Component: article.quotes, each with its sentence and (when the text says so) its speaker."""
    text = article.text
    starts = [s.start for s in article.sentences]
    quotes: list[Quote] = []
    for number, block_start in enumerate(article.block_starts):
        block_end = block_start + len(article.blocks[number].text)
        for inner_start, inner_end, close_end in _quote_spans(text, block_start, block_end):
            trimmed_end = inner_end
            while trimmed_end > inner_start and text[trimmed_end - 1] in " ,":
                trimmed_end -= 1
            quoted = text[inner_start:trimmed_end]
            if len(quoted.split()) < MIN_QUOTE_WORDS:
                continue
            if _is_title(quoted):
                continue
            sentence = _sentence_at(starts, inner_start)
            speaker = _speaker(article, starts, inner_start - 1, close_end, quotes)
            if speaker is None and quotes and quotes[-1].speaker and quotes[-1].start >= block_start:
                speaker = quotes[-1].speaker  # one attribution serves the whole paragraph: “…,” he said, “…”
            quotes.append(Quote(inner_start, trimmed_end, quoted, sentence, speaker))
    for number in range(len(quotes) - 2, -1, -1):  # “…” the United States “…,” Mr. Kang said: one speaker
        later = quotes[number + 1]
        continued = text[quotes[number].end : later.start].strip(' \n,.!?"“”') == ""  # over a paragraph break
        if (
            quotes[number].speaker is None
            and later.speaker
            and (later.sentence == quotes[number].sentence or continued)
        ):
            quotes[number] = replace(quotes[number], speaker=later.speaker)
    article.quotes = [_link_speaker(article, quote) for quote in quotes]
    return article


def _is_title(quoted: str) -> bool:
    """A short phrase with every long word capitalised is a name or title (“Just Say No”), not speech."""
    words = quoted.split()
    long_words = [w for w in words if len(w) > 3]
    return len(words) <= 6 and len(long_words) >= 2 and all(w[0].isupper() for w in long_words)


def _link_speaker(article: Article, quote: Quote) -> Quote:
    """Point the quote at the mention of its speaker, when entities were found."""
    if not quote.speaker or not article.mentions:
        return quote
    last_word = quote.speaker.split()[-1]
    best = None
    for number, mention in enumerate(article.mentions):
        if mention.type == EntityType.PLACE or mention.start > quote.end + 200:
            continue
        if mention.text == quote.speaker or mention.text.split()[-1] == last_word:
            best = number  # the closest one before (or just after) the quote wins
    return replace(quote, speaker_mention=best) if best is not None else quote


def _quote_spans(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """(inner start, inner end, end of the closing mark) of each quotation in text[start:end].

    A quotation running over several paragraphs opens each one and closes only in the last: an opening
    mark left unclosed runs to the end of its paragraph, and a closing mark with no opening one closes
    a quotation that began at the paragraph's start.
    """
    spans = []
    block = text[start:end]
    first_close = block.find("”")
    if first_close != -1 and "“" not in block[:first_close]:
        spans.append((start, start + first_close, start + first_close + 1))
    for match in _CURLY.finditer(text, start, end):
        closed = match.end() > match.end(1)
        spans.append((match.start(1), match.end(1), match.end() if closed else match.end(1)))
    marks = [mark.start() for mark in _STRAIGHT_MARK.finditer(text, start, end)]
    if len(marks) % 2 == 1:
        if block.startswith('"'):
            spans.append((marks[-1] + 1, end, end))  # the last mark opens a quotation left open
            marks = marks[:-1]
        else:
            spans.append((start, marks[0], marks[0] + 1))  # the first mark closes one opened before
            marks = marks[1:]
    spans.extend((opening + 1, closing, closing + 1) for opening, closing in zip(marks[::2], marks[1::2], strict=True))
    return sorted(spans)


def _sentence_at(starts: list[int], offset: int) -> int:
    return max(0, bisect.bisect_right(starts, offset) - 1)


def _speaker(article: Article, starts: list[int], open_mark: int, close_end: int, earlier: list[Quote]) -> str | None:
    text = article.text
    sentences = article.sentences
    if not sentences:
        return None
    first = sentences[_sentence_at(starts, open_mark)]
    last = sentences[_sentence_at(starts, max(open_mark, close_end - 1))]
    after = text[close_end : last.end]
    before = text[first.start : max(first.start, open_mark)]
    found = None
    if match := _AFTER_VERB_NP.match(after):
        found = _noun_phrase(match.group(1), leading=True)
    if found is None and (match := _AFTER_NP_VERB.match(after)):
        found = _noun_phrase(match.group(1))
    if found is None and _SPACE_VERB.search(before) and (match := _BEFORE.search(before)):
        found = _noun_phrase(match.group(1))
    if found is None:
        outside = _outside_quotes(text[first.start : last.end])
        if "according to" in outside and (match := _ACCORDING.search(outside)):
            found = _noun_phrase(match.group(1), leading=True)
        for match in _CLAUSE.finditer(outside) if found is None and _SPACE_VERB.search(outside) else ():
            found = _noun_phrase(match.group(1)) or found
    if found is not None and found.lower() in PRONOUNS:
        found = _resolve_pronoun(article, open_mark, earlier) if found.lower() in ("he", "she") else None
    return found


def _outside_quotes(sentence: str) -> str:
    """The sentence with every quotation replaced by a comma, so clauses around quotes can be read."""
    return _STRAIGHT.sub(" , ", _CURLY.sub(" , ", sentence))


def _noun_phrase(words: str, leading: bool = False) -> str | None:
    """The speaker's surface form in a few words: a name if there is one, else a short descriptor."""
    words = words.strip(" ,")
    if not words:
        return None
    if words.lower() in PRONOUNS:
        return words.lower()
    names = [m for m in _NAME_RUN.finditer(words) if _strip_function_words(m.group(0))]
    if names:
        name = names[0] if leading else names[-1]
        if leading or name.end() == len(words) or len(words.split()) <= 6:
            found = _strip_function_words(name.group(0).rstrip("."))
            if words[name.end() : name.end() + 2] in ("'s", "’s"):  # “Trump’s campaign said”: the whole phrase
                found = words[name.end() - len(found) :].rstrip(".")
            return found
    if _DESCRIPTOR.match(words) and len(words.split()) <= 7:
        return words.rstrip(".")
    return None


def _strip_function_words(name: str) -> str:
    words = name.split()
    while words and words[0].lower() in FUNCTION_WORDS:
        words.pop(0)
    return " ".join(words)


def _resolve_pronoun(article: Article, offset: int, earlier: list[Quote]) -> str | None:
    """The closest earlier named speaker, or the closest earlier person mention."""
    current = _sentence_at([s.start for s in article.sentences], offset)
    if earlier and earlier[-1].speaker and current - earlier[-1].sentence <= PRONOUN_REACH:
        return earlier[-1].speaker
    people = [m for m in article.mentions if m.type == EntityType.PERSON and m.end <= offset]
    return people[-1].text if people else None
