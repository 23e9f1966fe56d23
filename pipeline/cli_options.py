"""Options several commands share (those in ``pipeline.cli.app`` and the ``ingest`` command), and
the settings and logging a command sets up from them.

Outside ``pipeline.cli`` so that a command defined in its own package (``pipeline.ingest.cli``)
uses them without importing the app that registers it: the app imports the command, never the
reverse.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated, Any

import typer

from pipeline.errors import ConfigurationError
from pipeline.settings import Settings

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


def settings_from(**overrides: Any) -> Settings:
    """Settings from the environment, with the CLI flags that were given on top.

    An invalid setting is one ``ConfigurationError`` line naming the variable: pydantic's own
    message would also print the values given, and some of them are secrets.
    """
    from pydantic import ValidationError

    try:
        return Settings.model_validate({k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigurationError(f"invalid settings: {problems}") from None


def setup_logging(level: str) -> None:
    """Log to stderr at `level` (a name: "INFO", "debug"), one line a record."""
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # kafka-python logs each failed connection attempt as an error; the errors that matter reach
    # us as exceptions and are reported once, in plain words. Its own log is for debugging.
    if level.upper() != "DEBUG":
        logging.getLogger("kafka").setLevel(logging.CRITICAL)
