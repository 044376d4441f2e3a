"""Server-side sessions kept in the database, with idle and absolute timeouts."""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, delete, or_, select, update
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.auth.models import WebSession
from portal.db import Database, detached, one_file_check, utcnow
from portal.participants.models import Participant
from portal.settings import Settings
from portal.staff.models import Organisation, StaffAuthorization, StaffUser
from portal.staff.service import visible_participant_for
from portal.web.requests import cookies_of

# Writing last_seen on every request would make each page a write; a minute of slack is fine
# for a 30-minute idle timeout.
LAST_SEEN_RESOLUTION = dt.timedelta(seconds=60)


def cookie_name(settings: Settings) -> str:
    return "__Host-portal_session" if settings.secure_cookies else "portal_session"


def token_hash(token: str, key: str = "") -> str:
    """What the table stores of a cookie's token: an HMAC, so a copy of the table opens nothing.
    The tokens of the sessions in use are worked out once per process (a token of a usual
    length: a made-up long one is not kept)."""
    if len(token) <= TOKEN_LENGTH_KEPT:
        return _kept_token_hash(token, key)
    return _token_hash(token, key)


TOKEN_LENGTH_KEPT = 64  # a session's token is 43 characters (32 random bytes)


def _token_hash(token: str, key: str) -> str:
    return hmac.digest(key.encode(), token.encode(), "sha256").hex()


# Each request of a session asks again: OpenSSL's HMAC costs some 15 µs with cold caches.
_kept_token_hash = lru_cache(maxsize=4096)(_token_hash)


class SessionData(dict[str, Any]):
    """The session's free-form data (Authlib keeps its state here); notes any change."""

    changed = False

    def __setitem__(self, key: str, value: Any) -> None:
        self.changed = True
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.changed = True
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            self.changed = True
        return super().pop(key, *default)

    def clear(self) -> None:
        self.changed = True
        super().clear()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.changed = True
        super().update(*args, **kwargs)

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self.changed = True
        return super().setdefault(key, default)


class SessionState:
    """What a request knows of its session: who is logged in and what must be saved."""

    def __init__(
        self,
        record: WebSession | None,
        data: SessionData,
        ended_reason: str | None = None,
        participant: Participant | None = None,
        staff_rows: tuple[list[Any], list[Any]] | None = None,
        participant_rows: tuple[int, list[Any]] | None = None,
    ) -> None:
        self.record = record
        self.participant = participant  # the logged-in participant, read with the session
        # On a staff page: the logged-in staff user's row (with their organisation) and their
        # authorizations' rows, read with the session (`staff_with_session`).
        self.staff_rows = staff_rows
        # On a staff page about a participant: their id (from the path) and their row when
        # this staff user may see them (none when not), read with the session
        # (`participant_with_session`).
        self.participant_rows = participant_rows
        self.data = data
        self.ended_reason = ended_reason  # "idle" or "absolute" when a session just timed out
        self.user_kind: str | None = record.user_kind if record else None
        self.user_id: int | None = record.user_id if record else None
        self.authenticated_at = record.authenticated_at if record else None
        self._rotate = False
        self._revoke = False
        self._login = False

    @property
    def is_authenticated(self) -> bool:
        return self.user_kind is not None

    def log_in(self, kind: str, user_id: int) -> None:
        """Bind the session to a user, under a new id (the old one can't be reused)."""
        self.user_kind = kind
        self.user_id = user_id
        self.authenticated_at = utcnow()
        self._rotate = True
        self._login = True

    def log_out(self) -> None:
        self._revoke = True
        self.user_kind = None
        self.user_id = None


def idle_limit(settings: Settings, kind: str | None) -> dt.timedelta:
    minutes = (
        settings.staff_idle_minutes
        if kind in ("staff", "employer")
        else settings.participant_idle_minutes
    )
    return dt.timedelta(minutes=minutes)


def why_ended(record: WebSession, settings: Settings, now: dt.datetime) -> str | None:
    """Why this stored session may no longer be used, or None while it is valid."""
    if record.revoked_at is not None:
        return "revoked"
    started = record.authenticated_at or record.created_at
    if now - started > dt.timedelta(minutes=settings.absolute_session_minutes):
        return "absolute"
    if now - record.last_seen_at > idle_limit(settings, record.user_kind):
        return "idle"
    return None


