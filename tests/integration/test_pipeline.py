"""The whole chain on the real broker: every input ends exactly once, enriched or dead-lettered."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import orjson
import pytest

from pipeline.records import validator
from pipeline.sources import SourceError, read_records
from tests.conftest import REPO, SHARED
from tests.integration.conftest import PipelineUnderTest, key_counts

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BBC = SHARED / "data" / "corpora" / "bbc"


def bbc_sample(tmp_path: Path, count: int) -> Path | None:
    if not BBC.is_dir():
        return None
    files = sorted(BBC.rglob("*.txt"))[:: max(1, len(sorted(BBC.rglob("*.txt"))) // count)][:count]
    sample = tmp_path / "bbc"
    for i, f in enumerate(files):
        target = sample / f"{i:04d}_{f.parent.name}_{f.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)
    return sample


def malformed_messages(count: int = 50) -> list[tuple[bytes, bytes]]:
    kinds = [
        b"{not json",
        b'{"id": "x", "body": "\xff\xfe broken utf-8"}',
        b"[1, 2, 3]",
        b'"just a string"',
        b'{"id": "x", "body": 12345}',
        b'{"id": "x", "body": "   "}',
        b'{"id": "x", "title": "no body at all"}',
        b'{"id": "x", "body": "ok", "title": {"nested": true}}',
        orjson.dumps({"id": "x", "body": "big " * 600_000}),  # over the 2 MB default limit
        b"",
    ]
    return [(f"malformed-{i:03d}".encode(), kinds[i % len(kinds)]) for i in range(count)]


def expected_ids(*paths: Path) -> Counter[bytes]:
    """How many messages each id should produce. Ids hash the content when no id or URL is
    given, so the corpus's exact duplicates share an id and must arrive once per copy sent."""
    return Counter(
        str(r["id"]).encode() for r in read_records(paths) if not isinstance(r, SourceError)
    )


def test_every_message_ends_exactly_once(pipeline: PipelineUnderTest, tmp_path: Path) -> None:
    sources = [REPO / "seeds"]
    if (sample := bbc_sample(tmp_path, 500)) is not None:
        sources.append(sample)
    wanted = expected_ids(*sources)
    bad = malformed_messages(50)
    wanted.update(key for key, _ in bad)

    worker = pipeline.start_worker()
    worker.wait_ready()
    pipeline.replay(*sources)
    pipeline.produce_raw(bad)
    results = pipeline.collect(expected=wanted.total(), timeout=600)

    counts = key_counts(results)
    missing = wanted - counts
    extra = counts - wanted
    assert not missing, f"{len(missing)} never arrived, e.g. {list(missing)[:5]}\n{worker.log()}"
    assert not extra, f"arrived more often than sent: {list(extra.items())[:5]}"

    enriched = results[pipeline.topics.enriched]
    deadletters = results[pipeline.topics.deadletter]
    enriched_validator, dl_validator = validator("enriched"), validator("deadletter")
    for _, record in enriched:
        enriched_validator.validate(record)
    for _, letter in deadletters:
        dl_validator.validate(letter)
    dead_keys = {key for key, _ in deadletters}
    assert {key for key, _ in bad} <= dead_keys
    assert b"seed-broken-001" in dead_keys
    assert {key for key, _ in enriched} >= {b"seed-json-001", b"seed-de-001"}
    german = next(r for k, r in enriched if k == b"seed-de-001")
    assert german["language"] == "de" and german["entities_skipped"]


def test_stages_split_across_workers_deliver_exactly_once(pipeline: PipelineUnderTest) -> None:
    """Scaling a stage on its own: one worker runs normalise+tag, another runs stance."""
    wanted = expected_ids(REPO / "seeds")
    front = pipeline.start_worker("normalise,dedup,tag")
    back = pipeline.start_worker("stance")
    front.wait_ready()
    back.wait_ready()
    pipeline.replay(REPO / "seeds")
    results = pipeline.collect(expected=wanted.total(), timeout=300)

    assert key_counts(results) == wanted, f"{front.log()}\n{back.log()}"
    assert "ProducerFenced" not in front.log() + back.log()
