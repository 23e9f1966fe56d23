from __future__ import annotations

from prometheus_client import CollectorRegistry

from pipeline.kafka.lag import LagCollector
from pipeline.metrics import PipelineMetrics
from pipeline.metrics.ingest import IngestMetrics
from pipeline.metrics.trends import TrendsCollector
from tests.deploy.deployfiles import REPO, settings_env_vars

SUFFIX = {"counter": "_total", "info": "_info"}


def test_every_exported_metric_is_in_the_reference() -> None:
    registry = CollectorRegistry()
    PipelineMetrics.create(registry)
    IngestMetrics.create(registry)  # news-pipeline ingest's own
    registry.register(LagCollector(None, "g", []))  # type: ignore[arg-type]
    registry.register(TrendsCollector(list))  # a trends worker's top entities
    reference = (REPO / "docs" / "metrics.md").read_text()
    missing = [
        family.name + SUFFIX.get(family.type, "")
        for family in registry.collect()
        if f"`{family.name}{SUFFIX.get(family.type, '')}`" not in reference
    ]
    assert not missing, f"document in docs/metrics.md: {missing}"


def test_every_environment_variable_is_documented_for_deployers() -> None:
    guide = (REPO / "docs" / "deploying.md").read_text()
    every = settings_env_vars(include_tools_only=True, include_secrets=True)
    missing = sorted(name for name in every if f"`{name}`" not in guide)
    assert not missing, f"document in docs/deploying.md: {missing}"
