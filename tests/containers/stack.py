"""The compose stack of deploy/podman/stack.sh, driven from tests: start it, reach its
containers, hurt them, and read what came out (a plain module: the tests import it)."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition

REPO = Path(__file__).resolve().parents[2]
PODMAN_DIR = REPO / "deploy" / "podman"
STACK = PODMAN_DIR / "stack.sh"
WORKERS = ("normalise", "dedup", "tag", "stance", "trends")
OUTPUTS = ("news.enriched", "news.deadletter")


def podman_env() -> dict[str, str]:
    return {**os.environ, "CONTAINERS_CONF": str(PODMAN_DIR / "containers.conf")}


def podman(*args: str, check: bool = True, timeout: float = 120) -> str:
    result = subprocess.run(
        ["podman", *args],
        env=podman_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)}: {result.stderr[-2000:]}")
    return result.stdout.strip()


@dataclass
class Stack:
    project: str
    kafka_port: int
    prometheus_port: int

    def env(self) -> dict[str, str]:
        return {
            **podman_env(),
            "STACK_PROJECT": self.project,
            "STACK_KAFKA_PORT": str(self.kafka_port),
            "STACK_PROMETHEUS_PORT": str(self.prometheus_port),
        }

    def run(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(STACK), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def prometheus_url(self) -> str:
        return f"http://127.0.0.1:{self.prometheus_port}"

    @property
    def network(self) -> str:
        return f"{self.project}_default"

    def container(self, service: str) -> str:
        return f"{self.project}_{service}_1"

    def containers(self) -> list[str]:
        names = podman(
            "ps", "-a", "--filter", f"label=io.podman.compose.project={self.project}",
            "--format", "{{.Names}}",
        )  # fmt: skip
        return names.split()

    def inspect(self, service: str, template: str) -> str:
        return podman("inspect", "--format", template, self.container(service))

    def healthy(self, service: str) -> bool:
        return succeeds("healthcheck", "run", self.container(service), timeout=30)

    def wait_healthy(self, service: str, timeout: float = 180) -> float:
        """Seconds until the service's health check passes."""
        start = time.monotonic()
        while not self.healthy(service):
            assert time.monotonic() - start < timeout, logs(self.container(service))
            time.sleep(1)
        return time.monotonic() - start

    def prometheus(self, query: str) -> list[dict]:
        url = f"{self.prometheus_url}/api/v1/query?" + urllib.parse.urlencode({"query": query})
        with urllib.request.urlopen(url, timeout=10) as response:
            return list(json.load(response)["data"]["result"])

    def targets(self) -> dict[str, str]:
        """Each worker target's compose service and health (up, down, unknown)."""
        with urllib.request.urlopen(f"{self.prometheus_url}/api/v1/targets", timeout=10) as r:
            active = json.load(r)["data"]["activeTargets"]
        return {t["labels"]["service"]: t["health"] for t in active if "service" in t["labels"]}


def end_offsets(bootstrap: str, topics: tuple[str, ...] = OUTPUTS) -> dict[TopicPartition, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, isolation_level="read_committed")
    try:
        partitions = [
            TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()
        ]
        return dict(consumer.end_offsets(partitions))
    finally:
        consumer.close()


def keys_since(
    bootstrap: str,
    since: dict[TopicPartition, int],
    expected: int,
    timeout: float = 300,
    settle: float = 5.0,
) -> Counter[bytes | None]:
    """Keys of the committed messages on news.enriched + news.deadletter after ``since``,
    read until ``expected`` have arrived and ``settle`` seconds more (to catch duplicates)."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        isolation_level="read_committed",
        enable_auto_commit=False,
        group_id=None,
    )
    keys: Counter[bytes | None] = Counter()
    try:
        partitions = list(since)
        consumer.assign(partitions)
        for partition, offset in since.items():
            consumer.seek(partition, offset)
        deadline = time.monotonic() + timeout
        settle_until: float | None = None
        while time.monotonic() < (settle_until or deadline):
            for messages in consumer.poll(timeout_ms=500).values():
                keys.update(m.key for m in messages)
            if keys.total() >= expected and settle_until is None:
                settle_until = time.monotonic() + settle
    finally:
        consumer.close()
    return keys


def succeeds(*args: str, timeout: float = 60) -> bool:
    """``podman ARGS`` exits 0 (a health check, a command run in a container)."""
    result = subprocess.run(
        ["podman", *args], env=podman_env(), capture_output=True, timeout=timeout
    )
    return result.returncode == 0


def logs(container: str, tail: int = 60) -> str:
    """The container's stdout and stderr, interleaved as it wrote them."""
    result = subprocess.run(
        ["podman", "logs", "--tail", str(tail), container],
        env=podman_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
    )
    return result.stdout
