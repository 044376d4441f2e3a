"""The booking administration's start: teams, caseworkers, rooms, offers, variants and templates."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from portal.auth.guards import StaffIdentity
from portal.booking import admin
from portal.booking.admin_routes.common import (
    page,
)
from portal.booking.bookings import MEETING_TYPES
from portal.booking.models import (
    Caseworker,
    MeetingOffer,
    MeetingTypeVariant,
    OfferTemplate,
    Room,
    Team,
    TeamMember,
)
from portal.web.i18n import gettext
from portal.web.requests import database, today

# --- the overview ----------------------------------------------------------------------------


async def overview(request: Request, staff: StaffIdentity) -> Response:
    async with database(request).sessions() as db:
        teams = list(await db.scalars(select(Team)))
        caseworkers = list(await db.scalars(select(Caseworker).order_by(Caseworker.name)))
        rooms = list(await db.scalars(select(Room).order_by(Room.name)))
        offers = list(await db.scalars(select(MeetingOffer).order_by(MeetingOffer.title)))
        members = list(await db.scalars(select(TeamMember)))
        variants = list(
            await db.scalars(select(MeetingTypeVariant).order_by(MeetingTypeVariant.name))
        )
        templates = list(await db.scalars(select(OfferTemplate).order_by(OfferTemplate.name)))
    names = {team.id: team.name for team in teams}
    teams_of: dict[int, list[str]] = {}
    for member in members:
        label = names[member.team_id]
        if not member.takes_bookings:
            label = gettext("%(team)s (no new bookings)", team=label)
        teams_of.setdefault(member.caseworker_id, []).append(label)
    return page(
        request,
        staff,
        "booking/admin/overview.html",
        teams=admin.tree(teams),
        caseworkers=caseworkers,
        teams_of=teams_of,
        rooms=rooms,
        offers=offers,
        team_names=names,
        meeting_types=MEETING_TYPES,
        variants=variants,
        templates=templates,
        today=today(request),
    )
