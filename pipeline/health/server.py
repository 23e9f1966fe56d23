"""One small HTTP server per worker: ``/metrics``, ``/healthz``, ``/readyz`` and, on a worker
that counts entity trends, ``/trends``.

prometheus_client's own server only knows /metrics, so its WSGI app is mounted here behind a
small router on wsgiref, served from a daemon thread: a probe never waits on the event loop it
is judging. Health answers are JSON, 200 when the check passes and 503 when not.

``/trends?window=1h[&since=ISO][&until=ISO][&type=PER][&entity=NAME][&top=N]`` asks the worker's
own trend rows what ``news-pipeline trends`` asks the topic (pipeline.trends_query: the same
filter and order) and answers JSON lines (``application/x-ndjson``), one row per line as
``trends --json`` prints it; an unusable parameter is a 400 with ``{"error": ...}``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import REGISTRY, CollectorRegistry, make_wsgi_app

from pipeline.health.state import Health
from pipeline.stages.trends import Row
from pipeline.trends_query import TrendQuery, json_line, select

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
_TREND_PARAMETERS = ("window", "since", "until", "type", "entity", "top")


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """Probes every few seconds would drown the worker's log."""


class HealthServer:
    def __init__(
        self,
        check: Callable[[], Health],
        registry: CollectorRegistry = REGISTRY,
        host: str = "0.0.0.0",
        port: int = 9108,
        trends: Callable[[], Iterable[Row]] | None = None,
    ) -> None:
        """``trends``, when given, returns the current trend rows (``TrendsState.rows``); it is
        called from the server's threads and serves ``/trends``."""
        self._check = check
        self._trends = trends
        self._metrics = make_wsgi_app(registry)
        self._server = make_server(
            host, port, self.app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    def start(self) -> HealthServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="health-http", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
            self._thread = None
        self._server.server_close()

    def app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path in ("/metrics", "/"):
            return self._metrics(environ, start_response)  # type: ignore[no-any-return]
        if path in ("/healthz", "/readyz"):
            health = self._check()
            ok = health.alive if path == "/healthz" else health.ready
            body = json.dumps(health.as_dict()).encode()
            status = "200 OK" if ok else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json")])
            return [body]
        if path == "/trends" and self._trends is not None:
            return self._answer_trends(self._trends, environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        routes = "/metrics, /healthz, /readyz" + (", /trends" if self._trends else "")
        return [f"not found: try {routes}\n".encode()]

    def _answer_trends(
        self,
        rows: Callable[[], Iterable[Row]],
        environ: dict[str, Any],
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        try:
            query = _trend_query(environ.get("QUERY_STRING", ""))
        except ValueError as exc:
            start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [json.dumps({"error": str(exc)}).encode()]
        body = "".join(json_line(row) + "\n" for row in select(rows(), query)).encode()
        start_response("200 OK", [("Content-Type", "application/x-ndjson")])
        return [body]


def _trend_query(query_string: str) -> TrendQuery:
    asked = parse_qs(query_string)
    unknown = sorted(set(asked) - set(_TREND_PARAMETERS))
    if unknown:
        raise ValueError(
            f"unknown parameter {', '.join(unknown)}; use {', '.join(_TREND_PARAMETERS)}"
        )
    # A parameter given twice: the last one counts, as in most query-string readers.
    return TrendQuery.parse(**{name: asked.get(name, [None])[-1] for name in _TREND_PARAMETERS})