@cache
def session_query() -> Select[Any]:
    """A session by its id ({"key"}) and, when a participant is logged in to it, that
    participant: each page of theirs needs both, so they are read in one statement."""
    sessions, participants = WebSession.__table__, Participant.__table__
    return (
        select(
            sessions,
            *(column.label(f"participant_{column.key}") for column in participants.c),
        )
        .select_from(
            sessions.outerjoin(
                participants,
                and_(
                    sessions.c.user_kind == "participant",
                    participants.c.id == sessions.c.user_id,
                ),
            )
        )
        .where(sessions.c.id == bindparam("key"))
    )


STAFF_PAGES = "/staff/"


@cache
def staff_queries() -> tuple[Select[Any], Select[Any], list[str]]:
    """A staff user with their organisation (one row; their columns, then the organisation's
    labelled `org__…`), their authorizations, and the user's column names: unfiltered."""
    users, organisations = StaffUser.__table__, Organisation.__table__
    user = select(
        users, *(column.label(f"org__{column.key}") for column in organisations.c)
    ).join_from(users, organisations, organisations.c.id == users.c.organisation_id)
    authorizations = select(StaffAuthorization.__table__).order_by(StaffAuthorization.start_date)
    return user, authorizations, list(users.c.keys())


def staff_logged_in() -> Any:
    """The condition on `web_sessions`: the session `:key`, when a staff user is logged in."""
    sessions = WebSession.__table__
    return and_(sessions.c.id == bindparam("key"), sessions.c.user_kind == "staff")


@cache
def staff_with_session() -> tuple[Select[Any], Select[Any]]:
    """The staff user logged in to the session `:key` (none for anyone else's session), and
    their authorizations: read with the session on staff pages, which all need them."""
    user, authorizations, _ = staff_queries()
    sessions = WebSession.__table__
    logged_in = staff_logged_in()
    return (
        user.join(sessions, sessions.c.user_id == StaffUser.__table__.c.id).where(logged_in),
        authorizations.join(
            sessions, sessions.c.user_id == StaffAuthorization.__table__.c.staff_user_id
        ).where(logged_in),
    )


# A staff page about one participant (`/staff/participants/5/plan`): every one asks first
# whether the staff user may see them.
PARTICIPANT_PAGE = re.compile(r"/staff/participants/([0-9]{1,9})(?:/|$)")


@cache
def participant_with_session() -> Select[Any]:
    """The participant `:participant_id` when the staff user logged in to the session `:key`
    may see them (`staff.service.visible_participant_for`, the guard's own question): read
    with the session on a staff page about a participant, rather than in a round trip of its
    own."""
    sessions, staff = WebSession.__table__, StaffUser.__table__
    return (
        visible_participant_for(staff.c.id, staff.c.organisation_id)
        .join(sessions, staff_logged_in())
        .join(staff, staff.c.id == sessions.c.user_id)
    )


def session_and_participant(row: Any) -> tuple[WebSession, Participant | None]:
    """The objects of a `session_query` row (its columns: the session's, then the participant's)."""
    session_keys, participant_keys = _column_keys()
    values = tuple(row)
    record = detached(WebSession, dict(zip(session_keys, values, strict=False)))
    if values[len(session_keys)] is None:
        return record, None
    participant_values = values[len(session_keys) :]
    return record, detached(
        Participant, dict(zip(participant_keys, participant_values, strict=True))
    )


@cache
def _touch_statement() -> Any:
    """The session's data and the moment it was last seen (run with {"session_id",
    "new_data", "seen_at"})."""
    return (
        update(WebSession)
        .where(WebSession.id == bindparam("session_id"))
        .values(data=bindparam("new_data"), last_seen_at=bindparam("seen_at"))
    )


@cache
def _column_keys() -> tuple[list[str], list[str]]:
    return WebSession.__table__.c.keys(), Participant.__table__.c.keys()


