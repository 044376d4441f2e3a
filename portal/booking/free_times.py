"""Free times of an offer from the database's facts (through the slot engine), and which offers
a participant may see and book."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Select,
    and_,
    bindparam,
    exists,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from portal.booking import slot_engine as engine
from portal.booking.models import (
    Booking,
    BusyTime,
    ClosingDay,
    GroupSession,
    MeetingOffer,
    OfferCaseworker,
    ParticipantMarking,
    ParticipantTeam,
    Pause,
    Room,
    Team,
    TeamMember,
    WorkingHours,
)
from portal.web.i18n import national_language

UNLIMITED = 1_000_000  # seats of a group meeting in a room without a capacity


class SlotTaken(Exception):
    """The time was free when the participant chose it and is not any longer."""


class Repeated(Exception):
    """The same request (its key) was already served: here is its booking."""

    def __init__(self, booking: Booking) -> None:
        super().__init__(booking.id)
        self.booking = booking


class BookingRefused(Exception):
    """The rules do not allow this; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Place:
    country: str
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def language(self) -> str:
        return national_language(self.country)


def as_engine_offer(offer: MeetingOffer) -> engine.Offer:
    return engine.Offer(
        duration=dt.timedelta(minutes=offer.duration_minutes),
        admin_time=dt.timedelta(minutes=offer.admin_minutes),
        first_date=offer.first_date,
        fixed_end=offer.fixed_end,
        rolling_weeks=offer.rolling_weeks,
        visible_from=offer.visible_from,
        active=offer.active,
    )


async def team_parents(db: AsyncSession) -> dict[int, int | None]:
    rows = await db.execute(select(Team.id, Team.parent_id))
    return {team_id: parent for team_id, parent in rows}


async def closed_days(
    db: AsyncSession, team_id: int, country: str, first: dt.date, last: dt.date
) -> set[dt.date]:
    parents = await team_parents(db)
    rows = await db.execute(
        select(ClosingDay.team_id, ClosingDay.first_date, ClosingDay.last_date).where(
            ClosingDay.team_id.in_(engine.teams_above(team_id, parents)),
            ClosingDay.last_date >= first,
            ClosingDay.first_date <= last,
        )
    )
    local: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for owner, start, end in rows:
        local.setdefault(owner, []).append((start, end))
    return engine.closing_days(country, team_id, parents, local, first, last)


async def bookable_caseworker_ids(db: AsyncSession, offer: MeetingOffer) -> list[int]:
    """The offer's caseworkers who are in its team and take new bookings, in id order."""
    rows = await db.scalars(
        select(OfferCaseworker.caseworker_id)
        .join(
            TeamMember,
            and_(
                TeamMember.caseworker_id == OfferCaseworker.caseworker_id,
                TeamMember.team_id == offer.team_id,
                TeamMember.takes_bookings,
            ),
        )
        .where(OfferCaseworker.offer_id == offer.id)
        .order_by(OfferCaseworker.caseworker_id)
    )
    return list(rows)


