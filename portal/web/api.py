"""The JSON API's common parts: bearer authentication, JSON bodies, errors, the OpenAPI document."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from portal.auth.api_clients import authenticated_client
from portal.auth.models import ApiClient

ApiHandler = Callable[[Request, ApiClient], Awaitable[Response]]


def problem(status: int, title: str, errors: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"status": status, "title": title}
    if errors:
        body["errors"] = [{"field": name, "message": message} for name, message in errors.items()]
    headers = {"WWW-Authenticate": 'Bearer realm="portal"'} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def api_endpoint(handler: ApiHandler) -> Callable[[Request], Awaitable[Response]]:
    """Only for a known, unrevoked API client's bearer token."""

    async def endpoint(request: Request) -> Response:
        client = await authenticated_client(request, request.app.state.database)
        if client is None:
            return problem(401, "A valid bearer token is required.")
        return await handler(request, client)

    endpoint.__name__ = handler.__name__
    return endpoint


async def json_object(request: Request) -> dict[str, Any] | JSONResponse:
    """The request's JSON object, or the 422 answer saying why there is none."""
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return problem(422, "The body must be JSON.")
    if not isinstance(body, dict):
        return problem(422, "The body must be a JSON object.")
    return body


def openapi_document(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Participant portal API",
            "version": "1",
            "description": "For case-management and reporting systems: push plan data, "
            "export consented hour histories. Bearer token per client "
            "(`portal api-client create NAME`).",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["status", "title"],
                    "properties": {
                        "status": {"type": "integer"},
                        "title": {"type": "string"},
                        "errors": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "field": {"type": "string"},
                                    "message": {"type": "string"},
                                },
                            },
                        },
                    },
                },
                **schemas,
            },
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }
