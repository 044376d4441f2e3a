"""Rate limits kept in the database, so that they hold across processes and restarts: login
attempts per client address, signing starts per user, openings of a shared CV link per link,
API requests per client. Each is a count per fixed window (PORTAL_RATE_LIMITS); over it the
request is answered 429 with Retry-After and a translated page (a problem document on the API).

Subjects are stored only as keyed hashes: the table holds no address, token or user id."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, delete
from starlette.exceptions import HTTPException
from starlette.requests import Request

from portal.db import Database, insert_for, utcnow
from portal.settings import Settings
from portal.web.models import RateLimit


def window_of(now: dt.datetime, seconds: int) -> dt.datetime:
    """The start of the fixed window of `seconds` that `now` falls in."""
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, dt.UTC)


@cache
def _count_statement(dialect: str) -> Any:
    """Count one in the key's window, or start its count when the window is a new one; gives
    the count (run with {"key", "window_start"})."""
    table = cast(Table, RateLimit.__table__)
    values = insert_for(dialect, table).values(
        key=bindparam("key"), window_start=bindparam("window_start"), count=1
    )
    same_window = table.c.window_start == values.excluded.window_start
    return values.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "count": case((same_window, table.c.count + 1), else_=1),
            "window_start": values.excluded.window_start,
        },
    ).returning(table.c.count)


async def count_one(
    database: Database, settings: Settings, kind: str, subject: str, now: dt.datetime | None = None
) -> int | None:
    """Count one more `kind` by `subject`: None when within the limit, else the seconds until
    the window ends (what Retry-After says)."""
    allowed, seconds = settings.rate_limit(kind)
    now = now or utcnow()
    window = window_of(now, seconds)
    digest = hmac.new(settings.secret_key.encode(), subject.encode(), hashlib.sha256)
    key = f"{kind}:{digest.hexdigest()[:48]}"
    statement = _count_statement(database.engine.dialect.name)
    found = await database.write(statement, {"key": key, "window_start": window})
    count = int(found[0][0])
    if count <= allowed:
        return None
    return max(1, int((window + dt.timedelta(seconds=seconds) - now).total_seconds() + 0.999))


async def limit(request: Request, kind: str, subject: str) -> None:
    """Count the request; over the limit, answer 429 with Retry-After (the error page, or a
    problem document under /api)."""
    settings = request.app.state.settings
    wait = await count_one(request.app.state.database, settings, kind, subject)
    if wait is not None:
        raise HTTPException(429, "rate_limited", headers={"Retry-After": str(wait)})


def client_address(request: Request) -> str:
    """The address the request came from (as the proxy in front says, when it is trusted)."""
    return request.client.host if request.client else "unknown"


async def purge_rate_limits(database: Database, now: dt.datetime | None = None) -> int:
    """Remove the counts of windows that ended more than a day ago."""
    before = (now or utcnow()) - dt.timedelta(days=1)
    async with database.transaction() as db:
        result = await db.execute(delete(RateLimit).where(RateLimit.window_start < before))
    return int(getattr(result, "rowcount", 0) or 0)
