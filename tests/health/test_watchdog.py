"""The watchdog's exit decisions, driven by a fake clock and plain snapshots."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from prometheus_client import CollectorRegistry

from pipeline.health.watchdog import Watchdog
from pipeline.kafka.lag import LagSnapshot, PartitionLag
from pipeline.metrics.health import HealthMetrics
from pipeline.settings import Settings

TP = SimpleNamespace(topic="news.raw", partition=0)


class Service(SimpleNamespace):
    started = True
    crashed = False
    should_stop = False
    crash_reason = None


def app() -> Any:
    consumer = Service(_thread=Service(), assignment=lambda: [TP])
    return Service(consumer=consumer)


def watchdog(clock: list[float], lag: LagSnapshot) -> tuple[Watchdog, list[str]]:
    settings = Settings(stall_timeout_s=10, stall_exit_s=30, heartbeat_timeout_s=5)
    dog = Watchdog(settings, ["news.raw"], lambda: lag, clock=lambda: clock[0])
    exits: list[str] = []
    dog.request_exit = lambda reason, code=1: exits.append(reason)  # type: ignore[method-assign]
    return dog, exits


WAITING = LagSnapshot(True, (PartitionLag("news.raw", 0, 10, 5, 5),), 1.0, 0.1)


def test_a_stall_seen_by_the_loop_for_stall_exit_s_asks_for_an_exit() -> None:
    clock = [0.0]
    dog, exits = watchdog(clock, WAITING)
    for t in range(0, 45):
        clock[0] = float(t)
        dog.tick(app(), Service())
    assert exits and exits[0].startswith("stalled: 5 messages waiting")


def test_a_thawed_worker_gets_a_full_stall_exit_s_to_catch_up() -> None:
    clock = [0.0]
    dog, exits = watchdog(clock, WAITING)
    dog.tick(app(), Service())
    clock[0] = 60.0  # frozen (SIGSTOP) for a minute: no ticks
    dog.tick(app(), Service())
    assert dog.check().stalled and not exits


def test_a_crash_asks_for_an_exit_with_the_reason() -> None:
    clock = [0.0]
    dog, exits = watchdog(clock, WAITING)
    crashed = app()
    crashed.crashed, crashed.crash_reason = True, RuntimeError("ProducerFenced")
    dog.tick(crashed, Service())
    assert exits == ["crashed: RuntimeError('ProducerFenced')"]


class Signal:
    """Faust's ``app.on_partitions_assigned``, as far as the watchdog uses it."""

    def __init__(self) -> None:
        self.receivers: list[Callable[..., Any]] = []

    def connect(self, receiver: Callable[..., Any]) -> None:
        self.receivers.append(receiver)

    async def send(self, assigned: set[Any]) -> None:
        for receiver in self.receivers:
            await receiver(self, assigned)


def test_a_replica_handed_no_partition_is_ready_and_idle_once_its_rebalance_completes() -> None:
    clock = [0.0]
    dog, exits = watchdog(clock, LagSnapshot(True, (), 1.0, 0.1))
    registry = CollectorRegistry()
    dog.metrics = HealthMetrics.create(registry)
    spare = Service(
        consumer=Service(_thread=Service(), assignment=lambda: []),
        on_partitions_assigned=Signal(),
    )
    dog.watch(spare)
    health = dog.tick(spare, Service())
    assert health.alive and not health.ready and not health.idle
    asyncio.run(spare.on_partitions_assigned.send(set()))
    clock[0] = 1.0
    health = dog.tick(spare, Service())
    assert health.ready and health.idle and not exits
    assert registry.get_sample_value("news_pipeline_worker_idle") == 1.0
    assert registry.get_sample_value("news_pipeline_worker_ready") == 1.0
