"""The project's exceptions.

    PipelineError                 root: catch this to catch anything the pipeline raises on purpose
    ├── InvalidRecord             the input itself is unusable (bad JSON/UTF-8, wrong types, empty
    │                             body, too large); the message goes to the dead-letter topic
    ├── ModelNotAvailable         a stage's shipped model is missing or cannot be loaded
    ├── ConfigurationError        a setting is unusable (unreadable secret or certificate file...)
    ├── BrokerUnavailable         the Kafka bootstrap servers did not answer in time
    │   ├── AuthenticationFailed  the broker refused the SASL credentials
    │   └── TLSHandshakeFailed    TLS could not be set up (untrusted certificate, client
    │                             certificate refused, plaintext client on a TLS port...)
    └── NotAuthorised             connected, but the ACLs deny this principal a topic or group

The messages of the Kafka errors are one line meant for the operator: they say what failed and
which setting to look at, and never contain a secret.

Anything else raised inside a stage is a bug or an unexpected input; the agents dead-letter it
too (with its type name) so that one bad article never stops a worker.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Root of every exception the pipeline raises on purpose."""


class InvalidRecord(PipelineError):
    """The record cannot be processed as it is; retrying will not help."""


class ModelNotAvailable(PipelineError):
    """A stage's model files are missing or unreadable."""


class BrokerUnavailable(PipelineError):
    """The Kafka bootstrap servers could not be reached within the timeout."""


class ConfigurationError(PipelineError):
    """A setting cannot be used as given; the message names the variable, never a secret."""


class AuthenticationFailed(BrokerUnavailable):
    """The broker refused the SASL credentials (wrong password or unknown user: Kafka does not
    say which)."""


class TLSHandshakeFailed(BrokerUnavailable):
    """No TLS session: the broker's certificate is not trusted, ours was refused, or one side
    does not speak TLS."""


class NotAuthorised(PipelineError):
    """The ACLs deny this principal an operation on a topic or consumer group."""
