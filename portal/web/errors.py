"""Error pages (403, 404, 500, 503 and friends) in the user's language, never a stack trace."""

from __future__ import annotations

import logging
from http import HTTPStatus

from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from portal.web.api import problem
from portal.web.i18n import choose_language, current_language
from portal.web.templating import pages

log = logging.getLogger("portal")


async def error_page(request: Request, status_code: int, reason: str | None = None) -> Response:
    if request.url.path.startswith("/api/"):
        return problem(status_code, reason or HTTPStatus(status_code).phrase)
    # A failure may come before the locale middleware ran; pick the language again.
    current_language.set(choose_language(request))
    response = pages(request).render(
        request, "errors/error.html", {"status": status_code, "reason": reason}, status_code
    )
    return response


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code in (301, 302, 303, 307, 308) and exc.headers:
        return Response(status_code=exc.status_code, headers=exc.headers)
    return await error_page(request, exc.status_code, exc.detail if exc.status_code < 500 else None)


async def server_error(request: Request, exc: Exception) -> Response:
    """Anything unexpected, from a route or a middleware: 503 when the database is away."""
    if isinstance(exc, OperationalError):
        log.error("database unavailable on %s: %s", request.url.path, exc)
        return await error_page(request, 503)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return await error_page(request, 500)


EXCEPTION_HANDLERS = {HTTPException: http_exception, Exception: server_error}
