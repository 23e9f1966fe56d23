from __future__ import annotations

import pytest

from pipeline.ingest.seen import MemorySeenStore, Seen, content_hash


def test_entries_round_trip() -> None:
    article = Seen(at=1.5, content_hash="ab", stamp="2026-11-25", revision=2)
    listing = Seen(at=2.0, etag='"v1"', last_modified="Wed", children=("https://n.test/a.xml",))
    for seen in (article, listing):
        assert Seen.decode(seen.encode()) == seen
    assert b"etag" not in article.encode()  # unset fields are left out


@pytest.mark.parametrize("value", [b"not json", b"[1]", b'{"no_time": 1}'])
def test_foreign_values_are_refused(value: bytes) -> None:
    with pytest.raises(ValueError, match="not a seen entry"):
        Seen.decode(value)


def test_content_hash_ignores_whitespace_only() -> None:
    assert content_hash("<p>a  b</p>\n") == content_hash("<p>a b</p>")
    assert content_hash("<p>a b</p>") != content_hash("<p>a c</p>")


def test_memory_store() -> None:
    store = MemorySeenStore()
    store.put("https://n.test/a", Seen(at=1.0))
    assert store.get("https://n.test/a") == Seen(at=1.0) and store.get("https://n.test/b") is None
