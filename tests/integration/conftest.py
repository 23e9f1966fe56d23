"""Fixtures for tests against the real broker: isolated topics per test, worker processes."""

from __future__ import annotations

import os
import shutil
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
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from pipeline.kafka.admin import ensure_topics, producer_config
from pipeline.kafka.lag import KafkaOffsetSource, LagCollector
from pipeline.kafka.security import kafka_python_config
from pipeline.settings import Settings
from pipeline.stages.registry import STAGE_NAMES, STAGES
from pipeline.topics import Topics
from pipeline.worker_process import WorkerProcess
from tests.conftest import BROKER_SCRIPT, REPO, free_port

pytestmark = pytest.mark.integration


@dataclass
class PipelineUnderTest:
    """One isolated pipeline: its own topic prefix and consumer group on the shared broker."""

    settings: Settings
    tmp_path: Path
    workers: list[WorkerProcess] = field(default_factory=list)
    replays: list[subprocess.Popen[str]] = field(default_factory=list)
    # Connection variables (a secured broker's) every child process gets on top.
    kafka_env: dict[str, str] = field(default_factory=dict)

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
            **self.kafka_env,
        }

    def start_worker(self, stages: str | None = None, **settings: str) -> WorkerProcess:
        """A worker process running ``stages`` (the fixture's, the record stages, by default);
        ``settings`` are extra NEWS_PIPELINE_* variables, named by the rest of the variable name
        (``stall_timeout_s="5"``)."""
        env = {
            **self.env(),
            "NEWS_PIPELINE_METRICS_PORT": str(free_port()),
            "NEWS_PIPELINE_STAGES": stages or self.settings.stages,
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
        replay = subprocess.Popen(
            self._replay_command(paths, extra),
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.replays.append(replay)
        return replay

    def close(self) -> None:
        """Kill what the test started and left running (a failed test leaves both)."""
        for worker in self.workers:
            worker.stop(signal.SIGKILL, timeout=10)
        for replay in self.replays:
            if replay.poll() is None:
                replay.kill()
            replay.communicate()  # closes its pipes

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
            **kafka_python_config(self.settings),
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


@dataclass(frozen=True)
class SecureBroker:
    """``deploy/kafka/broker.sh start --secure``: its env files name a principal each
    (``news-pipeline`` and ``reader`` over SASL_SSL, ``mtls`` over mTLS)."""

    home: Path

    def env(self, name: str) -> dict[str, str]:
        lines = (self.home / f"{name}.env").read_text().splitlines()
        return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))

    def client_env(self, name: str) -> dict[str, str]:
        """The variables a deployment would set: the password only through its file."""
        return {k: v for k, v in self.env(name).items() if k != "KAFKA_SASL_PASSWORD"}

    def password(self, name: str) -> str:
        return self.env(name)["KAFKA_SASL_PASSWORD"]

    def port(self, name: str) -> int:
        return int(self.env(name)["KAFKA_BOOTSTRAP_SERVERS"].rsplit(":", 1)[1])

    def log_size(self) -> int:
        return (self.home / "logs" / "server.log").stat().st_size

    def wait_for_log(self, since: int, *texts: str, timeout: float = 10) -> str:
        """The first broker log line after byte ``since`` that contains all of ``texts``."""
        log = self.home / "logs" / "server.log"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with log.open("rb") as f:
                f.seek(since)
                for line in f.read().decode("utf-8", "replace").splitlines():
                    if all(text in line for text in texts):
                        return line
            time.sleep(0.2)
        raise AssertionError(f"no broker log line with all of {texts!r} within {timeout}s")


@pytest.fixture(scope="session")
def secure_broker() -> Iterator[SecureBroker]:
    missing = [tool for tool in ("openssl", "keytool", "java", "mvn") if not shutil.which(tool)]
    if missing:
        pytest.skip(f"the secured broker needs {', '.join(missing)} on PATH")
    home = Path(os.environ.get("KAFKA_SECURE_HOME_DIR", REPO / ".kafka-secure"))
    status = subprocess.run([BROKER_SCRIPT, "status", "--secure"], check=False)
    started = status.returncode != 0
    # Also when it is up: start is then a no-op that only re-checks the ACLs and env files.
    subprocess.run([BROKER_SCRIPT, "start", "--secure"], check=True, timeout=240)
    try:
        yield SecureBroker(home)
    finally:
        if started:
            subprocess.run([BROKER_SCRIPT, "stop", "--secure"], check=False, timeout=60)