class ServerSessionMiddleware:
    """Loads the session named by the cookie, and saves it before the response starts."""

    def __init__(self, app: ASGIApp, database: Callable[[], Database], settings: Settings) -> None:
        self.app = app
        self.database = database
        self.settings = settings
        self.cookie = cookie_name(settings)
        # When this process last wrote each session's last_seen: requests of one session that
        # come together all read the same stale moment, and only the first may write it.
        self.touched: dict[str, dt.datetime] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        with one_file_check():
            await self._answer(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = cookies_of(scope).get(self.cookie)
        state = await self._load(token, scope["path"])
        scope["session"] = state.data
        scope["portal.session"] = state

        async def send_with_session(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = await self._save(state, token)
                if cookie is not None:
                    headers = MutableHeaders(scope=message)
                    headers.append("Set-Cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_session)

    async def _load(self, token: str | None, path: str) -> SessionState:
        if not token:
            return SessionState(None, SessionData())
        key = {"key": token_hash(token, self.settings.secret_key)}
        staff_rows = participant_rows = None
        if path.startswith(STAFF_PAGES):
            user, authorizations = staff_with_session()
            queries: list[tuple[Any, dict[str, Any]]] = [
                (session_query(), key),
                (user, key),
                (authorizations, key),
            ]
            about = PARTICIPANT_PAGE.match(path)
            if about is not None:
                participant_id = int(about.group(1))
                with_id = {**key, "participant_id": participant_id}
                queries.append((participant_with_session(), with_id))
            found, *staff = await self.database().read_all(*queries)
            row = found[0] if found else None
            staff_rows = (staff[0], staff[1])
            if about is not None:
                participant_rows = (participant_id, staff[2])
        else:
            row = await self.database().read_one(session_query(), key)
        if row is None:
            return SessionState(None, SessionData())
        record, participant = session_and_participant(row)
        reason = why_ended(record, self.settings, utcnow())
        if reason is not None:
            return SessionState(None, SessionData(), ended_reason=reason)
        staff_page = record.user_kind == "staff"
        return SessionState(
            record,
            SessionData(record.data or {}),
            participant=participant,
            staff_rows=staff_rows if staff_page else None,
            participant_rows=participant_rows if staff_page else None,
        )

    async def _save(self, state: SessionState, old_token: str | None) -> str | None:
        """Write what changed; return the Set-Cookie value when the cookie must change."""
        now = utcnow()
        record = state.record
        ends = record is not None and (state._revoke or state._rotate)
        starts = not state._revoke and (
            state._rotate or (record is None and (state.data.changed or state._login))
        )
        touches = (
            record is not None
            and not ends
            and (state.data.changed or self.stale(record.id, record.last_seen_at, now))
        )
        if not (ends or starts or touches):
            # Most requests: nothing to write. Clear the cookie of a session that just timed out.
            return self._cookie("", max_age=0) if state.ended_reason else None
        if touches and not starts:
            # Most writes: a minute since the last, or the data changed; one statement.
            assert record is not None
            values = {"session_id": record.id, "new_data": dict(state.data), "seen_at": now}
            await self.database().write(_touch_statement(), values)
            return None
        token = secrets.token_urlsafe(32)
        async with self.database().transaction() as db:
            if ends:
                assert record is not None
                await db.execute(
                    update(WebSession).where(WebSession.id == record.id).values(revoked_at=now)
                )
            if starts:
                db.add(
                    WebSession(
                        id=token_hash(token, self.settings.secret_key),
                        data=dict(state.data),
                        user_kind=state.user_kind,
                        user_id=state.user_id,
                        created_at=now,
                        authenticated_at=state.authenticated_at,
                        last_seen_at=now,
                    )
                )
        if state._revoke:
            return self._cookie("", max_age=0)
        return self._cookie(token) if starts else None

    def stale(self, session_id: str, last_seen: dt.datetime, now: dt.datetime) -> bool:
        """Whether the session's last_seen is to be written now: over LAST_SEEN_RESOLUTION old,
        and not written by this process meanwhile (the first of the requests that read it
        together claims the write)."""
        seen = max(last_seen, self.touched.get(session_id, last_seen))
        if now - seen <= LAST_SEEN_RESOLUTION:
            return False
        if len(self.touched) > 10_000:
            self.touched.clear()
        self.touched[session_id] = now
        return True

    def _cookie(self, value: str, max_age: int | None = None) -> str:
        parts = [f"{self.cookie}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        if self.settings.secure_cookies:
            parts.append("Secure")
        return "; ".join(parts)


async def purge_expired(database: Database, settings: Settings) -> int:
    """Delete sessions that can no longer be used (they are not part of any record)."""
    now = utcnow()
    longest_idle = max(settings.participant_idle_minutes, settings.staff_idle_minutes)
    async with database.transaction() as db:
        result = await db.execute(
            delete(WebSession).where(
                or_(
                    WebSession.revoked_at.is_not(None),
                    WebSession.last_seen_at < now - dt.timedelta(minutes=longest_idle),
                )
            )
        )
    return int(getattr(result, "rowcount", 0) or 0)


def session_state(connection: HTTPConnection) -> SessionState:
    state: SessionState = connection.scope["portal.session"]
    return state
