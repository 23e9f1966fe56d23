"""The trends stage's state, kept in Kafka: its own output. ``news.trends`` is compacted and
keyed by window, window start and entity, so the last row of a key is that entity's count;
a worker handed partition p of ``news.trends-by-entity`` reads partition p of ``news.trends``
(the rows it writes go to the same partition number) back into a fresh ``TrendsState``.

Why this is exactly-once: a row is written in the transaction that commits the offset of the
contribution it counts, so the committed rows (read_committed) are the counts of exactly the
committed input; whatever a worker added in memory and did not commit is thrown away, because
the state is rebuilt from the topic whenever partitions are assigned.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator

from kafka import KafkaConsumer, TopicPartition

from pipeline.kafka.admin import (
    consumer_config,
    ensure_compacted_topic,
    ensure_topic,
    read_to_end,
)
from pipeline.settings import Settings
from pipeline.stages.trends import Row, decode_row
from pipeline.topics import Topics

log = logging.getLogger(__name__)
# The repartition topic holds contributions on their way to their counter only.
BY_ENTITY_RETENTION_MS = 7 * 24 * 3600 * 1000


class KafkaTrendsStore:
    def __init__(self, settings: Settings) -> None:
        topics = Topics.from_settings(settings)
        self.topic = topics.trends
        self.by_entity = topics.trends_by_entity
        self.partitions = settings.partitions
        # Rows outlive their window by its retention; past that, compaction may drop them.
        longest_s = max(w.seconds + w.retention_s for w in settings.trend_window_list)
        ensure_compacted_topic(
            settings,
            self.topic,
            partitions=self.partitions,
            retention_days=math.ceil(longest_s / 86_400) + 1,
        )
        ensure_topic(
            settings,
            self.by_entity,
            partitions=self.partitions,
            config={"cleanup.policy": "delete", "retention.ms": str(BY_ENTITY_RETENTION_MS)},
        )
        self._settings = settings
        self._timeout_s = max(60.0, 6 * settings.connect_timeout_s)

    def rows(self, partition: int) -> Iterator[Row]:
        """The committed rows of ``partition``, oldest first (a later row of a key replaces
        an earlier one)."""
        consumer = KafkaConsumer(**consumer_config(self._settings))
        try:
            tp = TopicPartition(self.topic, partition)
            consumer.assign([tp])
            consumer.seek_to_beginning(tp)
            for record in read_to_end(consumer, [tp], self._timeout_s):
                if record.value is not None:
                    yield decode_row(record.value)
        finally:
            consumer.close()
