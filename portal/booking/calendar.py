"""The week calendars of staff: a caseworker's or a room's meetings, working hours, pauses,
busy time and closing days, one week at a time (a list of days on a phone)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select

from portal.booking import slot_engine as engine
from portal.booking.free_times import CLOSINGS, TEAMS, Place
from portal.booking.models import (
    Booking,
    BusyTime,
    Caseworker,
    GroupSession,
    MeetingOffer,
    OfferCaseworker,
    Pause,
    Room,
    RoomTeam,
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


def meetings_query(whose: Any) -> Any:
    """The individual meetings booked in the week ({"first", "last"}) that `whose` picks."""
    return (
        select(Booking.starts_at, Booking.ends_at, MeetingOffer.title, Booking.id)
        .join(MeetingOffer, MeetingOffer.id == Booking.offer_id)
        .where(
            whose,
            Booking.status == "booked",
            Booking.group_session_id.is_(None),
            Booking.starts_at >= bindparam("first"),
            Booking.starts_at < bindparam("last"),
        )
    )


def group_sessions_query() -> Any:
    """The group meetings' sessions of the week ({"first", "last"}), for a condition on their
    offer to be added."""
    return (
        select(
            GroupSession.starts_at,
            MeetingOffer.duration_minutes,
            MeetingOffer.title,
            GroupSession.booked,
            GroupSession.seats,
        )
        .join(MeetingOffer, MeetingOffer.id == GroupSession.offer_id)
        .where(
            MeetingOffer.is_group,
            GroupSession.starts_at >= bindparam("first"),
            GroupSession.starts_at < bindparam("last"),
        )
    )


def week_values(key: str, key_value: int, days: Sequence[Day], place: Place) -> dict[str, Any]:
    first, last = week_bounds(days[0].date, place)
    return {
        key: key_value,
        "first": first,
        "last": last,
        "first_day": days[0].date,
        "last_day": days[-1].date,
    }


def fill_week(
    days: Sequence[Day],
    team_ids: Sequence[int],
    tree: Sequence[Any],
    closings: Sequence[Any],
    busy: Sequence[Entry],
    meetings: Sequence[Any],
    sessions: Sequence[Any],
    place: Place,
) -> None:
    """Close the days of the teams' closing days and holidays, and place the week's meetings,
    group sessions and `busy` time in their days."""
    parents = {team_id: parent for team_id, parent in tree}
    close_days(days, team_ids, parents, closings, place.country)
    entries = [*busy, *(Entry(s, e, title, booking_id=id) for s, e, title, id in meetings)]
    entries += [
        Entry(s, s + dt.timedelta(minutes=minutes), title, seats=(booked, seats))
        for s, minutes, title, booked, seats in sessions
    ]
    place_entries(days, entries, place)


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
        (None, TEAMS),
        (None, CLOSINGS),
        (None, meetings_query(Booking.caseworker_id == mine)),
        (
            None,
            group_sessions_query()
            .join(OfferCaseworker, OfferCaseworker.offer_id == MeetingOffer.id)
            .where(OfferCaseworker.caseworker_id == mine),
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
    given = week_values("caseworker_id", caseworker_id, days, place)
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
    busy_time = [Entry(s, e, reason, busy=True) for s, e, reason in busy]
    team_ids = [team for (team,) in teams]
    fill_week(days, team_ids, tree, closings, busy_time, meetings, sessions, place)
    return caseworkers[0], days


@cache
def room_week_queries() -> tuple[tuple[Any, Any], ...]:
    """(class or None, query) for {"room_id", "first", "last", "first_day", "last_day"}: the
    room, its teams and those of the offers held in it, the teams' tree, the week's closing
    days, the meetings booked in it and the sessions of the group offers held in it."""
    room: Any = bindparam("room_id")
    return (
        (Room, select_objects(Room).where(Room.id == room)),
        (
            None,
            select(RoomTeam.team_id)
            .where(RoomTeam.room_id == room)
            .union(select(MeetingOffer.team_id).where(MeetingOffer.room_id == room)),
        ),
        (None, TEAMS),
        (None, CLOSINGS),
        (None, meetings_query(Booking.room_id == room)),
        (None, group_sessions_query().where(MeetingOffer.room_id == room)),
    )


async def room_week(
    database: Database, room_id: int, monday: dt.date, place: Place
) -> tuple[Room, list[Day]] | None:
    """The room and its week, read in one go; None when there is no such room."""
    days = empty_week(monday)
    given = week_values("room_id", room_id, days, place)
    found = await database.read_objects(
        *((kind, query, given) for kind, query in room_week_queries())
    )
    rooms, teams, tree, closings, meetings, sessions = found
    if not rooms:
        return None
    team_ids = sorted(team for (team,) in teams)
    fill_week(days, team_ids, tree, closings, [], meetings, sessions, place)
    return rooms[0], days
