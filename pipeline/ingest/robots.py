"""robots.txt per origin, as RFC 9309 reads it: fetched once a day, parsed with protego.

A 4xx answer means no rules (everything allowed); a 5xx answer or an unreachable server means
"assume everything is disallowed" until a retry a few minutes later, because a site that is
failing is the one least able to take a crawl.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from pipeline.ingest.errors import FetchFailed

log = logging.getLogger(__name__)

FRESH_S = 24 * 3600.0
UNREACHABLE_RETRY_S = 300.0
# RFC 9309 asks crawlers to parse at least 500 KiB; more than that is ignored.
MAX_ROBOTS_BYTES = 500 * 1024

RobotsFetcher = Callable[[str], Awaitable[tuple[int, bytes]]]


@dataclass(frozen=True)
class _Rules:
    parsed: Protego | None  # None: no rules
    allow_all: bool
    expires_at: float


class RobotsCache:
    def __init__(self, fetch: RobotsFetcher, token: str) -> None:
        self._fetch = fetch
        self._token = token
        self._rules: dict[str, _Rules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def check(self, url: str) -> tuple[bool, float | None]:
        """Whether ``url`` may be fetched, and the site's Crawl-delay for us (if any)."""
        rules = await self._rules_for(url)
        if rules.parsed is None:
            return rules.allow_all, None
        delay = rules.parsed.crawl_delay(self._token)
        return bool(rules.parsed.can_fetch(url, self._token)), delay

    async def _rules_for(self, url: str) -> _Rules:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        lock = self._locks.setdefault(origin, asyncio.Lock())
        # One fetch per origin even when many pages of a new site arrive at once.
        async with lock:
            rules = self._rules.get(origin)
            if rules is None or rules.expires_at < time.monotonic():
                rules = await self._load(origin)
                self._rules[origin] = rules
            return rules

    async def _load(self, origin: str) -> _Rules:
        now = time.monotonic()
        try:
            status, body = await self._fetch(f"{origin}/robots.txt")
        except FetchFailed as exc:
            log.warning(
                "robots.txt of %s unreachable (%s): not fetching from it", origin, exc.reason
            )
            return _Rules(None, False, now + UNREACHABLE_RETRY_S)
        if status >= 500:
            log.warning("robots.txt of %s: HTTP %d: not fetching from it for now", origin, status)
            return _Rules(None, False, now + UNREACHABLE_RETRY_S)
        if status >= 400:
            return _Rules(None, True, now + FRESH_S)
        text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        return _Rules(Protego.parse(text), True, now + FRESH_S)
