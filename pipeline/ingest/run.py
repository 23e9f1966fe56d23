"""The ingest loop: poll each source, fetch the articles it lists that are new or changed,
send them to news.raw, and remember them.

Every failure is logged once, with the source and the reason, and counted; none stops the
loop. An article is remembered only after the sink confirmed delivery, so a crash between the
two re-sends it at the next start (at least once; downstream, the id key makes it an upsert)
rather than losing it.

Updates: an article already sent is fetched again only when its listing's stamp (feed
``updated``/``published``, sitemap ``lastmod``) changed, and sent again only when the hash of
its HTML changed too. Every record carries ``content_hash`` and ``revision`` (0 for the first
send); an update has the same id and key, the next revision, and ``update_of`` set to the
previous send's ``content_hash``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, replace
from typing import Any

from pipeline.ingest.config import Source
from pipeline.ingest.decode import decode_html
from pipeline.ingest.discover import Discovered, Listing, parse_listing
from pipeline.ingest.errors import FetchFailed, ListingInvalid
from pipeline.ingest.fetch import PoliteClient, Validators
from pipeline.ingest.seen import Seen, SeenStore, content_hash
from pipeline.ingest.sink import RawSink
from pipeline.metrics.ingest import IngestMetrics
from pipeline.records import SCHEMA_VERSION, encode
from pipeline.sources import article_id
from pipeline.text.urls import canonical_url

log = logging.getLogger(__name__)

# Sitemap indexes may nest; deeper than this is a loop or a crawler trap.
MAX_SITEMAP_DEPTH = 3


@dataclass(frozen=True)
class RunOptions:
    # Articles fetched at once over all sources; the client still limits each host.
    concurrency: int = 16
    # Child sitemaps of one index fetched per poll (large sites list years of archives).
    max_sitemaps: int = 50


@dataclass
class Summary:
    sources: int = 0
    produced: int = 0
    updated: int = 0
    failed: int = 0
    skipped: int = 0
    sources_failed: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"produced {self.produced} (of which {self.updated} updates), skipped {self.skipped}, "
            f"failed {self.failed}; {self.sources_failed} source poll(s) failed; "
            f"{self.seconds:.1f}s"
        )


class Ingestor:
    def __init__(
        self,
        sources: list[Source],
        client: PoliteClient,
        sink: RawSink,
        store: SeenStore,
        metrics: IngestMetrics,
        options: RunOptions | None = None,
    ) -> None:
        self.sources = sources
        self.client = client
        self.sink = sink
        self.store = store
        self.metrics = metrics
        self.options = options or RunOptions()
        self.summary = Summary(sources=len(sources))
        self._slots = asyncio.Semaphore(self.options.concurrency)
        # URLs being fetched now, so two sources listing one article fetch it once.
        self._claimed: set[str] = set()
        # The last listing parsed from each URL: when it answers 304 its articles are looked
        # at again, so one that failed last time is retried while the feed still lists it.
        self._listings: dict[str, Listing] = {}

    async def run_once(self) -> Summary:
        started = time.monotonic()
        await asyncio.gather(*(self.poll(source) for source in self.sources))
        await asyncio.to_thread(self.store.flush)
        self.summary.seconds += time.monotonic() - started
        return self.summary

    async def run_forever(self, stop: asyncio.Event) -> Summary:
        """Poll each source every ``poll_interval`` until ``stop`` is set, then cancel what is
        in flight (an article cancelled before it was remembered is sent again next time)."""
        started = time.monotonic()
        loops = [asyncio.create_task(self._every(source, stop)) for source in self.sources]
        try:
            await stop.wait()
        finally:
            for task in loops:
                task.cancel()
            await asyncio.gather(*loops, return_exceptions=True)
            await asyncio.to_thread(self.store.flush)
            self.summary.seconds += time.monotonic() - started
        return self.summary

    async def _every(self, source: Source, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.poll(source)
            await asyncio.to_thread(self.store.flush)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=source.poll_interval)

    async def poll(self, source: Source) -> None:
        """One poll of one source; failures are logged and counted here, never raised."""
        try:
            listing, changed = await self._listing(source, source.url)
        except (FetchFailed, ListingInvalid) as exc:
            log.warning("source %s: %s", source.name, exc)
            self.metrics.sources_polled.labels(source.name, "failed").inc()
            self.summary.sources_failed += 1
            return
        except Exception:  # a bug must not end the other sources' polls
            log.exception("source %s: unexpected error", source.name)
            self.metrics.sources_polled.labels(source.name, "failed").inc()
            self.summary.sources_failed += 1
            return
        articles = list(listing.articles)
        articles += await self._children(source, listing.sitemaps, depth=1)
        await asyncio.gather(*(self._guarded(source, found) for found in _unique(articles)))
        outcome = "ok" if changed else "not_modified"
        self.metrics.sources_polled.labels(source.name, outcome).inc()
        self.metrics.last_success.labels(source.name).set(time.time())

    async def _children(self, source: Source, urls: list[str], depth: int) -> list[Discovered]:
        if depth > MAX_SITEMAP_DEPTH:
            log.warning("source %s: sitemaps nested deeper than %d ignored", source.name, depth - 1)
            return []
        found: list[Discovered] = []
        for url in urls[: self.options.max_sitemaps]:
            try:
                listing, _changed = await self._listing(source, url)
            except (FetchFailed, ListingInvalid) as exc:
                log.warning("source %s: sitemap %s", source.name, exc)
                continue
            found += listing.articles
            found += await self._children(source, listing.sitemaps, depth + 1)
        return found

    async def _listing(self, source: Source, url: str) -> tuple[Listing, bool]:
        """The listing at ``url`` and whether it changed. On a 304 it is the listing parsed
        last time in this process; after a restart only the remembered child sitemaps (an
        unchanged index may still point at changed sitemaps), as the articles were seen."""
        previous = self.store.get(url)
        validators = Validators(previous.etag, previous.last_modified) if previous else None
        fetched = await self.client.get(url, "listing", validators)
        if fetched.not_modified:
            children = list(previous.children or ()) if previous else []
            return self._listings.get(url) or Listing("unchanged", sitemaps=children), False
        listing = parse_listing(fetched.body, fetched.url, self.client.policy.max_bytes)
        self._listings[url] = listing
        self.store.put(
            url,
            Seen(
                at=time.time(),
                etag=fetched.validators.etag,
                last_modified=fetched.validators.last_modified,
                children=tuple(listing.sitemaps) if listing.sitemaps else None,
            ),
        )
        return listing, True

    async def _guarded(self, source: Source, found: Discovered) -> None:
        async with self._slots:
            try:
                await self._article(source, found)
            except Exception:  # one broken page must never end the poll
                log.exception("source %s: article %s: unexpected error", source.name, found.url)
                self._skip(source, "failed")

    async def _article(self, source: Source, found: Discovered) -> None:
        previous = self.store.get(found.url)
        if previous and (found.stamp is None or found.stamp == previous.stamp):
            self._skip(source, "seen")
            return
        if found.url in self._claimed:
            self._skip(source, "seen")
            return
        self._claimed.add(found.url)
        try:
            await self._fetch_and_send(source, found, previous)
        finally:
            self._claimed.discard(found.url)

    async def _fetch_and_send(
        self, source: Source, found: Discovered, previous: Seen | None
    ) -> None:
        try:
            fetched = await self.client.get(found.url, "article")
        except FetchFailed as exc:
            log.warning("source %s: article %s", source.name, exc)
            self._skip(source, "failed")
            return
        decoded = decode_html(fetched.body, fetched.content_type)
        if decoded.fell_back:
            self.metrics.charset_fallbacks.inc()
            log.warning(
                "source %s: article %s: declared charset does not fit the bytes; read as %s",
                source.name,
                found.url,
                decoded.encoding,
            )
        digest = content_hash(decoded.text)
        now = time.time()
        if previous and previous.content_hash == digest:
            self.store.put(found.url, replace(previous, stamp=found.stamp))
            self._skip(source, "unchanged")
            return
        url = canonical_url(fetched.url) or found.url
        revision = previous.revision + 1 if previous else 0
        record = _record(source, found, url, decoded.text, digest, revision, previous, now)
        try:
            await self.sink.send(record["id"].encode(), encode(record))
        except Exception as exc:  # the sink's errors are the broker client's, of many types
            log.warning(
                "source %s: article %s not sent: %s: %s", source.name, url, type(exc).__name__, exc
            )
            self._skip(source, "failed")
            return
        seen = Seen(at=now, content_hash=digest, stamp=found.stamp, revision=revision)
        self.store.put(found.url, seen)
        if url != found.url:
            # Another listing may link the article at its final address.
            self.store.put(url, seen)
        self.metrics.articles_produced.labels(source.name, "update" if revision else "new").inc()
        self.summary.produced += 1
        self.summary.updated += bool(revision)

    def _skip(self, source: Source, reason: str) -> None:
        self.metrics.articles_skipped.labels(source.name, reason).inc()
        if reason == "failed":
            self.summary.failed += 1
        else:
            self.summary.skipped += 1


def _record(
    source: Source,
    found: Discovered,
    url: str,
    html: str,
    digest: str,
    revision: int,
    previous: Seen | None,
    now: float,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": article_id({"url": url}),
        "url": url,
        "source": source.name,
        "title": found.title,
        "published_at": found.published_at,
        # The operator's hint wins over the publisher's, which CMS templates often get wrong.
        "language": source.language or found.language,
        "html": html,
        "origin": source.url,
        "produced_at": now,
        "content_hash": digest,
        "revision": revision,
    }
    if previous and previous.content_hash:
        record["update_of"] = previous.content_hash
    return record


def _unique(articles: list[Discovered]) -> list[Discovered]:
    # A feed may list one article twice; the first mention wins.
    first: dict[str, Discovered] = {}
    for found in articles:
        first.setdefault(found.url, found)
    return list(first.values())
