"""A session's last_seen is written at most once a minute per process, also when many of its
requests arrive together (they all read the same stale moment)."""

from __future__ import annotations

import datetime as dt

from portal.auth.sessions import LAST_SEEN_RESOLUTION, ServerSessionMiddleware
from portal.settings import Settings


def middleware() -> ServerSessionMiddleware:
    settings = Settings.from_env({"PORTAL_SECRET_KEY": "x" * 32, "PORTAL_DEV_IDP": "1"})

    async def app(scope: object, receive: object, send: object) -> None:
        return None

    return ServerSessionMiddleware(app, lambda: None, settings)  # type: ignore[arg-type,return-value]


def test_of_requests_that_read_the_same_stale_moment_only_the_first_writes_it() -> None:
    sessions = middleware()
    seen = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
    now = seen + LAST_SEEN_RESOLUTION + dt.timedelta(seconds=1)
    together = [sessions.stale("s1", seen, now) for _ in range(32)]
    assert together == [True] + [False] * 31
    assert sessions.stale("s2", seen, now), "another session is its own"


def test_a_recent_moment_is_not_written_and_a_minute_later_it_is_again() -> None:
    sessions = middleware()
    seen = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
    assert not sessions.stale("s1", seen, seen + dt.timedelta(seconds=30))
    first = seen + dt.timedelta(seconds=61)
    assert sessions.stale("s1", seen, first)
    assert not sessions.stale("s1", seen, first + dt.timedelta(seconds=59))
    assert sessions.stale("s1", seen, first + dt.timedelta(seconds=61))
