"""Staff pages: the start page with the participants this user may see, and the role matrix."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.guards import current_staff, login_redirect
from portal.booking.bookings import MARKINGS
from portal.db import utcnow
from portal.participants.service import normalise_personal_number
from portal.reports.reminders import provider_reminders, subscribed
from portal.reports.rules import CELL_STATUSES, KINDS
from portal.reports.service import waiting_for_review
from portal.staff import overview
from portal.staff.administration import pending_changes
from portal.staff.service import (
    MATRIX,
    PARTICIPANT_TOOLS,
    PERMISSIONS,
    ROLES,
    WRITE,
    allows,
    participant_tools,
    runs_meetings,
    visible_participant_by_number,
)
from portal.web.access import any_staff
from portal.web.requests import database, today
from portal.web.templating import pages


async def staff_start(request: Request) -> Response:
    staff = await current_staff(request)
    if staff is None:
        return login_redirect(request, "/staff/login")
    query = overview.OverviewQuery.parse(request.query_params)
    tools = participant_tools(staff.user, staff.roles)
    found = await overview.case_overview(
        database(request), staff.user, staff.roles, query, count_news=True
    )
    may_manage_staff = allows(staff.roles, "manage_staff", WRITE)
    may_register = allows(staff.roles, "register_reports", WRITE)
    may_review = allows(staff.roles, "review_reports", WRITE)
    organisation_id = staff.user.organisation_id
    reminders = (
        await provider_reminders(database(request), organisation_id, today(request))
        if may_register
        else None
    )
    to_review = await waiting_for_review(database(request), organisation_id) if may_review else 0
    digest = False
    if may_register:
        async with database(request).sessions() as db:
            digest = await subscribed(db, staff.user.id)
    to_sign = 0
    if may_manage_staff:
        async with database(request).sessions() as db:
            to_sign = len(await pending_changes(db, staff.user))
    return pages(request).render_staff(
        request,
        "staff/start.html",
        {
            "staff": staff,
            "overview": found,
            "scopes": overview.SCOPES,
            # Plain strings, so that the filters can be a cached fragment.
            "filter_options": tuple(
                tuple((key, str(label)) for key, label in choices.items())
                for choices in (overview.SCOPES, MARKINGS, overview.SORTS)
            ),
            "sorts": overview.SORTS,
            "markings": MARKINGS,
            "recent_since": utcnow() - overview.RECENT,
            "max_counted": overview.MAX_COUNTED,
            "news_counted": overview.NEWS_COUNTED,
            "news": found.news,
            "may_view": allows(staff.roles, "view_participant"),
            "tools": tools,
            # Plain strings, so that each row can be a cached fragment.
            "tool_links": tuple((tool, str(PARTICIPANT_TOOLS[tool])) for tool in tools),
            "participant_tools": PARTICIPANT_TOOLS,
            "may_export": allows(staff.roles, "export_consented", WRITE),
            "may_manage_staff": may_manage_staff,
            "to_sign": to_sign,
            "may_register": may_register,
            "may_review": may_review,
            "may_see_tracks": allows(staff.roles, "manage_tracks")
            and staff.user.organisation.kind == "provider",
            "reminders": reminders,
            "to_review": to_review,
            "digest": digest,
            "kinds": KINDS,
            "cell_statuses": CELL_STATUSES,
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


async def participant_by_number(request: Request) -> Response:
    """A deep link a case system can open: the participant's read-only view, by personal
    number, when this staff user may see them (otherwise 404, as for any participant)."""
    staff = await current_staff(request)
    if staff is None:
        return login_redirect(request, "/staff/login")
    country = request.app.state.settings.country
    number = normalise_personal_number(country, request.path_params["personal_number"])
    if number is None:
        raise HTTPException(404)
    async with database(request).sessions() as db:
        participant = await visible_participant_by_number(db, staff.user, staff.roles, number)
    if participant is None:
        raise HTTPException(404)
    return RedirectResponse(f"/staff/participants/{participant.id}", status_code=303)


def routes() -> list[Route]:
    return [
        Route("/staff/", any_staff(staff_start)),
        Route("/staff/permissions", any_staff(permission_matrix)),
        Route("/staff/participants/by-number/{personal_number}", any_staff(participant_by_number)),
    ]
