"""Consumer lag and broker reachability, measured by the worker itself.

A background thread asks the broker, every few seconds, for the end offset of each partition of
the pipeline's input topics and for the offsets the consumer group has committed; the difference
is the lag. ``LagCollector.collect`` only reads the last snapshot, so a Prometheus scrape never
waits on Kafka, and a broker that does not answer within the timeout only turns
``news_pipeline_broker_up`` to 0 (and drops the lag series, which would otherwise be stale).

The Kafka calls sit behind ``OffsetSource`` so that the arithmetic and the exported series are
tested with plain dicts; ``KafkaOffsetSource`` is the one real implementation (kafka-python's
admin client: describe_topics, list_group_offsets, list_partition_offsets).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from pipeline.metrics.names import PREFIX

log = logging.getLogger(__name__)

Partition = tuple[str, int]


class OffsetSource(Protocol):
    """The four questions the collector asks Kafka; any of them may raise when it is down."""

    def partitions(self, topics: Sequence[str]) -> list[Partition]: ...

    def end_offsets(self, partitions: Sequence[Partition]) -> dict[Partition, int]: ...

    def start_offsets(self, partitions: Sequence[Partition]) -> dict[Partition, int]: ...

    def committed_offsets(self, group_id: str) -> dict[Partition, int]: ...

    def unreadable(
        self, positions: Mapping[Partition, int], ends: Mapping[Partition, int]
    ) -> set[Partition]:
        """Those of ``positions`` with nothing a read_committed consumer would read from there
        to the end: only transaction markers and aborted records."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class PartitionLag:
    topic: str
    partition: int
    end_offset: int
    committed_offset: int | None
    lag: int


def compute_lag(
    end_offsets: Mapping[Partition, int],
    committed: Mapping[Partition, int],
    start_offsets: Mapping[Partition, int],
) -> list[PartitionLag]:
    """Lag per partition: end offset minus committed offset, never negative.

    A partition the group has not committed on yet is read from its earliest offset (the
    workers' reset policy), so everything retained there is lag.
    """
    lags = []
    for (topic, partition), end in sorted(end_offsets.items()):
        done = committed.get((topic, partition))
        lags.append(
            PartitionLag(
                topic,
                partition,
                end,
                done,
                max(0, end - position_of((topic, partition), committed, start_offsets)),
            )
        )
    return lags


def position_of(
    partition: Partition, committed: Mapping[Partition, int], start_offsets: Mapping[Partition, int]
) -> int:
    """Where the group reads ``partition`` from next."""
    done = committed.get(partition)
    return done if done is not None else start_offsets.get(partition, 0)


@dataclass(frozen=True)
class LagSnapshot:
    broker_up: bool
    partitions: tuple[PartitionLag, ...]
    refreshed_at: float  # unix time of the last attempt
    refresh_seconds: float  # how long that attempt took


