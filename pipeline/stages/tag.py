"""Article -> article with its named entities (PER, ORG, LOC, MISC), aliases merged.

The CoNLL-2003 CRF (pipeline/tag_model) tags the body's tokens; pipeline.tag_model.spans
cleans up the tagged spans and pipeline.tag_model.aliases turns them into one entry per
real-world entity with every mention's exact offsets in the body; pipeline.tag_model.keys gives
each its ``key``, the same in every article for the same entity (entities of one article with
one key are one). The sentence spans the tagger worked on go out with the article
(``sentences``), so the stance stage reads the same sentences instead of splitting the body
again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pipeline.tag_model import keys
from pipeline.tag_model.aliases import merge
from pipeline.tag_model.model import NerModel
from pipeline.tag_model.spans import mentions_from_tags
from pipeline.text.sentences import sentences as split_sentences
from pipeline.text.sentences import spans_of

SUPPORTED_LANGUAGE = "en"


class Tagger:
    """Tags articles with the shipped English model, loaded once per worker."""

    def __init__(self, model: NerModel) -> None:
        self.model = model

    @classmethod
    def load(cls, model_dir: Path | None = None) -> Tagger:
        """Load the shipped model and the places' gazetteer; raises ModelNotAvailable if the
        model's files are missing."""
        model = NerModel.load(model_dir)
        keys.load()
        return cls(model)

    def __call__(self, article: dict[str, Any]) -> dict[str, Any]:
        language = article.get("language")
        if language != SUPPORTED_LANGUAGE:
            reason = f"language {language!r} is not supported by the English model"
            return {**article, "entities": [], "entities_skipped": reason, "sentences": None}
        body = article.get("body") or ""
        sentences = split_sentences(body)
        tags = self.model.tag_document([[t.text for t in s] for s in sentences])
        mentions = mentions_from_tags(sentences, tags, body)
        return {
            **article,
            "entities": merge(mentions, body, key=keys.entity_key),
            "entities_skipped": None,
            "sentences": [list(span) for span in spans_of(sentences)],
        }

    def pipe(self, articles: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        return (self(a) for a in articles)
