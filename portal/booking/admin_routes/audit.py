"""The audit trail of booking events, searchable by participant, caseworker, offer, event
and date."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from portal.auth.guards import StaffIdentity
from portal.booking import trail
from portal.booking.admin_routes.common import (
    page,
    place_of,
)
from portal.booking.bookings import EVENTS
from portal.booking.models import (
    Caseworker,
    MeetingOffer,
)
from portal.participants.models import Participant
from portal.staff import service as staff_service
from portal.web.forms import (
    Fields,
)
from portal.web.i18n import gettext
from portal.web.requests import database

# --- the audit trail -------------------------------------------------------------------------


async def shown_participants(db: AsyncSession, staff: StaffIdentity, ids: set[int]) -> set[int]:
    """Which of these participants this staff user may see."""
    if not ids:
        return set()
    visible = staff_service.visible_participants_query(staff.user, staff.roles)
    query = visible.with_only_columns(Participant.id).where(Participant.id.in_(ids))
    return set(await db.scalars(query))


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
        found_rows: list[Any] = []
        if not fields.errors:
            search = trail.AuditSearch(who, caseworker_id, offer_id, kind, first, last)
            found_rows = await trail.audit_events(db, search, place_of(request).zone)
        # Participants are named only to staff who may see them, and found by name or
        # number only among those.
        shown = await shown_participants(db, staff, {row[1].id for row in found_rows if row[1]})
        if who:
            found_rows = [row for row in found_rows if row[1] and row[1].id in shown]
    return page(
        request,
        staff,
        "booking/admin/audit.html",
        status_code=400 if fields.errors else 200,
        rows=found_rows[: trail.AUDIT_PAGE],
        more=len(found_rows) > trail.AUDIT_PAGE,
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
        shown=shown,
    )
