"""Booking administration rules: teams, caseworkers with their hours, rooms, closing days and
offers, read from forms with one message per field and saved in one transaction each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.booking import service as engine
from portal.booking.bookings import MEETING_TYPES
from portal.booking.models import (
    Booking,
    Caseworker,
    GroupSession,
    MeetingOffer,
    OfferCaseworker,
    Pause,
    Room,
    RoomTeam,
    Team,
    TeamMember,
    WorkingHours,
)
from portal.db import utcnow
from portal.web.forms import Errors, Fields
from portal.web.i18n import gettext

LUNCH = (dt.time(11, 30), dt.time(12, 0))
MIDNIGHT = dt.time(0, 0)
WEEKDAYS = range(7)


def default_hours(weekday: int) -> tuple[dt.time, dt.time]:
    """Mon–Fri 07:30–16:00; 00:00–00:00 (not working) at the weekend."""
    return engine.DEFAULT_HOURS if weekday < 5 else (MIDNIGHT, MIDNIGHT)


async def add_caseworker(
    db: AsyncSession,
    name: str,
    email: str | None,
    staff_user_id: int | None,
    team_ids: Sequence[int],
) -> Caseworker:
    """A caseworker with the default working hours, in the teams given."""
    caseworker = Caseworker(name=name, email=email or None, staff_user_id=staff_user_id)
    db.add(caseworker)
    await db.flush()
    for weekday in WEEKDAYS:
        starts, ends = default_hours(weekday)
        db.add(WorkingHours(caseworker_id=caseworker.id, weekday=weekday, starts=starts, ends=ends))
    db.add_all(TeamMember(team_id=t, caseworker_id=caseworker.id) for t in team_ids)
    await db.flush()
    return caseworker


def ids_from(values: Sequence[str], known: Mapping[int, Any]) -> list[int]:
    """The ids among `values` that name something in `known` (others are ignored)."""
    return sorted({int(v) for v in values if v.isdigit() and int(v) in known})


# --- teams and closing days ------------------------------------------------------------------


@dataclass
class TeamInput:
    name: str
    parent_id: int | None
    email: str
    address: str


def parse_team(
    form: Mapping[str, Any], parents: Mapping[int, int | None], team_id: int | None
) -> tuple[TeamInput | None, Errors]:
    fields = Fields(form)
    name = fields.text("name", 200)
    email = fields.email("email")
    address = fields.text("address", 300, required=False)
    raw_parent = str(form.get("parent_id") or "")
    parent_id = int(raw_parent) if raw_parent.isdigit() and int(raw_parent) in parents else None
    if raw_parent and parent_id is None:
        fields.errors["parent_id"] = gettext("Choose one of the options.")
    elif (
        team_id is not None
        and parent_id is not None
        and team_id in engine.teams_above(parent_id, parents)
    ):
        fields.errors["parent_id"] = gettext("A team cannot be placed under itself.")
    if fields.errors:
        return None, fields.errors
    return TeamInput(name, parent_id, email, address), {}


async def save_team(db: AsyncSession, values: TeamInput, team_id: int | None) -> Team | None:
    """None when another team has the name already."""
    clash = await db.scalar(
        select(Team.id).where(
            func.lower(Team.name) == values.name.lower(), Team.id != (team_id or 0)
        )
    )
    if clash is not None:
        return None
    team = await db.get(Team, team_id) if team_id else Team()
    if team is None:
        return None
    team.name, team.parent_id = values.name, values.parent_id
    team.email, team.address = values.email or None, values.address or None
    db.add(team)
    await db.flush()
    return team


@dataclass
class ClosingInput:
    name: str
    first_date: dt.date
    last_date: dt.date


def parse_closing_day(form: Mapping[str, Any]) -> tuple[ClosingInput | None, Errors]:
    fields = Fields(form)
    name = fields.text("closing_name", 200)
    first = fields.date("closing_first")
    last = fields.date("closing_last", required=False) or first
    if first and last and last < first:
        fields.errors["closing_last"] = gettext("The end cannot be before the start.")
    if fields.errors or first is None or last is None:
        return None, fields.errors
    return ClosingInput(name, first, last), {}


# --- caseworkers -----------------------------------------------------------------------------


@dataclass
class CaseworkerInput:
    name: str
    email: str
    team_ids: list[int]
    hours: dict[int, tuple[dt.time, dt.time]]
    pauses: dict[int, tuple[dt.time, dt.time] | None]


def copy_monday(form: Mapping[str, Any]) -> dict[str, Any]:
    """The form with Monday's hours and pause copied to Tuesday–Friday."""
    copied = dict(form)
    for weekday in range(1, 5):
        for part in ("hours", "pause"):
            for end in ("from", "to"):
                copied[f"{part}-{weekday}-{end}"] = form.get(f"{part}-0-{end}", "")
    return copied