@pytest.fixture(scope="session")
def rogue_ca(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A second throw-away CA and a client certificate from it that claims the mTLS principal."""
    out = tmp_path_factory.mktemp("rogue-ca")
    ca, ca_key = str(out / "ca.pem"), str(out / "ca.key")
    cert, key, csr = str(out / "client.pem"), str(out / "client.key"), str(out / "client.csr")
    subject = "/O=news-pipeline-local/OU=news-pipeline/CN=news-pipeline-mtls"

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=30)

    new_key = ["-newkey", "rsa:2048", "-nodes"]
    openssl("req", "-x509", *new_key, "-subj", "/CN=rogue CA", "-keyout", ca_key, "-out", ca)
    openssl("req", "-new", *new_key, "-subj", subject, "-keyout", key, "-out", csr)
    openssl(
        "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert
    )
    return {"ca.pem": ca, "client.pem": cert, "client.key": key}


@pytest.fixture()
def pipeline(broker: str, tmp_path: Path) -> Iterator[PipelineUnderTest]:
    run = uuid.uuid4().hex[:8]
    # The record stages: a test that needs trends names them (test_trends.py).
    settings = Settings(
        bootstrap_servers=broker,
        topic_prefix=f"test-{run}.",
        app_id=f"test-{run}",
        partitions=3,
        stages=",".join(STAGE_NAMES),
    )
    ensure_topics(settings)
    under_test = PipelineUnderTest(settings, tmp_path)
    yield under_test
    under_test.close()


def wait_for_output(pipeline: PipelineUnderTest, at_least: int, timeout: float = 90) -> int:
    """Until news.enriched + news.deadletter hold ``at_least`` results; how many they hold."""
    seen = 0

    def note(total: int) -> None:
        nonlocal seen
        seen = total

    deadline = time.monotonic() + timeout
    while seen < at_least and time.monotonic() < deadline:
        pipeline.collect(expected=at_least, timeout=2, settle=0, progress=note)
    assert seen >= at_least, f"only {seen} results after {timeout:g}s"
    return seen


def assert_lag_drains(pipeline: PipelineUnderTest, within: float = 60) -> None:
    """Every input partition of the pipeline's group caught up (nothing readable left) within
    ``within`` seconds, as the workers' own lag gauge measures it."""
    settings = pipeline.settings
    topics = pipeline.topics
    source = KafkaOffsetSource(kafka_python_config(settings))
    collector = LagCollector(
        source, settings.consumer_group, [topics.source(spec) for spec in STAGES]
    )
    deadline = time.monotonic() + within
    try:
        while True:
            snapshot = collector.refresh()
            behind = {(p.topic, p.partition): p.lag for p in snapshot.partitions if p.lag}
            if snapshot.broker_up and not behind:
                return
            if time.monotonic() >= deadline:
                # Seen once under load, the transaction coordinator killed: every input
                # partition behind by all its messages, as if the group had committed nothing,
                # though every result had arrived. The coordinator's answer tells which.
                committed = source.committed_offsets(settings.consumer_group)
                raise AssertionError(
                    f"lag after {within:g}s: {behind}; group {settings.consumer_group} "
                    f"committed: {committed}"
                )
            time.sleep(2)
    finally:
        collector.close()


def key_counts(results: dict[str, list[tuple[bytes | None, dict]]]) -> Counter[bytes | None]:
    return Counter(key for messages in results.values() for key, _ in messages)


@pytest.fixture()
def secure_pipeline(
    secure_broker: SecureBroker, tmp_path: Path
) -> Iterator[Callable[..., PipelineUnderTest]]:
    """Makes isolated pipelines on the secured broker, as one of its principals. The names
    start with ``secure-test-``, the prefix the broker grants the pipeline's principals."""
    made: list[PipelineUnderTest] = []

    def make(principal: str, *, topic_prefix: str | None = None) -> PipelineUnderTest:
        run = f"secure-test-{uuid.uuid4().hex[:8]}"
        env = secure_broker.client_env(principal)
        settings = Settings.model_validate(
            {
                **env,
                "topic_prefix": f"{run}." if topic_prefix is None else topic_prefix,
                "app_id": run,
                "partitions": 3,
                "connect_timeout_s": 5,
            }
        )
        env["NEWS_PIPELINE_CONNECT_TIMEOUT_S"] = "5"
        under_test = PipelineUnderTest(settings, tmp_path / run, kafka_env=env)
        made.append(under_test)
        return under_test

    yield make
    for under_test in made:
        under_test.close()


# The three-node cluster (`make cluster`), for test_cluster.py and test_cluster_faults.py.
CLUSTER_HOME = REPO / ".kafka-cluster"


def cluster_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BROKER_SCRIPT), *args, "--cluster"], capture_output=True, text=True, timeout=180
    )


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """Bootstrap servers of the local three-node cluster, started here (and stopped after) when
    it is not up."""
    started = cluster_script("status").returncode != 0
    result = cluster_script("start")
    assert result.returncode == 0, result.stderr
    bootstrap = result.stdout.strip().removeprefix("KAFKA_BOOTSTRAP_SERVERS=")
    wait_for_brokers(bootstrap, 3)
    try:
        yield bootstrap
    finally:
        if started:
            cluster_script("stop")


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
    return int(Path(CLUSTER_HOME / f"node-{node}" / "broker.pid").read_text())
