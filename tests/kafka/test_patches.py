"""The Faust patches check what they patch: a faust-streaming upgrade that moves or reshapes
the private methods fails here, in the fast tests, not only in the slow recovery test."""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
from faust.transport.consumer import Consumer
from faust.types import TP
from intervaltree import IntervalTree

from pipeline.kafka import patches
from pipeline.kafka.transactions import CommitGate, transactional_id


@pytest.mark.parametrize(("name", "parameters"), sorted(patches.PATCHED_SIGNATURES.items()))
def test_the_patched_private_methods_keep_their_signatures(
    name: str, parameters: tuple[str, ...]
) -> None:
    method = patches.original(name)
    if name == "getmany":
        assert inspect.isasyncgenfunction(method), "getmany is no longer an async generator"
    elif name not in ("_tps_to_transactional_ids", "_new_offset", "verify_event_path"):  # plain
        assert inspect.iscoroutinefunction(method), f"{name} is no longer async"
    assert tuple(inspect.signature(method).parameters) == parameters


def test_install_patches_the_consumer_class_once() -> None:
    patches.install()
    patched = Consumer._new_offset, Consumer._commit_tps
    patches.install()
    assert (Consumer._new_offset, Consumer._commit_tps) == patched
    assert patches.original("_new_offset") is not Consumer._new_offset


def test_install_refuses_a_faust_version_it_was_not_written_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(patches, "_originals", {})
    monkeypatch.setattr(patches, "version", lambda _: "0.99.0")
    with pytest.raises(patches.UnsupportedFaustVersion, match="0.15.3.*found 0.99.0"):
        patches.install()


class FakeApp:
    in_transaction = True


class RecordingConsumer:
    """Stands in for Faust's Consumer: records what the patched methods pass on."""

    def __init__(self, app: object, fetched: list[tuple[str, int]] | None = None) -> None:
        self.app = app
        self.calls: list[tuple[str, object]] = []
        self.fetched = fetched or []
        self._acked: dict[str, list[int]] = defaultdict(list)
        self._acked_index: dict[str, set[int]] = defaultdict(set)
        self._gap: dict[str, IntervalTree] = defaultdict(IntervalTree)
        self._committed_offset: dict[str, int | None] = defaultdict(lambda: None)

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[str, object]]:
        for tp, offset in self.fetched:
            yield tp, SimpleNamespace(offset=offset)

    def _new_offset(self, tp: str) -> int | None:
        raise AssertionError("replaced by the patch")

    async def perform_seek(self) -> None:
        self.calls.append(("seek", None))

    def ack(self, tp: str, *offsets: int) -> None:
        self._acked[tp].extend(offsets)
        self._acked_index[tp].update(offsets)

    async def _commit_tps(self, tps: Any, start_new_transaction: bool) -> bool:
        gate = CommitGate.of(self.app)
        self.calls.append(
            ("commit", gate is not None and all(gate.lock(tp).locked() for tp in tps))
        )
        return True

    # What the per-partition commit under exactly_once uses of Faust's Consumer.
    def _filter_committable_offsets(self, tps: Any) -> dict[str, int]:
        return {tp: offset for tp in tps if (offset := self._new_offset(tp)) is not None}

    def assignment(self) -> set[TP]:
        return {TP("t", 0), TP("u", 0)}

    async def _handle_attached(self, offsets: object) -> None:
        pass

    @property
    def transactions(self) -> Any:
        consumer = self

        class Transactions:
            async def commit(self, offsets: dict, start_new_transaction: bool) -> bool:
                gate = CommitGate.of(consumer.app)
                assert gate is not None
                locked = all(gate.lock(tp).locked() for tp in offsets)
                consumer.calls.append(("transaction", (offsets, locked)))
                return True

        return Transactions()


def _patched() -> type[RecordingConsumer]:
    """A fresh subclass per test: patching one class twice would nest the gate's lock."""
    consumer_class = type("PatchedConsumer", (RecordingConsumer,), {})
    patches.patch_class(consumer_class)
    return consumer_class


async def _read(consumer: RecordingConsumer) -> None:
    async for _ in consumer.getmany(timeout=1.0):
        pass


async def test_commit_covers_exactly_the_acked_messages_read_since_the_seek() -> None:
    """Offsets 1 and 4 are transaction markers: never read, so never waited for. Faust took
    the hole after offset 0 for a message and committed 1, re-processing 2 and 3 later."""
    consumer = _patched()(FakeApp(), fetched=[("t", 0), ("t", 2), ("t", 3), ("t", 5)])
    await _read(consumer)
    consumer.ack("t", 0, 2, 3)
    assert consumer._new_offset("t") == 4  # 5 read, not acked yet: stop there
    assert consumer._acked["t"] == [] and consumer._acked_index["t"] == set()
    consumer.ack("t", 5)
    assert consumer._new_offset("t") == 6
    assert consumer._new_offset("t") is None  # nothing new


