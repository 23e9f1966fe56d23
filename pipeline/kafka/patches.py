"""Patches of faust-streaming's private internals, installed in one place: ``install()``.

Each closes a gap in Faust's exactly_once that an integration test reproduced (test_recovery,
test_supervision, test_scaling, test_cluster_faults under tests/integration/). They replace
private methods, so they refuse to run on a faust-streaming other than the one
they were written for (``FAUST_VERSION``), and tests/kafka/test_patches.py fails fast when the
methods they wrap change their signatures.

- **Offsets from what was read** (``Consumer.getmany``, ``Consumer._new_offset``,
  ``Consumer.perform_seek``): Faust derives the offset to commit from the acked offsets and
  guesses the holes between them (transaction markers, aborted records) from the offsets it
  reads, with slips: no hole is recorded after offset 0 (``if gap > 1 and r_offset``), none
  for markers right after a seek, and a head hole of one offset is tolerated even when it is a
  message that was never processed. In a transaction every output sent so far commits, so the
  offset must cover exactly the messages whose outputs are in it: a hole taken for a message
  re-processes the acked messages after it (duplicates: a message at offset 2 after a marker
  at 1 appeared twice), and a message taken for a hole is lost. The patches record every offset
  Faust reads since its last seek and commit up to the first one read but not acked; whatever
  lies between read offsets is not a message, by construction.
- **Commit gate, one partition at a time** (``Consumer._commit_tps``): Faust computes the
  offsets to commit (acked messages only) and then commits each partition's transaction over
  several awaits. An output sent in that window lands in a transaction that commits without its
  input's offset. The patch commits each input partition under its own lock of the app's
  ``CommitGate`` (pipeline.kafka.transactions), which agents hold around "send output, ack
  input": compute the partition's offset, run the stage's ``before_commit`` hooks (dedup's
  state acks), commit its transaction. The partitions commit side by side, and an agent waits
  only when it emits into the partition committing now; Faust committed them one after another
  under one lock, which under load took the whole commit interval with every agent stopped.
  ``commit_settled_partitions`` also commits a partition as soon as everything read from it is
  acked, instead of waiting for Faust's commit timer.
- **Open transactions across a rebalance** (``TransactionManager.on_partitions_revoked``): on
  a rebalance Faust's consumer forgets what it acked and seeks every partition it keeps back
  to the committed offset, but it leaves each transactional producer's open transaction open,
  with the outputs already sent in it. After the rebalance ``begin_transaction`` fails
  ("Invalid state transition TransactionState.IN_TRANSACTION -> IN_TRANSACTION", logged and
  ignored), the old transaction carries on, the re-read messages add their outputs to it a
  second time, and the next commit publishes both copies: duplicates on every scale-out or
  scale-in, on the partitions a worker keeps. The patch aborts the open transactions once
  Faust has drained the agents on revocation, so the redone work is the only copy.
- **One transactional id per input partition** (``TransactionManager._tps_to_transactional_ids``
  and ``TransactionManager.commit``): Faust names transactions ``{app}-{group}-{partition}``,
  where ``group`` numbers the topics by partition count, so one id can cover partitions that
  its assignor hands to different workers (workers with different stage sets, or one still
  subscribing). Each then fences the other's producer and aborts outputs whose inputs the other
  goes on to commit. The patches start, stop and commit one transaction per input partition,
  named by ``pipeline.kafka.transactions.transactional_id``, the name ``TopicSink`` sends under.
- **A fresh producer per partition and generation** (``TransactionManager.on_rebalance``): Faust
  restarts the transactional producers only of partitions that changed hands in its own view. A
  worker that was thrown out of the group (a long pause) and got its partitions back keeps
  producers that the interim owner has fenced: ``begin_transaction`` fails (``FATAL_ERROR ->
  IN_TRANSACTION``, logged and ignored), every send raises, and the worker crashes. The patch
  stops and re-creates the producer of every assigned partition on every assignment; the new
  producer's init fences whatever zombie still holds the id and completes its open transaction
  before Faust reads the committed offsets, as KIP-98 prescribes.
- **Re-seek partitions that have no committed offset**
  (``AIOKafkaConsumerThread.seek_to_committed``): on assignment Faust seeks each partition back
  to its committed offset, which also discards whatever the client prefetched while the
  rebalance ran (Faust drops records of a partition or generation it does not consider active
  yet, after the client has moved past them). But aiokafka's ``seek_to_committed`` skips
  partitions whose committed offset is missing or 0, so on a partition nothing was committed on
  yet the dropped records stay skipped: the first messages of a partition taken over from a
  frozen worker were never processed, and the offsets committed after them made the loss
  permanent (tests/integration/test_supervision.py). The patch seeks those partitions to where
  ``consumer_auto_offset_reset`` says a partition without a committed offset starts.
- **No livelock check before a partition has a position**
  (``AIOKafkaConsumerThread.verify_event_path``): Faust's livelock detector reads every
  assigned partition's position, which aiokafka asserts is set; a partition still waiting for
  its reset (just assigned, nothing committed on it) has none, and the worker that had just
  taken over a peer's partitions crashed with a bare AssertionError (the SIGTERM hand-over test,
  once in three runs). The patch skips such partitions until their position is known.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections import deque
from collections.abc import Mapping
from importlib.metadata import version
from typing import Any, ClassVar

from aiokafka.errors import ProducerFenced
from aiokafka.structs import TopicPartition
from faust.exceptions import ProducerSendError
from faust.transport.consumer import Consumer, TransactionManager
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

from pipeline.errors import PipelineError
from pipeline.kafka.transactions import CommitGate, transactional_id

FAUST_VERSION = "0.15.3"
# The private methods replaced, with the parameters the replacements rely on.
PATCHED_SIGNATURES = {
    "getmany": ("self", "timeout"),
    "_new_offset": ("self", "tp"),
    "perform_seek": ("self",),
    "_commit_tps": ("self", "tps", "start_new_transaction"),
    "on_partitions_revoked": ("self", "revoked"),
    "_tps_to_transactional_ids": ("self", "tps"),
    "commit": ("self", "offsets", "start_new_transaction"),
    "on_rebalance": ("self", "assigned", "revoked", "newly_assigned"),
    "seek_to_committed": ("self",),
    "verify_event_path": ("self", "now", "tp"),
}
# Those that belong to TransactionManager rather than Consumer.
TRANSACTION_MANAGER_METHODS = frozenset(
    {"on_partitions_revoked", "_tps_to_transactional_ids", "commit", "on_rebalance"}
)

# Those that belong to the aiokafka driver's consumer thread.
CONSUMER_THREAD_METHODS = frozenset({"seek_to_committed", "verify_event_path"})

_originals: dict[str, Any] = {}


class UnsupportedFaustVersion(PipelineError):
    """The installed faust-streaming is not the one the patches were written for."""


def install() -> None:
    """Apply the patches to Faust's classes, once; refuse an unknown Faust version."""
    if _originals:
        return
    installed = version("faust-streaming")
    if installed != FAUST_VERSION:
        raise UnsupportedFaustVersion(
            f"pipeline.kafka.patches was written for faust-streaming {FAUST_VERSION}, found "
            f"{installed}: pin faust-streaming=={FAUST_VERSION} (as pyproject.toml does) or "
            "re-check the patched Consumer methods against the new version"
        )
    _originals.update(patch_class(Consumer))
    _originals.update(patch_transaction_manager(TransactionManager))
    _originals.update(patch_consumer_thread(AIOKafkaConsumerThread))


