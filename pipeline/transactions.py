"""Exactly-once plumbing between Faust and the agents.

Faust's own exactly_once lets an output and its input's offset commit separately (see each
class); these close the gaps so that every input ends as exactly one output, even when a worker
is killed mid-transaction (tests/integration/test_recovery.py).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

import faust
from faust.types import Message

log = logging.getLogger(__name__)


class Sink(Protocol):
    async def send(self, *, key: bytes | None, value: bytes, source: Message) -> None: ...


class TopicSink:
    """Writes to one topic inside the transaction that commits the source message's offset.

    Faust's own send under exactly_once picks the transaction from the *destination* topic's
    partition, and sends outside any transaction when the destination is not a topic the app
    consumes (news.enriched, news.deadletter). Either way the output and the input offset can
    commit separately, and a worker killed between the two duplicates its output. Choosing the
    transactional id from the source partition, exactly as Faust's offset commit does, makes
    the output and the offset commit one atomic transaction.
    """

    def __init__(self, app: faust.App, topic: str) -> None:
        self.app = app
        self.topic = topic

    async def send(self, *, key: bytes | None, value: bytes, source: Message) -> None:
        producer = self.app.producer
        if self.app.in_transaction:
            group = self.app.assignor.group_for_topic(source.topic)
            transactional_id = f"{self.app.conf.id}-{group}-{source.partition}"
            # The driver's producer holds one transactional producer per assigned source
            # partition (started by Faust's transaction manager on assignment).
            await producer.send(
                self.topic, key, value, None, None, None, transactional_id=transactional_id
            )
        else:
            # at_least_once: wait for the broker's ack before the offset can be committed.
            await (await producer.send(self.topic, key, value, None, None, None))


class CommitGate:
    """Keeps Faust's offset commit from running between an output's send and its input's ack.

    Faust computes the offsets to commit (acked messages only) and then commits each
    partition's transaction over several awaits. An agent that sends an output in that window
    puts it into a transaction that commits without the offset of the message it came from;
    a crash after that replays the message and the output appears twice. Holding one lock
    around "compute offsets and commit" and around "send output and ack input" closes the
    window. Faust has no hook for this, so the gate wraps the consumer's commit step once the
    worker has built its consumer; without exactly_once it does nothing.
    """

    def __init__(self, app: faust.App) -> None:
        self.app = app
        self.lock = asyncio.Lock()
        self._installed = False

    def install(self) -> None:
        if self._installed or not self.app.in_transaction:
            return
        consumer: Any = self.app.consumer
        commit_tps = consumer._commit_tps
        lock = self.lock

        async def gated_commit_tps(tps: Any, start_new_transaction: bool) -> bool:
            async with lock:
                return bool(await commit_tps(tps, start_new_transaction=start_new_transaction))

        consumer._commit_tps = gated_commit_tps
        self._installed = True
        log.info("offset commits gated on output sends (exactly_once)")
