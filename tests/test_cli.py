from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import orjson
from typer.testing import CliRunner

from pipeline import __version__
from pipeline.cli.app import app
from tests.conftest import REPO, free_port

CLI = [sys.executable, "-m", "pipeline"]


def test_help_lists_the_commands() -> None:
    out = subprocess.run([*CLI, "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("replay", "worker", "tail", "trends", "enrich", "predict", "eval"):
        assert command in out


def test_replay_against_a_stopped_broker_fails_fast_with_a_clear_message() -> None:
    port = free_port()  # nothing listens here
    started = time.monotonic()
    result = subprocess.run(
        [
            *CLI,
            "replay",
            str(REPO / "seeds"),
            "--bootstrap-servers",
            f"127.0.0.1:{port}",
            "--connect-timeout",
            "3",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"cannot reach Kafka at 127.0.0.1:{port}" in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr  # one line, no traceback
    assert time.monotonic() - started < 30


def test_worker_rejects_an_unknown_stage() -> None:
    result = subprocess.run(
        [*CLI, "worker", "--stages", "normalise,translate"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "unknown stage" in result.stderr


def test_enrich_runs_in_process(tmp_path: Path) -> None:
    article = tmp_path / "a.json"
    article.write_text('{"id": "a", "body": "The council met in Leeds on Monday."}', "utf-8")
    result = subprocess.run([*CLI, "enrich", str(article)], capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert b'"id":"a"' in result.stdout


def test_enrich_writes_to_a_file_and_counts_what_failed(tmp_path: Path) -> None:
    (tmp_path / "good.json").write_text('{"id": "g", "body": "Leeds won."}', "utf-8")
    (tmp_path / "bad.json").write_text('{"id": "b", "body": 7}', "utf-8")
    out = tmp_path / "out.jsonl"
    result = subprocess.run(
        [*CLI, "enrich", str(tmp_path / "good.json"), str(tmp_path / "bad.json"), "-o", str(out)],
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == b""
    assert [orjson.loads(line)["id"] for line in out.read_bytes().splitlines()] == ["g"]
    assert b"enriched 1 article(s)" in result.stderr and b"1 failed" in result.stderr
    assert b"bad.json" in result.stderr


def test_python_dash_m_pipeline_is_the_cli_and_prints_its_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == __version__


def test_trends_help_names_every_filter() -> None:
    result = CliRunner().invoke(app, ["trends", "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for option in ("--window", "--since", "--until", "--type", "--entity", "--top", "--json"):
        assert option in result.output


def test_trends_refuses_an_unusable_filter_before_reaching_kafka() -> None:
    # Nothing answers at that address (TEST-NET-1): reaching for it would fail otherwise, slowly.
    for args, error in (
        (["--window", "2x"], "not a window"),
        (["--window", "1h", "--type", "PERSON"], "is not one of PER, ORG, LOC, MISC"),
        (["--window", "1h", "--since", "last week"], "is not a date"),
    ):
        result = CliRunner().invoke(app, ["trends", *args, "-b", "192.0.2.1:9"])
        assert result.exit_code == 2, result.output
        assert error in result.output
