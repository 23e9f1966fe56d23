"""The polite HTTP client: every request of ``ingest`` goes through ``PoliteClient.get``.

It asks robots.txt first, keeps to a per-host concurrency and request spacing (the larger of
ours and the site's Crawl-delay), names the project in its User-Agent, sends conditional
headers when the caller has validators, follows at most ``max_redirects`` redirects (checking
robots.txt on each hop, since a redirect may cross hosts), retries 5xx answers and failed
connections with exponential backoff, and stops reading a body at ``max_bytes`` after
decompression (so a gzip bomb costs no more than a large page). Each attempt also has a
deadline, so a server that trickles bytes cannot hold a slot forever.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from pipeline import __version__
from pipeline.ingest.errors import FetchFailed
from pipeline.ingest.robots import RobotsCache
from pipeline.metrics.ingest import IngestMetrics

USER_AGENT = f"news-pipeline/{__version__} (+https://example.invalid/news-pipeline)"
ROBOTS_TOKEN = "news-pipeline"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchPolicy:
    timeout_s: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    retries: int = 2
    backoff_s: float = 1.0
    per_host_concurrency: int = 2
    # Requests per second to one host; None means no spacing beyond the site's Crawl-delay.
    per_host_rate: float | None = 1.0
    # A Crawl-delay above this is capped, so one site cannot stall its source for hours.
    max_crawl_delay_s: float = 30.0
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Validators:
    """What a server told us about a document, to ask next time 'only if it changed'."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int  # 200-299, or 304 when the validators still match
    body: bytes
    content_type: str
    validators: Validators

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class _Host:
    semaphore: asyncio.Semaphore
    interval: float
    next_at: float = 0.0


@dataclass
class HostGate:
    """Per-host concurrency and spacing between request starts."""

    concurrency: int
    interval: float
    _hosts: dict[str, _Host] = field(default_factory=dict)

    def _host(self, host: str) -> _Host:
        if host not in self._hosts:
            self._hosts[host] = _Host(asyncio.Semaphore(self.concurrency), self.interval)
        return self._hosts[host]

    def slow_down(self, host: str, interval: float) -> None:
        state = self._host(host)
        state.interval = max(state.interval, interval)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        state = self._host(host)
        async with state.semaphore:
            now = time.monotonic()
            # Reserve the slot before sleeping, so waiters queue up one interval apart.
            start = max(now, state.next_at)
            state.next_at = start + state.interval
            if start > now:
                await asyncio.sleep(start - now)
            yield


