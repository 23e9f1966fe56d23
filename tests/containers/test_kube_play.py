"""The kustomize manifests played with `podman kube play` on the compose stack's network
(deploy/podman/k8s: the local image and the stack's broker): every pod Ready, a replica beyond
its input's partition count included, and a rolling replacement of the tag pods, one at a time
as a Deployment rollout does it, with every raw message exactly once."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.containers.stack import (
    PODMAN_DIR,
    WORKERS,
    Stack,
    end_offsets,
    logs,
    podman,
    succeeds,
)
from tests.containers.test_compose_stack import (
    READY,
    assert_exactly_once,
    replay_from_host,
    sample,
)
from tests.integration.test_pipeline import expected_ids

pytestmark = [pytest.mark.deploy, pytest.mark.slow]

SECRET = "news-pipeline-kafka"
# kube play reads a podman secret as a Kubernetes Secret: an empty one, as a plaintext
# cluster needs (it ignores `optional: true` and fails on a missing secret).
EMPTY_SECRET = f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {SECRET}\ndata: {{}}\n"


def deployments(documents: list[dict]) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in documents if d.get("kind") == "Deployment"}


def ready(container: str) -> bool:
    return succeeds("exec", container, "python", "-c", READY, timeout=30)


def readyz(container: str) -> dict:
    answer = podman(
        "exec", container, "python", "-c",
        "import urllib.request as u, urllib.error as e\n"
        "try: print(u.urlopen('http://127.0.0.1:9108/readyz', timeout=4).read().decode())\n"
        "except e.HTTPError as x: print(x.read().decode())",
    )  # fmt: skip
    return dict(json.loads(answer))


def wait_ready(containers: list[str], timeout: float = 300) -> float:
    start = time.monotonic()
    waiting = list(containers)
    while waiting:
        waiting = [c for c in waiting if not ready(c)]
        if waiting:
            assert time.monotonic() - start < timeout, f"not Ready: {waiting}\n{logs(waiting[0])}"
            time.sleep(2)
    return time.monotonic() - start


def play(manifest: Path, network: str) -> None:
    podman("kube", "play", "--network", network, str(manifest), timeout=300)


@pytest.fixture()
def played(stack: Stack, tmp_path: Path) -> Iterator[list[dict]]:
    """The rendered manifests, dedup scaled to 2 (one partition in: one replica idle), played
    instead of the compose workers (stopped meanwhile: the same consumer groups)."""
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl not found (it renders deploy/podman/k8s)")
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(PODMAN_DIR / "k8s")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    documents = [d for d in yaml.safe_load_all(rendered) if d]
    deployments(documents)["dedup"]["spec"]["replicas"] = 2
    manifest = tmp_path / "k8s.yaml"
    manifest.write_text(yaml.safe_dump_all(documents))
    secret = tmp_path / "secret.yaml"
    secret.write_text(EMPTY_SECRET)
    podman("secret", "rm", SECRET, check=False)
    podman("secret", "create", SECRET, str(secret))
    workers = [stack.container(w) for w in WORKERS]
    podman("stop", "-t", "40", *workers, timeout=120)
    try:
        play(manifest, stack.network)
        yield documents
    finally:
        podman("kube", "down", str(manifest), check=False, timeout=300)
        for pod in podman("pod", "ps", "-q", "--filter", "name=^tag-r").split():
            podman("pod", "rm", "-f", pod, check=False)
        podman("secret", "rm", SECRET, check=False)
        podman("start", *workers, check=False)


def test_every_pod_is_ready_and_a_rolling_replacement_of_tag_is_exactly_once(
    stack: Stack, played: list[dict], tmp_path: Path
) -> None:
    by_name = deployments(played)
    pods = {
        name: [f"{name}-pod-{i}" for i in range(d["spec"]["replicas"])]
        for name, d in by_name.items()
    }
    containers = [f"{pod}-worker" for names in pods.values() for pod in names]
    ready_in = wait_ready(containers)
    print(f"kube play: {len(containers)} pods Ready {ready_in:.0f}s after play")
    for name, names in pods.items():
        env = podman("exec", f"{names[0]}-worker", "printenv", "NEWS_PIPELINE_STAGES")
        assert env == name, f"{name} pod runs {env}"
    dedup = [readyz(f"{pod}-worker") for pod in pods["dedup"]]
    assert sorted(answer["idle"] for answer in dedup) == [False, True], dedup

    bbc = sample(tmp_path, 150)
    since = end_offsets(stack.bootstrap)
    sender = threading.Thread(target=replay_from_host, args=(stack, bbc), kwargs={"rate": 10})
    sender.start()
    time.sleep(4)
    # maxSurge 1, maxUnavailable 0: a new pod, Ready, then one old pod stopped (SIGTERM).
    started = time.monotonic()
    tag = by_name["tag"]
    (configmap,) = [d for d in played if d["kind"] == "ConfigMap"]
    for i, old in enumerate(pods["tag"]):
        new = {**tag, "metadata": {**tag["metadata"], "name": f"tag-r{i}"}}
        new["spec"] = {**tag["spec"], "replicas": 1}
        manifest = tmp_path / f"tag-r{i}.yaml"
        manifest.write_text(yaml.safe_dump_all([configmap, new]))
        play(manifest, stack.network)
        wait_ready([f"tag-r{i}-pod-0-worker"])
        podman("pod", "stop", "-t", "60", old, timeout=120)
        code = podman("inspect", "--format", "{{.State.ExitCode}}", f"{old}-worker")
        assert code == "0", logs(f"{old}-worker")
        podman("pod", "rm", old)
    rollout = time.monotonic() - started
    print(f"rolling replacement of {len(pods['tag'])} tag pods: {rollout:.0f}s")
    sender.join(600)
    assert_exactly_once(stack, since, expected_ids(bbc))
