"""The dedup stage's memory, kept in Kafka: a compacted topic ``news.dedup-state``, one record
per article (keyed by its id), read back into a ``MemoryDedupState`` when a worker starts and
again whenever the consumer group hands it partitions.

Why this is enough for exactly-once: the stage sends an article's entry before it sends the
article on, and the app waits for the broker's ack of every entry sent (``flush``) before it
commits the input offset, in the transaction that also commits the output. So every article
before the committed input offset has its entry in the topic, and a worker that reads the
topic to its end before taking over sees all of them. An entry written by a worker that died
before committing only makes the replayed article find its own id, which the stage ignores
(pipeline/stages/dedup.py). Waiting once per commit rather than once per article keeps the
broker's round trip off the event loop's path.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import numpy as np
import orjson
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.producer.future import FutureRecordMetadata

from pipeline.kafka.admin import (
    consumer_config,
    ensure_compacted_topic,
    producer_config,
    read_to_end,
)
from pipeline.settings import Settings
from pipeline.stages.dedup import Entry, MemoryDedupState
from pipeline.topics import Topics

log = logging.getLogger(__name__)


class KafkaDedupState(MemoryDedupState):
    def __init__(self, settings: Settings) -> None:
        super().__init__(settings.dedup_window)
        self.topic = Topics.from_settings(settings).dedup_state
        self._partition = TopicPartition(self.topic, 0)
        # One partition: the stage reads one. Old entries go by time as well: the window is bounded.
        ensure_compacted_topic(settings, self.topic, partitions=1, retention_days=14)
        self._producer = KafkaProducer(**producer_config(settings), enable_idempotence=True)
        self._consumer = KafkaConsumer(**consumer_config(settings))
        self._consumer.assign([self._partition])
        self._consumer.seek_to_beginning(self._partition)
        self._timeout_s = max(30.0, settings.connect_timeout_s)
        # Sent, not acked yet: ``flush`` waits for them before the input offset commits.
        self._unacked: list[FutureRecordMetadata] = []
        self.catch_up()

    def catch_up(self) -> int:
        """Read the entries written since the last call (by any worker); returns how many."""
        read = 0
        for record in read_to_end(self._consumer, [self._partition], self._timeout_s * 2):
            super().remember(_entry(orjson.loads(record.value)))
            read += 1
        if read:
            log.info("dedup state: read %d entries from %s (%d kept)", read, self.topic, len(self))
        return read

    async def on_partitions_assigned(self, *_: Any, **__: Any) -> None:
        self.catch_up()

    def remember(self, entry: Entry) -> None:
        if entry.article_id not in self._entries:
            value = orjson.dumps(_record(entry))
            key = entry.article_id.encode()
            self._unacked.append(self._producer.send(self.topic, key=key, value=value))
        super().remember(entry)

    async def flush(self) -> None:
        """Wait until every entry remembered so far is acked by the broker; raises the
        error of one that failed. The app awaits this before its input offset commits."""
        pending, self._unacked = self._unacked, []
        if pending:
            await asyncio.to_thread(self._wait, pending)

    def _wait(self, pending: list[FutureRecordMetadata]) -> None:
        self._producer.flush(timeout=self._timeout_s)
        for future in pending:
            future.get(timeout=self._timeout_s)

    def close(self) -> None:
        self._producer.close(timeout=5)
        self._consumer.close()


def _record(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.article_id,
        "root": entry.root,
        "url": entry.url_key,
        "content": entry.content_key,
        "bands": list(entry.bands),
        "signature": entry.signature.tobytes().hex(),
    }


def _entry(record: dict[str, Any]) -> Entry:
    return Entry(
        article_id=record["id"],
        root=record["root"],
        url_key=record["url"],
        content_key=int(record["content"]),
        bands=tuple(int(b) for b in record["bands"]),
        signature=np.frombuffer(bytes.fromhex(record["signature"]), dtype=np.uint32),
    )
