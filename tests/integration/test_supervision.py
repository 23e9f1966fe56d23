"""What a supervisor sees and gets: probes that tell the truth, a stalled worker that comes
back or exits with a reason, a SIGTERM that hands partitions over at once; and through all of
it every raw message exactly once on news.enriched + news.deadletter."""

from __future__ import annotations

import json
import signal
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from pipeline.worker_process import WorkerProcess
from tests.integration.conftest import PipelineUnderTest, key_counts, wait_for_output
from tests.integration.test_pipeline import bbc_sample, expected_ids

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Short enough that the faults below play out in seconds; the session timeout is 10 s.
FAST = {"stall_timeout_s": "8", "stall_exit_s": "20", "shutdown_timeout_s": "15"}


def probe(worker: WorkerProcess, path: str) -> tuple[int, dict]:
    url = f"http://127.0.0.1:{worker.metrics_port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())
    except OSError:  # timeout, reset: no answer
        return 0, {}  # no answer at all: what a supervisor sees of a frozen process


def sample_or_skip(tmp_path: Path, count: int) -> tuple[Path, Counter[bytes]]:
    sample = bbc_sample(tmp_path, count)
    if sample is None:
        pytest.skip("needs ../shared/data/corpora/bbc")
    return sample, expected_ids(sample)


def assert_exactly_once(pipeline: PipelineUnderTest, wanted: Counter[bytes], log: str) -> None:
    results = pipeline.collect(expected=wanted.total(), timeout=180)
    counts = key_counts(results)
    assert wanted - counts == Counter(), log  # nothing lost
    assert counts - wanted == Counter(), f"{copies(results, counts - wanted)}\n{log}"


def copies(results: dict[str, list[tuple[bytes | None, dict]]], extra: Counter) -> str:
    """Each copy of a key seen too often, with its per-stage timestamps: the first stage at
    which two copies differ is the stage whose input was processed twice."""
    lines = []
    for topic, messages in results.items():
        for key, value in messages:
            if key in extra:
                stamps = value.get("timestamps") or {}
                lines.append(f"{key!r} on {topic}: {stamps}")
    return "duplicated:\n" + "\n".join(sorted(lines))


def test_probes_answer_for_a_working_worker(pipeline: PipelineUnderTest) -> None:
    worker = pipeline.start_worker(**FAST)
    worker.wait_ready()
    deadline = time.monotonic() + 15
    while probe(worker, "/readyz")[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    status, ready = probe(worker, "/readyz")
    assert status == 200, ready
    assert ready["waiting"] == 0 and not ready["stalled"]
    assert probe(worker, "/healthz")[0] == 200
    worker.process.send_signal(signal.SIGSTOP)
    try:
        time.sleep(12)  # past the 10 s heartbeat timeout: the loop no longer beats
        status, health = probe(worker, "/healthz")
    finally:
        worker.process.send_signal(signal.SIGCONT)
    # A frozen process cannot answer at all (its HTTP thread is frozen too): a failed probe.
    assert status == 0, health
    # Thawed, it answers again; whether it kept its partitions is the next test's business.
    deadline = time.monotonic() + 30
    while probe(worker, "/healthz")[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert probe(worker, "/healthz")[0] == 200 or worker.process.poll() not in (None, 0)


@pytest.mark.fault
def test_worker_frozen_past_the_session_timeout_recovers_or_exits_with_a_reason(
    pipeline: PipelineUnderTest, tmp_path: Path
) -> None:
    sample, wanted = sample_or_skip(tmp_path, 150)
    worker = pipeline.start_worker(**FAST)
    worker.wait_ready()
    replay = pipeline.start_replay(sample, extra=["--rate", "10"])
    wait_for_output(pipeline, 10)
    worker.process.send_signal(signal.SIGSTOP)
    time.sleep(25)  # well past the 10 s session timeout: the group evicts it
    worker.process.send_signal(signal.SIGCONT)
    continued = time.monotonic()

    deadline = continued + 60
    while worker.process.poll() is None and time.monotonic() < deadline:
        if probe(worker, "/readyz")[0] == 200 and probe(worker, "/readyz")[1]["waiting"] == 0:
            break
        time.sleep(1)
    print(
        f"frozen worker: exit code {worker.process.poll()} "
        f"{time.monotonic() - continued:.1f}s after SIGCONT"
    )
    if worker.process.poll() is not None:
        # It gave up: non-zero, one line saying why, and a restart (as a supervisor would).
        assert worker.process.returncode not in (0, None)
        assert "worker exiting: " in worker.log_path.read_text("utf-8", "replace")
        worker = pipeline.start_worker(**FAST)
        worker.wait_ready(timeout=120)
    _, errors = replay.communicate(timeout=120)
    assert replay.returncode == 0, errors
    assert_exactly_once(pipeline, wanted, worker.log())


@pytest.mark.fault
def test_sigterm_hands_partitions_over_at_once_and_loses_nothing(
    pipeline: PipelineUnderTest, tmp_path: Path
) -> None:
    sample, wanted = sample_or_skip(tmp_path, 150)
    leaving = pipeline.start_worker(**FAST)
    leaving.wait_ready()
    staying = pipeline.start_worker(**FAST)
    staying.wait_ready()
    replay = pipeline.start_replay(sample, extra=["--rate", "10"])
    wait_for_output(pipeline, 20)

    started = time.monotonic()
    assert leaving.stop(signal.SIGTERM, timeout=40) == 0, leaving.log()
    stopped_in = time.monotonic() - started
    assert stopped_in < 20, f"SIGTERM took {stopped_in:.1f}s"
    # The survivor holds every partition well before the 10 s session timeout would expire.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status, ready = probe(staying, "/readyz")
        if status == 200:
            break
        time.sleep(0.5)
    print(f"SIGTERM: exit in {stopped_in:.1f}s, survivor ready {time.monotonic() - started:.1f}s")
    assert status == 200, ready
    _, errors = replay.communicate(timeout=120)
    assert replay.returncode == 0, errors
    assert_exactly_once(pipeline, wanted, staying.log())


@pytest.mark.fault
def test_frozen_worker_fenced_by_its_peer_exits_with_a_reason_and_its_restart_loses_nothing(
    pipeline: PipelineUnderTest, tmp_path: Path
) -> None:
    """The reported half-alive worker: while it is frozen its peer takes its partitions and
    fences its transactional ids; thawed, it must exit non-zero (or carry on), never hang."""
    sample, wanted = sample_or_skip(tmp_path, 150)
    frozen = pipeline.start_worker(**FAST)
    frozen.wait_ready()
    peer = pipeline.start_worker(**FAST)
    peer.wait_ready()
    replay = pipeline.start_replay(sample, extra=["--rate", "10"])
    wait_for_output(pipeline, 10)
    frozen.process.send_signal(signal.SIGSTOP)
    time.sleep(25)
    frozen.process.send_signal(signal.SIGCONT)
    continued = time.monotonic()
    deadline = continued + 60
    while frozen.process.poll() is None and time.monotonic() < deadline:
        if probe(frozen, "/readyz")[0] == 200:
            break
        time.sleep(1)
    print(
        f"fenced worker: exit code {frozen.process.poll()} "
        f"{time.monotonic() - continued:.1f}s after SIGCONT"
    )
    if frozen.process.poll() is not None:
        assert frozen.process.returncode != 0
        assert "worker exiting: " in frozen.log_path.read_text("utf-8", "replace")
        pipeline.start_worker(**FAST).wait_ready(timeout=120)
    _, errors = replay.communicate(timeout=120)
    assert replay.returncode == 0, errors
    assert_exactly_once(pipeline, wanted, peer.log())
