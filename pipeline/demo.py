"""``news-pipeline demo`` (``make run``): a worker, a replay through it, the results on screen.

Starts a worker running every stage, replays the given files onto ``news.raw``, prints each
enriched article and each dead letter as it arrives, then stops the worker, also on Ctrl-C or
on failure. The broker must be up (``make run`` starts the local one).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from pipeline.producer import replay
from pipeline.settings import Settings
from pipeline.tail import tail_topic
from pipeline.worker_process import WorkerProcess


def run_demo(paths: list[Path], settings: Settings, log_dir: Path) -> int:
    """Returns the number of results printed."""
    log_path = log_dir / "worker.log"
    print(f"starting a worker (all stages; log: {log_path})", file=sys.stderr, flush=True)
    env = {**os.environ, "NEWS_PIPELINE_METRICS_PORT": str(settings.metrics_port)}
    env.pop("NEWS_PIPELINE_STAGES", None)
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
        print(
            f"\nmetrics: http://127.0.0.1:{settings.metrics_port}/metrics   "
            "(watch any topic: news-pipeline tail TOPIC)"
        )
        return shown
    finally:
        print("stopping the worker...", file=sys.stderr)
        worker.stop(timeout=30)
