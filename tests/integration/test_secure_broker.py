"""The secured local broker (`deploy/kafka/broker.sh start --secure`): who may connect, and what
each principal may do once connected. Talks to it with kafka-python as a deployment's client would,
configured from the env files the script writes."""

from __future__ import annotations

import socket
import ssl
import time
import uuid
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import (
    GroupAuthorizationFailedError,
    KafkaTimeoutError,
    TopicAlreadyExistsError,
    TopicAuthorizationFailedError,
)

from tests.integration.conftest import SecureBroker

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TIMEOUT_MS = 10_000
# Long enough for a refused client to try several times, short enough to keep the module quick.
REFUSED_BOOTSTRAP_MS = 5_000
# The test prefix broker.sh grants the pipeline's principals (KAFKA_SECURE_TEST_PREFIX).
PREFIX = "secure-test-"
# ApiVersions v0, the first request every Kafka client sends: an answer means the broker let us in.
API_VERSIONS_REQUEST = bytes.fromhex("0000000a00120000000000010000")


def client_config(env: dict[str, str], **overrides: Any) -> dict[str, Any]:
    """kafka-python settings from one of the broker's env files, with bounded timeouts."""
    config: dict[str, Any] = {
        "bootstrap_servers": env["KAFKA_BOOTSTRAP_SERVERS"],
        "security_protocol": env["KAFKA_SECURITY_PROTOCOL"],
        "ssl_cafile": env["KAFKA_SSL_CAFILE"],
        "request_timeout_ms": TIMEOUT_MS,
        "bootstrap_timeout_ms": TIMEOUT_MS,
    }
    if env["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL":
        config |= {
            "sasl_mechanism": env["KAFKA_SASL_MECHANISM"],
            "sasl_plain_username": env["KAFKA_SASL_USERNAME"],
            "sasl_plain_password": Path(env["KAFKA_SASL_PASSWORD_FILE"]).read_text().strip(),
        }
    if "KAFKA_SSL_CERTFILE" in env:
        config |= {
            "ssl_certfile": env["KAFKA_SSL_CERTFILE"],
            "ssl_keyfile": env["KAFKA_SSL_KEYFILE"],
        }
    return config | overrides


def create_topic(config: dict[str, Any], name: str) -> None:
    with closing(KafkaAdminClient(**config)) as admin, suppress(TopicAlreadyExistsError):
        admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1)])


def produce(config: dict[str, Any], topic: str, value: bytes) -> None:
    producer = KafkaProducer(**config, max_block_ms=TIMEOUT_MS)
    try:
        producer.send(topic, value).get(timeout=TIMEOUT_MS / 1000)
    finally:
        producer.close(timeout=TIMEOUT_MS / 1000)


def consume_until(config: dict[str, Any], topic: str, group: str, value: bytes) -> None:
    """Reads ``topic`` in ``group`` from the start until ``value`` turns up, then commits."""
    consumer = KafkaConsumer(
        topic, group_id=group, auto_offset_reset="earliest", enable_auto_commit=False, **config
    )
    try:
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while time.monotonic() < deadline:
            batches = consumer.poll(timeout_ms=1000)
            if any(r.value == value for records in batches.values() for r in records):
                consumer.commit()
                return
        raise AssertionError(f"{value!r} not read from {topic} within {TIMEOUT_MS} ms")
    finally:
        consumer.close()


def round_trip(config: dict[str, Any]) -> None:
    topic = f"{PREFIX}{uuid.uuid4().hex[:12]}"
    value = uuid.uuid4().bytes
    create_topic(config, topic)
    produce(config, topic, value)
    consume_until(config, topic, f"{topic}-group", value)


def tls_exchange(
    port: int, cafile: str, certfile: str | None = None, keyfile: str | None = None
) -> bytes:
    """Opens TLS to the broker and sends ApiVersions; raises ssl.SSLError when refused."""
    context = ssl.create_default_context(cafile=cafile)
    if certfile:
        context.load_cert_chain(certfile, keyfile)
    with (
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_MS / 1000) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        # TLS 1.3 ends the client's handshake before the broker has checked its certificate; a
        # refusal arrives as an alert on the first read.
        tls.sendall(API_VERSIONS_REQUEST)
        return tls.recv(64)


def assert_bootstrap_refused(config: dict[str, Any]) -> None:
    # kafka-python 3.0 retries a refused connection until bootstrap_timeout_ms and reports only
    # that; why the broker refused it is read from the broker's log by the callers.
    with pytest.raises(KafkaTimeoutError, match="Unable to bootstrap"):
        KafkaProducer(**config | {"bootstrap_timeout_ms": REFUSED_BOOTSTRAP_MS})


