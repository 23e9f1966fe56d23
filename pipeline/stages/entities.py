"""Article -> article with entities. (Placeholder until the NLP work lands.)"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


class EntityTagger:
    @classmethod
    def load(cls) -> EntityTagger:
        return cls()

    def __call__(self, article: dict[str, Any]) -> dict[str, Any]:
        return {**article, "entities": [], "entities_skipped": None}

    def pipe(self, articles: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        return (self(a) for a in articles)
