"""Staff pages: the start page with the participants this user may see, and the role matrix."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.auth.guards import current_staff, login_redirect
from portal.staff.service import (
    MATRIX,
    PARTICIPANT_TOOLS,
    PERMISSIONS,
    ROLES,
    WRITE,
    allows,
    participant_tools,
    runs_meetings,
    visible_participants,
)
from portal.web.requests import database
from portal.web.templating import pages


async def staff_start(request: Request) -> Response:
    staff = await current_staff(request)
    if staff is None:
        return login_redirect(request, "/staff/login")
    async with database(request).sessions() as db:
        participants = await visible_participants(db, staff.user, staff.roles)
    return pages(request).render_staff(
        request,
        "staff/start.html",
        {
            "staff": staff,
            "participants": participants,
            "may_view": allows(staff.roles, "view_participant"),
            "tools": participant_tools(staff.user, staff.roles),
            "participant_tools": PARTICIPANT_TOOLS,
            "may_export": allows(staff.roles, "export_consented", WRITE),
            "may_run_offers": runs_meetings(staff.user, staff.roles),
            "roles": [role for role in ROLES if role.code in staff.roles],
        },
    )


async def permission_matrix(request: Request) -> Response:
    staff = await current_staff(request)
    if staff is None:
        return login_redirect(request, "/staff/login")
    return pages(request).render_staff(
        request,
        "staff/permissions.html",
        {
            "staff": staff,
            "roles": ROLES,
            "permissions": PERMISSIONS,
            "matrix": MATRIX,
        },
    )


def routes() -> list[Route]:
    return [Route("/staff/", staff_start), Route("/staff/permissions", permission_matrix)]
