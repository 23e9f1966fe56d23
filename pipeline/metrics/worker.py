"""Every Prometheus object the pipeline exports, built in one place from a registry passed in.

Tests build a fresh ``CollectorRegistry`` so counts never leak between them; a worker uses the
process-wide default registry (which also carries the process and GC collectors).
Names: one ``news_pipeline_`` prefix, base units (seconds, bytes), ``_total`` on counters.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, Info

from pipeline import __version__
from pipeline.metrics.content import ContentMetrics
from pipeline.metrics.health import HealthMetrics
from pipeline.metrics.names import PREFIX

# Stage work is milliseconds to a second; end-to-end latency spans queueing, so reaches further.
STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


@dataclass(frozen=True)
class PipelineMetrics:
    messages_in: Counter
    messages_out: Counter
    messages_failed: Counter
    processing_seconds: Histogram
    in_flight: Gauge
    end_to_end_latency_seconds: Histogram
    commit_wait_seconds: Histogram
    trends_late: Counter
    trends_skipped: Counter
    articles_enriched: Counter
    deadlettered: Counter
    build_info: Info
    # What the enriched articles say; the stance agent calls content.observe(article).
    content: ContentMetrics
    # Liveness, readiness and stalls, set every second by pipeline.health's watchdog.
    health: HealthMetrics

    @classmethod
    def create(cls, registry: CollectorRegistry = REGISTRY) -> PipelineMetrics:
        metrics = cls(
            messages_in=Counter(
                f"{PREFIX}_messages_in", "Messages a stage consumed.", ["stage"], registry=registry
            ),
            messages_out=Counter(
                f"{PREFIX}_messages_out",
                "Messages a stage produced to its output topic.",
                ["stage"],
                registry=registry,
            ),
            messages_failed=Counter(
                f"{PREFIX}_messages_failed",
                "Messages a stage could not process, by error type.",
                ["stage", "error_type"],
                registry=registry,
            ),
            processing_seconds=Histogram(
                f"{PREFIX}_stage_processing_seconds",
                "Time a stage spent on one message (decode, stage function, encode).",
                ["stage"],
                buckets=STAGE_BUCKETS,
                registry=registry,
            ),
            in_flight=Gauge(
                f"{PREFIX}_in_flight",
                "Messages a stage is processing right now.",
                ["stage"],
                registry=registry,
            ),
            end_to_end_latency_seconds=Histogram(
                f"{PREFIX}_end_to_end_latency_seconds",
                "Seconds from the producer sending an article to it being enriched.",
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
            commit_wait_seconds=Histogram(
                f"{PREFIX}_commit_wait_seconds",
                "Seconds from a stage sending an output to the commit that makes it visible "
                "downstream (exactly_once: its transaction; at_least_once: the offset commit).",
                ["stage"],
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
            trends_late=Counter(
                f"{PREFIX}_trends_late_contributions",
                "Entity contributions to a trend window already past its retention: left out "
                "of news.trends (never out of news.enriched).",
                ["window"],
                registry=registry,
            ),
            trends_skipped=Counter(
                f"{PREFIX}_trends_skipped_records",
                "Records on news.enriched the trends stage could not read.",
                registry=registry,
            ),
            articles_enriched=Counter(
                f"{PREFIX}_articles_enriched",
                "Articles written to the output topic.",
                registry=registry,
            ),
            deadlettered=Counter(
                f"{PREFIX}_deadletter_messages",
                "Messages written to the dead-letter topic, by stage and error type.",
                ["stage", "error_type"],
                registry=registry,
            ),
            build_info=Info(f"{PREFIX}_build", "Version of the running worker.", registry=registry),
            content=ContentMetrics.create(registry),
            health=HealthMetrics.create(registry),
        )
        metrics.build_info.info({"version": __version__, "python": platform.python_version()})
        return metrics
