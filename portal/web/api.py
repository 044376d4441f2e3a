"""The JSON API's common parts: bearer authentication, JSON bodies, errors, the OpenAPI document."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from portal.web.forms import whole_number

PROBLEM_TYPE = "application/problem+json"
# Far more than any plan or export request needs; a larger body is refused before it is read.
MAX_BODY_BYTES = 256 * 1024
MAX_DEPTH = 6


class BodyRefused(ValueError):
    """Why a body is not the JSON object an endpoint reads."""


def problem(
    status: int, title: str, errors: dict[str, str] | None = None, **extensions: Any
) -> JSONResponse:
    """An error of the API as an RFC 9457 problem document (with its extension members)."""
    body: dict[str, Any] = {"status": status, "title": title, **extensions}
    if errors:
        body["errors"] = [{"field": name, "message": message} for name, message in errors.items()]
    headers = {"WWW-Authenticate": 'Bearer realm="portal"'} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_TYPE)


def _object_without_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise BodyRefused("A key appears twice in an object.")
    return found


def _refuse_constant(name: str) -> Any:
    raise BodyRefused(f"{name} is not JSON.")


# Control characters but tab, newline and carriage return: never stored (PostgreSQL refuses NUL).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _refusal(value: Any, depth: int = 0) -> str | None:
    """What is wrong with a parsed body's shape or texts, walking it once; None if nothing."""
    if depth > MAX_DEPTH:
        return "The body is nested too deeply."
    if isinstance(value, str):
        return "Text may not hold control characters." if _CONTROL.search(value) else None
    items: list[Any] = []
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    for item in items:
        refusal = _refusal(item, depth + 1)
        if refusal:
            return refusal
    return None


def parse_object(raw: bytes) -> dict[str, Any]:
    """A JSON object from the body, strictly: UTF-8, no key twice, no NaN, shallow."""
    try:
        body = json.loads(
            raw.decode("utf-8"),
            object_pairs_hook=_object_without_repeated_keys,
            parse_constant=_refuse_constant,
        )
    except BodyRefused:
        raise
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise BodyRefused("The body must be JSON in UTF-8.") from error
    if not isinstance(body, dict):
        raise BodyRefused("The body must be a JSON object.")
    refusal = _refusal(body)
    if refusal:
        raise BodyRefused(refusal)
    return body


async def json_object(request: Request) -> dict[str, Any] | JSONResponse:
    """The request's JSON object, or the problem saying why there is none (413, 422)."""
    declared = whole_number(request.headers.get("content-length", "0"))
    if declared is None or declared > MAX_BODY_BYTES:
        return problem(413, f"The body may hold at most {MAX_BODY_BYTES} bytes.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return problem(413, f"The body may hold at most {MAX_BODY_BYTES} bytes.")
        chunks.append(chunk)
    try:
        return parse_object(b"".join(chunks))
    except BodyRefused as refused:
        return problem(422, str(refused))


def problem_response(description: str) -> dict[str, Any]:
    """An OpenAPI response that is a problem document."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {PROBLEM_TYPE: {"schema": schema}}}


def openapi_document(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Participant portal API",
            "version": "1",
            "description": "For case-management and reporting systems: push plan data, "
            "export consented hour histories. Bearer token per client, with the scopes it "
            "was given (`portal api-client create NAME --scope plan:write --scope "
            "exports:read`): the plan operations need plan:write, the exports exports:read "
            "(403 otherwise).",
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
                        "current_version": {
                            "type": "integer",
                            "description": "With 409: the latest version, to base a change on",
                        },
                    },
                },
                **schemas,
            },
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }
