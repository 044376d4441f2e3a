"""The week calendars of staff: a caseworker's or a room's meetings, working hours, pauses,
busy time and closing days, one week at a time (a list of days on a phone)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.booking import slot_engine as engine
from portal.booking.free_times import Place, team_parents
from portal.booking.models import (
    Booking,
    BusyTime,
    ClosingDay,
    GroupSession,
    MeetingOffer,
    OfferCaseworker,
    Pause,
    RoomTeam,
    TeamMember,
    WorkingHours,
)
from portal.holidays import national_holidays


@dataclass
class Entry:
    """One thing in a day: a booked meeting, a group meeting's time, or busy time."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str
    booking_id: int | None = None
    seats: tuple[int, int | None] | None = None  # booked, of how many (group meetings)
    busy: bool = False


@dataclass
class Day:
    date: dt.date
    closed: str | None = None  # the closing day's or holiday's name
    hours: tuple[dt.time, dt.time] | None = None
    pauses: list[tuple[dt.time, dt.time]] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_bounds(monday: dt.date, place: Place) -> tuple[dt.datetime, dt.datetime]:
    first = dt.datetime.combine(monday, dt.time(), tzinfo=place.zone)
    return first, dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(), tzinfo=place.zone)


def empty_week(monday: dt.date) -> list[Day]:
    return [Day(monday + dt.timedelta(days=n)) for n in range(7)]


async def mark_closed(
    db: AsyncSession, days: Sequence[Day], team_ids: Sequence[int], country: str
) -> None:
    """National holidays, and the local closing days of the teams and every team above."""
    parents = await team_parents(db)
    owners = {above for team in team_ids for above in engine.teams_above(team, parents)}
    first, last = days[0].date, days[-1].date
    names = {**national_holidays(country, first.year), **national_holidays(country, last.year)}
    rows = await db.scalars(
        select(ClosingDay).where(
            ClosingDay.team_id.in_(owners),
            ClosingDay.last_date >= first,
            ClosingDay.first_date <= last,
        )
    )
    for closing in rows:
        for day in days:
            if closing.first_date <= day.date <= closing.last_date:
                day.closed = closing.name
    for day in days:
        day.closed = day.closed or names.get(day.date)


def place_entries(days: Sequence[Day], entries: Sequence[Entry], place: Place) -> None:
    by_date = {day.date: day for day in days}
    for entry in sorted(entries, key=lambda e: e.starts_at):
        day = by_date.get(entry.starts_at.astimezone(place.zone).date())
        if day is not None:
            day.entries.append(entry)


async def group_entries(
    db: AsyncSession, offers: Sequence[MeetingOffer], first: dt.datetime, last: dt.datetime
) -> list[Entry]:
    by_id = {offer.id: offer for offer in offers}
    if not by_id:
        return []
    sessions = await db.scalars(
        select(GroupSession).where(
            GroupSession.offer_id.in_(by_id),
            GroupSession.starts_at >= first,
            GroupSession.starts_at < last,
        )
    )
    return [
        Entry(
            s.starts_at,
            s.starts_at + dt.timedelta(minutes=by_id[s.offer_id].duration_minutes),
            by_id[s.offer_id].title,
            seats=(s.booked, s.seats),
        )
        for s in sessions
    ]


async def booking_entries(
    db: AsyncSession, condition: object, first: dt.datetime, last: dt.datetime
) -> list[Entry]:
    rows = await db.execute(
        select(Booking, MeetingOffer.title)
        .join(MeetingOffer, MeetingOffer.id == Booking.offer_id)
        .where(
            condition,  # type: ignore[arg-type]
            Booking.status == "booked",
            Booking.group_session_id.is_(None),
            Booking.starts_at >= first,
            Booking.starts_at < last,
        )
    )
    return [Entry(b.starts_at, b.ends_at, title, booking_id=b.id) for b, title in rows]


async def caseworker_week(
    db: AsyncSession, caseworker_id: int, monday: dt.date, place: Place
) -> list[Day]:
    days = empty_week(monday)
    first, last = week_bounds(monday, place)
    hours = {
        row.weekday: (row.starts, row.ends)
        for row in await db.scalars(
            select(WorkingHours).where(WorkingHours.caseworker_id == caseworker_id)
        )
        if row.ends > row.starts
    }
    pauses = list(await db.scalars(select(Pause).where(Pause.caseworker_id == caseworker_id)))
    for day in days:
        day.hours = hours.get(day.date.weekday())
        day.pauses = sorted((p.starts, p.ends) for p in pauses if p.weekday == day.date.weekday())
    teams = list(
        await db.scalars(
            select(TeamMember.team_id).where(TeamMember.caseworker_id == caseworker_id)
        )
    )
    await mark_closed(db, days, teams, place.country)
    entries = await booking_entries(db, Booking.caseworker_id == caseworker_id, first, last)
    group_offers = list(
        await db.scalars(
            select(MeetingOffer)
            .join(OfferCaseworker, OfferCaseworker.offer_id == MeetingOffer.id)
            .where(OfferCaseworker.caseworker_id == caseworker_id, MeetingOffer.is_group)
        )
    )
    entries += await group_entries(db, group_offers, first, last)
    busy = await db.scalars(
        select(BusyTime).where(
            BusyTime.caseworker_id == caseworker_id,
            BusyTime.starts_at < last,
            BusyTime.ends_at > first,
        )
    )
    entries += [Entry(b.starts_at, b.ends_at, b.reason, busy=True) for b in busy]
    place_entries(days, entries, place)
    return days


async def room_week(db: AsyncSession, room_id: int, monday: dt.date, place: Place) -> list[Day]:
    days = empty_week(monday)
    first, last = week_bounds(monday, place)
    offers = list(await db.scalars(select(MeetingOffer).where(MeetingOffer.room_id == room_id)))
    teams = set(await db.scalars(select(RoomTeam.team_id).where(RoomTeam.room_id == room_id)))
    await mark_closed(db, days, sorted(teams | {o.team_id for o in offers}), place.country)
    entries = await booking_entries(db, Booking.room_id == room_id, first, last)
    entries += await group_entries(db, [o for o in offers if o.is_group], first, last)
    place_entries(days, entries, place)
    return days