async def load_caseworkers(
    db: AsyncSession, ids: Sequence[int], first: dt.datetime, last: dt.datetime
) -> list[engine.Caseworker]:
    """Schedules and busy time (meetings with admin time, other busy time) in [first, last)."""
    if not ids:
        return []
    hours: dict[int, dict[int, tuple[dt.time, dt.time] | None]] = {i: {} for i in ids}
    for row in await db.scalars(select(WorkingHours).where(WorkingHours.caseworker_id.in_(ids))):
        hours[row.caseworker_id][row.weekday] = (
            (row.starts, row.ends) if row.ends > row.starts else None
        )
    pauses: dict[int, dict[int, list[tuple[dt.time, dt.time]]]] = {i: {} for i in ids}
    for pause in await db.scalars(select(Pause).where(Pause.caseworker_id.in_(ids))):
        pauses[pause.caseworker_id].setdefault(pause.weekday, []).append((pause.starts, pause.ends))
    busy: dict[int, list[engine.Interval]] = {i: [] for i in ids}
    meetings = await db.execute(
        select(Booking.caseworker_id, Booking.starts_at, Booking.blocked_until).where(
            Booking.caseworker_id.in_(ids),
            Booking.status == "booked",
            Booking.starts_at < last,
            Booking.blocked_until > first,
        )
    )
    group_meetings = await db.execute(
        select(OfferCaseworker.caseworker_id, GroupSession.starts_at, MeetingOffer)
        .join(MeetingOffer, MeetingOffer.id == GroupSession.offer_id)
        .join(OfferCaseworker, OfferCaseworker.offer_id == MeetingOffer.id)
        .where(
            OfferCaseworker.caseworker_id.in_(ids),
            GroupSession.starts_at < last,
            GroupSession.starts_at > first - dt.timedelta(hours=12),
        )
    )
    for caseworker_id, start, end in meetings:
        if caseworker_id is not None:  # always, by the query; a group booking has none
            busy[caseworker_id].append((start, end))
    for caseworker_id, start, group_offer in group_meetings:
        length = dt.timedelta(minutes=group_offer.duration_minutes + group_offer.admin_minutes)
        busy[caseworker_id].append((start, start + length))
    other = await db.execute(
        select(BusyTime.caseworker_id, BusyTime.starts_at, BusyTime.ends_at).where(
            BusyTime.caseworker_id.in_(ids), BusyTime.starts_at < last, BusyTime.ends_at > first
        )
    )
    for caseworker_id, start, end in other:
        busy[caseworker_id].append((start, end))
    return [
        engine.Caseworker(
            i,
            engine.WeekSchedule({d: hours[i].get(d) for d in range(7)}, pauses[i]),
            busy[i],
        )
        for i in ids
    ]


async def room_meetings(
    db: AsyncSession,
    room_id: int | None,
    first: dt.datetime,
    last: dt.datetime,
    except_offer: int | None = None,
) -> list[engine.Interval]:
    """When the room holds a meeting in [first, last): live individual bookings in it and the
    set times of group meetings held there (but those of `except_offer`)."""
    if room_id is None:
        return []
    rows = await db.execute(
        select(Booking.starts_at, Booking.ends_at).where(
            Booking.room_id == room_id,
            Booking.status == "booked",
            Booking.group_session_id.is_(None),
            Booking.starts_at < last,
            Booking.ends_at > first,
        )
    )
    busy: list[engine.Interval] = [(start, end) for start, end in rows]
    sessions = await db.execute(
        select(GroupSession.starts_at, MeetingOffer.duration_minutes)
        .join(MeetingOffer, MeetingOffer.id == GroupSession.offer_id)
        .where(
            MeetingOffer.room_id == room_id,
            MeetingOffer.id != (except_offer or 0),
            GroupSession.starts_at < last,
            GroupSession.starts_at > first - dt.timedelta(hours=12),
        )
    )
    busy += [(start, start + dt.timedelta(minutes=minutes)) for start, minutes in sessions]
    return busy


async def lock_room(db: AsyncSession, room_id: int) -> None:
    """Write the room's row, as lock_caseworker does: bookings in one room go one at a time."""
    await db.execute(
        update(Room).where(Room.id == room_id).values(booking_lock=Room.booking_lock + 1)
    )


def window(days: Sequence[dt.date], zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.combine(days[0], dt.time(), tzinfo=zone),
        dt.datetime.combine(days[-1] + engine.DAY, dt.time(), tzinfo=zone),
    )


async def free_slots(
    db: AsyncSession,
    offer: MeetingOffer,
    today: dt.date,
    place: Place,
    only_day: dt.date | None = None,
    caseworker_ids: Sequence[int] | None = None,
) -> dict[dt.date, list[engine.Slot]]:
    """The offer's free times per day (optionally of one day and some caseworkers)."""
    plain = as_engine_offer(offer)
    days = engine.bookable_days(plain, today)
    if only_day is not None:
        days = [d for d in days if d == only_day]
    if not days:
        return {}
    closed = await closed_days(db, offer.team_id, place.country, days[0], days[-1])
    if offer.is_group:
        sessions = (
            await db.scalars(select(GroupSession).where(GroupSession.offer_id == offer.id))
        ).all()
        result: dict[dt.date, list[engine.Slot]] = {}
        wanted = set(days)
        for session in sessions:
            seats = UNLIMITED if session.seats is None else session.seats
            for day, slots in engine.group_slots(
                plain,
                [session.starts_at],
                seats,
                {session.starts_at: session.booked},
                closed,
                today,
                place.timezone,
            ).items():
                if day in wanted:
                    result.setdefault(day, []).extend(slots)
        return {day: sorted(slots, key=lambda s: s.start) for day, slots in sorted(result.items())}
    ids = await bookable_caseworker_ids(db, offer)
    if caseworker_ids is not None:
        ids = [i for i in ids if i in caseworker_ids]
    first, last = window(days, place.zone)
    caseworkers = await load_caseworkers(db, ids, first, last)
    room_busy = await room_meetings(db, offer.room_id, first, last)
    wanted = set(days)
    found = engine.individual_slots(plain, caseworkers, closed, today, place.timezone, room_busy)
    return {day: day_slots for day, day_slots in found.items() if day in wanted}


