from __future__ import annotations

import subprocess

from pipeline.stages.registry import WORKER_STAGE_NAMES
from tests.deploy.deployfiles import DEPLOY, load_yaml_documents, require_tool

PROMETHEUS_DIR = DEPLOY / "prometheus"
HINT = "run deploy/prometheus/install.sh (Debian's prometheus package ships promtool)"


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    tool = require_tool("promtool", HINT)
    return subprocess.run(
        [tool, *args], cwd=PROMETHEUS_DIR, capture_output=True, text=True, timeout=60
    )


def test_alert_rules_are_valid() -> None:
    result = promtool("check", "rules", "alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rules_fire_when_they_should() -> None:
    result = promtool("test", "rules", "alerts_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_scrape_config_is_valid() -> None:
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_promised_alerts_exist() -> None:
    rules = (PROMETHEUS_DIR / "alerts.yml").read_text()
    for alert in (
        "WorkerDown",
        "DeadLettersRising",
        "ConsumerLagGrowing",
        "NoThroughput",
        "WorkerStalled",
    ):
        assert f"alert: NewsPipeline{alert}" in rules


def test_prometheus_scrapes_every_worker_service_of_the_compose_file() -> None:
    """The trends service once ran unscraped: its name was missing from dns_sd_configs."""
    (config,) = load_yaml_documents((PROMETHEUS_DIR / "prometheus.yml").read_text())
    (job,) = [job for job in config["scrape_configs"] if job["job_name"] == "news-pipeline"]
    names = {name for sd in job["dns_sd_configs"] for name in sd["names"]}
    assert names == set(WORKER_STAGE_NAMES)
