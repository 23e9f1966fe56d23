"""Tagged article -> article with a stance per entity. (Placeholder until the NLP work lands.)"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


class StanceClassifier:
    @classmethod
    def load(cls) -> StanceClassifier:
        return cls()

    def __call__(self, article: dict[str, Any]) -> dict[str, Any]:
        entities = [
            {**e, "stance": {"label": "neutral", "confidence": 0.0, "evidence": []}}
            for e in article["entities"]
        ]
        return {**article, "entities": entities, "stance_skipped": None}

    def pipe(self, articles: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        return (self(a) for a in articles)
