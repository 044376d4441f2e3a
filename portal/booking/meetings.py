"""A participant's meetings as they see them: the booking with its offer and place, and whether
they may still cancel or rebook it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import (
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from portal.booking import slot_engine as engine
from portal.booking.free_times import (
    team_parents,
)
from portal.booking.models import (
    Booking,
    Caseworker,
    MeetingOffer,
    OfferCaseworker,
    Room,
    Team,
)

# --- the participant's meetings --------------------------------------------------------------


@dataclass(frozen=True)
class Meeting:
    booking: Booking
    offer: MeetingOffer
    address: str
    caseworker_names: tuple[str, ...]


@dataclass
class Known:
    """What the meetings of one unit of work share, read once: the teams' tree, each team,
    and the caseworkers of each offer (pages read theirs in one go: `page_reads`)."""

    parents: dict[int, int | None] | None = None
    teams: dict[int, Team | None] = field(default_factory=dict)
    names: dict[int, tuple[str, ...]] = field(default_factory=dict)


async def nearest_team_value(
    db: AsyncSession, team_id: int, column: str, known: Known | None = None
) -> str | None:
    """The team's address or e-mail, else that of the nearest team above it that has one."""
    known = known or Known()
    if known.parents is None:
        known.parents = await team_parents(db)
    for owner in engine.teams_above(team_id, known.parents):
        if owner not in known.teams:
            known.teams[owner] = await db.get(Team, owner)
        team = known.teams[owner]
        value = getattr(team, column) if team is not None else None
        if value:
            return str(value)
    return None


async def address_of(
    db: AsyncSession, offer: MeetingOffer, room: Room | None, known: Known | None = None
) -> str:
    """The room's address, else the nearest team's (the offer's team or one above it)."""
    if room is not None and room.address:
        return room.address
    return await nearest_team_value(db, offer.team_id, "address", known) or ""


async def caseworker_names(db: AsyncSession, offer_id: int, known: Known) -> tuple[str, ...]:
    if offer_id not in known.names:
        known.names[offer_id] = tuple(
            (
                await db.scalars(
                    select(Caseworker.name)
                    .join(OfferCaseworker, OfferCaseworker.caseworker_id == Caseworker.id)
                    .where(OfferCaseworker.offer_id == offer_id)
                    .order_by(Caseworker.name)
                )
            ).all()
        )
    return known.names[offer_id]


async def meeting_of(db: AsyncSession, booking: Booking, known: Known | None = None) -> Meeting:
    known = known or Known()
    offer = await db.get_one(MeetingOffer, booking.offer_id)
    room = await db.get(Room, booking.room_id) if booking.room_id else None
    caseworker = await db.get(Caseworker, booking.caseworker_id) if booking.caseworker_id else None
    if caseworker is not None:
        names: tuple[str, ...] = (caseworker.name,)
    else:
        names = await caseworker_names(db, offer.id, known)
    return Meeting(booking, offer, await address_of(db, offer, room, known), names)


async def booking_of(db: AsyncSession, participant_id: int, booking_id: int) -> Booking | None:
    return await db.scalar(
        select(Booking).where(Booking.id == booking_id, Booking.participant_id == participant_id)
    )


def can_cancel(meeting: Meeting, now: dt.datetime) -> bool:
    return (
        meeting.booking.status == "booked"
        and meeting.offer.accept_cancellation
        and meeting.booking.starts_at > now
    )


def rebook_deadline(meeting: Meeting, zone: ZoneInfo) -> dt.date:
    """The last day a rebooking is accepted: N days before the meeting's day."""
    day = meeting.booking.starts_at.astimezone(zone).date()
    return day - dt.timedelta(days=meeting.offer.rebook_days_before)


def can_rebook(meeting: Meeting, today: dt.date, zone: ZoneInfo) -> bool:
    return (
        meeting.booking.status == "booked"
        and meeting.offer.accept_rebooking
        and today <= rebook_deadline(meeting, zone)
        and meeting.booking.starts_at.astimezone(zone).date() > today
    )
