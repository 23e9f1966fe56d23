"""One compose stack (deploy/podman/stack.sh) for the whole deployment test session, on its own
project name and ports, removed at the end. Skipped where podman cannot run containers."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest

from tests.containers.stack import REPO, Stack, podman_env

PODMAN_COMPOSE = REPO / ".venv" / "bin" / "podman-compose"


def podman_cannot_run() -> str | None:
    """Why no container can run here, or None."""
    for tool in ("podman", "runc"):
        if shutil.which(tool) is None:
            return f"{tool} not found (make podman-deps installs it)"
    if not PODMAN_COMPOSE.exists():
        return "podman-compose not installed (make podman-deps)"
    info = subprocess.run(
        ["podman", "info"], env=podman_env(), capture_output=True, text=True, timeout=60
    )
    if info.returncode != 0:
        return f"podman cannot run here: {info.stderr.strip()[-300:]}"
    return None


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    reason = podman_cannot_run()
    if reason:
        pytest.skip(reason)
    # Beside, not on, the ports of a `make stack-up` stack (21092, 21090).
    stack = Stack("news-pipeline-test", kafka_port=21192, prometheus_port=21190)
    stack.run("down")
    up = stack.run("up")
    if up.returncode != 0:
        stack.run("down")
        pytest.fail(f"stack.sh up failed:\n{up.stderr[-4000:]}")
    last = up.stdout.strip().splitlines()[-2:]
    assert last == [
        f"KAFKA_BOOTSTRAP_SERVERS={stack.bootstrap}",
        f"PROMETHEUS_URL={stack.prometheus_url}",
    ], up.stdout
    print(up.stderr)
    yield stack
    stack.run("down")
