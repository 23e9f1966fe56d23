"""``news-pipeline ingest``: a polite producer of raw articles from feeds and news sitemaps.

Modules, one job each: ``config`` (the SOURCES file), ``fetch`` and ``robots`` (the HTTP
client), ``decode`` (charsets), ``discover`` (feeds and sitemaps to article links), ``seen``
(what was produced), ``sink`` and ``broker`` (where records go), ``metrics``, ``run`` (the
loop), ``service`` (the process), ``cli`` (the command). ``bench`` is a benchmark; the runtime
never imports it.
"""

from pipeline.ingest.config import Source, load_sources
from pipeline.ingest.fetch import FetchPolicy
from pipeline.ingest.metrics import IngestMetrics
from pipeline.ingest.run import RunOptions, Summary
from pipeline.ingest.seen import MemorySeenStore, Seen, SeenStore
from pipeline.ingest.service import run_ingest, serve
from pipeline.ingest.sink import MemorySink, RawSink

__all__ = [
    "FetchPolicy",
    "IngestMetrics",
    "MemorySeenStore",
    "MemorySink",
    "RawSink",
    "RunOptions",
    "Seen",
    "SeenStore",
    "Source",
    "Summary",
    "load_sources",
    "run_ingest",
    "serve",
]
