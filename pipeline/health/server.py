"""One small HTTP server per worker: ``/metrics``, ``/healthz`` and ``/readyz``.

prometheus_client's own server only knows /metrics, so its WSGI app is mounted here behind a
three-route router on wsgiref, served from a daemon thread: a probe never waits on the event
loop it is judging. Health answers are JSON, 200 when the check passes and 503 when not.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import REGISTRY, CollectorRegistry, make_wsgi_app

from pipeline.health.state import Health

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]


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
    ) -> None:
        self._check = check
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
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found: try /metrics, /healthz or /readyz\n"]
