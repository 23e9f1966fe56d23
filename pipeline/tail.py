"""``news-pipeline tail``: follow a topic and print what arrives."""

from __future__ import annotations

import sys
import time

import orjson
from kafka import KafkaConsumer
from kafka.errors import KafkaError

from pipeline.errors import BrokerUnavailable
from pipeline.kafka_admin import admin_client
from pipeline.render import summarise
from pipeline.settings import Settings
from pipeline.topics import Topics


def tail_topic(
    settings: Settings,
    topic: str,
    *,
    from_beginning: bool = False,
    limit: int | None = None,
    idle_timeout: float | None = None,
    as_json: bool = False,
) -> int:
    """Print messages until ``limit`` or ``idle_timeout``; returns how many were printed."""
    admin_client(settings).close()  # fail fast with a clear message when Kafka is down
    name = Topics.from_settings(settings).by_short_name(topic)
    try:
        consumer = KafkaConsumer(
            name,
            bootstrap_servers=settings.bootstrap_servers,
            auto_offset_reset="earliest" if from_beginning else "latest",
            enable_auto_commit=False,
            # The workers write in transactions (exactly_once): show only committed results.
            isolation_level="read_committed",
            group_id=None,
        )
    except KafkaError as exc:
        raise BrokerUnavailable(f"cannot consume {name}: {exc}") from None
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
