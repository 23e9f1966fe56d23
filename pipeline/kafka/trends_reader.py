"""Reads ``news.trends`` once, from its beginning to its end offsets as they are when asked
(``news-pipeline trends``): committed rows only, as every reader of the pipeline's output."""

from __future__ import annotations

from collections.abc import Iterator

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from pipeline.errors import BrokerUnavailable
from pipeline.kafka.admin import admin_client, check_readable, consumer_config, read_to_end
from pipeline.settings import Settings
from pipeline.stages.trends import Row
from pipeline.topics import Topics
from pipeline.trends_query import latest_rows


def read_trend_rows(settings: Settings, window: str) -> list[Row]:
    """The current rows of ``window``: the last row written under each key."""
    return latest_rows(trend_messages(settings), window)


def trend_messages(settings: Settings) -> Iterator[tuple[bytes | None, bytes | None]]:
    """(key, value) of every message on the topic up to its end offsets, partition by
    partition in offset order; then stops."""
    topic = Topics.from_settings(settings).trends
    # Fails fast, with one clear line, when Kafka is down, refuses us, or the topic is missing.
    admin = admin_client(settings)
    try:
        check_readable(admin, [topic])
    finally:
        admin.close()
    # A compacted topic holds one row per window and entity; reading it is seconds, not this.
    timeout_s = max(60.0, 6 * settings.connect_timeout_s)
    try:
        consumer = KafkaConsumer(**consumer_config(settings))
    except KafkaError as exc:
        raise BrokerUnavailable(f"cannot consume {topic}: {exc}") from None
    try:
        partitions = [
            TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        for record in read_to_end(consumer, partitions, timeout_s):
            yield record.key, record.value
    except KafkaError as exc:
        raise BrokerUnavailable(f"cannot read {topic}: {exc}") from None
    except TimeoutError as exc:
        raise BrokerUnavailable(str(exc)) from None
    finally:
        consumer.close()
