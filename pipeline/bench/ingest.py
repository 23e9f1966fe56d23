"""``python -m pipeline.bench.ingest``: pages/s of one ``ingest --once`` round on localhost.

A throwaway site on 127.0.0.1 (robots.txt, a news sitemap of N generated pages of about 20 KB)
is polled once with the in-memory sink and seen-store and no per-host rate limit, so the
figure is the cost of our own fetch, decode and record path, not a site's. The server runs in
this process and shares its CPU. The runtime never imports this module.
"""

from __future__ import annotations

import argparse
import asyncio
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry

from pipeline.ingest.config import Source
from pipeline.ingest.fetch import FetchPolicy
from pipeline.ingest.seen import MemorySeenStore
from pipeline.ingest.service import run_ingest
from pipeline.ingest.sink import MemorySink
from pipeline.metrics.ingest import IngestMetrics

_PARAGRAPH = (
    "<p>" + "A sentence of a generated article, long enough to look like one. " * 6 + "</p>"
)


def _page(number: int) -> bytes:
    body = "".join(_PARAGRAPH for _ in range(50))
    return f"<html><head><title>Article {number}</title></head><body>{body}</body></html>".encode()


def _sitemap(base: str, pages: int) -> bytes:
    urls = "".join(f"<url><loc>{base}/a/{n}.html</loc></url>" for n in range(pages))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


def _server(pages: int) -> tuple[ThreadingHTTPServer, str]:
    state: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real site would offer
        # Headers and body leave in two writes; with Nagle on, each page waits for a delayed
        # ACK (40 ms) and the figure would measure that instead of the client.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            if self.path == "/robots.txt":
                body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
            elif self.path == "/sitemap.xml":
                body, kind = state["sitemap"], "application/xml"
            else:
                body, kind = _page(int(self.path.rsplit("/", 1)[-1].split(".")[0])), "text/html"
            self.send_response(200)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    state["sitemap"] = _sitemap(base, pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base


def bench(pages: int = 500, concurrency: int = 8) -> float:
    """Fetch ``pages`` pages in one round; return pages per second."""
    server, base = _server(pages)
    policy = FetchPolicy(per_host_rate=None, per_host_concurrency=concurrency, timeout_s=30)
    sink = MemorySink()
    try:
        started = time.perf_counter()
        summary = asyncio.run(
            run_ingest(
                [Source(url=f"{base}/sitemap.xml", name="bench")],
                sink,
                MemorySeenStore(),
                IngestMetrics.create(CollectorRegistry()),
                policy=policy,
                once=True,
            )
        )
        seconds = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    if summary.produced != pages:
        raise RuntimeError(f"produced {summary.produced} of {pages} pages: {summary.line()}")
    return pages / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight to the host")
    args = parser.parse_args()
    rate = bench(args.pages, args.concurrency)
    print(f"ingest --once: {args.pages} pages, concurrency {args.concurrency}: {rate:.0f} pages/s")


if __name__ == "__main__":
    main()
