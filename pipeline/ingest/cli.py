"""``news-pipeline ingest SOURCES``: the typer command, registered by ``pipeline.cli.app``.

Its shared options come from ``pipeline.cli_options``: nothing here imports ``pipeline.cli``, so
the app imports this module and not the reverse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli_options import (
    Bootstrap,
    ConnectTimeout,
    LogLevel,
    Prefix,
    settings_from,
    setup_logging,
)


def ingest(
    sources: Annotated[
        Path,
        typer.Argument(
            help="YAML or OPML file of feeds and sitemaps (see pipeline.ingest.config)",
            exists=True,
            dir_okay=False,
        ),
    ],
    once: Annotated[bool, typer.Option("--once", help="Poll every source once, then exit")] = False,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            help="Port of /metrics, 0 to disable [env: NEWS_PIPELINE_INGEST_METRICS_PORT, 9109]"
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Articles fetched at once over all hosts [env: NEWS_PIPELINE_INGEST_CONCURRENCY, "
            "16]",
        ),
    ] = None,
    per_host_concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Requests in flight to one host [env: NEWS_PIPELINE_INGEST_PER_HOST_CONCURRENCY, "
            "2]",
        ),
    ] = None,
    per_host_rate: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            help="Requests per second to one host, 0 for no limit (robots.txt Crawl-delay still "
            "applies) [env: NEWS_PIPELINE_INGEST_PER_HOST_RATE, 1.0]",
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            help="Seconds for one HTTP request, body included [env: "
            "NEWS_PIPELINE_INGEST_TIMEOUT_S, 20]",
        ),
    ] = None,
    max_bytes: Annotated[
        int | None,
        typer.Option(
            min=1024,
            help="Largest page or listing read, after decompression [env: "
            "NEWS_PIPELINE_INGEST_MAX_BYTES, 5000000]",
        ),
    ] = None,
    retries: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Retries after a 5xx answer or a failed connection [env: "
            "NEWS_PIPELINE_INGEST_RETRIES, 2]",
        ),
    ] = None,
    bootstrap_servers: Bootstrap = None,
    topic_prefix: Prefix = None,
    connect_timeout: ConnectTimeout = None,
    log_level: LogLevel = None,
) -> None:
    """Poll RSS/Atom feeds and news sitemaps politely; send new and changed articles to
    news.raw, until Ctrl-C or SIGTERM (or one round with --once)."""
    # Imported here so that registering the command costs nothing until it runs.
    from pipeline.ingest.fetch import FetchPolicy
    from pipeline.ingest.run import RunOptions
    from pipeline.ingest.service import serve

    settings = settings_from(
        bootstrap_servers=bootstrap_servers,
        topic_prefix=topic_prefix,
        connect_timeout_s=connect_timeout,
        ingest_metrics_port=metrics_port,
        ingest_concurrency=concurrency,
        ingest_per_host_concurrency=per_host_concurrency,
        ingest_per_host_rate=per_host_rate,
        ingest_timeout_s=timeout,
        ingest_max_bytes=max_bytes,
        ingest_retries=retries,
        log_level=log_level,
    )
    setup_logging(settings.log_level)
    policy = FetchPolicy(
        timeout_s=settings.ingest_timeout_s,
        max_bytes=settings.ingest_max_bytes,
        retries=settings.ingest_retries,
        per_host_concurrency=settings.ingest_per_host_concurrency,
        per_host_rate=settings.ingest_per_host_rate or None,
    )
    summary = serve(
        settings,
        sources,
        once=once,
        policy=policy,
        options=RunOptions(concurrency=settings.ingest_concurrency),
        metrics_port=settings.ingest_metrics_port,
    )
    typer.echo(summary.line(), err=True)
    if once and summary.sources_failed == summary.sources:
        raise typer.Exit(1)  # every source failed: nothing could have worked
