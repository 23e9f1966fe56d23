"""Scaling while a replay runs: one worker, then two, then three, then back to one by SIGTERM.
Every rebalance on the way must leave each raw message exactly once on news.enriched +
news.deadletter (read_committed), and the lag must drain."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.integration.conftest import PipelineUnderTest, assert_lag_drains, wait_for_output
from tests.integration.test_supervision import (
    FAST,
    assert_exactly_once,
    sample_or_skip,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.fault]


def test_one_worker_to_three_and_back_to_one_while_a_replay_runs(
    pipeline: PipelineUnderTest, tmp_path: Path
) -> None:
    sample, wanted = sample_or_skip(tmp_path, 240)
    first = pipeline.start_worker(**FAST)
    first.wait_ready()
    replay = pipeline.start_replay(sample, extra=["--rate", "6"])
    wait_for_output(pipeline, 20)
    second = pipeline.start_worker(**FAST)
    second.wait_ready()
    wait_for_output(pipeline, 60)
    third = pipeline.start_worker(**FAST)
    third.wait_ready()
    wait_for_output(pipeline, 110)
    for leaving in (third, second):
        assert leaving.stop(signal.SIGTERM, timeout=40) == 0, leaving.log()
    _, errors = replay.communicate(timeout=180)
    assert replay.returncode == 0, errors
    assert first.process.poll() is None, first.log()
    assert_exactly_once(pipeline, wanted, first.log())
    assert_lag_drains(pipeline, within=60)
