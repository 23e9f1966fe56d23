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
  without a backlog; once with the trends stage beside the record stages (what
  `news-pipeline worker` runs by default), once without (the latency breakdown is this one's).
Each Kafka run uses a fresh topic prefix and consumer group; throughput is articles divided by
the time from the first send to the last result, read with read_committed.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import random
import sys
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from pipeline.bench.stages import load_trends
from pipeline.chain import Chain
from pipeline.kafka.admin import ensure_topics, producer_config
from pipeline.kafka.security import kafka_python_config
from pipeline.metrics.names import PREFIX
from pipeline.producer import RateLimiter
from pipeline.records import encode_raw
from pipeline.settings import Settings
from pipeline.shared_data import SharedData
from pipeline.sources import SourceError, read_records
from pipeline.stages.registry import STAGE_NAMES, WORKER_STAGE_NAMES, stage
from pipeline.stages.trends import TrendsState, windows_from
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
    # Per result read: its stage timestamps, with "read" (when the reader got it) added.
    stamps: list[dict[str, float]] = field(default_factory=list)
    # The workers' /metrics at the end of the run (runs with /metrics on), summed over workers.
    worker_metrics: dict[tuple[str, str], float] = field(default_factory=dict)
    # The enriched records of an in-process run.
    enriched: list[dict[str, Any]] = field(default_factory=list, repr=False)

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
    enriched = []
    for article in articles:
        # The Kafka path dead-letters what fails; here it only takes its time, alike.
        with contextlib.suppress(Exception):
            enriched.append(chain.enrich({**article, "produced_at": time.time()}))
    return RunResult(name, len(articles), time.perf_counter() - started, [], enriched=enriched)


def trends_rate(enriched: list[dict[str, Any]]) -> float:
    """Articles/s of the trends stage's own work (counting, as `make bench-stages` times it)
    on the enriched articles of a run."""
    count = load_trends(TrendsState(windows_from()))
    started = time.perf_counter()
    for record in enriched:
        count(record)
    elapsed = time.perf_counter() - started
    return len(enriched) / elapsed if elapsed else float("inf")


# The record stages and trends: what `news-pipeline worker` runs by default.
ALL_STAGES = ",".join(WORKER_STAGE_NAMES)


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
        result = _measure(articles, settings, topics, plan)
        if plan.metrics:
            result.worker_metrics = _stage_sums(ports)
        return result
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
    stamps: list[dict[str, float]] = []
    done = threading.Event()

    def consume() -> None:
        deadline = time.time() + 1800
        while len(received) < len(articles) and time.time() < deadline:
            for messages in consumer.poll(timeout_ms=200).values():
                now = time.time()
                for message in messages:
                    received.append(now)
                    timestamps = orjson.loads(message.value).get("timestamps") or {}
                    produced = timestamps.get("produced")
                    if produced:
                        latencies.append(now - produced)
                        stamps.append({**timestamps, "read": now})
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
    return RunResult(plan.name, len(articles), max(received) - started, latencies, stamps)


def _scrape(port: int, stop: threading.Event) -> None:
    while not stop.wait(1.0):
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()


# The worker series the latency breakdown reads, by stage: (sum, count) of each histogram.
BREAKDOWN_SERIES = ("stage_processing_seconds", "commit_wait_seconds")


def _stage_sums(ports: list[int]) -> dict[tuple[str, str], float]:
    """``{(series_sum|series_count, stage): value}`` summed over the workers' /metrics."""
    sums: dict[tuple[str, str], float] = {}
    for port in ports:
        with contextlib.suppress(OSError):
            text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()
            for family in text_string_to_metric_families(text.decode()):
                for sample in family.samples:
                    name = sample.name.removeprefix(f"{PREFIX}_")
                    if name.removesuffix("_sum").removesuffix("_count") in BREAKDOWN_SERIES:
                        key = (name, sample.labels.get("stage", ""))
                        sums[key] = sums.get(key, 0.0) + sample.value
    return sums


def latency_breakdown(result: RunResult) -> list[tuple[str, float, float, float, float]]:
    """Where an article's time goes, hop by hop: ``(hop, total, commit wait, processing,
    broker)`` in mean seconds. A hop runs from one stage's output being sent (its timestamp)
    to the next one's: waiting for the commit that makes the output visible (the sending
    stage's commit-wait histogram), processing in the next stage (its processing histogram),
    and the rest: the broker, fetching and queueing. The last hop ends at the reader."""
    metrics = result.worker_metrics

    def mean(series: str, stage_name: str) -> float:
        count = metrics.get((f"{series}_count", stage_name), 0.0)
        return metrics.get((f"{series}_sum", stage_name), 0.0) / count if count else 0.0

    points = [("producer", "produced")]
    points += [(name, stage(name).stamp) for name in STAGE_NAMES]
    points.append(("reader", "read"))
    rows = []
    for (before, start), (after, end) in itertools.pairwise(points):
        spans = [s[end] - s[start] for s in result.stamps if start in s and end in s]
        if not spans:
            continue
        total = sum(spans) / len(spans)
        commit = mean("commit_wait_seconds", before)
        processing = mean("stage_processing_seconds", after)
        rows.append(
            (f"{before} -> {after}", total, commit, processing, total - commit - processing)
        )
    return rows


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
        KafkaRun(f"kafka, paced {paced:g}/s, +trends", rate=paced, workers=(ALL_STAGES,)),
        KafkaRun(f"kafka, paced {paced:g}/s", rate=paced),
    ]
    for plan in plans:
        subset = articles if plan.rate is None else articles[: min(len(articles), 400)]
        results.append(run_kafka(subset, settings, plan))
        print(f"{plan.name}: {results[-1].throughput:.1f} articles/s", file=sys.stderr)
    results.insert(1, dedup_off)
    base = results[0].throughput
    print(
        f"\n{'run':<28}{'articles':>9}{'articles/s':>12}{'vs in-process':>15}"
        f"{'p50 s':>9}{'p95 s':>9}{'p99 s':>9}"
    )
    for r in results:
        ratio = r.throughput / base if base else float("nan")
        print(
            f"{r.name:<28}{r.articles:>9}{r.throughput:>12.1f}{ratio:>15.2f}"
            f"{r.percentile(0.5):>9.2f}{r.percentile(0.95):>9.2f}{r.percentile(0.99):>9.2f}"
        )
    paced_run = results[-1]
    print(f"\nWhere the paced run's latency goes (mean seconds per article, {paced_run.name}):")
    print(f"{'hop':<24}{'total':>9}{'commit wait':>13}{'processing':>12}{'broker':>9}")
    for hop, total, commit, processing, broker in latency_breakdown(paced_run):
        print(f"{hop:<24}{total:>9.3f}{commit:>13.3f}{processing:>12.3f}{broker:>9.3f}")
    off, on = results[2].throughput, results[3].throughput
    print(f"\n/metrics on vs off: {100 * (on - off) / off:+.1f}% throughput")
    print(
        f"trends stage, one core: {trends_rate(results[0].enriched):.0f} articles/s counting "
        "(its Kafka hops are in the +trends paced run)"
    )
    print(
        "Latency of the unpaced runs is mostly queueing: all articles are sent at once. "
        "The paced run sends at half the in-process rate and shows per-article latency."
    )


if __name__ == "__main__":
    main()
