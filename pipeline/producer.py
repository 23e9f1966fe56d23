"""``news-pipeline replay``: push raw articles from files onto ``news.raw`` with kafka-python."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError
from tqdm import tqdm

from pipeline.errors import BrokerUnavailable, InvalidRecord
from pipeline.kafka.admin import admin_client, ensure_topics, producer_config
from pipeline.records import encode_raw, validate_raw
from pipeline.settings import Settings
from pipeline.sources import SourceError, read_records
from pipeline.topics import Topics

log = logging.getLogger(__name__)


@dataclass
class ReplaySummary:
    sent: int = 0
    failed: int = 0
    bytes: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        return (
            f"sent {self.sent}, failed {self.failed}, {self.bytes / 1e6:.2f} MB "
            f"in {self.seconds:.1f}s ({self.rate:.0f} articles/s)"
        )


class RateLimiter:
    """Spaces calls to at most ``per_second`` on average (None: no limit)."""

    def __init__(self, per_second: float | None) -> None:
        self.interval = 1.0 / per_second if per_second else 0.0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if self.next_at > now:
            time.sleep(self.next_at - now)
        self.next_at = max(self.next_at, now) + self.interval


def connect(settings: Settings) -> KafkaProducer:
    # Probing with the admin client first gives one clear error (and creates the topics with
    # the configured partition count instead of the broker's auto-create default).
    admin = admin_client(settings)
    try:
        ensure_topics(settings, admin)
    finally:
        admin.close()
    try:
        return KafkaProducer(**producer_config(settings))
    except KafkaError as exc:
        raise BrokerUnavailable(
            f"cannot reach Kafka at {settings.bootstrap_servers}: {exc}"
        ) from None


def replay(
    paths: Iterable[Path],
    settings: Settings,
    *,
    rate: float | None = None,
    loop: int = 1,
    progress: bool = True,
    producer: KafkaProducer | None = None,
) -> ReplaySummary:
    """Send every record found under ``paths`` ``loop`` times; per-file errors are counted."""
    paths = list(paths)
    items = [item for item in read_records(paths)]
    records = [r for r in items if not isinstance(r, SourceError)]
    summary = ReplaySummary()
    for error in (i for i in items if isinstance(i, SourceError)):
        summary.failed += 1
        summary.errors.append(f"{error.origin}: {error.reason}")
        log.warning("skipped %s: %s", error.origin, error.reason)
    topic = Topics.from_settings(settings).raw
    own = producer is None
    kafka = producer or connect(settings)
    for record in records:
        _warn_if_invalid(record)
    limiter = RateLimiter(rate)
    started = time.monotonic()
    bar = tqdm(total=len(records) * loop, unit="art", disable=not progress, desc="replay")
    try:
        for record in _repeat(records, loop):
            limiter.wait()
            value = encode_raw(record)
            future = kafka.send(topic, key=record["id"].encode(), value=value)
            future.add_callback(_on_sent, summary, bar, len(value), record["id"])
            future.add_errback(_on_failed, summary, bar, record)
        kafka.flush(timeout=max(settings.connect_timeout_s * 3, 30))
    finally:
        summary.seconds = time.monotonic() - started
        bar.close()
        if own:
            kafka.close(timeout=5)
    return summary


def _warn_if_invalid(record: dict[str, Any]) -> None:
    # Sent all the same: the worker dead-letters it with its original bytes, so the record is
    # kept where every consumer of the pipeline looks for failures.
    try:
        validate_raw(record)
    except InvalidRecord as exc:
        log.warning("%s will be dead-lettered by the worker: %s", record.get("origin"), exc)


def _repeat(records: list[dict[str, Any]], loop: int) -> Iterator[dict[str, Any]]:
    for round_ in range(loop):
        for record in records:
            # Later loops need fresh ids, or the stream would hold duplicates of one article.
            yield record if round_ == 0 else {**record, "id": f"{record['id']}~{round_}"}


def _on_sent(summary: ReplaySummary, bar: tqdm, size: int, article_id: str, _meta: Any) -> None:
    summary.sent += 1
    summary.bytes += size
    summary.ids.append(article_id)
    bar.update(1)


def _on_failed(summary: ReplaySummary, bar: tqdm, record: dict[str, Any], exc: Exception) -> None:
    summary.failed += 1
    summary.errors.append(f"{record.get('origin')}: {type(exc).__name__}: {exc}")
    bar.update(1)
