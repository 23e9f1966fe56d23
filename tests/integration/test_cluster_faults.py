"""The pipeline on the three-node cluster while a node dies: the leader of most input
partitions, the transaction coordinator of most of the workers' transactions, the active KRaft
controller; and a replay whose broker dies under it. Every raw message must still end exactly
once on news.enriched + news.deadletter (read_committed), and the lag must drain within 60 s
of the node's return."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from pipeline.kafka.admin import ensure_topics
from pipeline.kafka.transactions import transactional_id
from pipeline.settings import Settings
from pipeline.stages.registry import STAGES
from tests.integration.conftest import (
    CLUSTER_HOME,
    PipelineUnderTest,
    assert_lag_drains,
    cluster_script,
    node_pid,
    wait_for_brokers,
    wait_for_output,
)
from tests.integration.test_supervision import (
    FAST,
    assert_exactly_once,
    sample_or_skip,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.fault]

NODES = (1, 2, 3)
DOWN_FOR_S = 15
# Kafka's default: the transaction log has 50 partitions (server.properties keeps it).
TRANSACTION_LOG_PARTITIONS = 50


@pytest.fixture()
def cluster_pipeline(cluster: str, tmp_path: Path) -> Iterator[PipelineUnderTest]:
    run = uuid.uuid4().hex[:8]
    settings = Settings(
        bootstrap_servers=cluster,
        topic_prefix=f"cluster-{run}.",
        app_id=f"cluster-{run}",
        partitions=3,
        replication_factor=3,
    )
    ensure_topics(settings)
    under_test = PipelineUnderTest(
        settings, tmp_path, kafka_env={"NEWS_PIPELINE_REPLICATION_FACTOR": "3"}
    )
    yield under_test
    under_test.close()
    for node in NODES:  # whatever a failed test left down comes back for the next one
        if cluster_script("status", "--node", str(node)).returncode != 0:
            cluster_script("start", "--node", str(node))


def kill_node(node: int, bootstrap: str) -> Callable[[], None]:
    """SIGKILL one node's whole process group; returns what restarts it."""
    os.killpg(node_pid(node), signal.SIGKILL)
    deadline = time.monotonic() + 15
    while cluster_script("status", "--node", str(node)).returncode == 0:
        assert time.monotonic() < deadline, f"node {node} still answers after SIGKILL"
        time.sleep(0.2)

    def restart() -> None:
        result = cluster_script("start", "--node", str(node))
        assert result.returncode == 0, result.stderr
        wait_for_brokers(bootstrap, len(NODES))

    return restart


def leaders(bootstrap: str, topics: list[str]) -> Counter[int]:
    """How many partitions of ``topics`` each node leads."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        return Counter(
            p["leader_id"] for t in admin.describe_topics(topics) for p in t["partitions"]
        )
    finally:
        admin.close()


def java_hash(text: str) -> int:
    """Java's String.hashCode, which Kafka uses to place a transactional id."""
    h = 0
    for char in text:  # the ids are ASCII: one UTF-16 code unit per character
        h = (31 * h + ord(char)) & 0xFFFFFFFF
    return h - (1 << 32) if h & 0x80000000 else h


def transaction_log_partition(tid: str) -> int:
    h = java_hash(tid)
    return (0 if h == -(1 << 31) else abs(h)) % TRANSACTION_LOG_PARTITIONS


def coordinator_of_most_transactions(pipeline: PipelineUnderTest) -> int:
    """The node coordinating most of the workers' transactional ids (one per input partition)."""
    settings = pipeline.settings
    admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    try:
        [log] = admin.describe_topics(["__transaction_state"])
    finally:
        admin.close()
    leader_of = {p["partition_index"]: p["leader_id"] for p in log["partitions"]}
    topics = pipeline.topics
    tids = [
        transactional_id(settings.app_id, topics.source(spec), p)
        for spec in STAGES
        for p in range(topics.partitions(topics.source(spec), settings.partitions))
    ]
    counts = Counter(leader_of[transaction_log_partition(tid)] for tid in tids)
    return counts.most_common(1)[0][0]


