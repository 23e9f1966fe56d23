"""Rule-based sentence splitting with character offsets.

News prose is regular enough that a few rules beat loading a model: split after ., ! or ?
(plus closing quotes/brackets) when whitespace and an upper-case letter, digit or opening
quote follow, except after abbreviations and initials; always split at line breaks, because
the normalise stage separates paragraphs with blank lines and titles never run on.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt",
    "st", "jr", "sr", "inc", "ltd", "co", "corp", "vs", "etc", "no", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.g", "i.e",
    "a.m", "p.m",
})
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_LINE_BREAK = re.compile(r"\n+")
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.?$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the sentences of ``text``, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _blocks(text):
        start = block_start
        for match in _BOUNDARY.finditer(text, block_start, block_end):
            if _is_abbreviation(text[start : match.start() + 1]):
                continue
            spans.append((start, match.end()))
            start = match.end()
        spans.append((start, block_end))
    return [trimmed for s, e in spans if (trimmed := _trim(text, s, e)) is not None]


def _blocks(text: str) -> list[tuple[int, int]]:
    blocks = []
    start = 0
    for match in _LINE_BREAK.finditer(text):
        blocks.append((start, match.start()))
        start = match.end()
    blocks.append((start, len(text)))
    return blocks


def _is_abbreviation(candidate: str) -> bool:
    match = _LAST_WORD.search(candidate)
    if match is None:
        return False
    word = match.group(1).rstrip(".")
    # Single capitals are initials ("George W. Bush"); the lower-case check keeps "U.S." too.
    return (len(word) == 1 and word.isupper()) or word.lower() in _ABBREVIATIONS


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
