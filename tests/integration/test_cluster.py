"""The three-node cluster (`make cluster`): every pipeline topic and the transaction log keep
three replicas, and losing one node loses no acknowledged message."""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from pipeline.kafka.admin import ensure_topics, producer_config
from pipeline.settings import Settings
from pipeline.topics import Topics
from tests.integration.conftest import cluster_script, node_pid

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_pipeline_topics_have_three_replicas_and_survive_a_node_kill(cluster: str) -> None:
    run = uuid.uuid4().hex[:8]
    settings = Settings(
        bootstrap_servers=cluster, topic_prefix=f"cluster-{run}.", replication_factor=3
    )
    ensure_topics(settings)
    topic = Topics.from_settings(settings).raw
    admin = KafkaAdminClient(bootstrap_servers=cluster)
    try:
        # The node that answers may not have the new topic's metadata yet: it describes it with
        # no partitions for a moment (seen once in CI), so ask again until it has them.
        deadline = time.monotonic() + 30
        while True:
            [described] = admin.describe_topics([topic])
            if described["partitions"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert {len(p["replica_nodes"]) for p in described["partitions"]} == {3}
    finally:
        admin.close()

    producer = KafkaProducer(**producer_config(settings), enable_idempotence=True)
    try:
        for i in range(50):
            producer.send(topic, key=f"before-{i}".encode(), value=b"x")
        producer.flush(30)
        # A node dies hard; with min.insync.replicas=2 the two left still take acks=all writes.
        # The pid file names the process group leader (broker.sh starts each node with setsid).
        os.killpg(node_pid(2), signal.SIGKILL)
        deadline = time.monotonic() + 15
        # Its port closes a moment after the kill.
        while cluster_script("status", "--node", "2").returncode == 0:
            assert time.monotonic() < deadline, "node 2 still answers after SIGKILL"
            time.sleep(0.2)
        for i in range(50):
            producer.send(topic, key=f"after-{i}".encode(), value=b"x").get(timeout=60)
    finally:
        producer.close(10)
        assert cluster_script("start", "--node", "2").returncode == 0

    consumer = KafkaConsumer(bootstrap_servers=cluster, group_id=None, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in range(settings.partitions)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        keys: set[bytes] = set()
        for _ in range(60):
            for messages in consumer.poll(timeout_ms=500).values():
                keys.update(m.key for m in messages if m.key)
            if len(keys) >= 100:
                break
    finally:
        consumer.close()
    assert len(keys) == 100
