"""The compose stack as a user runs it, in podman containers (issue 19): replays from the host
and from a container, a worker killed with SIGKILL, a worker cut off from the broker; each
raw message exactly once on news.enriched + news.deadletter (read_committed)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.containers.stack import (
    REPO,
    WORKERS,
    Stack,
    end_offsets,
    keys_since,
    logs,
    podman,
    succeeds,
)
from tests.integration.test_pipeline import bbc_sample, expected_ids

pytestmark = [pytest.mark.deploy, pytest.mark.slow]


def replay_from_host(stack: Stack, *paths: Path, rate: float | None = None) -> None:
    command = [sys.executable, "-m", "pipeline", "replay", *map(str, paths), "--no-progress"]
    if rate:
        command += ["--rate", str(rate)]
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap}
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=600)


def sample(tmp_path: Path, count: int) -> Path:
    found = bbc_sample(tmp_path, count)
    if found is None:
        pytest.skip("needs ../shared/data/corpora/bbc")
    return found


def assert_exactly_once(
    stack: Stack, since: dict, wanted: Counter[bytes], log: str = "", timeout: float = 300
) -> None:
    got = keys_since(stack.bootstrap, since, wanted.total(), timeout=timeout)
    assert wanted - got == Counter(), f"lost {wanted - got}\n{log}"
    assert got - wanted == Counter(), f"duplicated {got - wanted}\n{log}"


def test_replays_from_host_and_container_arrive_exactly_once_and_prometheus_sees_it(
    stack: Stack, tmp_path: Path
) -> None:
    bbc = sample(tmp_path, 300)
    since = end_offsets(stack.bootstrap)
    wanted = expected_ids(REPO / "seeds") + expected_ids(bbc)
    # The compose file's replay service: seeds/ from inside the worker image.
    replay = stack.run("compose", "run", "--rm", "--no-deps", "replay", timeout=300)
    assert replay.returncode == 0, replay.stderr[-2000:]
    replay_from_host(stack, bbc)
    assert_exactly_once(stack, since, wanted)

    enriched = sum(
        end - since.get(tp, 0)
        for tp, end in end_offsets(stack.bootstrap, ("news.enriched",)).items()
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        targets = stack.targets()
        counted = stack.prometheus("sum(news_pipeline_articles_enriched_total)")
        if (
            targets == dict.fromkeys(WORKERS, "up")
            and counted
            and float(counted[0]["value"][1]) >= enriched
        ):
            break
        time.sleep(2)
    assert targets == dict.fromkeys(WORKERS, "up")
    # Offsets count transaction markers too, so the topic's count is an upper bound.
    assert counted and 0 < float(counted[0]["value"][1]) <= enriched


def test_a_worker_killed_with_sigkill_is_restarted_and_the_stream_completes_exactly_once(
    stack: Stack, tmp_path: Path
) -> None:
    bbc = sample(tmp_path, 150)
    since = end_offsets(stack.bootstrap)
    restarts = int(stack.inspect("tag", "{{.RestartCount}}"))
    sender = threading.Thread(target=replay_from_host, args=(stack, bbc), kwargs={"rate": 15})
    sender.start()
    time.sleep(4)
    # What an OOM kill or a crash looks like: the process dies, not the engine stopping it
    # (podman, unlike Docker, never restarts a container after `podman kill`).
    pid = stack.inspect("tag", "{{.State.Pid}}")
    os.kill(int(pid), 9)
    deadline = time.monotonic() + 60
    while int(stack.inspect("tag", "{{.RestartCount}}")) == restarts:
        assert time.monotonic() < deadline, "tag was not restarted"
        time.sleep(1)
    ready_in = stack.wait_healthy("tag")
    print(f"tag restarted by its restart policy, healthy {ready_in:.0f}s later")
    sender.join(600)
    assert_exactly_once(stack, since, expected_ids(bbc), logs(stack.container("tag")))


def test_a_worker_cut_off_from_the_broker_for_30s_carries_on_or_restarts_exactly_once(
    stack: Stack, tmp_path: Path
) -> None:
    bbc = sample(tmp_path, 150)
    since = end_offsets(stack.bootstrap)
    sender = threading.Thread(target=replay_from_host, args=(stack, bbc), kwargs={"rate": 15})
    sender.start()
    time.sleep(4)
    container = stack.container("stance")
    podman("network", "disconnect", stack.network, container)
    time.sleep(30)
    podman("network", "connect", "--alias", "stance", stack.network, container)
    sender.join(600)
    # Seen here: the worker's connections died with its old address and Faust's commit waits
    # on them for ever; it is stalled after NEWS_PIPELINE_STALL_TIMEOUT_S (60), exits after
    # NEWS_PIPELINE_STALL_EXIT_S (300) and the restart policy brings it back: about 7 minutes.
    assert_exactly_once(stack, since, expected_ids(bbc), timeout=600)
    stack.wait_healthy("stance", timeout=240)
    status = stack.inspect("stance", "{{.State.Status}}, restarted {{.RestartCount}} times")
    print(f"stance after 30 s off the network: {status}\n{logs(container, tail=5)}")


READY = "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9108/readyz', timeout=4)"
# What podman itself writes into every container, read-only root or not.
ENGINE_FILES = {
    "/etc",
    "/etc/hosts",
    "/etc/hostname",
    "/etc/resolv.conf",
    "/run",
    "/run/.containerenv",
}


def test_the_image_runs_as_kubernetes_runs_it_non_root_read_only_no_capabilities(
    stack: Stack,
) -> None:
    """The manifests' securityContext: uid 10001, read-only root, every capability dropped,
    no privilege escalation; writable only /tmp and the data dir (emptyDirs there)."""
    name = f"{stack.project}-hardened"
    podman("rm", "-f", name, check=False)
    started = time.monotonic()
    podman(
        "run", "-d", "--name", name, "--network", stack.network,
        "--user", "10001:10001", "--read-only", "--cap-drop", "ALL",
        "--security-opt", "no-new-privileges",
        # emptyDirs, writable by the pod's fsGroup in Kubernetes (U: owned by the user).
        "--tmpfs", "/tmp:rw,U", "--tmpfs", "/app/data:rw,U",
        "-e", "KAFKA_BOOTSTRAP_SERVERS=kafka:9092", "-e", "NEWS_PIPELINE_APP_ID=hardened",
        "-e", "NEWS_PIPELINE_TOPIC_PREFIX=hardened.", "-e", "NEWS_PIPELINE_STAGES=tag,stance",
        "news-pipeline:0.1.0", "worker",
    )  # fmt: skip
    try:
        while not succeeds("exec", name, "python", "-c", READY, timeout=30):
            assert time.monotonic() - started < 240, logs(name)
            assert podman("inspect", "--format", "{{.State.Running}}", name) == "true", logs(name)
            time.sleep(1)
        ready_in = time.monotonic() - started
        print(f"hardened worker (tag and stance models): start to Ready {ready_in:.0f}s")
        assert podman("exec", name, "id", "-u") == "10001"
        assert podman("inspect", "--format", "{{.EffectiveCaps}}", name) in ("[]", "")
        changed = {line.split()[-1] for line in podman("diff", name).splitlines()}
        assert changed <= ENGINE_FILES, changed - ENGINE_FILES
        # SIGTERM to PID 1: Faust commits and leaves its group; the process exits 0.
        podman("stop", "-t", "40", name, timeout=60)
        assert podman("inspect", "--format", "{{.State.ExitCode}}", name) == "0"
        assert "worker exited with code 0" in logs(name)
    finally:
        podman("rm", "-f", name, check=False)
