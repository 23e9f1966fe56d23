"""Streaming news ingest: raw articles -> normalised -> entities -> stance, on Kafka."""

__version__ = "0.1.0"
__all__ = ["__version__"]