def parse_caseworker(
    form: Mapping[str, Any], team_ids: Sequence[str], teams: Mapping[int, Any]
) -> tuple[CaseworkerInput | None, Errors]:
    fields = Fields(form)
    name = fields.text("name", 200)
    email = fields.email("email")
    chosen = ids_from(team_ids, teams)
    if not chosen:
        fields.errors["team_ids"] = gettext("Choose at least one team.")
    hours: dict[int, tuple[dt.time, dt.time]] = {}
    pauses: dict[int, tuple[dt.time, dt.time] | None] = {}
    for weekday in WEEKDAYS:
        starts = fields.time(f"hours-{weekday}-from")
        ends = fields.time(f"hours-{weekday}-to")
        if starts and ends is not None:
            if ends != MIDNIGHT and ends <= starts:
                fields.errors[f"hours-{weekday}-to"] = gettext("The end must be after the start.")
            elif ends == MIDNIGHT and starts != MIDNIGHT:
                fields.errors[f"hours-{weekday}-to"] = gettext(
                    "The end must be after the start (00:00–00:00 means not working)."
                )
            hours[weekday] = (starts, ends)
        elif starts == MIDNIGHT and ends == MIDNIGHT:
            hours[weekday] = (MIDNIGHT, MIDNIGHT)
        pause_from = fields.time(f"pause-{weekday}-from", required=False)
        pause_to = fields.time(f"pause-{weekday}-to", required=False)
        if pause_from is None and pause_to is None:
            pauses[weekday] = None
            continue
        if pause_from is None or pause_to is None:
            missing = f"pause-{weekday}-from" if pause_from is None else f"pause-{weekday}-to"
            fields.errors.setdefault(missing, gettext("Give both the start and the end."))
            continue
        if not engine.check_pauses([(pause_from, pause_to)]):
            fields.errors[f"pause-{weekday}-to"] = gettext("A pause lasts at least 15 minutes.")
            continue
        working = hours.get(weekday)
        if working is None or not (working[0] <= pause_from and pause_to <= working[1]):
            fields.errors[f"pause-{weekday}-from"] = gettext(
                "A pause must lie within the working hours."
            )
            continue
        pauses[weekday] = (pause_from, pause_to)
    if fields.errors:
        return None, fields.errors
    return CaseworkerInput(name, email, chosen, hours, pauses), {}


async def future_meetings(
    db: AsyncSession, now: dt.datetime, caseworker_id: int | None = None, room_id: int | None = None
) -> list[Booking]:
    query = select(Booking).where(Booking.status == "booked", Booking.starts_at > now)
    if caseworker_id is not None:
        query = query.where(Booking.caseworker_id == caseworker_id)
    if room_id is not None:
        query = query.where(Booking.room_id == room_id)
    return list((await db.scalars(query.order_by(Booking.starts_at))).all())


async def save_caseworker(
    db: AsyncSession, values: CaseworkerInput, caseworker_id: int | None
) -> tuple[Caseworker, list[int]]:
    """Create or update; returns the caseworker and the teams they were taken out of while
    having future meetings there (kept as members who take no new bookings)."""
    if caseworker_id is None:
        caseworker = await add_caseworker(db, values.name, values.email, None, values.team_ids)
    else:
        caseworker = await db.get_one(Caseworker, caseworker_id)
        caseworker.name, caseworker.email = values.name, values.email or None
    await db.execute(delete(WorkingHours).where(WorkingHours.caseworker_id == caseworker.id))
    await db.execute(delete(Pause).where(Pause.caseworker_id == caseworker.id))
    for weekday in WEEKDAYS:
        starts, ends = values.hours.get(weekday, (MIDNIGHT, MIDNIGHT))
        db.add(WorkingHours(caseworker_id=caseworker.id, weekday=weekday, starts=starts, ends=ends))
        pause = values.pauses.get(weekday)
        if pause is not None:
            db.add(
                Pause(caseworker_id=caseworker.id, weekday=weekday, starts=pause[0], ends=pause[1])
            )
    kept: list[int] = []
    members = {
        m.team_id: m
        for m in await db.scalars(
            select(TeamMember).where(TeamMember.caseworker_id == caseworker.id)
        )
    }
    for team_id in values.team_ids:
        if team_id in members:
            members[team_id].takes_bookings = True
        else:
            db.add(TeamMember(team_id=team_id, caseworker_id=caseworker.id))
    meetings = await future_meetings(db, utcnow(), caseworker_id=caseworker.id)
    busy_teams = {
        offer.team_id
        for offer in await db.scalars(
            select(MeetingOffer).where(MeetingOffer.id.in_({b.offer_id for b in meetings}))
        )
    }
    for team_id, member in members.items():
        if team_id in values.team_ids:
            continue
        if team_id in busy_teams:
            member.takes_bookings = False
            kept.append(team_id)
        else:
            await db.delete(member)
    await db.flush()
    return caseworker, kept


