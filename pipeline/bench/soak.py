"""``make soak``: a long paced replay through two workers, one of them restarted every few
minutes, then the figures a release should be judged by.

    python -m pipeline.bench.soak [--rate 10] [--minutes 30] [--restart-every 300]

Articles (the BBC corpus in ../shared, repeated with fresh ids; generated text without it) go
to ``news.raw`` at ``--rate`` per second. Two workers run every stage; every
``--restart-every`` seconds one of them (in turn) gets SIGTERM, as a rolling deploy would do,
and a new one takes its place. A reader follows ``news.enriched`` and ``news.deadletter`` with
read_committed throughout. At the end it waits for the stream to drain and prints messages in
and out, duplicates and lost ones, end-to-end latency p50/p99, restarts, and each worker
process's RSS when it started its run and when it stopped (growth per hour).

Not a test: nothing is asserted, the figures are printed (and the exit status is 1 when a
message was lost or duplicated, so a script can gate on it).
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from pipeline.bench.pipeline import load_articles
from pipeline.kafka.admin import consumer_config, ensure_topics, producer_config
from pipeline.producer import RateLimiter
from pipeline.records import encode_raw
from pipeline.settings import Settings
from pipeline.shared_data import SharedData
from pipeline.topics import Topics
from pipeline.worker_process import WorkerProcess


@dataclass
class WorkerRun:
    """One worker process from its start to its stop."""

    name: str
    process: WorkerProcess
    started_at: float
    rss_start_mb: float = 0.0
    rss_end_mb: float = 0.0
    stopped_at: float | None = None

    def growth_mb_per_hour(self) -> float:
        hours = ((self.stopped_at or time.monotonic()) - self.started_at) / 3600
        return (self.rss_end_mb - self.rss_start_mb) / hours if hours > 0 else 0.0


@dataclass
class Tally:
    sent: Counter[str] = field(default_factory=Counter)
    received: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux /proc; 0 elsewhere or once it has exited)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(tally: Tally, runs: list[WorkerRun], restarts: int, seconds: float) -> tuple[str, bool]:
    """The closing figures, and whether every message arrived exactly once."""
    lost = sum((tally.sent - tally.received).values())
    duplicated = sum((tally.received - tally.sent).values())
    lines = [
        f"soak: {seconds / 60:.1f} min, {restarts} restart(s)",
        f"messages in {sum(tally.sent.values())}, out {sum(tally.received.values())}, "
        f"lost {lost}, duplicated {duplicated}",
        f"end-to-end latency p50 {percentile(tally.latencies, 0.5):.2f}s, "
        f"p99 {percentile(tally.latencies, 0.99):.2f}s",
        f"{'worker':<10}{'ran s':>8}{'RSS start MB':>14}{'RSS end MB':>12}{'MB/hour':>10}",
    ]
    for run in runs:
        ran = (run.stopped_at or time.monotonic()) - run.started_at
        lines.append(
            f"{run.name:<10}{ran:>8.0f}{run.rss_start_mb:>14.0f}{run.rss_end_mb:>12.0f}"
            f"{run.growth_mb_per_hour():>10.1f}"
        )
    return "\n".join(lines), lost == 0 and duplicated == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.bench.soak", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--rate", type=float, default=10.0, help="articles per second (10)")
    parser.add_argument("--minutes", type=float, default=30.0, help="how long to produce (30)")
    parser.add_argument(
        "--restart-every", type=float, default=300.0, help="seconds between worker restarts (300)"
    )
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=180.0,
        help="seconds to wait for the last results after producing stops",
    )
    args = parser.parse_args(argv)

    base = Settings()
    run_id = uuid.uuid4().hex[:8]
    settings = base.model_copy(
        update={"topic_prefix": f"soak-{run_id}.", "app_id": f"soak-{run_id}"}
    )
    topics = Topics.from_settings(settings)
    ensure_topics(settings)
    corpus = SharedData(base.shared_dir).bbc
    articles = load_articles(2000, corpus)
    tally = Tally()
    stop = threading.Event()
    log_dir = Path(".kafka/logs")
    names = itertools.count()

    def start_worker() -> WorkerRun:
        name = f"worker-{next(names)}"
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
            "NEWS_PIPELINE_TOPIC_PREFIX": settings.topic_prefix,
            "NEWS_PIPELINE_APP_ID": settings.app_id,
            "NEWS_PIPELINE_METRICS_PORT": "0",
            "NEWS_PIPELINE_DATA_DIR": f".faust/{settings.app_id}-{name}",
        }
        process = WorkerProcess.start(env, log_dir / f"soak-{run_id}-{name}.log")
        process.wait_ready()
        run = WorkerRun(name, process, time.monotonic())
        run.rss_start_mb = rss_mb(process.process.pid)
        pid = process.process.pid
        print(f"{name} ready (pid {pid}, {run.rss_start_mb:.0f} MB)", file=sys.stderr)
        return run

    def stop_worker(run: WorkerRun) -> None:
        run.rss_end_mb = rss_mb(run.process.process.pid)
        code = run.process.stop(signal.SIGTERM, timeout=60)
        run.stopped_at = time.monotonic()
        print(f"{run.name} stopped with exit code {code}", file=sys.stderr)

    def consume() -> None:
        consumer = KafkaConsumer(**consumer_config(settings))
        parts = [
            TopicPartition(t, p)
            for t in (topics.enriched, topics.deadletter)
            for p in range(settings.partitions)
        ]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        try:
            while not stop.is_set():
                for messages in consumer.poll(timeout_ms=500).values():
                    now = time.time()
                    for message in messages:
                        record: dict[str, Any] = orjson.loads(message.value)
                        with tally.lock:
                            tally.received[(message.key or b"").decode()] += 1
                            produced = (record.get("timestamps") or {}).get("produced")
                            if produced:
                                tally.latencies.append(now - produced)
        finally:
            consumer.close()

    runs = [start_worker(), start_worker()]
    active = list(runs)
    restarts = 0
    producing = threading.Event()
    producing.set()

    def restart_in_turn() -> None:
        # A rolling restart, beside the producer: the older of the two goes, a new one comes.
        nonlocal restarts
        while not stop.wait(args.restart_every) and producing.is_set():
            leaving = active.pop(0)
            stop_worker(leaving)
            active.append(start_worker())
            runs.append(active[-1])
            restarts += 1

    reader = threading.Thread(target=consume, daemon=True)
    reader.start()
    restarter = threading.Thread(target=restart_in_turn, daemon=True)
    restarter.start()
    producer = KafkaProducer(**producer_config(settings))
    limiter = RateLimiter(args.rate)
    started = time.monotonic()
    try:
        for i in itertools.count():
            if time.monotonic() - started >= args.minutes * 60:
                break
            limiter.wait()
            article = articles[i % len(articles)]
            article_id = f"soak-{run_id}-{i}"
            value = encode_raw({**article, "id": article_id})
            producer.send(topics.raw, key=article_id.encode(), value=value)
            tally.sent[article_id] += 1
        producer.flush()
        producing.clear()
        deadline = time.monotonic() + args.drain_timeout
        while time.monotonic() < deadline:
            with tally.lock:
                if sum(tally.received.values()) >= sum(tally.sent.values()):
                    break
            time.sleep(1)
        time.sleep(5)  # a little longer, so that late duplicates are counted too
    finally:
        producer.close()
        producing.clear()
        stop.set()
        restarter.join(120)
        reader.join(10)
        for run in active:
            stop_worker(run)
    text, clean = report(tally, runs, restarts, time.monotonic() - started)
    print(text)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
