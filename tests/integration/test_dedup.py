"""The dedup stage through the real broker: its memory outlives the worker that wrote it."""

from __future__ import annotations

import signal

import pytest

from tests.conftest import REPO
from tests.integration.conftest import PipelineUnderTest

pytestmark = pytest.mark.integration

SEEDS = REPO / "seeds"


def test_a_copy_sent_after_a_restart_still_points_to_the_first_article(
    pipeline: PipelineUnderTest,
) -> None:
    first = pipeline.start_worker()
    first.wait_ready()
    pipeline.replay(SEEDS / "001_record.json")
    [(_, original)] = pipeline.collect(expected=1, timeout=180)[pipeline.topics.enriched]
    assert original["duplicate_of"] is None
    assert first.stop(signal.SIGTERM) == 0, first.log()

    # A new process: all it knows of seed-json-001 is what the state topic kept.
    second = pipeline.start_worker()
    second.wait_ready()
    pipeline.replay(SEEDS / "006_wire_copy.json")
    enriched = pipeline.collect(expected=2, timeout=180)[pipeline.topics.enriched]
    copy = next(record for _, record in enriched if record["id"] == "seed-wire-copy-001")
    assert (copy["duplicate_of"], copy["duplicate_kind"]) == ("seed-json-001", "near"), second.log()
