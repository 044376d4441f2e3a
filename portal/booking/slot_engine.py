"""The slot engine: which meeting times an offer has free, computed from the facts each time
(nothing precomputed that could go stale), by interval arithmetic per caseworker and day.

Free time = working hours − pauses − closing days (national, and the local ones of the offer's
team and every team above it) − meetings with their post-meeting admin time − other busy time,
cut into a grid of the meeting's length from the start of the working day; a slot needs room for
the meeting and its admin time. Bookable days run from tomorrow (a day's notice), not before the
offer's first date, to the earlier of its fixed end and its rolling end (whole weeks from today),
and only once the offer is visible. Times are wall-clock times in the deployment's time zone, so
a day across a daylight-saving change keeps its 08:00. Group meetings offer their set times while
seats are free (capacity plus overbooking, or a set number).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from zoneinfo import ZoneInfo

from portal.holidays import national_holidays

Interval = tuple[dt.datetime, dt.datetime]
Minutes = tuple[int, int]  # from-to minute of a local day
T = TypeVar("T", int, dt.datetime)
DAY = dt.timedelta(days=1)
MIN_PAUSE = dt.timedelta(minutes=15)
DEFAULT_HOURS = (dt.time(7, 30), dt.time(16, 0))


@dataclass(frozen=True)
class WeekSchedule:
    """Working hours per weekday (0 = Monday); None = not working. Pauses per weekday."""

    hours: Mapping[int, tuple[dt.time, dt.time] | None]
    pauses: Mapping[int, Sequence[tuple[dt.time, dt.time]]] = field(default_factory=dict)

    @classmethod
    def default(cls) -> WeekSchedule:
        return cls({day: DEFAULT_HOURS if day < 5 else None for day in range(7)})


@dataclass(frozen=True)
class Caseworker:
    id: int
    schedule: WeekSchedule
    busy: Sequence[Interval] = ()  # meetings (with their admin time) and other busy time


@dataclass(frozen=True)
class Offer:
    duration: dt.timedelta
    admin_time: dt.timedelta = dt.timedelta(0)
    first_date: dt.date | None = None
    fixed_end: dt.date | None = None
    rolling_weeks: int | None = None
    visible_from: dt.date | None = None
    active: bool = True


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    end: dt.datetime
    caseworkers: tuple[int, ...]  # who is free then (individual meetings)
    seats_left: int | None = None  # group meetings


def closing_days(
    country: str,
    team_id: int,
    parents: Mapping[int, int | None],
    local: Mapping[int, Iterable[tuple[dt.date, dt.date]]],
    first: dt.date,
    last: dt.date,
) -> set[dt.date]:
    """National holidays of the years concerned, and every local closing day of the team and
    of the teams above it (a closing day set on a team is inherited by all teams under it)."""
    days = {
        day
        for year in range(first.year, last.year + 1)
        for day in national_holidays(country, year)
        if first <= day <= last
    }
    for team in teams_above(team_id, parents):
        for start, end in local.get(team, ()):
            day = max(start, first)
            while day <= min(end, last):
                days.add(day)
                day += DAY
    return days


def teams_above(team_id: int | None, parents: Mapping[int, int | None]) -> list[int]:
    """The team and every team above it, nearest first (a cycle in bad data ends the walk)."""
    chain: list[int] = []
    while team_id is not None and team_id not in chain:
        chain.append(team_id)
        team_id = parents.get(team_id)
    return chain


def bookable_span(offer: Offer, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and last bookable day: tomorrow (at the earliest) to the offer's end; None
    when there is none (before the offer is visible, or it has ended)."""
    if not offer.active or (offer.visible_from is not None and today < offer.visible_from):
        return None
    first = today + DAY
    if offer.first_date is not None:
        first = max(first, offer.first_date)
    ends = [e for e in (offer.fixed_end,) if e is not None]
    if offer.rolling_weeks is not None:
        ends.append(today + dt.timedelta(weeks=offer.rolling_weeks))
    if not ends:
        return None  # an offer without an end is not bookable (it would be endless)
    last = min(ends)
    return (first, last) if last >= first else None


def bookable_on(offer: Offer, today: dt.date, day: dt.date) -> bool:
    """Whether `day` is in the offer's `bookable_span`."""
    span = bookable_span(offer, today)
    return span is not None and span[0] <= day <= span[1]


def bookable_days(offer: Offer, today: dt.date) -> list[dt.date]:
    """Every day of `bookable_span`."""
    span = bookable_span(offer, today)
    if span is None:
        return []
    first, last = span
    return [first + n * DAY for n in range((last - first).days + 1)]


