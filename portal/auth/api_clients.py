"""API clients: creating and revoking them, and authenticating a request's bearer token."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from portal.auth.models import ApiClient
from portal.db import Database, utcnow

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


async def authenticated_client(request: Request, database: Database) -> ApiClient | None:
    """The client whose token the request carries, unless unknown or revoked."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        return None
    table = ApiClient.__table__
    query = select(table).where(
        table.c.token_hash == api_token_hash(token.strip()), table.c.revoked_at.is_(None)
    )
    row = await database.read_one(query)
    return None if row is None else ApiClient(**row._mapping)