def active_controller() -> int:
    """The KRaft quorum's leader, as the node with the latest epoch recorded it."""
    states = []
    for node in NODES:
        path = CLUSTER_HOME / f"node-{node}" / "kraft-logs" / "__cluster_metadata-0"
        path /= "quorum-state"
        if path.exists():
            state = json.loads(path.read_text())
            states.append((state.get("leaderEpoch", -1), state.get("leaderId", -1)))
    epoch, leader = max(states)
    assert leader in NODES, f"no quorum leader recorded: {states}"
    return leader


def through_a_fault(
    pipeline: PipelineUnderTest, tmp_path: Path, fault: Callable[[], Callable[[], None]]
) -> None:
    """Two workers, a paced replay, ``fault`` mid-stream, healed after DOWN_FOR_S."""
    sample, wanted = sample_or_skip(tmp_path, 150)
    workers = [pipeline.start_worker(**FAST) for _ in range(2)]
    for worker in workers:
        worker.wait_ready()
    replay = pipeline.start_replay(sample, extra=["--rate", "10"])
    wait_for_output(pipeline, 20)
    heal = fault()
    try:
        time.sleep(DOWN_FOR_S)
    finally:
        heal()
    healed = time.monotonic()
    _, errors = replay.communicate(timeout=180)
    assert replay.returncode == 0, errors
    for worker in workers:
        assert worker.process.poll() is None, worker.log()
    assert_exactly_once(pipeline, wanted, "\n".join(w.log(2000) for w in workers))
    # Within 60 s of the node's return (the exactly-once check above already took some of it).
    assert_lag_drains(pipeline, within=max(5.0, 60 - (time.monotonic() - healed)))


def test_leader_of_most_input_partitions_killed(
    cluster_pipeline: PipelineUnderTest, tmp_path: Path
) -> None:
    def fault() -> Callable[[], None]:
        topics = cluster_pipeline.topics
        counts = leaders(
            cluster_pipeline.settings.bootstrap_servers,
            [topics.source(spec) for spec in STAGES],
        )
        return kill_node(counts.most_common(1)[0][0], cluster_pipeline.settings.bootstrap_servers)

    through_a_fault(cluster_pipeline, tmp_path, fault)


def test_transaction_coordinator_killed(
    cluster_pipeline: PipelineUnderTest, tmp_path: Path
) -> None:
    through_a_fault(
        cluster_pipeline,
        tmp_path,
        lambda: kill_node(
            coordinator_of_most_transactions(cluster_pipeline),
            cluster_pipeline.settings.bootstrap_servers,
        ),
    )


def test_active_controller_killed(cluster_pipeline: PipelineUnderTest, tmp_path: Path) -> None:
    bootstrap = cluster_pipeline.settings.bootstrap_servers
    through_a_fault(cluster_pipeline, tmp_path, lambda: kill_node(active_controller(), bootstrap))


def test_replay_while_a_broker_dies_loses_nothing(
    cluster_pipeline: PipelineUnderTest, tmp_path: Path
) -> None:
    """acks=all and idempotence: the replay finishes with every record written once."""
    sample, wanted = sample_or_skip(tmp_path, 150)
    replay = cluster_pipeline.start_replay(sample, extra=["--rate", "15"])
    time.sleep(3)
    raw = cluster_pipeline.topics.raw
    bootstrap = cluster_pipeline.settings.bootstrap_servers
    restart = kill_node(leaders(bootstrap, [raw]).most_common(1)[0][0], bootstrap)
    try:
        _, errors = replay.communicate(timeout=180)
    finally:
        restart()
    assert replay.returncode == 0, errors
    consumer = KafkaConsumer(
        bootstrap_servers=cluster_pipeline.settings.bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
    )
    try:
        partitions = [TopicPartition(raw, p) for p in range(cluster_pipeline.settings.partitions)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        keys: Counter[bytes] = Counter()
        deadline = time.monotonic() + 60
        while keys.total() < wanted.total() and time.monotonic() < deadline:
            for messages in consumer.poll(timeout_ms=500).values():
                keys.update(m.key for m in messages)
        for messages in consumer.poll(timeout_ms=2000).values():  # anything extra
            keys.update(m.key for m in messages)
    finally:
        consumer.close()
    assert keys == wanted