class PoliteClient:
    def __init__(
        self,
        policy: FetchPolicy,
        metrics: IngestMetrics,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.policy = policy
        self.metrics = metrics
        self.gate = HostGate(
            policy.per_host_concurrency, 1.0 / policy.per_host_rate if policy.per_host_rate else 0.0
        )
        self.robots = RobotsCache(self._fetch_robots, ROBOTS_TOKEN)
        self._http = httpx.AsyncClient(
            http2=transport is None,
            transport=transport,
            headers={"User-Agent": policy.user_agent},
            timeout=httpx.Timeout(policy.timeout_s),
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def get(self, url: str, kind: str, validators: Validators | None = None) -> Fetched:
        """Fetch ``url`` (a feed, sitemap or article: ``kind`` labels the metrics) or raise
        FetchFailed; either way the outcome is counted."""
        started = time.monotonic()
        outcome = "ok"
        try:
            fetched = await self._follow(url, kind, validators)
            outcome = "not_modified" if fetched.not_modified else "ok"
            self.metrics.fetched_bytes.labels(kind).inc(len(fetched.body))
            return fetched
        except FetchFailed as exc:
            outcome = exc.outcome
            raise
        finally:
            self.metrics.pages_fetched.labels(kind, outcome).inc()
            self.metrics.fetch_seconds.labels(kind).observe(time.monotonic() - started)

    async def _follow(self, url: str, kind: str, validators: Validators | None) -> Fetched:
        headers = _conditional_headers(validators)
        for _hop in range(self.policy.max_redirects + 1):
            host = _host(url)
            allowed, delay = await self.robots.check(url)
            if not allowed:
                raise FetchFailed(url, "robots_disallowed", "disallowed by robots.txt")
            if delay:
                self.gate.slow_down(host, min(delay, self.policy.max_crawl_delay_s))
            status, response_headers, body = await self._with_retries(url, kind, headers)
            location = response_headers.get("location")
            if status in _REDIRECTS and location:
                url = urljoin(url, location)
                continue
            if status == 304:
                return Fetched(url, 304, b"", "", validators or Validators())
            if not 200 <= status < 300:
                kind_of = "http_5xx" if status >= 500 else f"http_{status}"
                raise FetchFailed(url, kind_of, f"HTTP {status}")
            return Fetched(
                url,
                status,
                body,
                response_headers.get("content-type", ""),
                Validators(response_headers.get("etag"), response_headers.get("last-modified")),
            )
        raise FetchFailed(
            url, "too_many_redirects", f"more than {self.policy.max_redirects} redirects"
        )

    async def _with_retries(
        self, url: str, kind: str, headers: dict[str, str], follow: bool = False
    ) -> tuple[int, httpx.Headers, bytes]:
        attempts = self.policy.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                async with self.gate.slot(_host(url)):
                    status, response_headers, body = await self._once(url, headers, follow)
            except FetchFailed as exc:
                if exc.outcome != "connection_error" or last:
                    raise
                wait = self._backoff(attempt, None)
            else:
                if status < 500 or last:
                    return status, response_headers, body
                wait = self._backoff(attempt, response_headers.get("retry-after"))
            self.metrics.fetch_retries.labels(kind).inc()
            await asyncio.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        base = self.policy.backoff_s * 2**attempt
        if retry_after and retry_after.isdigit():
            # Honour the server's own estimate, but never wait longer than a crawl delay.
            base = max(base, min(float(retry_after), self.policy.max_crawl_delay_s))
        return base * random.uniform(1.0, 1.25)  # jitter: retries of many pages do not align

    async def _once(
        self, url: str, headers: dict[str, str], follow: bool
    ) -> tuple[int, httpx.Headers, bytes]:
        limit = self.policy.max_bytes
        try:
            async with asyncio.timeout(self.policy.timeout_s):
                request = self._http.build_request("GET", url, headers=headers)
                response = await self._http.send(request, stream=True, follow_redirects=follow)
                try:
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > limit:
                        raise FetchFailed(url, "too_large", f"declares {declared} bytes > {limit}")
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > limit:
                            raise FetchFailed(url, "too_large", f"body over {limit} bytes")
                finally:
                    await response.aclose()
        except (TimeoutError, httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout):
            # Not retried: a server too slow once is likely slow again, and retrying would
            # multiply the time the source's poll spends on it.
            raise FetchFailed(
                url, "timeout", f"no full answer within {self.policy.timeout_s:g}s"
            ) from None
        except httpx.TooManyRedirects:
            raise FetchFailed(url, "too_many_redirects", "redirect cap reached") from None
        except (httpx.TransportError, httpx.DecodingError) as exc:
            outcome = "decode_error" if isinstance(exc, httpx.DecodingError) else "connection_error"
            raise FetchFailed(url, outcome, f"{type(exc).__name__}: {exc}") from None
        return response.status_code, response.headers, bytes(body)

    async def _fetch_robots(self, robots_url: str) -> tuple[int, bytes]:
        """robots.txt itself: redirects followed (as RFC 9309 asks), no robots check."""
        started = time.monotonic()
        outcome = "ok"
        try:
            status, _headers, body = await self._with_retries(robots_url, "robots", {}, True)
            outcome = "ok" if status < 400 else ("http_5xx" if status >= 500 else f"http_{status}")
            self.metrics.fetched_bytes.labels("robots").inc(len(body))
            return status, body
        except FetchFailed as exc:
            outcome = exc.outcome
            raise
        finally:
            self.metrics.pages_fetched.labels("robots", outcome).inc()
            self.metrics.fetch_seconds.labels("robots").observe(time.monotonic() - started)


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _conditional_headers(validators: Validators | None) -> dict[str, str]:
    headers = {}
    if validators and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers
