"""``news-pipeline worker``: one Faust worker running some or all stages, serving /metrics,
/healthz and /readyz, and exiting non-zero with a reason when it can no longer work."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from prometheus_client import REGISTRY

from pipeline.app import create_app
from pipeline.chain import Chain
from pipeline.health import HealthServer, SupervisedWorker, Watchdog
from pipeline.health.watchdog import HEARTBEAT_INTERVAL_S
from pipeline.kafka.admin import ensure_topics
from pipeline.kafka.lag import LagMonitor
from pipeline.kafka.security import kafka_python_config
from pipeline.kafka.stores import KafkaStores
from pipeline.metrics import PipelineMetrics
from pipeline.metrics.trends import TrendsCollector
from pipeline.settings import Settings
from pipeline.stages.registry import (
    STAGE_NAMES,
    TRENDS_STAGE,
    StageContext,
    record_stages,
    skipped_between,
    stage,
)
from pipeline.topics import Topics
from pipeline.trends_agents import TrendsAgents

log = logging.getLogger(__name__)


def run_worker(settings: Settings) -> int:
    """Run until SIGTERM/SIGINT (exit code 0 once Faust has committed and left the group) or
    until the worker can no longer work (non-zero, the reason logged on one line)."""
    stages = settings.stage_list
    gap = skipped_between(stages)
    if gap:
        log.warning(
            "this worker runs %s but not %s, which comes between them: articles wait on its "
            "input topic until another worker runs it (stages: %s)",
            ", ".join(stages),
            ", ".join(gap),
            ", ".join(STAGE_NAMES),
        )
    # Creating the topics up front gives them the configured partition count even when the
    # broker would auto-create them with its own default, and fails fast, before the models
    # load, on a broker that is down or refuses us (one line and exit status 1, from the CLI).
    ensure_topics(settings)
    log.info("loading stages %s", ", ".join(stages))
    stores = KafkaStores(settings)
    chain = Chain(record_stages(stages), StageContext(settings, stores=stores))
    metrics = PipelineMetrics.create()
    topics = Topics.from_settings(settings)
    sources = [topics.source(stage(name)) for name in record_stages(stages)]
    if TRENDS_STAGE in stages:
        sources += [topics.enriched, topics.trends_by_entity]
    # Lag is read from the broker on a thread of its own, so a scrape never waits on Kafka.
    lag = LagMonitor.start_for(kafka_python_config(settings), settings.consumer_group, sources)
    watchdog = Watchdog(settings, sources, lambda: lag.collector.snapshot, metrics.health)
    # Faust creates only the last level of its data dir (.faust/<app> in the benchmarks).
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    app = create_app(settings, metrics, chain, progress=watchdog.progress, stores=stores)
    trends = TrendsAgents.of(app)
    if trends is not None:
        REGISTRY.register(TrendsCollector(trends.rows))
    watchdog.watch(app)
    worker = SupervisedWorker(app, watchdog, loglevel=settings.log_level, quiet=True)

    @app.task
    async def heartbeat() -> None:
        while True:
            watchdog.tick(app, worker)
            await asyncio.sleep(HEARTBEAT_INTERVAL_S)

    server = None
    if settings.metrics_port:
        server = HealthServer(
            watchdog.check,
            host=settings.metrics_host,
            port=settings.metrics_port,
            trends=trends.rows if trends is not None else None,
        ).start()
        log.info(
            "metrics and health on http://%s:%d/{metrics,healthz,readyz}",
            settings.metrics_host,
            server.port,
        )
    code = 1
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        lag.stop()
        if server is not None:
            server.stop()
    return watchdog.final_code(code)
