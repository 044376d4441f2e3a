"""The audit trail of booking events, searchable by staff, and what the job centre changed in a
participant's meetings that they have not seen yet (the start page's notice)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ScalarSelect,
    Select,
    bindparam,
    exists,
    func,
    select,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from portal.booking.bookings import event
from portal.booking.models import Booking, BookingEvent, ParticipantMarking
from portal.participants.models import Participant
from portal.staff.models import StaffUser

# --- what the job centre changed ------------------------------------------------------------

JOB_CENTRE_CHANGES = ("cancelled_by_job_centre", "moved_by_job_centre")


@cache
def unseen_job_centre_changes() -> Select[int | None]:
    """The bookings of a participant that the job centre cancelled or moved and that the
    participant has not looked at since (no "seen" event after the change); for
    {"participant_id": ...}. The one rule behind the start-page notice and the marks on the
    meetings page."""
    change, look = aliased(BookingEvent), aliased(BookingEvent)
    return select(change.booking_id).where(
        change.participant_id == bindparam("participant_id"),
        change.event.in_(JOB_CENTRE_CHANGES),
        change.booking_id.is_not(None),
        ~exists().where(
            look.booking_id == change.booking_id, look.event == "seen", look.id > change.id
        ),
    )


@cache
def job_centre_changed_bookings() -> Select[int | None]:
    """The bookings of a participant that the job centre ever cancelled or moved."""
    return (
        select(BookingEvent.booking_id)
        .where(
            BookingEvent.participant_id == bindparam("participant_id"),
            BookingEvent.event.in_(JOB_CENTRE_CHANGES),
            BookingEvent.booking_id.is_not(None),
        )
        .distinct()
    )


@cache
def unseen_job_centre_change() -> ScalarSelect[bool]:
    """Whether `unseen_job_centre_changes` has any; for {"participant_id": ...}."""
    return select(exists(unseen_job_centre_changes())).scalar_subquery()


@cache
def next_meeting_query() -> Select[dt.datetime]:
    """When the participant's next meeting starts (NULL: none); run with {"participant_id",
    "now"}."""
    return select(func.min(Booking.starts_at)).where(
        Booking.participant_id == bindparam("participant_id"),
        Booking.status == "booked",
        Booking.starts_at > bindparam("now"),
    )


async def mark_seen(db: AsyncSession, participant_id: int, booking_ids: Sequence[int]) -> None:
    """The participant has seen what the job centre changed: the start-page notice goes."""
    for booking in await db.scalars(
        select(Booking).where(Booking.participant_id == participant_id, Booking.id.in_(booking_ids))
    ):
        event(db, "seen", booking)


# --- the audit trail -----------------------------------------------------------------------

AUDIT_PAGE = 200


@dataclass(frozen=True)
class AuditSearch:
    """What staff search the audit trail by (each may be left out)."""

    participant: str  # part of a name or personal number
    caseworker_id: int | None
    offer_id: int | None
    event: str
    first: dt.date | None
    last: dt.date | None


async def audit_events(
    db: AsyncSession, search: AuditSearch, zone: ZoneInfo
) -> list[Row[tuple[BookingEvent, Participant | None, StaffUser | None]]]:
    """Booking events that match, newest first: one page and one more (there are more)."""
    statement = (
        select(BookingEvent, Participant, StaffUser)
        .outerjoin(Participant, Participant.id == BookingEvent.participant_id)
        .outerjoin(StaffUser, StaffUser.id == BookingEvent.staff_user_id)
        .order_by(BookingEvent.at.desc(), BookingEvent.id.desc())
        .limit(AUDIT_PAGE + 1)
    )
    if search.caseworker_id is not None:
        statement = statement.where(BookingEvent.caseworker_id == search.caseworker_id)
    if search.offer_id is not None:
        statement = statement.where(BookingEvent.offer_id == search.offer_id)
    if search.event:
        statement = statement.where(BookingEvent.event == search.event)
    if search.first:
        start = dt.datetime.combine(search.first, dt.time(), tzinfo=zone)
        statement = statement.where(BookingEvent.at >= start)
    if search.last:
        end = dt.datetime.combine(search.last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        statement = statement.where(BookingEvent.at < end)
    if search.participant:
        pattern = f"%{search.participant.replace('%', '').replace('_', '')}%"
        statement = statement.where(
            (Participant.personal_number.like(pattern))
            | ((Participant.first_name + " " + Participant.last_name).ilike(pattern))
        )
    return list(await db.execute(statement))


def marked_participants(marking: str) -> Any:
    """The ids of participants with this person-group marking."""
    return select(ParticipantMarking.participant_id).where(ParticipantMarking.marking == marking)


def marked_ids(marking: Any) -> tuple[Any, Any]:
    """The ids of the participants with the marking, as a query to read from (by the marking's
    index) and its id column."""
    return (
        select(ParticipantMarking.participant_id).where(ParticipantMarking.marking == marking),
        ParticipantMarking.participant_id,
    )


def is_marked(marking: Any, participant_id: Any) -> Any:
    """A condition on one participant (`participant_id`, a column): they have the marking."""
    return exists().where(
        ParticipantMarking.participant_id == participant_id, ParticipantMarking.marking == marking
    )
