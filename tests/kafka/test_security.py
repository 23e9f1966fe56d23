from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from pipeline.cli_options import settings_from
from pipeline.errors import ConfigurationError
from pipeline.kafka.security import faust_credentials, kafka_python_config, sasl_login
from pipeline.settings import Settings

PASSWORD = "s3cret-Pa55"


@pytest.fixture()
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password"
    path.write_text(PASSWORD + "\n")
    return path


def test_plaintext_by_default() -> None:
    settings = Settings()
    assert kafka_python_config(settings) == {
        "bootstrap_servers": "127.0.0.1:9092",
        "security_protocol": "PLAINTEXT",
    }
    assert faust_credentials(settings) is None


def test_kafka_python_and_faust_get_the_same_credentials(password_file: Path) -> None:
    from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

    settings = Settings(
        security_protocol="SASL_SSL",
        sasl_username="news-pipeline",
        sasl_password_file=password_file,
        ssl_check_hostname=False,
    )
    kafka = kafka_python_config(settings)
    aiokafka = credentials_to_aiokafka_auth(faust_credentials(settings))
    for key in ("security_protocol", "sasl_mechanism", "sasl_plain_username"):
        assert kafka[key] == aiokafka[key], key
    assert kafka["sasl_plain_password"] == aiokafka["sasl_plain_password"]
    assert kafka["sasl_plain_password"] == PASSWORD  # the trailing newline is not part of it
    for context in (kafka["ssl_context"], aiokafka["ssl_context"]):
        assert isinstance(context, ssl.SSLContext)
        assert context.verify_mode == ssl.CERT_REQUIRED and not context.check_hostname


def test_ssl_alone_is_faust_ssl_credentials() -> None:
    from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

    auth = credentials_to_aiokafka_auth(faust_credentials(Settings(security_protocol="SSL")))
    assert auth["security_protocol"] == "SSL" and auth["ssl_context"].check_hostname


def test_password_file_wins_and_secrets_never_show(
    password_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "u")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "inline-" + PASSWORD)
    monkeypatch.setenv("KAFKA_SASL_PASSWORD_FILE", str(password_file))
    settings = Settings()
    login = sasl_login(settings)
    assert login is not None and login.password == PASSWORD
    for text in (repr(settings), str(settings), repr(login), repr(faust_credentials(settings))):
        assert PASSWORD not in text


def test_invalid_settings_name_the_variable_not_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", PASSWORD)
    with pytest.raises(ConfigurationError, match="KAFKA_SASL_USERNAME is required") as caught:
        settings_from()
    assert PASSWORD not in str(caught.value)


def test_unreadable_password_file_is_a_configuration_error(tmp_path: Path) -> None:
    settings = Settings(
        security_protocol="SASL_PLAINTEXT", sasl_username="u", sasl_password_file=tmp_path / "no"
    )
    with pytest.raises(ConfigurationError, match="KAFKA_SASL_PASSWORD_FILE: cannot read"):
        kafka_python_config(settings)


def test_empty_variables_are_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAFKA_SSL_CAFILE", "KAFKA_SSL_CERTFILE", "KAFKA_SSL_KEYFILE"):
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD_FILE", "/dev/null")
    settings = Settings()
    assert settings.ssl_cafile is None and settings.sasl_username is None
    assert settings.sasl_password_value() is None
