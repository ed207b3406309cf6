"""Every request: a request id, one access log line, and the HTTP metrics.

Request id: a sane incoming ``X-Request-ID`` (from a proxy or a client that wants to quote it) is
kept, anything else is replaced by a random one; it is sent back in the answer's header and
bound to every log line written while the request is answered, so a resident quoting the code
on an error page leads to exactly the lines of their request and nothing else.

The access line and the metrics name the **route template** (``/staff/residents/{resident_id}``),
never the path: a path or query string may carry a name (staff search), a certificate (a client
misusing ``/api/v1/verify?…``) or an id. There is no body and no query string in any line.
Probes (``/healthz``, ``/readyz``, ``/metrics``) are logged at DEBUG, so a load balancer polling
every few seconds does not drown the log.

A plain ASGI middleware, not Starlette's ``BaseHTTPMiddleware``: it adds no task per request
and leaves streaming answers alone (the verification API answers over 1,000 requests a second).
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

import structlog
from starlette.datastructures import MutableHeaders
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shomeisho.web.logs import request_logger
from shomeisho.web.metrics import ServiceMetrics

HEADER = "X-Request-ID"
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_PROBES = frozenset({"/healthz", "/readyz", "/metrics"})
UNMATCHED = "(unmatched)"  # no route: a 404, named so, never by its path


class RequestObserver:
    def __init__(self, app: ASGIApp, metrics: ServiceMetrics | None = None) -> None:
        self.app = app
        self.metrics = metrics
        self.log = request_logger("shomeisho.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming(scope) or secrets.token_hex(16)
        root_path = scope.get("root_path", "")
        status = 500  # what the client gets if the app raises before answering
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._done(scope, root_path, status, time.perf_counter() - started)
        # Unbound only after a clean answer: an exception goes on to the error handler outside
        # this middleware, whose log line should carry the id too. Each request runs in a task
        # of its own (with its own copy of the context), so the id never reaches another one.
        structlog.contextvars.reset_contextvars(**bound)

    def _done(self, scope: Scope, root_path: str, status: int, seconds: float) -> None:
        method = scope["method"]
        route = route_template(scope, root_path)
        if self.metrics is not None:
            self.metrics.http_requests.labels(method, route, str(status)).inc()
            self.metrics.http_duration.labels(method, route).observe(seconds)
        log = self.log.debug if route in _PROBES else self.log.info
        log(
            "request",
            method=method,
            route=route,
            status=status,
            duration_ms=round(seconds * 1000, 2),
        )


def route_template(scope: Scope, root_path: str = "") -> str:
    """The template of the route that answered: the route's path, or for a mounted app (the
    static files) the mount's path and ``/{path}``; :data:`UNMATCHED` when none answered.
    ``root_path`` is the scope's before routing: a mount extends it by its own path."""
    route: Any = scope.get("route")
    if isinstance(route, Mount) or route is None:
        mounted = str(scope.get("root_path", ""))
        if mounted.startswith(root_path) and len(mounted) > len(root_path):
            return f"{mounted[len(root_path) :]}/{{path}}"
        return UNMATCHED
    path = getattr(route, "path", None)
    return (path or "/") if isinstance(path, str) else UNMATCHED


def _incoming(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            try:
                candidate = value.decode("ascii")
            except UnicodeDecodeError:
                return None
            return candidate if _SANE.match(candidate) else None
    return None
