"""Where raw records go: a Protocol with an in-memory form for tests; the Kafka form is in
``pipeline.ingest.broker``. ``send`` returns once the record is delivered, so the runner
remembers an article only after it is safely on the topic."""

from __future__ import annotations

from typing import Any, Protocol

import orjson


class RawSink(Protocol):
    async def send(self, key: bytes, value: bytes) -> None: ...

    def close(self) -> None: ...


class MemorySink:
    def __init__(self) -> None:
        self.messages: list[tuple[bytes, bytes]] = []

    async def send(self, key: bytes, value: bytes) -> None:
        self.messages.append((key, value))

    def close(self) -> None:
        pass

    @property
    def records(self) -> list[dict[str, Any]]:
        return [orjson.loads(value) for _key, value in self.messages]
