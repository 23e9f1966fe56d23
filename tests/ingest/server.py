"""A local news site for the ingest tests: feeds, sitemaps, real article pages, and faults.

Runs ``http.server`` on 127.0.0.1 in a thread. ``routes`` maps a path to a handler; tests may
change them between runs (to publish an update, say). ``requests`` records every request
(path, headers, status) so a test can assert what was and was not fetched.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[dict[str, str]], Answer]


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    status: int


@dataclass
class Site:
    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def paths(self) -> list[str]:
        with self.lock:
            return [r.path for r in self.requests]

    def statuses(self, path: str) -> list[int]:
        with self.lock:
            return [r.status for r in self.requests if r.path == path]

    def page(self, path: str, body: bytes, content_type: str = "text/html") -> None:
        self.routes[path] = lambda _h: Answer(200, body, {"Content-Type": content_type})


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            headers = {k.lower(): v for k, v in self.headers.items()}
            route = site.routes.get(self.path)
            answer = route(headers) if route else Answer(404, b"not found")
            with site.lock:
                site.requests.append(Request(self.path, headers, answer.status))
            try:
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in answer.headers and not answer.headers.get("X-Stream"):
                    self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout or a size limit): expected here

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


@contextmanager
def serve(site: Site) -> Iterator[Site]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# Builders for the documents a news site serves.


def rss(items: list[tuple[str, str, str]], version: str = "2.0") -> bytes:
    """RSS with (link, title, pubDate) items."""
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate></item>"
        for link, title, date in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="{version}"><channel>'
        f"<title>Local news</title><link>/</link><description>d</description>"
        f"<language>en</language>{entries}</channel></rss>"
    ).encode()


def atom(items: list[tuple[str, str, str]]) -> bytes:
    """Atom with (link, title, updated) entries."""
    entries = "".join(
        f'<entry><title>{title}</title><link rel="alternate" href="{link}"/>'
        f"<id>{link}</id><updated>{updated}</updated></entry>"
        for link, title, updated in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Atom news</title><id>urn:x</id><updated>2026-11-26T08:00:00Z</updated>"
        f"{entries}</feed>"
    ).encode()


def news_sitemap(items: list[tuple[str, str, str]]) -> bytes:
    """A news sitemap with (loc, title, publication_date) entries."""
    entries = "".join(
        f"<url><loc>{loc}</loc><news:news><news:publication><news:name>Local</news:name>"
        f"<news:language>de</news:language></news:publication>"
        f"<news:publication_date>{date}</news:publication_date>"
        f"<news:title>{title}</news:title></news:news></url>"
        for loc, title, date in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{entries}</urlset>"
    ).encode()


def sitemap_index(locs: list[str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
        "</sitemapindex>"
    ).encode()


def conditional(body: bytes, etag: str | None, last_modified: float | None) -> Route:
    """A document that answers 304 when the client's validators still match."""
    stamp = formatdate(last_modified, usegmt=True) if last_modified else None

    def route(headers: dict[str, str]) -> Answer:
        if (etag and headers.get("if-none-match") == etag) or (
            stamp and not etag and headers.get("if-modified-since") == stamp
        ):
            return Answer(304)
        validators = {"ETag": etag} if etag else {}
        if stamp:
            validators["Last-Modified"] = stamp
        return Answer(200, body, {"Content-Type": "application/xml", **validators})

    return route


def gzipped_page(path: Path) -> Route:
    """A real page, sent gzip-encoded in transit as most news sites do."""
    data = path.read_bytes()

    def route(headers: dict[str, str]) -> Answer:
        if "gzip" in headers.get("accept-encoding", ""):
            return Answer(200, data, {"Content-Type": "text/html", "Content-Encoding": "gzip"})
        return Answer(200, gzip.decompress(data), {"Content-Type": "text/html"})

    return route


def flaky(then: Answer, failures: int = 1) -> Route:
    """500 for the first ``failures`` requests, then ``then``."""
    count = {"n": 0}

    def route(_headers: dict[str, str]) -> Answer:
        count["n"] += 1
        return Answer(500, b"oops") if count["n"] <= failures else then

    return route


def slow(seconds: float, then: Answer) -> Route:
    def route(_headers: dict[str, str]) -> Answer:
        time.sleep(seconds)
        return then

    return route


def redirect(to: str, status: int = 302) -> Route:
    return lambda _h: Answer(status, b"", {"Location": to})
