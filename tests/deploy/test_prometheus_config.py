from __future__ import annotations

import subprocess

from tests.deploy.deployfiles import DEPLOY, require_tool

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