def test_env_files_follow_the_contract(secure_broker: SecureBroker) -> None:
    for name, protocol in (("news-pipeline", "SASL_SSL"), ("reader", "SASL_SSL")):
        env = secure_broker.env(name)
        assert env["KAFKA_SECURITY_PROTOCOL"] == protocol
        assert env["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
        assert env["KAFKA_SASL_USERNAME"] == name
        password_file = Path(env["KAFKA_SASL_PASSWORD_FILE"])
        assert password_file.read_text().strip() == env["KAFKA_SASL_PASSWORD"]
        assert password_file.stat().st_mode & 0o077 == 0
    mtls = secure_broker.env("mtls")
    assert mtls["KAFKA_SECURITY_PROTOCOL"] == "SSL"
    assert "KAFKA_SASL_USERNAME" not in mtls
    for env in (secure_broker.env(n) for n in ("news-pipeline", "reader", "mtls")):
        host, _, port = env["KAFKA_BOOTSTRAP_SERVERS"].partition(":")
        assert host == "127.0.0.1" and port.isdigit()
        paths = [value for key, value in env.items() if key.endswith("FILE")]
        assert paths and all(Path(p).is_absolute() and Path(p).is_file() for p in paths)


def test_pipeline_over_sasl_ssl_works_under_its_prefixes_only(secure_broker: SecureBroker) -> None:
    config = client_config(secure_broker.env("news-pipeline"))
    round_trip(config)
    with pytest.raises(TopicAuthorizationFailedError):
        create_topic(config, f"elsewhere-{uuid.uuid4().hex[:12]}")


def test_mtls_principal_has_the_pipelines_rights(secure_broker: SecureBroker) -> None:
    config = client_config(secure_broker.env("mtls"))
    round_trip(config)
    with pytest.raises(TopicAuthorizationFailedError):
        create_topic(config, f"elsewhere-{uuid.uuid4().hex[:12]}")


def test_reader_reads_enriched_and_nothing_else(secure_broker: SecureBroker) -> None:
    pipeline = client_config(secure_broker.env("news-pipeline"))
    reader = client_config(secure_broker.env("reader"))
    for topic in ("news.raw", "news.enriched"):
        create_topic(pipeline, topic)
    value = uuid.uuid4().bytes
    produce(pipeline, "news.enriched", value)

    consume_until(reader, "news.enriched", f"reader-{uuid.uuid4().hex[:12]}", value)

    with pytest.raises(TopicAuthorizationFailedError):
        produce(reader, "news.raw", b"not allowed")
    consumer = KafkaConsumer(**reader)
    try:
        assert "news.raw" not in consumer.topics()
        with pytest.raises(TopicAuthorizationFailedError):
            consumer.end_offsets([TopicPartition("news.raw", 0)])
    finally:
        consumer.close()
    # Only groups named reader*: not, say, the pipeline's own.
    with pytest.raises(GroupAuthorizationFailedError):
        consume_until(reader, "news.enriched", f"news-pipeline-{uuid.uuid4().hex[:12]}", value)


def test_wrong_password_fails_authentication(secure_broker: SecureBroker) -> None:
    since = secure_broker.log_size()
    assert_bootstrap_refused(
        client_config(secure_broker.env("news-pipeline"), sasl_plain_password="not-the-password")
    )
    secure_broker.wait_for_log(
        since, "Failed authentication", "invalid credentials with SASL mechanism SCRAM-SHA-512"
    )


def test_client_that_does_not_trust_the_ca_fails_the_handshake(
    secure_broker: SecureBroker, rogue_ca: dict[str, str]
) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        tls_exchange(secure_broker.port("news-pipeline"), rogue_ca["ca.pem"])
    assert_bootstrap_refused(
        client_config(secure_broker.env("news-pipeline"), ssl_cafile=rogue_ca["ca.pem"])
    )


def test_mtls_refuses_a_certificate_from_another_ca_and_none(
    secure_broker: SecureBroker, rogue_ca: dict[str, str]
) -> None:
    mtls = secure_broker.env("mtls")
    port, cafile = secure_broker.port("mtls"), mtls["KAFKA_SSL_CAFILE"]
    assert tls_exchange(port, cafile, mtls["KAFKA_SSL_CERTFILE"], mtls["KAFKA_SSL_KEYFILE"])
    with pytest.raises(ssl.SSLError, match="CERTIFICATE_UNKNOWN|UNKNOWN_CA"):
        tls_exchange(port, cafile, rogue_ca["client.pem"], rogue_ca["client.key"])
    with pytest.raises(ssl.SSLError, match="BAD_CERTIFICATE|CERTIFICATE_REQUIRED"):
        tls_exchange(port, cafile)
    since = secure_broker.log_size()
    assert_bootstrap_refused(
        client_config(mtls, ssl_certfile=rogue_ca["client.pem"], ssl_keyfile=rogue_ca["client.key"])
    )
    secure_broker.wait_for_log(since, "Failed authentication", f"channelId=127.0.0.1:{port}-")


@pytest.mark.parametrize("client", ["news-pipeline", "mtls"])
def test_plaintext_client_is_refused_on_tls_ports(secure_broker: SecureBroker, client: str) -> None:
    port = secure_broker.port(client)
    since = secure_broker.log_size()
    assert_bootstrap_refused(
        {
            "bootstrap_servers": f"127.0.0.1:{port}",
            "security_protocol": "PLAINTEXT",
            "request_timeout_ms": TIMEOUT_MS,
        }
    )
    secure_broker.wait_for_log(since, f"channelId=127.0.0.1:{port}-", "SSL handshake failed")
