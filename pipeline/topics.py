"""Topic names, in one place: ``news.raw``, one output topic per stage in the registry's
order (``news.normalised``, ``news.tagged``, ``news.enriched``), and ``news.deadletter``; and
the compacted topics the stateful parts keep to themselves (``news.dedup-state``,
``news.trends``), which ``all()`` leaves out: their owners create them with their own config."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.settings import Settings
from pipeline.stages.registry import (
    DEADLETTER_TOPIC,
    RAW_TOPIC,
    STAGES,
    StageSpec,
    source_of,
)

SHORT_NAMES: tuple[str, ...] = (RAW_TOPIC, *(spec.output for spec in STAGES), DEADLETTER_TOPIC)
TRENDS_TOPIC = "trends"
# What `tail` and `by_short_name` know by short name: the pipeline's topics and the trends.
READABLE_SHORT_NAMES: tuple[str, ...] = (*SHORT_NAMES, TRENDS_TOPIC)


@dataclass(frozen=True)
class Topics:
    prefix: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> Topics:
        return cls(settings.topic_prefix)

    def named(self, short: str) -> str:
        """``enriched`` -> ``<prefix>news.enriched``."""
        return f"{self.prefix}news.{short}"

    @property
    def raw(self) -> str:
        return self.named(RAW_TOPIC)

    @property
    def enriched(self) -> str:
        """The finished articles: the last stage's output."""
        return self.named(STAGES[-1].output)

    @property
    def deadletter(self) -> str:
        return self.named(DEADLETTER_TOPIC)

    @property
    def dedup_state(self) -> str:
        """The dedup stage's memory (compacted; created by the stage, not a pipeline topic)."""
        return self.named("dedup-state")

    @property
    def trends(self) -> str:
        """The entity trends (compacted): one row per window, window start and entity, keyed
        by ``pipeline.stages.trends.row_key``; the last row of a key is its current count."""
        return self.named(TRENDS_TOPIC)

    @property
    def trends_by_entity(self) -> str:
        """The trends stage's repartition topic: what each article adds, keyed by entity, so
        that one worker counts each entity (created by the stage, not a pipeline topic)."""
        return self.named("trends-by-entity")

    def source(self, spec: StageSpec) -> str:
        return self.named(source_of(spec))

    def output(self, spec: StageSpec) -> str:
        return self.named(spec.output)

    def partitions(self, topic: str, default: int) -> int:
        """How many partitions ``topic`` is created with: ``default``, unless the stage reading
        it needs another count (dedup reads one ordered partition)."""
        for spec in STAGES:
            if spec.source_partitions is not None and self.source(spec) == topic:
                return spec.source_partitions
        return default

    def all(self) -> tuple[str, ...]:
        return tuple(self.named(short) for short in SHORT_NAMES)

    def by_short_name(self, name: str) -> str:
        """``enriched`` or ``news.enriched`` -> the full topic name (prefix applied)."""
        short = name.removeprefix("news.")
        return self.named(short) if short in READABLE_SHORT_NAMES else name
