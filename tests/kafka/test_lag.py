from __future__ import annotations

import time
from collections.abc import Sequence

from prometheus_client import CollectorRegistry

from pipeline.kafka.lag import LagCollector, LagMonitor, Partition, compute_lag


class FakeSource:
    """An OffsetSource over dicts; ``down`` makes every call fail like an unreachable broker."""

    def __init__(self) -> None:
        self.ends = {("news.raw", 0): 10, ("news.raw", 1): 7, ("news.tagged", 0): 4}
        self.starts = {("news.raw", 0): 0, ("news.raw", 1): 2, ("news.tagged", 0): 0}
        self.committed = {("news.raw", 0): 8}
        # Partitions holding nothing but transaction markers / aborted records past a position.
        self.only_markers: set[Partition] = set()
        self.asked: dict[Partition, int] = {}
        self.down = False
        self.closed = 0

    def _check(self) -> None:
        if self.down:
            raise TimeoutError("Unable to bootstrap")

    def partitions(self, topics: Sequence[str]) -> list[Partition]:
        self._check()
        return sorted(p for p in self.ends if p[0] in topics)

    def end_offsets(self, partitions: Sequence[Partition]) -> dict[Partition, int]:
        self._check()
        return {p: self.ends[p] for p in partitions}

    def start_offsets(self, partitions: Sequence[Partition]) -> dict[Partition, int]:
        self._check()
        return {p: self.starts[p] for p in partitions}

    def committed_offsets(self, group_id: str) -> dict[Partition, int]:
        self._check()
        return dict(self.committed)

    def unreadable(
        self, positions: dict[Partition, int], ends: dict[Partition, int]
    ) -> set[Partition]:
        self._check()
        self.asked.update(positions)
        return {p for p in positions if p in self.only_markers}

    def close(self) -> None:
        self.closed += 1


def test_compute_lag_uses_committed_else_earliest_and_never_goes_negative() -> None:
    lags = compute_lag(
        {("t", 0): 10, ("t", 1): 7, ("t", 2): 3},
        {("t", 0): 8, ("t", 2): 5},
        {("t", 1): 2},
    )
    assert [(p.partition, p.committed_offset, p.lag) for p in lags] == [
        (0, 8, 2),
        (1, None, 5),
        (2, 5, 0),
    ]


def test_collector_exports_lag_per_partition_and_broker_up() -> None:
    registry = CollectorRegistry()
    collector = LagCollector(FakeSource(), "news-pipeline", ["news.raw"], clock=lambda: 100.0)
    registry.register(collector)
    assert registry.get_sample_value("news_pipeline_broker_up") == 0  # nothing measured yet

    collector.refresh()

    def lag(partition: str) -> float | None:
        labels = {"group": "news-pipeline", "topic": "news.raw", "partition": partition}
        return registry.get_sample_value("news_pipeline_consumer_lag_messages", labels)

    assert lag("0") == 2
    assert lag("1") == 5
    assert registry.get_sample_value("news_pipeline_broker_up") == 1
    assert (
        registry.get_sample_value(
            "news_pipeline_topic_end_offset", {"topic": "news.raw", "partition": "1"}
        )
        == 7
    )
    assert registry.get_sample_value("news_pipeline_lag_refresh_timestamp_seconds") == 100.0


def test_unreachable_broker_sets_broker_up_zero_and_drops_stale_lag() -> None:
    source = FakeSource()
    registry = CollectorRegistry()
    collector = LagCollector(source, "g", ["news.raw"])
    registry.register(collector)
    collector.refresh()
    source.down = True

    snapshot = collector.refresh()

    assert not snapshot.broker_up
    assert registry.get_sample_value("news_pipeline_broker_up") == 0
    assert (
        registry.get_sample_value(
            "news_pipeline_consumer_lag_messages",
            {"group": "g", "topic": "news.raw", "partition": "0"},
        )
        is None
    )
    assert source.closed == 1  # the next refresh starts from a fresh client

    source.down = False
    assert collector.refresh().broker_up


def test_monitor_refreshes_in_background_and_stops() -> None:
    source = FakeSource()
    collector = LagCollector(source, "g", ["news.raw"])
    monitor = LagMonitor(collector, interval_seconds=0.01)
    monitor.start()
    try:
        for _ in range(500):
            if collector.snapshot.broker_up:
                break
            time.sleep(0.01)
    finally:
        monitor.stop()
    assert collector.snapshot.broker_up
    assert source.closed >= 1


def test_a_partition_behind_only_by_transaction_markers_has_no_lag() -> None:
    """A worker that committed its last transaction leaves a marker after the last message:
    an offset behind, but nothing to read, so neither lag nor a stall."""
    source = FakeSource()
    source.only_markers = {("news.raw", 0)}
    collector = LagCollector(source, "news-pipeline", ["news.raw", "news.tagged"])
    lags = {(p.topic, p.partition): p.lag for p in collector.refresh().partitions}
    assert lags == {("news.raw", 0): 0, ("news.raw", 1): 5, ("news.tagged", 0): 4}
    # Only the partitions that looked behind were checked, each from where the group reads.
    assert source.asked == {("news.raw", 0): 8, ("news.raw", 1): 2, ("news.tagged", 0): 0}
