"""Free times of an offer from the database's facts (through the slot engine), and which offers
a participant may see and book."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
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
    Caseworker,
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
from portal.db import Database
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
    rows = await db.execute(TEAMS)
    return {team_id: parent for team_id, parent in rows}


# What the slot engine needs, as statements built once: run in a unit of work (a booking
# checks its time in its own transaction) or on the fast read path (the picker), and turned
# into the engine's inputs by the same functions. Values: {"offer_id", "team_id", "room_id",
# "except_offer", "first", "last", "early" (12 hours before first), "first_day", "last_day"}.
Reads = AsyncSession | Database
TEAMS = select(Team.id, Team.parent_id)
# The closing days of a period (named, for the calendars), of any team.
CLOSINGS = (
    select(ClosingDay.team_id, ClosingDay.first_date, ClosingDay.last_date, ClosingDay.name)
    .where(
        ClosingDay.last_date >= bindparam("first_day"),
        ClosingDay.first_date <= bindparam("last_day"),
    )
    .order_by(ClosingDay.id)
)
SESSIONS = select(GroupSession.starts_at, GroupSession.seats, GroupSession.booked).where(
    GroupSession.offer_id == bindparam("offer_id")
)


async def run_reads(reads: Reads, queries: Sequence[Any], values: Mapping[str, Any]) -> list[Any]:
    """Each query's rows, in the unit of work or on the database's fast read path."""
    if isinstance(reads, Database):
        return await reads.read_all(*((query, values) for query in queries))
    return [list(await reads.execute(query, values)) for query in queries]


def bookable_ids() -> Any:
    """The offer's caseworkers who are in its team and take new bookings."""
    return (
        select(OfferCaseworker.caseworker_id)
        .join(
            TeamMember,
            and_(
                TeamMember.caseworker_id == OfferCaseworker.caseworker_id,
                TeamMember.team_id == bindparam("team_id"),
                TeamMember.takes_bookings,
            ),
        )
        .where(OfferCaseworker.offer_id == bindparam("offer_id"))
    )


@cache
def caseworker_queries(of_offer: bool) -> tuple[Any, ...]:
    """The caseworkers' ids, working hours, pauses, meetings (with admin time), group meetings
    and other busy time in [first, last): the offer's bookable caseworkers, or {"ids"}."""
    who: Any = bookable_ids() if of_offer else bindparam("ids", expanding=True)
    group_length = MeetingOffer.duration_minutes + MeetingOffer.admin_minutes
    return (
        bookable_ids().order_by(OfferCaseworker.caseworker_id)
        if of_offer
        else select(Caseworker.id).where(Caseworker.id.in_(who)).order_by(Caseworker.id),
        select(
            WorkingHours.caseworker_id, WorkingHours.weekday, WorkingHours.starts, WorkingHours.ends
        ).where(WorkingHours.caseworker_id.in_(who)),
        select(Pause.caseworker_id, Pause.weekday, Pause.starts, Pause.ends)
        .where(Pause.caseworker_id.in_(who))
        .order_by(Pause.id),
        select(Booking.caseworker_id, Booking.starts_at, Booking.blocked_until).where(
            Booking.caseworker_id.in_(who),
            Booking.status == "booked",
            Booking.starts_at < bindparam("last"),
            Booking.blocked_until > bindparam("first"),
        ),
        select(OfferCaseworker.caseworker_id, GroupSession.starts_at, group_length)
        .join(MeetingOffer, MeetingOffer.id == GroupSession.offer_id)
        .join(OfferCaseworker, OfferCaseworker.offer_id == MeetingOffer.id)
        .where(
            OfferCaseworker.caseworker_id.in_(who),
            GroupSession.starts_at < bindparam("last"),
            GroupSession.starts_at > bindparam("early"),
        ),
        select(BusyTime.caseworker_id, BusyTime.starts_at, BusyTime.ends_at).where(
            BusyTime.caseworker_id.in_(who),
            BusyTime.starts_at < bindparam("last"),
            BusyTime.ends_at > bindparam("first"),
        ),
    )


