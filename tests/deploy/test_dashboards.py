from __future__ import annotations

import json
import re

from prometheus_client import CollectorRegistry

from pipeline.kafka.lag import LagCollector
from pipeline.metrics import PipelineMetrics
from pipeline.metrics.ingest import IngestMetrics
from pipeline.metrics.trends import TrendsCollector
from tests.deploy.deployfiles import DEPLOY, load_dashboards_module

DASHBOARD_DIR = DEPLOY / "grafana" / "dashboards"
# Series that come from Prometheus itself or prometheus-client's default collectors.
EXTERNAL = {"up", "process_cpu_seconds_total", "process_resident_memory_bytes"}
EXTERNAL_PREFIXES = ("python_gc_",)


def boards() -> dict[str, dict]:
    return {p.name: json.loads(p.read_text()) for p in sorted(DASHBOARD_DIR.glob("*.json"))}


SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "info": ("_info",),
    "gauge": ("",),
}


def exported_names() -> set[str]:
    """Every series name a worker can export, whether or not a labelled child exists yet."""
    registry = CollectorRegistry()
    PipelineMetrics.create(registry)
    IngestMetrics.create(registry)  # news-pipeline ingest's own
    registry.register(LagCollector(None, "g", []))  # type: ignore[arg-type]
    registry.register(TrendsCollector(list))  # a trends worker's top entities
    return {
        family.name + suffix
        for family in registry.collect()
        for suffix in SUFFIXES.get(family.type, ("",))
    }


def test_committed_json_is_what_the_source_generates() -> None:
    module = load_dashboards_module()
    assert module.stale() == [], "run: python deploy/grafana/dashboards.py"
    assert set(boards()) == set(module.render())


def test_overview_and_content_dashboards_have_the_promised_panels() -> None:
    found = boards()
    overview = {p["title"] for p in found["pipeline-overview.json"]["panels"]}
    content = {p["title"] for p in found["pipeline-content.json"]["panels"]}
    assert {
        "Messages in per stage",
        "Dead letters by stage and error type",
        "End-to-end latency",
        "Consumer lag per topic",
        "Worker up",
    } <= overview
    assert {"Entity mentions by type", "Top entities", "Stance mix", "Languages"} <= content


def test_template_variables_for_stage_and_worker_instance() -> None:
    found = boards()
    names = {v["name"] for v in found["pipeline-overview.json"]["templating"]["list"]}
    assert {"stage", "instance", "job"} <= names
    for board in found.values():
        for var in board["templating"]["list"]:
            assert var["includeAll"] and var["allValue"] == ".*"


def test_every_query_uses_known_metrics_and_the_instance_filter() -> None:
    module = load_dashboards_module()
    known = exported_names()
    for name, board in boards().items():
        queries = module.panel_queries(board)
        assert queries, name
        for q in queries:
            metrics = set(re.findall(r"\b([a-z_]+)\{", q.expr))
            assert metrics, q
            for metric in metrics:
                external = metric in EXTERNAL or metric.startswith(EXTERNAL_PREFIXES)
                assert external or metric in known, f"{name} / {q.panel}: unknown {metric}"
            assert 'instance=~"$instance"' in q.expr, f"{name} / {q.panel} ignores $instance"


def test_panels_use_the_provisioned_datasource() -> None:
    provisioned = (DEPLOY / "grafana/provisioning/datasources/prometheus.yaml").read_text()
    uid = re.search(r"uid:\s*(\S+)", provisioned)
    assert uid
    for board in boards().values():
        for panel in board["panels"]:
            if panel["type"] != "row":
                assert panel["datasource"]["uid"] == uid.group(1)


def test_panel_ids_are_unique() -> None:
    for board in boards().values():
        ids = [p["id"] for p in board["panels"]]
        assert len(ids) == len(set(ids))
