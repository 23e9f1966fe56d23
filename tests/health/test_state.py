"""The liveness and readiness rules, fed plain values."""

from __future__ import annotations

from pipeline.health.state import HealthState, Progress, assess
from pipeline.kafka.lag import LagSnapshot, PartitionLag

RAW = "news.raw"


def lag(**by_partition: int) -> LagSnapshot:
    parts = tuple(PartitionLag(RAW, int(p[1:]), 100, 100 - n, n) for p, n in by_partition.items())
    return LagSnapshot(True, parts, 1.0, 0.1)


def judge(state: HealthState, progress: Progress, snapshot: LagSnapshot | None, now: float):
    return assess(state, progress, snapshot, now=now, heartbeat_timeout_s=10, stall_timeout_s=60)


def running(now: float = 0.0, assigned: tuple[int, ...] = (0, 1)) -> HealthState:
    state = HealthState(
        started_at=0.0, assigned_at=0.0, heartbeat_at=now, consumer_running=True, joined=True
    )
    state.assign([(RAW, p) for p in assigned], 0.0)
    return state


def test_alive_and_ready_when_beating_assigned_and_idle() -> None:
    health = judge(running(500), Progress(), lag(p0=0, p1=0), now=500)
    assert health.alive and health.ready and not health.stalled
    assert health.waiting == 0


def test_a_silent_event_loop_is_not_alive() -> None:
    health = judge(running(100), Progress(), lag(), now=111)
    assert not health.alive and not health.ready
    assert "not beaten for 11s" in health.reasons[0]


def test_a_stopped_consumer_or_a_shutdown_is_not_alive() -> None:
    state = running(5)
    state.consumer_running = False
    assert not judge(state, Progress(), lag(), now=5).alive
    state = running(5)
    state.shutting_down = True
    assert not judge(state, Progress(), lag(), now=5).alive


def test_a_member_of_its_group_without_partitions_is_ready_and_idle() -> None:
    """More replicas than partitions: the spare one must not hold a rollout back."""
    health = judge(running(5, assigned=()), Progress(), lag(p0=3), now=5)
    assert health.alive and health.ready and health.idle
    assert health.reasons == () and health.waiting == 0
    assert health.as_dict()["idle"] is True


def test_a_worker_with_partitions_is_not_idle() -> None:
    assert not judge(running(5), Progress(), lag(p0=0, p1=0), now=5).idle


def test_not_yet_in_its_group_is_alive_but_not_ready() -> None:
    state = running(5, assigned=())
    state.joined = False
    health = judge(state, Progress(), lag(), now=5)
    assert health.alive and not health.ready and not health.idle
    assert health.reasons == ("not yet a member of its consumer group",)


def test_a_broker_that_failed_the_last_lag_check_is_not_ready() -> None:
    down = LagSnapshot(False, (), 1.0, 3.0)
    health = judge(running(500), Progress(), down, now=500)
    assert health.alive and not health.ready
    assert health.reasons == ("the Kafka broker did not answer the last lag check",)


def test_no_lag_check_yet_does_not_hold_readiness_back() -> None:
    """Joining the group already took a broker that answers."""
    never = LagSnapshot(False, (), 0.0, 0.0)
    assert judge(running(5), Progress(), never, now=5).ready


def test_waiting_messages_and_no_progress_past_the_timeout_is_stalled() -> None:
    progress = Progress(clock=lambda: 10.0)
    progress.note()
    assert judge(running(70), progress, lag(p0=5, p1=0), now=70).ready  # 60s: not yet
    health = judge(running(71), progress, lag(p0=5, p1=0), now=71)
    assert health.alive and health.stalled and not health.ready
    assert health.waiting == 5 and health.seconds_since_progress == 61


def test_lag_on_partitions_held_by_others_does_not_stall_this_worker() -> None:
    health = judge(running(500, assigned=(0,)), Progress(), lag(p0=0, p1=7), now=500)
    assert health.ready and health.waiting == 0


def test_a_new_assignment_restarts_the_stall_clock() -> None:
    state = running(500)
    state.assign([(RAW, 2)], now=450.0)
    health = judge(state, Progress(), lag(p2=9), now=500)
    assert health.ready and health.seconds_since_progress == 50


def test_unknown_lag_is_not_a_stall() -> None:
    down = LagSnapshot(False, (), 1.0, 3.0)
    health = judge(running(500), Progress(), down, now=500)
    assert not health.stalled and health.waiting is None
