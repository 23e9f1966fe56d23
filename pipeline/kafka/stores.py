"""The Kafka-backed state stores a worker hands its stages (``StageContext.stores``).

Stages know only the ``StateStores`` protocol (pipeline.stages.registry); this is the one place
that decides which topic keeps which stage's state. A store is opened when its stage loads, so a
worker that does not run dedup never reads ``news.dedup-state``.
"""

from __future__ import annotations

from pipeline.kafka.dedup_state import KafkaDedupState
from pipeline.kafka.trends_state import KafkaTrendsStore
from pipeline.settings import Settings


class KafkaStores:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def dedup(self) -> KafkaDedupState:
        """Dedup's memory: the compacted topic ``news.dedup-state``."""
        return KafkaDedupState(self.settings)

    def trends(self) -> KafkaTrendsStore:
        """The trends stage's counts: its compacted output ``news.trends``."""
        return KafkaTrendsStore(self.settings)
