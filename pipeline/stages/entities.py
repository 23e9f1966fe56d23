"""Article -> article with its named entities (PER, ORG, LOC, MISC), aliases merged.

The CoNLL-2003 CRF (pipeline/ner) tags the body's tokens; pipeline.ner.aliases turns the spans
into one entry per real-world entity with every mention's exact offsets in the body.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pipeline.ner.aliases import mentions_from_tags, merge
from pipeline.ner.model import NerModel
from pipeline.ner.tokenize import sentences as split_sentences

SUPPORTED_LANGUAGE = "en"


class EntityTagger:
    """Tags articles with the shipped English model, loaded once per worker."""

    def __init__(self, model: NerModel) -> None:
        self.model = model

    @classmethod
    def load(cls, model_dir: Path | None = None) -> EntityTagger:
        """Load the shipped model; raises ModelNotAvailable if its files are missing."""
        return cls(NerModel.load(model_dir))

    def __call__(self, article: dict[str, Any]) -> dict[str, Any]:
        language = article.get("language")
        if language != SUPPORTED_LANGUAGE:
            reason = f"language {language!r} is not supported by the English model"
            return {**article, "entities": [], "entities_skipped": reason}
        body = article.get("body") or ""
        sentences = split_sentences(body)
        tags = self.model.tag_document([[t.text for t in s] for s in sentences])
        mentions = mentions_from_tags(sentences, tags)
        return {**article, "entities": merge(mentions, body), "entities_skipped": None}

    def pipe(self, articles: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        return (self(a) for a in articles)
