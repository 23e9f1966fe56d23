"""Records on the wire: orjson-encoded JSON objects that carry a ``schema_version``.

This module owns the encoding, the strict decoding of untrusted raw messages, the dead-letter
record, and the JSON Schemas in ``pipeline/schemas/`` (one per topic).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import orjson

from pipeline.errors import InvalidRecord

# 2: records carry the dedup stage's ``duplicate_of``/``duplicate_kind`` and the tagger's
# ``sentences``. 3: each tagged entity carries its ``key``. Readers accept 1 to 3.
SCHEMA_VERSION = 3
SCHEMA_NAMES = ("raw", "normalised", "deduplicated", "tagged", "enriched", "deadletter")
_OPTIONAL_TEXT_FIELDS = ("url", "source", "title", "published_at", "language", "origin")


def encode(record: dict[str, Any]) -> bytes:
    return orjson.dumps(record)


def encode_raw(record: dict[str, Any]) -> bytes:
    """A raw record as a producer of this project writes it to ``news.raw``: stamped with the
    schema version and the time it was produced (the start of end-to-end latency)."""
    return encode({"schema_version": SCHEMA_VERSION, **record, "produced_at": time.time()})


def decode(value: bytes | None) -> dict[str, Any]:
    """Decode a message written by this pipeline; anything but a JSON object is invalid."""
    if value is None:
        raise InvalidRecord("message has no value")
    try:
        record = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise InvalidRecord(f"not valid UTF-8 JSON: {exc}") from None
    if not isinstance(record, dict):
        raise InvalidRecord(f"expected a JSON object, got {type(record).__name__}")
    return record


def decode_raw(value: bytes | None, max_bytes: int) -> dict[str, Any]:
    """Decode and check a message from ``news.raw``, which any producer may have written."""
    if value is not None and len(value) > max_bytes:
        raise InvalidRecord(f"message is {len(value)} bytes, over the {max_bytes}-byte limit")
    return validate_raw(decode(value))


def validate_raw(record: object) -> dict[str, Any]:
    """The one definition of a usable raw record; returns it, or raises InvalidRecord saying why.

    The normalise stage applies it to every input (from Kafka through ``decode_raw``, or from
    files through ``enrich``); ``replay`` applies it to warn before sending a record that the
    worker will dead-letter.
    """
    if not isinstance(record, Mapping):
        raise InvalidRecord(f"a record must be a JSON object, got {type(record).__name__}")
    record_id = record.get("id")
    if not isinstance(record_id, str) or not record_id:
        raise InvalidRecord(f"field 'id' must be a non-empty string, got {record_id!r:.80}")
    body, html = record.get("body"), record.get("html")
    if body is None and html is None:
        raise InvalidRecord("record has neither 'body' nor 'html'")
    for name in ("body", "html", *_OPTIONAL_TEXT_FIELDS):
        field = record.get(name)
        if field is not None and not isinstance(field, str):
            raise InvalidRecord(f"field '{name}' must be a string, got {type(field).__name__}")
    if not (body or "").strip() and not (html or "").strip():
        raise InvalidRecord("empty body: the body is empty and there is no html")
    return dict(record)


def deadletter(
    *,
    original: bytes | None,
    stage: str,
    error: BaseException,
    topic: str,
    partition: int,
    offset: int,
    article_id: str | None,
) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "id": article_id,
        "stage": stage,
        "error_type": type(error).__name__,
        "error_message": str(error) or repr(error),
        "original_b64": base64.b64encode(original or b"").decode("ascii"),
        "source_topic": topic,
        "source_partition": partition,
        "source_offset": offset,
        "failed_at": time.time(),
    }


def mention_count(entity: Mapping[str, Any]) -> int:
    """How often a tagged entity is mentioned in its article: its ``count``, else the length of
    its ``mentions`` (0 for a malformed entity, which counters must survive)."""
    count = entity.get("count")
    if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
        return count
    mentions = entity.get("mentions")
    return len(mentions) if isinstance(mentions, list) else 0


@cache
def schema(name: str) -> dict[str, Any]:
    text = resources.files("pipeline.schemas").joinpath(f"{name}.json").read_text("utf-8")
    loaded: dict[str, Any] = orjson.loads(text)
    return loaded


def validator(name: str) -> Any:
    """A jsonschema validator for a topic's records, resolving references between schemas."""
    import jsonschema
    from referencing import Registry, Resource

    registry: Registry[Any] = Registry().with_resources(
        (f"news.{n}", Resource.from_contents(schema(n))) for n in SCHEMA_NAMES
    )
    return jsonschema.Draft202012Validator(schema(name), registry=registry)
