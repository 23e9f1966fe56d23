"""What the enriched articles say, as Prometheus metrics: the numbers the content dashboard draws.

The agents call ``ContentMetrics.observe(article)`` once per enriched article, so the per-article
path only bumps a handful of cached counter children and a dict of recent entity counts. The
expensive part, ranking entities, happens only when Prometheus scrapes (``TopEntities.collect``),
so it costs the same whether the pipeline handles ten articles a second or ten thousand.

Label values are bounded on purpose: entity types, stance labels and languages are mapped onto
closed sets, and entity names appear only in the top-N gauge, never on a counter, so a flood of
new names cannot grow the number of series Prometheus stores.
"""

from __future__ import annotations

import heapq
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from pipeline.metrics.names import PREFIX
from pipeline.records import mention_count
from pipeline.stages.registry import STAGES

ENTITY_TYPES = frozenset({"PER", "ORG", "LOC", "MISC"})
STANCE_LABELS = frozenset({"favor", "against", "neutral"})
DUPLICATE_KINDS = ("same_url", "same_content", "near")
# Anything outside the closed sets is counted, not dropped, so totals still add up.
OTHER = "other"
UNDETERMINED_LANGUAGE = "und"
_ISO_639_1 = re.compile(r"[a-z]{2}")
# Long enough for any real name; stops a malformed record from putting a page of text in a label.
MAX_NAME_LENGTH = 80
# The stages that may leave an article untouched on purpose, and the field that says why.
_SKIPPING_STAGES = tuple(spec for spec in STAGES if spec.skipped_field)


def entity_type(value: object) -> str:
    return value if isinstance(value, str) and value in ENTITY_TYPES else OTHER


def stance_label(value: object) -> str:
    return value if isinstance(value, str) and value in STANCE_LABELS else OTHER


def language_label(value: object) -> str:
    if not isinstance(value, str) or not value:
        return UNDETERMINED_LANGUAGE
    if value == UNDETERMINED_LANGUAGE or _ISO_639_1.fullmatch(value):
        return value
    return OTHER


class TopEntities(Collector):
    """The N most mentioned entities over a sliding window, exported as one gauge at scrape time.

    Counts are kept in fixed-width time buckets plus one running total; a bucket that leaves the
    window is subtracted from the total, so adding a mention is O(1) and a scrape is one
    ``heapq.nlargest`` over the entities seen in the window. ``max_tracked`` caps the memory a
    flood of distinct names can take: once reached, names not already tracked are ignored until
    old buckets expire.
    """

    metric_name = f"{PREFIX}_top_entity_mentions"

    def __init__(
        self,
        top_n: int = 10,
        window_seconds: float = 900.0,
        bucket_seconds: float = 60.0,
        max_tracked: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if top_n < 1 or bucket_seconds <= 0 or window_seconds < bucket_seconds:
            raise ValueError("need top_n >= 1 and 0 < bucket_seconds <= window_seconds")
        self.top_n = top_n
        self.window_seconds = window_seconds
        self._bucket_seconds = bucket_seconds
        self._max_buckets = max(1, round(window_seconds / bucket_seconds))
        self._max_tracked = max_tracked
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: deque[tuple[int, dict[tuple[str, str], int]]] = deque()
        self._totals: dict[tuple[str, str], int] = {}

    def add(self, counts: Mapping[tuple[str, str], int]) -> None:
        """Add mention counts keyed by (canonical name, entity type)."""
        with self._lock:
            bucket = self._current_bucket()
            totals = self._totals
            for key, count in counts.items():
                if key not in totals and len(totals) >= self._max_tracked:
                    continue
                totals[key] = totals.get(key, 0) + count
                bucket[key] = bucket.get(key, 0) + count

    def top(self) -> list[tuple[str, str, int]]:
        """(name, type, mentions) for the top N, most mentioned first."""
        with self._lock:
            self._expire(self._bucket_index())
            best = heapq.nlargest(self.top_n, self._totals.items(), key=lambda kv: (kv[1], kv[0]))
        return [(name, type_, count) for (name, type_), count in best]

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return [self._family()]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = self._family()
        for name, type_, count in self.top():
            family.add_metric([name, type_], count)
        yield family

    def _family(self) -> GaugeMetricFamily:
        minutes = self.window_seconds / 60
        return GaugeMetricFamily(
            self.metric_name,
            f"Mentions in the last {minutes:g} minutes of the {self.top_n} most mentioned "
            "entities in this worker (other names are not exported).",
            labels=["name", "type"],
        )

    def _bucket_index(self) -> int:
        return int(self._clock() // self._bucket_seconds)

    def _current_bucket(self) -> dict[tuple[str, str], int]:
        index = self._bucket_index()
        if self._buckets and self._buckets[-1][0] == index:
            return self._buckets[-1][1]
        self._expire(index)
        bucket: dict[tuple[str, str], int] = {}
        self._buckets.append((index, bucket))
        return bucket

    def _expire(self, now_index: int) -> None:
        oldest_kept = now_index - self._max_buckets + 1
        while self._buckets and self._buckets[0][0] < oldest_kept:
            _, expired = self._buckets.popleft()
            for key, count in expired.items():
                left = self._totals[key] - count
                if left > 0:
                    self._totals[key] = left
                else:
                    del self._totals[key]


@dataclass(frozen=True)
class ContentMetrics:
    entity_mentions: Counter
    entity_stances: Counter
    articles_by_language: Counter
    articles_skipped: Counter
    duplicates: Counter
    top_entities: TopEntities
    # Label children by label values: ``Counter.labels`` takes a lock and validates its
    # arguments on every call, which costs more than the increment itself.
    _children: dict[tuple[str, ...], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def create(
        cls, registry: CollectorRegistry = REGISTRY, top_entities: TopEntities | None = None
    ) -> ContentMetrics:
        top = top_entities if top_entities is not None else TopEntities()
        registry.register(top)
        metrics = cls(
            entity_mentions=Counter(
                f"{PREFIX}_entity_mentions",
                "Entity mentions found in enriched articles, by entity type.",
                ["type"],
                registry=registry,
            ),
            entity_stances=Counter(
                f"{PREFIX}_entity_stances",
                "Stances assigned to entities in enriched articles, by stance label and type.",
                ["label", "type"],
                registry=registry,
            ),
            articles_by_language=Counter(
                f"{PREFIX}_articles_by_language",
                "Enriched articles by detected language (ISO 639-1, 'und' when unknown).",
                ["language"],
                registry=registry,
            ),
            articles_skipped=Counter(
                f"{PREFIX}_articles_skipped",
                "Enriched articles a content stage left untouched on purpose "
                "(e.g. language not supported), by stage.",
                ["stage"],
                registry=registry,
            ),
            duplicates=Counter(
                f"{PREFIX}_duplicate_articles",
                "Enriched articles the dedup stage found to repeat an earlier one, by kind "
                "(same_url, same_content, near).",
                ["kind"],
                registry=registry,
            ),
            top_entities=top,
        )
        # Known label values start at 0, so rate() and the dashboards see every series from
        # the first scrape rather than only after the first article of each kind.
        for type_ in sorted(ENTITY_TYPES):
            metrics.entity_mentions.labels(type_)
            for label in sorted(STANCE_LABELS):
                metrics.entity_stances.labels(label, type_)
        for spec in _SKIPPING_STAGES:
            metrics.articles_skipped.labels(spec.name)
        for kind in DUPLICATE_KINDS:
            metrics.duplicates.labels(kind)
        return metrics

    def observe(self, article: Mapping[str, Any]) -> None:
        """Count what one enriched article says. Tolerates missing or malformed fields."""
        self._child(self.articles_by_language, language_label(article.get("language"))).inc()
        for spec in _SKIPPING_STAGES:
            if article.get(spec.skipped_field):  # type: ignore[arg-type]
                self._child(self.articles_skipped, spec.name).inc()
        if article.get("duplicate_of"):
            kind = article.get("duplicate_kind")
            self._child(self.duplicates, kind if kind in DUPLICATE_KINDS else OTHER).inc()
        entities = article.get("entities")
        if not isinstance(entities, list) or not entities:
            return
        mentions_by_type: dict[str, int] = {}
        stances: dict[tuple[str, str], int] = {}
        by_name: dict[tuple[str, str], int] = {}
        for entity in entities:
            if not isinstance(entity, Mapping):
                continue
            type_ = entity_type(entity.get("type"))
            count = mention_count(entity)
            mentions_by_type[type_] = mentions_by_type.get(type_, 0) + count
            name = entity.get("name")
            if isinstance(name, str) and name and count:
                key = (name[:MAX_NAME_LENGTH], type_)
                by_name[key] = by_name.get(key, 0) + count
            stance = entity.get("stance")
            if isinstance(stance, Mapping):
                stance_key = (stance_label(stance.get("label")), type_)
                stances[stance_key] = stances.get(stance_key, 0) + 1
        for type_, count in mentions_by_type.items():
            if count:
                self._child(self.entity_mentions, type_).inc(count)
        for (label, type_), count in stances.items():
            self._child(self.entity_stances, label, type_).inc(count)
        if by_name:
            self.top_entities.add(by_name)

    def _child(self, counter: Counter, *labels: str) -> Any:
        key = (str(id(counter)), *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = counter.labels(*labels)
        return child
