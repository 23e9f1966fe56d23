"""The pipeline's own commands against the secured broker (`broker.sh start --secure`): the whole
chain over SASL_SSL, replay -> worker -> tail over mTLS, the read-only principal, and one clear
line for each way a connection is refused. No password may appear in anything they print."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from kafka import KafkaProducer

from pipeline.kafka.admin import ensure_topics, producer_config
from tests.conftest import REPO
from tests.integration.conftest import PipelineUnderTest, SecureBroker, key_counts
from tests.integration.test_pipeline import bbc_sample, expected_ids

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SEEDS = REPO / "seeds"
MakePipeline = Callable[..., PipelineUnderTest]


@dataclass
class Run:
    returncode: int
    output: str
    seconds: float

    def error_lines(self) -> list[str]:
        return [line for line in self.output.splitlines() if line.startswith("error:")]


def run_cli(pipeline: PipelineUnderTest, *args: str, timeout: float = 120, **env: str) -> Run:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        env={**pipeline.env(), "NEWS_PIPELINE_METRICS_PORT": "0", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    return Run(done.returncode, done.stdout, time.monotonic() - started)


def assert_no_secret(secret: str, *texts: str) -> None:
    assert secret and all(secret not in text for text in texts), "a password was printed"


def test_whole_pipeline_over_sasl_ssl(
    secure_pipeline: MakePipeline, secure_broker: SecureBroker, tmp_path: Path
) -> None:
    sample = bbc_sample(tmp_path, 100)
    if sample is None:
        pytest.skip("the shared BBC corpus is not here")
    pipeline = secure_pipeline("news-pipeline")
    front, back = pipeline.start_worker("normalise,dedup,tag"), pipeline.start_worker("stance")
    front.wait_ready()
    back.wait_ready()

    replay = run_cli(pipeline, "replay", str(SEEDS), str(sample), "--no-progress")
    assert replay.returncode == 0, replay.output
    expected = expected_ids(SEEDS, sample)
    results = pipeline.collect(sum(expected.values()), timeout=240)

    assert key_counts(results) == expected
    scrapes = [
        urllib.request.urlopen(f"http://127.0.0.1:{w.metrics_port}/metrics", timeout=10)
        .read()
        .decode()
        for w in (front, back)
    ]
    assert all("news_pipeline_messages_out_total" in text for text in scrapes)
    assert_no_secret(
        secure_broker.password("news-pipeline"),
        replay.output,
        front.log(10**8),
        back.log(10**8),
        *scrapes,
    )


def test_replay_worker_and_tail_over_mtls(secure_pipeline: MakePipeline) -> None:
    pipeline = secure_pipeline("mtls")
    worker = pipeline.start_worker()
    worker.wait_ready()

    replay = run_cli(pipeline, "replay", str(SEEDS), "--no-progress")
    assert replay.returncode == 0, replay.output
    expected = sum(expected_ids(SEEDS).values())
    tail = run_cli(
        pipeline,
        "tail", "enriched", "deadletter", "--from-beginning", "--json",
        "--limit", str(expected), "--idle-timeout", "90",
    )  # fmt: skip

    assert tail.returncode == 0, tail.output
    records = [orjson.loads(line) for line in tail.output.splitlines() if line.startswith("{")]
    assert len(records) == expected
    assert sum(1 for r in records if r.get("stance") is not None or "entities" in r) > 0


def test_reader_tails_enriched_but_may_not_touch_raw(
    secure_pipeline: MakePipeline, secure_broker: SecureBroker
) -> None:
    # The reader's grants are literal topic names: no prefix here.
    writer = secure_pipeline("news-pipeline", topic_prefix="")
    ensure_topics(writer.settings)
    marker = f"reader-check-{uuid.uuid4().hex}"
    since = time.time() - 1
    producer = KafkaProducer(**producer_config(writer.settings))
    try:
        value = orjson.dumps({"id": marker, "title": marker})
        producer.send(writer.topics.enriched, key=marker.encode(), value=value).get(30)
    finally:
        producer.close(5)
    reader = secure_pipeline("reader", topic_prefix="")

    tail = run_cli(
        reader, "tail", "enriched", "--since", str(since), "--json", "--limit", "1",
        "--idle-timeout", "30",
    )  # fmt: skip
    tail_raw = run_cli(reader, "tail", "raw", "--idle-timeout", "1")
    replay = run_cli(reader, "replay", str(SEEDS), "--no-progress")

    assert tail.returncode == 0 and marker in tail.output, tail.output
    for refused in (tail_raw, replay):
        assert refused.returncode == 1
        (line,) = refused.error_lines()
        assert line.startswith("error: not authorised for topic news.raw"), refused.output
        assert "Traceback" not in refused.output
    assert_no_secret(secure_broker.password("reader"), tail.output, tail_raw.output, replay.output)


COMMANDS = {
    "replay": ["replay", str(SEEDS), "--no-progress"],
    "tail": ["tail", "enriched", "--idle-timeout", "1"],
    "worker": ["worker"],
}


AUTHENTICATION = r"error: authentication failed: \S+ refused SASL user .*"
UNTRUSTED = r"error: TLS handshake failed: the certificate of \S+ is not trusted .*"
EXPECTS_TLS = r"error: TLS handshake failed: \S+ expects TLS but .*"
CLIENT_CERTIFICATE = r"error: TLS handshake failed: \S+ refused the client certificate .*"


# case: (principal, the one line expected)
REFUSALS = {
    "wrong password": ("news-pipeline", AUTHENTICATION),
    "unknown user": ("news-pipeline", AUTHENTICATION),
    "untrusted broker certificate": ("news-pipeline", UNTRUSTED),
    "plaintext client on the TLS port": ("news-pipeline", EXPECTS_TLS),
    "client certificate from another CA": ("mtls", CLIENT_CERTIFICATE),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_each_refusal_fails_fast_with_its_own_line(
    secure_pipeline: MakePipeline,
    secure_broker: SecureBroker,
    rogue_ca: dict[str, str],
    tmp_path: Path,
    case: str,
) -> None:
    principal, expected = REFUSALS[case]
    wrong = tmp_path / "wrong.password"
    wrong.write_text("not-the-password\n")
    overrides = {
        "wrong password": {"KAFKA_SASL_PASSWORD_FILE": str(wrong)},
        "unknown user": {"KAFKA_SASL_USERNAME": f"nobody-{uuid.uuid4().hex[:8]}"},
        "untrusted broker certificate": {"KAFKA_SSL_CAFILE": rogue_ca["ca.pem"]},
        "plaintext client on the TLS port": {"KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"},
        "client certificate from another CA": {
            "KAFKA_SSL_CERTFILE": rogue_ca["client.pem"],
            "KAFKA_SSL_KEYFILE": rogue_ca["client.key"],
        },
    }[case]
    pipeline = secure_pipeline(principal)
    timeout = pipeline.settings.connect_timeout_s
    for name, args in COMMANDS.items():
        run = run_cli(pipeline, *args, timeout=60, **overrides)
        assert run.returncode == 1, f"{name}: {run.output}"
        lines = run.error_lines()
        assert len(lines) == 1 and re.fullmatch(expected, lines[0]), f"{name}: {run.output}"
        assert "Traceback" not in run.output, f"{name}: {run.output}"
        # The connect timeout, plus the interpreter's start and the imports.
        assert run.seconds < timeout + 8, f"{name} took {run.seconds:.1f}s"
        if principal != "mtls":
            assert_no_secret(secure_broker.password(principal), run.output)
