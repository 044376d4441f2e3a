"""The JSON API's common parts: bearer authentication, JSON bodies, errors, the OpenAPI document."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse


def problem(status: int, title: str, errors: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"status": status, "title": title}
    if errors:
        body["errors"] = [{"field": name, "message": message} for name, message in errors.items()]
    headers = {"WWW-Authenticate": 'Bearer realm="portal"'} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


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