class LagCollector(Collector):
    """Exports the last ``LagSnapshot``; ``refresh()`` takes a new one (blocking, off the loop)."""

    def __init__(
        self,
        source: OffsetSource,
        group_id: str,
        topics: Sequence[str],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._source = source
        self.group_id = group_id
        self.topics = tuple(topics)
        self._clock = clock
        # Unknown until the first refresh: reported as down rather than guessed up.
        self._snapshot = LagSnapshot(False, (), 0.0, 0.0)

    @property
    def snapshot(self) -> LagSnapshot:
        return self._snapshot

    def refresh(self) -> LagSnapshot:
        started = self._clock()
        try:
            partitions = self._source.partitions(self.topics)
            ends = self._source.end_offsets(partitions) if partitions else {}
            committed = self._source.committed_offsets(self.group_id)
            never_committed = [p for p in partitions if p not in committed]
            starts = self._source.start_offsets(never_committed) if never_committed else {}
            lags = tuple(compute_lag(ends, committed, starts))
            behind = {(p.topic, p.partition) for p in lags if p.lag}
            if behind:
                # Every transaction a worker commits leaves a marker after its last message, so
                # a finished partition is one offset "behind" for good; counted as lag it would
                # mark an idle worker stalled, and its supervisor would restart it for nothing.
                positions = {p: position_of(p, committed, starts) for p in behind}
                empty = self._source.unreadable(positions, {p: ends[p] for p in behind})
                lags = tuple(
                    replace(p, lag=0) if (p.topic, p.partition) in empty else p for p in lags
                )
            up = True
        except Exception as exc:  # any failure means "cannot see the broker now"
            if self._snapshot.broker_up or self._snapshot.refreshed_at == 0.0:
                log.warning("consumer lag unavailable, broker unreachable: %s", exc)
            self._source.close()
            lags, up = (), False
        else:
            if not self._snapshot.broker_up and self._snapshot.refreshed_at != 0.0:
                log.info("broker reachable again; consumer lag resumed")
        finished = self._clock()
        self._snapshot = LagSnapshot(up, lags, finished, max(0.0, finished - started))
        return self._snapshot

    def close(self) -> None:
        self._source.close()

    def describe(self) -> Iterable[Metric]:
        return self.metric_families()

    def collect(self) -> Iterator[Metric]:
        snap = self._snapshot
        lag, end, committed, up, refreshed, duration = self.metric_families()
        for p in snap.partitions:
            labels = [self.group_id, p.topic, str(p.partition)]
            lag.add_metric(labels, p.lag)
            end.add_metric(labels[1:], p.end_offset)
            if p.committed_offset is not None:
                committed.add_metric(labels, p.committed_offset)
        up.add_metric([], 1.0 if snap.broker_up else 0.0)
        if snap.refreshed_at:
            refreshed.add_metric([], snap.refreshed_at)
            duration.add_metric([], snap.refresh_seconds)
        yield from (lag, end, committed, up, refreshed, duration)

    @staticmethod
    def metric_families() -> tuple[GaugeMetricFamily, ...]:
        partition_labels = ["group", "topic", "partition"]
        return (
            GaugeMetricFamily(
                f"{PREFIX}_consumer_lag_messages",
                "Messages on an input topic partition not yet committed by the consumer group.",
                labels=partition_labels,
            ),
            GaugeMetricFamily(
                f"{PREFIX}_topic_end_offset",
                "End offset (next offset to be written) of an input topic partition.",
                labels=["topic", "partition"],
            ),
            GaugeMetricFamily(
                f"{PREFIX}_consumer_committed_offset",
                "Offset the consumer group has committed on an input topic partition.",
                labels=partition_labels,
            ),
            GaugeMetricFamily(
                f"{PREFIX}_broker_up",
                "1 when the last offset lookup reached the Kafka broker in time, else 0.",
            ),
            GaugeMetricFamily(
                f"{PREFIX}_lag_refresh_timestamp_seconds",
                "Unix time of the last consumer-lag lookup.",
            ),
            GaugeMetricFamily(
                f"{PREFIX}_lag_refresh_seconds",
                "Seconds the last consumer-lag lookup took.",
            ),
        )


class LagMonitor:
    """Runs ``LagCollector.refresh`` on a daemon thread every ``interval_seconds``."""

    def __init__(self, collector: LagCollector, interval_seconds: float = 5.0) -> None:
        self.collector = collector
        self.interval_seconds = interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def start_for(
        cls,
        client_config: Mapping[str, Any],
        group_id: str,
        topics: Sequence[str],
        registry: CollectorRegistry = REGISTRY,
        interval_seconds: float = 5.0,
        timeout_seconds: float = 3.0,
    ) -> LagMonitor:
        """Build the Kafka-backed collector, register it and start refreshing. Never raises on
        an unreachable broker: that shows as broker_up 0 until it answers.

        ``client_config``: kafka-python connection keywords (``pipeline.kafka.security``)."""
        source = KafkaOffsetSource(client_config, timeout_seconds)
        collector = LagCollector(source, group_id, topics)
        registry.register(collector)
        monitor = cls(collector, interval_seconds)
        monitor.start()
        return monitor

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="consumer-lag", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.collector.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.collector.refresh()
            self._stop.wait(self.interval_seconds)


class KafkaOffsetSource:
    """``OffsetSource`` over one kafka-python admin client and one read_committed consumer,
    both rebuilt after any failure."""

    def __init__(self, client_config: Mapping[str, Any], timeout_seconds: float = 3.0) -> None:
        self._client_config = dict(client_config)
        self._timeout_ms = max(1, int(timeout_seconds * 1000))
        self._admin: Any = None
        self._consumer: Any = None

    def partitions(self, topics: Sequence[str]) -> list[Partition]:
        found: list[Partition] = []
        for topic in self._client().describe_topics(list(topics)):
            # A topic that does not exist yet (error code 3) simply has no lag.
            if topic.get("error_code", 0) == 0:
                found.extend((topic["name"], p["partition_index"]) for p in topic["partitions"])
        return sorted(found)

    def end_offsets(self, partitions: Sequence[Partition]) -> dict[Partition, int]:
        from kafka.protocol.consumer import OffsetSpec

        return self._list_offsets(partitions, OffsetSpec.LATEST)

    def start_offsets(self, partitions: Sequence[Partition]) -> dict[Partition, int]:
        from kafka.protocol.consumer import OffsetSpec

        return self._list_offsets(partitions, OffsetSpec.EARLIEST)

    def committed_offsets(self, group_id: str) -> dict[Partition, int]:
        offsets = self._client().list_group_offsets({group_id: None}).get(group_id, {})
        # Offset -1 means "nothing committed" in the OffsetFetch protocol.
        return {(tp.topic, tp.partition): om.offset for tp, om in offsets.items() if om.offset >= 0}

    def unreadable(
        self, positions: Mapping[Partition, int], ends: Mapping[Partition, int]
    ) -> set[Partition]:
        from kafka import TopicPartition

        consumer = self._reader()
        undecided = {TopicPartition(*p): offset for p, offset in positions.items()}
        empty: set[Partition] = set()
        consumer.assign(list(undecided))
        for tp, offset in undecided.items():
            consumer.seek(tp, offset)
        deadline = time.monotonic() + self._timeout_ms / 1000
        while undecided and time.monotonic() < deadline:
            for tp in consumer.poll(timeout_ms=200, max_records=len(positions)):
                undecided.pop(tp, None)  # it returned a message: readable
            for tp in list(undecided):
                # Past the end with nothing returned: markers and aborted records only.
                if (
                    consumer.position(tp, timeout_ms=self._timeout_ms)
                    >= ends[(tp.topic, tp.partition)]
                ):
                    empty.add((tp.topic, tp.partition))
                    del undecided[tp]
        # Still undecided (an open transaction holds the last stable offset back): lag stands.
        return empty

    def close(self) -> None:
        clients = (self._admin, self._consumer)
        self._admin = self._consumer = None
        for client in clients:
            if client is None:
                continue
            try:
                client.close()
            except Exception:  # closing a broken client must not mask the original failure
                log.debug("closing a lag client failed", exc_info=True)

    def _reader(self) -> Any:
        """The read_committed consumer ``unreadable`` reassigns on each call: one connection
        for the worker's life rather than a new one every refresh that finds a partition
        behind."""
        if self._consumer is None:
            from kafka import KafkaConsumer

            self._consumer = KafkaConsumer(
                **self._client_config,
                client_id="news-pipeline-lag",
                group_id=None,
                enable_auto_commit=False,
                isolation_level="read_committed",
                request_timeout_ms=max(self._timeout_ms, 1000),
                # It only asks whether a message is there, every few seconds, on the worker's
                # own CPU: a full fetch with kafka-python's pure-Python CRC check of every
                # batch cost 3% of a worker's time under a backlog (py-spy, make bench).
                check_crcs=False,
                max_partition_fetch_bytes=64 * 1024,
            )
        return self._consumer

    def _list_offsets(self, partitions: Sequence[Partition], spec: Any) -> dict[Partition, int]:
        from kafka import TopicPartition

        specs = {TopicPartition(topic, partition): spec for topic, partition in partitions}
        answer = self._client().list_partition_offsets(specs, timeout_ms=self._timeout_ms)
        return {(tp.topic, tp.partition): found.offset for tp, found in answer.items()}

    def _client(self) -> Any:
        if self._admin is None:
            # Imported here: kafka-python is only needed once a worker actually starts.
            from kafka import KafkaAdminClient

            self._admin = KafkaAdminClient(
                **self._client_config,
                client_id="news-pipeline-lag",
                request_timeout_ms=self._timeout_ms,
                bootstrap_timeout_ms=self._timeout_ms,
            )
        return self._admin
