"""Tagged article -> article with a stance (favor/against/neutral) per entity.

Each entity is scored in the sentences that mention it and the per-sentence probabilities are
combined by ``StanceSettings.aggregation`` (pipeline.stance_model.aggregation); the sentences
that agree with the result are its evidence. The encoder rows run
per article are capped so that a long article with many entities costs about as much as a
short one: in rounds, most salient entity first, each entity gets one more of its sentences
while the budget lasts. With a one-pass model one row scores every entity of a sentence, so
a sentence already being scored costs nothing and is preferred, else the one naming most
entities still without a reading; with a per-target model (one row per target of a
multi-target sentence: ``per_target`` in the model's config.json, off for the shipped one)
every reading costs a row. An entity left without a sentence gets neutral with confidence 0
and no evidence: no reading was made.

A sentence that only names an entity (a dateline, a credit, a list of attendees: see
pipeline.stance_model.mention_only) is no reading of it: it costs no row and does not pull the
entity's stance. An entity named only in such sentences is neutral, with those as evidence.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from pipeline.stance_model.aggregation import CHOSEN_AGGREGATION, Aggregation, aggregate
from pipeline.stance_model.mention_only import MENTION_ONLY_CONFIDENCE, mention_only
from pipeline.stance_model.runtime import Query, StanceModel
from pipeline.text.sentences import sentence_spans

Article = dict[str, Any]


class TargetScorer(Protocol):
    """What the stage needs of a model (StanceModel; tests pass a scripted one)."""

    labels: tuple[str, ...]
    # True when each target of a multi-target sentence gets an encoder row of its own.
    per_target: bool

    def score(self, queries: Sequence[Query]) -> list[np.ndarray]: ...


@dataclass(frozen=True, slots=True)
class StanceSettings:
    languages: frozenset[str] = frozenset({"en"})
    # Encoder rows per article (see the module docstring); the stance stage's share of one core
    # is about 30 BBC articles/s, and a row costs about the same whatever the model mode.
    max_rows_per_article: int = 10
    max_sentences_per_entity: int = 3
    max_evidence: int = 3
    articles_per_batch: int = 16
    # How an entity's sentence readings become the article's: chosen on the tune half of the
    # article-level gold (`python -m pipeline.evaluation.article_stance`, issue #22).
    aggregation: Aggregation = field(default_factory=lambda: CHOSEN_AGGREGATION)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What to score for one article: sentences and, per entity, the sentences it is scored in."""

    sentences: list[tuple[int, int]]
    # entity index -> list of (query index, target index in that query)
    entity_targets: dict[int, list[tuple[int, int]]]
    queries: list[Query]
    # entity index -> the sentences (start, end) that only name it, for entities with no other
    named_only: dict[int, list[tuple[int, int]]]


