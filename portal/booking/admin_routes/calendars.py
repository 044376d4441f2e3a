"""Week calendars of a caseworker or a room."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from portal.auth.guards import StaffIdentity
from portal.booking import calendar
from portal.booking.admin_routes.common import (
    BASE,
    page,
    place_of,
)
from portal.web.forms import (
    Fields,
)
from portal.web.i18n import gettext
from portal.web.requests import database, today

# --- calendars and bookings ------------------------------------------------------------------


def chosen_monday(request: Request) -> dt.date:
    """The Monday of the week asked for (?week=any day of it), else of this week."""
    asked = Fields(request.query_params).date("week", required=False)
    return calendar.monday_of(asked or today(request))


def calendar_page(
    request: Request, staff: StaffIdentity, heading: str, back: str, days: Any, show_hours: bool
) -> Response:
    monday = days[0].date
    return page(
        request,
        staff,
        "booking/admin/calendar.html",
        heading=heading,
        back=back,
        days=days,
        show_hours=show_hours,
        previous=monday - dt.timedelta(days=7),
        next=monday + dt.timedelta(days=7),
    )


async def caseworker_calendar(request: Request, staff: StaffIdentity) -> Response:
    week = await calendar.caseworker_week(
        database(request),
        request.path_params["caseworker_id"],
        chosen_monday(request),
        place_of(request),
    )
    if week is None:
        raise HTTPException(404)
    caseworker, days = week
    heading = gettext("Calendar of %(name)s", name=caseworker.name)
    return calendar_page(request, staff, heading, f"{BASE}/caseworkers/{caseworker.id}", days, True)


async def room_calendar(request: Request, staff: StaffIdentity) -> Response:
    week = await calendar.room_week(
        database(request), request.path_params["room_id"], chosen_monday(request), place_of(request)
    )
    if week is None:
        raise HTTPException(404)
    room, days = week
    heading = gettext("Calendar of %(name)s", name=room.name)
    return calendar_page(request, staff, heading, f"{BASE}/rooms/{room.id}", days, False)
