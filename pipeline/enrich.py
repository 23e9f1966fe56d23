"""``news-pipeline enrich``: the whole chain in-process over files, one JSON line per article."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from pipeline.chain import Chain
from pipeline.records import encode
from pipeline.sources import SourceError, read_records

log = logging.getLogger(__name__)


def enrich_paths(paths: Iterable[Path], out: BinaryIO, chain: Chain | None = None) -> int:
    """Write enriched records to ``out``; returns how many inputs failed (each is logged)."""
    chain = chain or Chain()
    failures = 0
    for item in read_records(paths):
        if isinstance(item, SourceError):
            log.error("%s: %s", item.origin, item.reason)
            failures += 1
            continue
        try:
            record = chain.enrich({**item, "produced_at": time.time()})
        except Exception as exc:  # noqa: BLE001 - report and go on, as a worker would
            log.error("%s: %s: %s", item.get("origin"), type(exc).__name__, exc)
            failures += 1
            continue
        out.write(encode(record) + b"\n")
    out.flush()
    return failures
