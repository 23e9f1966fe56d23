"""The Kafka side of ``ingest``: the raw sink and the seen store on a compacted topic."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from pipeline.ingest.seen import Seen
from pipeline.kafka.admin import ensure_compacted_topic, read_to_end
from pipeline.kafka.security import kafka_python_config
from pipeline.producer import connect
from pipeline.settings import Settings
from pipeline.topics import Topics

log = logging.getLogger(__name__)


def seen_topic(settings: Settings) -> str:
    return f"{settings.topic_prefix}news.ingest.seen"


class KafkaSink:
    def __init__(self, producer: KafkaProducer, topic: str) -> None:
        self.producer = producer
        self.topic = topic

    async def send(self, key: bytes, value: bytes) -> None:
        loop = asyncio.get_running_loop()
        delivered: asyncio.Future[Any] = loop.create_future()
        future = self.producer.send(self.topic, key=key, value=value)
        # kafka-python completes futures on its I/O thread; hand the result to our loop.
        future.add_callback(lambda meta: loop.call_soon_threadsafe(_resolve, delivered, meta))
        future.add_errback(lambda exc: loop.call_soon_threadsafe(_fail, delivered, exc))
        await delivered

    def close(self) -> None:
        self.producer.flush()


def _resolve(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)


def _fail(future: asyncio.Future[Any], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)


class KafkaSeenStore:
    """Entries are read back from the start of the compacted topic once, then kept in memory;
    each ``put`` is written through."""

    def __init__(self, producer: KafkaProducer, topic: str, entries: dict[str, Seen]) -> None:
        self.producer = producer
        self.topic = topic
        self.entries = entries

    @classmethod
    def open(cls, settings: Settings, producer: KafkaProducer) -> KafkaSeenStore:
        topic = seen_topic(settings)
        # Only the latest entry per URL matters; compaction keeps the topic that small.
        ensure_compacted_topic(settings, topic, partitions=settings.partitions)
        entries = _read_all(settings, topic)
        log.info("read %d seen entries from %s", len(entries), topic)
        return cls(producer, topic, entries)

    def get(self, url: str) -> Seen | None:
        return self.entries.get(url)

    def put(self, url: str, seen: Seen) -> None:
        self.entries[url] = seen
        self.producer.send(self.topic, key=url.encode(), value=seen.encode())

    def flush(self) -> None:
        self.producer.flush()

    def close(self) -> None:
        self.flush()


def open_broker(settings: Settings) -> tuple[KafkaProducer, KafkaSink, KafkaSeenStore]:
    """One producer for both topics, the pipeline's topics created, the memory read back."""
    producer = connect(settings)
    sink = KafkaSink(producer, Topics.from_settings(settings).raw)
    return producer, sink, KafkaSeenStore.open(settings, producer)


def _read_all(settings: Settings, topic: str) -> dict[str, Seen]:
    consumer = KafkaConsumer(
        **kafka_python_config(settings),
        group_id=None,
        enable_auto_commit=False,
        request_timeout_ms=int(max(settings.connect_timeout_s, 31) * 1000),
    )
    entries: dict[str, Seen] = {}
    try:
        partitions = _partitions(consumer, topic, settings.connect_timeout_s)
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        timeout_s = max(settings.connect_timeout_s * 6, 60)
        for message in read_to_end(consumer, partitions, timeout_s):
            if message.key is None:
                continue
            if message.value is None:  # a tombstone: forget the URL
                entries.pop(message.key.decode(), None)
                continue
            try:
                entries[message.key.decode()] = Seen.decode(message.value)
            except ValueError as exc:
                log.warning("%s offset %d skipped: %s", topic, message.offset, exc)
    finally:
        consumer.close()
    return entries


def _partitions(consumer: KafkaConsumer, topic: str, timeout_s: float) -> list[TopicPartition]:
    # Metadata of a topic created a moment ago may take a few polls to arrive.
    deadline = time.monotonic() + timeout_s
    while True:
        found = consumer.partitions_for_topic(topic)
        if found:
            return [TopicPartition(topic, p) for p in sorted(found)]
        if time.monotonic() > deadline:
            raise TimeoutError(f"no partitions for {topic} after {timeout_s:g}s")
        time.sleep(0.2)
