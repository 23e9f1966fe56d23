"""Exactly-once plumbing between Faust and the agents.

Faust's own exactly_once lets an output and its input's offset commit separately (see each
class); these close the gaps so that every input ends as exactly one output, even when a worker
is killed mid-transaction (tests/integration/test_recovery.py). The
Faust-side halves of these fixes are in pipeline.kafka.patches.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Protocol

import faust
from faust.types import Message

log = logging.getLogger(__name__)


def transactional_id(app_id: str, topic: str, partition: int) -> str:
    """The transactional id of one input partition: its outputs and its offsets commit in it.

    Faust names a transaction after a *topic group* and a partition number, and gives one group
    number to every set of topics with the same partition count. Two workers subscribed to
    different stage sets (a tag-only worker beside full workers, or a worker still subscribing
    during start-up) then get different topics under one id, fence each other's producers and
    abort each other's outputs. One id per input partition cannot collide: a partition has one
    owner at a time, and its next owner's producer fences exactly the previous owner's.
    """
    return f"{app_id}-{topic}-{partition}"


class Sink(Protocol):
    async def send(
        self, *, key: bytes | None, value: bytes, source: Message, partition: int | None = None
    ) -> None: ...


class TopicSink:
    """Writes to one topic inside the transaction that commits the source message's offset.

    Faust's own send under exactly_once picks the transaction from the *destination* topic's
    partition, and sends outside any transaction when the destination is not a topic the app
    consumes (news.enriched, news.deadletter). Either way the output and the input offset can
    commit separately, and a worker killed between the two duplicates its output. Choosing the
    transactional id from the source partition (``transactional_id``), exactly as the patched
    offset commit does, makes the output and the offset commit one atomic transaction.
    """

    def __init__(self, app: faust.App, topic: str) -> None:
        self.app = app
        self.topic = topic

    async def send(
        self, *, key: bytes | None, value: bytes, source: Message, partition: int | None = None
    ) -> None:
        """Send to ``partition``, or where the key hashes to when None."""
        producer = self.app.producer
        if self.app.in_transaction:
            # The driver's producer holds one transactional producer per assigned source
            # partition (started by Faust's transaction manager on assignment).
            await producer.send(
                self.topic,
                key,
                value,
                partition,
                None,
                None,
                transactional_id=transactional_id(self.app.conf.id, source.topic, source.partition),
            )
        else:
            # at_least_once: wait for the broker's ack before the offset can be committed.
            await (await producer.send(self.topic, key, value, partition, None, None))


class CommitGate:
    """Keeps an input partition's commit from running between an output's send and its ack.

    Agents hold ``lock(tp)`` of their input partition around "send output, ack input"; the
    patched ``Consumer._commit_tps`` (pipeline.kafka.patches) holds the same lock around
    "compute the partition's offset, make its stage's state durable, commit its transaction",
    so an output never lands in a transaction that commits without its input's offset. A lock
    per partition, not one per app: while one partition's transaction commits (three round
    trips to the broker), the agents go on emitting into every other partition's transaction,
    and the partitions commit side by side. One gate per app.

    ``sent`` notes every output (and sets ``acked``, which ``commit_settled_partitions`` waits
    on); ``committed`` reports how long they waited for their commit; ``before_commit``
    registers what must be durable before a partition of a topic commits (the dedup stage's
    state entries, written without waiting for each one).
    """

    _gates: ClassVar[weakref.WeakKeyDictionary[Any, CommitGate]] = weakref.WeakKeyDictionary()

    def __init__(self, app: faust.App) -> None:
        self._locks: dict[Any, asyncio.Lock] = {}
        self._before_commit: dict[str, list[Callable[[], Awaitable[None]]]] = {}
        self.acked = asyncio.Event()
        # When each output not committed yet was sent, by input partition; and who is told
        # how long they waited (the worker's commit-wait histogram).
        self._sent: dict[Any, list[float]] = {}
        self.on_committed: Callable[[Any, list[float]], None] | None = None
        CommitGate._gates[app] = self

    @classmethod
    def of(cls, app: Any) -> CommitGate | None:
        """The gate of ``app``, if one was made for it."""
        try:
            return cls._gates.get(app)
        except TypeError:  # not weak-referenceable, so never given a gate
            return None

    def lock(self, tp: Any) -> asyncio.Lock:
        """The lock of input partition ``tp`` (a Faust ``TP``)."""
        lock = self._locks.get(tp)
        if lock is None:
            lock = self._locks[tp] = asyncio.Lock()
        return lock

    def sent(self, tp: Any) -> None:
        """An output of input partition ``tp`` was sent and its input acked."""
        self._sent.setdefault(tp, []).append(time.monotonic())
        self.acked.set()

    def committed(self, tp: Any) -> None:
        """``tp``'s outputs so far are visible downstream now: report how long each waited."""
        sent = self._sent.pop(tp, None)
        if sent and self.on_committed is not None:
            now = time.monotonic()
            self.on_committed(tp, [now - at for at in sent])

    def forget(self) -> None:
        """Outputs aborted with their transactions (a rebalance) never become visible."""
        self._sent.clear()

    def before_commit(self, topic: str, hook: Callable[[], Awaitable[None]]) -> None:
        """Await ``hook`` before any partition of ``topic`` commits, under that partition's lock."""
        self._before_commit.setdefault(topic, []).append(hook)

    async def prepare(self, tp: Any) -> None:
        """Run the hooks of ``tp``'s topic; one that raises keeps the partition from committing."""
        for hook in self._before_commit.get(tp.topic, ()):
            await hook()
