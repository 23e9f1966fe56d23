"""The worker's own view of its health, as exported beside /healthz and /readyz."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Gauge

from pipeline.metrics.names import PREFIX

if TYPE_CHECKING:
    from pipeline.health.state import Health


@dataclass(frozen=True)
class HealthMetrics:
    alive: Gauge
    ready: Gauge
    stalled: Gauge
    idle: Gauge
    seconds_since_progress: Gauge
    assigned_partitions: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> HealthMetrics:
        def gauge(name: str, documentation: str) -> Gauge:
            return Gauge(f"{PREFIX}_worker_{name}", documentation, registry=registry)

        return cls(
            alive=gauge("alive", "1 while /healthz passes: the loop beats, the consumer runs."),
            ready=gauge(
                "ready",
                "1 while /readyz passes: alive, in its consumer group, broker answering, "
                "not stalled.",
            ),
            stalled=gauge(
                "stalled",
                "1 when messages wait on this worker's partitions but it processed none for "
                "NEWS_PIPELINE_STALL_TIMEOUT_S.",
            ),
            idle=gauge(
                "idle",
                "1 while this worker is in its consumer group but holds no input partition "
                "(more replicas than partitions): ready, with nothing to do.",
            ),
            seconds_since_progress=gauge(
                "seconds_since_progress",
                "Seconds since this worker last processed a message (or was last assigned "
                "partitions, or started, whichever is latest).",
            ),
            assigned_partitions=gauge(
                "assigned_partitions", "Input topic partitions assigned to this worker."
            ),
        )

    def observe(self, health: Health, assigned: int) -> None:
        self.alive.set(health.alive)
        self.ready.set(health.ready)
        self.stalled.set(health.stalled)
        self.idle.set(health.idle)
        self.seconds_since_progress.set(health.seconds_since_progress)
        self.assigned_partitions.set(assigned)
