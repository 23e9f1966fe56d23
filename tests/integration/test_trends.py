"""The trends on ``news.trends`` equal a recount of ``news.enriched``, through a worker killed
with SIGKILL mid-stream and restarted (issue #20's exactly-once promise for the aggregate)."""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaProducer

from pipeline.kafka.admin import producer_config
from pipeline.kafka.trends_reader import read_trend_rows
from pipeline.producer import RateLimiter
from pipeline.records import encode_raw
from pipeline.sources import SourceError, read_records
from pipeline.stages.registry import STAGE_NAMES, TRENDS_STAGE
from pipeline.stages.trends import contributions
from tests.integration.conftest import PipelineUnderTest, key_counts
from tests.integration.test_pipeline import bbc_sample

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.fault]

ALL_STAGES = ",".join((*STAGE_NAMES, TRENDS_STAGE))
Counts = dict[tuple[str, str], tuple[int, int, int, int, int]]


def dated_articles(sample: Path, hours: int = 6) -> list[dict]:
    """The sample as JSON records with ``published_at`` spread over ``hours`` hours of 2030."""
    records = [r for r in read_records([sample]) if not isinstance(r, SourceError)]
    start = datetime(2030, 1, 1, 3, tzinfo=UTC)
    step = timedelta(hours=hours) / len(records)
    return [
        {**r, "id": f"trend-{i}", "published_at": (start + i * step).isoformat()}
        for i, r in enumerate(records)
    ]


def recount(enriched: list[dict], pipeline: PipelineUnderTest) -> Counts:
    """The 1h rows a reader would compute from news.enriched alone."""
    windows = [w for w in pipeline.settings.trend_window_list if w.name == "1h"]
    totals: dict[tuple[str, str], Counter[str]] = {}
    for record in enriched:
        for c in contributions(record, windows):
            row = totals.setdefault((c.window_start, c.key), Counter())
            row.update(articles=1, mentions=c.mentions, **({c.stance: 1} if c.stance else {}))
    return {
        key: (row["articles"], row["mentions"], row["favor"], row["against"], row["neutral"])
        for key, row in totals.items()
    }


def trend_counts(pipeline: PipelineUnderTest) -> Counts:
    return {
        (row.window_start, row.key): (row.articles, row.mentions, *row.stance.values())
        for row in read_trend_rows(pipeline.settings, "1h")
    }


def test_trends_equal_a_recount_of_the_enriched_articles_after_a_sigkill(
    pipeline: PipelineUnderTest, tmp_path: Path
) -> None:
    sample = bbc_sample(tmp_path, 120)
    if sample is None:
        pytest.skip("needs ../shared/data/corpora/bbc")
    articles = dated_articles(sample)

    first = pipeline.start_worker(ALL_STAGES)
    first.wait_ready()
    # Sent at a steady pace on a thread of its own, so the worker dies with transactions open.
    producer = KafkaProducer(**producer_config(pipeline.settings))
    limiter = RateLimiter(10)

    def send() -> None:
        for article in articles:
            limiter.wait()
            producer.send(
                pipeline.topics.raw, key=article["id"].encode(), value=encode_raw(article)
            )
        producer.flush(60)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    seen = 0

    def note(total: int) -> None:
        nonlocal seen
        seen = total

    deadline = time.monotonic() + 120
    while seen < len(articles) // 4 and time.monotonic() < deadline:
        pipeline.collect(expected=len(articles) // 4, timeout=2, settle=0, progress=note)
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    assert seen < len(articles), "the worker finished before it could be killed mid-stream"

    second = pipeline.start_worker(ALL_STAGES)
    second.wait_ready(timeout=180)
    sender.join(120)
    producer.close(5)
    results = pipeline.collect(expected=len(articles), timeout=600)
    assert key_counts(results) == Counter(a["id"].encode() for a in articles)
    expected = recount([record for _, record in results[pipeline.topics.enriched]], pipeline)
    assert expected, "the articles named nobody: nothing to count"

    # Counts only grow, so a double count never comes back down and a lost one never catches
    # up: equal, and still equal a few seconds later, is exactly once.
    deadline = time.monotonic() + 180
    counted = trend_counts(pipeline)
    while counted != expected and time.monotonic() < deadline:
        time.sleep(2)
        counted = trend_counts(pipeline)
    time.sleep(5)
    counted = trend_counts(pipeline)
    missing = {k: v for k, v in expected.items() if counted.get(k) != v}
    extra = {k: v for k, v in counted.items() if k not in expected}
    assert not missing and not extra, (missing, extra, second.log())
