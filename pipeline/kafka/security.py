"""How every client authenticates to Kafka: the one place that turns ``Settings`` into
kafka-python keyword arguments and into Faust's ``broker_credentials``.

Both come from the same two pieces, ``ssl_context`` and ``sasl_login``, so the producer, the
admin client, ``tail``, the lag monitor, ``ingest`` and the Faust workers can never disagree on
the protocol, the trusted CAs, the client certificate or the SASL user.

kafka-python and aiokafka are both given a ready ``ssl.SSLContext`` rather than file names:
kafka-python ignores its ``ssl_cafile``/``ssl_certfile`` options when a context is passed, and
Faust's ``SSLCredentials``/``SASLCredentials`` only take a context.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any

from pipeline.errors import ConfigurationError
from pipeline.settings import Settings


@dataclass(frozen=True)
class SaslLogin:
    mechanism: str
    username: str
    password: str

    def __repr__(self) -> str:  # never the password, should this land in a log or traceback
        return f"SaslLogin(mechanism={self.mechanism!r}, username={self.username!r})"


def uses_tls(settings: Settings) -> bool:
    return settings.security_protocol in ("SSL", "SASL_SSL")


def uses_sasl(settings: Settings) -> bool:
    return settings.security_protocol in ("SASL_PLAINTEXT", "SASL_SSL")


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The TLS context of every connection, or None for the plaintext protocols."""
    if not uses_tls(settings):
        return None
    try:
        context = ssl.create_default_context(
            cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None
        )
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(
            f"KAFKA_SSL_CAFILE: cannot load CA certificates from {settings.ssl_cafile}: {exc}"
        ) from None
    context.check_hostname = settings.ssl_check_hostname
    if settings.ssl_certfile is not None and settings.ssl_keyfile is not None:
        key_password = _value(settings.ssl_key_password_value)
        try:
            context.load_cert_chain(
                settings.ssl_certfile, settings.ssl_keyfile, password=key_password
            )
        except (OSError, ssl.SSLError) as exc:
            # The reason only: OpenSSL's text never includes the key's password.
            raise ConfigurationError(
                f"KAFKA_SSL_CERTFILE/KAFKA_SSL_KEYFILE: cannot load the client certificate "
                f"{settings.ssl_certfile} with key {settings.ssl_keyfile}: "
                f"{getattr(exc, 'reason', None) or type(exc).__name__}"
            ) from None
    return context


def sasl_login(settings: Settings) -> SaslLogin | None:
    if not uses_sasl(settings):
        return None
    password = _value(settings.sasl_password_value)
    if password is None:
        raise ConfigurationError(
            f"{settings.security_protocol} needs a password: KAFKA_SASL_PASSWORD_FILE is empty"
        )
    return SaslLogin(settings.sasl_mechanism, settings.sasl_username or "", password)


def kafka_python_config(settings: Settings) -> dict[str, Any]:
    """The connection keywords of a kafka-python client (producer, consumer, admin)."""
    config: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "security_protocol": settings.security_protocol,
    }
    context = ssl_context(settings)
    if context is not None:
        config["ssl_context"] = context
    login = sasl_login(settings)
    if login is not None:
        config |= {
            "sasl_mechanism": login.mechanism,
            "sasl_plain_username": login.username,
            "sasl_plain_password": login.password,
        }
    return config


def faust_credentials(settings: Settings) -> Any:
    """Faust's ``broker_credentials`` (None for PLAINTEXT); Faust hands them to aiokafka.

    faust-streaming 0.15.3 has no credentials class for SASL_PLAINTEXT vs SASL_SSL: a
    ``SASLCredentials`` with an ``ssl_context`` is SASL_SSL, one without is SASL_PLAINTEXT.
    """
    import faust  # here, so that the kafka-python commands do not import Faust

    context = ssl_context(settings)
    login = sasl_login(settings)
    if login is not None:
        return faust.SASLCredentials(
            username=login.username,
            password=login.password,
            mechanism=login.mechanism,
            ssl_context=context,
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None


def _value(read: Any) -> str | None:
    try:
        secret = read()
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from None
    return None if secret is None else str(secret.get_secret_value())
