"""Liveness and readiness judged from plain values, so every rule is tested without a broker.

A worker is **alive** when its event loop has beaten recently (a loop task stamps
``HealthState.heartbeat_at`` every second) and its Kafka consumer is running. It is **ready**
when it is able to work: alive (so its models are loaded: the probes are served only after),
in its consumer group (it has completed a rebalance), the broker answering its last lag check,
and not **stalled**: messages are waiting on the partitions it holds, yet it has processed
nothing for ``stall_timeout_s``. The clock for "nothing" restarts when the assignment changes,
so a worker that was just handed a backlog is given the same grace as one that has just
started.

Holding partitions is not part of readiness. A replica beyond the partition count (or a second
dedup replica, whose input has one partition) holds none, yet it is ready: it takes over the
moment a peer leaves. Were it not ready, a Kubernetes rollout would wait on it forever. It is
**idle**, which it says in ``/readyz`` and in the ``news_pipeline_worker_idle`` gauge.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from pipeline.kafka.lag import LagSnapshot, Partition


class Progress:
    """Stamped by the agents after each message; read by the health checks."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.last_processed_at: float | None = None
        self.processed = 0

    def note(self) -> None:
        self.last_processed_at = self._clock()
        self.processed += 1


@dataclass
class HealthState:
    """What the watchdog last saw on the event loop; plain attributes, written by the loop and
    read by the HTTP thread (each a single assignment, so no lock is needed)."""

    started_at: float = field(default_factory=time.monotonic)
    heartbeat_at: float | None = None
    consumer_running: bool = False
    assigned: frozenset[Partition] = frozenset()
    assigned_at: float = field(default_factory=time.monotonic)
    # Set once the consumer has completed a rebalance (with or without partitions): it is a
    # member of its group. Later rebalances leave it set, so readiness does not flap with them.
    joined: bool = False
    shutting_down: bool = False

    def assign(self, partitions: Collection[Partition], now: float) -> None:
        partitions = frozenset(partitions)
        if partitions != self.assigned:
            self.assigned = partitions
            self.assigned_at = now


@dataclass(frozen=True)
class Health:
    alive: bool
    ready: bool
    stalled: bool
    idle: bool  # in its group with no input partition: ready, with nothing to do
    waiting: int | None  # messages waiting on the assigned partitions; None: lag unknown
    seconds_since_progress: float
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "alive": self.alive,
            "ready": self.ready,
            "stalled": self.stalled,
            "idle": self.idle,
            "waiting": self.waiting,
            "seconds_since_progress": round(self.seconds_since_progress, 1),
            "reasons": list(self.reasons),
        }


def waiting_on(assigned: Collection[Partition], lag: LagSnapshot | None) -> int | None:
    """Messages waiting on ``assigned`` by the last lag snapshot; None when the broker was not
    reached (lag unknown is not lag)."""
    if lag is None or not lag.broker_up:
        return None
    by_partition: Mapping[Partition, int] = {(p.topic, p.partition): p.lag for p in lag.partitions}
    return sum(by_partition.get(tp, 0) for tp in assigned)


def assess(
    state: HealthState,
    progress: Progress,
    lag: LagSnapshot | None,
    *,
    now: float,
    heartbeat_timeout_s: float,
    stall_timeout_s: float,
) -> Health:
    reasons = []
    if state.heartbeat_at is None:
        reasons.append("the event loop has not beaten yet")
    elif now - state.heartbeat_at > heartbeat_timeout_s:
        reasons.append(f"the event loop has not beaten for {now - state.heartbeat_at:.0f}s")
    if not state.consumer_running:
        reasons.append("the Kafka consumer is not running")
    if state.shutting_down:
        reasons.append("shutting down")
    alive = not reasons

    last = max(progress.last_processed_at or state.started_at, state.assigned_at)
    since = max(0.0, now - last)
    waiting = waiting_on(state.assigned, lag)
    stalled = bool(waiting) and since > stall_timeout_s
    if not state.joined:
        reasons.append("not yet a member of its consumer group")
    if lag is not None and lag.refreshed_at and not lag.broker_up:
        reasons.append("the Kafka broker did not answer the last lag check")
    if stalled:
        reasons.append(
            f"stalled: {waiting} messages waiting on its partitions, none processed for "
            f"{since:.0f}s"
        )
    return Health(
        alive=alive,
        ready=not reasons,
        stalled=stalled,
        idle=alive and state.joined and not state.assigned,
        waiting=waiting,
        seconds_since_progress=since,
        reasons=tuple(reasons),
    )
