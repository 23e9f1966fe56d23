"""Every Prometheus object of ``ingest``, built from a registry passed in (tests use a fresh one).

``kind`` is what was fetched (robots, listing: a feed or sitemap, article); ``outcome`` is ok,
not_modified, or the failure (http_404, http_5xx, timeout, too_large, too_many_redirects,
robots_disallowed, connection_error, decode_error). Per-source series are labelled by the
source's name from SOURCES.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

from pipeline.metrics.names import PREFIX

INGEST_PREFIX = f"{PREFIX}_ingest"
FETCH_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass(frozen=True)
class IngestMetrics:
    sources_polled: Counter
    pages_fetched: Counter
    fetch_retries: Counter
    fetched_bytes: Counter
    fetch_seconds: Histogram
    articles_produced: Counter
    articles_skipped: Counter
    charset_fallbacks: Counter
    last_success: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry = REGISTRY) -> IngestMetrics:
        return cls(
            sources_polled=Counter(
                f"{INGEST_PREFIX}_sources_polled",
                "Polls of a source, by outcome (ok, not_modified, failed).",
                ["source", "outcome"],
                registry=registry,
            ),
            pages_fetched=Counter(
                f"{INGEST_PREFIX}_pages_fetched",
                "HTTP fetches after retries and redirects, by what was fetched and the outcome.",
                ["kind", "outcome"],
                registry=registry,
            ),
            fetch_retries=Counter(
                f"{INGEST_PREFIX}_fetch_retries",
                "Requests repeated after a 5xx answer or a failed connection.",
                ["kind"],
                registry=registry,
            ),
            fetched_bytes=Counter(
                f"{INGEST_PREFIX}_fetched_bytes",
                "Body bytes received (after decompression).",
                ["kind"],
                registry=registry,
            ),
            fetch_seconds=Histogram(
                f"{INGEST_PREFIX}_fetch_seconds",
                "Time to fetch one URL, retries, redirects and politeness waits included.",
                ["kind"],
                buckets=FETCH_BUCKETS,
                registry=registry,
            ),
            articles_produced=Counter(
                f"{INGEST_PREFIX}_articles_produced",
                "Articles sent to news.raw: new ones, and updates of ones whose content changed.",
                ["source", "revision"],
                registry=registry,
            ),
            articles_skipped=Counter(
                f"{INGEST_PREFIX}_articles_skipped",
                "Discovered articles not sent (seen: already produced; unchanged: refetched "
                "because the listing said it changed, but the content had not; failed: fetch "
                "or decode failed).",
                ["source", "reason"],
                registry=registry,
            ),
            charset_fallbacks=Counter(
                f"{INGEST_PREFIX}_charset_fallbacks",
                "Pages whose declared charset did not decode them and were read another way.",
                registry=registry,
            ),
            last_success=Gauge(
                f"{INGEST_PREFIX}_last_success_timestamp_seconds",
                "Unix time of the last poll of a source that finished without failing.",
                ["source"],
                registry=registry,
            ),
        )
