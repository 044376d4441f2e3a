"""API clients: creating and revoking them, and authenticating a request's bearer token."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from portal.auth.models import ApiClient
from portal.db import Database, detached, utcnow
from portal.web.api import problem

TOKEN_PREFIX = "ppt_"  # noqa: S105 -- a marker that makes leaked tokens findable, not a secret


def api_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiClientError(Exception):
    pass


async def create_api_client(db: AsyncSession, name: str) -> str:
    """A new client; returns its token, which is shown once and never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ApiClientError("the name must be 1 to 100 characters")
    existing = await db.scalar(select(ApiClient).where(ApiClient.name == name))
    if existing is not None:
        raise ApiClientError(f"a client called {name!r} exists already")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.add(ApiClient(name=name, token_hash=api_token_hash(token), created_at=utcnow()))
    await db.flush()
    return token


async def revoke_api_client(db: AsyncSession, name: str) -> None:
    result = await db.execute(
        update(ApiClient)
        .where(ApiClient.name == name, ApiClient.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if getattr(result, "rowcount", 0) != 1:
        raise ApiClientError(f"no active client called {name!r}")


@cache
def active_client_query() -> Any:
    """The unrevoked client with a token hash; built once, run with {"token_hash": ...}."""
    table = ApiClient.__table__
    return select(table).where(
        table.c.token_hash == bindparam("token_hash"), table.c.revoked_at.is_(None)
    )


async def authenticated_client(request: Request, database: Database) -> ApiClient | None:
    """The client whose token the request carries, unless unknown or revoked."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        return None
    row = await database.read_one(
        active_client_query(), {"token_hash": api_token_hash(token.strip())}
    )
    return None if row is None else detached(ApiClient, row._mapping)


ApiHandler = Callable[[Request, ApiClient], Awaitable[Response]]


def api_endpoint(handler: ApiHandler) -> Callable[[Request], Awaitable[Response]]:
    """Only for a known, unrevoked API client's bearer token."""

    async def endpoint(request: Request) -> Response:
        client = await authenticated_client(request, request.app.state.database)
        if client is None:
            return problem(401, "A valid bearer token is required.")
        return await handler(request, client)

    endpoint.__name__ = handler.__name__
    return endpoint