def caseworkers_from(found: Sequence[Any], only: Sequence[int] | None) -> list[engine.Caseworker]:
    """`caseworker_queries`' rows as the engine's caseworkers (those of `only`, when given)."""
    ids_rows, hours_rows, pause_rows, meeting_rows, group_rows, busy_rows = found
    ids = [row[0] for row in ids_rows if only is None or row[0] in only]
    hours: dict[int, dict[int, tuple[dt.time, dt.time] | None]] = {i: {} for i in ids}
    for caseworker_id, weekday, starts, ends in hours_rows:
        if caseworker_id in hours:
            hours[caseworker_id][weekday] = (starts, ends) if ends > starts else None
    pauses: dict[int, dict[int, list[tuple[dt.time, dt.time]]]] = {i: {} for i in ids}
    for caseworker_id, weekday, starts, ends in pause_rows:
        if caseworker_id in pauses:
            pauses[caseworker_id].setdefault(weekday, []).append((starts, ends))
    busy: dict[int, list[engine.Interval]] = {i: [] for i in ids}
    for caseworker_id, start, end in [*meeting_rows, *busy_rows]:
        if caseworker_id in busy:
            busy[caseworker_id].append((start, end))
    for caseworker_id, start, minutes in group_rows:
        if caseworker_id in busy:
            busy[caseworker_id].append((start, start + dt.timedelta(minutes=minutes)))
    return [
        engine.Caseworker(
            i,
            engine.WeekSchedule({d: hours[i].get(d) for d in range(7)}, pauses[i]),
            busy[i],
        )
        for i in ids
    ]


@cache
def room_queries() -> tuple[Any, ...]:
    """When the room {"room_id"} holds a meeting in [first, last): live individual bookings
    in it and the set times of group meetings held there (but those of {"except_offer"})."""
    return (
        select(Booking.starts_at, Booking.ends_at).where(
            Booking.room_id == bindparam("room_id"),
            Booking.status == "booked",
            Booking.group_session_id.is_(None),
            Booking.starts_at < bindparam("last"),
            Booking.ends_at > bindparam("first"),
        ),
        select(GroupSession.starts_at, MeetingOffer.duration_minutes)
        .join(MeetingOffer, MeetingOffer.id == GroupSession.offer_id)
        .where(
            MeetingOffer.room_id == bindparam("room_id"),
            MeetingOffer.id != bindparam("except_offer"),
            GroupSession.starts_at < bindparam("last"),
            GroupSession.starts_at > bindparam("early"),
        ),
    )


def room_busy_from(bookings: Sequence[Any], sessions: Sequence[Any]) -> list[engine.Interval]:
    busy: list[engine.Interval] = [(start, end) for start, end in bookings]
    return busy + [(start, start + dt.timedelta(minutes=minutes)) for start, minutes in sessions]


def closed_from(
    teams: Sequence[Any], closings: Sequence[Any], team_id: int, country: str, days: Any
) -> set[dt.date]:
    """The days from `days[0]` to `days[-1]` the team is closed (`TEAMS` and `CLOSINGS`)."""
    local: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for owner, start, end, _name in closings:
        local.setdefault(owner, []).append((start, end))
    parents = {team: parent for team, parent in teams}
    return engine.closing_days(country, team_id, parents, local, days[0], days[-1])


def window_values(
    offer_id: int | None,
    team_id: int | None,
    room_id: int | None,
    first: dt.datetime,
    last: dt.datetime,
    except_offer: int = 0,
) -> dict[str, Any]:
    return {
        "offer_id": offer_id,
        "team_id": team_id,
        "room_id": room_id,
        "except_offer": except_offer,
        "first": first,
        "last": last,
        "early": first - dt.timedelta(hours=12),
        "first_day": first.date(),
        "last_day": (last - engine.DAY).date(),
    }


async def closed_days(
    db: AsyncSession, team_id: int, country: str, first: dt.date, last: dt.date
) -> set[dt.date]:
    values = {"first_day": first, "last_day": last}
    teams, closings = await run_reads(db, (TEAMS, CLOSINGS), values)
    return closed_from(teams, closings, team_id, country, (first, last))