async def test_a_message_read_but_never_acked_holds_the_commit_back() -> None:
    """The message Faust dropped during a rebalance: committing past it would lose it."""
    consumer = _patched()(FakeApp(), fetched=[("t", 0), ("t", 2), ("t", 3)])
    await _read(consumer)
    consumer.ack("t", 2, 3)
    assert consumer._new_offset("t") is None


async def test_a_seek_forgets_the_reads_and_stale_reads_below_the_commit_are_ignored() -> None:
    consumer = _patched()(FakeApp(), fetched=[("t", 7)])
    await _read(consumer)
    await consumer.perform_seek()
    assert consumer.calls == [("seek", None)]
    consumer.fetched = [("t", 3), ("t", 4)]  # re-read from the committed offset 3
    consumer._committed_offset["t"] = 3
    await _read(consumer)
    consumer.ack("t", 3, 4)
    assert consumer._new_offset("t") == 5


def _app_with_gate(in_transaction: bool = True) -> tuple[Any, CommitGate]:
    app = FakeApp()
    app.in_transaction = in_transaction
    app.tables = SimpleNamespace(on_commit=lambda offsets: None)  # type: ignore[attr-defined]
    app.monitor = SimpleNamespace(on_tp_commit=lambda offsets: None)  # type: ignore[attr-defined]
    return app, CommitGate(app)  # type: ignore[arg-type]


async def test_each_partition_commits_its_own_transaction_under_its_own_lock() -> None:
    app, gate = _app_with_gate()
    prepared: list[bool] = []

    async def flush_state() -> None:
        prepared.append(gate.lock(TP("t", 0)).locked())

    gate.before_commit("t", flush_state)
    consumer = _patched()(app, fetched=[(TP("t", 0), 0), (TP("u", 0), 3), (TP("u", 0), 4)])
    await _read(consumer)
    consumer.ack(TP("t", 0), 0)
    consumer.ack(TP("u", 0), 3)
    assert await consumer._commit_tps([TP("t", 0), TP("u", 0)], start_new_transaction=True)
    assert consumer.calls == [
        ("transaction", ({TP("t", 0): 1}, True)),
        ("transaction", ({TP("u", 0): 4}, True)),
    ]
    assert prepared == [True]  # the topic's state was made durable first, under the lock
    assert consumer._committed_offset[TP("t", 0)] == 1


async def test_a_failing_before_commit_hook_keeps_its_partition_from_committing() -> None:
    app, gate = _app_with_gate()

    async def broker_down() -> None:
        raise OSError("state not durable")

    gate.before_commit("t", broker_down)
    consumer = _patched()(app, fetched=[(TP("t", 0), 0)])
    await _read(consumer)
    consumer.ack(TP("t", 0), 0)
    with pytest.raises(OSError, match="not durable"):
        await consumer._commit_tps([TP("t", 0)], start_new_transaction=True)
    assert consumer.calls == []


async def test_at_least_once_commits_under_every_partitions_lock() -> None:
    app, _ = _app_with_gate(in_transaction=False)
    consumer = _patched()(app)
    assert await consumer._commit_tps([TP("t", 0), TP("u", 1)], start_new_transaction=True)
    assert consumer.calls == [("commit", True)]


def test_settled_partitions_are_those_whose_every_read_message_is_acked() -> None:
    reads = patches.ReadOffsets()
    for tp, offset in [("busy", 0), ("busy", 1), ("done", 5), ("done", 7)]:
        reads.note(tp, offset)
    acked = {"busy": {0}, "done": {5, 7}}
    assert reads.settled(acked) == {"done"}


class RecordingManager:
    def __init__(self, producer: object, app: object = None) -> None:
        self.producer = producer
        self.app = app
        self.calls: list[str] = []

    async def on_partitions_revoked(self, revoked: object) -> None:
        self.calls.append("flush")

    def _tps_to_transactional_ids(self, tps: object) -> set[str]:
        raise AssertionError("replaced by the patch")

    async def commit(self, offsets: object, start_new_transaction: bool = True) -> bool:
        raise AssertionError("replaced by the patch")

    async def on_rebalance(self, assigned: set, revoked: set, newly_assigned: set) -> None:
        self.calls.append(f"stop {sorted(revoked)}, start {sorted(assigned)}")


class FakeTransactionProducer:
    def __init__(self, open_: bool) -> None:
        self._txn_manager = SimpleNamespace(is_in_transaction=lambda: open_)


class FakeProducer:
    def __init__(self) -> None:
        self._transaction_producers = {
            "g-1-0": FakeTransactionProducer(True),
            "g-1-1": FakeTransactionProducer(False),
        }
        self.aborted: list[str] = []

    async def abort_transaction(self, transactional_id: str) -> None:
        self.aborted.append(transactional_id)


def _patched_manager() -> type[RecordingManager]:
    manager_class = type("PatchedManager", (RecordingManager,), {})
    patches.patch_transaction_manager(manager_class)
    return manager_class


async def test_revocation_aborts_only_the_open_transactions_after_faust_drains() -> None:
    manager_class = _patched_manager()
    producer = FakeProducer()
    manager = manager_class(producer)
    await manager.on_partitions_revoked({"tp"})
    assert manager.calls == ["flush"]
    assert producer.aborted == ["g-1-0"]


