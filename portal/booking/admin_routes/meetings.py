"""A booked meeting as the job centre sees it: its details, calling it off, moving it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import Response

from portal.audit.service import record_access
from portal.auth.guards import StaffIdentity
from portal.booking import bookings, free_times, meetings
from portal.booking.admin_routes.common import (
    BASE,
    done,
    found,
    page,
    place_of,
    refused,
)
from portal.booking.bookings import EVENTS
from portal.booking.free_times import BookingRefused, SlotTaken
from portal.booking.models import (
    Booking,
    BookingEvent,
    Caseworker,
    MeetingOffer,
    Room,
)
from portal.db import utcnow
from portal.notify.service import Links
from portal.participants.models import Participant
from portal.staff import service as staff_service
from portal.web.forms import (
    Errors,
    Fields,
    new_form_token,
    portal_moment,
    read_form,
    whole_number,
)
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _
from portal.web.requests import database, today
from portal.web.templating import pages

STATUSES = {"booked": _("Booked"), "cancelled": _("Cancelled"), "moved": _("Moved")}


async def booking_page(
    request: Request,
    staff: StaffIdentity,
    booking: Booking,
    values: dict[str, Any],
    errors: Errors,
    status_code: int = 200,
) -> Response:
    async with database(request).sessions() as db:
        offer = await db.get_one(MeetingOffer, booking.offer_id)
        # Who the participant is, only for staff who may see them (the scope of every
        # participant page); a planner without participant access moves and calls off
        # meetings without learning whose they are.
        participant = await staff_service.visible_participant(
            database(request), staff.user, staff.roles, booking.participant_id
        )
        caseworker = (
            await db.get(Caseworker, booking.caseworker_id) if booking.caseworker_id else None
        )
        room = await db.get(Room, booking.room_id) if booking.room_id else None
        address = await meetings.address_of(db, offer, room)
        events = list(
            await db.scalars(
                select(BookingEvent)
                .where(BookingEvent.booking_id == booking.id)
                .order_by(BookingEvent.at, BookingEvent.id)
            )
        )
    return page(
        request,
        staff,
        "booking/admin/booking.html",
        status_code=status_code,
        booking=booking,
        offer=offer,
        participant=participant,
        caseworker=caseworker,
        address=address,
        events=events,
        event_labels=EVENTS,
        statuses=STATUSES,
        may_cancel=booking.status == "booked" and booking.starts_at > utcnow(),
        values=values,
        errors=errors,
        labels={"reason": gettext("Why the meeting is cancelled")},
    )


async def booking_details(request: Request, staff: StaffIdentity) -> Response:
    """A booking, with the participant's name for staff who may see them: each opening is
    logged for the participant."""
    async with database(request).transaction() as db:
        booking = await found(db, Booking, request, "booking_id")
        participant = await db.get_one(Participant, booking.participant_id)
        bookings.event(db, "opened_by_staff", booking, staff_user_id=staff.user.id)
        await record_access(db, participant, staff.user, "meetings")
    return await booking_page(request, staff, booking, {}, {})


async def cancel_booking(request: Request, staff: StaffIdentity) -> Response:
    """The job centre cancels a meeting, with a reason; the participant is told."""
    form = await read_form(request)
    fields = Fields(form)
    reason = fields.text("reason", 500)
    async with database(request).sessions() as db:
        booking = await found(db, Booking, request, "booking_id")
    if fields.errors:
        return await booking_page(request, staff, booking, form, fields.errors, 400)
    async with database(request).transaction() as db:
        booking = await found(db, Booking, request, "booking_id")
        cancelled = await bookings.cancel_by_job_centre(
            db, booking, reason, staff.user.id, utcnow(), Links.of(request.app.state.settings)
        )
    if not cancelled:
        message = gettext("This meeting is already cancelled, moved or over.")
        return refused(request, staff, message, f"{BASE}/bookings/{booking.id}")
    return done(f"{BASE}/bookings/{booking.id}", "cancelled")


async def move_page(
    request: Request,
    staff: StaffIdentity,
    booking: Booking,
    status_code: int = 200,
    message: str | None = None,
) -> Response:
    """The offer's free times (from tomorrow), each with who is free then."""
    place = place_of(request)
    async with database(request).sessions() as db:
        offer = await db.get_one(MeetingOffer, booking.offer_id)
        free = await free_times.free_slots(db, offer, today(request), place)
        names = {c.id: c.name for c in await db.scalars(select(Caseworker))}
    return page(
        request,
        staff,
        "booking/admin/move.html",
        status_code=status_code,
        booking=booking,
        offer=offer,
        free=free,
        names=names,
        request_key=new_form_token(),
        message=message,
    )


async def move_booking(request: Request, staff: StaffIdentity) -> Response:
    """The job centre moves a meeting to another free time (and caseworker); the new time is
    held before the old one is released, and the participant is told."""
    async with database(request).sessions() as db:
        booking = await found(db, Booking, request, "booking_id")
    if booking.status != "booked" or booking.starts_at <= utcnow():
        message = gettext("This meeting is already cancelled, moved or over.")
        return refused(request, staff, message, f"{BASE}/bookings/{booking.id}")
    if request.method == "GET":
        return await move_page(request, staff, booking)
    form = await read_form(request)
    choice = form.get("slot", "")
    start_raw, _sep, caseworker_raw = choice.partition("|")
    start = portal_moment(start_raw)
    if start is None:
        return await move_page(request, staff, booking, 400, gettext("Choose a new time."))
    caseworker_id = whole_number(caseworker_raw)
    key = form.get("request_key", "")
    settings = request.app.state.settings
    try:
        async with database(request).transaction() as db:
            current = await found(db, Booking, request, "booking_id")
            offer = await db.get_one(MeetingOffer, current.offer_id)
            if current.replaced_by_id is not None:
                return done(f"{BASE}/bookings/{current.replaced_by_id}", "moved")
            moved = await bookings.book(
                db,
                current.participant_id,
                offer,
                start,
                key,
                today(request),
                place_of(request),
                caseworker_id,
                current,
                pages(request).formatter.day,
                moved_by=staff.user.id,
                links=Links.of(settings),
            )
    except (SlotTaken, IntegrityError):
        async with database(request).sessions() as db:
            repeated = await bookings.existing_request(db, key)
        if repeated is not None:
            return done(f"{BASE}/bookings/{repeated.id}", "moved")
        message = gettext("This time was just taken. Choose another one.")
        return await move_page(request, staff, booking, 409, message)
    except BookingRefused as refusal:
        return await move_page(request, staff, booking, 409, refusal.message)
    return done(f"{BASE}/bookings/{moved.id}", "moved")
