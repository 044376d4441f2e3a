"""The participant's meetings: offers, the day-and-time picker, booking, rebooking, cancelling,
and the calendar file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.guards import participant_only
from portal.booking import bookings, free_times, meetings, page_reads, trail
from portal.booking import slot_engine as engine
from portal.booking.bookings import MEETING_TYPES
from portal.booking.free_times import BookingRefused, Place, SlotTaken
from portal.booking.meetings import Meeting
from portal.booking.models import Caseworker, MeetingOffer, Room
from portal.db import utcnow
from portal.notify.service import Links
from portal.participants.models import Participant
from portal.participants.pages import ParticipantView, participant_page_routes, render
from portal.web.forms import (
    new_form_token,
    portal_date,
    portal_moment,
    read_form,
    whole_number,
)
from portal.web.requests import database, today
from portal.web.templating import pages


def place_of(request: Request) -> Place:
    settings = request.app.state.settings
    return Place(settings.country, settings.timezone)


# --- the list --------------------------------------------------------------------------------


async def meetings_page(request: Request, view: ParticipantView) -> Response:
    now = utcnow()
    participant_id = view.participant.id
    page = await page_reads.meetings_page(database(request), participant_id, today(request))
    held, offers, changes = page.meetings, page.offers, page.changes
    unseen = [booking_id for booking_id, seen in changes.items() if not seen]
    if unseen and not view.read_only:
        async with database(request).transaction() as db:
            await trail.mark_seen(db, participant_id, unseen)
    upcoming = [m for m in held if m.booking.status == "booked" and m.booking.ends_at > now]
    past = [m for m in held if m not in upcoming]
    return render(
        request,
        view,
        "booking/meetings.html",
        upcoming=upcoming,
        past=list(reversed(past)),
        offers=offers,
        held={m.booking.offer_id: m.booking.id for m in upcoming},
        by_job_centre=set(changes),
        meeting_types=MEETING_TYPES,
        cancelled=request.query_params.get("cancelled") == "1",
    )


# --- the picker ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayChoice:
    day: dt.date
    free: int
    selected: bool


@dataclass(frozen=True)
class Picker:
    """One week of days with their free-time counts, the chosen day and its times."""

    week: dt.date  # Monday
    days: list[DayChoice]
    selected: dt.date | None
    slots: list[engine.Slot]
    previous_week: dt.date | None
    next_week: dt.date | None
    next_free: dt.date | None  # when this week has nothing free


def build_picker(
    slots: dict[dt.date, list[engine.Slot]],
    today_: dt.date,
    last_day: dt.date | None,
    week_param: dt.date | None,
    day_param: dt.date | None,
) -> Picker:
    free_days = sorted(slots)
    if day_param is not None and day_param in slots:
        anchor = day_param
    elif week_param is not None:
        anchor = week_param
    elif free_days:
        anchor = free_days[0]
    else:
        anchor = today_
    this_week = today_ - dt.timedelta(days=today_.weekday())
    week = max(anchor - dt.timedelta(days=anchor.weekday()), this_week)
    week_days = [week + dt.timedelta(days=n) for n in range(7)]
    in_week = [d for d in week_days if d in slots]
    selected: dt.date | None = in_week[0] if in_week else None
    if day_param is not None and day_param in in_week:
        selected = day_param
    days = [
        DayChoice(d, len(slots.get(d, [])), d == selected)
        for d in week_days
        if d.weekday() < 5 or d in slots
    ]
    later = [d for d in free_days if d > week_days[-1]]
    return Picker(
        week=week,
        days=days,
        selected=selected,
        slots=slots.get(selected, []) if selected else [],
        previous_week=week - dt.timedelta(days=7) if week > this_week else None,
        next_week=week + dt.timedelta(days=7)
        if last_day is not None and last_day > week_days[-1]
        else None,
        next_free=None if in_week else (later[0] if later else None),
    )


def last_bookable(offer: MeetingOffer, today_: dt.date) -> dt.date | None:
    span = engine.bookable_span(free_times.as_engine_offer(offer), today_)
    return span[1] if span else None


async def offer_or_404(request: Request, participant: Participant) -> MeetingOffer:
    offer = await page_reads.bookable_offer(
        database(request), participant.id, request.path_params["offer_id"], today(request)
    )
    if offer is None:
        raise HTTPException(404)
    return offer


async def meeting_or_404(request: Request, participant: Participant) -> Meeting:
    found = await page_reads.meeting(
        database(request), participant.id, request.path_params["booking_id"]
    )
    if found is None:
        raise HTTPException(404)
    return found


async def picker_response(
    request: Request,
    participant: Participant,
    offer: MeetingOffer,
    rebooking: Meeting | None = None,
    status_code: int = 200,
    taken: bool = False,
    day: dt.date | None = None,
) -> Response:
    today_ = today(request)
    slots = await free_times.free_slots(database(request), offer, today_, place_of(request))
    picker = build_picker(
        slots,
        today_,
        last_bookable(offer, today_),
        portal_date(request.query_params.get("week")),
        day or portal_date(request.query_params.get("day")),
    )
    return render(
        request,
        ParticipantView(participant),
        "booking/picker.html",
        status_code,
        offer=offer,
        picker=picker,
        rebooking=rebooking,
        taken=taken,
        meeting_types=MEETING_TYPES,
    )


async def offer_page(request: Request, participant: Participant) -> Response:
    return await picker_response(request, participant, await offer_or_404(request, participant))


async def rebook_page(request: Request, participant: Participant) -> Response:
    meeting = await meeting_or_404(request, participant)
    if not meetings.can_rebook(meeting, today(request), place_of(request).zone):
        return await refused(request, participant, meeting, "rebook")
    return await picker_response(request, participant, meeting.offer, rebooking=meeting)


async def confirm_page(request: Request, participant: Participant) -> Response:
    offer = await offer_or_404(request, participant)
    start = portal_moment(request.query_params.get("start"))
    rebooking = None
    rebook_id = whole_number(request.query_params.get("rebook", ""))
    if rebook_id is not None:
        async with database(request).sessions() as db:
            booking = await meetings.booking_of(db, participant.id, rebook_id)
            rebooking = await meetings.meeting_of(db, booking) if booking else None
    if start is None:
        return await picker_response(request, participant, offer, rebooking, 400)
    day = start.astimezone(place_of(request).zone).date()
    async with database(request).sessions() as db:
        slots = await free_times.free_slots(db, offer, today(request), place_of(request), day)
        slot = next((s for s in slots.get(day, []) if s.start == start), None)
        if slot is None:
            return await picker_response(request, participant, offer, rebooking, 409, True, day)
        names: dict[int, str] = {}
        if offer.choose_caseworker and slot.caseworkers:
            rows = await db.execute(
                select(Caseworker.id, Caseworker.name).where(Caseworker.id.in_(slot.caseworkers))
            )
            names = {caseworker_id: name for caseworker_id, name in rows}
        room = await db.get(Room, offer.room_id) if offer.room_id else None
        address = await meetings.address_of(db, offer, room)
    return render(
        request,
        ParticipantView(participant),
        "booking/confirm.html",
        offer=offer,
        slot=slot,
        caseworkers=sorted(names.items(), key=lambda item: item[1]),
        address=address,
        request_key=new_form_token(),
        rebooking=rebooking,
        meeting_types=MEETING_TYPES,
    )


async def book(request: Request, participant: Participant) -> Response:
    offer = await offer_or_404(request, participant)
    form = await read_form(request)
    start = portal_moment(form.get("start"))
    key = form.get("request_key", "")
    if start is None:
        return await picker_response(request, participant, offer, None, 400)
    caseworker_raw = form.get("caseworker", "")
    caseworker_id = whole_number(caseworker_raw)
    place = place_of(request)
    rebooking: Meeting | None = None
    try:
        async with database(request).transaction() as db:
            replacing = None
            rebook_id = whole_number(form.get("rebook", ""))
            if rebook_id is not None:
                replacing = await meetings.booking_of(db, participant.id, rebook_id)
                if replacing is None or replacing.offer_id != offer.id:
                    raise HTTPException(404)
                rebooking = await meetings.meeting_of(db, replacing)
                if replacing.replaced_by_id is not None:
                    return redirect_to(replacing.replaced_by_id)  # a repeated click
            booking = await bookings.book(
                db,
                participant.id,
                offer,
                start,
                key,
                today(request),
                place,
                caseworker_id,
                replacing,
                pages(request).formatter.day,
                links=Links.of(request.app.state.settings),
            )
    except (SlotTaken, IntegrityError):
        async with database(request).sessions() as db:
            done = await bookings.existing_request(db, key)
        if done is not None and done.participant_id == participant.id:
            return redirect_to(done.id)
        day = start.astimezone(place.zone).date()
        return await picker_response(request, participant, offer, rebooking, 409, True, day)
    except BookingRefused as refusal:
        return render(
            request,
            ParticipantView(participant),
            "booking/refused.html",
            409,
            message=refusal.message,
            offer=offer,
        )
    return redirect_to(booking.id, booked=True)


def redirect_to(booking_id: int, booked: bool = False) -> Response:
    suffix = "?booked=1" if booked else ""
    return RedirectResponse(f"/meetings/bookings/{booking_id}{suffix}", status_code=303)


# --- one meeting -----------------------------------------------------------------------------


async def booking_page(request: Request, participant: Participant) -> Response:
    meeting = await meeting_or_404(request, participant)
    place = place_of(request)
    return render(
        request,
        ParticipantView(participant),
        "booking/booking.html",
        meeting=meeting,
        booked=request.query_params.get("booked") == "1",
        can_cancel=meetings.can_cancel(meeting, utcnow()),
        can_rebook=meetings.can_rebook(meeting, today(request), place.zone),
        rebook_deadline=meetings.rebook_deadline(meeting, place.zone),
        meeting_types=MEETING_TYPES,
    )


async def refused(
    request: Request, participant: Participant, meeting: Meeting, action: str
) -> Response:
    place = place_of(request)
    message = (
        bookings.rebook_refusal(meeting, today(request), place.zone, pages(request).formatter.day)
        if action == "rebook"
        else bookings.cancel_refusal(meeting, utcnow())
    )
    return render(
        request,
        ParticipantView(participant),
        "booking/refused.html",
        409,
        message=message,
        offer=meeting.offer,
        meeting=meeting,
    )


async def cancel_page(request: Request, participant: Participant) -> Response:
    meeting = await meeting_or_404(request, participant)
    if not meetings.can_cancel(meeting, utcnow()):
        return await refused(request, participant, meeting, "cancel")
    return render(
        request,
        ParticipantView(participant),
        "booking/cancel.html",
        meeting=meeting,
        meeting_types=MEETING_TYPES,
    )


async def cancel(request: Request, participant: Participant) -> Response:
    meeting = await meeting_or_404(request, participant)
    if meeting.booking.status == "cancelled":
        return RedirectResponse("/meetings?cancelled=1", status_code=303)  # a second click
    try:
        async with database(request).transaction() as db:
            booking = await meetings.booking_of(db, participant.id, meeting.booking.id)
            if booking is None:
                raise HTTPException(404)
            await bookings.cancel_by_participant(db, replace(meeting, booking=booking), utcnow())
    except BookingRefused:
        return await refused(request, participant, meeting, "cancel")
    return RedirectResponse("/meetings?cancelled=1", status_code=303)


def calendar_file(meeting: Meeting, base_url: str, host: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Participant portal//meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    item = Event()
    item.add("uid", f"meeting-{meeting.booking.id}@{host}")
    item.add("dtstamp", meeting.booking.created_at)
    item.add("dtstart", meeting.booking.starts_at)
    item.add("dtend", meeting.booking.ends_at)
    item.add("summary", meeting.offer.title)
    if meeting.address:
        item.add("location", meeting.address)
    description = meeting.offer.description
    if meeting.caseworker_names:
        description = f"{description}\n\n{', '.join(meeting.caseworker_names)}".strip()
    item.add("description", f"{description}\n\n{base_url}/meetings/bookings/{meeting.booking.id}")
    item.add("status", "CONFIRMED" if meeting.booking.status == "booked" else "CANCELLED")
    calendar.add_component(item)
    return bytes(calendar.to_ical())


async def calendar_download(request: Request, participant: Participant) -> Response:
    meeting = await meeting_or_404(request, participant)
    settings = request.app.state.settings
    body = calendar_file(meeting, settings.base_url, request.url.hostname or "portal")
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="meeting-{meeting.booking.id}.ics"'},
    )


def routes() -> list[Route]:
    guarded: list[tuple[str, Any, list[str]]] = [
        ("/meetings/offers/{offer_id:int}", offer_page, ["GET"]),
        ("/meetings/offers/{offer_id:int}/confirm", confirm_page, ["GET"]),
        ("/meetings/offers/{offer_id:int}/book", book, ["POST"]),
        ("/meetings/bookings/{booking_id:int}", booking_page, ["GET"]),
        ("/meetings/bookings/{booking_id:int}.ics", calendar_download, ["GET"]),
        ("/meetings/bookings/{booking_id:int}/cancel", cancel_page, ["GET"]),
        ("/meetings/bookings/{booking_id:int}/cancel", cancel, ["POST"]),
        ("/meetings/bookings/{booking_id:int}/rebook", rebook_page, ["GET"]),
    ]
    return [
        *participant_page_routes("/meetings", meetings_page, "meetings"),
        *(Route(path, participant_only(h), methods=m) for path, h, m in guarded),
    ]
