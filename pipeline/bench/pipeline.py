"""``make bench``: end-to-end throughput and latency through the real broker, next to the same
stage functions called in-process on the same articles in the same run.

    python -m pipeline.bench.pipeline [--articles N] [--corpus DIR]

Runs over the same N articles (default 2,000 from the BBC corpus in ../shared, else generated
text of similar size):
- in-process: all stages in a loop on one core, no Kafka;
- Kafka, one worker running all stages, /metrics off, then on and scraped every second;
- Kafka, two workers (normalise+dedup+tag, stance): how a stage scales out, here onto the
  second core;
- Kafka, one worker, paced at half the in-process rate (400 articles): per-article latency
  without a backlog.
Each Kafka run uses a fresh topic prefix and consumer group; throughput is articles divided by
the time from the first send to the last result, read with read_committed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from pipeline.chain import Chain
from pipeline.kafka.admin import ensure_topics, producer_config
from pipeline.kafka.security import kafka_python_config
from pipeline.producer import RateLimiter
from pipeline.records import encode_raw
from pipeline.settings import Settings
from pipeline.shared_data import SharedData
from pipeline.sources import SourceError, read_records
from pipeline.stages.registry import STAGE_NAMES
from pipeline.topics import Topics
from pipeline.worker_process import WorkerProcess

WORDS = tuple(
    [
        "government",
        "minister",
        "said",
        "market",
        "company",
        "London",
        "report",
        "growth",
        "season",
        "club",
        "election",
        "people",
        "week",
        "year",
        "million",
        "police",
        "court",
        "health",
        "plans",
        "new",
        "first",
    ]
)


@dataclass
class RunResult:
    name: str
    articles: int
    seconds: float
    latencies: list[float]

    @property
    def throughput(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def load_articles(count: int, corpus: Path) -> list[dict[str, Any]]:
    if corpus.is_dir():
        records = [r for r in read_records([corpus]) if not isinstance(r, SourceError)]
        articles = [records[i % len(records)] for i in range(count)]
        # Repeats of the corpus get their own ids so that each is a distinct message.
        return [{**a, "id": f"bench-{i}"} for i, a in enumerate(articles)]
    print(f"{corpus} not found: using generated text", file=sys.stderr)
    rng = random.Random(7)
    return [
        {
            "id": f"bench-{i}",
            "title": f"Generated article {i}",
            "body": "\n\n".join(
                " ".join(rng.choices(WORDS, k=80)).capitalize() + "." for _ in range(5)
            ),
        }
        for i in range(count)
    ]


def run_in_process(
    articles: list[dict[str, Any]], stages: tuple[str, ...] = STAGE_NAMES, name: str = "in-process"
) -> RunResult:
    chain = Chain(stages)
    started = time.perf_counter()
    failed = 0
    for article in articles:
        try:
            chain.enrich({**article, "produced_at": time.time()})
        except Exception:  # noqa: BLE001 - the Kafka path dead-letters these; count them alike
            failed += 1
    return RunResult(name, len(articles), time.perf_counter() - started, [])


@dataclass(frozen=True)
class KafkaRun:
    name: str
    metrics: bool = True
    # One worker process per entry, each running the stages listed.
    workers: tuple[str, ...] = (",".join(STAGE_NAMES),)
    # Articles per second for the producer; None sends them all at once (a backlog).
    rate: float | None = None


def run_kafka(articles: list[dict[str, Any]], base: Settings, plan: KafkaRun) -> RunResult:
    run = uuid.uuid4().hex[:8]
    settings = base.model_copy(update={"topic_prefix": f"bench-{run}.", "app_id": f"bench-{run}"})
    topics = Topics.from_settings(settings)
    ensure_topics(settings)
    workers: list[WorkerProcess] = []
    ports: list[int] = []
    stop_scraping = threading.Event()
    try:
        for number, stages in enumerate(plan.workers):
            port = _free_port() if plan.metrics else 0
            env = {
                **os.environ,
                "KAFKA_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
                "NEWS_PIPELINE_TOPIC_PREFIX": settings.topic_prefix,
                "NEWS_PIPELINE_APP_ID": settings.app_id,
                "NEWS_PIPELINE_STAGES": stages,
                "NEWS_PIPELINE_METRICS_PORT": str(port),
                "NEWS_PIPELINE_DATA_DIR": f".faust/{settings.app_id}-{number}",
            }
            log_path = Path(".kafka/logs") / f"bench-worker-{run}-{number}.log"
            workers.append(WorkerProcess.start(env, log_path))
            ports.append(port)
        for worker in workers:
            worker.wait_ready()
        if plan.metrics:
            for port in ports:
                threading.Thread(target=_scrape, args=(port, stop_scraping), daemon=True).start()
        return _measure(articles, settings, topics, plan)
    finally:
        stop_scraping.set()
        for worker in workers:
            worker.stop()


def _measure(
    articles: list[dict[str, Any]], settings: Settings, topics: Topics, plan: KafkaRun
) -> RunResult:
    consumer = KafkaConsumer(
        **kafka_python_config(settings),
        isolation_level="read_committed",
        group_id=None,
    )
    parts = [
        TopicPartition(t, p)
        for t in (topics.enriched, topics.deadletter)
        for p in range(settings.partitions)
    ]
    consumer.assign(parts)
    consumer.seek_to_end(*parts)
    for tp in parts:
        consumer.position(tp)
    received: list[float] = []
    latencies: list[float] = []
    done = threading.Event()

    def consume() -> None:
        deadline = time.time() + 1800
        while len(received) < len(articles) and time.time() < deadline:
            for messages in consumer.poll(timeout_ms=200).values():
                now = time.time()
                for message in messages:
                    received.append(now)
                    produced = orjson.loads(message.value).get("timestamps", {}).get("produced")
                    if produced:
                        latencies.append(now - produced)
        done.set()

    # Consuming on a thread of its own lets a paced producer and the consumer overlap.
    reader = threading.Thread(target=consume, daemon=True)
    reader.start()
    producer = KafkaProducer(**producer_config(settings))
    limiter = RateLimiter(plan.rate)
    started = time.time()
    for article in articles:
        limiter.wait()
        value = encode_raw(article)
        producer.send(topics.raw, key=article["id"].encode(), value=value)
    producer.flush()
    producer.close()
    done.wait()
    consumer.close()
    if len(received) < len(articles):
        raise RuntimeError(f"only {len(received)}/{len(articles)} results arrived; see .kafka/logs")
    return RunResult(plan.name, len(articles), max(received) - started, latencies)


def _scrape(port: int, stop: threading.Event) -> None:
    while not stop.wait(1.0):
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=2000, help="articles per run (2000)")
    parser.add_argument("--corpus", type=Path, default=None, help="folder of articles")
    args = parser.parse_args()
    settings = Settings()
    corpus = args.corpus or SharedData(settings.shared_dir).bbc
    articles = load_articles(args.articles, corpus)
    print(f"{len(articles)} articles, broker {settings.bootstrap_servers}", file=sys.stderr)
    results = [run_in_process(articles)]
    print(f"in-process: {results[0].throughput:.1f} articles/s", file=sys.stderr)
    # Through Kafka dedup cannot be left out (the tag stage reads its topic); in-process it can.
    without_dedup = tuple(name for name in STAGE_NAMES if name != "dedup")
    dedup_off = run_in_process(articles, without_dedup, "in-process, no dedup")
    print(f"{dedup_off.name}: {dedup_off.throughput:.1f} articles/s", file=sys.stderr)
    paced = max(1.0, round(results[0].throughput * 0.5))
    plans = [
        KafkaRun("kafka, /metrics off", metrics=False),
        KafkaRun("kafka, /metrics on"),
        KafkaRun("kafka, 2 workers", workers=("normalise,dedup,tag", "stance")),
        KafkaRun(f"kafka, paced {paced:g}/s", rate=paced),
    ]
    for plan in plans:
        subset = articles if plan.rate is None else articles[: min(len(articles), 400)]
        results.append(run_kafka(subset, settings, plan))
        print(f"{plan.name}: {results[-1].throughput:.1f} articles/s", file=sys.stderr)
    results.insert(1, dedup_off)
    base = results[0].throughput
    print(
        f"\n{'run':<24}{'articles':>9}{'articles/s':>12}{'vs in-process':>15}"
        f"{'p50 s':>9}{'p95 s':>9}{'p99 s':>9}"
    )
    for r in results:
        ratio = r.throughput / base if base else float("nan")
        print(
            f"{r.name:<24}{r.articles:>9}{r.throughput:>12.1f}{ratio:>15.2f}"
            f"{r.percentile(0.5):>9.2f}{r.percentile(0.95):>9.2f}{r.percentile(0.99):>9.2f}"
        )
    off, on = results[2].throughput, results[3].throughput
    print(f"\n/metrics on vs off: {100 * (on - off) / off:+.1f}% throughput")
    print(
        "Latency of the unpaced runs is mostly queueing: all articles are sent at once. "
        "The paced run sends at half the in-process rate and shows per-article latency."
    )


if __name__ == "__main__":
    main()
