"""One connection opened by hand before the Kafka clients connect, so that a refused connection
is reported in one line that says why.

Neither client library says why: kafka-python 3.0 reports a bad password, an untrusted
certificate and a plaintext client on a TLS port all alike, as ``KafkaTimeoutError('Unable to
bootstrap')`` once ``bootstrap_timeout_ms`` has passed, and aiokafka raises a generic
``KafkaConnectionError``. So ``check_connection`` does the first steps every client does, with
the very ``ssl.SSLContext`` the clients get (``pipeline.kafka.security``): a TCP connect, the TLS
handshake when the protocol uses TLS, and an ApiVersions request, the first request of every
Kafka client. The TLS and TCP failures are told apart here, from the ``ssl`` module's errors.

SASL is not replayed by hand: once this check passes, a SASL client that still cannot bootstrap
was refused at authentication (``refused``), the one step left between the two. Kafka answers
a wrong password and an unknown user alike (error 58), so the message cannot say which.
"""

from __future__ import annotations

import socket
import ssl

from pipeline.errors import AuthenticationFailed, BrokerUnavailable, TLSHandshakeFailed
from pipeline.kafka.security import ssl_context, uses_sasl
from pipeline.settings import Settings

# ApiVersions v0 with correlation id 1: size, api key 18, version 0, correlation id, client id "".
API_VERSIONS_REQUEST = bytes.fromhex("0000000a00120000000000010000")
# TLS alerts a broker sends when it refuses (or does not get) our client certificate.
CLIENT_CERTIFICATE_ALERTS = (
    "BAD_CERTIFICATE",
    "CERTIFICATE_REQUIRED",
    "UNKNOWN_CA",
    "CERTIFICATE_UNKNOWN",
    "ACCESS_DENIED",
)


def check_connection(settings: Settings) -> None:
    """Return once one bootstrap server answers as configured; else raise the reason of the
    first one tried (TLSHandshakeFailed, or BrokerUnavailable when none can be reached)."""
    context = ssl_context(settings)
    failures: list[BrokerUnavailable] = []
    for server in settings.bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            _probe(host.strip("[]"), int(port), context, settings.connect_timeout_s)
            return
        except BrokerUnavailable as exc:
            failures.append(exc)
    # A TLS failure says more than an unreachable second server.
    raise next((f for f in failures if isinstance(f, TLSHandshakeFailed)), failures[0])


def refused(settings: Settings, exc: BaseException) -> BrokerUnavailable:
    """The error for a client that could not bootstrap although ``check_connection`` passed."""
    servers = settings.bootstrap_servers
    if uses_sasl(settings):
        return AuthenticationFailed(
            f"authentication failed: {servers} refused SASL user {settings.sasl_username!r} "
            f"({settings.sasl_mechanism}): wrong password or unknown user; check "
            "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE"
        )
    return BrokerUnavailable(
        f"cannot reach Kafka at {servers} within {settings.connect_timeout_s:g}s "
        f"({type(exc).__name__}); is the broker up? Start the local one with `make broker` "
        "or set KAFKA_BOOTSTRAP_SERVERS."
    )


def _probe(host: str, port: int, context: ssl.SSLContext | None, timeout: float) -> None:
    where = f"{host}:{port}"
    try:
        raw = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        raise BrokerUnavailable(
            f"cannot reach Kafka at {where}: {exc.strerror or type(exc).__name__}; is the "
            "broker up? Check KAFKA_BOOTSTRAP_SERVERS."
        ) from None
    with raw:
        if context is None:
            if not _answers(raw):
                raise TLSHandshakeFailed(
                    f"TLS handshake failed: {where} expects TLS but KAFKA_SECURITY_PROTOCOL is "
                    "plaintext; set it to SSL or SASL_SSL"
                )
            return
        try:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                # TLS 1.3 finishes our side of the handshake before the broker has checked our
                # certificate: a refusal arrives as an alert on the first read.
                answered = _answers(tls)
        except ssl.SSLCertVerificationError as exc:
            raise TLSHandshakeFailed(
                f"TLS handshake failed: the certificate of {where} is not trusted "
                f"({exc.verify_message}); check KAFKA_SSL_CAFILE"
                + (" and KAFKA_SSL_CHECK_HOSTNAME" if exc.verify_code == 62 else "")
            ) from None
        except ssl.SSLError as exc:
            reason = str(exc.reason or exc)
            if any(alert in reason for alert in CLIENT_CERTIFICATE_ALERTS):
                raise TLSHandshakeFailed(
                    f"TLS handshake failed: {where} refused the client certificate ({reason}); "
                    "check KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE"
                ) from None
            raise TLSHandshakeFailed(
                f"TLS handshake failed with {where} ({reason}); is it a plaintext port? "
                "Check KAFKA_SECURITY_PROTOCOL"
            ) from None
        except OSError as exc:
            # A plaintext listener reads our ClientHello as an oversized request and hangs up.
            raise TLSHandshakeFailed(
                f"TLS handshake failed with {where} ({exc.strerror or type(exc).__name__}); "
                "is it a plaintext port? Check KAFKA_SECURITY_PROTOCOL"
            ) from None
        if not answered:
            raise TLSHandshakeFailed(
                f"TLS handshake failed: {where} closed the connection after the handshake; "
                "does it require a client certificate (KAFKA_SSL_CERTFILE)?"
            )


def _answers(sock: socket.socket) -> bool:
    """Send ApiVersions; True when a Kafka response to it (correlation id 1) comes back."""
    sock.sendall(API_VERSIONS_REQUEST)
    answer = b""
    while len(answer) < 8:
        try:
            chunk = sock.recv(64)
        except ssl.SSLError:
            raise
        except OSError:  # reset or silent: whatever listens there is no Kafka of this protocol
            return False
        if not chunk:
            return False
        answer += chunk
    return answer[4:8] == b"\x00\x00\x00\x01"