# --- who sees which offer --------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    markings: frozenset[str]
    team_chain: tuple[int, ...]  # the participant's team and the teams above it
    municipality: str | None


async def eligibility_of(db: AsyncSession, participant_id: int) -> Eligibility:
    markings = frozenset(
        (
            await db.scalars(
                select(ParticipantMarking.marking).where(
                    ParticipantMarking.participant_id == participant_id
                )
            )
        ).all()
    )
    profile = await db.get(ParticipantTeam, participant_id)
    chain: tuple[int, ...] = ()
    if profile is not None and profile.team_id is not None:
        chain = tuple(engine.teams_above(profile.team_id, await team_parents(db)))
    return Eligibility(markings, chain, profile.municipality if profile else None)


def is_eligible(offer: MeetingOffer, who: Eligibility) -> bool:
    """Every rule the offer sets must hold: the marking, the team (the participant's own
    team or one under the offer's team), the municipality."""
    if offer.eligible_marking and offer.eligible_marking not in who.markings:
        return False
    if offer.eligible_team_id is not None and offer.eligible_team_id not in who.team_chain:
        return False
    return not (
        offer.eligible_municipality
        and (who.municipality or "").casefold() != offer.eligible_municipality.casefold()
    )


def is_open(offer: MeetingOffer, today: dt.date) -> bool:
    """Active, visible and with days left to book (the engine's rule for bookable days)."""
    return bool(engine.bookable_days(as_engine_offer(offer), today))


async def offers_for(db: AsyncSession, participant_id: int, today: dt.date) -> list[MeetingOffer]:
    who = await eligibility_of(db, participant_id)
    offers = await db.scalars(
        select(MeetingOffer).where(MeetingOffer.active).order_by(MeetingOffer.title)
    )
    return [offer for offer in offers if is_open(offer, today) and is_eligible(offer, who)]


async def offer_for(
    db: AsyncSession, participant_id: int, offer_id: int, today: dt.date
) -> MeetingOffer | None:
    """The offer when this participant may book it; None (404) otherwise."""
    offer = await db.get(MeetingOffer, offer_id)
    if offer is None or not is_open(offer, today):
        return None
    if not is_eligible(offer, await eligibility_of(db, participant_id)):
        return None
    return offer


@cache
def invitations_query() -> Select[int, str]:
    """The active offers meant for the participant by a person-group marking their caseworker
    set (the job centre asks them to book a time) that they hold no booking of: (id, title);
    for {"participant_id": ...}. Candidates only: `invitations` checks the offer's other rules."""
    return (
        select(MeetingOffer.id, MeetingOffer.title)
        .where(
            MeetingOffer.active,
            MeetingOffer.eligible_marking.in_(
                select(ParticipantMarking.marking).where(
                    ParticipantMarking.participant_id == bindparam("participant_id")
                )
            ),
            ~exists().where(
                Booking.offer_id == MeetingOffer.id,
                Booking.participant_id == bindparam("participant_id"),
                Booking.status == "booked",
            ),
        )
        .order_by(MeetingOffer.title, MeetingOffer.id)
    )


async def invitations(
    db: AsyncSession, participant_id: int, today: dt.date, candidates: Sequence[Any]
) -> list[tuple[int, str]]:
    """Of `invitations_query`'s rows, the offers the participant may book today."""
    if not candidates:
        return []
    bookable = {offer.id for offer in await offers_for(db, participant_id, today)}
    return [(int(id), str(title)) for id, title in candidates if id in bookable]
