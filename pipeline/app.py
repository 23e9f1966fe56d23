"""The Faust app and its agents: thin wiring from topic to stage to topic.

Each agent decodes a message, calls the stage through the ``Chain``, counts, and sends the
result on, or dead-letters the original bytes with the reason. Nothing a message contains can
stop a worker: every exception from decoding or from the stage becomes a dead letter.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import faust

from pipeline.chain import Chain
from pipeline.errors import InvalidRecord
from pipeline.health.state import Progress
from pipeline.kafka import patches
from pipeline.kafka.security import faust_credentials
from pipeline.kafka.stores import KafkaStores
from pipeline.kafka.transactions import CommitGate, Sink, TopicSink
from pipeline.metrics import PipelineMetrics
from pipeline.records import deadletter, encode
from pipeline.settings import Settings
from pipeline.stages.registry import (
    TRENDS_STAGE,
    StageContext,
    StageSpec,
    StateStores,
    is_last,
    record_stages,
    stage,
)
from pipeline.topics import Topics
from pipeline.trends_agents import TrendsAgents

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    metrics: PipelineMetrics,
    chain: Chain | None = None,
    progress: Progress | None = None,
    stores: StateStores | None = None,
) -> faust.App:
    """Build the app with one agent per stage in ``settings.stage_list`` (two for trends);
    stages with state keep it in ``stores`` (the Kafka-backed ones unless given)."""
    patches.install()
    app = faust.App(
        settings.consumer_group,
        broker=[f"kafka://{server.strip()}" for server in settings.bootstrap_servers.split(",")],
        broker_credentials=faust_credentials(settings),
        store="memory://",
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        processing_guarantee="exactly_once" if settings.exactly_once else "at_least_once",
        consumer_auto_offset_reset="earliest",
        producer_compression_type="lz4",
        producer_acks=-1,
        producer_max_request_size=settings.max_message_bytes * 2,
        consumer_max_fetch_size=settings.max_message_bytes * 2,
        broker_request_timeout=max(90.0, settings.connect_timeout_s),
        broker_session_timeout=settings.session_timeout_s,
        broker_commit_interval=settings.commit_interval_s,
        broker_heartbeat_interval=min(3.0, settings.session_timeout_s / 3),
        # A deep prefetch buffer only adds memory and GC work when a backlog builds up: the
        # stages, not the fetches, set the pace.
        broker_max_poll_records=100,
        stream_buffer_maxsize=256,
        web_enabled=False,
        datadir=settings.data_dir,
        loghandlers=[],
    )
    stores = stores or KafkaStores(settings)
    chain = chain or Chain(
        record_stages(settings.stage_list), StageContext(settings, stores=stores)
    )
    topics = Topics.from_settings(settings)

    def topic(name: str) -> faust.TopicT:
        return app.topic(
            name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
        )

    gate = CommitGate(app)
    stage_of_source = {
        topics.source(stage(name)): name for name in record_stages(settings.stage_list)
    }
    stage_of_source[topics.enriched] = stage_of_source[topics.trends_by_entity] = TRENDS_STAGE

    def observe_commit_wait(tp: Any, waits: list[float]) -> None:
        histogram = metrics.commit_wait_seconds.labels(stage_of_source.get(tp.topic, tp.topic))
        for wait in waits:
            histogram.observe(wait)

    gate.on_committed = observe_commit_wait
    deadletters = TopicSink(app, topics.deadletter)
    for name in record_stages(settings.stage_list):
        spec = stage(name)
        sink = TopicSink(app, topics.output(spec))
        handler = StageHandler(
            spec, chain, metrics, sink, deadletters, settings, gate=gate, progress=progress
        )
        agent_name = f"{settings.consumer_group}.{spec.name}"
        app.agent(topic(topics.source(spec)), name=agent_name)(handler.agent)
        # A stage with state kept in Kafka refreshes it before it reads what it was handed,
        # and makes what it wrote durable before its input offsets commit.
        function = chain.function(spec.name)
        on_assigned = getattr(function, "on_partitions_assigned", None)
        if on_assigned is not None:
            app.on_partitions_assigned.connect(on_assigned)
        before_commit = getattr(function, "before_commit", None)
        if before_commit is not None:
            gate.before_commit(topics.source(spec), before_commit)

    if TRENDS_STAGE in settings.stage_list:
        trends = TrendsAgents(
            settings.trend_window_list,
            settings.partitions,
            stores.trends(),
            TopicSink(app, topics.trends_by_entity),
            TopicSink(app, topics.trends),
            gate,
            metrics,
        )
        trends.register(
            app, topic, (topics.enriched, topics.trends_by_entity), settings.consumer_group
        )

    @app.task
    async def commit_settled() -> None:
        await patches.commit_settled_partitions(app, gate)

    return app


class StageHandler:
    def __init__(
        self,
        spec: StageSpec,
        chain: Chain,
        metrics: PipelineMetrics,
        sink: Sink,
        deadletters: Sink,
        settings: Settings,
        gate: CommitGate | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.spec = spec
        self.stage = spec.name
        self.chain = chain
        self.metrics = metrics
        self.sink = sink
        self.deadletters = deadletters
        self.max_bytes = settings.max_message_bytes
        self.is_last = is_last(spec)
        self.gate = gate
        self.progress = progress

    async def agent(self, stream: faust.StreamT) -> Any:
        async for event in stream.events():
            await self.handle(event)
            if self.progress is not None:
                self.progress.note()
            yield None

    async def handle(self, event: faust.EventT) -> None:
        message = event.message
        self.metrics.messages_in.labels(self.stage).inc()
        in_flight = self.metrics.in_flight.labels(self.stage)
        in_flight.inc()
        started = time.perf_counter()
        record: dict[str, Any] | None = None
        try:
            record = self.spec.decode(message.value, self.max_bytes)
            result = self.chain.run(self.stage, record)
            payload = encode(result)
        except Exception as exc:  # noqa: BLE001 - any failure of one message is a dead letter
            await self.dead_letter(event, exc, record)
            return
        finally:
            self.metrics.processing_seconds.labels(self.stage).observe(
                time.perf_counter() - started
            )
            in_flight.dec()
        await self.emit(self.sink, event, payload)
        self.metrics.messages_out.labels(self.stage).inc()
        if self.is_last:
            self.metrics.articles_enriched.inc()
            self.metrics.content.observe(result)
            produced = result["timestamps"].get("produced")
            if produced:
                self.metrics.end_to_end_latency_seconds.observe(max(0.0, time.time() - produced))

    async def emit(self, sink: Sink, event: faust.EventT, value: bytes) -> None:
        """Send the one output of ``event`` and ack it, with no offset commit in between."""
        if self.gate is None:
            await sink.send(key=event.message.key, value=value, source=event.message)
            return
        async with self.gate.lock(event.message.tp):
            await sink.send(key=event.message.key, value=value, source=event.message)
            event.ack()
            self.gate.sent(event.message.tp)

    async def dead_letter(
        self, event: faust.EventT, exc: Exception, record: dict[str, Any] | None
    ) -> None:
        message = event.message
        error_type = type(exc).__name__
        if isinstance(exc, InvalidRecord):
            log.info(
                "%s: dead-lettered %s[%s]@%s: %s",
                self.stage,
                message.topic,
                message.partition,
                message.offset,
                exc,
            )
        else:
            log.exception(
                "%s: stage failed on %s[%s]@%s",
                self.stage,
                message.topic,
                message.partition,
                message.offset,
            )
        article_id: Any = record.get("id") if record else None
        if not isinstance(article_id, str) and message.key is not None:
            # The producer keys by article id, so the key names an article we could not read.
            article_id = bytes(message.key).decode("utf-8", "replace")
        letter = deadletter(
            original=message.value,
            stage=self.stage,
            error=exc,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            article_id=article_id,
        )
        await self.emit(self.deadletters, event, encode(letter))
        self.metrics.messages_failed.labels(self.stage, error_type).inc()
        self.metrics.deadlettered.labels(self.stage, error_type).inc()
