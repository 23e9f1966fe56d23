"""The producer's memory of what it has produced, keyed by canonical URL.

An article's entry holds the hash of the HTML that was sent, the listing's stamp for it
(feed ``updated`` or sitemap ``lastmod``) and its revision (0 for the first send). A listing's
entry (a feed or sitemap URL) holds its HTTP validators instead, so that after a restart an
unchanged feed still costs only a 304.

The store is a Protocol: the runner uses ``MemorySeenStore`` in tests and
``pipeline.ingest.broker.KafkaSeenStore`` (a compacted topic read back at start-up) in
production.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import orjson


@dataclass(frozen=True)
class Seen:
    at: float  # Unix time of the send (or of the listing fetch)
    content_hash: str | None = None
    stamp: str | None = None
    revision: int = 0
    etag: str | None = None
    last_modified: str | None = None
    # A sitemap index's children, so that when the index answers 304 they are still polled.
    children: tuple[str, ...] | None = None

    def encode(self) -> bytes:
        return orjson.dumps({k: v for k, v in asdict(self).items() if v is not None})

    @classmethod
    def decode(cls, value: bytes) -> Seen:
        """Raise ValueError when ``value`` is not an entry this module wrote."""
        try:
            data: dict[str, Any] = orjson.loads(value)
            fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
            if "children" in fields:
                fields["children"] = tuple(fields["children"])
            return cls(**fields)
        except (orjson.JSONDecodeError, TypeError, KeyError) as exc:
            raise ValueError(f"not a seen entry: {exc}") from None


def content_hash(html: str) -> str:
    """Hash of a page as sent; whitespace-only changes do not count as a new revision."""
    return hashlib.sha256(" ".join(html.split()).encode("utf-8", "surrogatepass")).hexdigest()[:32]


class SeenStore(Protocol):
    def get(self, url: str) -> Seen | None: ...

    def put(self, url: str, seen: Seen) -> None: ...

    def flush(self) -> None:
        """Make every ``put`` so far durable."""

    def close(self) -> None: ...


class MemorySeenStore:
    def __init__(self) -> None:
        self.entries: dict[str, Seen] = {}

    def get(self, url: str) -> Seen | None:
        return self.entries.get(url)

    def put(self, url: str, seen: Seen) -> None:
        self.entries[url] = seen

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass
