"""Who is asking: the logged-in participant or staff user, and the redirect when nobody is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select, bindparam
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from portal.auth.sessions import session_state, staff_queries
from portal.db import detached
from portal.employers.models import EmployerOrganisation, EmployerUser
from portal.participants.models import Participant
from portal.staff.models import Organisation, StaffAuthorization, StaffUser
from portal.staff.service import WRITE, active_roles, allows
from portal.web.access import EMPLOYER, PARTICIPANT, STAFF, Access, declare
from portal.web.requests import database, today


@dataclass
class StaffIdentity:
    user: StaffUser
    roles: set[str]


async def current_participant(request: Request) -> Participant | None:
    state = session_state(request)
    if state.user_kind != "participant" or state.user_id is None:
        return None
    if state.participant is not None and state.participant.id == state.user_id:
        return state.participant  # read with the session
    return await database(request).get_row(Participant, state.user_id)


def by_user() -> tuple[Select[Any], Select[Any]]:
    """`staff_queries` for the user `:key`."""
    user, authorizations, _ = staff_queries()
    return (
        user.where(StaffUser.__table__.c.id == bindparam("key")),
        authorizations.where(StaffAuthorization.staff_user_id == bindparam("key")),
    )


STAFF_BY_USER = by_user()


async def staff_user(request: Request, user_id: int) -> StaffUser | None:
    """The staff user with their organisation and authorizations as detached objects: every
    staff page needs them, and the ORM's loading cost more than the page. On a staff page
    they were read with the session; elsewhere they are read here, in one go."""
    state = session_state(request)
    if state.staff_rows is not None and state.user_id == user_id:
        found, authorizations = state.staff_rows
    else:
        user_query, authorizations_query = STAFF_BY_USER
        found, authorizations = await database(request).read_all(
            (user_query, {"key": user_id}), (authorizations_query, {"key": user_id})
        )
    if not found:
        return None
    user_keys = staff_queries()[2]
    values = dict(found[0]._mapping)
    organisation = {
        key.removeprefix("org__"): values.pop(key) for key in list(values) if key not in user_keys
    }
    return detached(
        StaffUser,
        {
            **values,
            "organisation": detached(Organisation, organisation),
            "authorizations": [
                detached(StaffAuthorization, row._mapping) for row in authorizations
            ],
        },
    )


async def current_staff(request: Request) -> StaffIdentity | None:
    """The staff user, with the roles active today; None when not (or no longer) authorized."""
    state = session_state(request)
    if state.user_kind != "staff" or state.user_id is None:
        return None
    user = await staff_user(request, state.user_id)
    roles = active_roles(user, today(request)) if user is not None else set()
    if user is None or not roles:
        # The authorization ended (or the user is gone): the session ends with this request.
        state.log_out()
        state.ended_reason = "authorization"
        return None
    return StaffIdentity(user, roles)


def login_redirect(request: Request, login_page: str) -> Response:
    """Send an anonymous visitor to the login page, saying why when a session just ended."""
    query = {"next": request.url.path}
    ended = session_state(request).ended_reason
    if ended in ("idle", "absolute"):
        query["ended"] = ended
    return RedirectResponse(f"{login_page}?{urlencode(query)}", status_code=303)


StaffHandler = Callable[[Request, StaffIdentity], Awaitable[Response]]


def staff_only(
    permission: str, handler: StaffHandler, refused: int = 404
) -> Callable[[Request], Awaitable[Response]]:
    """Only for staff whose roles may write under `permission`; others get `refused` (404
    where the page's existence is itself private, 403 where a role lacks the permission)."""

    async def endpoint(request: Request) -> Response:
        staff = await current_staff(request)
        if staff is None:
            return login_redirect(request, "/staff/login")
        if not allows(staff.roles, permission, WRITE):
            raise HTTPException(refused)
        return await handler(request, staff)

    endpoint.__name__ = handler.__name__
    return declare(endpoint, Access(STAFF, permission, WRITE))


@dataclass
class EmployerIdentity:
    user: EmployerUser
    organisation: EmployerOrganisation


async def current_employer(request: Request) -> EmployerIdentity | None:
    state = session_state(request)
    if state.user_kind != "employer" or state.user_id is None:
        return None
    user = await database(request).get_row(EmployerUser, state.user_id)
    if user is None:
        return None
    organisation = await database(request).get_row(EmployerOrganisation, user.organisation_id)
    return None if organisation is None else EmployerIdentity(user, organisation)


EmployerHandler = Callable[[Request, EmployerIdentity], Awaitable[Response]]


def employer_only(handler: EmployerHandler) -> Callable[[Request], Awaitable[Response]]:
    """An employer's pages; anyone else goes to the employers' login page."""

    async def endpoint(request: Request) -> Response:
        employer = await current_employer(request)
        if employer is None:
            return login_redirect(request, "/employer/")
        return await handler(request, employer)

    endpoint.__name__ = handler.__name__
    return declare(endpoint, Access(EMPLOYER))


ParticipantHandler = Callable[[Request, Participant], Awaitable[Response]]


def participant_only(handler: ParticipantHandler) -> Callable[[Request], Awaitable[Response]]:
    """The participant's own actions (no read-only staff view); others go to the login page."""

    async def endpoint(request: Request) -> Response:
        participant = await current_participant(request)
        if participant is None:
            return login_redirect(request, "/login")
        return await handler(request, participant)

    endpoint.__name__ = handler.__name__
    return declare(endpoint, Access(PARTICIPANT))
