"""Meeting rooms: capacity, overbooking, address, the teams that may use them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from portal.auth.guards import StaffIdentity
from portal.booking import admin
from portal.booking.admin_routes.common import (
    EditForm,
    delete_unless_used,
    form_page,
)
from portal.booking.models import (
    Room,
    RoomTeam,
)
from portal.web.forms import (
    Errors,
)
from portal.web.i18n import lazy_gettext as _

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


delete_room = delete_unless_used(Room, "room_id", "rooms", admin.delete_room, "room_deleted")
"""Refused while meetings are booked in the room or offers use it (the page says why)."""
