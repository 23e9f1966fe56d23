"""The one typed settings object. Environment variables are read here and nowhere else.

Every field is set by the environment variable named in its description (prefix
``NEWS_PIPELINE_``, except the Kafka connection settings, which use the conventional
``KAFKA_BOOTSTRAP_SERVERS``, ``KAFKA_SECURITY_PROTOCOL``, ``KAFKA_SASL_*`` and ``KAFKA_SSL_*``
names); CLI flags override them.

Secrets (the SASL password, the private key's password) are ``SecretStr``: their repr, the
validation errors and the logs show ``**********``. Each can also be read from a file named by
``<VARIABLE>_FILE`` (a Docker or Kubernetes secret mount), which wins when both are set; the file
is read when a client is built, so a rotated secret is picked up by the next connection, and it
is never stored in the settings.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipeline.stages.registry import (
    TRENDS_STAGE,
    WORKER_STAGE_NAMES,
    parse_stage_list,
)
from pipeline.stages.trends import (
    DEFAULT_RETENTION_DAYS,
    DEFAULT_WINDOWS,
    Window,
    parse_retention,
    parse_windows,
    windows_from,
)

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


def _kafka(name: str) -> AliasChoices:
    """The conventional ``KAFKA_*`` variable first, the project's prefixed one as a fallback."""
    return AliasChoices(f"KAFKA_{name}", f"NEWS_PIPELINE_{name}")


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
        ",".join(WORKER_STAGE_NAMES),
        description="NEWS_PIPELINE_STAGES: comma-separated stages this worker runs "
        f"({', '.join(WORKER_STAGE_NAMES)}: all by default; {TRENDS_STAGE} aggregates "
        "news.enriched).",
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
        description="NEWS_PIPELINE_COMMIT_INTERVAL_S: the longest a processed message waits for "
        "its offset and transaction commit; a partition commits sooner, as soon as everything "
        "read from it is processed. Under exactly_once an output is visible downstream only "
        "after its commit.",
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
    security_protocol: SecurityProtocol = Field(
        "PLAINTEXT",
        validation_alias=_kafka("SECURITY_PROTOCOL"),
        description="KAFKA_SECURITY_PROTOCOL: PLAINTEXT, SSL (TLS, optionally with a client "
        "certificate), SASL_PLAINTEXT or SASL_SSL.",
    )
    sasl_mechanism: SaslMechanism = Field(
        "SCRAM-SHA-512",
        validation_alias=_kafka("SASL_MECHANISM"),
        description="KAFKA_SASL_MECHANISM: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (SASL_* only).",
    )
    sasl_username: str | None = Field(
        None,
        validation_alias=_kafka("SASL_USERNAME"),
        description="KAFKA_SASL_USERNAME: the SASL user (SASL_* only).",
    )
    sasl_password: SecretStr | None = Field(
        None,
        validation_alias=_kafka("SASL_PASSWORD"),
        description="KAFKA_SASL_PASSWORD: the SASL password; prefer KAFKA_SASL_PASSWORD_FILE.",
        json_schema_extra={"secret": True},
    )
    sasl_password_file: Path | None = Field(
        None,
        validation_alias=_kafka("SASL_PASSWORD_FILE"),
        description="KAFKA_SASL_PASSWORD_FILE: file holding the SASL password (a mounted secret).",
    )
    ssl_cafile: Path | None = Field(
        None,
        validation_alias=_kafka("SSL_CAFILE"),
        description="KAFKA_SSL_CAFILE: PEM file of the CA(s) that signed the brokers' "
        "certificates (default: the system's trust store).",
    )
    ssl_certfile: Path | None = Field(
        None,
        validation_alias=_kafka("SSL_CERTFILE"),
        description="KAFKA_SSL_CERTFILE: PEM client certificate, for brokers that require one "
        "(mTLS).",
    )
    ssl_keyfile: Path | None = Field(
        None,
        validation_alias=_kafka("SSL_KEYFILE"),
        description="KAFKA_SSL_KEYFILE: PEM private key of the client certificate.",
    )
    ssl_key_password: SecretStr | None = Field(
        None,
        validation_alias=_kafka("SSL_KEY_PASSWORD"),
        description="KAFKA_SSL_KEY_PASSWORD: password of an encrypted private key; prefer "
        "KAFKA_SSL_KEY_PASSWORD_FILE.",
        json_schema_extra={"secret": True},
    )
    ssl_key_password_file: Path | None = Field(
        None,
        validation_alias=_kafka("SSL_KEY_PASSWORD_FILE"),
        description="KAFKA_SSL_KEY_PASSWORD_FILE: file holding the private key's password.",
    )
    ssl_check_hostname: bool = Field(
        True,
        validation_alias=_kafka("SSL_CHECK_HOSTNAME"),
        description="KAFKA_SSL_CHECK_HOSTNAME: check that each broker's certificate names the "
        "host connected to; turn off only for testing.",
    )

    dedup_window: int = Field(
        20_000,
        ge=1,
        description="NEWS_PIPELINE_DEDUP_WINDOW: how many recent articles the dedup stage "
        "compares a new one with (about 1.5 KB of memory each).",
    )
    dedup_near_threshold: float = Field(
        0.5,
        gt=0,
        le=1,
        description="NEWS_PIPELINE_DEDUP_NEAR_THRESHOLD: estimated word-shingle Jaccard "
        "similarity at or above which an article is a near copy of an earlier one.",
    )

    trend_windows: str = Field(
        DEFAULT_WINDOWS,
        description="NEWS_PIPELINE_TREND_WINDOWS: comma-separated tumbling windows the entity "
        "trends are counted in: a number and m, h or d (15m, 1h, 6h, 1d); windows under a day "
        "must divide it. Windows start at UTC midnight and every window length after it.",
    )
    trend_retention_days: str = Field(
        DEFAULT_RETENTION_DAYS,
        description="NEWS_PIPELINE_TREND_RETENTION_DAYS: days each window's counts are kept "
        "after the window ends, as window=days pairs (1h=2,1d=30); a window not listed keeps 2 "
        "days if shorter than a day, else 30. An article older than that is counted as late.",
    )

    # `news-pipeline ingest` only: workers never read these.
    ingest_metrics_port: int = Field(
        9109,
        ge=0,
        description="NEWS_PIPELINE_INGEST_METRICS_PORT: /metrics port of `ingest` (0 disables "
        "it); not the workers' port, so both can run on one host.",
        json_schema_extra={"tools_only": True},
    )
    ingest_concurrency: int = Field(
        16,
        ge=1,
        description="NEWS_PIPELINE_INGEST_CONCURRENCY: articles `ingest` fetches at "
        "once over all hosts.",
        json_schema_extra={"tools_only": True},
    )
    ingest_per_host_concurrency: int = Field(
        2,
        ge=1,
        description="NEWS_PIPELINE_INGEST_PER_HOST_CONCURRENCY: requests in flight to one host.",
        json_schema_extra={"tools_only": True},
    )
    ingest_per_host_rate: float = Field(
        1.0,
        ge=0,
        description="NEWS_PIPELINE_INGEST_PER_HOST_RATE: requests per second to one "
        "host, 0 for no limit (robots.txt Crawl-delay still applies).",
        json_schema_extra={"tools_only": True},
    )
    ingest_timeout_s: float = Field(
        20.0,
        gt=0,
        description="NEWS_PIPELINE_INGEST_TIMEOUT_S: seconds for one HTTP request, body included.",
        json_schema_extra={"tools_only": True},
    )
    ingest_max_bytes: int = Field(
        5_000_000,
        ge=1024,
        description="NEWS_PIPELINE_INGEST_MAX_BYTES: largest page or "
        "listing read, after decompression.",
        json_schema_extra={"tools_only": True},
    )
    ingest_retries: int = Field(
        2,
        ge=0,
        description="NEWS_PIPELINE_INGEST_RETRIES: retries after a 5xx answer or a "
        "failed connection, with backoff.",
        json_schema_extra={"tools_only": True},
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

    @field_validator(
        "sasl_username",
        "sasl_password",
        "sasl_password_file",
        "ssl_cafile",
        "ssl_certfile",
        "ssl_keyfile",
        "ssl_key_password",
        "ssl_key_password_file",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # Compose and ConfigMaps list every variable; an empty one means "not used here".
        return None if value == "" else value

    @field_validator("trend_windows")
    @classmethod
    def _check_trend_windows(cls, value: str) -> str:
        parse_windows(value)
        return value

    @field_validator("trend_retention_days")
    @classmethod
    def _check_trend_retention(cls, value: str) -> str:
        parse_retention(value)
        return value

    @model_validator(mode="after")
    def _check_security(self) -> Settings:
        # Messages name the variables, never their values.
        if self.security_protocol.startswith("SASL_"):
            if not self.sasl_username:
                raise ValueError(f"KAFKA_SASL_USERNAME is required with {self.security_protocol}")
            if self.sasl_password is None and self.sasl_password_file is None:
                raise ValueError(
                    f"KAFKA_SASL_PASSWORD_FILE (or KAFKA_SASL_PASSWORD) is required with "
                    f"{self.security_protocol}"
                )
        if (self.ssl_certfile is None) != (self.ssl_keyfile is None):
            raise ValueError("set KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE together")
        return self

    def sasl_password_value(self) -> SecretStr | None:
        """The SASL password, from KAFKA_SASL_PASSWORD or read now from its _FILE."""
        return _secret(self.sasl_password, self.sasl_password_file, "KAFKA_SASL_PASSWORD_FILE")

    def ssl_key_password_value(self) -> SecretStr | None:
        return _secret(
            self.ssl_key_password, self.ssl_key_password_file, "KAFKA_SSL_KEY_PASSWORD_FILE"
        )

    @cached_property
    def consumer_group(self) -> str:
        """The Faust app id (= consumer group and transactional-id prefix) of this worker.

        Workers running the same stages share a group and split its partitions. A worker that
        runs only some stages gets a group of its own (``news-pipeline-stance``; the record stages
        without trends: ``news-pipeline-normalise-dedup-tag-stance``), because Faust
        expects every member of a group to run the same agents: mixed members would be handed
        each other's partitions and fence each other's transactions.
        """
        stages = self.stage_list
        if set(stages) == set(WORKER_STAGE_NAMES):
            return self.app_id
        return "-".join((self.app_id, *(s for s in WORKER_STAGE_NAMES if s in stages)))

    @cached_property
    def stage_list(self) -> tuple[str, ...]:
        return parse_stage_list(self.stages)

    @cached_property
    def trend_window_list(self) -> tuple[Window, ...]:
        """The trend windows, each with its retention."""
        return windows_from(self.trend_windows, self.trend_retention_days)


def _secret(value: SecretStr | None, path: Path | None, variable: str) -> SecretStr | None:
    if path is None:
        return value
    try:
        # One trailing newline is what `echo` and most secret tools add; it is not the password.
        secret = path.read_text("utf-8").removesuffix("\n")
    except OSError as exc:
        raise ValueError(f"{variable}: cannot read {path}: {exc.strerror}") from None
    # An empty file is an unset secret: compose mounts one when the password is not given.
    return SecretStr(secret) if secret else value
