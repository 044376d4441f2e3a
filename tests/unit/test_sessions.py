"""When a stored session may no longer be used."""

from __future__ import annotations

import datetime as dt

from portal.auth.models import WebSession
from portal.auth.sessions import why_ended
from portal.settings import Settings

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
SETTINGS = Settings.from_env({"PORTAL_SECRET_KEY": "x" * 20, "PORTAL_DEV_IDP": "1"})


def session(kind: str, idle_minutes: float, age_minutes: float = 60) -> WebSession:
    return WebSession(
        id="x",
        user_kind=kind,
        created_at=NOW - dt.timedelta(minutes=age_minutes),
        authenticated_at=NOW - dt.timedelta(minutes=age_minutes),
        last_seen_at=NOW - dt.timedelta(minutes=idle_minutes),
    )


def test_a_participant_session_ends_after_30_idle_minutes() -> None:
    assert why_ended(session("participant", 29.9), SETTINGS, NOW) is None
    assert why_ended(session("participant", 30.1), SETTINGS, NOW) == "idle"


def test_a_staff_session_ends_after_60_idle_minutes() -> None:
    assert why_ended(session("staff", 45), SETTINGS, NOW) is None
    assert why_ended(session("staff", 60.1), SETTINGS, NOW) == "idle"


def test_any_session_ends_12_hours_after_login_however_active() -> None:
    assert why_ended(session("staff", 0, age_minutes=719), SETTINGS, NOW) is None
    assert why_ended(session("staff", 0, age_minutes=721), SETTINGS, NOW) == "absolute"


def test_a_revoked_session_is_over() -> None:
    record = session("participant", 0)
    record.revoked_at = NOW
    assert why_ended(record, SETTINGS, NOW) == "revoked"
