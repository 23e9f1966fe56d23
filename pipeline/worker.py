"""``news-pipeline worker``: one Faust worker running some or all stages, with /metrics."""

from __future__ import annotations

import logging

from prometheus_client import start_http_server

from pipeline.app import create_app
from pipeline.chain import Chain
from pipeline.kafka.admin import ensure_topics
from pipeline.kafka.lag import LagMonitor
from pipeline.kafka.security import kafka_python_config
from pipeline.metrics import PipelineMetrics
from pipeline.settings import Settings
from pipeline.stages.registry import STAGE_NAMES, StageContext, skipped_between, stage
from pipeline.topics import Topics

log = logging.getLogger(__name__)


def run_worker(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM; Faust's worker stops the agents and commits before exiting."""
    import faust

    stages = settings.stage_list
    gap = skipped_between(stages)
    if gap:
        log.warning(
            "this worker runs %s but not %s, which comes between them: articles wait on its "
            "input topic until another worker runs it (stages: %s)",
            ", ".join(stages), ", ".join(gap), ", ".join(STAGE_NAMES),
        )
    # Creating the topics up front gives them the configured partition count even when the
    # broker would auto-create them with its own default, and fails fast, before the models
    # load, on a broker that is down or refuses us (one line and exit status 1, from the CLI).
    ensure_topics(settings)
    log.info("loading stages %s", ", ".join(stages))
    chain = Chain(stages, StageContext(settings))
    metrics = PipelineMetrics.create()
    if settings.metrics_port:
        start_http_server(settings.metrics_port, addr=settings.metrics_host)
        log.info("metrics on http://%s:%d/metrics", settings.metrics_host, settings.metrics_port)
    app = create_app(settings, metrics, chain)
    topics = Topics.from_settings(settings)
    # Lag is read from the broker on a thread of its own, so a scrape never waits on Kafka.
    lag = LagMonitor.start_for(
        kafka_python_config(settings),
        settings.consumer_group,
        [topics.source(stage(name)) for name in settings.stage_list],
    )
    worker = faust.Worker(app, loglevel=settings.log_level, quiet=True)
    try:
        worker.execute_from_commandline()
    finally:
        lag.stop()