def test_the_aiokafka_producer_still_reports_open_transactions() -> None:
    from aiokafka.producer.transaction_manager import TransactionManager as AioTxnManager

    assert callable(AioTxnManager.is_in_transaction)


class CommittingProducer:
    def __init__(self) -> None:
        self.committed: list[tuple[dict, str, bool]] = []

    async def commit_transactions(
        self, by_id: dict, group_id: str, start_new_transaction: bool = True
    ) -> None:
        self.committed.append((by_id, group_id, start_new_transaction))


def _app(standby: frozenset = frozenset()) -> SimpleNamespace:
    assignor = SimpleNamespace(is_standby=lambda tp: tp in standby)
    return SimpleNamespace(conf=SimpleNamespace(id="news"), assignor=assignor)


def test_every_input_partition_gets_its_own_transactional_id() -> None:
    """Faust would name raw/0 and tagged/0 (same partition count) both "news-1-0"."""
    manager = _patched_manager()(FakeProducer(), _app(frozenset({TP("standby", 0)})))
    tps = {TP("news.raw", 0), TP("news.tagged", 0), TP("news.raw", 1), TP("standby", 0)}
    assert manager._tps_to_transactional_ids(tps) == {
        "news-news.raw-0",
        "news-news.tagged-0",
        "news-news.raw-1",
    }
    assert transactional_id("news", "news.raw", 0) == "news-news.raw-0"


async def test_offsets_commit_in_their_own_partitions_transaction() -> None:
    producer = CommittingProducer()
    manager = _patched_manager()(producer, _app())
    offsets = {TP("news.raw", 0): 5, TP("news.tagged", 0): 7}
    assert await manager.commit(offsets, start_new_transaction=False)
    assert producer.committed == [
        (
            {
                "news-news.raw-0": {TP("news.raw", 0): 5},
                "news-news.tagged-0": {TP("news.tagged", 0): 7},
            },
            "news",
            False,
        )
    ]


async def test_every_assignment_starts_fresh_producers_for_all_assigned_partitions() -> None:
    """A kept partition's producer may have been fenced while the worker was out of the group."""
    manager = _patched_manager()(FakeProducer(), _app())
    await manager.on_rebalance({"kept", "new"}, {"gone"}, {"new"})
    assert manager.calls == ["stop ['gone', 'kept', 'new'], start ['kept', 'new']"]


class RecordingThread:
    """Stands in for Faust's aiokafka consumer thread and the aiokafka consumer behind it."""

    def __init__(self, committed: dict, reset: str = "earliest") -> None:
        self.committed = committed
        self.app = SimpleNamespace(conf=SimpleNamespace(consumer_auto_offset_reset=reset))
        self.calls: list[tuple[str, tuple]] = []
        consumer = SimpleNamespace(
            seek_to_beginning=lambda *tps: self.calls.append(("beginning", tps)),
            seek_to_end=lambda *tps: self.calls.append(("end", tps)),
        )
        self._ensure_consumer = lambda: consumer

    async def seek_to_committed(self) -> dict:
        return self.committed

    def verify_event_path(self, now: float, tp: Any) -> None:
        self.calls.append(("verify", (tp,)))

    async def call_thread(self, method: Any, *args: Any) -> None:
        method(*args)


@pytest.mark.parametrize(("reset", "where"), [("earliest", "beginning"), ("latest", "end")])
async def test_partitions_without_a_committed_offset_are_reset_too(reset: str, where: str) -> None:
    """Records prefetched during a rebalance must not stay skipped where nothing is committed."""
    thread_class = type("PatchedThread", (RecordingThread,), {})
    patches.patch_consumer_thread(thread_class)
    committed = {TP("t", 0): 5, TP("t", 1): None, TP("t", 2): 0}
    thread = thread_class(committed, reset)
    assert await thread.seek_to_committed() == committed
    assert thread.calls == [(where, (TP("t", 1), TP("t", 2)))]


def test_the_livelock_check_skips_partitions_that_have_no_position_yet() -> None:
    """aiokafka asserts a position, and a partition waiting for its reset has none."""
    thread_class = type("PatchedThread", (RecordingThread,), {})
    patches.patch_consumer_thread(thread_class)
    thread = thread_class({})
    positioned = SimpleNamespace(has_valid_position=True)
    waiting = SimpleNamespace(has_valid_position=False)
    states = {("t", 0): positioned, ("t", 1): waiting}
    assignment = SimpleNamespace(state_value=lambda tp: states.get((tp.topic, tp.partition)))
    subscriptions = SimpleNamespace(subscription=SimpleNamespace(assignment=assignment))
    consumer = SimpleNamespace(_fetcher=SimpleNamespace(_subscriptions=subscriptions))
    thread._ensure_consumer = lambda: consumer
    for partition in (0, 1, 2):
        thread.verify_event_path(0.0, TP("t", partition))
    assert thread.calls == [("verify", (TP("t", 0),))]
