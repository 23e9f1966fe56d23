"""``ingest --once`` as two separate processes into the real broker: news.raw holds each
article once, because the second process reads back the seen topic the first one wrote."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections import Counter

import orjson
import pytest
from kafka import KafkaConsumer, TopicPartition

from pipeline.ingest.broker import seen_topic
from pipeline.settings import Settings
from pipeline.sources import article_id
from pipeline.topics import Topics
from tests.ingest.conftest import MAX_BYTES, TIMEOUT_S, NewsSite

pytestmark = [pytest.mark.integration, pytest.mark.slow]

COMMAND = "import typer; from pipeline.ingest.cli import ingest; typer.run(ingest)"


def run_ingest_process(news_site: NewsSite, settings: Settings) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
        "NEWS_PIPELINE_TOPIC_PREFIX": settings.topic_prefix,
        "NEWS_PIPELINE_PARTITIONS": str(settings.partitions),
        "NEWS_PIPELINE_METRICS_PORT": "0",
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            COMMAND,
            str(news_site.sources_file),
            "--once",
            "--per-host-rate",
            "0",
            "--per-host-concurrency",
            "4",
            "--timeout",
            str(TIMEOUT_S),
            "--max-bytes",
            str(MAX_BYTES),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def read_all(settings: Settings, topic: str) -> list[tuple[bytes, bytes | None]]:
    consumer = KafkaConsumer(
        bootstrap_servers=settings.bootstrap_servers, group_id=None, enable_auto_commit=False
    )
    try:
        partitions = [
            TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        ends = consumer.end_offsets(partitions)
        messages = []
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            for batch in consumer.poll(timeout_ms=1000).values():
                messages += [(m.key, m.value) for m in batch]
        return messages
    finally:
        consumer.close()


def test_two_ingest_processes_produce_each_article_once(broker: str, news_site: NewsSite) -> None:
    run = uuid.uuid4().hex[:8]
    settings = Settings(
        bootstrap_servers=broker, topic_prefix=f"test-{run}.", app_id=f"test-{run}", partitions=3
    )
    first = run_ingest_process(news_site, settings)
    second = run_ingest_process(news_site, settings)
    assert f"produced {len(news_site.articles)} " in first.stderr, first.stderr
    assert "produced 0 " in second.stderr, second.stderr
    assert "read 0 seen entries" in first.stderr
    assert "read 0 seen entries" not in second.stderr

    raw = read_all(settings, Topics.from_settings(settings).raw)
    records = [orjson.loads(value) for _key, value in raw if value is not None]
    assert sorted(r["url"] for r in records) == sorted(news_site.url(p) for p in news_site.articles)
    assert Counter(key for key, _value in raw).most_common(1)[0][1] == 1
    assert all(
        key.decode() == article_id({"url": r["url"]})
        for (key, _v), r in zip(raw, records, strict=True)
    )
    seen_keys = {key.decode() for key, _value in read_all(settings, seen_topic(settings))}
    assert {news_site.url(p) for p in news_site.articles} - {
        news_site.url("/news/10.html")
    } <= seen_keys
    assert not any(p.startswith("/private/") for p in news_site.site.paths())
