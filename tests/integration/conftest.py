"""Fixtures for tests against the real broker: isolated topics per test, worker processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from pipeline.kafka.admin import ensure_topics, producer_config
from pipeline.settings import Settings
from pipeline.topics import Topics
from pipeline.worker_process import WorkerProcess
from tests.conftest import free_port

pytestmark = pytest.mark.integration


@dataclass
class PipelineUnderTest:
    """One isolated pipeline: its own topic prefix and consumer group on the shared broker."""

    settings: Settings
    tmp_path: Path
    workers: list[WorkerProcess] = field(default_factory=list)

    @property
    def topics(self) -> Topics:
        return Topics.from_settings(self.settings)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": self.settings.bootstrap_servers,
            "NEWS_PIPELINE_TOPIC_PREFIX": self.settings.topic_prefix,
            "NEWS_PIPELINE_APP_ID": self.settings.app_id,
            "NEWS_PIPELINE_PARTITIONS": str(self.settings.partitions),
            "NEWS_PIPELINE_DATA_DIR": str(self.tmp_path / "faust"),
            # A killed worker's partitions move to its replacement after this long.
            "NEWS_PIPELINE_SESSION_TIMEOUT_S": "10",
            "PYTHONUNBUFFERED": "1",
        }

    def start_worker(
        self, stages: str = "normalise,tag,stance", **settings: str
    ) -> WorkerProcess:
        """A worker process; ``settings`` are extra NEWS_PIPELINE_* variables, named by the
        rest of the variable name (``stall_timeout_s="5"``)."""
        env = {
            **self.env(),
            "NEWS_PIPELINE_METRICS_PORT": str(free_port()),
            "NEWS_PIPELINE_STAGES": stages,
            **{f"NEWS_PIPELINE_{name.upper()}": value for name, value in settings.items()},
        }
        worker = WorkerProcess.start(env, self.tmp_path / f"worker-{len(self.workers)}.log")
        self.workers.append(worker)
        return worker

    def replay(
        self, *paths: Path, extra: list[str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._replay_command(paths, extra),
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )

    def start_replay(self, *paths: Path, extra: list[str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self._replay_command(paths, extra),
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    @staticmethod
    def _replay_command(paths: tuple[Path, ...], extra: list[str] | None) -> list[str]:
        return [
            sys.executable,
            "-m",
            "pipeline",
            "replay",
            *map(str, paths),
            "--no-progress",
            *(extra or []),
        ]

    def produce_raw(self, messages: list[tuple[bytes, bytes]]) -> None:
        """Write messages as a foreign producer would: any bytes, under any key."""
        producer = KafkaProducer(**producer_config(self.settings))
        try:
            for key, value in messages:
                producer.send(self.topics.raw, key=key, value=value)
            producer.flush(60)
        finally:
            producer.close(5)

    def collect(
        self,
        expected: int,
        timeout: float = 300,
        settle: float = 3.0,
        progress: Callable[[int], None] | None = None,
    ) -> dict[str, list[tuple[bytes | None, dict]]]:
        """Read news.enriched and news.deadletter from the start (committed messages only)
        until ``expected`` results have arrived and a little longer, to catch duplicates."""
        topics = [self.topics.enriched, self.topics.deadletter]
        consumer = KafkaConsumer(
            bootstrap_servers=self.settings.bootstrap_servers,
            isolation_level="read_committed",
            enable_auto_commit=False,
            group_id=None,
        )
        consumer.assign(
            [TopicPartition(t, p) for t in topics for p in range(self.settings.partitions)]
        )
        consumer.seek_to_beginning()
        results: dict[str, list[tuple[bytes | None, dict]]] = {t: [] for t in topics}
        deadline = time.monotonic() + timeout
        settle_until: float | None = None
        try:
            while time.monotonic() < (settle_until or deadline):
                for tp, messages in consumer.poll(timeout_ms=500).items():
                    for m in messages:
                        results[tp.topic].append((m.key, orjson.loads(m.value)))
                total = sum(len(v) for v in results.values())
                if progress:
                    progress(total)
                if total >= expected and settle_until is None:
                    settle_until = time.monotonic() + settle
        finally:
            consumer.close()
        return results


@pytest.fixture()
def pipeline(broker: str, tmp_path: Path) -> Iterator[PipelineUnderTest]:
    run = uuid.uuid4().hex[:8]
    settings = Settings(
        bootstrap_servers=broker, topic_prefix=f"test-{run}.", app_id=f"test-{run}", partitions=3
    )
    ensure_topics(settings)
    under_test = PipelineUnderTest(settings, tmp_path)
    yield under_test
    for worker in under_test.workers:
        worker.stop(signal.SIGKILL, timeout=10)


def key_counts(results: dict[str, list[tuple[bytes | None, dict]]]) -> Counter[bytes | None]:
    return Counter(key for messages in results.values() for key, _ in messages)
