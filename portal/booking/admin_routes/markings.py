"""A participant's person-group markings, team and municipality, which decide the offers
they see."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from portal.auth.acting import participant_opened
from portal.auth.guards import StaffIdentity
from portal.booking import admin, offers
from portal.booking.admin_routes.common import (
    done,
    form_page,
)
from portal.booking.bookings import MARKINGS
from portal.booking.models import (
    ParticipantMarking,
    ParticipantTeam,
)
from portal.participants.models import Participant
from portal.web.forms import (
    Errors,
    Fields,
    read_form,
)
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _
from portal.web.requests import database

ELIGIBILITY_LABELS = {
    "markings": _("Person-group markings"),
    "team_id": _("The team that serves the participant"),
    "municipality": _("Municipality"),
}


# --- person-group markings ------------------------------------------------------------------


async def eligibility_page(
    request: Request,
    staff: StaffIdentity,
    participant: Participant,
    values: dict[str, Any],
    errors: Errors,
    status_code: int = 200,
) -> Response:
    return await form_page(
        request,
        staff,
        "booking/admin/eligibility.html",
        values,
        errors,
        ELIGIBILITY_LABELS,
        status_code,
        participant=participant,
        marking_options=list(MARKINGS.items()),
        chosen=set(values.get("markings") or []),
    )


async def participant_eligibility(request: Request, staff: StaffIdentity) -> Response:
    """The markings, team and municipality by which offers choose who may book them."""
    opening = "meetings" if request.method == "GET" else None  # logged for the participant
    participant = await participant_opened(request, staff, opening)
    if request.method == "GET":
        async with database(request).sessions() as db:
            markings = await db.scalars(
                select(ParticipantMarking.marking).where(
                    ParticipantMarking.participant_id == participant.id
                )
            )
            served = await db.get(ParticipantTeam, participant.id)
        values = {
            "markings": list(markings),
            "team_id": str(served.team_id or "") if served else "",
            "municipality": (served.municipality or "") if served else "",
        }
        return await eligibility_page(request, staff, participant, values, {})
    form = await read_form(request, "markings")
    async with database(request).sessions() as db:
        teams = await admin.teams_by_id(db)
    fields = Fields(form)
    team_id = fields.one_of("team_id", teams, required=False)
    municipality = fields.text("municipality", 100, required=False)
    chosen = [m for m in form["markings"] if m in MARKINGS]
    if len(chosen) != len(form["markings"]):
        fields.errors["markings"] = gettext("Choose one of the options.")
    if fields.errors:
        return await eligibility_page(request, staff, participant, form, fields.errors, 400)
    async with database(request).transaction() as db:
        await offers.save_eligibility(
            db, participant.id, chosen, team_id, municipality or None, staff.user.id
        )
    return done(f"/staff/participants/{participant.id}/meeting-markings", "markings")
