"""Shared fixtures. The ``broker`` fixture is the one real Kafka for every integration test."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.shared_data import SharedData

REPO = Path(__file__).resolve().parents[1]
SHARED = SharedData.default().root
BROKER_SCRIPT = REPO / "deploy" / "kafka" / "broker.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def broker() -> Iterator[str]:
    """Bootstrap servers of a running Kafka: KAFKA_BOOTSTRAP_SERVERS, else the local broker,
    started here (and stopped at the end) when it is not already up."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external and external != "127.0.0.1:9092":
        yield external
        return
    started = subprocess.run([BROKER_SCRIPT, "status"], check=False).returncode != 0
    if started:
        subprocess.run([BROKER_SCRIPT, "start"], check=True)
    try:
        yield "127.0.0.1:9092"
    finally:
        if started:
            subprocess.run([BROKER_SCRIPT, "stop"], check=False)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return SHARED
