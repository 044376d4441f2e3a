"""Bookings from the database: which offers a participant sees, their free times, and booking,
rebooking and cancelling so that one slot is never given twice (see models.py for the locks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from babel.support import LazyProxy
from sqlalchemy import (
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from portal.booking import slot_engine as engine
from portal.booking.free_times import (
    BookingRefused,
    Place,
    Repeated,
    SlotTaken,
    as_engine_offer,
    closed_days,
    free_slots,
    lock_room,
)
from portal.booking.meetings import (
    Meeting,
    can_cancel,
    can_rebook,
    meeting_of,
    nearest_team_value,
    rebook_deadline,
)
from portal.booking.models import (
    Booking,
    BookingEvent,
    Caseworker,
    GroupSession,
    MeetingOffer,
)
from portal.db import utcnow
from portal.notify.service import (
    MEETING_BOOKED,
    MEETING_CHANGED,
    Links,
    notify_participant,
    send_email,
)
from portal.participants.models import Participant
from portal.participants.service import record_event
from portal.web.i18n import current_language, gettext
from portal.web.i18n import lazy_gettext as _

# The fixed central list of meeting types (samtaletyper).
MEETING_TYPES: dict[str, LazyProxy] = {
    "job_interview": _("Job interview"),
    "information": _("Information meeting"),
    "follow_up": _("Follow-up meeting"),
    "cv": _("CV meeting"),
    "availability": _("Availability interview"),
    "sickness_follow_up": _("Sickness follow-up"),
}

# Person-group markings caseworkers set on participants; offers may be limited to one.
MARKINGS: dict[str, LazyProxy] = {
    "youth": _("Young people under 30"),
    "newly_arrived": _("Newly arrived"),
    "graduate": _("Recent graduates"),
    "long_term": _("Long-term unemployed"),
    "sick_listed": _("On sick leave"),
}

# The audit trail's events (SPEC 4).
EVENTS: dict[str, LazyProxy] = {
    "created": _("Booked"),
    "seen": _("Seen by the participant"),
    "moved_by_participant": _("Moved by the participant"),
    "moved_by_job_centre": _("Moved by the job centre"),
    "cancelled_by_participant": _("Cancelled by the participant"),
    "cancelled_by_job_centre": _("Cancelled by the job centre"),
    "opened_by_staff": _("Details opened by staff"),
    "caseworker_attached": _("Caseworker attached"),
    "caseworker_detached": _("Caseworker detached"),
    "participant_attached": _("Participant attached to a group meeting"),
    "participant_detached": _("Participant detached from a group meeting"),
}

OFFER_FULL = "offer_full"


def event(
    db: AsyncSession,
    kind: str,
    booking: Booking,
    detail: str = "",
    staff_user_id: int | None = None,
) -> None:
    """One row of the audit trail (never changed afterwards)."""
    db.add(
        BookingEvent(
            at=utcnow(),
            event=kind,
            booking_id=booking.id,
            offer_id=booking.offer_id,
            participant_id=booking.participant_id,
            caseworker_id=booking.caseworker_id,
            staff_user_id=staff_user_id,
            detail=detail[:500],
        )
    )


# --- booking, rebooking, cancelling ----------------------------------------------------------


async def lock_caseworker(db: AsyncSession, caseworker_id: int) -> None:
    """Write the caseworker's row: a row lock on PostgreSQL, the write lock on SQLite. Every
    booking of this caseworker takes it first, so they check and insert one at a time."""
    await db.execute(
        update(Caseworker)
        .where(Caseworker.id == caseworker_id)
        .values(booking_lock=Caseworker.booking_lock + 1)
    )


async def existing_request(db: AsyncSession, request_key: str) -> Booking | None:
    return await db.scalar(select(Booking).where(Booking.request_key == request_key))


async def book(
    db: AsyncSession,
    participant_id: int,
    offer: MeetingOffer,
    start: dt.datetime,
    request_key: str,
    today: dt.date,
    place: Place,
    caseworker_id: int | None = None,
    replacing: Booking | None = None,
    format_day: Callable[[dt.date], str] = dt.date.isoformat,
    moved_by: int | None = None,
    *,
    links: Links,
) -> Booking:
    """Hold the time for the participant, or raise SlotTaken / BookingRefused. The participant
    is told (booked, or moved by the job centre) on the channels they chose, and when that was
    the offer's last free time, the team is told.

    A repeated request (same key) returns the booking the first one made. Call inside one
    transaction; on rebooking the old booking is released in the same transaction, after
    the new time is held, and only while the offer's rules allow the participant to move it
    (the job centre, `moved_by` a staff user, may move it whatever the rules).
    """
    if not request_key or len(request_key) > 64:
        raise BookingRefused(gettext("The form has expired. Choose the time again."))
    try:
        await refuse_repeat(db, request_key, participant_id)
        if replacing is not None and moved_by is None:
            old = await meeting_of(db, replacing)
            if not can_rebook(old, today, place.zone):
                raise BookingRefused(rebook_refusal(old, today, place.zone, format_day))
        booking = await _book(
            db,
            participant_id,
            offer,
            start,
            request_key,
            today,
            place,
            caseworker_id,
            replacing,
            staff_chooses=moved_by is not None,
        )
    except Repeated as repeat:
        return repeat.booking
    if replacing is not None:
        if not await release(db, replacing, "moved", utcnow()):
            raise BookingRefused(gettext("This meeting is already cancelled or moved."))
        replacing.replaced_by_id = booking.id
        if moved_by is None:
            event(db, "moved_by_participant", booking, detail=f"from booking {replacing.id}")
        else:
            detail = f"from booking {replacing.id}"
            event(db, "moved_by_job_centre", booking, detail, staff_user_id=moved_by)
            event(db, "moved_by_job_centre", replacing, detail, staff_user_id=moved_by)
    else:
        event(db, "created", booking)
        if offer.is_group:
            event(db, "participant_attached", booking)
    await db.flush()
    participant = await db.get_one(Participant, participant_id)
    told = MEETING_BOOKED if moved_by is None else MEETING_CHANGED
    await notify_participant(db, participant, told, links)
    await record_event(db, participant_id, "meeting", utcnow())
    await tell_team_when_full(db, offer, today, place)
    return booking


async def refuse_repeat(db: AsyncSession, request_key: str, participant_id: int) -> None:
    """Raise Repeated when this key already made a booking (another person's key: refused)."""
    done = await existing_request(db, request_key)
    if done is None:
        return
    if done.participant_id != participant_id:
        raise BookingRefused(gettext("The form has expired. Choose the time again."))
    raise Repeated(done)


async def _book(
    db: AsyncSession,
    participant_id: int,
    offer: MeetingOffer,
    start: dt.datetime,
    request_key: str,
    today: dt.date,
    place: Place,
    caseworker_id: int | None,
    replacing: Booking | None,
    staff_chooses: bool = False,
) -> Booking:
    if replacing is None:
        holding = await db.scalar(
            select(func.count())
            .select_from(Booking)
            .where(
                Booking.participant_id == participant_id,
                Booking.offer_id == offer.id,
                Booking.status == "booked",
                Booking.starts_at > utcnow(),
            )
        )
        if holding:
            raise BookingRefused(
                gettext("You already have a time for this meeting. Rebook it to change it.")
            )
    day = start.astimezone(place.zone).date()
    if offer.is_group:
        return await _book_group(db, participant_id, offer, start, day, request_key, today, place)
    if not (offer.choose_caseworker or staff_chooses):
        caseworker_id = None  # the participant may not choose: whoever is free
    return await _book_individual(
        db, participant_id, offer, start, day, request_key, today, place, caseworker_id
    )


def new_booking(
    offer: MeetingOffer, participant_id: int, start: dt.datetime, request_key: str
) -> Booking:
    """A live booking of the offer's length; the time after it is blocked for admin work."""
    end = start + dt.timedelta(minutes=offer.duration_minutes)
    return Booking(
        offer_id=offer.id,
        participant_id=participant_id,
        room_id=offer.room_id,
        starts_at=start,
        ends_at=end,
        blocked_until=end + dt.timedelta(minutes=offer.admin_minutes),
        status="booked",
        request_key=request_key,
        created_at=utcnow(),
    )


async def _insert(db: AsyncSession, booking: Booking, request_key: str) -> Booking:
    """Insert; a unique index refusing it means the time (or the request) is taken."""
    try:
        async with db.begin_nested():
            db.add(booking)
            await db.flush()
    except IntegrityError as error:
        await refuse_repeat(db, request_key, booking.participant_id)
        raise SlotTaken() from error
    return booking


async def _book_individual(
    db: AsyncSession,
    participant_id: int,
    offer: MeetingOffer,
    start: dt.datetime,
    day: dt.date,
    request_key: str,
    today: dt.date,
    place: Place,
    chosen: int | None,
) -> Booking:
    before = await free_slots(db, offer, today, place, only_day=day)
    slot = next((s for s in before.get(day, []) if s.start == start), None)
    if slot is None:
        raise SlotTaken()
    candidates = sorted(slot.caseworkers) if chosen is None else [chosen]
    if chosen is not None and chosen not in slot.caseworkers:
        raise SlotTaken()
    if offer.room_id is not None:
        # The room first, then caseworkers by ascending id: every booking takes its locks in
        # the same order, so two never wait for each other in a cycle.
        await lock_room(db, offer.room_id)
    for caseworker_id in candidates:  # ascending ids, so two bookings never lock in a cycle
        await lock_caseworker(db, caseworker_id)
        await refuse_repeat(db, request_key, participant_id)  # a twin request was first
        now_free = await free_slots(db, offer, today, place, day, [caseworker_id])
        if any(s.start == start for s in now_free.get(day, [])):
            booking = new_booking(offer, participant_id, start, request_key)
            booking.caseworker_id = caseworker_id
            return await _insert(db, booking, request_key)
    raise SlotTaken()


async def _book_group(
    db: AsyncSession,
    participant_id: int,
    offer: MeetingOffer,
    start: dt.datetime,
    day: dt.date,
    request_key: str,
    today: dt.date,
    place: Place,
) -> Booking:
    if not engine.bookable_on(as_engine_offer(offer), today, day) or day in await closed_days(
        db, offer.team_id, place.country, day, day
    ):
        raise SlotTaken()
    session = await db.scalar(
        select(GroupSession).where(
            GroupSession.offer_id == offer.id, GroupSession.starts_at == start
        )
    )
    if session is None:
        raise SlotTaken()
    # The seat is taken by one conditional UPDATE: the row lock (PostgreSQL) or the write lock
    # (SQLite) makes a second request wait and then see the new count.
    taken = await db.execute(
        update(GroupSession)
        .where(
            GroupSession.id == session.id,
            or_(GroupSession.seats.is_(None), GroupSession.booked < GroupSession.seats),
        )
        .values(booked=GroupSession.booked + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise SlotTaken()
    try:
        return await _take_seat(db, participant_id, offer, start, session, request_key)
    except Repeated:
        # A twin request was first and holds its seat: give back the one taken above, since
        # this transaction commits (it answers with the twin's booking).
        await db.execute(
            update(GroupSession)
            .where(GroupSession.id == session.id)
            .values(booked=GroupSession.booked - 1)
        )
        raise


async def _take_seat(
    db: AsyncSession,
    participant_id: int,
    offer: MeetingOffer,
    start: dt.datetime,
    session: GroupSession,
    request_key: str,
) -> Booking:
    await refuse_repeat(db, request_key, participant_id)
    already = await db.scalar(
        select(Booking.id).where(
            Booking.group_session_id == session.id,
            Booking.participant_id == participant_id,
            Booking.status == "booked",
        )
    )
    if already is not None:
        raise BookingRefused(gettext("You are already booked for this group meeting."))
    booking = new_booking(offer, participant_id, start, request_key)
    booking.group_session_id = session.id
    return await _insert(db, booking, request_key)


async def release(db: AsyncSession, booking: Booking, status: str, now: dt.datetime) -> bool:
    """Set a live booking to cancelled or moved, giving a group seat back. False when it was
    no longer live (a second click, or the job centre was first)."""
    changed = await db.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == "booked")
        .values(status=status, ended_at=now)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    booking.status, booking.ended_at = status, now
    if booking.group_session_id is not None:
        await db.execute(
            update(GroupSession)
            .where(GroupSession.id == booking.group_session_id)
            .values(booked=GroupSession.booked - 1)
        )
    return True


async def cancel_by_job_centre(
    db: AsyncSession,
    booking: Booking,
    reason: str,
    staff_user_id: int,
    now: dt.datetime,
    links: Links,
) -> bool:
    """The job centre calls a meeting off, with a reason, and the participant is told; False
    when it is already cancelled, moved or over."""
    if booking.starts_at <= now or not await release(db, booking, "cancelled", now):
        return False
    event(db, "cancelled_by_job_centre", booking, reason, staff_user_id=staff_user_id)
    if booking.group_session_id is not None:
        event(db, "participant_detached", booking, staff_user_id=staff_user_id)
    participant = await db.get_one(Participant, booking.participant_id)
    await notify_participant(db, participant, MEETING_CHANGED, links)
    await record_event(db, participant.id, "meeting", now)
    return True


async def cancel_by_participant(db: AsyncSession, meeting: Meeting, now: dt.datetime) -> None:
    if not can_cancel(meeting, now):
        raise BookingRefused(cancel_refusal(meeting, now))
    if not await release(db, meeting.booking, "cancelled", now):
        raise BookingRefused(gettext("This meeting is already cancelled."))
    event(db, "cancelled_by_participant", meeting.booking)
    if meeting.booking.group_session_id is not None:
        event(db, "participant_detached", meeting.booking)
    await record_event(db, meeting.booking.participant_id, "meeting", now)


def cancel_refusal(meeting: Meeting, now: dt.datetime) -> str:
    if meeting.booking.status != "booked":
        return gettext("This meeting is already cancelled or moved.")
    if meeting.booking.starts_at <= now:
        return gettext("This meeting has already taken place.")
    return gettext(
        "This meeting cannot be cancelled in the portal. Call the job centre if you cannot come."
    )


def rebook_refusal(
    meeting: Meeting,
    today: dt.date,
    zone: ZoneInfo,
    format_day: Callable[[dt.date], str] = dt.date.isoformat,
) -> str:
    if meeting.booking.status != "booked":
        return gettext("This meeting is already cancelled or moved.")
    if not meeting.offer.accept_rebooking:
        return gettext("This meeting cannot be moved in the portal. Call the job centre.")
    return gettext(
        "It is too late to move this meeting in the portal: the last day was %(day)s. "
        "Call the job centre.",
        day=format_day(rebook_deadline(meeting, zone)),
    )


# --- telling the team when an offer is full --------------------------------------------------


async def tell_team_when_full(
    db: AsyncSession, offer: MeetingOffer, today: dt.date, place: Place
) -> bool:
    """After a booking (by the participant or the job centre): when no free time is left,
    e-mail the team (through the outbox), in the deployment's language."""
    if await free_slots(db, offer, today, place):
        return False
    recipient = await nearest_team_value(db, offer.team_id, "email")
    if recipient is None:
        return False
    token = current_language.set(place.language)
    try:
        subject = gettext("No free times left: %(title)s", title=offer.title)
        body = gettext(
            'The last free time of the meeting offer "%(title)s" has just been booked. '
            "Add times or caseworkers if more participants need to book.",
            title=offer.title,
        )
    finally:
        current_language.reset(token)
    await send_email(db, recipient, OFFER_FULL, subject, body)
    return True
