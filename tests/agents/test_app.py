"""Agent wiring through Faust's ``test_context()``: no broker, real StageHandler and Chain."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import faust
import orjson
import pytest
from faust.types import Message
from prometheus_client import CollectorRegistry

from pipeline.app import StageHandler
from pipeline.chain import Chain
from pipeline.metrics import PipelineMetrics
from pipeline.records import validator
from pipeline.settings import Settings
from pipeline.stages.registry import stage as spec


class CollectingSink:
    """Stands in for an output topic: the handler only ever calls ``send(key=, value=)``."""

    def __init__(self) -> None:
        self.sent: list[tuple[bytes | None, dict[str, Any]]] = []

    async def send(self, *, key: bytes | None, value: bytes, source: Message) -> None:
        assert source.topic and source.offset is not None
        self.sent.append((key, orjson.loads(value)))


class BrokenStage(Chain):
    def __init__(self) -> None:
        super().__init__(stages=())

    def run(self, stage: str, record: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("model exploded")


def make_handler(
    stage: str, chain: Chain
) -> tuple[StageHandler, CollectingSink, CollectingSink, PipelineMetrics]:
    metrics = PipelineMetrics.create(CollectorRegistry())
    sink, deadletters = CollectingSink(), CollectingSink()
    settings = Settings(max_message_bytes=4096)
    handler = StageHandler(spec(stage), chain, metrics, sink, deadletters, settings)  # type: ignore[arg-type]
    return handler, sink, deadletters, metrics


@pytest.fixture()
def app() -> Iterator[faust.App]:
    app = faust.App("test-agents", store="memory://", web_enabled=False, loghandlers=[])
    app.finalize()
    app.conf.store = "memory://"
    app.flow_control.resume()
    yield app
    # Faust makes an event loop of its own for the app; closing it keeps the test run clean.
    if not app.loop.is_closed() and not app.loop.is_running():
        app.loop.close()


def raw(article_id: str, **fields: Any) -> bytes:
    return orjson.dumps({"schema_version": 1, "id": article_id, "produced_at": 1.0, **fields})


async def feed(app: faust.App, handler: StageHandler, messages: list[tuple[bytes, bytes]]) -> None:
    topic = app.topic("in", key_serializer="raw", value_serializer="raw")
    agent = app.agent(topic)(handler.agent)
    async with agent.test_context() as context:
        for key, value in messages:
            await context.put(value, key=key)


async def test_normalise_agent_sends_good_records_and_deadletters_bad_ones(app: faust.App) -> None:
    handler, sink, deadletters, metrics = make_handler("normalise", Chain(["normalise"]))
    messages = [
        (b"good", raw("good", title="T", body="Ministers met in London on Monday.")),
        (b"json", b"{not json"),
        (b"utf8", b'{"id": "x", "body": "\xff\xfe"}'),
        (b"type", raw("type", body=42)),
        (b"empty", raw("empty", body="   ")),
        (b"huge", raw("huge", body="word " * 2000)),
        (b"array", b"[1, 2]"),
    ]
    await feed(app, handler, messages)

    assert [key for key, _ in sink.sent] == [b"good"]
    assert sink.sent[0][1]["timestamps"]["produced"] == 1.0
    assert {key for key, _ in deadletters.sent} == {
        b"json",
        b"utf8",
        b"type",
        b"empty",
        b"huge",
        b"array",
    }
    dl_validator = validator("deadletter")
    originals = dict(messages)
    for key, letter in deadletters.sent:
        dl_validator.validate(letter)
        assert letter["stage"] == "normalise"
        assert letter["error_type"] == "InvalidRecord"
        assert base64.b64decode(letter["original_b64"]) == originals[key]
    huge = next(letter for key, letter in deadletters.sent if key == b"huge")
    assert "limit" in huge["error_message"]
    failed = metrics.messages_failed.labels("normalise", "InvalidRecord")._value.get()
    assert failed == 6


async def test_an_exception_inside_a_stage_is_dead_lettered_and_the_agent_goes_on(
    app: faust.App,
) -> None:
    handler, sink, deadletters, _ = make_handler("tag", BrokenStage())
    await feed(app, handler, [(b"a", raw("a", body="x")), (b"b", raw("b", body="y"))])

    assert sink.sent == []
    assert [(k, letter["error_type"], letter["id"]) for k, letter in deadletters.sent] == [
        (b"a", "RuntimeError", "a"),
        (b"b", "RuntimeError", "b"),
    ]
    assert deadletters.sent[0][1]["error_message"] == "model exploded"


async def test_last_stage_counts_enriched_articles_and_latency(app: faust.App) -> None:
    chain = Chain()
    tagged = orjson.loads(raw("s", body="Angela Merkel visited Paris."))
    for stage in ("normalise", "dedup", "tag"):
        tagged = chain.run(stage, tagged)
    handler, sink, _, metrics = make_handler("stance", chain)
    await feed(app, handler, [(b"s", orjson.dumps(tagged))])

    assert len(sink.sent) == 1
    validator("enriched").validate(sink.sent[0][1])
    assert metrics.articles_enriched._value.get() == 1
    assert metrics.end_to_end_latency_seconds._sum.get() > 0
