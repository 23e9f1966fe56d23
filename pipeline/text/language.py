"""Language identification with py3langid, whose model ships inside the package.

The result is an ISO 639-1 code and the model's probability for it, or "und" with confidence 0
when the text is too short or too unclear to tell. A language claimed by the record is a hint:
it wins when the model finds it plausible (it settles close pairs such as es/gl or no/da that the
model alone cannot), and is overruled when the text is plainly something else.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

UNDETERMINED = "und"
_SAMPLE_CHARS = 3000  # enough for a stable answer; scoring a whole 5 MB page buys nothing
_MIN_LETTERS = 12
_MIN_CONFIDENCE = 0.25  # below this the top language is a guess among many
_MIN_HINT_PROBABILITY = 0.1
_LETTER = re.compile(r"[^\W\d_]")
_ISO_639_1 = re.compile(r"[a-z]{2}")


class Language(NamedTuple):
    code: str
    confidence: float


class LanguageDetector:
    """Load the model once, then call per text."""

    def __init__(self) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self._model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        # The model also knows languages with only a three-letter code; the record schema has
        # room for ISO 639-1 alone, so their probability mass goes to the nearest two-letter one.
        self._model.set_languages([c for c in self._model.labels if _ISO_639_1.fullmatch(c)])
        self.languages = frozenset(self._model.labels)

    def __call__(self, text: str, hint: str | None = None) -> Language:
        hint = _known(hint, self.languages)
        sample = text[:_SAMPLE_CHARS]
        if len(_LETTER.findall(sample[:500])) < _MIN_LETTERS:
            return Language(hint, 0.0) if hint else Language(UNDETERMINED, 0.0)
        ranking = dict(self._model.rank(sample))
        top, top_probability = next(iter(ranking.items()))
        if hint and (hint == top or ranking.get(hint, 0.0) >= _MIN_HINT_PROBABILITY):
            return Language(hint, _probability(ranking[hint]))
        if top_probability < _MIN_CONFIDENCE:
            return Language(UNDETERMINED, 0.0)
        return Language(top, _probability(top_probability))


@functools.cache
def default_detector() -> LanguageDetector:
    """The process-wide detector: its model takes about half a second to load."""
    return LanguageDetector()


def _known(hint: str | None, languages: frozenset[str]) -> str | None:
    """ "en", "EN", "en-GB" and "en_US" all mean "en"; anything else is no hint."""
    if not hint:
        return None
    code = hint.strip().lower().replace("_", "-").split("-")[0]
    return code if code in languages else None


def _probability(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 4)
