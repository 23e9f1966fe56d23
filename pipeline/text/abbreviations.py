"""Abbreviations defined in the text: which words before "(WTO)" the letters "WTO" stand for.

The algorithm is Schwartz and Hearst's ("A simple algorithm for identifying abbreviation
definitions in biomedical text", PSB 2003), on words instead of characters: every letter or
digit of the short form, from the last to the first, must be found in order, right to left, in
the words before it, and the first one must start a word. It finds long forms whose initials
alone do not spell the short form: "General Bathymetric Chart of the Oceans (GEBCO)", "National
Institute of Economic and Social Research (NIESR)", "International Monetary Fund (IMF)".
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_SHORT_FORM = 10


def is_short_form(text: str) -> bool:
    """Whether `text` looks like an abbreviation: 2 to 10 characters, a capital letter first and
    at least two capitals in all ("WTO", "NIESR", "GEBCO", "UKIF", "Ofcom" is not one)."""
    return (
        2 <= len(text) <= MAX_SHORT_FORM
        and text[0].isupper()
        and sum(ch.isupper() for ch in text) >= 2
        and all(ch.isalnum() or ch in "&-." for ch in text)
    )


def max_long_form_words(short: str) -> int:
    """How many words before the bracket a long form may take (Schwartz and Hearst's bound)."""
    letters = sum(ch.isalnum() for ch in short)
    return min(letters + 5, letters * 2)


def long_form_start(short: str, words: Sequence[str]) -> int | None:
    """The index of the first of `words` (the words right before the bracket, in order) that the
    short form's long form starts at, or None when the letters cannot be found."""
    letters = [ch.lower() for ch in short if ch.isalnum()]
    if not letters or not words:
        return None
    text = " ".join(words)
    # Where each word starts in `text`, to turn the matched character back into a word index.
    starts = []
    offset = 0
    for word in words:
        starts.append(offset)
        offset += len(word) + 1
    at = len(text) - 1
    for k in range(len(letters) - 1, -1, -1):
        letter = letters[k]
        while at >= 0 and (
            text[at].lower() != letter
            # The short form's first letter must start a word of the long form.
            or (k == 0 and at > 0 and text[at - 1].isalnum())
        ):
            at -= 1
        if at < 0:
            return None
        at -= 1
    begin = text.rfind(" ", 0, at + 2) + 1
    return max(i for i, s in enumerate(starts) if s <= begin)
