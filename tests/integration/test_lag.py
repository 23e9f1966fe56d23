"""Lag as the workers see it, against the real broker: transaction markers are not messages."""

from __future__ import annotations

import time
import uuid

import pytest
from kafka import KafkaProducer

from pipeline.kafka.admin import ensure_topics
from pipeline.kafka.lag import KafkaOffsetSource
from pipeline.kafka.security import kafka_python_config
from pipeline.settings import Settings
from pipeline.topics import Topics

pytestmark = pytest.mark.integration


def test_only_markers_and_aborted_records_after_a_position_are_unreadable(broker: str) -> None:
    settings = Settings(bootstrap_servers=broker, topic_prefix=f"test-{uuid.uuid4().hex[:8]}.")
    ensure_topics(settings)
    topic = Topics.from_settings(settings).raw
    producer = KafkaProducer(
        **kafka_python_config(settings), transactional_id=f"{topic}-writer", acks="all"
    )
    try:
        producer.init_transactions()
        producer.begin_transaction()
        producer.send(topic, b"committed", partition=0)
        producer.commit_transaction()  # offset 0, then its commit marker at 1
        producer.begin_transaction()
        producer.send(topic, b"aborted", partition=0)
        producer.flush(10)  # written, so that the abort has a record to abort
        producer.abort_transaction()  # offset 2, then its abort marker at 3
    finally:
        producer.close(10)
    source = KafkaOffsetSource(kafka_python_config(settings))
    try:
        # The coordinator writes the abort marker just after it answers the abort.
        deadline = time.monotonic() + 10
        while (end := source.end_offsets([(topic, 0)])[(topic, 0)]) < 4:
            assert time.monotonic() < deadline, f"end offset stays {end}"
            time.sleep(0.2)
        assert end == 4
        assert source.unreadable({(topic, 0): 1}, {(topic, 0): end}) == {(topic, 0)}
        assert source.unreadable({(topic, 0): 0}, {(topic, 0): end}) == set()
    finally:
        source.close()
