"""Thin kafka-python helpers shared by the producer, the tail command and the tests."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from pipeline.errors import BrokerUnavailable
from pipeline.settings import Settings
from pipeline.topics import Topics

log = logging.getLogger(__name__)


def admin_client(settings: Settings) -> KafkaAdminClient:
    """Connect, or raise BrokerUnavailable within ``settings.connect_timeout_s``."""
    timeout_ms = int(settings.connect_timeout_s * 1000)
    try:
        return KafkaAdminClient(
            bootstrap_servers=settings.bootstrap_servers,
            client_id=f"{settings.app_id}-admin",
            request_timeout_ms=timeout_ms,
            bootstrap_timeout_ms=timeout_ms,
        )
    except (KafkaError, OSError) as exc:
        raise BrokerUnavailable(
            f"cannot reach Kafka at {settings.bootstrap_servers} within "
            f"{settings.connect_timeout_s:g}s ({type(exc).__name__}); is the broker up? "
            "Start the local one with `make broker` or set KAFKA_BOOTSTRAP_SERVERS."
        ) from None


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
            client.create_topics(new, timeout_ms=int(settings.connect_timeout_s * 1000))
        log.info("created topics %s", ", ".join(wanted))
        return wanted
    finally:
        if own:
            client.close()


def ensure_state_topic(settings: Settings, topic: str, retention_days: int) -> None:
    """Create a stage's one-partition, compacted state topic if it does not exist yet."""
    client = admin_client(settings)
    try:
        if topic in set(client.list_topics()):
            return
        config = {
            "cleanup.policy": "compact,delete",
            "retention.ms": str(retention_days * 24 * 3600 * 1000),
        }
        new = NewTopic(topic, 1, settings.replication_factor, topic_configs=config)
        with contextlib.suppress(TopicAlreadyExistsError):
            client.create_topics([new], timeout_ms=int(settings.connect_timeout_s * 1000))
    finally:
        client.close()


def producer_config(settings: Settings) -> dict[str, Any]:
    return {
        "bootstrap_servers": settings.bootstrap_servers,
        "acks": "all",
        "compression_type": "lz4",
        "linger_ms": 5,
        "max_request_size": max(settings.max_message_bytes * 2, 1_048_576),
        "request_timeout_ms": int(settings.connect_timeout_s * 1000),
        "bootstrap_timeout_ms": int(settings.connect_timeout_s * 1000),
        "max_block_ms": int(settings.connect_timeout_s * 1000),
    }


def consumer_config(settings: Settings) -> dict[str, Any]:
    """A plain kafka-python consumer (no group) that sees committed messages only."""
    return {
        "bootstrap_servers": settings.bootstrap_servers,
        "isolation_level": "read_committed",
        "group_id": None,
        "request_timeout_ms": int(max(settings.connect_timeout_s, 30) * 1000),
    }
