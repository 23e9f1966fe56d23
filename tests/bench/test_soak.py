from __future__ import annotations

import time
from collections import Counter

from pipeline.bench.soak import Tally, WorkerRun, percentile, report


def test_the_report_counts_lost_and_duplicated_messages_and_memory_growth() -> None:
    tally = Tally(sent=Counter({"a": 1, "b": 1, "c": 1}), received=Counter({"a": 1, "b": 2}))
    tally.latencies = [0.1, 0.2, 0.3, 5.0]
    run = WorkerRun("worker-0", process=None, started_at=time.monotonic() - 1800)  # type: ignore[arg-type]
    run.rss_start_mb, run.rss_end_mb, run.stopped_at = 300.0, 310.0, run.started_at + 1800
    text, clean = report(tally, [run], restarts=1, seconds=1800)
    assert not clean
    assert "messages in 3, out 3, lost 1, duplicated 1" in text
    assert "20.0" in text.splitlines()[-1]  # 10 MB in half an hour
    assert percentile([], 0.5) != percentile([], 0.5)  # NaN: no latency measured
