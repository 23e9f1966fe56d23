"""Feeds the health checks from the running Faust worker, and makes the worker exit, promptly,
non-zero and with a one-line reason, whenever it can no longer do its job.

Faust's own crash handling can leave a process alive but useless: a ``ProducerFenced`` after a
long stall crashes the app, yet the stop that follows can hang on producers and fetchers that
will never answer (the "half-alive" worker of issue 9), and a rebalance can leave assigned
partitions that are never fetched. So, on our side:

- a loop task (``tick``, every second) stamps the heartbeat, records the assignment and whether
  the consumer runs, exports the health gauges, and asks for an exit when the app has crashed,
  the broker has been unreachable for ``broker_timeout_s`` or the worker has been stalled for
  ``stall_exit_s``;
- an exit, once asked for, starts Faust's ordinary shutdown (the SIGTERM path) and arms a
  deadline thread that ends the process with ``os._exit`` if the shutdown has not finished
  within ``shutdown_timeout_s``. SIGTERM from outside arms the same deadline, with exit code 0
  when Faust finishes in time.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Collection
from typing import Any

import faust

from pipeline.health.state import Health, HealthState, Progress, assess
from pipeline.kafka.lag import LagSnapshot
from pipeline.metrics.health import HealthMetrics
from pipeline.settings import Settings

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_S = 1.0


class Watchdog:
    def __init__(
        self,
        settings: Settings,
        source_topics: Collection[str],
        lag: Callable[[], LagSnapshot | None],
        metrics: HealthMetrics | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.source_topics = frozenset(source_topics)
        self.lag = lag
        self.metrics = metrics
        self.clock = clock
        self.state = HealthState(started_at=clock(), assigned_at=clock())
        self.progress = Progress(clock)
        self.exit_code: int | None = None
        self.exit_reason: str | None = None
        self._broker_down_since: float | None = None
        # When the loop first saw the stall; a frozen loop sees nothing, so a worker thawed
        # after SIGSTOP gets a full stall_exit_s to catch up before it gives up.
        self._stalled_since: float | None = None
        self._lock = threading.Lock()
        self._deadline: threading.Timer | None = None

    def watch(self, app: faust.App) -> None:
        """Follow ``app``'s rebalances: the first completed one makes the worker a group member
        (ready even with no partitions)."""
        app.on_partitions_assigned.connect(self.on_partitions_assigned)

    async def on_partitions_assigned(self, *_: Any, **__: Any) -> None:
        self.state.joined = True

    def check(self) -> Health:
        return assess(
            self.state,
            self.progress,
            self.lag(),
            now=self.clock(),
            heartbeat_timeout_s=self.settings.heartbeat_timeout_s,
            stall_timeout_s=self.settings.stall_timeout_s,
        )

    def tick(self, app: faust.App, worker: Any) -> Health:
        """One heartbeat, on the event loop."""
        now = self.clock()
        last_beat = self.state.heartbeat_at
        if last_beat is not None and now - last_beat > self.settings.heartbeat_timeout_s:
            self._stalled_since = None  # the loop itself was frozen: start counting afresh
        self.state.heartbeat_at = now
        self.state.consumer_running = consumer_running(app)
        if self.state.consumer_running:
            self.state.assign(
                [
                    (tp.topic, tp.partition)
                    for tp in app.consumer.assignment()
                    if tp.topic in self.source_topics
                ],
                now,
            )
        health = self.check()
        if self.metrics is not None:
            self.metrics.observe(health, len(self.state.assigned))
        self._judge(app, worker, health, now)
        return health

    def _judge(self, app: faust.App, worker: Any, health: Health, now: float) -> None:
        crash = crash_reason(app, worker)
        if crash is not None:
            self.request_exit(f"crashed: {crash!r}")
            return
        snapshot = self.lag()
        if snapshot is not None and snapshot.refreshed_at and not snapshot.broker_up:
            self._broker_down_since = self._broker_down_since or now
            down = now - self._broker_down_since
            if self.settings.broker_timeout_s and down > self.settings.broker_timeout_s:
                self.request_exit(f"Kafka broker unreachable for {down:.0f}s")
                return
        elif snapshot is not None and snapshot.broker_up:
            self._broker_down_since = None
        if not health.stalled:
            self._stalled_since = None
            return
        self._stalled_since = self._stalled_since or now
        limit = self.settings.stall_exit_s
        if limit and now - self._stalled_since > limit:
            self.request_exit(
                f"stalled: {health.waiting} messages waiting on its partitions, none processed "
                f"for {health.seconds_since_progress:.0f}s"
            )

    def request_exit(self, reason: str, code: int = 1) -> None:
        """Stop through Faust's SIGTERM path; exit with ``code`` whatever happens."""
        with self._lock:
            if self.exit_reason is not None:
                return
            self.exit_reason, self.exit_code = reason, code
        log.critical("worker exiting: %s", reason)
        self.state.shutting_down = True
        self._arm(code, reason)
        os.kill(os.getpid(), signal.SIGTERM)

    def shutting_down(self, crash: BaseException | None) -> None:
        """Faust's worker has begun to stop (signal, crash or ``request_exit``)."""
        self.state.shutting_down = True
        if crash is not None and self.exit_reason is None:
            with self._lock:
                self.exit_reason, self.exit_code = f"crashed: {crash!r}", 1
            log.critical("worker exiting: %s", self.exit_reason)
        self._arm(self.exit_code or 0, self.exit_reason or "stopped")

    def _arm(self, code: int, reason: str) -> None:
        with self._lock:
            if self._deadline is not None:
                return
            timeout = self.settings.shutdown_timeout_s
            self._deadline = threading.Timer(timeout, _exit_now, (code or 1, reason, timeout))
            self._deadline.daemon = True
            self._deadline.start()

    def final_code(self, faust_code: int) -> int:
        """The process's exit code: the watchdog's when it asked for the exit, else Faust's."""
        code = self.exit_code if self.exit_code is not None else faust_code
        log.info("worker exited with code %d: %s", code, self.exit_reason or "stopped")
        return code


def _exit_now(code: int, reason: str, timeout: float) -> None:
    log.critical("worker exiting: shutdown (%s) did not finish in %gs", reason, timeout)
    logging.shutdown()
    os._exit(code)


def consumer_running(app: faust.App) -> bool:
    """The Faust consumer and its Kafka thread are started and neither has stopped or crashed."""
    try:
        consumer = app.consumer
    except Exception:  # noqa: BLE001 - not built yet
        return False
    services = [consumer, getattr(consumer, "_thread", None)]
    return all(
        s is not None and s.started and not s.crashed and not s.should_stop for s in services
    )


def crash_reason(app: faust.App, worker: Any) -> BaseException | None:
    for service in (app, worker):
        if service is not None and service.crashed:
            return service.crash_reason or RuntimeError("crashed without a reason")
    return None


class SupervisedWorker(faust.Worker):
    """Faust's worker, telling the watchdog when it starts to shut down and why."""

    def __init__(self, app: faust.App, watchdog: Watchdog, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.watchdog = watchdog

    def on_worker_shutdown(self) -> None:
        super().on_worker_shutdown()
        self.watchdog.shutting_down(self.crash_reason or self.app.crash_reason)