async def load_caseworkers(
    db: AsyncSession, ids: Sequence[int], first: dt.datetime, last: dt.datetime
) -> list[engine.Caseworker]:
    """Schedules and busy time (meetings with admin time, other busy time) in [first, last)."""
    if not ids:
        return []
    values = {**window_values(None, None, None, first, last), "ids": list(ids)}
    return caseworkers_from(await run_reads(db, caseworker_queries(False), values), None)


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
    values = window_values(None, None, room_id, first, last, except_offer or 0)
    return room_busy_from(*await run_reads(db, room_queries(), values))


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
    reads: Reads,
    offer: MeetingOffer,
    today: dt.date,
    place: Place,
    only_day: dt.date | None = None,
    caseworker_ids: Sequence[int] | None = None,
) -> dict[dt.date, list[engine.Slot]]:
    """The offer's free times per day (optionally of one day and some caseworkers), read in
    the unit of work or, for a page, on the database's fast read path."""
    plain = as_engine_offer(offer)
    days = engine.bookable_days(plain, today)
    if only_day is not None:
        days = [d for d in days if d == only_day]
    if not days:
        return {}
    first, last = window(days, place.zone)
    values = window_values(offer.id, offer.team_id, offer.room_id, first, last)
    wanted = set(days)
    if offer.is_group:
        teams, closings, sessions = await run_reads(reads, (TEAMS, CLOSINGS, SESSIONS), values)
        closed = closed_from(teams, closings, offer.team_id, place.country, days)
        result: dict[dt.date, list[engine.Slot]] = {}
        for starts_at, seats, booked in sessions:
            for day, slots in engine.group_slots(
                plain,
                [starts_at],
                UNLIMITED if seats is None else seats,
                {starts_at: booked},
                closed,
                today,
                place.timezone,
            ).items():
                if day in wanted:
                    result.setdefault(day, []).extend(slots)
        return {day: sorted(slots, key=lambda s: s.start) for day, slots in sorted(result.items())}
    found = await run_reads(
        reads, (TEAMS, CLOSINGS, *caseworker_queries(True), *room_queries()), values
    )
    closed = closed_from(found[0], found[1], offer.team_id, place.country, days)
    caseworkers = caseworkers_from(found[2:8], caseworker_ids)
    room_busy = room_busy_from(*found[8:]) if offer.room_id is not None else []
    free = engine.individual_slots(plain, caseworkers, closed, today, place.timezone, room_busy)
    return {day: day_slots for day, day_slots in free.items() if day in wanted}


# --- who sees which offer --------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    markings: frozenset[str]
    team_chain: tuple[int, ...]  # the participant's team and the teams above it
    municipality: str | None


@cache
def eligibility_queries() -> tuple[Any, Any]:
    """The participant's markings and (team, municipality), for {"participant_id"}."""
    return (
        select(ParticipantMarking.marking).where(
            ParticipantMarking.participant_id == bindparam("participant_id")
        ),
        select(ParticipantTeam.team_id, ParticipantTeam.municipality).where(
            ParticipantTeam.participant_id == bindparam("participant_id")
        ),
    )


def eligibility_from(
    markings: Sequence[Any], profile: Sequence[Any], parents: Mapping[int, int | None]
) -> Eligibility:
    """Who the participant is to offers' rules, from `eligibility_queries`' rows."""
    team_id, municipality = profile[0] if profile else (None, None)
    return Eligibility(
        frozenset(marking for (marking,) in markings),
        tuple(engine.teams_above(team_id, parents)) if team_id is not None else (),
        municipality,
    )


async def eligibility_of(reads: Reads, participant_id: int) -> Eligibility:
    markings, profile, teams = await run_reads(
        reads, (*eligibility_queries(), TEAMS), {"participant_id": participant_id}
    )
    return eligibility_from(markings, profile, dict(tuple(row) for row in teams))


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
    return engine.bookable_span(as_engine_offer(offer), today) is not None


async def offers_for(db: AsyncSession, participant_id: int, today: dt.date) -> list[MeetingOffer]:
    who = await eligibility_of(db, participant_id)
    offers = await db.scalars(
        select(MeetingOffer).where(MeetingOffer.active).order_by(MeetingOffer.title)
    )
    return [offer for offer in offers if is_open(offer, today) and is_eligible(offer, who)]


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
