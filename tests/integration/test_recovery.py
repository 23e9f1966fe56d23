"""A worker killed with SIGKILL mid-replay and restarted still delivers every id exactly once."""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

import pytest

from tests.integration.conftest import PipelineUnderTest, key_counts, wait_for_output
from tests.integration.test_pipeline import bbc_sample, expected_ids

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_sigkill_mid_replay_then_restart_loses_and_duplicates_nothing(
    pipeline: PipelineUnderTest, tmp_path: Path
) -> None:
    sample = bbc_sample(tmp_path, 200)
    if sample is None:
        pytest.skip("needs ../shared/data/corpora/bbc")
    wanted = expected_ids(sample)

    first = pipeline.start_worker()
    first.wait_ready()
    # A rate-limited replay keeps producing while the worker dies: mid-replay, transactions open.
    replay = pipeline.start_replay(sample, extra=["--rate", "15"])
    seen = wait_for_output(pipeline, wanted.total() // 10, timeout=120)
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    assert seen < wanted.total(), "the worker finished before it could be killed mid-replay"
    assert replay.poll() is None, "the replay finished before the worker was killed"

    second = pipeline.start_worker()
    second.wait_ready(timeout=180)
    _, errors = replay.communicate(timeout=120)
    assert replay.returncode == 0, errors
    results = pipeline.collect(expected=wanted.total(), timeout=600)

    counts = key_counts(results)
    assert wanted - counts == Counter(), second.log()  # nothing lost
    assert counts - wanted == Counter()  # nothing twice
