"""The project's exceptions.

    PipelineError                 root: catch this to catch anything the pipeline raises on purpose
    ├── InvalidRecord             the input itself is unusable (bad JSON/UTF-8, wrong types, empty
    │                             body, too large); the message goes to the dead-letter topic
    ├── ModelNotAvailable         a stage's shipped model is missing or cannot be loaded
    └── BrokerUnavailable         the Kafka bootstrap servers did not answer in time

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