def patch_class(consumer_class: type) -> dict[str, Any]:
    """Replace the consumer's offset bookkeeping and commit; returns the originals by name."""
    originals = {
        name: getattr(consumer_class, name)
        for name in ("getmany", "_new_offset", "perform_seek", "_commit_tps")
    }
    getmany, perform_seek = originals["getmany"], originals["perform_seek"]
    commit_tps = originals["_commit_tps"]

    async def getmany_noting_reads(self: Any, timeout: float) -> Any:
        reads = ReadOffsets.of(self)
        async for tp, message in getmany(self, timeout):
            reads.note(tp, message.offset)
            yield tp, message

    def _new_offset(self: Any, tp: Any) -> int | None:
        # Faust keeps the acked offsets both as a list and as a set (its index): read the set.
        index = self._acked_index[tp]
        offset = ReadOffsets.of(self).committable(tp, index, self._committed_offset[tp])
        if offset is None:
            return None
        acked = self._acked[tp]
        acked[:] = [o for o in acked if o >= offset]
        index.difference_update([o for o in index if o < offset])
        self._gap[tp].chop(0, offset)  # Faust's own guesses, no longer read
        return offset

    async def perform_seek_forgetting_reads(self: Any) -> None:
        ReadOffsets.of(self).clear()
        await perform_seek(self)

    async def _commit_tps(self: Any, tps: Any, start_new_transaction: bool) -> bool:
        gate = CommitGate.of(self.app)
        if gate is None:
            return bool(await commit_tps(self, tps, start_new_transaction=start_new_transaction))
        if not self.app.in_transaction:
            # One offset commit covers every partition: hold all their locks (in one order, and
            # an agent holds one at a time, so no two wait on each other).
            async with contextlib.AsyncExitStack() as held:
                for tp in sorted(tps):
                    await held.enter_async_context(gate.lock(tp))
                    await gate.prepare(tp)
                did_commit = bool(
                    await commit_tps(self, tps, start_new_transaction=start_new_transaction)
                )
                for tp in tps:
                    gate.committed(tp)
                return did_commit
        committed = await asyncio.gather(
            *(commit_partition(self, gate, tp, start_new_transaction) for tp in tps)
        )
        return any(committed)

    consumer_class.getmany = getmany_noting_reads  # type: ignore[attr-defined]
    consumer_class._new_offset = _new_offset  # type: ignore[attr-defined]
    consumer_class.perform_seek = perform_seek_forgetting_reads  # type: ignore[attr-defined]
    consumer_class._commit_tps = _commit_tps  # type: ignore[attr-defined]
    return originals


