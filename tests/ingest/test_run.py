"""Two ``--once`` rounds against the local news site, with an in-memory sink and seen-store."""

from __future__ import annotations

import asyncio
import gzip
import logging
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from pipeline.ingest.config import Source, load_sources
from pipeline.ingest.fetch import PoliteClient
from pipeline.ingest.run import Ingestor
from pipeline.ingest.seen import MemorySeenStore
from pipeline.ingest.service import run_ingest
from pipeline.ingest.sink import MemorySink
from pipeline.metrics.ingest import IngestMetrics
from pipeline.sources import article_id
from tests.ingest import server
from tests.ingest.conftest import NewsSite, fast_policy
from tests.ingest.server import Site


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float:
    return registry.get_sample_value(f"news_pipeline_ingest_{name}", labels) or 0.0


async def test_two_rounds_produce_each_reachable_article_exactly_once(
    news_site: NewsSite, real_pages: list[Path], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    sources = load_sources(news_site.sources_file)
    sink, store = MemorySink(), MemorySeenStore()
    rounds = []
    for _ in range(2):
        registry = CollectorRegistry()
        summary = await run_ingest(
            sources, sink, store, IngestMetrics.create(registry), policy=fast_policy(), once=True
        )
        rounds.append((registry, summary))
    (first, first_summary), (second, second_summary) = rounds

    urls = [record["url"] for record in sink.records]
    assert sorted(urls) == sorted(news_site.url(p) for p in news_site.articles)
    assert len(set(urls)) == len(urls)
    assert [k.decode() for k, _v in sink.messages] == [r["id"] for r in sink.records]
    assert all(r["id"] == article_id({"url": r["url"]}) for r in sink.records)
    assert first_summary.produced == len(news_site.articles)
    assert second_summary.produced == 0
    produced = [
        sample(first, "articles_produced_total", source=s.name, revision="new") for s in sources
    ]
    assert sum(produced) == len(news_site.articles)

    # Every fault is counted and logged. (In the second round the feeds that listed the
    # faulty pages answer 304, and a new process has no listing to look at again.)
    for outcome, path in news_site.faults.items():
        assert sample(first, "pages_fetched_total", kind="article", outcome=outcome) == 1, path
    for registry in (first, second):
        assert sample(registry, "sources_polled_total", source="broken", outcome="failed") == 1
        assert sample(registry, "sources_polled_total", source="not-a-feed", outcome="failed") == 1
    warnings = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)
    for path in [*news_site.faults.values(), news_site.disallowed, "/broken-feed.xml"]:
        assert news_site.url(path) in warnings, path
    assert "source not-a-feed:" in warnings and "source broken:" in warnings
    assert sample(first, "fetch_retries_total", kind="article") >= 3  # flaky once, 503 twice
    assert sample(first, "charset_fallbacks_total") == 1

    # robots.txt: the disallowed page is counted and never requested.
    assert sample(first, "pages_fetched_total", kind="article", outcome="robots_disallowed") == 1
    assert not any(p.startswith("/private/") for p in news_site.site.paths())
    assert news_site.site.paths().count("/robots.txt") == 2  # once per round (per process)

    # Conditional GET: the second round costs a 304 for each feed with validators.
    assert news_site.site.statuses("/rss.xml") == [200, 304]
    assert news_site.site.statuses("/atom.xml") == [200, 304]
    assert sample(second, "pages_fetched_total", kind="listing", outcome="not_modified") == 2
    assert sample(second, "sources_polled_total", source="rss", outcome="not_modified") == 1
    assert sample(second, "last_success_timestamp_seconds", source="rss") > 0
    assert sample(second, "last_success_timestamp_seconds", source="broken") == 0
    # Articles already produced are not fetched again.
    assert news_site.site.statuses("/news/1.html") == [200]

    by_url = {record["url"]: record for record in sink.records}
    one = by_url[news_site.url("/news/1.html")]
    assert one["html"] == gzip.decompress(real_pages[0].read_bytes()).decode("utf-8")
    assert one["source"] in ("rss", "atom") and one["language"] in ("en", None)
    rss_item = by_url[news_site.url("/news/2.html")]
    assert (rss_item["title"], rss_item["published_at"], rss_item["language"]) == (
        "Two",
        "2026-11-25T10:00:00Z",
        "en",
    )
    assert rss_item["revision"] == 0 and "update_of" not in rss_item
    sitemap_item = by_url[news_site.url("/news/5.html")]
    assert (sitemap_item["title"], sitemap_item["language"]) == ("Five", "de")
    assert news_site.url("/news/flaky.html") in by_url  # tracking parameter dropped
    assert news_site.url("/news/10.html") in by_url  # reached through a 301
    mislabelled = by_url[news_site.url("/news/mislabelled.html")]
    assert "Caf\u00e9 \u2013 na\u00efve r\u00e9sum\u00e9" in mislabelled["html"]

    user_agents = {r.headers.get("user-agent") for r in news_site.site.requests}
    assert user_agents == {"news-pipeline/0.1.0 (+https://example.invalid/news-pipeline)"}


