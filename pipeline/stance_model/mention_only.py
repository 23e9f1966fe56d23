"""Mentions that only name a target without saying anything about it: their stance is neutral.

A dateline ("KYIV (Reuters) -", "LONDON, March 3 -"), an agency byline ("(AP)", "By Jane Doe,
Reuters"), a photo credit ("Photo: Sergei Ilnitsky/EPA", "Image copyright Reuters") and a bare
list of attendees ("X, Y and Z attended the summit", "Among those present were X and Y") are
no reading of the names in them, yet the encoder reads them in the light of the rest of their
sentence. ``mention_only`` says, per target, when every one of its mentions lies in such a
place; the stance stage and ``predict stance`` then call it neutral without the encoder.

The patterns are conservative: an attendee list counts only when it is the whole clause (names
joined by commas and "and", then the attendance and at most a short place), so "X, who led the
talks, attended" or "X attended, praising Y" stay with the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from enum import StrEnum

from pipeline.text.datelines import AGENCY, AGENCY_CREDIT, DATELINE, WORD

Span = tuple[int, int]

# Probability given to the neutral reading of a mention-only target: a prior (the rule fires
# on too few dev targets to fit one), kept below 1 so one such reading never outweighs the rest.
MENTION_ONLY_CONFIDENCE = 0.9


class MentionOnly(StrEnum):
    DATELINE = "dateline"
    BYLINE = "byline"
    PHOTO_CREDIT = "photo credit"
    ATTENDEE_LIST = "attendee list"


_BYLINE = re.compile(
    rf"(?m)^\s*By\s+{WORD}(?:\s+{WORD}){{0,3}}(?:\s*(?:,|and)\s+{WORD}(?:\s+{WORD}){{0,3}})*"
    rf"(?:\s*[,|/]\s*{WORD}(?:\s+{WORD}){{0,3}})?\s*$"
)
# "Photo: Sergei Ilnitsky/EPA", "(Photo: Andy Wong, AP)", "Image copyright Reuters": up to the
# end of the line, a bracket or a quote. "Image copyright X" runs up to the "Image caption"
# that follows it (the caption can evaluate), else covers only a known agency.
# Capitalised only: "an iconic image: X and Y embracing" is prose.
_PHOTO_CREDIT = re.compile(
    r"\b(?:(?:Photo|PHOTO|Picture|Image)S?s?|Photograph|Credit|Photo credit)\s*:"
    r"[^\n()\"“”]{0,80}"
    rf"|\bImage copyright\s+(?:Getty Images|{AGENCY}\b|[^\n()]{{1,40}}?(?=\s+Image\b))"
)
_NAME = r"(?:[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|of|the|de|du|von|van|der|al|bin|la))*)"
_NAMES = rf"{_NAME}(?:\s*,\s*{_NAME})*(?:,?\s+and\s+{_NAME})?"
_ATTENDED = (
    r"(?:also\s+)?(?:attended|took part(?:\s+in)?|participated\s+in|"
    r"(?:were|was)\s+(?:also\s+)?(?:present|in attendance|among\s+(?:the\s+)?"
    r"(?:guests|attendees|participants|those\s+(?:present|attending))))"
)
# The tail after the attendance: a short object, no clause of its own.
_TAIL = (
    r"(?:\s+(?:(?!\b(?:and|but|where|while|after|before|despite|to|because|as|who|which)\b)"
    r"[^,;:()\"“”]){0,60})?"
)
_ATTENDEES_FIRST = re.compile(rf"^\s*(?P<names>{_NAMES})\s+{_ATTENDED}{_TAIL}\s*[.!]?\s*$")
_ATTENDEES_LAST = re.compile(
    r"^\s*(?:(?:The\s+)?(?:Attendees|Participants|Guests|Delegates)\s*(?:included|were|:)"
    r"|Among\s+(?:the\s+)?(?:those\s+(?:present|attending)|guests|attendees|participants)"
    rf"\s+were)\s*:?\s*(?P<names>{_NAMES})\s*[.!]?\s*$"
)


def mention_only(text: str, spans: Sequence[Span]) -> MentionOnly | None:
    """Why the target at ``spans`` (its mentions in ``text``, one sentence) is only named there,
    or None when at least one mention may carry a stance (or there is none)."""
    if not spans:
        return None
    zones = list(_zones(text))
    kinds = []
    for start, end in spans:
        kind = next((k for s, e, k in zones if s <= start and end <= e), None)
        if kind is None:
            return None
        kinds.append(kind)
    return kinds[0]


def _zones(text: str) -> Iterator[tuple[int, int, MentionOnly]]:
    if match := DATELINE.match(text):
        yield match.start(), match.end(), MentionOnly.DATELINE
    for match in AGENCY_CREDIT.finditer(text):
        yield match.start(), match.end(), MentionOnly.BYLINE
    for match in _BYLINE.finditer(text):
        yield match.start(), match.end(), MentionOnly.BYLINE
    for match in _PHOTO_CREDIT.finditer(text):
        yield match.start(), match.end(), MentionOnly.PHOTO_CREDIT
    for pattern in (_ATTENDEES_FIRST, _ATTENDEES_LAST):
        if match := pattern.match(text):
            yield match.start("names"), match.end("names"), MentionOnly.ATTENDEE_LIST
