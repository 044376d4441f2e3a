"""A staff user acting on one participant (the plan editor, the hour registration, …): the
guard that lets only staff with the permission reach a participant in their scope, writes
each opening to the participant's access log, and renders the staff pages about them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from portal.audit.service import log_access
from portal.auth.guards import StaffIdentity, staff_only
from portal.participants.models import Participant
from portal.staff.service import visible_participant
from portal.web.requests import database, today
from portal.web.templating import pages


@dataclass
class StaffOnParticipant:
    """One request of a staff user about a participant they may see; `base` is the path of
    the tool (editor, registration) for this participant."""

    request: Request
    staff: StaffIdentity
    participant: Participant
    base: str

    @property
    def today(self) -> dt.date:
        return today(self.request)

    def render(self, name: str, status_code: int = 200, **context: Any) -> Response:
        return pages(self.request).render_staff(
            self.request,
            name,
            {"participant": self.participant, "base": self.base, **context},
            status_code,
        )

    def redirect(self, suffix: str = "") -> Response:
        return RedirectResponse(self.base + suffix, status_code=303)


async def participant_opened(
    request: Request, staff: StaffIdentity, what: str | None
) -> Participant:
    """The path's participant when this staff user may see them (404 otherwise), with the
    opening written to the participant's access log as `what` (None: not an opening). Read
    with the session when it could be (`sessions.participant_with_session`)."""
    session = request.scope.get("portal.session")
    read = session.participant_rows if session and session.user_id == staff.user.id else None
    participant = await visible_participant(
        database(request), staff.user, staff.roles, request.path_params["participant_id"], read
    )
    if participant is None:
        raise HTTPException(404)
    if what is not None:
        await log_access(database(request), participant, staff.user, what)
    return participant


ActingHandler = Callable[[StaffOnParticipant], Awaitable[Response]]


def acting_on_participant(
    permission: str, tool: str, what: str, refused: int = 404
) -> Callable[[ActingHandler], Callable[[Request], Awaitable[Response]]]:
    """Only staff whose roles write under `permission`, and only for a participant they may
    see (others: 404). `tool` is the path under the participant's; every opening of a page
    (GET) is written to the participant's access log as `what`."""

    def decorate(handler: ActingHandler) -> Callable[[Request], Awaitable[Response]]:
        async def with_staff(request: Request, staff: StaffIdentity) -> Response:
            logged = what if request.method == "GET" else None
            participant = await participant_opened(request, staff, logged)
            base = f"/staff/participants/{participant.id}/{tool}"
            return await handler(StaffOnParticipant(request, staff, participant, base))

        with_staff.__name__ = handler.__name__
        return staff_only(permission, with_staff, refused)

    return decorate
