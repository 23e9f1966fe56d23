"""The three-node cluster (`make cluster`): every pipeline topic and the transaction log keep
three replicas, and losing one node loses no acknowledged message."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from pipeline.kafka.admin import ensure_topics, producer_config
from pipeline.settings import Settings
from pipeline.topics import Topics
from tests.conftest import BROKER_SCRIPT, REPO

pytestmark = [pytest.mark.integration, pytest.mark.slow]

HOME = REPO / ".kafka-cluster"


def script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BROKER_SCRIPT), *args, "--cluster"], capture_output=True, text=True, timeout=180
    )


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """Bootstrap servers of the local three-node cluster, started here (and stopped after) when
    it is not up."""
    started = script("status").returncode != 0
    result = script("start")
    assert result.returncode == 0, result.stderr
    bootstrap = result.stdout.strip().removeprefix("KAFKA_BOOTSTRAP_SERVERS=")
    wait_for_brokers(bootstrap, 3)
    try:
        yield bootstrap
    finally:
        if started:
            script("stop")


def wait_for_brokers(bootstrap: str, count: int, timeout: float = 60) -> None:
    """Until the cluster's metadata lists ``count`` brokers: a node answers on its port a
    moment before the controller has registered it, and clients then fail with
    UnknownBrokerIdError."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            admin = KafkaAdminClient(bootstrap_servers=bootstrap)
            try:
                brokers = admin.describe_cluster()["brokers"]
            finally:
                admin.close()
            if len(brokers) >= count:
                return
        except Exception:  # noqa: BLE001 - not ready yet, whatever the error
            pass
        assert time.monotonic() < deadline, f"fewer than {count} brokers after {timeout:g}s"
        time.sleep(1)


def node_pid(node: int) -> int:
    return int(Path(HOME / f"node-{node}" / "broker.pid").read_text())


def test_pipeline_topics_have_three_replicas_and_survive_a_node_kill(cluster: str) -> None:
    run = uuid.uuid4().hex[:8]
    settings = Settings(
        bootstrap_servers=cluster, topic_prefix=f"cluster-{run}.", replication_factor=3
    )
    ensure_topics(settings)
    topic = Topics.from_settings(settings).raw
    admin = KafkaAdminClient(bootstrap_servers=cluster)
    try:
        [described] = admin.describe_topics([topic])
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
        while script("status", "--node", "2").returncode == 0:  # its port closes a moment later
            assert time.monotonic() < deadline, "node 2 still answers after SIGKILL"
            time.sleep(0.2)
        for i in range(50):
            producer.send(topic, key=f"after-{i}".encode(), value=b"x").get(timeout=60)
    finally:
        producer.close(10)
        assert script("start", "--node", "2").returncode == 0

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
