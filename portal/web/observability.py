"""What the portal tells the people who run it: a request id on every answer (and on error
pages, so that "it failed" can be found), one JSON line per request in the access log, and
request counts and durations for `/metrics` in Prometheus's text format.

The access log names the route's template ("/plan/initiatives/{initiative_id:int}/history"),
never the path itself, the query or a header: no personal number, token or search term is
written to it."""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import json
import os
import random
import re
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TextIO

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.web.access import by_token

REQUEST_ID_HEADER = "X-Request-ID"
# An id a proxy in front already gave the request is kept when it looks like one.
_GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Request durations, in seconds, at which the histogram counts.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def request_id(scope: Scope) -> str | None:
    """The id of the request being answered (None outside one)."""
    found: str | None = scope.get("portal.request_id")
    return found


def route_template(scope: Scope) -> str:
    """The template of the route that took the request; "unmatched" when none did."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return "unmatched"
    if path == "/dev-idp":  # a mount: its own routes are beneath it
        return path + "/…"
    return path


def user_kind(scope: Scope) -> str:
    """Who asked, as a kind only: participant, staff, api or anonymous."""
    session = scope.get("portal.session")
    kind = getattr(session, "user_kind", None)
    if kind in ("participant", "staff"):
        return str(kind)
    if scope["path"].startswith("/api/"):
        return "api"
    return "anonymous"


class Metrics:
    """Counts and durations of the requests this process answered, by route template."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str, int], int] = {}
        self.histograms: dict[str, list[float]] = {}  # bucket counts…, +Inf count, sum

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        self.counts[key] = self.counts.get(key, 0) + 1
        histogram = self.histograms.get(route)
        if histogram is None:
            histogram = self.histograms[route] = [0.0] * (len(BUCKETS) + 2)
        for index, bound in enumerate(BUCKETS):
            if seconds <= bound:
                histogram[index] += 1
        histogram[-2] += 1
        histogram[-1] += seconds

    def lines(self) -> list[str]:
        out = [
            "# HELP portal_requests_total Requests answered, by method, route and status.",
            "# TYPE portal_requests_total counter",
        ]
        for (method, route, status), count in sorted(self.counts.items()):
            labels = f'method="{method}",route="{_label(route)}",status="{status}"'
            out.append(f"portal_requests_total{{{labels}}} {count}")
        out += [
            "# HELP portal_request_duration_seconds Time to answer a request, by route.",
            "# TYPE portal_request_duration_seconds histogram",
        ]
        for route, histogram in sorted(self.histograms.items()):
            name = f'route="{_label(route)}"'
            for bound, seen in zip(BUCKETS, histogram, strict=False):
                bucket = f'portal_request_duration_seconds_bucket{{{name},le="{bound}"}}'
                out.append(f"{bucket} {int(seen)}")
            total = int(histogram[-2])
            out.append(f'portal_request_duration_seconds_bucket{{{name},le="+Inf"}} {total}')
            out.append(f"portal_request_duration_seconds_sum{{{name}}} {histogram[-1]:.6f}")
            out.append(f"portal_request_duration_seconds_count{{{name}}} {total}")
        return out


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class AccessLog:
    """The access log: one JSON line per answered request, on standard output. The lines of
    one turn of the event loop go out together in one write; a line per write, through the
    logging module, cost a small page a sixth of its time."""

    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream  # None: standard output as it is when the lines are written
        self.pending: list[str] = []
        self.loop: asyncio.AbstractEventLoop | None = None  # whose turn writes them

    def add(self, line: str) -> None:
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if self.pending and loop is not self.loop:
            self.flush()  # lines of a loop that ended before its turn came round
        self.pending.append(line)
        if loop is None:
            self.flush()  # not in an event loop: written at once
        elif len(self.pending) == 1:
            self.loop = loop
            loop.call_soon(self.flush)

    def flush(self) -> None:
        if not self.pending:
            return
        text = "\n".join(self.pending) + "\n"
        self.pending = []
        stream = self.stream or sys.stdout
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):
            pass  # standard output closed or gone: the lines are lost, the answers go on


def log_line(method: str, route: str, status: int, seconds: float, user: str, rid: str) -> str:
    """The access log's line of a request (the keys in this order, as json.dumps writes them)."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    return (
        f'{{"time": "{now}", "method": {_json_text(method)}, "route": {_json_text(route)}, '
        f'"status": {status}, "duration_ms": {round(seconds * 1000, 2)}, "user": "{user}", '
        f'"request_id": "{rid}"}}'
    )


_JSON_TEXTS: dict[str, str] = {}


def _json_text(value: str) -> str:
    """`value` as a JSON string; the routes' templates and the methods are few and come back on
    every request (a client's odd method is not kept)."""
    found = _JSON_TEXTS.get(value)
    if found is None:
        found = json.dumps(value, ensure_ascii=False)
        if len(_JSON_TEXTS) < 1000 and value.isascii():
            _JSON_TEXTS[value] = found
    return found


# Request ids need to be distinct, not secret: a generator of the process's own, seeded from
# the system's randomness and again in every process forked from it.
_ids = random.Random()  # noqa: S311 (an id, not a secret)
os.register_at_fork(after_in_child=_ids.seed)


def new_request_id() -> str:
    return f"{_ids.getrandbits(64):016x}"


class RequestLogMiddleware:
    """The outermost layer: gives the request its id, sends it back in X-Request-ID, and when
    the answer is sent writes the access log line and counts it."""

    def __init__(self, app: ASGIApp, metrics: Metrics, log: AccessLog) -> None:
        self.app = app
        self.metrics = metrics
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                given = value.decode("latin-1")
        identifier = given if given and _GIVEN_ID.fullmatch(given) else new_request_id()
        scope["portal.request_id"] = identifier
        status = 500  # unless an answer is started
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", identifier.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            self.metrics.observe(scope["method"], route, status, seconds)
            if self.log.enabled:
                self.log.add(
                    log_line(scope["method"], route, status, seconds, user_kind(scope), identifier)
                )


Collector = Callable[[], Awaitable[Sequence[str]]]


def metrics_route(metrics: Metrics, token: str, collectors: Sequence[Collector]) -> Route:
    """`/metrics` for a scraper that sends the configured bearer token (404 for anyone else,
    and for everyone when no token is configured)."""

    async def endpoint(request: Request) -> Response:
        given = request.headers.get("authorization", "")
        if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return PlainTextResponse("Not Found", status_code=404)
        lines = metrics.lines()
        for collect in collectors:
            lines += await collect()
        return PlainTextResponse(
            "\n".join(lines) + "\n",
            media_type="text/plain; version=0.0.4; charset=utf-8",
            headers={"Cache-Control": "no-store"},
        )

    return Route("/metrics", by_token(endpoint))


def metric(name: str, kind: str, help_text: str, samples: Sequence[tuple[str, Any]]) -> list[str]:
    """One metric's lines: its HELP and TYPE, then each (labels, value) sample."""
    out = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    out += [
        f"{name}{{{labels}}} {value}" if labels else f"{name} {value}" for labels, value in samples
    ]
    return out
