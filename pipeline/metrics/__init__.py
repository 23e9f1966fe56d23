"""Every Prometheus object the pipeline exports: per-stage counters and timings
(``worker``), what the enriched articles say (``content``), names (``names``). The consumer-lag
collector reads Kafka, so it lives in pipeline.kafka.lag, under the same prefix."""

from pipeline.metrics.content import ContentMetrics
from pipeline.metrics.health import HealthMetrics
from pipeline.metrics.names import PREFIX
from pipeline.metrics.worker import PipelineMetrics

__all__ = ["PREFIX", "ContentMetrics", "HealthMetrics", "PipelineMetrics"]
