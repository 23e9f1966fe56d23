"""Thin kafka-python helpers shared by the producer, the tail command and the tests."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError, TopicAlreadyExistsError, TopicAuthorizationFailedError

from pipeline.errors import BrokerUnavailable, NotAuthorised
from pipeline.kafka.preflight import check_connection, refused
from pipeline.kafka.security import kafka_python_config
from pipeline.settings import Settings
from pipeline.topics import Topics

log = logging.getLogger(__name__)


def admin_client(settings: Settings) -> KafkaAdminClient:
    """Connect, or raise BrokerUnavailable (or the subclass that says why) within
    ``settings.connect_timeout_s``.

    Every command connects here first, so this is where a refused connection is told apart.
    """
    check_connection(settings)
    timeout_ms = int(settings.connect_timeout_s * 1000)
    try:
        return KafkaAdminClient(
            **kafka_python_config(settings),
            client_id=f"{settings.app_id}-admin",
            request_timeout_ms=timeout_ms,
            bootstrap_timeout_ms=timeout_ms,
        )
    except (KafkaError, OSError) as exc:
        raise refused(settings, exc) from None


def ensure_topics(settings: Settings, admin: KafkaAdminClient | None = None) -> list[str]:
    """Create the pipeline's topics that do not exist yet; return the ones created."""
    own = admin is None
    client = admin or admin_client(settings)
    try:
        existing = set(client.list_topics())
        topics = Topics.from_settings(settings)
        wanted = [t for t in topics.all() if t not in existing]
        if not wanted:
            return []
        new = [
            NewTopic(
                t,
                num_partitions=topics.partitions(t, settings.partitions),
                replication_factor=settings.replication_factor,
            )
            for t in wanted
        ]
        # A worker started at the same moment may have created them first.
        with contextlib.suppress(TopicAlreadyExistsError):
            try:
                client.create_topics(new, timeout_ms=int(settings.connect_timeout_s * 1000))
            except TopicAuthorizationFailedError:
                # Topics this principal may not Describe look missing from list_topics too.
                raise NotAuthorised(
                    f"not authorised for topic {', '.join(wanted)}: this principal may not "
                    "describe or create it; see README, Secured clusters, for the ACLs"
                ) from None
        log.info("created topics %s", ", ".join(wanted))
        return wanted
    finally:
        if own:
            client.close()


def ensure_compacted_topic(
    settings: Settings, topic: str, *, partitions: int, retention_days: int | None = None
) -> None:
    """Create a compacted topic (a store's memory, keyed by what it remembers) if it does not
    exist yet; with ``retention_days`` old entries also go by time, which bounds it."""
    config = {"cleanup.policy": "compact"}
    if retention_days is not None:
        config = {
            "cleanup.policy": "compact,delete",
            "retention.ms": str(retention_days * 24 * 3600 * 1000),
        }
    ensure_topic(settings, topic, partitions=partitions, config=config)


def ensure_topic(
    settings: Settings, topic: str, *, partitions: int, config: dict[str, str]
) -> None:
    """Create ``topic`` with ``config`` if it does not exist yet."""
    client = admin_client(settings)
    try:
        if topic in set(client.list_topics()):
            return
        new = NewTopic(topic, partitions, settings.replication_factor, topic_configs=config)
        with contextlib.suppress(TopicAlreadyExistsError):
            client.create_topics([new], timeout_ms=int(settings.connect_timeout_s * 1000))
    finally:
        client.close()


def read_to_end(
    consumer: KafkaConsumer, partitions: list[TopicPartition], timeout_s: float
) -> Iterator[ConsumerRecord]:
    """Every record from the consumer's positions up to the partitions' end offsets as they are
    when called: how a store reads its compacted topic back."""
    ends = consumer.end_offsets(partitions)
    deadline = time.monotonic() + timeout_s
    while any(consumer.position(tp) < end for tp, end in ends.items()):
        if time.monotonic() > deadline:
            topics = ", ".join(sorted({tp.topic for tp in partitions}))
            raise TimeoutError(f"reading {topics} back took over {timeout_s:g}s")
        for records in consumer.poll(timeout_ms=500).values():
            yield from records


def check_readable(client: KafkaAdminClient, topics: list[str]) -> None:
    """Raise NotAuthorised or BrokerUnavailable unless every topic exists and may be described.

    Needed because kafka-python's consumer reports neither: it sees no partitions of a topic
    it may not describe, and ``poll`` returns nothing from one it may not read.
    """
    for topic in client.describe_topics(topics):
        error = topic.get("error_code", 0)
        if error == TopicAuthorizationFailedError.errno:
            raise NotAuthorised(
                f"not authorised for topic {topic['name']}: this principal may not read it; "
                "see README, Secured clusters, for the ACLs"
            )
        if error:
            raise BrokerUnavailable(
                f"topic {topic['name']!r} does not exist (yet); has anything run?"
            )


def producer_config(settings: Settings) -> dict[str, Any]:
    return {
        **kafka_python_config(settings),
        "acks": "all",
        "compression_type": "lz4",
        "linger_ms": 5,
        "max_request_size": max(settings.max_message_bytes * 2, 1_048_576),
        "request_timeout_ms": int(settings.connect_timeout_s * 1000),
        "bootstrap_timeout_ms": int(settings.connect_timeout_s * 1000),
        "max_block_ms": int(settings.connect_timeout_s * 1000),
    }


def consumer_config(settings: Settings) -> dict[str, Any]:
    """A plain kafka-python consumer: no group, no commits, committed messages only (the
    workers write in transactions under exactly_once)."""
    return {
        **kafka_python_config(settings),
        "isolation_level": "read_committed",
        "group_id": None,
        "enable_auto_commit": False,
    }
