from __future__ import annotations

import typer
from prometheus_client import CollectorRegistry
from typer.testing import CliRunner

from pipeline.ingest.cli import ingest
from pipeline.metrics.ingest import IngestMetrics


def test_the_command_registers_and_documents_its_options() -> None:
    app = typer.Typer()
    app.command()(ingest)
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for option in ("--once", "--metrics-port", "--per-host-rate", "--max-bytes", "--timeout"):
        assert option in result.output


def test_metric_names() -> None:
    registry = CollectorRegistry()
    IngestMetrics.create(registry)
    names = {m.name for m in registry.collect()}
    assert all(n.startswith("news_pipeline_ingest_") for n in names)
    assert "news_pipeline_ingest_last_success_timestamp_seconds" in names


def test_the_benchmark_runs() -> None:
    from pipeline.bench.ingest import bench

    assert bench(pages=20, concurrency=2) > 0
