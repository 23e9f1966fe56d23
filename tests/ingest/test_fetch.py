"""The polite client against httpx's mock transport: what it sends and how it gives up."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest
from prometheus_client import CollectorRegistry

from pipeline.ingest.errors import FetchFailed
from pipeline.ingest.fetch import USER_AGENT, FetchPolicy, PoliteClient, Validators
from pipeline.metrics.ingest import IngestMetrics

Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler, **policy: object) -> tuple[PoliteClient, CollectorRegistry]:
    registry = CollectorRegistry()
    settings = {"retries": 2, "backoff_s": 0.01, "per_host_rate": None, **policy}
    polite = PoliteClient(
        FetchPolicy(**settings),  # type: ignore[arg-type]
        IngestMetrics.create(registry),
        transport=httpx.MockTransport(handler),
    )
    return polite, registry


def site(robots: httpx.Response, pages: Handler) -> tuple[Handler, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return robots if request.url.path == "/robots.txt" else pages(request)

    return handle, seen


NO_ROBOTS = httpx.Response(404)


async def test_headers_and_conditional_get() -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304)
        return httpx.Response(200, content=b"<rss/>", headers={"ETag": '"v1"'})

    handle, seen = site(NO_ROBOTS, pages)
    polite, registry = client(handle)
    first = await polite.get("https://n.test/feed", "listing")
    again = await polite.get("https://n.test/feed", "listing", first.validators)
    await polite.aclose()
    assert (first.status, first.validators, again.not_modified) == (200, Validators('"v1"'), True)
    assert {r.headers["user-agent"] for r in seen} == {USER_AGENT}
    assert USER_AGENT.startswith("news-pipeline/0.1.0 (+https://")
    assert (
        registry.get_sample_value(
            "news_pipeline_ingest_pages_fetched_total",
            {"kind": "listing", "outcome": "not_modified"},
        )
        == 1
    )


async def test_declared_length_over_the_limit_is_not_read() -> None:
    handle, _ = site(NO_ROBOTS, lambda _r: httpx.Response(200, content=b"x" * 5000))
    polite, _ = client(handle, max_bytes=1024)
    with pytest.raises(FetchFailed) as failed:
        await polite.get("https://n.test/big", "article")
    assert failed.value.outcome == "too_large"


async def test_connection_errors_are_retried_then_reported() -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    handle, seen = site(NO_ROBOTS, pages)
    polite, registry = client(handle)
    with pytest.raises(FetchFailed) as failed:
        await polite.get("https://n.test/a", "article")
    assert failed.value.outcome == "connection_error"
    assert [r.url.path for r in seen].count("/a") == 3
    assert (
        registry.get_sample_value("news_pipeline_ingest_fetch_retries_total", {"kind": "article"})
        == 2
    )


@pytest.mark.parametrize("status", [500, 503])
async def test_unreachable_robots_means_nothing_is_fetched(status: int) -> None:
    handle, seen = site(httpx.Response(status), lambda _r: httpx.Response(200))
    polite, _ = client(handle, retries=0)
    with pytest.raises(FetchFailed) as failed:
        await polite.get("https://n.test/a", "article")
    assert failed.value.outcome == "robots_disallowed"
    assert [r.url.path for r in seen] == ["/robots.txt"]


async def test_robots_checked_on_every_redirect_hop() -> None:
    robots = httpx.Response(200, text="User-agent: news-pipeline\nDisallow: /members/\n")

    def pages(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "/members/a"})

    handle, seen = site(robots, pages)
    polite, _ = client(handle)
    with pytest.raises(FetchFailed) as failed:
        await polite.get("https://n.test/a", "article")
    assert failed.value.outcome == "robots_disallowed"
    assert "/members/a" not in [r.url.path for r in seen]


async def test_crawl_delay_spaces_requests_to_a_host() -> None:
    robots = httpx.Response(200, text="User-agent: *\nCrawl-delay: 0.2\n")
    handle, _ = site(robots, lambda _r: httpx.Response(200, content=b"ok"))
    polite, _ = client(handle, per_host_concurrency=4)
    started = time.monotonic()
    for path in ("a", "b", "c"):
        await polite.get(f"https://n.test/{path}", "article")
    assert time.monotonic() - started >= 0.4  # robots.txt first, then three spaced by 0.2s
