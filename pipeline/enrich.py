"""``news-pipeline enrich``: the whole chain in-process over files, one JSON line per article."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from pipeline.chain import Chain
from pipeline.records import encode
from pipeline.sources import SourceError, read_records

log = logging.getLogger(__name__)


@dataclass(slots=True)
class EnrichSummary:
    enriched: int = 0
    failed: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        rate = self.enriched / self.seconds if self.seconds else 0.0
        return (
            f"enriched {self.enriched} article(s) in {self.seconds:.1f}s ({rate:.1f}/s), "
            f"{self.failed} failed"
        )


def enrich_paths(
    paths: Iterable[Path], out: BinaryIO, chain: Chain | None = None, *, progress: bool = False
) -> EnrichSummary:
    """Write enriched records to ``out``; inputs that fail are logged and counted."""
    chain = chain or Chain()
    summary = EnrichSummary()
    started = time.monotonic()
    # No total: a .jsonl file holds many articles, and counting them first would read it twice.
    # Log lines go above the bar instead of through it.
    with logging_redirect_tqdm(), tqdm(unit="art", disable=not progress, desc="enrich") as bar:
        try:
            for item in read_records(paths):
                bar.update(1)
                record = _enrich_one(chain, item)
                if record is None:
                    summary.failed += 1
                else:
                    out.write(encode(record) + b"\n")
                    summary.enriched += 1
        finally:
            out.flush()
            summary.seconds = time.monotonic() - started
    return summary


def _enrich_one(chain: Chain, item: dict[str, Any] | SourceError) -> dict[str, Any] | None:
    if isinstance(item, SourceError):
        log.error("%s: %s", item.origin, item.reason)
        return None
    try:
        return chain.enrich({**item, "produced_at": time.time()})
    except Exception as exc:  # noqa: BLE001 - report and go on, as a worker would
        log.error("%s: %s: %s", item.get("origin"), type(exc).__name__, exc)
        return None