async def commit_partition(
    consumer: Any, gate: CommitGate, tp: Any, start_new_transaction: bool
) -> bool:
    """Commit ``tp``'s transaction with its offset, under its lock: what Faust's
    ``_commit_tps`` and ``_commit_offsets`` do for all partitions at once, for one."""
    async with gate.lock(tp):
        offsets = consumer._filter_committable_offsets([tp])
        if not offsets or tp not in consumer.assignment():
            return False
        await gate.prepare(tp)
        try:
            await consumer._handle_attached(offsets)
        except ProducerSendError as exc:
            await consumer.crash(exc)
            return False
        did_commit = bool(
            await consumer.transactions.commit(offsets, start_new_transaction=start_new_transaction)
        )
        if did_commit:
            consumer.app.tables.on_commit(offsets)
            gate.committed(tp)
        consumer._committed_offset.update(offsets)
        consumer.app.monitor.on_tp_commit(offsets)
        return did_commit


class ReadOffsets:
    """The offsets a consumer has read per partition since its last seek, oldest first.

    Offsets between two read offsets are not messages (the client skips transaction markers
    and aborted records), so the offset to commit is the first read offset not acked yet, or
    one past the last read one when all are acked.
    """

    _by_consumer: ClassVar[weakref.WeakKeyDictionary[Any, ReadOffsets]] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self) -> None:
        self._reads: dict[Any, deque[int]] = {}

    @classmethod
    def of(cls, consumer: Any) -> ReadOffsets:
        reads = cls._by_consumer.get(consumer)
        if reads is None:
            reads = cls._by_consumer[consumer] = cls()
        return reads

    def note(self, tp: Any, offset: int) -> None:
        reads = self._reads.setdefault(tp, deque())
        if not reads or offset > reads[-1]:  # a re-delivered older record adds nothing
            reads.append(offset)

    def committable(self, tp: Any, acked: set[int], committed: int | None) -> int | None:
        """The offset to commit for ``tp`` now, or None when nothing new is complete; forgets
        the reads it covers. Reads below ``committed`` (a stale record Faust dropped) do not
        hold the commit back."""
        reads = self._reads.get(tp)
        while reads and committed is not None and reads[0] < committed:
            reads.popleft()
        offset = None
        while reads and reads[0] in acked:
            offset = reads.popleft() + 1
        return offset

    def settled(self, acked: Mapping[Any, set[int]]) -> set[Any]:
        """The partitions whose every read message is acked and not committed yet."""
        return {tp for tp, reads in self._reads.items() if reads and reads[-1] in acked[tp]}

    def clear(self) -> None:
        self._reads.clear()


async def commit_settled_partitions(app: Any, gate: CommitGate) -> None:
    """Commit each input partition as soon as everything read from it has been processed.

    Faust commits on a timer (``NEWS_PIPELINE_COMMIT_INTERVAL_S``), and under exactly_once an
    output is visible downstream only after that commit, so an article waited half an interval
    per hop for nothing. This task runs after every ack: a partition whose last read message
    is acked has nothing more coming soon, so committing it now costs one transaction and
    saves the wait. A partition with messages still buffered or in progress (a backlog) keeps
    to the timer, which bounds both the wait and the number of transactions under load.
    """
    consumer = app.consumer
    while True:
        await gate.acked.wait()
        gate.acked.clear()
        settled = ReadOffsets.of(consumer).settled(consumer._acked_index)
        if settled and not await consumer.commit(settled):
            # Another commit was running and may have left these out: look again shortly.
            await asyncio.sleep(0.01)
            gate.acked.set()


