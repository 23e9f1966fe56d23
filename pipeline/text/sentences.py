"""Raw text -> sentences of tokens with character offsets, in CoNLL-2003's conventions.

The project's one sentence splitter: the tag stage tags these sentences and carries their
spans on the tagged record, and the stance stage scores entities in those same spans.

The tagger was trained on Reuters text tokenised the CoNLL way: punctuation split off, clitics
("'s", "n't") separate, abbreviations ("U.S.", "Mr.", "Corp.") and numbers ("1,000.5") whole,
hyphenated words whole. Matching that at inference matters more than any linguistic ideal.
Offsets always index the original text, so `text[token.start:token.end] == token.text`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_ABBREVIATIONS = (
    "Mr|Mrs|Ms|Dr|St|Sr|Jr|Prof|Gen|Gov|Sen|Rep|Col|Capt|Lt|Sgt|Rev|Hon|Inc|Corp|Ltd|Co|Bros"
    "|Plc|Cie|No|vs|etc|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Mt|Ft|Ave|Dept|Univ"
)
_APOSTROPHE = "'\u2019"
_CLITIC = rf"[{_APOSTROPHE}](?:[sS]|re|RE|ve|VE|ll|LL|d|D|m|M)(?![^\W_])"
_TOKEN = re.compile(
    rf"""
    (?:{_ABBREVIATIONS})\.(?=\s)                    # Mr. Corp. Jan.  (only before a space)
    |(?:[A-Za-z]\.){{2,}}(?![^\W_])                  # U.S. U.K. e.g.
    |[A-Z]\.(?=\s+[A-Z])                            # the initial in "J. Smith"
    |\w+(?=n[{_APOSTROPHE}]t(?![^\W_]))              # "do" of "don't"
    |n[{_APOSTROPHE}]t(?![^\W_])
    |{_CLITIC}
    |\d+(?:[.,:/]\d+)+                              # 1,000.5  10:30  5/8
    |\w+(?:(?:[-&]|[{_APOSTROPHE}](?!(?:[sS]|re|ve|ll|d|m)(?![^\W_])))\w+)*   # O'Neill Anglo-Dutch
    |\.{{2,}}|-{{2,}}|\S
    """,
    re.VERBOSE,
)
_ENDS_SENTENCE = frozenset({".", "!", "?", "...", "\u2026"})
_CLOSERS = frozenset({'"', "'", "\u201d", "\u2019", ")", "]"})


class Token(NamedTuple):
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def split_sentences(text: str, tokens: list[Token]) -> list[list[Token]]:
    """Group tokens into sentences: at line breaks, and after . ! ? (plus closing quotes or
    brackets) when the next token does not start with a lower-case letter."""
    sentences: list[list[Token]] = []
    current: list[Token] = []
    pending_end = False
    for token in tokens:
        if current:
            gap_has_newline = "\n" in text[current[-1].end : token.start]
            if gap_has_newline or (
                pending_end and token.text not in _CLOSERS and not token.text[0].islower()
            ):
                sentences.append(current)
                current = []
                pending_end = False
        current.append(token)
        if token.text in _ENDS_SENTENCE:
            pending_end = True
        elif token.text not in _CLOSERS:
            pending_end = False
    if current:
        sentences.append(current)
    return sentences


def sentences(text: str) -> list[list[Token]]:
    return split_sentences(text, tokenize(text))


Span = tuple[int, int]


def spans_of(sentences: list[list[Token]]) -> list[Span]:
    """(start, end) character offsets of each sentence: its first token to its last."""
    return [(sentence[0].start, sentence[-1].end) for sentence in sentences if sentence]


def sentence_spans(text: str) -> list[Span]:
    """(start, end) offsets of the sentences of ``text``, for callers that need no tokens."""
    return spans_of(sentences(text))
