"""Exceptions of the ingest producer, under the project's root exception.

    PipelineError
    └── IngestError             anything ``ingest`` raises on purpose
        ├── SourcesFileError    the SOURCES file is unreadable or wrong; the message says where
        ├── FetchFailed         one URL could not be fetched; ``outcome`` is its metric label
        └── ListingInvalid      a source URL answered with neither a feed nor a sitemap

A FetchFailed or ListingInvalid is logged and counted, never fatal: one broken source or page
does not stop the producer.
"""

from __future__ import annotations

from pipeline.errors import PipelineError


class IngestError(PipelineError):
    """Root of the ingest producer's exceptions."""


class SourcesFileError(IngestError):
    """The SOURCES file cannot be used as it is."""


class FetchFailed(IngestError):
    """A URL gave no usable response; ``outcome`` is a short label such as ``http_404``."""

    def __init__(self, url: str, outcome: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.outcome = outcome
        self.reason = reason


class ListingInvalid(IngestError):
    """A feed or sitemap URL returned something that is neither."""