def subtract(free: list[tuple[T, T]], taken: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """The parts of `free` (sorted, disjoint) not covered by any of `taken`."""
    for t_start, t_end in sorted(taken):
        result: list[tuple[T, T]] = []
        for start, end in free:
            if t_end <= start or t_start >= end:
                result.append((start, end))
                continue
            if start < t_start:
                result.append((start, t_start))
            if t_end < end:
                result.append((t_end, end))
        free = result
        if not free:
            break
    return free


def _minutes(time: dt.time) -> int:
    return time.hour * 60 + time.minute


def busy_minutes(intervals: Iterable[Interval], zone: ZoneInfo) -> dict[dt.date, list[Minutes]]:
    """Busy intervals as wall-clock minutes of each local day they touch (an interval over
    midnight is split). Working in minutes of the day keeps the arithmetic on small integers."""
    buckets: dict[dt.date, list[Minutes]] = {}
    for start, end in intervals:
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        day, last = local_start.date(), local_end.date()
        first_minute = local_start.hour * 60 + local_start.minute
        while day <= last:
            end_minute = local_end.hour * 60 + local_end.minute if day == last else 24 * 60
            if end_minute > first_minute:
                buckets.setdefault(day, []).append((first_minute, end_minute))
            day += DAY
            first_minute = 0
    return buckets


def week_minutes(schedule: WeekSchedule) -> dict[int, tuple[int, int, list[Minutes]]]:
    """Working hours and pauses per weekday as minutes of the day (days off left out)."""
    week = {}
    for weekday, hours in schedule.hours.items():
        if hours is not None and hours[0] < hours[1]:
            pauses = [(_minutes(a), _minutes(b)) for a, b in schedule.pauses.get(weekday, ())]
            week[weekday] = (_minutes(hours[0]), _minutes(hours[1]), pauses)
    return week


def grid_starts(
    start: int, end: int, taken: Iterable[Minutes], length: int, need: int
) -> list[int]:
    """Start minutes on the grid from `start`, every `length`, where `need` minutes are free."""
    found = []
    for free_start, free_end in subtract([(start, end)], taken):
        # The first grid point at or after free_start, then every grid step that still fits.
        slot = start + -(-(free_start - start) // length) * length
        while slot + need <= free_end:
            found.append(slot)
            slot += length
    return found


def individual_slots(
    offer: Offer,
    caseworkers: Sequence[Caseworker],
    closed: set[dt.date],
    today: dt.date,
    timezone: str,
    room_busy: Sequence[Interval] = (),
) -> dict[dt.date, list[Slot]]:
    """Free times per day, each with the caseworkers free then (one is booked per meeting).
    With a room, a time is free only while the room holds no other meeting (`room_busy`):
    the room is needed for the meeting itself, not for the admin time after it."""
    zone = ZoneInfo(timezone)
    length = int(offer.duration.total_seconds() // 60)
    need = length + int(offer.admin_time.total_seconds() // 60)
    people = [(c.id, week_minutes(c.schedule), busy_minutes(c.busy, zone)) for c in caseworkers]
    room = busy_minutes(room_busy, zone)
    result: dict[dt.date, list[Slot]] = {}
    for day in bookable_days(offer, today):
        if day in closed:
            continue
        weekday = day.weekday()
        starts: dict[int, list[int]] = {}
        for caseworker_id, week, busy in people:
            hours = week.get(weekday)
            if hours is None:
                continue
            start, end, pauses = hours
            taken = pauses + busy[day] if day in busy else pauses
            room_taken = room.get(day, ())
            for minute in grid_starts(start, end, taken, length, need):
                if any(a < minute + length and minute < b for a, b in room_taken):
                    continue
                if minute in starts:
                    starts[minute].append(caseworker_id)
                else:
                    starts[minute] = [caseworker_id]
        if starts:
            slots = []
            for minute, ids in sorted(starts.items()):
                begin = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=zone)
                slots.append(Slot(begin, begin + offer.duration, tuple(ids)))
            result[day] = slots
    return result


def group_slots(
    offer: Offer,
    times: Iterable[dt.datetime],
    seats: int,
    booked: Mapping[dt.datetime, int],
    closed: set[dt.date],
    today: dt.date,
    timezone: str,
) -> dict[dt.date, list[Slot]]:
    """The group meeting's set times in the bookable days, while seats are free."""
    span = bookable_span(offer, today)
    if span is None:
        return {}
    first, last = span
    zone = ZoneInfo(timezone)
    result: dict[dt.date, list[Slot]] = {}
    for start in sorted(times):
        day = start.astimezone(zone).date()
        left = seats - booked.get(start, 0)
        if first <= day <= last and day not in closed and left > 0:
            result.setdefault(day, []).append(
                Slot(start, start + offer.duration, (), seats_left=left)
            )
    return result


def group_seats(capacity: int | None, overbooking: int, set_number: int | None) -> int:
    """A set number wins; else the room's capacity plus its overbooking seats."""
    if set_number is not None:
        return set_number
    return (capacity or 0) + overbooking


def check_pauses(pauses: Sequence[tuple[dt.time, dt.time]]) -> bool:
    """Every pause lasts at least 15 minutes and ends after it starts."""
    today = dt.date(2000, 1, 3)
    return all(
        dt.datetime.combine(today, end) - dt.datetime.combine(today, start) >= MIN_PAUSE
        for start, end in pauses
    )


def is_free(
    caseworker: Caseworker,
    start: dt.datetime,
    end: dt.datetime,
    closed: set[dt.date],
    timezone: str,
) -> bool:
    """Whether [start, end) lies in the caseworker's working hours of one open day, clear of
    pauses and busy time (used when the job centre moves a meeting to another caseworker)."""
    zone = ZoneInfo(timezone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    day = local_start.date()
    if day in closed:
        return False
    if local_end.date() == day:
        finish = local_end.hour * 60 + local_end.minute
    elif local_end.date() == day + DAY and local_end.time() == dt.time(0):
        finish = 24 * 60
    else:
        return False
    hours = week_minutes(caseworker.schedule).get(day.weekday())
    if hours is None:
        return False
    begin = local_start.hour * 60 + local_start.minute
    work_start, work_end, pauses = hours
    if begin < work_start or finish > work_end:
        return False
    taken = pauses + busy_minutes(caseworker.busy, zone).get(day, [])
    return subtract([(begin, finish)], taken) == [(begin, finish)]
