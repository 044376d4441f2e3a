"""The audit trail of booking events, searchable by participant, caseworker, offer, event
and date."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from portal.auth.guards import StaffIdentity
from portal.booking.admin_routes.common import (
    page,
    place_of,
)
from portal.booking.bookings import (
    EVENTS,
)
from portal.booking.models import (
    BookingEvent,
    Caseworker,
    MeetingOffer,
)
from portal.participants.models import Participant
from portal.staff.models import StaffUser
from portal.web.forms import (
    Fields,
)
from portal.web.i18n import gettext
from portal.web.requests import database

# --- the audit trail -------------------------------------------------------------------------


async def audit_trail(request: Request, staff: StaffIdentity) -> Response:
    """Every booking event, newest first, filtered by participant, caseworker, offer, event
    and date."""
    query = request.query_params
    fields = Fields(query)
    async with database(request).sessions() as db:
        caseworkers = {
            c.id: c for c in await db.scalars(select(Caseworker).order_by(Caseworker.name))
        }
        offers = {
            o.id: o for o in await db.scalars(select(MeetingOffer).order_by(MeetingOffer.title))
        }
        caseworker_id = fields.one_of("caseworker", caseworkers, required=False)
        offer_id = fields.one_of("offer", offers, required=False)
        kind = query.get("event") or ""
        if kind and kind not in EVENTS:
            fields.errors["event"] = gettext("Choose one of the options.")
        first = fields.date("from", required=False)
        last = fields.date("to", required=False)
        if first and last and last < first:
            fields.errors["to"] = gettext("The end cannot be before the start.")
        who = fields.text("participant", 100, required=False)
        statement = (
            select(BookingEvent, Participant, StaffUser)
            .outerjoin(Participant, Participant.id == BookingEvent.participant_id)
            .outerjoin(StaffUser, StaffUser.id == BookingEvent.staff_user_id)
            .order_by(BookingEvent.at.desc(), BookingEvent.id.desc())
            .limit(201)
        )
        if not fields.errors:
            zone = place_of(request).zone
            if caseworker_id is not None:
                statement = statement.where(BookingEvent.caseworker_id == caseworker_id)
            if offer_id is not None:
                statement = statement.where(BookingEvent.offer_id == offer_id)
            if kind:
                statement = statement.where(BookingEvent.event == kind)
            if first:
                statement = statement.where(
                    BookingEvent.at >= dt.datetime.combine(first, dt.time(), tzinfo=zone)
                )
            if last:
                statement = statement.where(
                    BookingEvent.at
                    < dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
                )
            if who:
                pattern = f"%{who.replace('%', '').replace('_', '')}%"
                statement = statement.where(
                    (Participant.personal_number.like(pattern))
                    | ((Participant.first_name + " " + Participant.last_name).ilike(pattern))
                )
            rows = list(await db.execute(statement))
        else:
            rows = []
    return page(
        request,
        staff,
        "booking/admin/audit.html",
        status_code=400 if fields.errors else 200,
        rows=rows[:200],
        more=len(rows) > 200,
        values=dict(query),
        errors=fields.errors,
        labels={
            "participant": gettext("Participant (name or personal number)"),
            "caseworker": gettext("Caseworker"),
            "offer": gettext("Meeting offer"),
            "event": gettext("Event"),
            "from": gettext("From date"),
            "to": gettext("To date"),
        },
        caseworkers=caseworkers,
        offers=offers,
        caseworker_options=[(str(c.id), c.name) for c in caseworkers.values()],
        offer_options=[(str(o.id), o.title) for o in offers.values()],
        events=EVENTS,
    )
