"""``news-pipeline tail``: follow a topic and print what arrives."""

from __future__ import annotations

import sys
import time

import orjson
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from pipeline.errors import BrokerUnavailable
from pipeline.kafka.admin import admin_client, check_readable, consumer_config
from pipeline.render import summarise
from pipeline.settings import Settings
from pipeline.topics import Topics


def tail_topic(
    settings: Settings,
    topics: list[str],
    *,
    from_beginning: bool = False,
    since: float | None = None,
    limit: int | None = None,
    idle_timeout: float | None = None,
    as_json: bool = False,
) -> int:
    """Print messages until ``limit`` or ``idle_timeout``; returns how many were printed.

    Starts at the end of the topic, at its beginning, or at the first message written at or
    after the Unix time ``since``.
    """
    names = [Topics.from_settings(settings).by_short_name(t) for t in topics]
    # Fails fast, with one clear line, when Kafka is down, refuses us, or denies a topic.
    admin = admin_client(settings)
    try:
        check_readable(admin, names)
    finally:
        admin.close()
    try:
        consumer = KafkaConsumer(**consumer_config(settings))
        _seek(consumer, names, from_beginning=from_beginning, since=since)
    except KafkaError as exc:
        raise BrokerUnavailable(f"cannot consume {', '.join(names)}: {exc}") from None
    printed = 0
    last_message = time.monotonic()
    try:
        while limit is None or printed < limit:
            batch = consumer.poll(timeout_ms=500)
            for message in (m for messages in batch.values() for m in messages):
                last_message = time.monotonic()
                _print(message.value, as_json)
                printed += 1
                if limit is not None and printed >= limit:
                    break
            if idle_timeout is not None and time.monotonic() - last_message > idle_timeout:
                break
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()
    return printed


def _seek(
    consumer: KafkaConsumer, topics: list[str], *, from_beginning: bool, since: float | None
) -> None:
    assigned = []
    for topic in topics:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            raise BrokerUnavailable(f"topic {topic!r} does not exist (yet); has anything run?")
        assigned += [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(assigned)
    if since is not None:
        found = consumer.offsets_for_times({tp: int(since * 1000) for tp in assigned})
        ends = consumer.end_offsets(assigned)
        for tp in assigned:
            hit = found.get(tp)
            consumer.seek(tp, hit.offset if hit is not None else ends[tp])
    elif from_beginning:
        consumer.seek_to_beginning(*assigned)
    else:
        consumer.seek_to_end(*assigned)


def _print(value: bytes | None, as_json: bool) -> None:
    if as_json:
        sys.stdout.write((value or b"null").decode("utf-8", "replace") + "\n")
    else:
        try:
            record = orjson.loads(value or b"null")
        except orjson.JSONDecodeError:
            record = None
        text = summarise(record) if isinstance(record, dict) else f"(not JSON) {value!r:.120}"
        sys.stdout.write(text + "\n")
    sys.stdout.flush()
