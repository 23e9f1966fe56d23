"""The one typed settings object. Environment variables are read here and nowhere else.

Every field is set by the environment variable named in its description (prefix
``NEWS_PIPELINE_``, except the Kafka bootstrap servers which use the conventional
``KAFKA_BOOTSTRAP_SERVERS``); CLI flags override them.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipeline.stages.registry import STAGE_NAMES, parse_stage_list


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWS_PIPELINE_", frozen=True, extra="forbid", validate_by_name=True
    )

    bootstrap_servers: str = Field(
        "127.0.0.1:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "NEWS_PIPELINE_BOOTSTRAP_SERVERS"),
        description="KAFKA_BOOTSTRAP_SERVERS: comma-separated host:port list of the Kafka cluster.",
    )
    app_id: str = Field(
        "news-pipeline",
        description="NEWS_PIPELINE_APP_ID: Faust app id, which is also the consumer group id.",
    )
    topic_prefix: str = Field(
        "",
        description="NEWS_PIPELINE_TOPIC_PREFIX: prepended to every topic name "
        "(isolates test runs).",
    )
    partitions: int = Field(
        6, ge=1, description="NEWS_PIPELINE_PARTITIONS: partitions of each pipeline topic."
    )
    replication_factor: int = Field(
        1, ge=1, description="NEWS_PIPELINE_REPLICATION_FACTOR: replicas of each pipeline topic."
    )
    stages: str = Field(
        ",".join(STAGE_NAMES),
        description="NEWS_PIPELINE_STAGES: comma-separated stages this worker runs "
        f"({', '.join(STAGE_NAMES)}).",
    )
    metrics_port: int = Field(
        9108, ge=0, description="NEWS_PIPELINE_METRICS_PORT: port of /metrics (0 disables it)."
    )
    metrics_host: str = Field(
        "0.0.0.0", description="NEWS_PIPELINE_METRICS_HOST: address /metrics listens on."
    )
    commit_interval_s: float = Field(
        0.5,
        gt=0,
        description="NEWS_PIPELINE_COMMIT_INTERVAL_S: how often offsets and transactions commit; "
        "under exactly_once each stage's output is visible downstream only after a commit.",
    )
    session_timeout_s: float = Field(
        30.0,
        gt=0,
        description="NEWS_PIPELINE_SESSION_TIMEOUT_S: a worker silent this long is presumed "
        "dead and its partitions go to the others.",
    )
    max_message_bytes: int = Field(
        2_000_000,
        ge=1024,
        description="NEWS_PIPELINE_MAX_MESSAGE_BYTES: larger raw messages are dead-lettered.",
    )
    exactly_once: bool = Field(
        True,
        description="NEWS_PIPELINE_EXACTLY_ONCE: use Faust's exactly_once processing guarantee.",
    )
    log_level: str = Field("INFO", description="NEWS_PIPELINE_LOG_LEVEL: DEBUG, INFO, WARNING...")
    data_dir: str = Field(
        ".faust", description="NEWS_PIPELINE_DATA_DIR: Faust's local state directory."
    )
    connect_timeout_s: float = Field(
        10.0,
        gt=0,
        description="NEWS_PIPELINE_CONNECT_TIMEOUT_S: give up reaching Kafka after this.",
    )

    heartbeat_timeout_s: float = Field(
        10.0,
        gt=0,
        description="NEWS_PIPELINE_HEARTBEAT_TIMEOUT_S: /healthz fails when the worker's event "
        "loop has not beaten (once a second) for this long.",
    )
    stall_timeout_s: float = Field(
        60.0,
        gt=0,
        description="NEWS_PIPELINE_STALL_TIMEOUT_S: a worker with messages waiting on its "
        "partitions that processed none for this long is stalled: /readyz fails.",
    )
    stall_exit_s: float = Field(
        300.0,
        ge=0,
        description="NEWS_PIPELINE_STALL_EXIT_S: a worker stalled this long exits non-zero so "
        "that its supervisor restarts it (0: never).",
    )
    broker_timeout_s: float = Field(
        120.0,
        ge=0,
        description="NEWS_PIPELINE_BROKER_TIMEOUT_S: a running worker that cannot reach Kafka "
        "for this long exits non-zero (0: never).",
    )
    shutdown_timeout_s: float = Field(
        30.0,
        gt=0,
        description="NEWS_PIPELINE_SHUTDOWN_TIMEOUT_S: a worker still stopping this long after "
        "SIGTERM or a crash is ended at once (exit code 1).",
    )

    shared_dir: Path = Field(
        Path(__file__).resolve().parents[2] / "shared",
        description="NEWS_PIPELINE_SHARED_DIR: the read-only shared/ data (corpora, benchmarks) "
        "used by training, evaluation and benchmarks; default: beside the checkout.",
        # Workers never read it, so deployments need not set it.
        json_schema_extra={"tools_only": True},
    )

    @cached_property
    def consumer_group(self) -> str:
        """The Faust app id (= consumer group and transactional-id prefix) of this worker.

        Workers running the same stages share a group and split its partitions. A worker that
        runs only some stages gets a group of its own (``news-pipeline-stance``), because Faust
        expects every member of a group to run the same agents: mixed members would be handed
        each other's partitions and fence each other's transactions.
        """
        stages = self.stage_list
        if set(stages) == set(STAGE_NAMES):
            return self.app_id
        return "-".join((self.app_id, *(s for s in STAGE_NAMES if s in stages)))

    @cached_property
    def stage_list(self) -> tuple[str, ...]:
        return parse_stage_list(self.stages)
