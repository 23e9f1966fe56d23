"""Every dashboard panel shows live data: a real Prometheus scrapes a real worker fed by replay.

Starts ``news-pipeline worker`` (its own app id and topic prefix, so it shares the broker with
other tests safely), a Prometheus on a free loopback port scraping it every second with the
shipped alert rules loaded, replays ``seeds/``, then runs every PromQL expression of every panel
in deploy/grafana/dashboards/*.json (template variables set to "All") and every variable query,
and fails on any query error or empty result. Both processes are stopped at the end, on failure
too.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.stages.registry import WORKER_STAGE_NAMES
from pipeline.worker_process import WorkerProcess
from tests.conftest import free_port
from tests.deploy.deployfiles import load_dashboards_module, require_tool
from tests.ingest.server import Site, rss, serve
from tests.integration.conftest import PipelineUnderTest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
SCRAPE_INTERVAL = "1s"
# Grafana's own macros, with values that fit a 1 s scrape interval and a short test.
MACROS = {"$__rate_interval": "15s", "$__interval": "1s", "$__range": "5m"}
# What every template variable's "All" expands to (allValue in deploy/grafana/boards/panels.py).
ALL = ".*"
WORKER_START_TIMEOUT = 180.0
DATA_TIMEOUT = 120.0


def substitute(expr: str) -> str:
    for macro, value in MACROS.items():
        expr = expr.replace(macro, value)
    return re.sub(r"\$\{?(\w+)\}?", ALL, expr)


def http_get(url: str, timeout: float = 10.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_for(url: str, timeout: float, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args!r} exited with {process.returncode}:\n{tail(log)}")
        try:
            if http_get(url, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {timeout:.0f}s:\n{tail(log)}")


def tail(path: Path, lines: int = 40) -> str:
    return (
        "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class Prometheus:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def api(self, path: str, **params: str) -> tuple[int, dict[str, Any]]:
        query = urllib.parse.urlencode(params)
        status, body = http_get(f"{self.base_url}/api/v1/{path}?{query}")
        return status, json.loads(body)

    def run(self, expr: str, instant: bool) -> tuple[str | None, int]:
        """(error or None, number of series) for one expression."""
        if instant:
            status, answer = self.api("query", query=expr)
        else:
            now = time.time()
            status, answer = self.api(
                "query_range", query=expr, start=f"{now - 120:.3f}", end=f"{now:.3f}", step="1"
            )
        if status != 200 or answer.get("status") != "success":
            return f"{answer.get('errorType')}: {answer.get('error')}", 0
        return None, len(answer["data"]["result"])

    def label_values(self, query: str) -> tuple[str | None, int]:
        """Grafana's label_values(selector, label) through the labels API."""
        match = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", query.strip())
        if not match:
            return f"not a label_values() query: {query}", 0
        status, answer = self.api(f"label/{match.group(2)}/values", **{"match[]": match.group(1)})
        if status != 200 or answer.get("status") != "success":
            return f"{answer.get('errorType')}: {answer.get('error')}", 0
        return None, len(answer["data"])


@pytest.fixture
def worker(pipeline: PipelineUnderTest) -> WorkerProcess:
    """A worker running every stage, trends too, on topics of its own (the shared
    integration fixture)."""
    started = pipeline.start_worker(",".join(WORKER_STAGE_NAMES))
    started.wait_ready(WORKER_START_TIMEOUT)
    return started


@pytest.fixture
def ingest(pipeline: PipelineUnderTest, tmp_path: Path) -> Iterator[int]:
    """`news-pipeline ingest` following a local site's feed into the pipeline's news.raw; its
    own /metrics port, for the ingest dashboard."""
    site = Site()
    with serve(site):
        story = site.url("/story.html")
        site.page("/feed.xml", rss([(story, "Floods", "Wed, 25 Nov 2026 10:00:00 GMT")]))
        site.page("/story.html", (REPO / "seeds" / "003_page.html").read_bytes())
        sources = tmp_path / "sources.yaml"
        sources.write_text(f"sources:\n  - url: {site.url('/feed.xml')}\n    name: local\n")
        port = free_port()
        env = {**pipeline.env(), "NEWS_PIPELINE_INGEST_METRICS_PORT": str(port)}
        log = tmp_path / "ingest.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "pipeline", "ingest", str(sources)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for(f"http://127.0.0.1:{port}/metrics", 60, process, log)
            yield port
        finally:
            stop(process)


@pytest.fixture
def prometheus(worker: WorkerProcess, ingest: int, tmp_path: Path) -> Iterator[Prometheus]:
    binary = require_tool("prometheus", "run deploy/prometheus/install.sh")
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        json.dumps(  # JSON is YAML, and needs no YAML library here
            {
                "global": {
                    "scrape_interval": SCRAPE_INTERVAL,
                    "evaluation_interval": SCRAPE_INTERVAL,
                },
                "rule_files": [str(DEPLOY / "prometheus" / "alerts.yml")],
                "scrape_configs": [
                    {
                        "job_name": "news-pipeline",
                        "static_configs": [{"targets": [f"127.0.0.1:{worker.metrics_port}"]}],
                    },
                    {
                        "job_name": "news-pipeline-ingest",
                        "static_configs": [{"targets": [f"127.0.0.1:{ingest}"]}],
                    },
                ],
            }
        )
    )
    log = tmp_path / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/-/ready", 60, process, log)
        yield Prometheus(f"http://127.0.0.1:{port}")
    finally:
        stop(process)


def test_every_dashboard_query_returns_data(
    pipeline: PipelineUnderTest, worker: WorkerProcess, prometheus: Prometheus
) -> None:
    pipeline.replay(REPO / "seeds")

    dashboards = load_dashboards_module()
    boards = {
        p.name: json.loads(p.read_text())
        for p in sorted((DEPLOY / "grafana" / "dashboards").glob("*.json"))
    }
    checks = [
        (f"{name} / {q.panel} [{q.ref_id}]", substitute(q.expr), q.instant)
        for name, board in boards.items()
        for q in dashboards.panel_queries(board)
    ]
    variables = [
        (f"{name} / ${var['name']}", substitute(var["query"]["query"]))
        for name, board in boards.items()
        for var in board["templating"]["list"]
    ]
    assert len(checks) > 20

    # Data arrives over a few scrapes and the lag lookup runs every few seconds: retry empty
    # results until the deadline, but fail at once on a query Prometheus rejects.
    deadline = time.monotonic() + DATA_TIMEOUT
    while True:
        empty = []
        for label, expr, instant in checks:
            error, series = prometheus.run(expr, instant)
            assert error is None, f"{label}: {expr}\n{error}"
            if not series:
                empty.append(f"{label}: {expr}")
        for label, expr in variables:
            error, values = prometheus.label_values(expr)
            assert error is None, f"{label}: {expr}\n{error}"
            if not values:
                empty.append(f"{label}: {expr}")
        if not empty or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert not empty, "no data for:\n" + "\n".join(empty)

    # The shipped alert rules load into a real server and evaluate without error.
    status, answer = prometheus.api("rules")
    assert status == 200
    rules = [rule for group in answer["data"]["groups"] for rule in group["rules"]]
    assert len(rules) >= 4
    assert all(rule["health"] == "ok" for rule in rules), rules
