"""Meeting rooms: capacity, overbooking, address, the teams that may use them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import Response

from portal.auth.guards import StaffIdentity
from portal.booking import admin
from portal.booking.admin_routes.common import (
    BASE,
    EditForm,
    done,
    form_page,
    found,
    page,
)
from portal.booking.models import (
    MeetingOffer,
    Room,
    RoomTeam,
)
from portal.db import utcnow
from portal.web.forms import (
    Errors,
)
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _
from portal.web.requests import database

ROOM_LABELS = {
    "name": _("Name of the room"),
    "capacity": _("Capacity (seats)"),
    "overbooking": _("Overbooking by how many seats"),
    "address": _("Address"),
}


# --- rooms -----------------------------------------------------------------------------------


async def room_page(
    request: Request,
    staff: StaffIdentity,
    room: Room | None,
    values: dict[str, Any],
    errors: Errors,
    status_code: int = 200,
) -> Response:
    return await form_page(
        request,
        staff,
        "booking/admin/room_form.html",
        values,
        errors,
        ROOM_LABELS,
        status_code,
        room=room,
        chosen_teams=set(values.get("team_ids") or []),
    )


async def _room_values(db: Any, request: Request, room: Room | None) -> dict[str, Any]:
    if room is None:
        return {"usable": "yes", "overbooking": "0"}
    allowed = await db.scalars(select(RoomTeam.team_id).where(RoomTeam.room_id == room.id))
    return {
        "name": room.name,
        "capacity": "" if room.capacity is None else str(room.capacity),
        "overbooking": str(room.overbooking),
        "address": room.address,
        "usable": "yes" if room.usable else "",
        "team_ids": [str(t) for t in allowed],
    }


async def _check_room(
    db: Any, request: Request, form: dict[str, Any], room: Room | None
) -> tuple[Any, Errors]:
    return admin.parse_room(form, form["team_ids"], await admin.teams_by_id(db))


async def _save_room(db: Any, request: Request, values: Any, room: Room | None) -> Any:
    saved = await admin.save_room(db, values, room)
    return saved if isinstance(saved, dict) else (saved, "room")


room_form = EditForm(
    Room, "room_id", "rooms", room_page, _room_values, _check_room, _save_room, ("team_ids",)
)


async def delete_room(request: Request, staff: StaffIdentity) -> Response:
    """Refused while meetings are booked in the room (the page lists them)."""
    async with database(request).transaction() as db:
        room = await found(db, Room, request, "room_id")
        meetings = await admin.future_meetings(db, utcnow(), room_id=room.id)
        offers = list(
            await db.scalars(select(MeetingOffer.title).where(MeetingOffer.room_id == room.id))
        )
        if not meetings and not offers:
            try:
                async with db.begin_nested():
                    await db.delete(room)
                    await db.flush()
            except IntegrityError:
                offers = [gettext("past meetings")]
    if meetings or offers:
        message = (
            gettext("%(name)s has meetings to come and cannot be deleted.", name=room.name)
            if meetings
            else gettext(
                "%(name)s is used by meeting offers (%(offers)s) and cannot be deleted. "
                "Mark it as not usable for meetings instead.",
                name=room.name,
                offers=", ".join(offers),
            )
        )
        return page(
            request,
            staff,
            "booking/admin/refused.html",
            409,
            message=message,
            meetings=meetings,
            back=f"{BASE}/rooms/{room.id}",
        )
    return done(f"{BASE}/", "room_deleted")
