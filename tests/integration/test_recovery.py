"""A worker killed with SIGKILL mid-replay and restarted still delivers every id exactly once."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.integration.conftest import PipelineUnderTest, key_counts
from tests.integration.test_pipeline import bbc_sample, expected_ids

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_sigkill_mid_replay_then_restart_loses_and_duplicates_nothing(
    pipeline: PipelineUnderTest, tmp_path: Path
) -> None:
    sample = bbc_sample(tmp_path, 300)
    if sample is None:
        pytest.skip("needs ../shared/data/corpora/bbc")
    wanted = expected_ids(sample)

    first = pipeline.start_worker()
    first.wait_ready()
    pipeline.replay(sample)
    # Kill it once some, but not all, results are out: mid-stream, transactions open.
    seen = 0

    def note(total: int) -> None:
        nonlocal seen
        seen = total

    deadline = time.monotonic() + 120
    while seen < len(wanted) // 10 and time.monotonic() < deadline:
        pipeline.collect(expected=len(wanted) // 10, timeout=2, progress=note)
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    assert seen < len(wanted), "the worker finished before it could be killed mid-replay"

    second = pipeline.start_worker()
    second.wait_ready(timeout=180)
    results = pipeline.collect(expected=len(wanted), timeout=600)

    counts = key_counts(results)
    assert wanted - set(counts) == set(), second.log()
    assert {k: n for k, n in counts.items() if n > 1} == {}
