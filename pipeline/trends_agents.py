"""The trends stage's Faust agents: thin wiring around pipeline.stages.trends.

Counts must be per entity, and articles come partitioned by article id, so the stage takes two
hops, each in the transaction of its input partition (``TopicSink``, under the commit gate):

- ``split``: ``news.enriched`` -> ``news.trends-by-entity``: an article's contributions (one
  per window and entity key), grouped by the partition their key hashes to, one message each;
- ``count``: ``news.trends-by-entity`` -> ``news.trends``: each contribution added to its row,
  and the updated row written to the same partition number of ``news.trends``.

So every entity is counted by one worker, the rows on ``news.trends`` (read_committed) count
exactly the committed articles, and the counter's state is rebuilt from them whenever the group
hands a worker partitions (``KafkaTrendsStore``). An enriched record the stage cannot read is
counted in a metric and skipped: the article itself is already on ``news.enriched``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
import zlib
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any, ClassVar

import faust
import orjson

from pipeline import records
from pipeline.kafka.transactions import CommitGate, Sink
from pipeline.metrics import PipelineMetrics
from pipeline.stages.trends import (
    Contribution,
    Row,
    TrendsState,
    TrendsStore,
    Window,
    contributions,
    encode_row,
    row_key,
)

log = logging.getLogger(__name__)


def entity_partition(key: str, partitions: int) -> int:
    """Where an entity is counted: stable across processes (``hash`` is salted per process)."""
    return zlib.crc32(key.encode()) % partitions


class TrendsAgents:
    def __init__(
        self,
        windows: tuple[Window, ...],
        partitions: int,
        store: TrendsStore,
        by_entity: Sink,
        trends: Sink,
        gate: CommitGate,
        metrics: PipelineMetrics,
    ) -> None:
        self.windows = windows
        self.partitions = partitions
        self.store = store
        self.by_entity = by_entity
        self.trends = trends
        self.gate = gate
        self.metrics = metrics
        for window in windows:  # a zero from the start, so rate() has a series to read
            metrics.trends_late.labels(window.name)
        # The counts of the partitions of news.trends-by-entity this worker holds; one is
        # rebuilt from news.trends before its first message after an assignment.
        self.states: dict[int, TrendsState] = {}

    _of: ClassVar[weakref.WeakKeyDictionary[Any, TrendsAgents]] = weakref.WeakKeyDictionary()

    def register(self, app: faust.App, topic: Any, sources: tuple[str, str], group: str) -> None:
        """Add the two agents to ``app`` (``topic`` makes a raw-bytes Faust topic; ``sources``
        are news.enriched and news.trends-by-entity), rebuild on assignment, and be ``of(app)``."""
        enriched, by_entity = sources
        app.agent(topic(enriched), name=f"{group}.trends-split")(self.split)
        app.agent(topic(by_entity), name=f"{group}.trends-count")(self.count)
        app.on_partitions_assigned.connect(self.on_partitions_assigned)
        TrendsAgents._of[app] = self

    @classmethod
    def of(cls, app: Any) -> TrendsAgents | None:
        """The trends agents of ``app``, if it runs the stage."""
        return cls._of.get(app)

    async def on_partitions_assigned(self, *args: Any, **kwargs: Any) -> None:
        """Whatever was counted and not committed was aborted with its transaction: forget
        every partition's counts and read them back before they are used again."""
        self.states.clear()

    def rows(self) -> list[Row]:
        """Every row this worker counts now (the /trends endpoint)."""
        return [row for state in list(self.states.values()) for row in state.rows()]

    async def split(self, stream: faust.StreamT) -> Any:
        async for event in stream.events():
            try:
                found = contributions(records.decode(event.message.value), self.windows)
            except Exception as exc:  # noqa: BLE001 - a record we cannot read is skipped
                log.warning("trends: skipped an enriched record we could not read: %s", exc)
                self.metrics.trends_skipped.inc()
                found = []
            groups: dict[int, list[dict[str, Any]]] = {}
            for contribution in found:
                partition = entity_partition(contribution.key, self.partitions)
                groups.setdefault(partition, []).append(asdict(contribution))
            outputs = [
                (self.by_entity, event.message.key, orjson.dumps(group), partition)
                for partition, group in sorted(groups.items())
            ]
            await self._emit(event, outputs)
            yield None

    async def count(self, stream: faust.StreamT) -> Any:
        async for event in stream.events():
            partition = event.message.partition
            state = await self._state(partition)
            clock = state.clock
            outputs = []
            for contribution in _decode(event.message.value):
                row = state.apply(contribution)
                if row is None:
                    self.metrics.trends_late.labels(contribution.window).inc()
                    continue
                outputs.append((self.trends, row_key(row), encode_row(row), partition))
            if state.clock > clock:
                state.expire()  # stream time moved on: what it left behind goes from memory
            await self._emit(event, outputs)
            yield None

    async def _state(self, partition: int) -> TrendsState:
        state = self.states.get(partition)
        if state is not None:
            return state
        started = time.monotonic()
        rows = await asyncio.to_thread(lambda: list(self.store.rows(partition)))
        state = TrendsState(self.windows)
        for row in rows:
            state.load(row)
        expired = state.expire()
        self.states[partition] = state
        log.info(
            "trends: partition %d rebuilt from %d rows (%d kept, %d expired) in %.2fs",
            partition,
            len(rows),
            len(state),
            expired,
            time.monotonic() - started,
        )
        return state

    async def _emit(
        self,
        event: faust.EventT,
        outputs: Sequence[tuple[Sink, bytes | None, bytes, int]],
    ) -> None:
        """Send every output of ``event`` and ack it, with no commit of its partition between."""
        message = event.message
        async with self.gate.lock(message.tp):
            for sink, key, value, partition in outputs:
                await sink.send(key=key, value=value, source=message, partition=partition)
            event.ack()
            self.gate.sent(message.tp)


def _decode(value: bytes | None) -> list[Contribution]:
    try:
        return [Contribution(**item) for item in orjson.loads(value or b"[]")]
    except (orjson.JSONDecodeError, TypeError) as exc:
        # Only the split agent writes this topic: a bad message is a bug, not bad input.
        log.error("trends: skipped an unreadable contribution message: %s", exc)
        return []
