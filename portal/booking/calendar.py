"""The week calendars of staff: a caseworker's or a room's meetings, working hours, pauses,
busy time and closing days, one week at a time (a list of days on a phone)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.booking import slot_engine as engine
from portal.booking.free_times import Place, team_parents
from portal.booking.models import (
    Booking,
    BusyTime,
    Caseworker,
    ClosingDay,
    GroupSession,
    MeetingOffer,
    OfferCaseworker,
    Pause,
    RoomTeam,
    Team,
    TeamMember,
    WorkingHours,
)
from portal.db import Database, select_objects
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
    first, last = days[0].date, days[-1].date
    rows = await db.execute(
        select(ClosingDay.team_id, ClosingDay.first_date, ClosingDay.last_date, ClosingDay.name)
        .where(ClosingDay.last_date >= first, ClosingDay.first_date <= last)
        .order_by(ClosingDay.id)
    )
    close_days(days, team_ids, await team_parents(db), list(rows), country)


def close_days(
    days: Sequence[Day],
    team_ids: Sequence[int],
    parents: dict[int, int | None],
    closings: Sequence[Any],
    country: str,
) -> None:
    """Name each day closed by a national holiday or by a closing day (team, first, last,
    name; of any team) of the teams or a team above them."""
    owners = {above for team in team_ids for above in engine.teams_above(team, parents)}
    first, last = days[0].date, days[-1].date
    names = {**national_holidays(country, first.year), **national_holidays(country, last.year)}
    for team_id, first_date, last_date, name in closings:
        if team_id in owners:
            for day in days:
                if first_date <= day.date <= last_date:
                    day.closed = name
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


@cache
def caseworker_week_queries() -> tuple[tuple[Any, Any], ...]:
    """(class or None, query) for {"caseworker_id", "first", "last"} (a week's bounds): the
    caseworker, their working hours, pauses and teams, the teams' tree, the closing days of
    the week, their individual meetings, the sessions of their group offers, and busy time."""
    mine: Any = bindparam("caseworker_id")
    first: Any = bindparam("first")
    last: Any = bindparam("last")
    return (
        (Caseworker, select_objects(Caseworker).where(Caseworker.id == mine)),
        (
            None,
            select(WorkingHours.weekday, WorkingHours.starts, WorkingHours.ends).where(
                WorkingHours.caseworker_id == mine
            ),
        ),
        (
            None,
            select(Pause.weekday, Pause.starts, Pause.ends)
            .where(Pause.caseworker_id == mine)
            .order_by(Pause.starts, Pause.ends),
        ),
        (None, select(TeamMember.team_id).where(TeamMember.caseworker_id == mine)),
        (None, select(Team.id, Team.parent_id)),
        (
            None,
            select(ClosingDay.team_id, ClosingDay.first_date, ClosingDay.last_date, ClosingDay.name)
            .where(
                ClosingDay.last_date >= bindparam("first_day"),
                ClosingDay.first_date <= bindparam("last_day"),
            )
            .order_by(ClosingDay.id),
        ),
        (
            None,
            select(Booking.starts_at, Booking.ends_at, MeetingOffer.title, Booking.id)
            .join(MeetingOffer, MeetingOffer.id == Booking.offer_id)
            .where(
                Booking.caseworker_id == mine,
                Booking.status == "booked",
                Booking.group_session_id.is_(None),
                Booking.starts_at >= first,
                Booking.starts_at < last,
            ),
        ),
        (
            None,
            select(
                GroupSession.starts_at,
                MeetingOffer.duration_minutes,
                MeetingOffer.title,
                GroupSession.booked,
                GroupSession.seats,
            )
            .join(MeetingOffer, MeetingOffer.id == GroupSession.offer_id)
            .join(OfferCaseworker, OfferCaseworker.offer_id == MeetingOffer.id)
            .where(
                OfferCaseworker.caseworker_id == mine,
                MeetingOffer.is_group,
                GroupSession.starts_at >= first,
                GroupSession.starts_at < last,
            ),
        ),
        (
            None,
            select(BusyTime.starts_at, BusyTime.ends_at, BusyTime.reason).where(
                BusyTime.caseworker_id == mine,
                BusyTime.starts_at < last,
                BusyTime.ends_at > first,
            ),
        ),
    )


async def caseworker_week(
    database: Database, caseworker_id: int, monday: dt.date, place: Place
) -> tuple[Caseworker, list[Day]] | None:
    """The caseworker and their week, read in one go; None when there is no such caseworker."""
    days = empty_week(monday)
    first, last = week_bounds(monday, place)
    given = {
        "caseworker_id": caseworker_id,
        "first": first,
        "last": last,
        "first_day": days[0].date,
        "last_day": days[-1].date,
    }
    found = await database.read_objects(
        *((kind, query, given) for kind, query in caseworker_week_queries())
    )
    caseworkers, hours, pauses, teams, tree, closings, meetings, sessions, busy = found
    if not caseworkers:
        return None
    open_hours = {weekday: (starts, ends) for weekday, starts, ends in hours if ends > starts}
    for day in days:
        day.hours = open_hours.get(day.date.weekday())
        day.pauses = sorted(
            (starts, ends) for weekday, starts, ends in pauses if weekday == day.date.weekday()
        )
    parents = {team_id: parent for team_id, parent in tree}
    close_days(days, [team for (team,) in teams], parents, closings, place.country)
    entries = [Entry(s, e, title, booking_id=id) for s, e, title, id in meetings]
    entries += [
        Entry(s, s + dt.timedelta(minutes=minutes), title, seats=(booked, seats))
        for s, minutes, title, booked, seats in sessions
    ]
    entries += [Entry(s, e, reason, busy=True) for s, e, reason in busy]
    place_entries(days, entries, place)
    return caseworkers[0], days


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
