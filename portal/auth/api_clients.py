"""API clients: creating and revoking them, and authenticating a request's bearer token."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable, Collection
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from portal.auth.models import ApiClient
from portal.db import Database, detached, utcnow
from portal.web.access import API, Access, declare
from portal.web.api import problem
from portal.web.ratelimit import limit

TOKEN_PREFIX = "ppt_"  # noqa: S105 -- a marker that makes leaked tokens findable, not a secret


def api_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# What a client may be allowed, each chosen when the client is created: a case system that
# writes plans cannot read everyone's hour exports, and the other way round.
SCOPES = {
    "plan:write": "push participants' plans: goals, agreements and initiatives",
    "exports:read": "export consented hour histories",
}


class ApiClientError(Exception):
    pass


async def create_api_client(db: AsyncSession, name: str, scopes: Collection[str]) -> str:
    """A new client allowed `scopes`; returns its token, which is shown once and never
    stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ApiClientError("the name must be 1 to 100 characters")
    unknown = sorted(set(scopes) - SCOPES.keys())
    if unknown or not scopes:
        raise ApiClientError(
            f"give one or more scopes of {', '.join(SCOPES)}"
            + (f" (unknown: {', '.join(unknown)})" if unknown else "")
        )
    existing = await db.scalar(select(ApiClient).where(ApiClient.name == name))
    if existing is not None:
        raise ApiClientError(f"a client called {name!r} exists already")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.add(
        ApiClient(
            name=name,
            token_hash=api_token_hash(token),
            scopes=" ".join(sorted(set(scopes))),
            created_at=utcnow(),
        )
    )
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


def api_endpoint(handler: ApiHandler, scope: str) -> Callable[[Request], Awaitable[Response]]:
    """Only for a known, unrevoked API client's bearer token that carries `scope`."""
    assert scope in SCOPES, scope

    async def endpoint(request: Request) -> Response:
        client = await authenticated_client(request, request.app.state.database)
        if client is None:
            return problem(401, "A valid bearer token is required.")
        if scope not in client.scopes.split():
            return problem(403, f"This client may not do this: it needs the scope {scope}.")
        await limit(request, "api", str(client.id))
        return await handler(request, client)

    endpoint.__name__ = handler.__name__
    return declare(endpoint, Access(API, scope))
