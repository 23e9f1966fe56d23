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
from pipeline.stages.trends import Row


def health(alive: bool, ready: bool) -> Health:
    reasons = () if ready else ("not yet a member of its consumer group",)
    return Health(alive, ready, False, False, 0, 1.0, reasons)


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
    assert json.loads(body)["reasons"] == ["not yet a member of its consumer group"]
    current[0] = health(True, True)
    assert get(server, "/readyz")[0] == 200
    current[0] = health(False, False)
    assert get(server, "/healthz")[0] == 503


def test_unknown_paths_are_404(served: tuple[HealthServer, list[Health]]) -> None:
    assert get(served[0], "/nope")[0] == 404


def test_trends_is_only_served_when_the_worker_counts_them(
    served: tuple[HealthServer, list[Health]],
) -> None:
    status, body = get(served[0], "/trends?window=1h")
    assert status == 404 and b"/trends" not in body


@pytest.fixture(scope="module")
def trends_served() -> Iterator[HealthServer]:
    rows = [
        Row("1h", "2030-01-01T05:00:00Z", "per:putin", "Putin", "PER", 3, 7, 0, 2, 1),
        Row("1h", "2030-01-01T05:00:00Z", "org:nato", "NATO", "ORG", 5, 5, 1, 0, 4),
        Row("1h", "2030-01-01T06:00:00Z", "per:putin", "Putin", "PER", 1, 1, 0, 0, 1),
        Row("1d", "2030-01-01T00:00:00Z", "per:putin", "Putin", "PER", 4, 8, 0, 2, 2),
    ]
    server = HealthServer(
        lambda: health(True, True),
        CollectorRegistry(),
        host="127.0.0.1",
        port=0,
        trends=lambda: rows,
    ).start()
    yield server
    server.stop()


def lines(body: bytes) -> list[dict]:
    return [json.loads(line) for line in body.decode().splitlines()]


def test_trends_answers_json_lines_filtered_as_the_cli_does(trends_served: HealthServer) -> None:
    status, body = get(trends_served, "/trends?window=1h")
    assert status == 200
    assert [(r["window_start"][11:16], r["key"]) for r in lines(body)] == [
        ("05:00", "org:nato"),
        ("05:00", "per:putin"),
        ("06:00", "per:putin"),
    ]
    assert lines(body)[1] == {
        "window": "1h",
        "window_start": "2030-01-01T05:00:00Z",
        "key": "per:putin",
        "name": "Putin",
        "type": "PER",
        "articles": 3,
        "mentions": 7,
        "stance": {"favor": 0, "against": 2, "neutral": 1},
    }
    query = "/trends?window=1h&since=2030-01-01T05:59:00Z&until=2030-01-02&type=per&entity=PUTIN"
    assert [r["window_start"] for r in lines(get(trends_served, query)[1])] == [
        "2030-01-01T05:00:00Z",
        "2030-01-01T06:00:00Z",
    ]
    assert [r["key"] for r in lines(get(trends_served, "/trends?window=1h&top=1")[1])] == [
        "org:nato",
        "per:putin",
    ]
    assert [r["window"] for r in lines(get(trends_served, "/trends?window=1d")[1])] == ["1d"]
    assert get(trends_served, "/trends?window=15m") == (200, b"")


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("", "window: required"),
        ("?window=1h&top=none", "top: 'none'"),
        ("?window=1h&type=PERSON", "type: 'PERSON'"),
        ("?window=1h&windw=1d", "unknown parameter windw"),
    ],
)
def test_unusable_trend_queries_are_400_with_the_reason(
    trends_served: HealthServer, query: str, error: str
) -> None:
    status, body = get(trends_served, f"/trends{query}")
    assert status == 400
    assert error in json.loads(body)["error"]