async def test_a_changed_article_is_sent_again_as_an_update() -> None:
    site = Site()
    with server.serve(site):
        feed = site.url("/feed.xml")
        page = site.url("/story.html")

        def publish(body: str, date: str) -> None:
            site.page("/feed.xml", server.rss([(page, "Story", date)]), "application/rss+xml")
            site.page("/story.html", f"<html><p>{body}</p></html>".encode())

        sources = [Source(url=feed, name="local")]
        sink, store = MemorySink(), MemorySeenStore()

        async def round_() -> None:
            metrics = IngestMetrics.create(CollectorRegistry())
            await run_ingest(sources, sink, store, metrics, policy=fast_policy(), once=True)

        publish("first version", "Wed, 25 Nov 2026 10:00:00 GMT")
        await round_()
        publish("first   version", "Wed, 25 Nov 2026 11:00:00 GMT")  # whitespace only
        await round_()
        publish("second version", "Wed, 25 Nov 2026 12:00:00 GMT")
        await round_()
        await round_()

    first, update = sink.records
    assert first["id"] == update["id"] and sink.messages[0][0] == sink.messages[1][0]
    assert (first["revision"], update["revision"]) == (0, 1)
    assert update["update_of"] == first["content_hash"] != update["content_hash"]
    assert site.statuses("/story.html") == [200, 200, 200]


async def test_a_poll_with_nothing_reachable_fails_without_raising() -> None:
    registry = CollectorRegistry()
    site = Site()
    with server.serve(site):
        url = site.url("/feed.xml")
    # The server is gone: a refused connection, retried, then counted as a failed poll.
    summary = await run_ingest(
        [Source(url=url, name="gone")],
        MemorySink(),
        MemorySeenStore(),
        IngestMetrics.create(registry),
        policy=fast_policy(),
        once=True,
    )
    assert summary.sources_failed == 1
    assert sample(registry, "sources_polled_total", source="gone", outcome="failed") == 1


async def test_an_article_that_failed_is_retried_while_its_feed_answers_304() -> None:
    site = Site()
    with server.serve(site):
        page = site.url("/story.html")
        site.routes["/feed.xml"] = server.conditional(
            server.rss([(page, "Story", "Wed, 25 Nov 2026 10:00:00 GMT")]), '"v1"', None
        )
        # Three 500s outlast the first poll's two retries; the second poll gets the page.
        site.routes["/story.html"] = server.flaky(
            server.Answer(200, b"<p>here</p>", {"Content-Type": "text/html"}), failures=3
        )
        registry = CollectorRegistry()
        metrics = IngestMetrics.create(registry)
        client = PoliteClient(fast_policy(), metrics)
        sink = MemorySink()
        ingestor = Ingestor(
            [Source(url=site.url("/feed.xml"), name="local")],
            client,
            sink,
            MemorySeenStore(),
            metrics,
        )
        try:
            await ingestor.run_once()
            assert sink.messages == []
            await ingestor.run_once()
        finally:
            await client.aclose()
    assert site.statuses("/feed.xml") == [200, 304]
    assert [r["url"] for r in sink.records] == [page]
    assert sample(registry, "pages_fetched_total", kind="article", outcome="http_5xx") == 1


async def test_running_continuously_stops_when_asked() -> None:
    site = Site()
    with server.serve(site):
        page = site.url("/story.html")
        site.page("/feed.xml", server.rss([(page, "Story", "Wed, 25 Nov 2026 10:00:00 GMT")]))
        site.page("/story.html", b"<p>story</p>")
        sink, stop = MemorySink(), asyncio.Event()
        registry = CollectorRegistry()
        running = asyncio.create_task(
            run_ingest(
                [Source(url=site.url("/feed.xml"), name="local", poll_interval=3600)],
                sink,
                MemorySeenStore(),
                IngestMetrics.create(registry),
                policy=fast_policy(),
                stop=stop,
            )
        )
        # The poll is counted once its round ends, a moment after the article is sent.
        polled = {"source": "local", "outcome": "ok"}
        while not sink.messages or not sample(registry, "sources_polled_total", **polled):
            await asyncio.sleep(0.01)
        stop.set()
        summary = await asyncio.wait_for(running, timeout=5)
    assert summary.produced == 1
    assert sample(registry, "sources_polled_total", source="local", outcome="ok") == 1
