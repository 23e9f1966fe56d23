"""The ``ingest`` process: SOURCES, /metrics, the broker, signals, and the loop between them."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from pathlib import Path

import httpx
from prometheus_client import REGISTRY, CollectorRegistry, start_http_server

from pipeline.ingest.broker import open_broker
from pipeline.ingest.config import Source, load_sources
from pipeline.ingest.fetch import FetchPolicy, PoliteClient
from pipeline.ingest.run import Ingestor, RunOptions, Summary
from pipeline.ingest.seen import SeenStore
from pipeline.ingest.sink import RawSink
from pipeline.metrics.ingest import IngestMetrics
from pipeline.settings import Settings

log = logging.getLogger(__name__)


def serve(
    settings: Settings,
    sources_path: Path,
    *,
    once: bool,
    policy: FetchPolicy,
    options: RunOptions,
    metrics_port: int,
    registry: CollectorRegistry = REGISTRY,
) -> Summary:
    """Run against the configured broker until SIGINT/SIGTERM (or one round with ``once``)."""
    sources = load_sources(sources_path)
    metrics = IngestMetrics.create(registry)
    if metrics_port:
        start_http_server(metrics_port, addr=settings.metrics_host, registry=registry)
        log.info("metrics on http://%s:%d/metrics", settings.metrics_host, metrics_port)
    producer, sink, store = open_broker(settings)
    try:
        return asyncio.run(
            run_ingest(sources, sink, store, metrics, policy=policy, options=options, once=once)
        )
    finally:
        store.close()
        producer.close(timeout=5)


async def run_ingest(
    sources: list[Source],
    sink: RawSink,
    store: SeenStore,
    metrics: IngestMetrics,
    *,
    policy: FetchPolicy,
    options: RunOptions | None = None,
    once: bool = False,
    stop: asyncio.Event | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Summary:
    """The loop without the process around it: what tests and the benchmark call."""
    client = PoliteClient(policy, metrics, transport=transport)
    ingestor = Ingestor(sources, client, sink, store, metrics, options)
    stop = stop or asyncio.Event()
    try:
        if not once:
            with _signals(stop.set):
                return await ingestor.run_forever(stop)
        task = asyncio.create_task(ingestor.run_once())

        def cancel_round() -> None:
            stop.set()
            task.cancel()

        with _signals(cancel_round):
            try:
                return await task
            except asyncio.CancelledError:
                if not stop.is_set():
                    raise  # cancelled from outside, not by a signal
                log.info("stopped by a signal before the round finished")
                await asyncio.to_thread(store.flush)
                return ingestor.summary
    finally:
        await client.aclose()


class _signals:
    """SIGINT and SIGTERM call ``handler`` while inside; outside, the defaults apply again."""

    def __init__(self, handler: Callable[[], object]) -> None:
        self.handler = handler
        self.installed: list[signal.Signals] = []

    def __enter__(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self._fire, sig)
            except (NotImplementedError, RuntimeError):
                continue  # not the main thread (tests), or a platform without them
            self.installed.append(sig)

    def _fire(self, sig: signal.Signals) -> None:
        log.info("%s: stopping", sig.name)
        self.handler()

    def __exit__(self, *_exc: object) -> None:
        loop = asyncio.get_running_loop()
        for sig in self.installed:
            loop.remove_signal_handler(sig)
