"""The Faust patches check what they patch: a faust-streaming upgrade that moves or reshapes
the private methods fails here, in the fast tests, not only in the slow recovery test."""

from __future__ import annotations

import inspect
from types import SimpleNamespace

import pytest
from faust.transport.consumer import Consumer

from pipeline.kafka import patches
from pipeline.kafka.transactions import CommitGate


@pytest.mark.parametrize(("name", "parameters"), sorted(patches.PATCHED_SIGNATURES.items()))
def test_the_patched_private_methods_keep_their_signatures(
    name: str, parameters: tuple[str, ...]
) -> None:
    method = patches.original(name)
    assert inspect.iscoroutinefunction(method), f"Consumer.{name} is no longer async"
    assert tuple(inspect.signature(method).parameters) == parameters


def test_install_patches_the_consumer_class_once() -> None:
    patches.install()
    patched = Consumer._add_gap, Consumer._commit_tps
    patches.install()
    assert (Consumer._add_gap, Consumer._commit_tps) == patched
    assert patches.original("_add_gap") is not Consumer._add_gap


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

    def __init__(self, app: object) -> None:
        self.app = app
        self.calls: list[tuple[str, object]] = []

    async def _add_gap(self, tp: object, offset_from: int, offset_to: int) -> None:
        self.calls.append(("gap", (offset_from, offset_to)))

    async def _commit_tps(self, tps: object, start_new_transaction: bool) -> bool:
        gate = CommitGate.of(self.app)
        self.calls.append(("commit", gate is not None and gate.lock.locked()))
        return True


def _patched() -> type[RecordingConsumer]:
    """A fresh subclass per test: patching one class twice would nest the gate's lock."""
    consumer_class = type("PatchedConsumer", (RecordingConsumer,), {})
    patches.patch_class(consumer_class)
    return consumer_class


async def test_gaps_are_recorded_one_short_of_the_next_message() -> None:
    consumer = _patched()(app=SimpleNamespace(in_transaction=True))
    await consumer._add_gap("tp", 5, 9)
    assert consumer.calls == [("gap", (5, 8))]


async def test_commits_run_under_the_apps_commit_gate_in_transactions() -> None:
    app = FakeApp()
    CommitGate(app)  # type: ignore[arg-type]
    consumer = _patched()(app)
    assert await consumer._commit_tps([], start_new_transaction=True)
    assert consumer.calls == [("commit", True)]


class RecordingManager:
    def __init__(self, producer: object) -> None:
        self.producer = producer
        self.calls: list[str] = []

    async def on_partitions_revoked(self, revoked: object) -> None:
        self.calls.append("flush")


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


async def test_revocation_aborts_only_the_open_transactions_after_faust_drains() -> None:
    manager_class = type("PatchedManager", (RecordingManager,), {})
    patches.patch_transaction_manager(manager_class)
    producer = FakeProducer()
    manager = manager_class(producer)
    await manager.on_partitions_revoked({"tp"})
    assert manager.calls == ["flush"]
    assert producer.aborted == ["g-1-0"]


def test_the_aiokafka_producer_still_reports_open_transactions() -> None:
    from aiokafka.producer.transaction_manager import TransactionManager as AioTxnManager

    assert callable(AioTxnManager.is_in_transaction)
