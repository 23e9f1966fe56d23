from __future__ import annotations

import base64

import orjson
import pytest

from pipeline.errors import InvalidRecord
from pipeline.records import SCHEMA_NAMES, deadletter, decode, decode_raw, encode, validator


def test_encode_decode_round_trip() -> None:
    record = {"schema_version": 1, "id": "a", "body": "Zoë’s “quote”"}
    assert decode(encode(record)) == record


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "no value"),
        (b"{oops", "not valid UTF-8 JSON"),
        (b'{"id": "a", "body": "\xff"}', "not valid UTF-8 JSON"),
        (b"[1]", "expected a JSON object"),
        (b'{"body": "x"}', "'id'"),
        (b'{"id": 5, "body": "x"}', "'id'"),
        (b'{"id": "a"}', "neither 'body' nor 'html'"),
        (b'{"id": "a", "body": 3}', "'body' must be a string"),
        (b'{"id": "a", "body": "x", "title": ["t"]}', "'title' must be a string"),
        (b'{"id": "a", "body": " \\n ", "html": ""}', "empty body"),
    ],
)
def test_decode_raw_rejects_with_a_reason(value: bytes | None, reason: str) -> None:
    with pytest.raises(InvalidRecord, match=reason):
        decode_raw(value, max_bytes=10_000)


def test_decode_raw_enforces_the_size_limit() -> None:
    value = orjson.dumps({"id": "a", "body": "x" * 200})
    with pytest.raises(InvalidRecord, match="over the 100-byte limit"):
        decode_raw(value, max_bytes=100)
    assert decode_raw(value, max_bytes=1000)["id"] == "a"


def test_deadletter_keeps_the_original_bytes_and_validates() -> None:
    original = b"\x00\xffnot json"
    letter = deadletter(
        original=original,
        stage="normalise",
        error=InvalidRecord("bad"),
        topic="news.raw",
        partition=3,
        offset=17,
        article_id=None,
    )
    validator("deadletter").validate(letter)
    assert base64.b64decode(letter["original_b64"]) == original
    assert (letter["error_type"], letter["source_partition"], letter["source_offset"]) == (
        "InvalidRecord",
        3,
        17,
    )


def test_every_schema_loads_and_requires_a_schema_version() -> None:
    for name in SCHEMA_NAMES:
        errors = list(validator(name).iter_errors({}))
        assert any("schema_version" in e.message for e in errors), name


def _tagged(version: int, entity: dict[str, object]) -> dict[str, object]:
    return {
        "schema_version": version,
        "id": "a",
        "title": None,
        "body": "Putin spoke.",
        "language": "en",
        "language_confidence": 0.99,
        "published_at": None,
        "url": None,
        "domain": None,
        "source": None,
        "word_count": 2,
        "content_hash": "sha256:" + "0" * 64,
        "timestamps": {"produced": 1.0},
        "duplicate_of": None,
        "duplicate_kind": None,
        "entities": [
            {
                "name": "Putin",
                "type": "PER",
                "mentions": [{"start": 0, "end": 5, "text": "Putin"}],
                "count": 1,
                "salience": 1.0,
                **entity,
            }
        ],
        "entities_skipped": None,
        "sentences": [[0, 12]],
    }


def test_a_version_3_tagged_record_needs_a_key_on_every_entity() -> None:
    check = validator("tagged")
    check.validate(_tagged(3, {"key": "per:putin"}))
    assert any(
        "'key' is a required property" in e.message for e in check.iter_errors(_tagged(3, {}))
    )
    for bad in ("", "putin", "person:putin"):
        assert list(check.iter_errors(_tagged(3, {"key": bad}))), bad


def test_version_1_and_2_tagged_records_without_keys_still_validate() -> None:
    check = validator("tagged")
    for version in (1, 2):
        check.validate(_tagged(version, {}))
    assert list(check.iter_errors(_tagged(4, {"key": "per:putin"})))
