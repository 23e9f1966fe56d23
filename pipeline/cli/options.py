"""Options several commands share (``news-pipeline`` and the ``ingest`` command module), in a
module of their own so that a command defined outside ``pipeline.cli`` can use them without
importing the app that registers it."""

from __future__ import annotations

from typing import Annotated

import typer

Bootstrap = Annotated[
    str | None,
    typer.Option(
        "--bootstrap-servers",
        "-b",
        help="Kafka host:port list [env: KAFKA_BOOTSTRAP_SERVERS, default 127.0.0.1:9092]",
    ),
]
Prefix = Annotated[
    str | None,
    typer.Option(
        "--topic-prefix", help="Prefix for every topic name [env: NEWS_PIPELINE_TOPIC_PREFIX]"
    ),
]
ConnectTimeout = Annotated[
    float | None,
    typer.Option(help="Seconds to wait for the broker [env: NEWS_PIPELINE_CONNECT_TIMEOUT_S]"),
]
LogLevel = Annotated[str | None, typer.Option(help="[env: NEWS_PIPELINE_LOG_LEVEL]")]
