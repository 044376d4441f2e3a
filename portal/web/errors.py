"""Error pages (403, 404, 500, 503 and friends) in the user's language, never a stack trace."""

from __future__ import annotations

import logging
import sqlite3
from http import HTTPStatus

from sqlalchemy.exc import DatabaseError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.web.api import problem
from portal.web.i18n import choose_language, current_language
from portal.web.observability import request_id, route_template
from portal.web.templating import pages

log = logging.getLogger("portal")


async def error_page(request: Request, status_code: int, reason: str | None = None) -> Response:
    if request.url.path.startswith("/api/"):
        if status_code == 429:
            return problem(429, "Too many requests: try again after Retry-After seconds.")
        return problem(status_code, reason or HTTPStatus(status_code).phrase)
    # A failure may come before the locale middleware ran; pick the language again.
    current_language.set(choose_language(request))
    response = pages(request).render(
        request,
        "errors/error.html",
        {"status": status_code, "reason": reason, "reference": request_id(request.scope)},
        status_code,
    )
    return response


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code in (301, 302, 303, 307, 308) and exc.headers:
        return Response(status_code=exc.status_code, headers=exc.headers)
    response = await error_page(
        request, exc.status_code, exc.detail if exc.status_code < 500 else None
    )
    if exc.headers and exc.status_code in (405, 429, 503):  # Allow, Retry-After
        response.headers.update(exc.headers)
    return response


def database_away(exc: Exception) -> bool:
    """An error that says the database cannot be reached or read now (not a refused write)."""
    if isinstance(exc, OperationalError | InterfaceError) or type(exc) is DatabaseError:
        return True  # as SQLAlchemy raises them
    # and as the SQLite driver raises them on the fast read path
    return isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError


async def server_error(request: Request, exc: Exception) -> Response:
    """Anything unexpected, from a route or a middleware: 503 when the database is away."""
    if database_away(exc):
        log.error(
            "database unavailable (request %s): %s", request_id(request.scope), type(exc).__name__
        )
        return await error_page(request, 503)
    log.exception(
        "unhandled error (request %s) on %s %s",
        request_id(request.scope),
        request.method,
        route_template(request.scope),
        exc_info=exc,
    )
    return await error_page(request, 500)


class ErrorPageMiddleware:
    """Turns an unexpected error into the error page inside the other middleware, so that the
    page (500, or 503 when the database is away) goes out with the security headers and
    compressed like every other. (Starlette's own handler, outside all middleware, stays as
    the last resort.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:
                raise
            request = Request(scope, receive)
            if isinstance(exc, HTTPException):
                response = await http_exception(request, exc)
            else:
                response = await server_error(request, exc)
            await response(scope, receive, send)


EXCEPTION_HANDLERS = {HTTPException: http_exception, Exception: server_error}