# --- rooms -----------------------------------------------------------------------------------


@dataclass
class RoomInput:
    name: str
    capacity: int | None
    overbooking: int
    address: str
    usable: bool
    team_ids: list[int]


def parse_room(
    form: Mapping[str, Any], team_ids: Sequence[str], teams: Mapping[int, Any]
) -> tuple[RoomInput | None, Errors]:
    fields = Fields(form)
    name = fields.text("name", 200)
    capacity = fields.integer("capacity", 1, 10000, required=False)
    overbooking = fields.integer("overbooking", 0, 1000, required=False) or 0
    address = fields.text("address", 300, required=False)
    if fields.errors:
        return None, fields.errors
    return (
        RoomInput(
            name, capacity, overbooking, address, fields.flag("usable"), ids_from(team_ids, teams)
        ),
        {},
    )


async def save_room(db: AsyncSession, values: RoomInput, room_id: int | None) -> Room | None:
    """None when another room has the name already."""
    clash = await db.scalar(
        select(Room.id).where(
            func.lower(Room.name) == values.name.lower(), Room.id != (room_id or 0)
        )
    )
    if clash is not None:
        return None
    room = await db.get(Room, room_id) if room_id else Room()
    if room is None:
        return None
    room.name, room.capacity, room.overbooking = values.name, values.capacity, values.overbooking
    room.address, room.usable = values.address, values.usable
    db.add(room)
    await db.flush()
    await db.execute(delete(RoomTeam).where(RoomTeam.room_id == room.id))
    db.add_all(RoomTeam(room_id=room.id, team_id=t) for t in values.team_ids)
    await db.flush()
    return room


# --- offers ----------------------------------------------------------------------------------


@dataclass
class OfferInput:
    title: str
    description: str
    meeting_type: str
    team_id: int
    room_id: int | None
    is_group: bool
    duration_minutes: int
    admin_minutes: int
    accept_cancellation: bool
    accept_rebooking: bool
    rebook_days_before: int
    choose_caseworker: bool
    first_date: dt.date | None
    fixed_end: dt.date | None
    rolling_weeks: int | None
    visible_from: dt.date | None
    active: bool
    seats: int | None
    eligible_marking: str | None
    eligible_team_id: int | None
    eligible_municipality: str | None
    caseworker_ids: list[int] = field(default_factory=list)
    group_times: list[dt.datetime] = field(default_factory=list)


def parse_group_times(raw: str, zone: ZoneInfo) -> tuple[list[dt.datetime], str | None]:
    """One time per line, like 2026-12-01 09:00, in the deployment's time zone."""
    times = []
    for line in raw.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            local = dt.datetime.fromisoformat(line.replace("T", " "))
        except ValueError:
            return [], gettext(
                "“%(line)s” is not a date and time like 2026-12-01 09:00.", line=line
            )
        times.append(local.replace(tzinfo=zone) if local.tzinfo is None else local)
    return sorted(set(times)), None


