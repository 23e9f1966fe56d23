"""The local news site every ingest test polls, and the SOURCES file that lists it."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.ingest.fetch import FetchPolicy
from tests.ingest import server
from tests.ingest.server import Answer, Site

# Generous for a page on localhost, short enough that the slow page costs the suite little.
TIMEOUT_S = 0.5
MAX_BYTES = 1_000_000


def fast_policy() -> FetchPolicy:
    return FetchPolicy(
        timeout_s=TIMEOUT_S,
        max_bytes=MAX_BYTES,
        retries=2,
        backoff_s=0.02,
        per_host_concurrency=4,
        per_host_rate=None,
    )


@dataclass
class NewsSite:
    site: Site
    sources_file: Path
    # Paths of articles every run must produce exactly once overall.
    articles: list[str]
    # Fault name -> path, each of which must fail and be logged.
    faults: dict[str, str]
    disallowed: str

    def url(self, path: str) -> str:
        return self.site.url(path)


@pytest.fixture()
def real_pages(shared_dir: Path) -> list[Path]:
    folder = shared_dir / "data" / "extraction" / "html"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent: the real article pages are needed")
    pages = sorted(folder.glob("*.html.gz"))
    return [p for p in pages if len(gzip.decompress(p.read_bytes())) < MAX_BYTES][:12]


@pytest.fixture()
def news_site(real_pages: list[Path], tmp_path: Path) -> Iterator[NewsSite]:
    if len(real_pages) < 12:
        pytest.skip("fewer than 12 real pages under the size limit")
    site = Site()
    with server.serve(site) as running:
        yield _build(running, real_pages, tmp_path)


def _build(site: Site, pages: list[Path], tmp_path: Path) -> NewsSite:
    u = site.url
    article = [f"/news/{n}.html" for n in range(1, 11)]
    for path, page in zip(article, pages, strict=False):
        site.routes[path] = server.gzipped_page(page)
    faults = {
        "http_404": "/news/gone.html",
        "http_5xx": "/news/down.html",
        "timeout": "/news/slow.html",
        "too_large": "/news/huge.html",
        "too_many_redirects": "/loop/a",
    }
    disallowed = "/private/secret.html"
    ok = Answer(200, b"<html><body><p>fine</p></body></html>", {"Content-Type": "text/html"})
    site.routes.update(
        {
            "/robots.txt": lambda _h: Answer(
                200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"}
            ),
            faults["http_5xx"]: lambda _h: Answer(503, b"down"),
            faults["timeout"]: server.slow(TIMEOUT_S * 2, ok),
            faults["too_large"]: lambda _h: Answer(
                200,
                b"<p>" + b"x" * (MAX_BYTES + 10),
                {"Content-Type": "text/html", "X-Stream": "1"},
            ),
            "/loop/a": server.redirect("/loop/b"),
            "/loop/b": server.redirect("/loop/a"),
            disallowed: lambda _h: Answer(200, b"<p>secret</p>", {"Content-Type": "text/html"}),
            # 500 once, then the page: the retry makes it an ordinary article.
            "/news/flaky.html": server.flaky(
                Answer(200, b"<html><p>flaky but there</p></html>", {"Content-Type": "text/html"})
            ),
            # Windows-1252 bytes declared as UTF-8.
            "/news/mislabelled.html": lambda _h: Answer(
                200,
                "<html><p>Caf\u00e9 \u2013 na\u00efve r\u00e9sum\u00e9</p></html>".encode("cp1252"),
                {"Content-Type": "text/html; charset=utf-8"},
            ),
            "/news/moved.html": server.redirect("/news/10.html", 301),
            "/not-a-feed.html": lambda _h: Answer(
                200, b"<html>hi</html>", {"Content-Type": "text/html"}
            ),
            "/broken-feed.xml": lambda _h: Answer(500, b"feed generator crashed"),
        }
    )
    date = "Wed, 25 Nov 2026 10:00:00 GMT"
    site.routes["/rss.xml"] = server.conditional(
        server.rss(
            [
                (u(article[0]), "One", date),
                (u(article[1]), "Two", date),
                (u(disallowed), "Secret", date),
                (u(faults["http_404"]), "Gone", date),
                (u(faults["http_5xx"]), "Down", date),
                (u("/news/flaky.html") + "?utm_source=rss", "Flaky", date),
                (u("/news/mislabelled.html"), "Mislabelled", date),
            ]
        ),
        etag='"rss-v1"',
        last_modified=None,
    )
    site.routes["/atom.xml"] = server.conditional(
        server.atom(
            [
                (u(article[0]), "One again", "2026-11-25T10:00:00Z"),  # also in the RSS feed
                (u(article[2]), "Three", "2026-11-25T11:00:00Z"),
                (u(faults["timeout"]), "Slow", "2026-11-25T11:00:00Z"),
                (u(faults["too_large"]), "Huge", "2026-11-25T11:00:00Z"),
                (u(faults["too_many_redirects"]), "Loop", "2026-11-25T11:00:00Z"),
                (u("/news/moved.html"), "Moved", "2026-11-25T11:00:00Z"),
            ]
        ),
        etag=None,
        last_modified=1_795_600_000,
    )
    # An old-style RSS 0.91 feed with no validators: fetched in full every time.
    site.page(
        "/rss091.xml",
        server.rss([(u(article[3]), "Four", date)], version="0.91"),
        "application/rss+xml",
    )
    site.page(
        "/sitemap_index.xml",
        server.sitemap_index([u("/sitemap-news.xml"), u("/sitemap-more.xml.gz")]),
        "application/xml",
    )
    site.page(
        "/sitemap-news.xml",
        server.news_sitemap(
            [
                (u(article[4]), "Five", "2026-11-25T12:00:00+01:00"),
                (u(article[5]), "Six", "2026-11-25T12:00:00+01:00"),
            ]
        ),
        "application/xml",
    )
    site.page(
        "/sitemap-more.xml.gz",
        gzip.compress(
            server.news_sitemap(
                [(u(article[6]), "Seven", "2026-11-25"), (u(article[7]), "Eight", "2026-11-25")]
            )
        ),
        "application/x-gzip",
    )
    site.page("/feed-extra.xml", server.rss([(u(article[8]), "Nine", date)]), "application/rss+xml")
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "defaults:\n  poll_interval: 300\nsources:\n"
        f"  - url: {u('/rss.xml')}\n    name: rss\n    language: en\n"
        f"  - url: {u('/atom.xml')}\n    name: atom\n"
        f"  - url: {u('/rss091.xml')}\n    name: rss091\n"
        f"  - url: {u('/sitemap_index.xml')}\n    name: sitemaps\n"
        f"  - url: {u('/feed-extra.xml')}\n    name: extra\n"
        f"  - url: {u('/broken-feed.xml')}\n    name: broken\n"
        f"  - url: {u('/not-a-feed.html')}\n    name: not-a-feed\n"
    )
    produced = [*article[:10], "/news/flaky.html", "/news/mislabelled.html"]
    return NewsSite(site, sources, produced, faults, disallowed)
