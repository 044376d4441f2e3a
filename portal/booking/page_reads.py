"""What the participant's meetings page shows, read in one go (`Database.read_objects`): their
bookings with each one's offer, room, caseworkers and address, the offers they may book, and
the bookings the job centre changed. The same rules as the session-bound reads in `meetings`
and `free_times`, without an ORM session (a dozen statements through it cost a page 5 ms)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, select, true

from portal.booking import slot_engine as engine
from portal.booking.free_times import (
    eligibility_from,
    eligibility_queries,
    is_eligible,
    is_open,
)
from portal.booking.meetings import Meeting
from portal.booking.models import (
    Booking,
    Caseworker,
    MeetingOffer,
    OfferCaseworker,
    Room,
    Team,
)
from portal.booking.trail import job_centre_changed_bookings, unseen_job_centre_changes
from portal.db import Database, select_objects


@dataclass(frozen=True)
class MeetingsPage:
    meetings: list[Meeting]  # by start, the moved ones left out
    offers: list[MeetingOffer]  # those the participant may book today, by title
    changes: dict[int, bool]  # bookings the job centre cancelled or moved -> seen since


@cache
def booking_queries(one: bool) -> tuple[tuple[type[Any] | None, Any], ...]:
    """(class or None for plain rows, query) for {"participant_id"}: the participant's
    bookings but the moved ones (with `one`, the booking {"booking_id"}, whatever its state),
    their offers, rooms, caseworkers, each offer's caseworkers' names, and the teams."""
    chosen: Any = Booking.participant_id == bindparam("participant_id")
    if one:
        chosen = and_(chosen, Booking.id == bindparam("booking_id"))
    booked = select(Booking.offer_id).where(chosen)
    return (
        (
            Booking,
            select_objects(Booking)
            .where(chosen, true() if one else Booking.status != "moved")
            .order_by(Booking.starts_at, Booking.id),
        ),
        (MeetingOffer, select_objects(MeetingOffer).where(MeetingOffer.id.in_(booked))),
        (Room, select_objects(Room).where(Room.id.in_(select(Booking.room_id).where(chosen)))),
        (
            Caseworker,
            select_objects(Caseworker).where(
                Caseworker.id.in_(select(Booking.caseworker_id).where(chosen))
            ),
        ),
        (
            None,
            select(OfferCaseworker.offer_id, Caseworker.name)
            .join(Caseworker, Caseworker.id == OfferCaseworker.caseworker_id)
            .where(OfferCaseworker.offer_id.in_(booked))
            .order_by(Caseworker.name),
        ),
        (None, select(Team.id, Team.parent_id, Team.address)),
    )


@cache
def bookable_queries() -> tuple[tuple[type[Any] | None, Any], ...]:
    """(class or None, query) for {"participant_id"}: the active offers, the participant's
    markings and team, and the bookings the job centre changed (all, and those not seen)."""
    return (
        (
            MeetingOffer,
            select_objects(MeetingOffer)
            .where(MeetingOffer.active)
            .order_by(MeetingOffer.title, MeetingOffer.id),
        ),
        *((None, query) for query in eligibility_queries()),
        (None, unseen_job_centre_changes()),
        (None, job_centre_changed_bookings()),
    )


@cache
def offer_queries() -> tuple[tuple[type[Any] | None, Any], ...]:
    """(class or None, query) for {"offer_id", "participant_id"}: the offer, the
    participant's markings and team, and the teams' tree."""
    return (
        (
            MeetingOffer,
            select_objects(MeetingOffer).where(MeetingOffer.id == bindparam("offer_id")),
        ),
        *bookable_queries()[1:3],
        (None, select(Team.id, Team.parent_id)),
    )


async def bookable_offer(
    database: Database, participant_id: int, offer_id: int, today: dt.date
) -> MeetingOffer | None:
    """The offer when this participant may book it; None (404) otherwise."""
    given = {"offer_id": offer_id, "participant_id": participant_id}
    offers, markings, profile, teams = await database.read_objects(
        *((model, query, given) for model, query in offer_queries())
    )
    if not offers or not is_open(offers[0], today):
        return None
    who = eligibility_from(markings, profile, {team: parent for team, parent in teams})
    return offers[0] if is_eligible(offers[0], who) else None


def meetings_from(found: list[list[Any]]) -> list[Meeting]:
    """The meetings of `booking_queries`' rows: each booking with its offer, the room's
    address or else the nearest team's, and its caseworker or else the offer's."""
    bookings, booked_offers, rooms, caseworkers, offer_names, teams = found
    parents = {team_id: parent for team_id, parent, _ in teams}
    addresses = {team_id: address for team_id, _, address in teams}
    offers = {offer.id: offer for offer in booked_offers}
    rooms_by_id = {room.id: room for room in rooms}
    names_by_id = {caseworker.id: caseworker.name for caseworker in caseworkers}
    names_of_offer: dict[int, list[str]] = {}
    for offer_id, name in offer_names:
        names_of_offer.setdefault(offer_id, []).append(name)

    def meeting(booking: Booking) -> Meeting:
        offer = offers[booking.offer_id]
        room = rooms_by_id.get(booking.room_id) if booking.room_id else None
        address = room.address if room is not None and room.address else None
        if not address:
            above = engine.teams_above(offer.team_id, parents)
            address = next((addresses[team] for team in above if addresses.get(team)), "")
        if booking.caseworker_id in names_by_id:
            names: tuple[str, ...] = (names_by_id[booking.caseworker_id],)
        else:
            names = tuple(names_of_offer.get(offer.id, ()))
        return Meeting(booking, offer, address or "", names)

    return [meeting(booking) for booking in bookings]


async def meeting(database: Database, participant_id: int, booking_id: int) -> Meeting | None:
    """One booking of the participant's as a meeting; None when it is not theirs."""
    given = {"participant_id": participant_id, "booking_id": booking_id}
    found = await database.read_objects(
        *((model, query, given) for model, query in booking_queries(True))
    )
    meetings = meetings_from(found)
    return meetings[0] if meetings else None


async def meetings_page(database: Database, participant_id: int, today: dt.date) -> MeetingsPage:
    given = {"participant_id": participant_id}
    found = await database.read_objects(
        *((model, query, given) for model, query in booking_queries(False) + bookable_queries())
    )
    held = meetings_from(found[:6])
    teams = found[5]
    active_offers, markings, profile, unseen, changed = found[6:]
    who = eligibility_from(markings, profile, {team: parent for team, parent, _ in teams})
    not_seen = {booking_id for (booking_id,) in unseen}
    return MeetingsPage(
        held,
        [offer for offer in active_offers if is_open(offer, today) and is_eligible(offer, who)],
        {
            booking_id: booking_id not in not_seen
            for (booking_id,) in changed
            if booking_id is not None
        },
    )