def parse_offer(
    form: Mapping[str, Any],
    caseworker_ids: Sequence[str],
    teams: Mapping[int, Any],
    rooms: Mapping[int, Any],
    caseworkers: Mapping[int, Any],
    markings: Mapping[str, Any],
    zone: ZoneInfo,
) -> tuple[OfferInput | None, Errors]:
    fields = Fields(form)
    title = fields.text("title", 200)
    description = fields.text("description", 2000, required=False)
    meeting_type = fields.choice("meeting_type", MEETING_TYPES)
    team_raw = str(form.get("team_id") or "")
    team_id = int(team_raw) if team_raw.isdigit() and int(team_raw) in teams else None
    if team_id is None:
        fields.errors["team_id"] = gettext("Choose one of the options.")
    room_raw = str(form.get("room_id") or "")
    room_id = int(room_raw) if room_raw.isdigit() and int(room_raw) in rooms else None
    if room_raw and room_id is None:
        fields.errors["room_id"] = gettext("Choose one of the options.")
    kind = fields.choice("kind", {"individual": 1, "group": 1})
    is_group = kind == "group"
    duration = fields.integer("duration_minutes", 5, 480)
    admin = fields.integer("admin_minutes", 0, 240, required=False) or 0
    rebook_days = fields.integer("rebook_days_before", 0, 60, required=False) or 0
    first_date = fields.date("first_date", required=False)
    fixed_end = fields.date("fixed_end", required=False)
    rolling = fields.integer("rolling_weeks", 1, 52, required=False)
    visible_from = fields.date("visible_from", required=False)
    seats = fields.integer("seats", 1, 10000, required=False)
    if fixed_end is None and rolling is None and "fixed_end" not in fields.errors:
        fields.errors.setdefault(
            "fixed_end", gettext("Give a fixed end date, a rolling end in weeks, or both.")
        )
    if first_date and fixed_end and fixed_end < first_date:
        fields.errors["fixed_end"] = gettext("The end cannot be before the first meeting date.")
    chosen = ids_from(caseworker_ids, caseworkers)
    if not chosen:
        fields.errors["caseworker_ids"] = gettext("Choose at least one caseworker.")
    marking = str(form.get("eligible_marking") or "") or None
    if marking is not None and marking not in markings:
        fields.errors["eligible_marking"] = gettext("Choose one of the options.")
    eligible_raw = str(form.get("eligible_team_id") or "")
    eligible_team = (
        int(eligible_raw) if eligible_raw.isdigit() and int(eligible_raw) in teams else None
    )
    municipality = fields.text("eligible_municipality", 100, required=False) or None
    group_times: list[dt.datetime] = []
    if is_group:
        group_times, problem = parse_group_times(str(form.get("group_times") or ""), zone)
        if problem:
            fields.errors["group_times"] = problem
        elif not group_times:
            fields.errors["group_times"] = gettext("Give at least one time for the group meeting.")
        if seats is None and room_id is None and "seats" not in fields.errors:
            fields.errors["seats"] = gettext("Give the number of seats, or choose a room.")
    if fields.errors or team_id is None or duration is None:
        return None, fields.errors
    return (
        OfferInput(
            title=title,
            description=description,
            meeting_type=meeting_type,
            team_id=team_id,
            room_id=room_id,
            is_group=is_group,
            duration_minutes=duration,
            admin_minutes=admin,
            accept_cancellation=fields.flag("accept_cancellation"),
            accept_rebooking=fields.flag("accept_rebooking"),
            rebook_days_before=rebook_days,
            choose_caseworker=fields.flag("choose_caseworker") and not is_group,
            first_date=first_date,
            fixed_end=fixed_end,
            rolling_weeks=rolling,
            visible_from=visible_from,
            active=fields.flag("active"),
            seats=seats if is_group else None,
            eligible_marking=marking,
            eligible_team_id=eligible_team,
            eligible_municipality=municipality,
            caseworker_ids=chosen,
            group_times=group_times,
        ),
        {},
    )


OFFER_COLUMNS = (
    "title",
    "description",
    "meeting_type",
    "team_id",
    "room_id",
    "is_group",
    "duration_minutes",
    "admin_minutes",
    "accept_cancellation",
    "accept_rebooking",
    "rebook_days_before",
    "choose_caseworker",
    "first_date",
    "fixed_end",
    "rolling_weeks",
    "visible_from",
    "active",
    "seats",
    "eligible_marking",
    "eligible_team_id",
    "eligible_municipality",
)


async def save_offer(
    db: AsyncSession, values: OfferInput, offer_id: int | None
) -> tuple[MeetingOffer | None, str | None]:
    """Create or update the offer with its caseworkers and group times. A group time that
    has bookings is kept even when left out (the message says so)."""
    offer = await db.get(MeetingOffer, offer_id) if offer_id else MeetingOffer()
    if offer is None:
        return None, None
    for column in OFFER_COLUMNS:
        setattr(offer, column, getattr(values, column))
    db.add(offer)
    await db.flush()
    await db.execute(delete(OfferCaseworker).where(OfferCaseworker.offer_id == offer.id))
    db.add_all(OfferCaseworker(offer_id=offer.id, caseworker_id=c) for c in values.caseworker_ids)
    room = await db.get(Room, offer.room_id) if offer.room_id else None
    seats = (
        offer.seats
        if offer.seats is not None
        else (None if room is None or room.capacity is None else room.capacity + room.overbooking)
    )
    sessions = {
        s.starts_at: s
        for s in await db.scalars(select(GroupSession).where(GroupSession.offer_id == offer.id))
    }
    wanted = set(values.group_times) if values.is_group else set()
    kept = []
    for start, session in sessions.items():
        if start in wanted:
            if seats is not None and session.booked > seats:
                kept.append(start)
            else:
                session.seats = seats
        elif session.booked:
            kept.append(start)
        else:
            await db.delete(session)
    for start in wanted - set(sessions):
        db.add(GroupSession(offer_id=offer.id, starts_at=start, seats=seats))
    await db.flush()
    note = (
        gettext("Times with booked participants were kept: move or cancel those bookings first.")
        if kept
        else None
    )
    return offer, note
