"""The ingest board: what ``news-pipeline ingest`` polls, fetches and produces."""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as dash

from .panels import Panel, base, graph, with_rows
from .queries import WORKER, quantiles, query, rate_by, series

PREFIX = "news_pipeline_ingest"


def ingest() -> dash.Dashboard:
    board = base(
        "news-pipeline-ingest",
        "News pipeline: ingest",
        "Feeds and sitemaps polled, pages fetched and articles produced by news-pipeline ingest.",
        inventory=f"{PREFIX}_sources_polled_total",
    )
    return with_rows(board, {"Sources": sources(), "Fetching": fetching()})


def sources() -> list[Panel]:
    return [
        graph(
            "Polls by source and outcome",
            "Polls of each feed or sitemap per second: ok, not_modified (an unchanged feed "
            "answered 304) or the failure.",
            "ops",
            [rate_by(f"{PREFIX}_sources_polled_total", "source", "outcome")],
        ),
        graph(
            "Seconds since the last good poll",
            "Per source; NewsPipelineIngestSourceFailing fires past an hour.",
            "s",
            [
                query(
                    "time() - max by (source) "
                    f"({series(f'{PREFIX}_last_success_timestamp_seconds', WORKER)})",
                    "{{source}}",
                )
            ],
        ),
        graph(
            "Articles produced",
            "Raw records sent to news.raw per second, by source and revision (0: first "
            "sighting, 1 and up: an update of a changed page).",
            "ops",
            [rate_by(f"{PREFIX}_articles_produced_total", "source", "revision")],
            stacked=True,
        ),
    ]


def fetching() -> list[Panel]:
    return [
        graph(
            "Pages fetched by outcome",
            "HTTP fetches per second by what was fetched (robots, listing, article) and outcome.",
            "ops",
            [rate_by(f"{PREFIX}_pages_fetched_total", "kind", "outcome")],
            stacked=True,
        ),
        graph(
            "Bytes fetched",
            "Response bytes per second, after decompression, by kind.",
            "Bps",
            [rate_by(f"{PREFIX}_fetched_bytes_total", "kind")],
            stacked=True,
        ),
        graph(
            "Fetch latency",
            "Seconds per HTTP fetch, retries included, by kind.",
            "s",
            quantiles(f"{PREFIX}_fetch_seconds_bucket", "kind"),
        ),
    ]