class StanceClassifier:
    def __init__(self, model: TargetScorer, settings: StanceSettings | None = None) -> None:
        self._model = model
        self._settings = settings or StanceSettings()

    @classmethod
    def load(cls, settings: StanceSettings | None = None) -> StanceClassifier:
        """The shipped model (pipeline/models/stance), one inference thread."""
        return cls(StanceModel(), settings)

    def __call__(self, article: Article) -> Article:
        return next(self.pipe([article]))

    def pipe(self, articles: Iterable[Article]) -> Iterator[Article]:
        """Batch form: one model call for the sentences of several articles."""
        chunk: list[Article] = []
        for article in articles:
            chunk.append(article)
            if len(chunk) == self._settings.articles_per_batch:
                yield from self._process(chunk)
                chunk = []
        if chunk:
            yield from self._process(chunk)

    def _process(self, articles: Sequence[Article]) -> list[Article]:
        plans = [self._plan(a) if self._skip_reason(a) is None else None for a in articles]
        queries = [q for plan in plans if plan is not None for q in plan.queries]
        scores = iter(self._model.score(queries) if queries else [])
        results = []
        for article, plan in zip(articles, plans, strict=True):
            if plan is None:
                results.append({**article, "stance_skipped": self._skip_reason(article)})
                continue
            article_scores = [next(scores) for _ in plan.queries]
            entities = [
                {**entity, "stance": self._stance(plan, index, article_scores)}
                for index, entity in enumerate(article["entities"])
            ]
            results.append({**article, "entities": entities, "stance_skipped": None})
        return results

    def _skip_reason(self, article: Article) -> str | None:
        if article.get("entities_skipped"):
            return f"entities skipped: {article['entities_skipped']}"
        language = article.get("language")
        if language not in self._settings.languages:
            return f"language {language!r} not supported (stance model is English-only)"
        return None

    def _plan(self, article: Article) -> _Plan:
        body: str = article["body"]
        sentences = sentences_of(article)
        mentions = mentions_by_sentence(article["entities"], sentences)
        named_only: dict[int, list[tuple[int, int]]] = {}
        for i, by_sentence in list(mentions.items()):
            for s, spans in list(by_sentence.items()):
                start, end = sentences[s]
                if mention_only(body[start:end], spans) is not None:
                    named_only.setdefault(i, []).append(sentences[s])
                    del by_sentence[s]
            if not by_sentence:
                del mentions[i]
        # Only an entity with nothing else to read gets the mention-only reading; one whose
        # other sentences fell outside the budget stays without a reading.
        named_only = {i: named for i, named in named_only.items() if i not in mentions}
        order = sorted(mentions, key=lambda i: -float(article["entities"][i].get("salience", 0)))
        chosen = self._choose_sentences(mentions, order)
        query_of: dict[int, int] = {}  # sentence index -> query index, in query order
        targets: list[list[list[tuple[int, int]]]] = []
        entity_targets: dict[int, list[tuple[int, int]]] = {}
        for i in order:
            for s in chosen[i]:
                q = query_of.setdefault(s, len(query_of))
                if q == len(targets):
                    targets.append([])
                entity_targets.setdefault(i, []).append((q, len(targets[q])))
                targets[q].append(mentions[i][s])
        scored = [sentences[s] for s in query_of]
        queries = [Query(body[start:end], targets[q]) for q, (start, end) in enumerate(scored)]
        return _Plan(scored, entity_targets, queries, named_only)

    def _choose_sentences(
        self, mentions: dict[int, dict[int, list[tuple[int, int]]]], order: list[int]
    ) -> dict[int, list[int]]:
        """Round-robin over entities (most salient first), one more sentence each per round."""
        chosen: dict[int, list[int]] = {i: [] for i in order}
        picked: set[int] = set()
        named_in: dict[int, list[int]] = {}  # sentence -> the entities it mentions
        for i in order:
            for s in mentions[i]:
                named_in.setdefault(s, []).append(i)

        def unread(s: int) -> int:
            return sum(1 for j in named_in[s] if not chosen[j])

        rows = 0
        for _ in range(self._settings.max_sentences_per_entity):
            for i in order:
                remaining = [s for s in sorted(mentions[i]) if s not in chosen[i]]
                # A one-pass model reads a sentence already being scored at no extra cost.
                free = [] if self._model.per_target else [s for s in remaining if s in picked]
                if free or (remaining and rows < self._settings.max_rows_per_article):
                    # Else the one naming most entities without a reading yet (then the
                    # earliest): one pass reads them all, so the budget reaches more entities.
                    s = free[0] if free else max(remaining, key=lambda s: (unread(s), -s))
                    chosen[i].append(s)
                    picked.add(s)
                    rows += 0 if free else 1
        return chosen

    def _stance(self, plan: _Plan, index: int, scores: list[np.ndarray]) -> dict[str, Any]:
        targets = plan.entity_targets.get(index)
        if not targets and index in plan.named_only:
            named = plan.named_only[index][: self._settings.max_evidence]
            return {
                "label": "neutral",
                "confidence": MENTION_ONLY_CONFIDENCE,
                "evidence": [{"start": start, "end": end} for start, end in named],
            }
        if not targets:
            # Over the sentence budget (or no mention inside a sentence): no reading made.
            return {"label": "neutral", "confidence": 0.0, "evidence": []}
        probabilities = np.stack([scores[q][t] for q, t in targets])
        reading = aggregate(probabilities, self._settings.aggregation)
        best = reading.label
        # Evidence: the sentences that read the same way, the most confident first; a side
        # taken on evidence no single sentence reads as its top class cites its strongest.
        ranked = sorted(zip(targets, probabilities, strict=True), key=lambda tp: -tp[1][best])
        agreeing = [q for (q, _), p in ranked if int(p.argmax()) == best] or [ranked[0][0][0]]
        evidence = [
            {"start": plan.sentences[q][0], "end": plan.sentences[q][1]}
            for q in agreeing[: self._settings.max_evidence]
        ]
        return {
            "label": self._model.labels[best],
            "confidence": round(reading.confidence, 4),
            "evidence": sorted(evidence, key=lambda e: e["start"]),
        }


def sentences_of(article: Article) -> list[tuple[int, int]]:
    """The sentences the tag stage found; records written before it carried them (schema
    version 1) are split here with the same splitter."""
    carried = article.get("sentences")
    if isinstance(carried, list):
        return [(int(start), int(end)) for start, end in carried]
    return sentence_spans(article["body"])


def mentions_by_sentence(
    entities: Sequence[dict[str, Any]], sentences: list[tuple[int, int]]
) -> dict[int, dict[int, list[tuple[int, int]]]]:
    """entity index -> {sentence index: its mention spans, relative to that sentence}."""
    starts = [start for start, _ in sentences]
    mentions: dict[int, dict[int, list[tuple[int, int]]]] = {}
    for index, entity in enumerate(entities):
        for mention in entity["mentions"]:
            start, end = int(mention["start"]), int(mention["end"])
            s = bisect.bisect_right(starts, start) - 1
            if s < 0 or start >= sentences[s][1]:
                continue  # between sentences (whitespace): nothing to read there
            offset, sentence_end = sentences[s]
            span = (start - offset, min(end, sentence_end) - offset)
            mentions.setdefault(index, {}).setdefault(s, []).append(span)
    return mentions