def patch_transaction_manager(manager_class: type) -> dict[str, Any]:
    """Abort the open transactions when partitions are revoked, keep one transaction per input
    partition, and start each assignment with fresh producers; returns the originals by name."""
    originals = {name: getattr(manager_class, name) for name in TRANSACTION_MANAGER_METHODS}
    on_partitions_revoked = originals["on_partitions_revoked"]

    async def on_partitions_revoked_and_abort(self: Any, revoked: Any) -> None:
        await on_partitions_revoked(self, revoked)
        await abort_open_transactions(self.producer)
        gate = CommitGate.of(self.app)
        if gate is not None:
            gate.forget()

    def _tps_to_transactional_ids(self: Any, tps: Any) -> set[str]:
        app = self.app
        return {
            transactional_id(app.conf.id, tp.topic, tp.partition)
            for tp in tps
            if not app.assignor.is_standby(tp)
        }

    async def commit(self: Any, offsets: Any, start_new_transaction: bool = True) -> bool:
        by_transactional_id: dict[str, dict[Any, int]] = {}
        for tp, offset in offsets.items():
            tid = transactional_id(self.app.conf.id, tp.topic, tp.partition)
            by_transactional_id.setdefault(tid, {})[tp] = offset
        if by_transactional_id:
            try:
                await self.producer.commit_transactions(
                    by_transactional_id,
                    self.app.conf.id,
                    start_new_transaction=start_new_transaction,
                )
            except ProducerFenced as fenced:
                # As Faust does: a fenced producer means another worker owns the partition now.
                await self.app.crash(fenced)
        return True

    on_rebalance = originals["on_rebalance"]

    async def on_rebalance_with_fresh_producers(
        self: Any, assigned: Any, revoked: Any, newly_assigned: Any
    ) -> None:
        # Faust stops the producers of ``revoked`` and starts those of ``assigned``: passing
        # every assigned partition as revoked too replaces each one with a fresh producer.
        await on_rebalance(self, assigned, set(revoked) | set(assigned), newly_assigned)

    manager_class.on_rebalance = on_rebalance_with_fresh_producers  # type: ignore[attr-defined]
    manager_class.on_partitions_revoked = on_partitions_revoked_and_abort  # type: ignore[attr-defined]
    manager_class._tps_to_transactional_ids = _tps_to_transactional_ids  # type: ignore[attr-defined]
    manager_class.commit = commit  # type: ignore[attr-defined]
    return originals


async def abort_open_transactions(producer: Any) -> None:
    """Abort every transaction ``producer`` (Faust's aiokafka driver) has open."""
    for tid, transaction_producer in list(producer._transaction_producers.items()):
        if transaction_producer._txn_manager.is_in_transaction():
            await producer.abort_transaction(tid)


def patch_consumer_thread(thread_class: type) -> dict[str, Any]:
    """Seek partitions without a committed offset too; returns the original."""
    seek_to_committed = thread_class.seek_to_committed  # type: ignore[attr-defined]

    async def seek_to_committed_or_reset(self: Any) -> Any:
        committed = await seek_to_committed(self)
        unset = [tp for tp, offset in committed.items() if not offset]
        if unset:
            consumer = self._ensure_consumer()
            if self.app.conf.consumer_auto_offset_reset == "latest":
                await self.call_thread(consumer.seek_to_end, *unset)
            else:
                await self.call_thread(consumer.seek_to_beginning, *unset)
        return committed

    verify_event_path = thread_class.verify_event_path  # type: ignore[attr-defined]

    def verify_event_path_once_positioned(self: Any, now: float, tp: Any) -> Any:
        # Right after an assignment a partition waiting for its reset (seek_to_beginning above)
        # has no position yet; Faust's livelock check asserts one and crashed the worker.
        subscription = self._ensure_consumer()._fetcher._subscriptions.subscription
        state = None
        if subscription is not None:
            state = subscription.assignment.state_value(TopicPartition(tp.topic, tp.partition))
        if state is None or not state.has_valid_position:
            return None
        return verify_event_path(self, now, tp)

    thread_class.seek_to_committed = seek_to_committed_or_reset  # type: ignore[attr-defined]
    thread_class.verify_event_path = verify_event_path_once_positioned  # type: ignore[attr-defined]
    return {"seek_to_committed": seek_to_committed, "verify_event_path": verify_event_path}


def original(name: str) -> Any:
    """The unpatched method (the installed one when ``install`` has not run yet)."""
    if name in CONSUMER_THREAD_METHODS:
        return _originals.get(name) or getattr(AIOKafkaConsumerThread, name)
    owner = TransactionManager if name in TRANSACTION_MANAGER_METHODS else Consumer
    return _originals.get(name) or getattr(owner, name)
