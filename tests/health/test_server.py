"""The three routes, over real HTTP on a free loopback port."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry, Counter

from pipeline.health.server import HealthServer
from pipeline.health.state import Health


def health(alive: bool, ready: bool) -> Health:
    return Health(alive, ready, False, 0, 1.0, () if ready else ("no partitions assigned",))


@pytest.fixture()
def served() -> Iterator[tuple[HealthServer, list[Health]]]:
    registry = CollectorRegistry()
    Counter("news_pipeline_probe_test", "A counter.", registry=registry).inc()
    current = [health(True, False)]
    server = HealthServer(lambda: current[0], registry, host="127.0.0.1", port=0).start()
    yield server, current
    server.stop()


def get(server: HealthServer, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_metrics_are_served(served: tuple[HealthServer, list[Health]]) -> None:
    status, body = get(served[0], "/metrics")
    assert status == 200 and b"news_pipeline_probe_test_total 1.0" in body


def test_healthz_and_readyz_answer_200_or_503_with_the_reasons(
    served: tuple[HealthServer, list[Health]],
) -> None:
    server, current = served
    assert get(server, "/healthz")[0] == 200
    status, body = get(server, "/readyz")
    assert status == 503
    assert json.loads(body)["reasons"] == ["no partitions assigned"]
    current[0] = health(True, True)
    assert get(server, "/readyz")[0] == 200
    current[0] = health(False, False)
    assert get(server, "/healthz")[0] == 503


def test_unknown_paths_are_404(served: tuple[HealthServer, list[Health]]) -> None:
    assert get(served[0], "/nope")[0] == 404
