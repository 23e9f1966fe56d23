"""``news-pipeline demo`` (``make run``): a worker, a replay through it, the results on screen.

Starts a worker running every stage (trends too), replays the given files onto ``news.raw``,
prints each enriched article and each dead letter as it arrives and then the day's trends table,
then stops the worker, also on Ctrl-C or on failure. The broker must be up (``make run``
starts the local one).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from pipeline.kafka.trends_reader import read_trend_rows
from pipeline.producer import replay
from pipeline.settings import Settings
from pipeline.stages.registry import WORKER_STAGE_NAMES
from pipeline.stages.trends import Row
from pipeline.tail import tail_topic
from pipeline.trends_query import TrendQuery, select, table
from pipeline.worker_process import WorkerProcess

# The trends table at the end: the day's most named entities.
TABLE_WINDOW, TABLE_TOP = "1d", 15


def settled_trend_rows(settings: Settings, timeout: float = 30.0) -> list[Row]:
    """The rows on news.trends once two reads a second apart agree: the trends stage commits
    a moment after the last enriched article."""
    deadline = time.monotonic() + timeout
    rows = read_trend_rows(settings, TABLE_WINDOW)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        again = read_trend_rows(settings, TABLE_WINDOW)
        if again == rows and rows:
            break
        rows = again
    return rows


def run_demo(paths: list[Path], settings: Settings, log_dir: Path) -> int:
    """Returns the number of results printed."""
    log_path = log_dir / "worker.log"
    print(f"starting a worker (all stages; log: {log_path})", file=sys.stderr, flush=True)
    env = {
        **os.environ,
        "NEWS_PIPELINE_METRICS_PORT": str(settings.metrics_port),
        "NEWS_PIPELINE_STAGES": ",".join(WORKER_STAGE_NAMES),
    }
    worker = WorkerProcess.start(env, log_path)
    try:
        worker.wait_ready()
        since = time.time()
        summary = replay(paths, settings)
        for error in summary.errors:
            print(f"error: {error}", file=sys.stderr)
        print(summary.line(), file=sys.stderr)
        print("\n== results: news.enriched and news.deadletter ==", flush=True)
        # Each replayed article ends as exactly one enriched record or one dead letter.
        shown = tail_topic(
            settings, ["enriched", "deadletter"], since=since, idle_timeout=60, limit=summary.sent
        )
        print(f"\n== trends: news.trends, window {TABLE_WINDOW}, {TABLE_TOP} per day ==")
        print(table(select(settled_trend_rows(settings), TrendQuery(TABLE_WINDOW, top=TABLE_TOP))))
        print(
            f"\nmetrics: http://127.0.0.1:{settings.metrics_port}/metrics   "
            "(watch any topic: news-pipeline tail TOPIC; ask the trends: news-pipeline trends)"
        )
        return shown
    finally:
        print("stopping the worker...", file=sys.stderr)
        worker.stop(timeout=30)
