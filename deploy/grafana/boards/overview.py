"""The overview board: health, throughput, errors, latency, Kafka and process of the workers."""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as dash

from .panels import Panel, base, graph, single_stat, variable, with_rows
from .queries import (
    STAGE,
    increase_over_range,
    per_partition,
    quantiles,
    query,
    rate,
    rate_by,
    series,
    sum_by,
)

CONSUMER_LAG = "news_pipeline_consumer_lag_messages"


def overview() -> dash.Dashboard:
    board = base(
        "news-pipeline-overview",
        "News pipeline: overview",
        "Throughput, errors, latency, consumer lag and health of the news-pipeline workers.",
    ).with_variable(
        variable(
            "stage",
            "Stage",
            'label_values(news_pipeline_messages_in_total{job=~"$job"}, stage)',
        )
    )
    return with_rows(
        board,
        {
            "Health": health(),
            "Throughput": throughput(),
            "Errors and dead letters": errors(),
            "Latency": latency(),
            "Kafka": kafka(),
            "Process": process(),
        },
    )


def health() -> list[Panel]:
    return [
        single_stat(
            "Workers up",
            "Workers Prometheus scraped successfully on its last attempt.",
            "short",
            query(f"sum({series('up')})", "up", instant=True),
        ),
        single_stat(
            "Broker reachable",
            "1 when every worker reached the Kafka broker on its last offset lookup.",
            "bool_yes_no",
            query(f"min({series('news_pipeline_broker_up')})", "broker", instant=True),
        ),
        single_stat(
            "Articles enriched",
            "Articles written to news.enriched in the selected time range.",
            "short",
            query(
                f"sum({increase_over_range('news_pipeline_articles_enriched_total')})",
                "enriched",
                instant=True,
            ),
        ),
        single_stat(
            "Dead letters",
            "Messages written to news.deadletter in the selected time range.",
            "short",
            query(
                f"sum({increase_over_range('news_pipeline_deadletter_messages_total', STAGE)})",
                "dead letters",
                instant=True,
            ),
        ),
        single_stat(
            "Total consumer lag",
            "Messages waiting on the pipeline's input topics, all partitions.",
            "short",
            query(f"sum({per_partition(series(CONSUMER_LAG))})", "lag", instant=True),
        ),
        single_stat(
            "Workers by version",
            "Running workers per build version.",
            "short",
            query(f"count by (version) ({series('news_pipeline_build_info')})", "{{version}}"),
        ),
        graph(
            "Worker up",
            "1 while Prometheus can scrape the worker's /metrics, 0 when it cannot.",
            "short",
            [query(series("up"), "{{instance}}")],
            width=24,
        ),
    ]


def throughput() -> list[Panel]:
    return [
        graph(
            "Messages in per stage",
            "Messages each stage consumed per second.",
            "ops",
            [rate_by("news_pipeline_messages_in_total", "stage", selector=STAGE)],
        ),
        graph(
            "Messages out per stage",
            "Messages each stage produced to its output topic per second; the gap to "
            "'in' is what it dead-lettered.",
            "ops",
            [
                rate_by("news_pipeline_messages_out_total", "stage", selector=STAGE),
                query(f"sum({rate('news_pipeline_articles_enriched_total')})", "enriched"),
            ],
        ),
        graph(
            "In flight per stage",
            "Messages a stage is processing right now.",
            "short",
            [query(sum_by(series("news_pipeline_in_flight", STAGE), "stage"), "{{stage}}")],
        ),
        graph(
            "Input topic write rate",
            "Messages per second arriving on each input topic (from its end offsets).",
            "ops",
            [
                query(
                    sum_by(per_partition(rate("news_pipeline_topic_end_offset")), "topic"),
                    "{{topic}}",
                )
            ],
        ),
    ]


def errors() -> list[Panel]:
    return [
        graph(
            "Failures by stage and error type",
            "Messages a stage could not process, per second.",
            "ops",
            [rate_by("news_pipeline_messages_failed_total", "stage", "error_type", selector=STAGE)],
            stacked=True,
        ),
        graph(
            "Dead letters by stage and error type",
            "Messages written to news.deadletter per second.",
            "ops",
            [
                rate_by(
                    "news_pipeline_deadletter_messages_total", "stage", "error_type", selector=STAGE
                )
            ],
            stacked=True,
        ),
        graph(
            "Failure ratio per stage",
            "Share of consumed messages a stage failed on.",
            "percentunit",
            [
                query(
                    sum_by(rate("news_pipeline_messages_failed_total", STAGE), "stage")
                    + " / "
                    + sum_by(rate("news_pipeline_messages_in_total", STAGE), "stage"),
                    "{{stage}}",
                )
            ],
            width=24,
        ),
    ]


def latency() -> list[Panel]:
    return [
        graph(
            "Stage processing time",
            "p50, p95 and p99 of the time one stage spends on one message.",
            "s",
            quantiles("news_pipeline_stage_processing_seconds_bucket", "stage", selector=STAGE),
        ),
        graph(
            "End-to-end latency",
            "p50, p95 and p99 of the time from the producer sending an article to it being "
            "enriched.",
            "s",
            quantiles("news_pipeline_end_to_end_latency_seconds_bucket"),
        ),
    ]


def kafka() -> list[Panel]:
    return [
        graph(
            "Consumer lag per topic",
            "Messages not yet committed by the pipeline's consumer group, per input topic.",
            "short",
            [query(sum_by(per_partition(series(CONSUMER_LAG)), "topic"), "{{topic}}")],
        ),
        graph(
            "Consumer lag per partition",
            "Uneven lag across partitions of one topic points at a slow or stuck consumer.",
            "short",
            [query(per_partition(series(CONSUMER_LAG)), "{{topic}}[{{partition}}]")],
        ),
        graph(
            "Broker reachability",
            "1 when the worker's last offset lookup reached the broker, with how long it took.",
            "short",
            [
                query(series("news_pipeline_broker_up"), "up {{instance}}"),
                query(series("news_pipeline_lag_refresh_seconds"), "lookup s {{instance}}"),
            ],
            width=24,
        ),
    ]


def process() -> list[Panel]:
    # Three narrow graphs, so one row shows a worker's CPU, memory and GC side by side.
    third_width = 8
    return [
        graph(title, description, unit, [target], width=third_width)
        for title, description, unit, target in (
            (
                "CPU",
                "CPU seconds per second used by each worker process.",
                "percentunit",
                query(rate("process_cpu_seconds_total"), "{{instance}}"),
            ),
            (
                "Resident memory",
                "Resident set size of each worker process.",
                "bytes",
                query(series("process_resident_memory_bytes"), "{{instance}}"),
            ),
            (
                "Garbage collections",
                "Python garbage collections per second, by generation.",
                "ops",
                query(
                    sum_by(rate("python_gc_collections_total"), "instance", "generation"),
                    "{{instance}} gen {{generation}}",
                ),
            ),
        )
    ]
