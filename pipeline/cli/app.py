"""The `news-pipeline` commands (typer): replay, ingest, worker, demo, tail, trends, enrich,
predict, eval.

Every option falls back to the environment variable documented in ``pipeline.settings``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline import __version__
from pipeline.cli_options import (
    Bootstrap,
    ConnectTimeout,
    LogLevel,
    Prefix,
    settings_from,
    setup_logging,
)
from pipeline.errors import PipelineError
from pipeline.evaluation import entities, extraction, stance, tag
from pipeline.ingest.cli import ingest
from pipeline.settings import Settings
from pipeline.stages.registry import WORKER_STAGE_NAMES
from pipeline.topics import READABLE_SHORT_NAMES

app = typer.Typer(
    name="news-pipeline",
    help="Streaming news ingest: replay raw articles into Kafka, run the enrichment workers, "
    "watch topics, and evaluate the stages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
predict_app = typer.Typer(
    help="Run one stage's model over a benchmark file format.", no_args_is_help=True
)
eval_app = typer.Typer(
    help="Score a stage against gold data and print a table.", no_args_is_help=True
)
app.add_typer(predict_app, name="predict")
app.add_typer(eval_app, name="eval")


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        # Eager, so that it answers before typer asks for a command.
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    pass


@app.command()
def replay(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders (.txt .html .json .jsonl)", exists=True)
    ],
    rate: Annotated[
        float | None, typer.Option(help="Articles per second (default: as fast as possible)")
    ] = None,
    loop: Annotated[
        int, typer.Option(min=1, help="Send everything this many times (new ids each loop)")
    ] = 1,
    progress: Annotated[bool, typer.Option(help="Show a progress bar")] = True,
    bootstrap_servers: Bootstrap = None,
    topic_prefix: Prefix = None,
    connect_timeout: ConnectTimeout = None,
) -> None:
    """Push raw articles onto news.raw, keyed by article id."""
    from pipeline.producer import replay as run_replay

    settings = settings_from(
        bootstrap_servers=bootstrap_servers,
        topic_prefix=topic_prefix,
        connect_timeout_s=connect_timeout,
    )
    setup_logging(settings.log_level)
    summary = run_replay(paths, settings, rate=rate, loop=loop, progress=progress)
    for error in summary.errors:
        typer.echo(f"error: {error}", err=True)
    typer.echo(summary.line(), err=True)
    if summary.sent == 0:
        raise typer.Exit(1)


@app.command()
def worker(
    stages: Annotated[
        str | None,
        typer.Option(
            help=f"Comma-separated stages to run (all by default): {','.join(WORKER_STAGE_NAMES)} "
            "[env: NEWS_PIPELINE_STAGES]"
        ),
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            help="Port of /metrics, 0 to disable [env: NEWS_PIPELINE_METRICS_PORT, default 9108]"
        ),
    ] = None,
    partitions: Annotated[
        int | None,
        typer.Option(help="Partitions per topic [env: NEWS_PIPELINE_PARTITIONS, default 6]"),
    ] = None,
    bootstrap_servers: Bootstrap = None,
    topic_prefix: Prefix = None,
    log_level: LogLevel = None,
) -> None:
    """Run the enrichment agents (all stages, or only --stages) until Ctrl-C or SIGTERM.

    Serves /metrics, /healthz and /readyz on --metrics-port; exits non-zero with a one-line
    reason when it crashes, loses the broker or stalls."""
    from pipeline.worker import run_worker

    settings = settings_from(
        stages=stages,
        metrics_port=metrics_port,
        partitions=partitions,
        bootstrap_servers=bootstrap_servers,
        topic_prefix=topic_prefix,
        log_level=log_level,
    )
    settings.stage_list  # noqa: B018 - validate before loading anything
    setup_logging(settings.log_level)
    # Non-zero when the worker crashed, lost the broker or stalled: its supervisor restarts it.
    raise typer.Exit(run_worker(settings))


@app.command()
def demo(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders to replay, as for replay (default: seeds/)"),
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(help="The worker's /metrics port [env: NEWS_PIPELINE_METRICS_PORT]"),
    ] = None,
    log_dir: Annotated[Path, typer.Option(help="Where the worker's log goes")] = Path(
        ".kafka/logs"
    ),
    bootstrap_servers: Bootstrap = None,
) -> None:
    """Start a worker, replay files through it, print every result, stop the worker."""
    from pipeline.demo import run_demo

    settings = settings_from(metrics_port=metrics_port, bootstrap_servers=bootstrap_servers)
    setup_logging(settings.log_level)
    run_demo(paths or [Path("seeds")], settings, log_dir)


@app.command()
def tail(
    topics: Annotated[
        list[str] | None,
        typer.Argument(
            help=f"Topics: {', '.join(READABLE_SHORT_NAMES)} or full names (default: enriched)"
        ),
    ] = None,
    from_beginning: Annotated[bool, typer.Option(help="Start at the oldest message")] = False,
    since: Annotated[
        float | None, typer.Option(help="Start at messages written at or after this Unix time")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Stop after this many messages")] = None,
    idle_timeout: Annotated[
        float | None, typer.Option(help="Stop after this many seconds without a message")
    ] = None,
    raw_json: Annotated[
        bool, typer.Option("--json", help="Print each record as one JSON line")
    ] = False,
    bootstrap_servers: Bootstrap = None,
    topic_prefix: Prefix = None,
) -> None:
    """Watch topics: one readable summary per message (or --json)."""
    from pipeline.tail import tail_topic

    settings = settings_from(bootstrap_servers=bootstrap_servers, topic_prefix=topic_prefix)
    setup_logging(settings.log_level)
    tail_topic(
        settings,
        topics or ["enriched"],
        from_beginning=from_beginning,
        since=since,
        limit=limit,
        idle_timeout=idle_timeout,
        as_json=raw_json,
    )


@app.command()
def trends(
    window: Annotated[
        str, typer.Option(help="The window: 1h, 1d or another of NEWS_PIPELINE_TREND_WINDOWS")
    ],
    since: Annotated[
        str | None,
        typer.Option(help="Only windows ending after this time (ISO 8601; UTC if no zone)"),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Only windows starting before this time (ISO 8601)")
    ] = None,
    entity_type: Annotated[
        str | None, typer.Option("--type", help="Only entities of this type: PER, ORG, LOC, MISC")
    ] = None,
    entity: Annotated[
        str | None,
        typer.Option(help="Only this entity: its name or key, whatever the case"),
    ] = None,
    top: Annotated[
        int | None,
        typer.Option(min=1, help="Only the N entities in most articles of each window"),
    ] = None,
    raw_json: Annotated[
        bool, typer.Option("--json", help="Print each row as one JSON line")
    ] = False,
    bootstrap_servers: Bootstrap = None,
    topic_prefix: Prefix = None,
    connect_timeout: ConnectTimeout = None,
) -> None:
    """Entity trends: per window, the articles and mentions of each entity and their stances.

    Reads news.trends to its end (committed rows only) and prints a table: oldest window
    first, within it the entities in most articles first (--json: one row per line)."""
    from pipeline.kafka.trends_reader import read_trend_rows
    from pipeline.trends_query import TrendQuery, json_line, select, table

    try:
        query = TrendQuery.parse(window, since, until, entity_type, entity, top)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    settings = settings_from(
        bootstrap_servers=bootstrap_servers,
        topic_prefix=topic_prefix,
        connect_timeout_s=connect_timeout,
    )
    setup_logging(settings.log_level)
    rows = select(read_trend_rows(settings, query.window), query)
    if raw_json:
        for row in rows:
            typer.echo(json_line(row))
    elif rows:
        typer.echo(table(rows))
    if not rows:
        typer.echo(f"no {query.window} trend rows match", err=True)


@app.command()
def enrich(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders, as for replay", exists=True)
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here, not stdout")
    ] = None,
    progress: Annotated[
        bool | None,
        typer.Option(help="Show a progress bar on stderr [default: when stderr is a terminal]"),
    ] = None,
) -> None:
    """Run the record stages in-process (no broker) and write one enriched JSON record per line."""
    from pipeline.enrich import enrich_paths

    setup_logging(Settings().log_level)
    show = sys.stderr.isatty() if progress is None else progress
    if output is None:
        summary = enrich_paths(paths, sys.stdout.buffer, progress=show)
    else:
        with output.open("wb") as out:
            summary = enrich_paths(paths, out, progress=show)
    typer.echo(summary.line(), err=True)
    if summary.failed:
        typer.echo(f"{summary.failed} record(s) could not be enriched (see errors above)", err=True)


app.command()(ingest)

for _task, _module in (
    ("extraction", extraction),
    ("tag", tag),
    ("stance", stance),
    ("entities", entities),
):
    predict_app.command(_task)(_module.predict_cli)
    eval_app.command(_task)(_module.eval_cli)
# The tag stage's evaluation was called `ner` before the stages had one name each; scripts that
# score `predict ner --conll` keep working.
predict_app.command("ner", hidden=True)(tag.predict_cli)
eval_app.command("ner", hidden=True)(tag.eval_cli)


def main() -> None:
    try:
        app()
    except PipelineError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
